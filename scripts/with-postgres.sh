#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Starts a throwaway, private PostgreSQL cluster, runs CMD with
#   RASTRO_TEST_PG=postgres://rastro@127.0.0.1:PORT/rastro_test?sslmode=disable
# exported, then stops the cluster and deletes its files, whatever happens.
# Exits with CMD's exit code.
#
# The cluster listens on 127.0.0.1 only, on a free port; its unix socket lives
# inside the (private) temp dir. Role `rastro` is a superuser; auth is trust,
# for 127.0.0.1/32 and the private socket only. fsync stays on: tests exercise
# durability. When run as root, the server runs as the `postgres` user
# (initdb/postgres refuse to run as root).
set -euo pipefail

PG_USER=rastro
PG_DB=rastro_test

log() { printf 'with-postgres: %s\n' "$*" >&2; }
die() { printf 'with-postgres: ERROR: %s\n' "$*" >&2; exit 1; }

(( $# > 0 )) || die "usage: $0 CMD [ARGS...]"

# --- locate the newest PostgreSQL server under /usr/lib/postgresql/<ver>/bin
PGBIN=""
bestver=-1
for d in /usr/lib/postgresql/*/bin; do
	[[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]] || continue
	ver=${d#/usr/lib/postgresql/}; ver=${ver%/bin}
	[[ "$ver" =~ ^[0-9]+$ ]] || continue
	if (( ver > bestver )); then bestver=$ver; PGBIN=$d; fi
done
if [[ -z "$PGBIN" ]] && command -v pg_ctl >/dev/null 2>&1; then
	PGBIN=$(dirname "$(command -v pg_ctl)")
fi
[[ -n "$PGBIN" && -x "$PGBIN/initdb" ]] \
	|| die "no PostgreSQL server found under /usr/lib/postgresql/*/bin; run scripts/ensure-tools.sh"

# --- who runs the server
if [[ $(id -u) -eq 0 ]]; then
	id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run the server as"
	RUN_AS=(runuser -u postgres --)
else
	RUN_AS=()
fi

# --- private temp dir (short path: unix socket paths are limited to ~107 bytes)
PGTMP=$(mktemp -d /tmp/rastro-pg.XXXXXX)
PGDATA_DIR=$PGTMP/data
PGSOCK=$PGTMP/sock
PGLOG=$PGTMP/server.log
mkdir -p "$PGSOCK"
if (( ${#RUN_AS[@]} > 0 )); then chown -R postgres: "$PGTMP"; fi
chmod 700 "$PGTMP" "$PGSOCK"

# Run a server-side command as the server's owner, from a dir it can read.
as_pg() { (cd "$PGTMP" && "${RUN_AS[@]}" "$@"); }

started=0
cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	if (( started )); then
		as_pg "$PGBIN/pg_ctl" stop -D "$PGDATA_DIR" -m fast -w -t 30 >/dev/null 2>&1 \
			|| as_pg "$PGBIN/pg_ctl" stop -D "$PGDATA_DIR" -m immediate -w -t 30 >/dev/null 2>&1 \
			|| log "warning: could not stop the server in $PGDATA_DIR"
	fi
	rm -rf "$PGTMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- initdb
if ! as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -U "$PG_USER" -A trust -E UTF8 --no-locale \
	>"$PGTMP/initdb.log" 2>&1; then
	cat "$PGTMP/initdb.log" >&2
	die "initdb failed"
fi

cat >>"$PGDATA_DIR/postgresql.conf" <<CONF

# --- rastro test cluster (scripts/with-postgres.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGSOCK'
unix_socket_permissions = 0700
max_connections = 200
shared_buffers = 256MB
fsync = on
synchronous_commit = on
full_page_writes = on
timezone = 'UTC'
log_timezone = 'UTC'
CONF

cat >"$PGDATA_DIR/pg_hba.conf" <<HBA
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
HBA

# --- pick a free port and start; retry on a lost race for the port
port_free() {
	local p=$1
	# Something answers on loopback -> taken.
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then return 1; fi
	# Bound by anyone on any address (0.0.0.0, ::) -> taken.
	if command -v ss >/dev/null 2>&1 && [[ -n "$(ss -Htan "sport = :$p" 2>/dev/null)" ]]; then
		return 1
	fi
	return 0
}

pick_port() {
	local start=$(( 20000 + (RANDOM * 32768 + RANDOM) % 30000 )) i p
	for (( i = 0; i < 200; i++ )); do
		p=$(( start + i ))
		if port_free "$p"; then echo "$p"; return 0; fi
	done
	return 1
}

PGPORT=""
for attempt in 1 2 3 4 5; do
	port=$(pick_port) || die "no free TCP port found on 127.0.0.1"
	if as_pg "$PGBIN/pg_ctl" start -D "$PGDATA_DIR" -l "$PGLOG" -w -t 60 -o "-p $port" >/dev/null 2>&1; then
		PGPORT=$port
		started=1
		break
	fi
	if grep -qiE 'could not bind|address already in use' "$PGLOG" 2>/dev/null; then
		log "port $port taken while starting (attempt $attempt); retrying"
		continue
	fi
	cat "$PGLOG" >&2 2>/dev/null || true
	# pg_ctl may have left a postmaster behind after a -w timeout.
	started=1
	die "PostgreSQL failed to start (log above)"
done
[[ -n "$PGPORT" ]] || { cat "$PGLOG" >&2 2>/dev/null || true; die "PostgreSQL failed to start after 5 attempts"; }

if ! "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U "$PG_USER" "$PG_DB" 2>"$PGTMP/createdb.log"; then
	cat "$PGTMP/createdb.log" >&2
	die "createdb $PG_DB failed"
fi

export RASTRO_TEST_PG="postgres://$PG_USER@127.0.0.1:$PGPORT/$PG_DB?sslmode=disable"
log "$("$PGBIN/postgres" --version) on 127.0.0.1:$PGPORT (data in $PGDATA_DIR)"
log "RASTRO_TEST_PG=$RASTRO_TEST_PG"

# --- run CMD (foreground, so it keeps the terminal and its stdin)
set +e
"$@"
rc=$?
set -e
exit "$rc"
