import type { LogLevel, LogMetadata, Logger } from '@temporalio/common'
import { DefaultLogger, type LogEntry } from '@temporalio/worker'
import type { Config } from './config.js'

/**
 * Structured logs: one JSON object per line in production, a readable line in development.
 * The worker installs this logger in the Temporal Runtime, so workflow and activity logs
 * (which carry workflowId, runId and activity metadata) and our own logs share one format.
 */
export function createLogger(options: Config['log'], write: (line: string) => void = writeStderr): Logger {
  const format = options.format === 'json' ? formatJson : formatPretty
  return new DefaultLogger(options.level as LogLevel, (entry) => write(format(entry)))
}

function writeStderr(line: string): void {
  process.stderr.write(`${line}\n`)
}

function formatJson(entry: LogEntry): string {
  return JSON.stringify({
    time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level.toLowerCase(),
    msg: entry.message,
    ...serializeMeta(entry.meta),
  })
}

function formatPretty(entry: LogEntry): string {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString().slice(11, 23)
  const meta = serializeMeta(entry.meta)
  // The ids operators search by go first.
  const { workflowId, invoiceId, activityType, workflowType, ...rest } = meta
  const ids = [workflowType ?? activityType, workflowId, invoiceId].filter(Boolean).join(' ')
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : ''
  return `${time} ${entry.level.padEnd(5)} ${ids ? `[${ids}] ` : ''}${entry.message}${extra}`
}

function serializeMeta(meta: LogMetadata | undefined): Record<string, unknown> {
  if (!meta) return {}
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(meta)) {
    if (key === 'sdkComponent' || key === 'taskQueue' || key === 'namespace') continue
    out[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value
  }
  return out
}
