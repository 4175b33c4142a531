import { z } from 'zod'
import { SOURCE_ERROR_TYPES, SourceError } from './errors.js'

/** A decimal as ClickHouse prints it with output_format_json_quote_decimals (never a JS number). */
export const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string')

/** A UInt64 as ClickHouse prints it with output_format_json_quote_64bit_integers. */
export const uint64String = z.string().regex(/^\d+$/, 'must be an unsigned integer string')

/** Validates one synced row; a mismatch means the sync changed shape, which retrying cannot fix. */
export function parseRow<T>(schema: z.ZodType<T>, row: unknown, what: string): T {
  const parsed = schema.safeParse(row)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
  throw new SourceError(SOURCE_ERROR_TYPES.invalidRow, `${what}: ${problems}`)
}
