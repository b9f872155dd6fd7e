#!/usr/bin/env bash
# Install what the test suite needs, when it is missing. Idempotent and
# non-interactive: apt-get update runs only if something has to be installed.
#   - PostgreSQL server (Debian package `postgresql`), used by scripts/with-postgres.sh
#   - Chromium (Debian package `chromium`), used by browser tests via RASTRO_CHROMIUM
#   - fonts-liberation, so headless screenshots render text the same everywhere
#   - ClickHouse server and client (Debian packages `clickhouse-server`,
#     `clickhouse-client`), used by scripts/with-clickhouse.sh
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

log() { printf 'ensure-tools: %s\n' "$*"; }
die() { printf 'ensure-tools: ERROR: %s\n' "$*" >&2; exit 1; }

# Newest PostgreSQL server bin dir under /usr/lib/postgresql/<ver>/bin, or "".
pg_bindir() {
	local d best="" bestver=-1 ver
	for d in /usr/lib/postgresql/*/bin; do
		[[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]] || continue
		ver=${d#/usr/lib/postgresql/}; ver=${ver%/bin}
		[[ "$ver" =~ ^[0-9]+$ ]] || continue
		if (( ver > bestver )); then bestver=$ver; best=$d; fi
	done
	printf '%s' "$best"
}

chromium_bin() {
	if [[ -x /usr/lib/chromium/chromium ]]; then
		printf '%s' /usr/lib/chromium/chromium
	fi
}

pkg_installed() {
	[[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

missing=()
[[ -n "$(pg_bindir)" ]] && command -v psql >/dev/null 2>&1 || missing+=(postgresql)
[[ -n "$(chromium_bin)" && -x /usr/bin/chromium ]] || missing+=(chromium)
# Chromium only "recommends" fonts; screenshots need a stable font set.
pkg_installed fonts-liberation || missing+=(fonts-liberation)
[[ -x /usr/sbin/clickhouse-server ]] || command -v clickhouse-server >/dev/null 2>&1 || missing+=(clickhouse-server)
command -v clickhouse-client >/dev/null 2>&1 || missing+=(clickhouse-client)

if (( ${#missing[@]} > 0 )); then
	log "missing: ${missing[*]}; installing with apt-get"
	if [[ $(id -u) -ne 0 ]]; then
		if command -v sudo >/dev/null 2>&1; then
			SUDO=(sudo -n)
		else
			die "need root (or passwordless sudo) to install: ${missing[*]}"
		fi
	else
		SUDO=()
	fi
	start=$SECONDS
	"${SUDO[@]}" apt-get update -qq </dev/null \
		|| die "apt-get update failed; cannot install ${missing[*]}"
	"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null \
		|| die "apt-get install ${missing[*]} failed"
	log "installed ${missing[*]} in $((SECONDS - start))s"
fi

# Verify and report.
pgbin=$(pg_bindir)
[[ -n "$pgbin" ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin after install"
command -v psql >/dev/null 2>&1 || die "psql not found on PATH after install"
chrome=$(chromium_bin)
[[ -n "$chrome" ]] || die "/usr/lib/chromium/chromium not found after install"

log "postgres: $("$pgbin/postgres" --version) ($pgbin)"
log "psql:     $(psql --version)"
log "chromium: $("$chrome" --version 2>/dev/null | head -n1) ($chrome)"
command -v clickhouse-client >/dev/null 2>&1 || die "clickhouse-client not found on PATH after install"
[[ -x /usr/sbin/clickhouse-server ]] || command -v clickhouse-server >/dev/null 2>&1 \
	|| die "clickhouse-server not found after install"
log "clickhouse: $(clickhouse-client --version 2>/dev/null | head -n1)"
