/** A route as Hono lists it (`app.routes`): middleware registered for every method is `ALL`. */
interface RouteEntry {
  method: string
  path: string
}

/**
 * The methods the app answers on a path, from its route table, so a known path called with
 * another method is a 405 with `Allow` rather than a 404. Built once, on first use, after every
 * router is mounted. Parameters (`:id`) match one path segment, `*` the rest.
 */
export function createAllowedMethods(routes: () => readonly RouteEntry[]): (path: string) => string[] {
  let table: { pattern: RegExp; methods: Set<string> }[] | undefined
  const build = () => {
    const byPath = new Map<string, Set<string>>()
    for (const route of routes()) {
      if (route.method === 'ALL') continue
      byPath.set(route.path, (byPath.get(route.path) ?? new Set()).add(route.method))
    }
    return [...byPath].map(([path, methods]) => ({ pattern: toPattern(path), methods }))
  }
  return (path) => {
    table ??= build()
    const methods = new Set(table.filter((entry) => entry.pattern.test(path)).flatMap((entry) => [...entry.methods]))
    return [...methods].sort()
  }
}

function toPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/')
  return new RegExp(`^${source}$`)
}
