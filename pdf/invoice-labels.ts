import type { LineUnit } from '../billing/types.js'
import type { InvoiceLanguage } from '../sources/types.js'

/** Every fixed text of the invoice template, one dictionary per language. */
export interface InvoiceLabels {
  documentTitle: string
  numberSign: string
  number: string
  issueDate: string
  dueDate: string
  period: string
  contract: string
  supplier: string
  customer: string
  address: string
  tin: string
  vatRegCode: string
  bank: string
  bankAccount: string
  mfo: string
  swift: string
  email: string
  phone: string
  linePosition: string
  lineDescription: string
  lineQuantity: string
  lineUnit: string
  lineRate: string
  lineAmount: string
  units: Record<LineUnit, string>
  subtotal: string
  vat: string
  total: string
  amountInWords: string
  paymentTerms: string
  paymentDetails: string
  beneficiary: string
  paymentReference: string
  signedFor: string
  director: string
  accountant: string
  signature: string
  seal: string
  appendixHeading: string
  appendixIssue: string
  appendixSummary: string
  appendixCategory: string
  appendixLine: string
  appendixRawHours: string
  appendixBillableHours: string
  appendixAmount: string
  appendixNote: string
  issueNotFound: string
  notPriced: string
  footerDocument: string
  pageBefore: string
  pageBetween: string
}

const EN: InvoiceLabels = {
  documentTitle: 'Invoice',
  numberSign: 'No.',
  number: 'Invoice no.',
  issueDate: 'Issue date',
  dueDate: 'Due date',
  period: 'Service period',
  contract: 'Contract',
  supplier: 'Supplier',
  customer: 'Customer',
  address: 'Address',
  tin: 'TIN',
  vatRegCode: 'VAT reg. code',
  bank: 'Bank',
  bankAccount: 'Account',
  mfo: 'MFO',
  swift: 'SWIFT',
  email: 'Email',
  phone: 'Phone',
  linePosition: '#',
  lineDescription: 'Description',
  lineQuantity: 'Qty',
  lineUnit: 'Unit',
  lineRate: 'Rate',
  lineAmount: 'Amount',
  units: { hour: 'h', month: 'month', item: 'item' },
  subtotal: 'Subtotal',
  vat: 'VAT',
  total: 'Total due',
  amountInWords: 'Amount in words',
  paymentTerms: 'Payment terms',
  paymentDetails: 'Payment details',
  beneficiary: 'Beneficiary',
  paymentReference: 'Payment reference',
  signedFor: 'For the supplier',
  director: 'Director',
  accountant: 'Chief accountant',
  signature: 'signature',
  seal: 'Seal',
  appendixHeading: 'Work by issue',
  appendixIssue: 'Issue',
  appendixSummary: 'Summary',
  appendixCategory: 'Category',
  appendixLine: 'Line',
  appendixRawHours: 'Logged, h',
  appendixBillableHours: 'Billable, h',
  appendixAmount: 'Amount',
  appendixNote: 'Amounts are billable hours at the line rate before any limit is applied; the invoice lines state what is billed.',
  issueNotFound: 'Issue not found in Jira',
  notPriced: '—',
  footerDocument: 'Invoice',
  pageBefore: 'Page',
  pageBetween: 'of',
}

const RU: InvoiceLabels = {
  documentTitle: 'Счёт на оплату',
  numberSign: '№',
  number: 'Номер счёта',
  issueDate: 'Дата счёта',
  dueDate: 'Оплатить до',
  period: 'Период оказания услуг',
  contract: 'Договор',
  supplier: 'Исполнитель',
  customer: 'Заказчик',
  address: 'Адрес',
  tin: 'ИНН',
  vatRegCode: 'Рег. код НДС',
  bank: 'Банк',
  bankAccount: 'Расчётный счёт',
  mfo: 'МФО',
  swift: 'SWIFT',
  email: 'Эл. почта',
  phone: 'Телефон',
  linePosition: '№',
  lineDescription: 'Наименование работ, услуг',
  lineQuantity: 'Кол-во',
  lineUnit: 'Ед. изм.',
  lineRate: 'Цена',
  lineAmount: 'Сумма',
  units: { hour: 'ч', month: 'мес.', item: 'шт.' },
  subtotal: 'Итого без НДС',
  vat: 'НДС',
  total: 'Всего к оплате',
  amountInWords: 'Сумма прописью',
  paymentTerms: 'Условия оплаты',
  paymentDetails: 'Платёжные реквизиты',
  beneficiary: 'Получатель',
  paymentReference: 'Назначение платежа',
  signedFor: 'От исполнителя',
  director: 'Директор',
  accountant: 'Главный бухгалтер',
  signature: 'подпись',
  seal: 'М. П.',
  appendixHeading: 'Детализация работ по задачам',
  appendixIssue: 'Задача',
  appendixSummary: 'Описание',
  appendixCategory: 'Категория',
  appendixLine: 'Строка',
  appendixRawHours: 'Затрачено, ч',
  appendixBillableHours: 'К оплате, ч',
  appendixAmount: 'Сумма',
  appendixNote: 'Суммы указаны как оплачиваемые часы по ставке строки до применения лимитов; к оплате предъявляются строки счёта.',
  issueNotFound: 'Задача не найдена в Jira',
  notPriced: '—',
  footerDocument: 'Счёт',
  pageBefore: 'Страница',
  pageBetween: 'из',
}

const UZ: InvoiceLabels = {
  documentTitle: 'Hisobvaraq',
  numberSign: '№',
  number: 'Hisobvaraq raqami',
  issueDate: 'Sana',
  dueDate: 'Toʻlov muddati',
  period: 'Xizmat koʻrsatish davri',
  contract: 'Shartnoma',
  supplier: 'Ijrochi',
  customer: 'Buyurtmachi',
  address: 'Manzil',
  tin: 'STIR',
  vatRegCode: 'QQS reg. kodi',
  bank: 'Bank',
  bankAccount: 'Hisob raqami',
  mfo: 'MFO',
  swift: 'SWIFT',
  email: 'E-pochta',
  phone: 'Telefon',
  linePosition: '№',
  lineDescription: 'Ishlar, xizmatlar nomi',
  lineQuantity: 'Miqdori',
  lineUnit: 'Birlik',
  lineRate: 'Narxi',
  lineAmount: 'Summa',
  units: { hour: 'soat', month: 'oy', item: 'dona' },
  subtotal: 'QQSsiz jami',
  vat: 'QQS',
  total: 'Jami toʻlovga',
  amountInWords: 'Summa soʻz bilan',
  paymentTerms: 'Toʻlov shartlari',
  paymentDetails: 'Toʻlov rekvizitlari',
  beneficiary: 'Oluvchi',
  paymentReference: 'Toʻlov maqsadi',
  signedFor: 'Ijrochi nomidan',
  director: 'Direktor',
  accountant: 'Bosh hisobchi',
  signature: 'imzo',
  seal: 'M. Oʻ.',
  appendixHeading: 'Vazifalar boʻyicha ishlar tafsiloti',
  appendixIssue: 'Vazifa',
  appendixSummary: 'Tavsif',
  appendixCategory: 'Toifa',
  appendixLine: 'Qator',
  appendixRawHours: 'Sarflangan, soat',
  appendixBillableHours: 'Hisoblangan, soat',
  appendixAmount: 'Summa',
  appendixNote: 'Summalar limitlar qoʻllanilgunga qadar qator stavkasi boʻyicha hisoblangan soatlardir; toʻlovga hisobvaraq qatorlari taqdim etiladi.',
  issueNotFound: 'Vazifa Jira tizimida topilmadi',
  notPriced: '—',
  footerDocument: 'Hisobvaraq',
  pageBefore: 'Sahifa',
  pageBetween: '/',
}

/** The label dictionaries; a language without one cannot be chosen (the type is closed). */
export const INVOICE_LABELS: Readonly<Record<InvoiceLanguage, InvoiceLabels>> = Object.freeze({ en: EN, ru: RU, uz: UZ })
