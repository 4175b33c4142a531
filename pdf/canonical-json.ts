/**
 * JSON with object keys sorted at every level and no whitespace, so equal data always gives
 * equal text regardless of the order its keys were written in. Refuses what JSON cannot say
 * exactly (non-finite numbers, BigInt, functions) instead of silently changing it.
 */
export function writeCanonicalJson(value: unknown): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`Cannot write ${value} as canonical JSON`)
      return JSON.stringify(value)
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => writeCanonicalJson(item)).join(',')}]`
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${writeCanonicalJson(v)}`).join(',')}}`
    }
    default:
      throw new TypeError(`Cannot write a ${typeof value} as canonical JSON`)
  }
}
