import nodemailer, { type NodemailerError, type SMTPSentMessageInfo, type Transporter } from 'nodemailer'
import type { Config } from '../lib/config.js'

/**
 * SMTP delivery through nodemailer (locally Mailpit). One connection per message, no pool, so a
 * failure belongs to exactly one message and says how far that message got.
 */

export type EmailTransport = Transporter<SMTPSentMessageInfo>

/** Connecting and waiting for the greeting; a silent server fails the attempt within this. */
export const SMTP_CONNECT_TIMEOUT_MS = 10_000
/** Inactivity on an open session (a PDF of a few hundred KB takes well under a second to send). */
export const SMTP_SOCKET_TIMEOUT_MS = 30_000

export type EmailTransportOptions = Pick<Config['smtp'], 'host' | 'port' | 'secure' | 'user' | 'password'>

/**
 * Creates the SMTP transport from `config.smtp`, with bounded timeouts (nodemailer's defaults
 * wait minutes) and file and URL access off, so message content can never make nodemailer read
 * a local file or fetch a URL.
 */
export function createEmailTransport(options: EmailTransportOptions): EmailTransport {
  return nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure,
    auth: options.user ? { user: options.user, pass: options.password ?? '' } : undefined,
    connectionTimeout: SMTP_CONNECT_TIMEOUT_MS,
    greetingTimeout: SMTP_CONNECT_TIMEOUT_MS,
    dnsTimeout: SMTP_CONNECT_TIMEOUT_MS,
    socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
    disableFileAccess: true,
    disableUrlAccess: true,
  })
}

export interface SmtpFailure {
  /**
   * `no`: the server did not take the message (it answered with an error, or no session was
   * ever opened). `unknown`: the connection broke while the message may already have been
   * handed over, so it may or may not have been delivered.
   */
  delivered: 'no' | 'unknown'
  /** For `no`: true when sending the same message again will be refused again (a 5xx reply, bad input). */
  permanent: boolean
  /** Code, SMTP command and server reply, for messages and records. */
  description: string
}

// Failures of opening the TCP connection (nodemailer keeps the system code in `originalCode`).
const CONNECT_ERRNOS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'])
// Timeouts that can only fire before the mail transaction starts.
const SETUP_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT'])
// Refused by nodemailer itself, before the server saw anything; the same input fails again.
const LOCAL_PERMANENT_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'EAUTH', 'ENOAUTH', 'ECONFIG', 'EREQUIRETLS'])

/**
 * Tells from a nodemailer error whether the message can have reached the server. SMTP has no
 * idempotency, so this decides whether a retry is safe. It is deliberately conservative: only
 * an error reply from the server, a refusal by nodemailer before talking to it, a failed
 * connect or a setup timeout count as "not delivered"; a socket error or timeout in an open
 * session (nodemailer reports those as ESOCKET/ETIMEDOUT/ECONNECTION on command CONN whatever
 * the stage) counts as "unknown".
 */
export function classifySmtpFailure(error: unknown): SmtpFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as NodemailerError & { originalCode?: string }
  const description = describeSmtpError(e, error)
  if (typeof e.responseCode === 'number') {
    // The server answered with an error: whatever the stage, it did not accept the message.
    return { delivered: 'no', permanent: e.permanent === true, description }
  }
  if (e.command === 'API') return { delivered: 'no', permanent: LOCAL_PERMANENT_CODES.has(e.code ?? ''), description }
  if (e.code === 'EDNS' || e.code === 'ETLS') return { delivered: 'no', permanent: false, description }
  if (e.code === 'ETIMEDOUT' && SETUP_TIMEOUTS.has(e.timeoutType ?? '')) return { delivered: 'no', permanent: false, description }
  if ((e.code === 'ESOCKET' || e.code === 'ECONNECTION') && CONNECT_ERRNOS.has(e.originalCode ?? '')) {
    return { delivered: 'no', permanent: false, description }
  }
  return { delivered: 'unknown', permanent: false, description }
}

function describeSmtpError(e: NodemailerError & { originalCode?: string }, error: unknown): string {
  const parts = [e.code, e.originalCode, e.command ? `during ${e.command}` : undefined].filter(Boolean)
  const message = error instanceof Error ? error.message : String(error)
  return parts.length > 0 ? `${parts.join(' ')}: ${message}` : message
}
