#!/usr/bin/env bash
# Usage: scripts/bench-analytics.sh SQLITE_STORE [COPIES] [MIXES]
#
# The analytics benchmark of BENCHMARKS.md, in one command (run from the
# repository root after `make build`, the store made by `rastro demo --bulk`):
#   pg:  a private PostgreSQL (scripts/with-postgres.sh) gets a copy of the
#        store; `rastro bench` on PostgreSQL alone;
#   ch:  a private two-shard ClickHouse (scripts/with-clickhouse.sh, its files
#        beside the store) is synced from it (`rastro analytics sync`);
#        `rastro bench --analytics` on PostgreSQL + ClickHouse, the same month;
#   10m: `rastro bench load-analytics` (bench only) fills ClickHouse with ten
#        months ending with the synced one, COPIES copies of it per month
#        (default 1: a 1 M-leg store gives 10 M legs); the same benchmark
#        again, querying the synced month, then once more with every read
#        FINAL (--analytics-final: what settled partitions save).
# STEPS (env, default "pg ch 10m") picks steps; without pg and ch the engine
# is synced from a copy of the SQLite store (which then only answers the
# directory look-ups: the reports read ClickHouse) and no PostgreSQL starts.
# Both servers and their files are gone afterwards. Each step prints the
# time and the machine's load average.
set -euo pipefail

(( $# >= 1 )) || { echo "usage: $0 SQLITE_STORE [COPIES] [MIXES]" >&2; exit 2; }
STORE=$(realpath "$1")
COPIES=${2:-1}
MIXES=${3:-200}
STEPS=${STEPS:-pg ch 10m}
[[ -f "$STORE" ]] || { echo "$0: no store at $STORE" >&2; exit 2; }
cd "$(dirname "$0")/.."
[[ -x bin/rastro ]] || { echo "$0: run make build first" >&2; exit 2; }
export RASTRO_CH_TMPDIR=${RASTRO_CH_TMPDIR:-$(dirname "$STORE")}
export STORE COPIES MIXES STEPS

run='
set -euo pipefail
step() { printf "\n=== %s   (%s; load average %s)\n" "$1" "$(date -u +%H:%M:%S)" "$(cut -d" " -f1-3 /proc/loadavg)"; }
has() { [[ " $STEPS " == *" $1 "* ]]; }
if [[ -n "${RASTRO_TEST_PG:-}" ]]; then
	step "copy the store into PostgreSQL"
	./bin/rastro copy --from "$STORE" --to "$RASTRO_TEST_PG"
	DB=$RASTRO_TEST_PG
else
	DB=$RASTRO_CH_TMPDIR/bench-analytics-store.db
	step "copy the SQLite store (directory look-ups only) to $DB"
	rm -f "$DB" "$DB-wal" "$DB-shm"
	./bin/rastro backup --db "$STORE" "$DB"
	trap "rm -f \"$DB\" \"$DB-wal\" \"$DB-shm\"" EXIT
fi
if has pg; then
	step "PostgreSQL alone"
	./bin/rastro bench --db "$DB" --mixes "$MIXES" --only page,export,fluxo,ivr,agents,copy
fi
step "analytics sync into the two-shard ClickHouse"
./bin/rastro analytics sync --db "$DB" --analytics "$RASTRO_TEST_CLICKHOUSE"
if has ch; then
	step "PostgreSQL + ClickHouse"
	./bin/rastro bench --db "$DB" --analytics "$RASTRO_TEST_CLICKHOUSE" --mixes "$MIXES" --only page,export,fluxo,ivr,agents,chtext
fi
if has 10m; then
	step "bench load-analytics: ten months, $COPIES cop(y/ies) of the synced month each"
	./bin/rastro bench load-analytics --analytics "$RASTRO_TEST_CLICKHOUSE" --months 10 --copies "$COPIES"
	du -sh "$RASTRO_TEST_CLICKHOUSE_DIR"
	step "ClickHouse holding ten months, querying the synced one"
	./bin/rastro bench --db "$DB" --analytics "$RASTRO_TEST_CLICKHOUSE" --mixes "$MIXES" --only page,ivr,agents,fluxo,chtext
	step "the same, every read FINAL (what settled partitions save)"
	./bin/rastro bench --db "$DB" --analytics "$RASTRO_TEST_CLICKHOUSE" --analytics-final --mixes "$MIXES" --only page,ivr,agents,fluxo
fi
'
if [[ " $STEPS " == *" pg "* || " $STEPS " == *" ch "* ]]; then
	exec scripts/with-postgres.sh scripts/with-clickhouse.sh bash -c "$run"
fi
exec scripts/with-clickhouse.sh bash -c "$run"
