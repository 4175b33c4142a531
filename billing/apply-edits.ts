import { AMOUNT_CAP_LINE_ID, applyAmountLimit } from './apply-amount-limit.js'
import { BillingEditError, EDIT_ERROR_CODES } from './billing-edit-error.js'
import { computeTotals } from './compute-totals.js'
import { formatMoney, formatRate, getMinorUnit, roundMoney } from './currency.js'
import { countDecimals, Dec, isDecimalString, MAX_RATE_DECIMALS } from './decimal.js'
import { WARNING_CODES } from './finding-codes.js'
import { formatQuantity, MAX_HOUR_DECIMALS } from './format-figures.js'
import type { InvoicePreview, LineUnit, ManualLineInput, PreviewEdits, PreviewLine } from './types.js'

const UNITS: readonly LineUnit[] = ['hour', 'month', 'item']
const MANUAL_LINE_ID = /^manual:(\d+)$/

/**
 * The accountant's edits at confirmation, applied to a preview: add manual lines, drop lines,
 * reword descriptions, reorder. Totals are recomputed with the prefill's rules and the amount
 * limit is enforced again, so an edited invoice obeys the same cap. Anything doubtful is refused
 * with a BillingEditError naming the field, rather than guessed; the input is not modified.
 */
export function applyEdits(preview: InvoicePreview, edits: PreviewEdits): InvoicePreview {
  if (preview.errors.length > 0) {
    throw new BillingEditError(
      EDIT_ERROR_CODES.PREVIEW_HAS_ERRORS,
      'preview.errors',
      `The preview has ${preview.errors.length} blocking errors (first: ${preview.errors[0]?.code ?? ''}); fix them and refresh before editing.`,
    )
  }
  const minorUnit = getMinorUnit(preview.currency)
  if (minorUnit === null) {
    throw new BillingEditError(EDIT_ERROR_CODES.UNKNOWN_CURRENCY, 'preview.currency', `Currency "${preview.currency}" is not in the currency table.`)
  }
  const hadAmountCap = preview.lines.some((line) => line.lineId === AMOUNT_CAP_LINE_ID)
  let lines = preview.lines.filter((line) => line.lineId !== AMOUNT_CAP_LINE_ID)

  lines = [...lines, ...buildManualLines(edits.addLines ?? [], lines, preview.currency, minorUnit)]
  const afterDrops = dropLines(lines, edits.dropLineIds ?? [], hadAmountCap)
  lines = editDescriptions(afterDrops.lines, edits.descriptions ?? [], afterDrops.dropped)
  lines = reorderLines(lines, edits.order ?? [])

  const limited = applyAmountLimit({ lines, limits: preview.limits, currency: preview.currency, minorUnit })
  const totals = computeTotals(limited.lines, new Dec(preview.vatRate), minorUnit)
  const kept = new Set(limited.lines.map((line) => line.lineId))
  const warnings = preview.warnings.filter((warning) => warning.code !== WARNING_CODES.AMOUNT_LIMIT_EXCEEDED)
  if (limited.warning !== null) warnings.push(limited.warning)
  return {
    ...preview,
    lines: limited.lines,
    issueDetails: preview.issueDetails.filter((detail) => detail.lineId === null || kept.has(detail.lineId)),
    uncappedSubtotal: totals.uncappedSubtotal,
    subtotal: totals.subtotal,
    vatAmount: totals.vatAmount,
    total: totals.total,
    warnings,
  }
}

/** Manual lines numbered after the highest manual number already present, so ids never repeat. */
function buildManualLines(inputs: readonly ManualLineInput[], existing: readonly PreviewLine[], currency: string, minorUnit: number): PreviewLine[] {
  let next = existing.reduce((highest, line) => Math.max(highest, Number(MANUAL_LINE_ID.exec(line.lineId)?.[1] ?? 0)), 0)
  return inputs.map((input, index) => {
    const field = `addLines[${index}]`
    const description = requireText(input.description, `${field}.description`, EDIT_ERROR_CODES.EMPTY_DESCRIPTION, 'a description')
    const reason = requireText(input.reason, `${field}.reason`, EDIT_ERROR_CODES.EMPTY_REASON, 'a reason')
    if (!UNITS.includes(input.unit)) {
      throw new BillingEditError(EDIT_ERROR_CODES.INVALID_UNIT, `${field}.unit`, `${field}.unit must be one of ${UNITS.join(', ')}, got "${String(input.unit)}".`)
    }
    if (!isDecimalString(input.quantity) || input.quantity.startsWith('-') || countDecimals(input.quantity) > MAX_HOUR_DECIMALS) {
      throw new BillingEditError(
        EDIT_ERROR_CODES.INVALID_QUANTITY,
        `${field}.quantity`,
        `${field}.quantity must be a non-negative decimal with at most ${MAX_HOUR_DECIMALS} decimals, got "${String(input.quantity)}".`,
      )
    }
    if (!isDecimalString(input.rate) || input.rate.startsWith('-') || countDecimals(input.rate) > MAX_RATE_DECIMALS) {
      throw new BillingEditError(
        EDIT_ERROR_CODES.INVALID_RATE,
        `${field}.rate`,
        `${field}.rate must be a non-negative decimal with at most ${MAX_RATE_DECIMALS} decimals, got "${String(input.rate)}".`,
      )
    }
    const category = input.category === undefined || input.category === null || input.category.trim() === '' ? null : input.category.trim()
    const quantity = new Dec(input.quantity)
    const rate = new Dec(input.rate)
    const amount = formatMoney(roundMoney(quantity.times(rate), minorUnit), minorUnit)
    next += 1
    return {
      lineId: `manual:${next}`,
      kind: 'manual',
      category,
      description,
      quantity: formatQuantity(quantity),
      unit: input.unit,
      rate: formatRate(rate, minorUnit),
      amount,
      explanation: `Added by hand: ${formatQuantity(quantity)} ${input.unit} x ${formatRate(rate, minorUnit)} ${currency} = ${amount} ${currency}. Reason: ${reason}`,
      rateRuleId: null,
      appliesToLineId: null,
      reason,
    } satisfies PreviewLine
  })
}

/**
 * Drops lines by id. A cap line cannot be dropped on its own (the deal's limit would be
 * exceeded), but it goes with the line it caps.
 */
function dropLines(lines: readonly PreviewLine[], lineIds: readonly string[], hadAmountCap: boolean): { lines: PreviewLine[]; dropped: Set<string> } {
  const byId = new Map(lines.map((line) => [line.lineId, line]))
  const dropped = new Set<string>()
  lineIds.forEach((lineId, index) => {
    const field = `dropLineIds[${index}]`
    if (dropped.has(lineId)) throw new BillingEditError(EDIT_ERROR_CODES.DUPLICATE_LINE, field, `${field}: line "${lineId}" is listed twice.`)
    if (lineId === AMOUNT_CAP_LINE_ID && hadAmountCap) throw lockedCapLine(field, lineId, 'cannot be dropped')
    const line = byId.get(lineId)
    if (line === undefined) throw unknownLine(field, lineId)
    if (line.kind === 'cap') throw lockedCapLine(field, lineId, 'cannot be dropped on its own; it goes with the line it caps')
    dropped.add(lineId)
  })
  for (const line of lines) if (line.appliesToLineId !== null && dropped.has(line.appliesToLineId)) dropped.add(line.lineId)
  return { lines: lines.filter((line) => !dropped.has(line.lineId)), dropped }
}

function editDescriptions(lines: readonly PreviewLine[], edits: readonly { lineId: string; description: string }[], dropped: ReadonlySet<string>): PreviewLine[] {
  const replacements = new Map<string, string>()
  const present = new Set(lines.map((line) => line.lineId))
  edits.forEach((edit, index) => {
    const field = `descriptions[${index}]`
    if (replacements.has(edit.lineId)) throw new BillingEditError(EDIT_ERROR_CODES.DUPLICATE_LINE, `${field}.lineId`, `${field}.lineId: line "${edit.lineId}" is listed twice.`)
    if (edit.lineId === AMOUNT_CAP_LINE_ID) throw lockedCapLine(`${field}.lineId`, edit.lineId, 'is recomputed after edits, so its description cannot be changed')
    if (dropped.has(edit.lineId)) {
      throw new BillingEditError(EDIT_ERROR_CODES.UNKNOWN_LINE, `${field}.lineId`, `${field}.lineId: line "${edit.lineId}" is dropped by the same edit.`)
    }
    if (!present.has(edit.lineId)) throw unknownLine(`${field}.lineId`, edit.lineId)
    replacements.set(edit.lineId, requireText(edit.description, `${field}.description`, EDIT_ERROR_CODES.EMPTY_DESCRIPTION, 'a description'))
  })
  return lines.map((line) => {
    const description = replacements.get(line.lineId)
    return description === undefined ? line : { ...line, description }
  })
}

/** Listed lines first, in the given order; the rest keep their relative order after them. */
function reorderLines(lines: readonly PreviewLine[], order: readonly string[]): PreviewLine[] {
  const byId = new Map(lines.map((line) => [line.lineId, line]))
  const listed: PreviewLine[] = []
  const seen = new Set<string>()
  order.forEach((lineId, index) => {
    const field = `order[${index}]`
    if (seen.has(lineId)) throw new BillingEditError(EDIT_ERROR_CODES.DUPLICATE_LINE, field, `${field}: line "${lineId}" is listed twice.`)
    if (lineId === AMOUNT_CAP_LINE_ID) {
      throw new BillingEditError(EDIT_ERROR_CODES.CAP_LINE_LOCKED, field, `${field}: the amount cap line is recomputed and always placed last.`)
    }
    const line = byId.get(lineId)
    if (line === undefined) throw unknownLine(field, lineId)
    seen.add(lineId)
    listed.push(line)
  })
  return [...listed, ...lines.filter((line) => !seen.has(line.lineId))]
}

function requireText(value: unknown, field: string, code: typeof EDIT_ERROR_CODES.EMPTY_DESCRIPTION | typeof EDIT_ERROR_CODES.EMPTY_REASON, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new BillingEditError(code, field, `${field} must be ${what}, not empty.`)
  return value.trim()
}

function unknownLine(field: string, lineId: string): BillingEditError {
  return new BillingEditError(EDIT_ERROR_CODES.UNKNOWN_LINE, field, `${field}: there is no line "${lineId}" in the preview.`)
}

function lockedCapLine(field: string, lineId: string, what: string): BillingEditError {
  return new BillingEditError(EDIT_ERROR_CODES.CAP_LINE_LOCKED, field, `${field}: line "${lineId}" enforces the deal's limit and ${what}.`)
}
