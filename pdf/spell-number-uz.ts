import { splitThousands } from './split-thousands.js'

// Official Uzbek Latin spelling: the letters oʻ and gʻ are written with U+02BB (ʻ).
const UNITS = ['', 'bir', 'ikki', 'uch', 'toʻrt', 'besh', 'olti', 'yetti', 'sakkiz', 'toʻqqiz']
const TENS = ['', 'oʻn', 'yigirma', 'oʻttiz', 'qirq', 'ellik', 'oltmish', 'yetmish', 'sakson', 'toʻqson']
const SCALES = ['', 'ming', 'million', 'milliard', 'trillion', 'kvadrillion', 'kvintillion', 'sekstillion']

function spellGroup(n: number): string[] {
  const words: string[] = []
  const hundreds = Math.floor(n / 100)
  const rest = n % 100
  if (hundreds > 0) words.push(UNITS[hundreds]!, 'yuz')
  if (rest >= 10) words.push(TENS[Math.floor(rest / 10)]!)
  if (rest % 10 > 0) words.push(UNITS[rest % 10]!)
  return words
}

/**
 * An integer in Uzbek (Latin) words. Hundreds and thousands are always counted ("bir yuz",
 * "bir ming") as amounts in words are written in Uzbek payment documents; nouns do not take a
 * plural after a numeral, so no agreement is needed.
 */
export function spellNumberUz(value: bigint): string {
  if (value === 0n) return 'nol'
  const groups = splitThousands(value)
  if (groups.length > SCALES.length) throw new RangeError(`Too large to spell: ${value}`)
  const words: string[] = []
  for (let i = groups.length - 1; i >= 0; i--) {
    const group = groups[i]!
    if (group === 0) continue
    words.push(...spellGroup(group))
    if (i > 0) words.push(SCALES[i]!)
  }
  return words.join(' ')
}
