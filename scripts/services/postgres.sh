# PostgreSQL: a project-local cluster from Debian's postgresql package, bound to 127.0.0.1.
# Sourced by scripts/services.sh. Port, the owner role and its password come from
# DATABASE_OWNER_URL (the role that owns the tables and runs the migrations), the app's role and its
# password from DATABASE_URL (it owns nothing; scripts/migrate.sh grants it reads and writes); the
# databases from DATABASE_URL and TEST_DATABASE_URL.

# Where the cluster lives: .local/postgres. As root the cluster runs as the postgres user, which
# cannot enter a checkout under a private directory (/root, a mktemp dir); its files then live
# under /var/lib/postgresql, in a directory named after the checkout's path.
pg_locate() {
  PG_DIR="$LOCAL/postgres"
  if is_root && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
    PG_DIR="/var/lib/postgresql/invoicing-$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)"
  fi
  PG_DATA="$PG_DIR/data"
  PG_SOCKET="$PG_DIR/run"
  PG_LOG="$PG_DIR/server.log"
}

pg_parse_url() { # url -> sets U P H PORT DB
  [[ "$1" =~ ^postgres(ql)?://([^:@/]+):([^@/]*)@([^:/]+):([0-9]+)/([^?]+) ]] \
    || die "DATABASE_URL must look like postgresql://user:password@host:port/db"
  U="${BASH_REMATCH[2]}"; P="${BASH_REMATCH[3]}"; H="${BASH_REMATCH[4]}"; PORT="${BASH_REMATCH[5]}"; DB="${BASH_REMATCH[6]}"
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$dir" ]; then apt_install postgresql; dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); fi
  printf '%s' "$dir"
}

# PostgreSQL refuses to run as root: as root the cluster belongs to the postgres user.
pg_as_owner() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_psql() { pg_as_owner "$(pg_bin)/psql" -h "$PG_SOCKET" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

pg_running() { pg_locate; pg_parse_url "$DATABASE_URL"; [ -f "$PG_DATA/postmaster.pid" ] && pg_as_owner "$(pg_bin)/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

postgres_up() {
  pg_parse_url "$DATABASE_URL"
  local bin; bin=$(pg_bin)
  pg_locate
  mkdir -p "$PG_DIR" "$PG_SOCKET"
  if is_root; then chown postgres:postgres "$PG_DIR" "$PG_SOCKET"; fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "postgres: initdb in ${PG_DATA#"$ROOT"/}"
    pg_as_owner "$bin/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if pg_running; then
    log "postgres: already running on 127.0.0.1:$PORT"
  else
    log "postgres: starting on 127.0.0.1:$PORT"
    pg_as_owner "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PG_SOCKET -c fsync=on" start >/dev/null \
      || { tail -n 20 "$PG_LOG" >&2; die "postgres did not start"; }
  fi
  # Roles and databases, idempotently, with the passwords in the URLs. The owner may create
  # databases (the tests clone one per file); the app's role may only log in.
  local url owners=" "
  for url in "$DATABASE_OWNER_URL" "${TEST_DATABASE_OWNER_URL:-}"; do
    [ -n "$url" ] || continue
    pg_parse_url "$url"; pg_ensure_role "$U" "$P" "LOGIN CREATEDB"; owners+="$U "
    if [ -z "$(pg_psql -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
      log "postgres: creating database $DB"
      pg_psql -d postgres -c "CREATE DATABASE \"$DB\" OWNER \"$U\""
    fi
  done
  for url in "$DATABASE_URL" "${TEST_DATABASE_URL:-}"; do
    [ -n "$url" ] || continue
    pg_parse_url "$url"
    # Without owner URLs (derived in lib.sh) the app's URL is the owner's: no second role.
    [[ "$owners" == *" $U "* ]] || pg_ensure_role "$U" "$P" "LOGIN NOCREATEDB NOCREATEROLE NOSUPERUSER"
  done
  pg_parse_url "$DATABASE_URL"
}

# Creates the role when missing, sets its password and attributes (both idempotent).
pg_ensure_role() { # name password attributes
  pg_psql -d postgres <<SQL
SELECT format('CREATE ROLE %I', '$1') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$1') \gexec
ALTER ROLE "$1" $3 PASSWORD '$2';
SQL
}

postgres_down() {
  if pg_running; then
    log "postgres: stopping"
    pg_as_owner "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  else
    log "postgres: not running"
  fi
}

postgres_status() {
  pg_parse_url "$DATABASE_URL"
  if pg_running; then echo "postgres  running  127.0.0.1:$PORT  data ${PG_DATA#"$ROOT"/}"; else echo "postgres  stopped"; fi
}
