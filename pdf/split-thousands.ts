/**
 * Splits a non-negative integer into groups of three digits, least significant first
 * (1234567 -> [567, 234, 1]): every language here names numbers group by group.
 */
export function splitThousands(value: bigint): number[] {
  if (value < 0n) throw new RangeError('Only non-negative integers can be spelled')
  const groups: number[] = []
  let rest = value
  do {
    groups.push(Number(rest % 1000n))
    rest /= 1000n
  } while (rest > 0n)
  return groups
}
