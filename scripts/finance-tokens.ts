/** One entry of API_TOKENS (`token=user:role+role,...`). */
export interface FinanceToken {
  token: string
  user: string
  roles: string[]
}

export function parseTokens(text: string): FinanceToken[] {
  return text
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const [token, rest] = entry.split('=') as [string, string]
      const [user, roles] = rest.split(':') as [string, string]
      return { token, user, roles: roles.split('+') }
    })
}

/** The accountant who confirms, an approver who is someone else (maker-checker), an operator (admin). */
export function financeTeam(apiTokens: string): { accountant: FinanceToken; approver: FinanceToken; operator: FinanceToken } {
  const tokens = parseTokens(apiTokens)
  const accountant = tokens.find((t) => t.roles.includes('accountant') && !t.roles.includes('approver'))
  const approver = tokens.find((t) => t.roles.includes('approver') && t.user !== accountant?.user)
  const operator = tokens.find((t) => t.roles.includes('admin'))
  if (!accountant || !approver || !operator) throw new Error('API_TOKENS needs an accountant and an approver who are two people, and an admin')
  return { accountant, approver, operator }
}
