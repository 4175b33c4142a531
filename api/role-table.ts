import { ROLES } from './auth.js'

type OpenApiPaths = { paths?: Record<string, Record<string, { 'x-roles'?: readonly string[] }>> }

export const ROLE_TABLE_START = '<!-- role-table: generated from the routes (x-roles) by `npx tsx scripts/role-table.ts --write`; api/auth.test.ts checks it -->'
export const ROLE_TABLE_END = '<!-- /role-table -->'

/**
 * Who may call each route, as markdown, from the roles each route declares in the OpenAPI
 * document (`defineSecuredRoute` puts them there and enforces them): the table in docs/api.md is
 * this, so the docs cannot drift from the code.
 */
export function roleTable(doc: OpenApiPaths): string {
  const rows = Object.entries(doc.paths ?? {})
    .flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, op]) => op['x-roles'])
        .map(([method, op]) => {
          const roles = op['x-roles']!
          return { route: `${method.toUpperCase()} ${path}`, roles: roles.length === ROLES.length ? 'any role' : roles.join(', ') }
        }),
    )
    .sort((a, b) => a.route.split(' ')[1]!.localeCompare(b.route.split(' ')[1]!) || a.route.localeCompare(b.route))
  return ['| route | roles (no token or an unknown one: 401; another role: 403) |', '|---|---|', ...rows.map((r) => `| \`${r.route}\` | ${r.roles} |`)].join('\n')
}

/** The generated table as it sits in a document, between its markers. */
export function tableIn(text: string): string | null {
  const start = text.indexOf(ROLE_TABLE_START)
  const end = text.indexOf(ROLE_TABLE_END)
  return start < 0 || end < start ? null : text.slice(start + ROLE_TABLE_START.length, end).trim()
}
