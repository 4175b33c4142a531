import type { DidoxCompanyInfo } from '../clients/didox.js'
import type { EsfParty } from './build-esf.js'

/** The legal details both our customers (CDM) and the seller (settings) carry. */
export interface PartyDetails {
  tin: string | null
  name: string
  legalName: string
  bankAccount: string
  mfo: string
  address: string
  director: string
  accountant: string
  vatRegCode: string
}

/**
 * One side of the ESF: our own records first (they are what the PDF shows), the tax service's
 * registry (Didox `utils/info`) for what they leave blank, and the VAT registration status,
 * which only the registry knows.
 */
export function buildEsfParty(details: PartyDetails, info: DidoxCompanyInfo | null): EsfParty {
  const pick = (ours: string, theirs: string | undefined): string => (ours.trim() !== '' ? ours.trim() : (theirs ?? '').trim())
  return {
    tin: pick(details.tin ?? '', info?.tin),
    name: pick(details.legalName, pick(details.name, info?.fullName)),
    account: pick(details.bankAccount, info?.account),
    bankId: pick(details.mfo, info?.mfo),
    address: pick(details.address, info?.address),
    director: pick(details.director, info?.director),
    accountant: pick(details.accountant, info?.accountant),
    vatRegCode: pick(details.vatRegCode, info?.vatRegCode),
    vatRegStatus: info?.vatRegStatus ?? null,
    branchCode: '',
    branchName: '',
  }
}
