/** The console's words in English and Russian; amounts and dates follow the language (Intl). */
export type ConsoleLanguage = 'en' | 'ru'

const en = {
  title: 'Invoicing',
  signIn: 'Sign in',
  signOut: 'Sign out',
  token: 'Access token',
  badToken: 'This token is not known. Ask an administrator for yours.',
  invoices: 'Invoices',
  waitingForMe: 'Waiting for me',
  all: 'All',
  state: 'State',
  customer: 'Customer',
  deal: 'Deal',
  period: 'Period',
  number: 'Number',
  total: 'Total',
  nextActor: 'Who acts next',
  filter: 'Filter',
  noInvoices: 'No invoices match.',
  lines: 'Lines',
  description: 'Description',
  quantity: 'Quantity',
  rate: 'Rate',
  amount: 'Amount',
  subtotal: 'Subtotal',
  vat: 'VAT',
  warnings: 'Warnings',
  errors: 'Errors',
  actions: 'Actions',
  events: 'History',
  dispatch: 'Sent to',
  confirm: 'Confirm',
  refresh: 'Refresh the preview',
  approve: 'Approve',
  reject: 'Reject',
  cancel: 'Cancel the invoice',
  retry: 'Retry the step',
  skip: 'Skip the step',
  reason: 'Reason',
  drop: 'drop',
  pdf: 'PDF',
  temporal: 'Workflow in Temporal Web',
  done: 'Done',
  refused: 'Not done',
  balance: 'Due',
  credited: 'Credited',
  paid: 'Paid',
  creditNotes: 'Credit notes',
  payments: 'Payments',
  attention: 'Needs attention',
} as const

const ru: Record<keyof typeof en, string> = {
  title: 'Счета',
  signIn: 'Войти',
  signOut: 'Выйти',
  token: 'Токен доступа',
  badToken: 'Такой токен не известен. Попросите свой у администратора.',
  invoices: 'Счета',
  waitingForMe: 'Ждут меня',
  all: 'Все',
  state: 'Состояние',
  customer: 'Клиент',
  deal: 'Сделка',
  period: 'Период',
  number: 'Номер',
  total: 'Итого',
  nextActor: 'Кто действует',
  filter: 'Найти',
  noInvoices: 'Счетов не найдено.',
  lines: 'Строки',
  description: 'Наименование',
  quantity: 'Кол-во',
  rate: 'Цена',
  amount: 'Сумма',
  subtotal: 'Без НДС',
  vat: 'НДС',
  warnings: 'Предупреждения',
  errors: 'Ошибки',
  actions: 'Действия',
  events: 'История',
  dispatch: 'Отправлено',
  confirm: 'Подтвердить',
  refresh: 'Пересчитать',
  approve: 'Утвердить',
  reject: 'Вернуть',
  cancel: 'Отменить счёт',
  retry: 'Повторить шаг',
  skip: 'Пропустить шаг',
  reason: 'Причина',
  drop: 'убрать',
  pdf: 'PDF',
  temporal: 'Процесс в Temporal Web',
  done: 'Готово',
  refused: 'Не выполнено',
  balance: 'К оплате',
  credited: 'Кредит-ноты',
  paid: 'Оплачено',
  creditNotes: 'Кредит-ноты',
  payments: 'Платежи',
  attention: 'Требует внимания',
}

export type Words = Record<keyof typeof en, string>
export const WORDS: Record<ConsoleLanguage, Words> = { en, ru }

/** What to do next after a refusal, by its code: the sentence shown above the page. */
export const NEXT_STEP: Record<ConsoleLanguage, Partial<Record<string, string>>> = {
  en: {
    STALE_PREVIEW: 'The preview changed since you opened it: refresh it, check it, and confirm again.',
    STALE_PDF: 'A newer PDF version exists: open it and decide again.',
    MAKER_CHECKER: 'You confirmed this invoice: another approver must approve it.',
    WRONG_STATE: 'The invoice has moved on: reload the page.',
    EFFECTS_MADE: 'The invoice already reached an external system: correct it with a credit note or a void.',
  },
  ru: {
    STALE_PREVIEW: 'Предпросмотр изменился с тех пор, как вы его открыли: пересчитайте, проверьте и подтвердите снова.',
    STALE_PDF: 'Есть более новая версия PDF: откройте её и решите снова.',
    MAKER_CHECKER: 'Вы подтвердили этот счёт: утвердить его должен другой человек.',
    WRONG_STATE: 'Счёт уже в другом состоянии: обновите страницу.',
    EFFECTS_MADE: 'Счёт уже попал во внешнюю систему: исправьте его кредит-нотой или аннулированием.',
  },
}

export function pickLanguage(value: string | undefined): ConsoleLanguage {
  return value === 'ru' ? 'ru' : 'en'
}

export function formatMoney(value: string | null | undefined, currency: string | null | undefined, language: ConsoleLanguage): string {
  if (value === null || value === undefined) return '—'
  // Two decimals as stored: the text is split, never turned into a float.
  const [whole, cents = '00'] = value.replace('-', '').split('.')
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, language === 'ru' ? '\u00a0' : ',')
  const text = `${value.startsWith('-') ? '−' : ''}${grouped}${language === 'ru' ? ',' : '.'}${cents.padEnd(2, '0')}`
  return currency ? `${text} ${currency}` : text
}
