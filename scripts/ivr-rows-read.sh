#!/usr/bin/env bash
# Usage: scripts/ivr-rows-read.sh SQLITE_STORE [TENANT] [FROM] [TO]
#
# Rows read by the Relatório IVR month reads in ClickHouse, before and
# after the IVR rollups (migration 8): a private two-shard cluster
# (scripts/with-clickhouse.sh) is synced from a copy of the store, then each
# read runs five times through clickhouse-client (FINAL, then without
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
source "$(dirname "$(realpath "$0")")/lib/rows-read.sh"
rows_read_setup "$0" 2026-10-30 "$@"

W="tenant = '$TENANT' AND deleted = 0 AND bucket >= '$FROM 00' AND bucket <= '$TO 23'"
declare -A KEY=([ivr]=ivr_id [service]=service_id [agent]=agent_id [hour]="substring(bucket, 12, 2)" [day]="substring(bucket, 1, 10)" [all]="''")
measure() { # TAG FINAL
	local tag=$1 final=$2 by name
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
		rows_read_query "$tag" "$name"
	done
}
# (rollup is a keyword on 18.16 outside a comparison: counted with countIf.)
echo "source rows: IVR visits, ivr_rollup rows, ivr_path_rollup rows: $(clickhouse-client --port "$P1" --query "SELECT count() FROM rastro_test.ivr_visits FINAL WHERE $W"),\
 $(clickhouse-client --port "$P1" --query "SELECT countIf(rollup = 'ivr'), countIf(rollup = 'paths') FROM rastro_test.ivr_rollups FINAL WHERE $W" | tr '\t' ',')"
rows_read_run measure
