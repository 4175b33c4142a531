import { html } from 'hono/html'
import { page, words, type Frame, type Html } from './layout.js'

export function loginPage(frame: Frame, problem: string | null): Html {
  const t = words(frame)
  return page(
    frame,
    t.signIn,
    html`<h1>${t.signIn}</h1>${problem ? html`<p class="flash bad" role="alert">${problem}</p>` : ''}
<form method="post" action="/app/login"><label>${t.token} <input type="password" name="token" autocomplete="current-password" required></label> <button>${t.signIn}</button></form>`,
  )
}
