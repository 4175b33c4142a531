/**
 * A plain HTML index of the routes, generated from the OpenAPI document so it cannot drift;
 * no scripts or CDNs, so it works offline. Full detail is in /openapi.json.
 */
export function renderDocsPage(document: { info: { title: string; version: string }; paths?: object }): string {
  const rows: string[] = []
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations as Record<string, unknown>)) {
      const op = operation as { summary?: string; 'x-roles'?: string[] }
      const roles = op['x-roles'] ? op['x-roles'].join(', ') : 'none (public)'
      rows.push(`<tr><td><code>${escapeHtml(method.toUpperCase())}</code></td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(roles)}</td><td>${escapeHtml(op.summary ?? '')}</td></tr>`)
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(document.info.title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}</style></head>
<body><h1>${escapeHtml(document.info.title)} ${escapeHtml(document.info.version)}</h1>
<p>Machine-readable description: <a href="/openapi.json">/openapi.json</a>. Send <code>Authorization: Bearer &lt;token&gt;</code>; errors are <code>{ code, message, requestId }</code>.</p>
<table><thead><tr><th>method</th><th>path</th><th>roles</th><th>what</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></body></html>`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}
