#!/usr/bin/env bash
# Usage: scripts/agents-rows-read.sh SQLITE_STORE [TENANT] [FROM] [TO]
#
# Rows read by the Relatório de Agentes month reads (every media, no filter)
# in ClickHouse, before and after the day rollups (migration 7): a private
# two-shard cluster (scripts/with-clickhouse.sh) is synced from a copy of
# the store, then each read runs five times through clickhouse-client
# (FINAL, then without FINAL: the sync settles the partitions) with
# log_queries on, and system.query_log gives its rows read (load-free
# evidence; the --time figures are printed too). "old_*" are the reads of
# agents.go before migration 7 (legs and agent_spans), "new_*" those of
# agent_days.go. Run from the repository root after `make build`.
set -euo pipefail
source "$(dirname "$(realpath "$0")")/lib/rows-read.sh"
rows_read_setup "$0" 2026-10-30 "$@"
D="tenant = '$TENANT' AND deleted = 0 AND agent_id != ''"
B="bucket >= '$FROM 00' AND bucket <= '$TO 23'"
DAY="day >= '$FROM' AND day <= '$TO'"
measure() { # TAG FINAL
	local tag=$1 final=$2 name
	declare -A Q
	Q[old_legs]="SELECT a, toInt64(sum(x_c)), toInt64(sum(x_t)), toInt64(sum(x_o)), sum(x_dur), toInt64(sum(x_dur_n)), sum(x_tm1r), toInt64(sum(x_tm1r_n)), sum(x_tmr), toInt64(sum(x_tmr_n)), sum(x_tmp), toInt64(sum(x_tmp_n)), sum(x_tmi), toInt64(sum(x_tmi_n)) FROM (SELECT agent_id AS a, sum(status = 'service completed') AS x_c, sum(status = 'service transferred') AS x_t, sum(status NOT IN ('service completed', 'service transferred')) AS x_o, sum(ifNull(duration, 0)) AS x_dur, count(duration) AS x_dur_n, sum(ifNull(tm1r, 0)) AS x_tm1r, count(tm1r) AS x_tm1r_n, sum(ifNull(tmr, 0)) AS x_tmr, count(tmr) AS x_tmr_n, sum(ifNull(tmp, 0)) AS x_tmp, count(tmp) AS x_tmp_n, sum(ifNull(tmi, 0)) AS x_tmi, count(tmi) AS x_tmi_n FROM rastro_test.legs $final WHERE $D AND $B GROUP BY a, substring(bucket, 1, 10)) GROUP BY a ORDER BY a"
	Q[old_tags]="SELECT a, tg, toInt64(n) FROM (SELECT agent_id AS a, arrayJoin(tags) AS tg, count() AS n FROM rastro_test.legs $final WHERE $D AND $B GROUP BY a, tg) ORDER BY a, n DESC, tg"
	Q[old_logins]="SELECT a, sum(dm) FROM (SELECT a, substring(b, 1, 10) AS d, sum(m) AS dm FROM (SELECT agent_id AS a, bucket AS b, max(seconds) AS m FROM rastro_test.agent_spans $final WHERE $D AND kind = 'login' AND $B AND $DAY GROUP BY a, b) GROUP BY a, d) GROUP BY a ORDER BY a"
	Q[old_pauses]="SELECT a, rs, sum(sec) AS t FROM (SELECT agent_id AS a, reason AS rs, substring(bucket, 1, 10) AS d, sum(seconds) AS sec FROM rastro_test.agent_spans $final WHERE $D AND kind = 'pause' AND $B AND $DAY GROUP BY a, rs, d) GROUP BY a, rs ORDER BY a, t DESC, rs"
	Q[new_legs]="SELECT agent_id, completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n, tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n FROM rastro_test.agent_days $final WHERE $D AND rollup = 'total' AND $DAY ORDER BY agent_id, media, day, service_id"
	Q[new_tags]="SELECT a, tg, c FROM (SELECT agent_id AS a, tag_id AS tg, toInt64(sum(n)) AS c FROM rastro_test.agent_days $final WHERE $D AND rollup = 'tag_total' AND $DAY GROUP BY a, tg) ORDER BY a, c DESC, tg"
	Q[new_logins]="SELECT a, sum(x) FROM (SELECT agent_id AS a, day AS d, max(seconds) AS x FROM rastro_test.agent_days $final WHERE $D AND rollup = 'times' AND kind = 'login' AND scope = '*' AND reason = '' AND $DAY GROUP BY a, d) GROUP BY a ORDER BY a"
	Q[new_pauses]="SELECT a, rs, t FROM (SELECT agent_id AS a, reason AS rs, sum(seconds) AS t FROM rastro_test.agent_days $final WHERE $D AND rollup = 'times' AND kind = 'pause' AND scope = '' AND $DAY GROUP BY a, rs) ORDER BY a, t DESC, rs"
	for name in old_legs old_tags old_logins old_pauses new_legs new_tags new_logins new_pauses; do
		local extra=()
		case $name in *logins|*pauses) extra=(--distributed_group_by_no_merge=1);; esac
		rows_read_query "$tag" "$name" "${extra[@]}"
	done
}
rows_read_run measure
