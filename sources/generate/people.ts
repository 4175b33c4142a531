import { createRng } from './prng.js'

export interface Author {
  accountId: string
  name: string
}

const FIRST = ['Aziz', 'Dilnoza', 'Jasur', 'Malika', 'Sherzod', 'Nilufar', 'Bobur', 'Zilola', 'Otabek', 'Gulnora',
  'Timur', 'Feruza', 'Rustam', 'Madina', 'Sardor', 'Kamola', 'Javohir', 'Sevara', 'Akmal', 'Nodira'] as const
const LAST = ['Karimov', 'Yusupov', 'Rahimov', 'Nazarov', 'Abdullaev', 'Ismoilov', 'Sadikov', 'Qurbonov', 'Tursunov',
  'Aliyev', 'Xolmatov', 'Ergashev', 'Mirzaev', 'Saidov', 'Umarov', 'Ivanov', 'Petrov', 'Kim', 'Li', 'Pak'] as const
// Uzbek surnames take -a for women; the first-name list alternates male/female.
const FEMALE = new Set(['Dilnoza', 'Malika', 'Nilufar', 'Zilola', 'Gulnora', 'Feruza', 'Madina', 'Kamola', 'Sevara', 'Nodira'])

/** The fixed pool of people who log work (the same for every seed; teams per deal are seeded). */
export const AUTHORS: readonly Author[] = Array.from({ length: 48 }, (_, i) => {
  const first = FIRST[i % FIRST.length] as string
  const lastBase = LAST[(i * 7 + 3) % LAST.length] as string
  const last = FEMALE.has(first) && /(ov|ev|iy)$/.test(lastBase) ? `${lastBase.replace(/iy$/, 'i')}a` : lastBase
  const rng = createRng(0, 'author', i)
  const hex = (n: number): string => Array.from({ length: n }, () => rng.int(0, 15).toString(16)).join('')
  return { accountId: `712020:${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`, name: `${first} ${last}` }
})
