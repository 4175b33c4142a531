import pg from 'pg'

/**
 * What the app's role may do in a database the owner role migrated: read and write rows, draw
 * from sequences, nothing else. It owns nothing, so it cannot ALTER, DROP, TRUNCATE or disable a
 * trigger, and CREATE in the schema is not granted: the tables' own triggers and constraints are
 * out of its reach. Default privileges give it the same on tables later migrations create (by
 * whoever runs them as the owner, `prisma migrate deploy` included). Idempotent; run as the owner
 * after every migration (prisma/migrate.ts), which also heals a grant someone removed.
 */
export async function grantAppRole(client: pg.Client, appRole: string): Promise<void> {
  const role = pg.escapeIdentifier(appRole)
  await client.query(`
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    GRANT USAGE ON SCHEMA public TO ${role};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role};
    REVOKE ALL ON "_prisma_migrations" FROM ${role};
    -- Written only by the settings trigger (SECURITY DEFINER): the app reads the record, never writes it.
    REVOKE INSERT, UPDATE, DELETE ON "setting_changes" FROM ${role};
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role};
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${role};
  `)
}

/** Why the app's role cannot be granted to, or null: it must exist, differ from the owner and own nothing. */
export async function appRoleProblem(client: pg.Client, appRole: string): Promise<string | null> {
  const { rows } = await client.query<{ exists: boolean; isOwner: boolean; owns: number; super: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS "exists",
            $1 = current_user AS "isOwner",
            (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = $1) AS "owns",
            COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = $1), false) AS "super"`,
    [appRole],
  )
  const r = rows[0]!
  if (!r.exists) return `role ${appRole} does not exist (bash scripts/services.sh up creates it locally; docs/decisions.md for production)`
  if (r.isOwner) return `the app connects as the owner ${appRole}: its records are protected by triggers only (set DATABASE_OWNER_URL, see .env.example)`
  if (r.super) return `role ${appRole} is a superuser: nothing is out of its reach`
  if (r.owns > 0) return `role ${appRole} owns ${r.owns} relation(s) in the schema: it must own nothing`
  return null
}
