import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Test helper: reads a PDF the way a person would, through poppler's `pdftotext -layout` and
 * `pdfinfo`. No-break spaces become plain spaces so expectations can be written naturally.
 * Not used by product code.
 */
export async function readPdf(pdf: Uint8Array): Promise<{
  pages: number
  info: string
  /** `-layout` by default (columns kept apart on each line); `layout: false` gives reading order, for wrapped sentences. */
  text: (options?: { first?: number; last?: number; layout?: boolean }) => Promise<string>
  /** The fonts in the PDF (`pdffonts`): name and type, e.g. "AAAAAA+NotoSans-Regular", "CID TrueType". */
  fonts: () => Promise<{ name: string; type: string }[]>
  dispose: () => Promise<void>
}> {
  const dir = await mkdtemp(join(tmpdir(), 'invoice-pdf-'))
  const file = join(dir, 'invoice.pdf')
  await writeFile(file, pdf)
  const { stdout: info } = await run('pdfinfo', [file])
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1] ?? Number.NaN)
  return {
    pages,
    info,
    text: async (options = {}) => {
      const args = options.layout === false ? ['-enc', 'UTF-8'] : ['-layout', '-enc', 'UTF-8']
      if (options.first !== undefined) args.push('-f', String(options.first))
      if (options.last !== undefined) args.push('-l', String(options.last))
      const { stdout } = await run('pdftotext', [...args, file, '-'], { maxBuffer: 64 * 1024 * 1024 })
      return stdout.replace(/[\u00a0\u202f]/g, ' ')
    },
    fonts: async () => {
      const { stdout } = await run('pdffonts', [file])
      // Columns: name (or "[none]"), type (may contain a space), encoding, emb, sub, uni, object, generation.
      return stdout
        .split('\n')
        .slice(2)
        .filter(Boolean)
        .map((line) => {
          const [name, ...rest] = line.trim().split(/\s+/)
          return { name: name!, type: rest.slice(0, rest.length - 6).join(' ') }
        })
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  }
}

/** Collapses runs of whitespace, for sentences that may wrap across lines in the PDF. */
export function squeezeSpaces(text: string): string {
  return text.replace(/\s+/g, ' ')
}
