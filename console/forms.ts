import type { Words } from './i18n.js'

/** How a form field becomes a JSON value of the API's body. */
export type FieldKind = 'text' | 'nullable' | 'number' | 'list' | 'boolean'

export interface FieldSpec {
  name: string
  label: keyof Words
  kind: FieldKind
  size?: 'short' | 'mid'
}

/** A form's text values, as sent (to show them again when the API refuses them). */
export type SentForm = Record<string, string>

export function sentForm(body: Record<string, unknown>): SentForm {
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'csrf'))
}

/**
 * The API body a form stands for. No rule is checked here: an empty required field is left out
 * and a number that is not one is passed as text, so the API's own schema names the problem.
 */
export function bodyFromForm(form: SentForm, fields: readonly FieldSpec[]): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const field of fields) {
    const raw = form[field.name]?.trim() ?? ''
    if (field.kind === 'boolean') body[field.name] = raw !== ''
    else if (field.kind === 'list')
      body[field.name] = raw
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    else if (field.kind === 'nullable') body[field.name] = raw === '' ? null : raw
    else if (raw === '') continue
    else if (field.kind === 'number') body[field.name] = Number.isFinite(Number(raw)) ? Number(raw) : raw
    else body[field.name] = raw
  }
  return body
}

/** A stored record's values as the form shows them. */
export function formFromRecord(record: Record<string, unknown>, fields: readonly FieldSpec[]): SentForm {
  const form: SentForm = {}
  for (const field of fields) {
    const value = record[field.name]
    if (field.kind === 'boolean') form[field.name] = value ? '1' : ''
    else if (Array.isArray(value)) form[field.name] = value.join(', ')
    else form[field.name] = value === null || value === undefined ? '' : String(value)
  }
  return form
}

/** Splits "a, b" the way bodyFromForm does, for the comma-separated deal list of a billing run. */
export function listFromText(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
}
