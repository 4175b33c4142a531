import { splitThousands } from './split-thousands.js'

const ONES = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen',
]
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety']
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion', 'quadrillion', 'quintillion', 'sextillion']

function spellGroup(n: number): string {
  const words: string[] = []
  const hundreds = Math.floor(n / 100)
  const rest = n % 100
  if (hundreds > 0) words.push(`${ONES[hundreds]} hundred`)
  if (rest >= 20) words.push(rest % 10 === 0 ? TENS[Math.floor(rest / 10)]! : `${TENS[Math.floor(rest / 10)]}-${ONES[rest % 10]}`)
  else if (rest > 0) words.push(ONES[rest]!)
  return words.join(' ')
}

/**
 * An integer in English words, US style without "and" ("one thousand two hundred thirty-four"),
 * the form US-dollar invoices and cheques use.
 */
export function spellNumberEn(value: bigint): string {
  if (value === 0n) return ONES[0]!
  const groups = splitThousands(value)
  if (groups.length > SCALES.length) throw new RangeError(`Too large to spell: ${value}`)
  const words: string[] = []
  for (let i = groups.length - 1; i >= 0; i--) {
    const group = groups[i]!
    if (group === 0) continue
    words.push(i === 0 ? spellGroup(group) : `${spellGroup(group)} ${SCALES[i]}`)
  }
  return words.join(' ')
}
