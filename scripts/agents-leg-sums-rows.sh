#!/usr/bin/env bash
# Usage: scripts/agents-leg-sums-rows.sh SQLITE_STORE [TENANT] [FROM] [TO]
#
# Rows read and rows returned by the engine's Relatório de Agentes leg
# sums, before and after they were added up on the shards in whole
# microseconds (store.ScanAgentLegMicros) and, with an hour filter, read
# from the hour-grain totals (rollup = 'hour_total', ClickHouse migration
# 10): a private two-shard cluster
# (scripts/with-clickhouse.sh) is synced from a copy of the store, then
# each read runs five times through clickhouse-client (FINAL, then without
# FINAL: the sync settles the partitions) with log_queries on, and
# system.query_log gives its rows read and rows returned (load-free
# evidence; --time figures are printed too). Reads: hours 08–12 (old: the
# hourly rollup rows per media and service, rollup = 'hour') and WhatsApp (the day rows per
# media and service, rollup = 'legs'), both over the period. "old_*" return
# every rollup row in the store's index order (Go added them up); "new_*"
# group per agent on the shards. Run from the repository root after
# `make build`.
set -euo pipefail
source "$(dirname "$(realpath "$0")")/lib/rows-read.sh"
rows_read_setup "$0" 2026-10-30 "$@"
W="tenant = '$TENANT' AND deleted = 0 AND agent_id != '' AND day >= '$FROM' AND day <= '$TO'"
HOURS="rollup = 'hour' AND hour >= '08' AND hour <= '12'"
HOURS_TOTAL="rollup = 'hour_total' AND hour >= '08' AND hour <= '12'"
WA="rollup = 'legs' AND media IN ('whatsapp')"
OLD="SELECT agent_id, completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n, tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n FROM rastro_test.agent_days"
us() { echo "toInt64(sum(toInt64(floor($1 * 1000000 + 0.5))))"; }
NEW_IN="SELECT agent_id AS a, toInt64(sum(completed)) AS c, toInt64(sum(transferred)) AS t, toInt64(sum(other)) AS o, $(us dur_sum) AS ds, toInt64(sum(dur_n)) AS dn, $(us tm1r_sum) AS s1, toInt64(sum(tm1r_n)) AS n1, $(us tmr_sum) AS sr, toInt64(sum(tmr_n)) AS nr, $(us tmp_sum) AS sp, toInt64(sum(tmp_n)) AS np, $(us tmi_sum) AS si, toInt64(sum(tmi_n)) AS ni FROM rastro_test.agent_days"
NEW_OUT="SELECT a, sum(c), sum(t), sum(o), sum(ds), sum(dn), sum(s1), sum(n1), sum(sr), sum(nr), sum(sp), sum(np), sum(si), sum(ni) FROM"
measure() { # TAG FINAL
	local tag=$1 final=$2 name
	declare -A Q
	Q[old_hours]="$OLD $final WHERE $W AND $HOURS ORDER BY agent_id, media, hour, day, service_id"
	Q[new_hours]="$NEW_OUT ($NEW_IN $final WHERE $W AND $HOURS_TOTAL GROUP BY a) GROUP BY a ORDER BY a"
	Q[old_whatsapp]="$OLD $final WHERE $W AND $WA ORDER BY agent_id, media, hour, day, service_id"
	Q[new_whatsapp]="$NEW_OUT ($NEW_IN $final WHERE $W AND $WA GROUP BY a) GROUP BY a ORDER BY a"
	for name in old_hours new_hours old_whatsapp new_whatsapp; do
		local extra=()
		case $name in new_*) extra=(--distributed_group_by_no_merge=1);; esac
		rows_read_query "$tag" "$name" "${extra[@]}"
	done
}
rows_read_run measure
