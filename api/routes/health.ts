import { createRoute, z } from '@hono/zod-openapi'
import { runHealthChecks } from '../health-checks.js'
import { createRouter } from '../router.js'

const CheckSchema = z.object({ status: z.enum(['ok', 'down', 'skipped', 'warn']), detail: z.string().optional() })
const HealthSchema = z
  .object({
    status: z.enum(['ok', 'down']),
    /** Names of the checks that are down. */
    down: z.array(z.string()),
    checks: z.record(z.string(), CheckSchema),
  })
  .openapi('Health')

const getHealth = createRoute({
  method: 'get',
  path: '/',
  summary: 'Health of the API and the services it needs (no authentication)',
  responses: {
    200: { description: 'Everything the API needs is up', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'A check is down; `down` names it', content: { 'application/json': { schema: HealthSchema } } },
  },
})

/** GET /health: for load balancers and on-call, so it needs no token and says which service is down. */
export const healthRouter = createRouter().openapi(getHealth, async (c) => {
  const checks = await runHealthChecks(c.var.deps.checks)
  const down = Object.entries(checks).filter(([, r]) => r.status === 'down').map(([name]) => name)
  c.header('Cache-Control', 'no-store')
  return down.length === 0 ? c.json({ status: 'ok' as const, down, checks }, 200) : c.json({ status: 'down' as const, down, checks }, 503)
})
