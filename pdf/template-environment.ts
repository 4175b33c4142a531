import { fileURLToPath } from 'node:url'
import nunjucks from 'nunjucks'

/** The folder of the nunjucks templates (`templates/` at the project root). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url))

let environment: nunjucks.Environment | undefined

/**
 * The one nunjucks environment of the PDF templates, created on first use and cached with its
 * compiled templates. Autoescape is on, so customer data (summaries, names) always prints as
 * text; an undefined variable is an error rather than an empty cell on a sent invoice.
 */
export function getTemplateEnvironment(): nunjucks.Environment {
  environment ??= new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATES_DIR), {
    autoescape: true,
    throwOnUndefined: true,
    trimBlocks: true,
    lstripBlocks: true,
  })
  return environment
}
