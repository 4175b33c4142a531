/** The three Russian noun forms after a number: 1 доллар, 2 доллара, 5 долларов. */
export interface RussianForms {
  one: string
  few: string
  many: string
}

/** Picks the Russian form for a count: 1, 21, 101 -> one; 2-4, 22-24 -> few; 0, 5-20, 111-114 -> many. */
export function pluralRu(count: bigint | number, forms: RussianForms): string {
  const n = BigInt(count) < 0n ? -BigInt(count) : BigInt(count)
  const lastTwo = Number(n % 100n)
  const last = lastTwo % 10
  if (lastTwo >= 11 && lastTwo <= 14) return forms.many
  if (last === 1) return forms.one
  if (last >= 2 && last <= 4) return forms.few
  return forms.many
}
