import type { SourceContact, SourceCustomer, SourceDeal } from '../types.js'

/**
 * The CDM side of the generated data: customers, contacts and deals. It is fixed (the same for
 * every seed) so that tests and demos can name a deal by what it is, and compute expectations
 * from these terms. Only Jira issues and Tempo worklogs depend on the seed.
 * Names, TINs, bank details and e-mail domains are fictional (mail goes to `.example`).
 */

export type CatalogCustomer = Omit<SourceCustomer, 'version'>
export type CatalogContact = Omit<SourceContact, 'version'>
export type CatalogDeal = Omit<SourceDeal, 'version'>

/** Customer ids with what they are, for tests and demos. */
export const SAMPLE_CUSTOMERS = {
  /** Uzbek, TIN, e-invoicing (Didox) on, invoices in Russian. */
  uzEInvoicingRu: 'CUST-UZ-01',
  /** Uzbek, TIN, e-invoicing on, invoices in Uzbek. */
  uzEInvoicingUz: 'CUST-UZ-02',
  /** Uzbek, TIN, e-invoicing off (e-mail delivery), Russian; updated in CDM (a second version). */
  uzEmailRu: 'CUST-UZ-03',
  /** Uzbek, TIN, e-invoicing on, invoices in English. */
  uzEInvoicingEn: 'CUST-UZ-04',
  /** Uzbek, TIN, e-invoicing off, Uzbek. */
  uzEmailUz: 'CUST-UZ-05',
  /** Germany: no TIN, VAT id, IBAN, English. */
  foreignDe: 'CUST-DE-01',
  /** United States: no TIN, no VAT id, English. */
  foreignUs: 'CUST-US-01',
  /** United Kingdom: no TIN, VAT id, IBAN, English. */
  foreignGb: 'CUST-GB-01',
  /** Deleted in CDM (its latest version is a delete): readers must not find it. */
  deleted: 'CUST-UZ-09',
} as const

/** Deal ids with what they are, for tests and demos. */
export const SAMPLE_DEALS = {
  /** T&M, USD, Uzbek customer with e-invoicing; carries the edge-case worklog fixtures. */
  tmUsdUzEInvoicing: 'APP-1001',
  /** Retainer, UZS (100 h included), same customer. */
  retainerUzs: 'APP-1002',
  /** T&M, UZS, hours capped at 160 (cap mode). */
  tmUzsHoursCap: 'APP-1003',
  /** Fixed monthly fee, UZS. */
  fixedMonthlyUzs: 'APP-1004',
  /** T&M, USD, matched by project and by Tempo account. */
  tmUsdProjectAndAccount: 'APP-1005',
  /** T&M, USD, amount limit in warn mode, per-deal minimum 30 min rounded to 30 min. */
  tmUsdAmountWarnMin30: 'APP-1006',
  /** Retainer, UZS, matched by Tempo account only (shared SUP project). */
  retainerUzsAccountOnly: 'APP-1007',
  /** Retainer, USD (120 h included, overage 55). */
  retainerUsd: 'APP-1008',
  /** T&M, EUR, bills Tempo's non-billable worklogs too. */
  tmEurBillsNonBillable: 'APP-1009',
  /** Fixed monthly fee, UZS, VAT from settings (null). */
  fixedMonthlyUzsDefaultVat: 'APP-1010',
  /** T&M, UZS, hours limit 80 in warn mode, minimum 5 min rounded to 5 min. */
  tmUzsHoursWarnMin5: 'APP-1011',
  /** T&M, UZS, account only, minimum 60 min rounded to 30 min. */
  tmUzsAccountOnlyMin60: 'APP-1012',
  /** T&M, EUR, German customer, VAT 0. */
  tmEurForeignDe: 'APP-1013',
  /** Retainer, EUR, German customer, project and account. */
  retainerEurForeignDe: 'APP-1014',
  /** T&M, USD, US customer, amount capped at 15000 (cap mode). */
  tmUsdAmountCapForeignUs: 'APP-1015',
  /** Fixed monthly fee, USD, US customer. */
  fixedMonthlyUsdForeignUs: 'APP-1016',
  /** T&M, USD, rate raised from 65 to 75 in a second CDM version. */
  tmUsdRateUpdated: 'APP-1017',
  /** T&M, USD, GB customer. */
  tmUsdForeignGb: 'APP-1018',
  /** T&M, EUR, GB customer, both an hours cap (100) and an amount cap (5000). */
  tmEurHoursAndAmountCap: 'APP-1019',
  /** T&M, USD, closed deal (status closed). */
  closed: 'APP-1020',
  /** Deleted in CDM: readDeal returns null. Its project still has worklogs. */
  deleted: 'APP-1021',
} as const

interface CustomerSpec extends CatalogCustomer {
  /** Mail domain of the contacts (fictional, under .example). */
  domain: string
  phonePrefix: string
}

const CUSTOMER_SPECS: readonly CustomerSpec[] = [
  {
    customerId: 'CUST-UZ-01',
    name: 'Toshkent Raqamli Yechimlar',
    legalName: '"Toshkent Raqamli Yechimlar" MChJ',
    country: 'UZ',
    tin: '305112847',
    vatRegCode: '326030511284',
    address: "Toshkent sh., Mirzo Ulug'bek tumani, Buyuk Ipak Yo'li ko'chasi, 41-uy",
    bankName: 'ATB "Sharq Biznes Bank", Mirzo Ulugbek filiali',
    bankAccount: '20208000905112847001',
    mfo: '01122',
    swift: 'SHBKUZ22',
    director: 'Karimov Aziz Rustamovich',
    accountant: 'Yusupova Dilnoza Akmalovna',
    language: 'ru',
    eInvoicing: true,
    domain: 'toshkent-raqamli.example',
    phonePrefix: '+998 71 200',
  },
  {
    customerId: 'CUST-UZ-02',
    name: 'Navoiy Logistika Servis',
    legalName: '"Navoiy Logistika Servis" MChJ',
    country: 'UZ',
    tin: '307458219',
    vatRegCode: '326070745821',
    address: "Navoiy sh., G'alaba shoh ko'chasi, 12-uy",
    bankName: 'ATB "Turon Savdo Bank", Navoiy filiali',
    bankAccount: '20208000807458219001',
    mfo: '00873',
    swift: 'TSBKUZ22',
    director: 'Rahimov Jasur Baxtiyorovich',
    accountant: "Xolmatova Gulnora Ergash qizi",
    language: 'uz',
    eInvoicing: true,
    domain: 'navoiy-logistika.example',
    phonePrefix: '+998 79 223',
  },
  {
    customerId: 'CUST-UZ-03',
    name: "Farg'ona Agro Invest",
    legalName: "\"Farg'ona Agro Invest\" AJ",
    country: 'UZ',
    tin: '203987456',
    vatRegCode: '326020398745',
    address: "Farg'ona sh., Al-Farg'oniy ko'chasi, 7-uy, 3-qavat",
    bankName: 'ATB "Sharq Biznes Bank", Farg\'ona filiali',
    bankAccount: '20210000903987456002',
    mfo: '00441',
    swift: 'SHBKUZ22',
    director: 'Abdullaev Sherzod Olimovich',
    accountant: 'Nazarova Malika Tursunovna',
    language: 'ru',
    eInvoicing: false,
    domain: 'fargona-agro.example',
    phonePrefix: '+998 73 244',
  },
  {
    customerId: 'CUST-UZ-04',
    name: 'Buxoro Tekstil Group',
    legalName: '"Buxoro Tekstil Group" MChJ',
    country: 'UZ',
    tin: '309221764',
    vatRegCode: '326090922176',
    address: "Buxoro sh., Piridastgir ko'chasi, 2-uy",
    bankName: 'ATB "Silk Road Commercial Bank"',
    bankAccount: '20208000709221764001',
    mfo: '01095',
    swift: 'SRCBUZ2X',
    director: 'Sadikov Bobur Anvarovich',
    accountant: 'Ismoilova Nilufar Shavkatovna',
    language: 'en',
    eInvoicing: true,
    domain: 'buxoro-tekstil.example',
    phonePrefix: '+998 65 221',
  },
  {
    customerId: 'CUST-UZ-05',
    name: "Xorazm Energiya Ta'minot",
    legalName: "\"Xorazm Energiya Ta'minot\" MChJ",
    country: 'UZ',
    tin: '306540093',
    vatRegCode: '326060654009',
    address: "Urganch sh., Al-Xorazmiy ko'chasi, 25-uy",
    bankName: 'ATB "Turon Savdo Bank", Urganch filiali',
    bankAccount: '20208000806540093001',
    mfo: '00873',
    swift: 'TSBKUZ22',
    director: 'Matyakubov Otabek Ravshanovich',
    accountant: 'Qurbonova Zilola Bahodirovna',
    language: 'uz',
    eInvoicing: false,
    domain: 'xorazm-energiya.example',
    phonePrefix: '+998 62 224',
  },
  {
    customerId: 'CUST-DE-01',
    name: 'Nordlicht Software',
    legalName: 'Nordlicht Software GmbH',
    country: 'DE',
    tin: null,
    vatRegCode: 'DE318456207',
    address: 'Am Sandtorkai 14, 20457 Hamburg, Germany',
    bankName: 'Elbe Handelsbank AG',
    bankAccount: 'DE89370400440532013000',
    mfo: '',
    swift: 'ELBHDEHHXXX',
    director: 'Katrin Vogel',
    accountant: 'Jonas Brandt',
    language: 'en',
    eInvoicing: false,
    domain: 'nordlicht-software.example',
    phonePrefix: '+49 40 3012',
  },
  {
    customerId: 'CUST-US-01',
    name: 'Blue Ridge Analytics',
    legalName: 'Blue Ridge Analytics Inc.',
    country: 'US',
    tin: null,
    vatRegCode: '',
    address: '1200 Peachtree St NE, Suite 800, Atlanta, GA 30309, USA',
    bankName: 'Piedmont National Bank',
    bankAccount: '004512347788',
    mfo: '',
    swift: 'PNBKUS33',
    director: 'Michael Turner',
    accountant: 'Sarah Collins',
    language: 'en',
    eInvoicing: false,
    domain: 'blueridge-analytics.example',
    phonePrefix: '+1 404 555',
  },
  {
    customerId: 'CUST-GB-01',
    name: 'Thames Data',
    legalName: 'Thames Data Ltd',
    country: 'GB',
    tin: null,
    vatRegCode: 'GB294718305',
    address: '25 Southwark Bridge Road, London SE1 9HH, United Kingdom',
    bankName: 'Albion Merchant Bank plc',
    bankAccount: 'GB29NWBK60161331926819',
    mfo: '',
    swift: 'ALBMGB2L',
    director: 'Oliver Hughes',
    accountant: 'Emma Clarke',
    language: 'en',
    eInvoicing: false,
    domain: 'thames-data.example',
    phonePrefix: '+44 20 7946',
  },
]

/** Customers as they stand after the last sync (CUST-UZ-03 shows its second version). */
export const CATALOG_CUSTOMERS: readonly CatalogCustomer[] = CUSTOMER_SPECS.map(({ domain: _d, phonePrefix: _p, ...c }) => c)

/** Older field values of customers that have a second version in CDM. */
export const CUSTOMER_FIRST_VERSIONS: Readonly<Record<string, Partial<CatalogCustomer>>> = {
  'CUST-UZ-03': { address: "Farg'ona sh., Mustaqillik ko'chasi, 101-uy", accountant: 'Aliyeva Feruza Botirovna' },
}

/** A customer whose latest CDM version is a delete. */
export const DELETED_CUSTOMER: CatalogCustomer = {
  customerId: 'CUST-UZ-09',
  name: "Qo'qon Savdo Markazi",
  legalName: "\"Qo'qon Savdo Markazi\" MChJ",
  country: 'UZ',
  tin: '301774512',
  vatRegCode: '326030177451',
  address: "Qo'qon sh., Turkiston ko'chasi, 5-uy",
  bankName: 'ATB "Turon Savdo Bank"',
  bankAccount: '20208000801774512001',
  mfo: '00873',
  swift: 'TSBKUZ22',
  director: 'Ergashev Ulugbek',
  accountant: 'Toshpulatova Maftuna',
  language: 'uz',
  eInvoicing: true,
}

// [name, mailbox, receives invoices]
const CONTACT_SPECS: Readonly<Record<string, readonly (readonly [string, string, boolean])[]>> = {
  'CUST-UZ-01': [['Yusupova Dilnoza', 'buxgalteriya', true], ['Karimov Aziz', 'director', true], ['Tursunov Timur', 'pm', false]],
  'CUST-UZ-02': [['Xolmatova Gulnora', 'hisob', true], ['Rahimov Jasur', 'jasur.rahimov', false]],
  'CUST-UZ-03': [['Nazarova Malika', 'accounting', true], ['Abdullaev Sherzod', 'office', false]],
  'CUST-UZ-04': [['Ismoilova Nilufar', 'finance', true], ['Sadikov Bobur', 'bobur', false], ['Hasanov Rustam', 'it', false]],
  'CUST-UZ-05': [['Qurbonova Zilola', 'buxgalter', true]],
  'CUST-DE-01': [['Jonas Brandt', 'invoices', true], ['Katrin Vogel', 'k.vogel', false]],
  'CUST-US-01': [['Sarah Collins', 'ap', true], ['Daniel Reed', 'procurement', true], ['Michael Turner', 'mturner', false]],
  'CUST-GB-01': [['Emma Clarke', 'accounts.payable', true], ['Oliver Hughes', 'oliver', false]],
}

function buildContacts(): CatalogContact[] {
  const contacts: CatalogContact[] = []
  for (const customer of CUSTOMER_SPECS) {
    const specs = CONTACT_SPECS[customer.customerId] ?? []
    specs.forEach(([name, mailbox, isBilling], i) => {
      contacts.push({
        contactId: `CONT-${customer.customerId.slice(5)}-${i + 1}`,
        customerId: customer.customerId,
        name,
        email: `${mailbox}@${customer.domain}`,
        phone: `${customer.phonePrefix} ${String(4510 + i * 17).padStart(4, '0')}`,
        isBilling,
      })
    })
  }
  return contacts
}

/** Contacts as they stand after the last sync (deleted ones excluded). */
export const CATALOG_CONTACTS: readonly CatalogContact[] = buildContacts().filter((c) => c.contactId !== 'CONT-UZ-02-2')

/** Older field values of contacts that have a second version in CDM. */
export const CONTACT_FIRST_VERSIONS: Readonly<Record<string, Partial<CatalogContact>>> = {
  'CONT-UZ-01-3': { email: 'timur.tursunov@toshkent-raqamli.example', isBilling: true },
}

/** A contact whose latest CDM version is a delete. */
export const DELETED_CONTACT: CatalogContact = buildContacts().find((c) => c.contactId === 'CONT-UZ-02-2') as CatalogContact

type DealTerms = Omit<CatalogDeal, 'dealId' | 'customerId' | 'title' | 'contractNumber' | 'contractDate' | 'dealType' | 'currency' | 'projectKeys' | 'tempoAccounts'>

const NO_TERMS: DealTerms = {
  hourlyRate: null,
  monthlyFee: null,
  includedHours: null,
  overageRate: null,
  hoursLimit: null,
  amountLimit: null,
  limitMode: 'cap',
  vatRate: null,
  minBillableMinutes: null,
  roundingIncrementMinutes: null,
  billNonBillable: false,
  status: 'active',
  paymentTermsDays: 15,
}

function deal(
  head: Pick<CatalogDeal, 'dealId' | 'customerId' | 'title' | 'contractNumber' | 'contractDate' | 'dealType' | 'currency' | 'projectKeys' | 'tempoAccounts'>,
  terms: Partial<DealTerms>,
): CatalogDeal {
  return { ...head, ...NO_TERMS, ...terms }
}

/** Deals as they stand after the last sync (APP-1017 shows its second version; APP-1021 is deleted). */
export const CATALOG_DEALS: readonly CatalogDeal[] = [
  deal(
    { dealId: 'APP-1001', customerId: 'CUST-UZ-01', title: 'Core platform development', contractNumber: 'TRY-2025/031', contractDate: '2025-11-03', dealType: 'time_and_materials', currency: 'USD', projectKeys: ['TRY'], tempoAccounts: [] },
    { hourlyRate: '45.0000', vatRate: '12.00', paymentTermsDays: 10 },
  ),
  deal(
    { dealId: 'APP-1002', customerId: 'CUST-UZ-01', title: 'Support and maintenance retainer', contractNumber: 'TRY-2026/004', contractDate: '2026-01-15', dealType: 'retainer', currency: 'UZS', projectKeys: ['TRYM'], tempoAccounts: [] },
    { monthlyFee: '60000000.00', includedHours: '100.00', overageRate: '650000.0000', vatRate: '12.00' },
  ),
  deal(
    { dealId: 'APP-1003', customerId: 'CUST-UZ-02', title: 'Fleet tracking system', contractNumber: 'NLS-2025/112', contractDate: '2025-09-22', dealType: 'time_and_materials', currency: 'UZS', projectKeys: ['NLS'], tempoAccounts: [] },
    { hourlyRate: '480000.0000', hoursLimit: '160.00', limitMode: 'cap', vatRate: '12.00' },
  ),
  deal(
    { dealId: 'APP-1004', customerId: 'CUST-UZ-02', title: 'Dispatch portal operations', contractNumber: 'NLS-2026/007', contractDate: '2026-02-01', dealType: 'fixed_monthly', currency: 'UZS', projectKeys: ['NLSD'], tempoAccounts: [] },
    { monthlyFee: '45000000.00', vatRate: '12.00' },
  ),
  deal(
    { dealId: 'APP-1005', customerId: 'CUST-UZ-02', title: 'DevOps and on-call', contractNumber: 'NLS-2026/019', contractDate: '2026-03-10', dealType: 'time_and_materials', currency: 'USD', projectKeys: ['NLSO'], tempoAccounts: ['NLS-OPS'] },
    { hourlyRate: '50.0000', vatRate: '12.00' },
  ),
  deal(
    { dealId: 'APP-1006', customerId: 'CUST-UZ-03', title: 'Harvest analytics dashboards', contractNumber: 'FAI-2025/058', contractDate: '2025-12-01', dealType: 'time_and_materials', currency: 'USD', projectKeys: ['FAI'], tempoAccounts: [] },
    { hourlyRate: '40.0000', amountLimit: '8000.00', limitMode: 'warn', minBillableMinutes: 30, roundingIncrementMinutes: 30, vatRate: '12.00', paymentTermsDays: 30 },
  ),
  deal(
    { dealId: 'APP-1007', customerId: 'CUST-UZ-03', title: 'Helpdesk retainer', contractNumber: 'FAI-2026/002', contractDate: '2026-01-05', dealType: 'retainer', currency: 'UZS', projectKeys: [], tempoAccounts: ['FAI-SUP'] },
    { monthlyFee: '30000000.00', includedHours: '50.00', overageRate: '700000.0000', vatRate: '12.00' },
  ),
  deal(
    { dealId: 'APP-1008', customerId: 'CUST-UZ-04', title: 'ERP integration retainer', contractNumber: 'BTG-2025/090', contractDate: '2025-10-20', dealType: 'retainer', currency: 'USD', projectKeys: ['BTG'], tempoAccounts: [] },
    { monthlyFee: '6000.00', includedHours: '120.00', overageRate: '55.0000', vatRate: '12.00' },
  ),
  deal(
    { dealId: 'APP-1009', customerId: 'CUST-UZ-04', title: 'Web shop (all hours billable)', contractNumber: 'BTG-2026/011', contractDate: '2026-02-14', dealType: 'time_and_materials', currency: 'EUR', projectKeys: ['BTGW'], tempoAccounts: [] },
    { hourlyRate: '38.0000', billNonBillable: true, vatRate: '12.00' },
  ),
  deal(
    { dealId: 'APP-1010', customerId: 'CUST-UZ-05', title: 'Metering platform hosting', contractNumber: 'XET-2025/044', contractDate: '2025-08-01', dealType: 'fixed_monthly', currency: 'UZS', projectKeys: ['XET'], tempoAccounts: [] },
    { monthlyFee: '25000000.00' },
  ),
  deal(
    { dealId: 'APP-1011', customerId: 'CUST-UZ-05', title: 'Billing module changes', contractNumber: 'XET-2026/013', contractDate: '2026-03-02', dealType: 'time_and_materials', currency: 'UZS', projectKeys: ['XETA'], tempoAccounts: [] },
    { hourlyRate: '350000.0000', hoursLimit: '80.00', limitMode: 'warn', minBillableMinutes: 5, roundingIncrementMinutes: 5, vatRate: '12.00' },
  ),
  deal(
    { dealId: 'APP-1012', customerId: 'CUST-UZ-05', title: 'Field support', contractNumber: 'XET-2026/021', contractDate: '2026-04-18', dealType: 'time_and_materials', currency: 'UZS', projectKeys: [], tempoAccounts: ['XET-SUP'] },
    { hourlyRate: '420000.0000', minBillableMinutes: 60, roundingIncrementMinutes: 30, vatRate: '12.00' },
  ),
  deal(
    { dealId: 'APP-1013', customerId: 'CUST-DE-01', title: 'Mobile app development', contractNumber: 'NORD-2025-07', contractDate: '2025-07-07', dealType: 'time_and_materials', currency: 'EUR', projectKeys: ['NORD'], tempoAccounts: [] },
    { hourlyRate: '65.0000', vatRate: '0.00', paymentTermsDays: 30 },
  ),
  deal(
    { dealId: 'APP-1014', customerId: 'CUST-DE-01', title: 'Mobile app maintenance retainer', contractNumber: 'NORD-2026-02', contractDate: '2026-02-01', dealType: 'retainer', currency: 'EUR', projectKeys: ['NORDR'], tempoAccounts: ['NORD-RET'] },
    { monthlyFee: '9000.00', includedHours: '140.00', overageRate: '70.0000', vatRate: '0.00', paymentTermsDays: 30 },
  ),
  deal(
    { dealId: 'APP-1015', customerId: 'CUST-US-01', title: 'Data pipeline engineering', contractNumber: 'BRA-MSA-2025-3', contractDate: '2025-06-30', dealType: 'time_and_materials', currency: 'USD', projectKeys: ['BRA'], tempoAccounts: [] },
    { hourlyRate: '70.0000', amountLimit: '15000.00', limitMode: 'cap', vatRate: '0.00', paymentTermsDays: 30 },
  ),
  deal(
    { dealId: 'APP-1016', customerId: 'CUST-US-01', title: 'Platform operations', contractNumber: 'BRA-MSA-2026-1', contractDate: '2026-01-02', dealType: 'fixed_monthly', currency: 'USD', projectKeys: ['BRAP'], tempoAccounts: [] },
    { monthlyFee: '12000.00', vatRate: '0.00', paymentTermsDays: 30 },
  ),
  deal(
    { dealId: 'APP-1017', customerId: 'CUST-US-01', title: 'Experimentation platform', contractNumber: 'BRA-MSA-2026-4', contractDate: '2026-04-01', dealType: 'time_and_materials', currency: 'USD', projectKeys: ['BRAX'], tempoAccounts: [] },
    { hourlyRate: '75.0000', vatRate: '0.00', paymentTermsDays: 30 },
  ),
  deal(
    { dealId: 'APP-1018', customerId: 'CUST-GB-01', title: 'Reporting API', contractNumber: 'TDL/2025/118', contractDate: '2025-11-17', dealType: 'time_and_materials', currency: 'USD', projectKeys: ['TDL'], tempoAccounts: [] },
    { hourlyRate: '60.0000', vatRate: '0.00', paymentTermsDays: 30 },
  ),
  deal(
    { dealId: 'APP-1019', customerId: 'CUST-GB-01', title: 'Data migration (capped)', contractNumber: 'TDL/2026/023', contractDate: '2026-05-04', dealType: 'time_and_materials', currency: 'EUR', projectKeys: ['TDLE'], tempoAccounts: [] },
    { hourlyRate: '55.0000', hoursLimit: '100.00', amountLimit: '5000.00', limitMode: 'cap', vatRate: '0.00', paymentTermsDays: 30 },
  ),
  deal(
    { dealId: 'APP-1020', customerId: 'CUST-UZ-01', title: 'Legacy portal (closed)', contractNumber: 'TRY-2024/077', contractDate: '2024-09-09', dealType: 'time_and_materials', currency: 'USD', projectKeys: ['TRYOLD'], tempoAccounts: [] },
    { hourlyRate: '40.0000', vatRate: '12.00', status: 'closed' },
  ),
]

/** Older field values of deals that have a second version in CDM. */
export const DEAL_FIRST_VERSIONS: Readonly<Record<string, Partial<CatalogDeal>>> = {
  'APP-1017': { hourlyRate: '65.0000' },
}

/** A deal whose latest CDM version is a delete; its Jira project still receives worklogs. */
export const DELETED_DEAL: CatalogDeal = deal(
  { dealId: 'APP-1021', customerId: 'CUST-UZ-03', title: 'Irrigation sensors pilot', contractNumber: 'FAI-2026/009', contractDate: '2026-03-20', dealType: 'time_and_materials', currency: 'UZS', projectKeys: ['FAIX'], tempoAccounts: [] },
  { hourlyRate: '300000.0000', vatRate: '12.00' },
)

/** A Jira project where several customers' support work is told apart by Tempo account only. */
export const SHARED_PROJECT = 'SUP'
/** An internal project that belongs to no deal: its worklogs must never be billed. */
export const INTERNAL_PROJECT = 'INT'
/** A Tempo account used by no deal. */
export const UNBILLED_ACCOUNT = 'GEN-DEV'

/** Every Jira project the generator fills, in a fixed order (the index fixes the issue id range). */
export const CATALOG_PROJECTS: readonly string[] = [
  ...[...CATALOG_DEALS, DELETED_DEAL].flatMap((d) => d.projectKeys),
  SHARED_PROJECT,
  INTERNAL_PROJECT,
]

/** Relative share of the worklog volume per deal (the rest of the catalog's realism). */
export const DEAL_WORKLOG_WEIGHTS: Readonly<Record<string, number>> = {
  'APP-1001': 3, 'APP-1002': 2, 'APP-1003': 2, 'APP-1004': 1, 'APP-1005': 1.5, 'APP-1006': 1, 'APP-1007': 1,
  'APP-1008': 1.5, 'APP-1009': 1, 'APP-1010': 0.8, 'APP-1011': 1, 'APP-1012': 0.6, 'APP-1013': 2, 'APP-1014': 1.2,
  'APP-1015': 1.5, 'APP-1016': 0.8, 'APP-1017': 1, 'APP-1018': 1, 'APP-1019': 1, 'APP-1020': 0.2, 'APP-1021': 0.3,
}
