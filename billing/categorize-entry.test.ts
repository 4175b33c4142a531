import { describe, expect, it } from 'vitest'
import { categorizeEntry, sortCategoryRules } from './categorize-entry.js'
import { makeCategoryRule, makeIssue } from './test-builders.js'

const rules = sortCategoryRules([
  makeCategoryRule({ id: 'other-project', position: 5, category: 'Other project', projectKeys: ['XYZ'] }),
  makeCategoryRule({ id: 'support', position: 4, category: 'Support', tempoAccounts: ['SUP', 'SUP2'] }),
  makeCategoryRule({ id: 'mobile', position: 3, category: 'Mobile', components: ['iOS', 'Android'] }),
  makeCategoryRule({ id: 'design', position: 2, category: 'Design', labels: ['design', 'ux'] }),
  makeCategoryRule({ id: 'bugs', position: 1, category: 'Bugs', issueTypes: ['Bug'] }),
])

function categorize(options: { issue?: Partial<Parameters<typeof makeIssue>[0]> | null; projectKey?: string; accountKey?: string }) {
  return categorizeEntry({
    entry: { projectKey: options.projectKey ?? 'ABC', accountKey: options.accountKey ?? '' },
    issue: options.issue === null ? undefined : makeIssue(options.issue ?? {}),
    rules,
    defaultCategory: 'Development',
  })
}

describe('categorizeEntry', () => {
  it.each([
    { why: 'issue type', issue: { issueType: 'Bug' }, expected: { category: 'Bugs', ruleId: 'bugs' } },
    { why: 'one of the labels', issue: { labels: ['backend', 'ux'] }, expected: { category: 'Design', ruleId: 'design' } },
    { why: 'one of the components', issue: { components: ['Android'] }, expected: { category: 'Mobile', ruleId: 'mobile' } },
    { why: 'Tempo account', accountKey: 'SUP2', expected: { category: 'Support', ruleId: 'support' } },
    { why: 'project', projectKey: 'XYZ', expected: { category: 'Other project', ruleId: 'other-project' } },
    { why: 'nothing: default category', expected: { category: 'Development', ruleId: null } },
    { why: 'labels compared exactly', issue: { labels: ['UX'] }, expected: { category: 'Development', ruleId: null } },
  ])('matches by $why', ({ issue, accountKey, projectKey, expected }) => {
    expect(categorize({ issue, accountKey, projectKey })).toEqual(expected)
  })

  it('takes the first match by position, not by input order', () => {
    // A bug labelled "design" on the support account matches three rules; "Bugs" has position 1.
    expect(categorize({ issue: { issueType: 'Bug', labels: ['design'] }, accountKey: 'SUP' })).toEqual({ category: 'Bugs', ruleId: 'bugs' })
  })

  it('requires every non-empty criterion of a rule (AND across lists)', () => {
    const strict = [makeCategoryRule({ id: 'urgent-bugs', category: 'Urgent bugs', issueTypes: ['Bug'], labels: ['urgent'] })]
    const run = (labels: string[]) =>
      categorizeEntry({ entry: { projectKey: 'ABC', accountKey: '' }, issue: makeIssue({ issueType: 'Bug', labels }), rules: strict, defaultCategory: 'Dev' })
    expect(run(['urgent'])).toEqual({ category: 'Urgent bugs', ruleId: 'urgent-bugs' })
    expect(run(['later'])).toEqual({ category: 'Dev', ruleId: null })
  })

  it('orders rules with equal positions by id', () => {
    const tied = sortCategoryRules([
      makeCategoryRule({ id: 'b', position: 1, category: 'B' }),
      makeCategoryRule({ id: 'a', position: 1, category: 'A' }),
    ])
    expect(categorizeEntry({ entry: { projectKey: 'ABC', accountKey: '' }, issue: undefined, rules: tied, defaultCategory: 'Dev' })).toEqual({ category: 'A', ruleId: 'a' })
  })

  it('places work on an unsynced issue by project and account only', () => {
    expect(categorize({ issue: null, accountKey: 'SUP' })).toEqual({ category: 'Support', ruleId: 'support' })
    const byType = [makeCategoryRule({ id: 'tasks', category: 'Tasks', issueTypes: ['Task'] })]
    expect(categorizeEntry({ entry: { projectKey: 'ABC', accountKey: '' }, issue: undefined, rules: byType, defaultCategory: 'Dev' })).toEqual({
      category: 'Dev',
      ruleId: null,
    })
  })
})
