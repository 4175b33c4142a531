import { pluralRu, type RussianForms } from './plural-ru.js'
import { splitThousands } from './split-thousands.js'

/** Grammatical gender of the counted noun: "один доллар" but "одна копейка", "одна тысяча". */
export type RussianGender = 'masculine' | 'feminine' | 'neuter'

const UNITS_MASCULINE = ['', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять']
const TEENS = ['десять', 'одиннадцать', 'двенадцать', 'тринадцать', 'четырнадцать', 'пятнадцать', 'шестнадцать', 'семнадцать', 'восемнадцать', 'девятнадцать']
const TENS = ['', '', 'двадцать', 'тридцать', 'сорок', 'пятьдесят', 'шестьдесят', 'семьдесят', 'восемьдесят', 'девяносто']
const HUNDREDS = ['', 'сто', 'двести', 'триста', 'четыреста', 'пятьсот', 'шестьсот', 'семьсот', 'восемьсот', 'девятьсот']

interface Scale {
  forms: RussianForms
  gender: RussianGender
}

const SCALES: Scale[] = [
  { forms: { one: 'тысяча', few: 'тысячи', many: 'тысяч' }, gender: 'feminine' },
  { forms: { one: 'миллион', few: 'миллиона', many: 'миллионов' }, gender: 'masculine' },
  { forms: { one: 'миллиард', few: 'миллиарда', many: 'миллиардов' }, gender: 'masculine' },
  { forms: { one: 'триллион', few: 'триллиона', many: 'триллионов' }, gender: 'masculine' },
  { forms: { one: 'квадриллион', few: 'квадриллиона', many: 'квадриллионов' }, gender: 'masculine' },
  { forms: { one: 'квинтиллион', few: 'квинтиллиона', many: 'квинтиллионов' }, gender: 'masculine' },
  { forms: { one: 'секстиллион', few: 'секстиллиона', many: 'секстиллионов' }, gender: 'masculine' },
]

function spellUnit(n: number, gender: RussianGender): string {
  if (n === 1) return gender === 'feminine' ? 'одна' : gender === 'neuter' ? 'одно' : 'один'
  if (n === 2) return gender === 'feminine' ? 'две' : 'два'
  return UNITS_MASCULINE[n]!
}

function spellGroup(n: number, gender: RussianGender): string[] {
  const words: string[] = []
  const rest = n % 100
  if (n >= 100) words.push(HUNDREDS[Math.floor(n / 100)]!)
  if (rest >= 10 && rest < 20) {
    words.push(TEENS[rest - 10]!)
  } else {
    if (rest >= 20) words.push(TENS[Math.floor(rest / 10)]!)
    if (rest % 10 > 0) words.push(spellUnit(rest % 10, gender))
  }
  return words
}

/**
 * An integer in Russian words agreeing with the gender of what it counts ("две тысячи",
 * "два миллиона", "двадцать одна копейка"). A thousand is always counted ("одна тысяча"), as
 * amounts in words are written on Russian-language invoices.
 */
export function spellNumberRu(value: bigint, gender: RussianGender = 'masculine'): string {
  if (value === 0n) return 'ноль'
  const groups = splitThousands(value)
  if (groups.length > SCALES.length + 1) throw new RangeError(`Too large to spell: ${value}`)
  const words: string[] = []
  for (let i = groups.length - 1; i >= 0; i--) {
    const group = groups[i]!
    if (group === 0) continue
    if (i === 0) {
      words.push(...spellGroup(group, gender))
    } else {
      const scale = SCALES[i - 1]!
      words.push(...spellGroup(group, scale.gender), pluralRu(group, scale.forms))
    }
  }
  return words.join(' ')
}
