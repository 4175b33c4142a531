import type { Role } from './auth.js'

/**
 * Who may take each action on an invoice or a credit note: the one table the API's action
 * routes and the console's forms both read (docs/api.md, Routes).
 */
export const ACTION_ROLES = {
  confirm: ['accountant'],
  refresh: ['accountant'],
  approve: ['approver'],
  reject: ['approver'],
  cancel: ['accountant', 'approver'],
  retry: ['admin'],
  skip: ['admin'],
} as const satisfies Record<string, readonly Role[]>

export type RoledAction = keyof typeof ACTION_ROLES
