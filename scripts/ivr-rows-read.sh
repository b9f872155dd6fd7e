#!/usr/bin/env bash
# Usage: scripts/ivr-rows-read.sh SQLITE_STORE [TENANT] [FROM] [TO]
#
# Rows read by the Relatório IVR month reads in ClickHouse, before and
# after the IVR rollups (migration 8): a private two-shard cluster
# (scripts/with-clickhouse.sh) is synced from a copy of the store, then each
# read runs three times through clickhouse-client (FINAL, then without
# FINAL: the sync settles the partitions) with log_queries on, and
# system.query_log gives its rows read (load-free evidence; the --time
# figures are printed too). A report grouped by X runs groups_X, paths_X
# and paths_all (the totals row's paths). "old_*" are the reads of ivr.go
# before migration 8 (ivr_visits, grouped per rollup key first), "new_*"
# those of ivr.go now (ivr_rollups). Each answer is printed as an md5: the
# paths' are equal; the groups' differ in the last bits of their float sums
# (added in another order), which the report's rounding hides (the
# byte-identical tests of internal/analytics compare the printed report).
# Run from the repository root after `make build`.
set -euo pipefail
(( $# >= 1 )) || { echo "usage: $0 SQLITE_STORE [TENANT] [FROM] [TO]" >&2; exit 2; }
cd "$(dirname "$0")/.."
if [[ -z ${RASTRO_TEST_CLICKHOUSE:-} ]]; then
	[[ -x bin/rastro ]] || { echo "$0: run make build first" >&2; exit 2; }
	STORE=$(realpath "$1")
	export RASTRO_CH_TMPDIR=${RASTRO_CH_TMPDIR:-$(dirname "$STORE")}
	exec scripts/with-clickhouse.sh "$0" "$STORE" "${@:2}"
fi
STORE=$1 TENANT=${2:-demo} FROM=${3:-2026-10-01} TO=${4:-2026-10-30}
WORK=$(mktemp -d "${RASTRO_CH_TMPDIR:-/tmp}/ivr-rows.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
P1=$(echo "$RASTRO_TEST_CLICKHOUSE" | sed -E 's#clickhouse://[^:]+:([0-9]+),.*#\1#')
./bin/rastro backup --db "$STORE" "$WORK/store.db"
./bin/rastro analytics sync --db "$WORK/store.db" --analytics "$RASTRO_TEST_CLICKHOUSE"

W="tenant = '$TENANT' AND deleted = 0 AND bucket >= '$FROM 00' AND bucket <= '$TO 23'"
declare -A KEY=([ivr]=ivr_id [service]=service_id [agent]=agent_id [hour]="substring(bucket, 12, 2)" [day]="substring(bucket, 1, 10)" [all]="''")
measure() { # TAG FINAL
	local tag=$1 final=$2 by name i
	declare -A Q
	for by in ivr service agent hour day; do
		local gk=${KEY[$by]}
		gk=${gk//ivr_id/g_ivr_id}; gk=${gk//service_id/g_service_id}; gk=${gk//agent_id/g_agent_id}; gk=${gk//bucket/g_bucket}
		Q[old_groups_$by]="SELECT $gk AS k, toInt64(sum(x_received)), toInt64(sum(x_finished)), toInt64(sum(x_transferred)),
			toInt64(sum(x_abandoned)), toInt64(sum(x_answered)), toInt64(sum(x_abandoned_q)),
			sum(x_ivr), sum(x_wait), toInt64(sum(x_wait_n)), sum(x_talk), toInt64(sum(x_talk_n)), toInt64(sum(x_sl))
			FROM (SELECT bucket AS g_bucket, ivr_id AS g_ivr_id, service_id AS g_service_id, agent_id AS g_agent_id,
				count() AS x_received, sum(outcome = 'finished') AS x_finished, sum(outcome = 'transferred') AS x_transferred,
				sum(outcome = 'abandoned') AS x_abandoned, sum(answered) AS x_answered, sum(abandoned_q) AS x_abandoned_q,
				sum(ivr_s) AS x_ivr, sum(ifNull(wait_s, 0)) AS x_wait, count(wait_s) AS x_wait_n,
				sum(ifNull(talk_s, 0)) AS x_talk, count(talk_s) AS x_talk_n, sum(sl) AS x_sl
				FROM rastro_test.ivr_visits $final WHERE $W GROUP BY g_bucket, g_ivr_id, g_service_id, g_agent_id)
			GROUP BY k ORDER BY k"
		Q[new_groups_$by]="SELECT ${KEY[$by]} AS k,
			toInt64(sum(received)), toInt64(sum(finished)), toInt64(sum(transferred)),
			toInt64(sum(abandoned)), toInt64(sum(answered)), toInt64(sum(abandoned_q)),
			sum(ivr_sum), sum(wait_sum), toInt64(sum(wait_n)), sum(talk_sum), toInt64(sum(talk_n)), toInt64(sum(sl_n))
			FROM rastro_test.ivr_rollups $final WHERE $W AND rollup = 'ivr' GROUP BY k ORDER BY k"
	done
	for by in ivr service agent hour day all; do
		Q[old_paths_$by]="SELECT k, p, toInt64(c) FROM (SELECT ${KEY[$by]} AS k, path AS p, count() AS c
			FROM rastro_test.ivr_visits $final WHERE $W AND path != '' GROUP BY k, p) ORDER BY k, c DESC, p LIMIT 5 BY k"
		Q[new_paths_$by]="SELECT k, p, toInt64(c) FROM (SELECT ${KEY[$by]} AS k, path AS p, sum(n) AS c
			FROM rastro_test.ivr_rollups $final WHERE $W AND rollup = 'paths' AND path != '' GROUP BY k, p) ORDER BY k, c DESC, p LIMIT 5 BY k"
	done
	for name in $(printf '%s\n' "${!Q[@]}" | sort -t_ -k2,3 -k1,1); do
		for i in 1 2 3; do
			clickhouse-client --port "$P1" --log_queries=1 --query_id "$tag-$name-$i" --time --query "${Q[$name]}" > "$WORK/out" 2>> "$WORK/time-$tag-$name"
		done
		echo "$name: $(wc -l < "$WORK/out") rows out, md5 $(md5sum < "$WORK/out" | cut -c1-8), seconds $(tr '\n' ' ' < "$WORK/time-$tag-$name")"
	done
	clickhouse-client --port "$P1" --query "SYSTEM FLUSH LOGS"
	echo "rows read (initiator: its shard + the other shard reported):"
	clickhouse-client --port "$P1" --query "SELECT replaceRegexpOne(query_id, '-[0-9]+\$', '') AS q, min(read_rows), max(read_rows), median(query_duration_ms)
		FROM system.query_log WHERE type = 2 AND is_initial_query AND query_id LIKE '$tag-%' GROUP BY q ORDER BY q FORMAT PrettyCompactNoEscapes"
}
# (rollup is a keyword on 18.16 outside a comparison: counted with countIf.)
echo "source rows: IVR visits, ivr_rollup rows, ivr_path_rollup rows: $(clickhouse-client --port "$P1" --query "SELECT count() FROM rastro_test.ivr_visits FINAL WHERE $W"),\
 $(clickhouse-client --port "$P1" --query "SELECT countIf(rollup = 'ivr'), countIf(rollup = 'paths') FROM rastro_test.ivr_rollups FINAL WHERE $W" | tr '\t' ',')"
echo "=== FINAL (load $(cut -d' ' -f1-3 /proc/loadavg))"; measure f FINAL
echo "=== settled, without FINAL (load $(cut -d' ' -f1-3 /proc/loadavg))"; measure s ""
