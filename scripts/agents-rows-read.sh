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
(( $# >= 1 )) || { echo "usage: $0 SQLITE_STORE [TENANT] [FROM] [TO]" >&2; exit 2; }
STORE=$(realpath "$1")
export STORE TENANT=${2:-demo} FROM=${3:-2026-10-01} TO=${4:-2026-10-30}
cd "$(dirname "$0")/.."
[[ -x bin/rastro ]] || { echo "$0: run make build first" >&2; exit 2; }
export RASTRO_CH_TMPDIR=${RASTRO_CH_TMPDIR:-$(dirname "$STORE")}
run='
set -euo pipefail
WORK=$(mktemp -d "$RASTRO_CH_TMPDIR/agents-rows.XXXXXX")
trap "rm -rf \"$WORK\"" EXIT
P1=$(echo "$RASTRO_TEST_CLICKHOUSE" | sed -E "s#clickhouse://[^:]+:([0-9]+),[^:]+:([0-9]+)/.*#\1#")
P2=$(echo "$RASTRO_TEST_CLICKHOUSE" | sed -E "s#clickhouse://[^:]+:([0-9]+),[^:]+:([0-9]+)/.*#\2#")
./bin/rastro backup --db "$STORE" "$WORK/store.db"
./bin/rastro analytics sync --db "$WORK/store.db" --analytics "$RASTRO_TEST_CLICKHOUSE"
D="tenant = '"'"'$TENANT'"'"' AND deleted = 0 AND agent_id != '"'"''"'"'"
B="bucket >= '"'"'$FROM 00'"'"' AND bucket <= '"'"'$TO 23'"'"'"
DAY="day >= '"'"'$FROM'"'"' AND day <= '"'"'$TO'"'"'"
measure() { # TAG FINAL
	local tag=$1 final=$2 name
	declare -A Q
	Q[old_legs]="SELECT a, toInt64(sum(x_c)), toInt64(sum(x_t)), toInt64(sum(x_o)), sum(x_dur), toInt64(sum(x_dur_n)), sum(x_tm1r), toInt64(sum(x_tm1r_n)), sum(x_tmr), toInt64(sum(x_tmr_n)), sum(x_tmp), toInt64(sum(x_tmp_n)), sum(x_tmi), toInt64(sum(x_tmi_n)) FROM (SELECT agent_id AS a, sum(status = '"'"'service completed'"'"') AS x_c, sum(status = '"'"'service transferred'"'"') AS x_t, sum(status NOT IN ('"'"'service completed'"'"', '"'"'service transferred'"'"')) AS x_o, sum(ifNull(duration, 0)) AS x_dur, count(duration) AS x_dur_n, sum(ifNull(tm1r, 0)) AS x_tm1r, count(tm1r) AS x_tm1r_n, sum(ifNull(tmr, 0)) AS x_tmr, count(tmr) AS x_tmr_n, sum(ifNull(tmp, 0)) AS x_tmp, count(tmp) AS x_tmp_n, sum(ifNull(tmi, 0)) AS x_tmi, count(tmi) AS x_tmi_n FROM rastro_test.legs $final WHERE $D AND $B GROUP BY a, substring(bucket, 1, 10)) GROUP BY a ORDER BY a"
	Q[old_tags]="SELECT a, tg, toInt64(n) FROM (SELECT agent_id AS a, arrayJoin(tags) AS tg, count() AS n FROM rastro_test.legs $final WHERE $D AND $B GROUP BY a, tg) ORDER BY a, n DESC, tg"
	Q[old_logins]="SELECT a, sum(dm) FROM (SELECT a, substring(b, 1, 10) AS d, sum(m) AS dm FROM (SELECT agent_id AS a, bucket AS b, max(seconds) AS m FROM rastro_test.agent_spans $final WHERE $D AND kind = '"'"'login'"'"' AND $B AND $DAY GROUP BY a, b) GROUP BY a, d) GROUP BY a ORDER BY a"
	Q[old_pauses]="SELECT a, rs, sum(sec) AS t FROM (SELECT agent_id AS a, reason AS rs, substring(bucket, 1, 10) AS d, sum(seconds) AS sec FROM rastro_test.agent_spans $final WHERE $D AND kind = '"'"'pause'"'"' AND $B AND $DAY GROUP BY a, rs, d) GROUP BY a, rs ORDER BY a, t DESC, rs"
	Q[new_legs]="SELECT agent_id, completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n, tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n FROM rastro_test.agent_days $final WHERE $D AND rollup = '"'"'total'"'"' AND $DAY ORDER BY agent_id, media, day, service_id"
	Q[new_tags]="SELECT a, tg, c FROM (SELECT agent_id AS a, tag_id AS tg, toInt64(sum(n)) AS c FROM rastro_test.agent_days $final WHERE $D AND rollup = '"'"'tag_total'"'"' AND $DAY GROUP BY a, tg) ORDER BY a, c DESC, tg"
	Q[new_logins]="SELECT a, sum(x) FROM (SELECT agent_id AS a, day AS d, max(seconds) AS x FROM rastro_test.agent_days $final WHERE $D AND rollup = '"'"'times'"'"' AND kind = '"'"'login'"'"' AND scope = '"'"'*'"'"' AND reason = '"'"''"'"' AND $DAY GROUP BY a, d) GROUP BY a ORDER BY a"
	Q[new_pauses]="SELECT a, rs, t FROM (SELECT agent_id AS a, reason AS rs, sum(seconds) AS t FROM rastro_test.agent_days $final WHERE $D AND rollup = '"'"'times'"'"' AND kind = '"'"'pause'"'"' AND scope = '"'"''"'"' AND $DAY GROUP BY a, rs) ORDER BY a, t DESC, rs"
	for name in old_legs old_tags old_logins old_pauses new_legs new_tags new_logins new_pauses; do
		local extra=()
		case $name in *logins|*pauses) extra=(--distributed_group_by_no_merge=1);; esac
		for i in 1 2 3 4 5; do
			clickhouse-client --port "$P1" --log_queries=1 "${extra[@]}" --query_id "$tag-$name-$i" --time --query "${Q[$name]}" > "$WORK/out" 2>> "$WORK/time-$tag-$name"
		done
		echo "$name: $(wc -l < "$WORK/out") rows out, md5 $(md5sum < "$WORK/out" | cut -c1-8), seconds $(tr "\n" " " < "$WORK/time-$tag-$name")"
	done
	clickhouse-client --port "$P1" --query "SYSTEM FLUSH LOGS"
	echo "rows read (initiator: its shard + the other shard reported), the same every run:"
	clickhouse-client --port "$P1" --query "SELECT replaceRegexpOne(query_id, '"'"'-[0-9]+\$'"'"', '"'"''"'"') AS q, min(read_rows), max(read_rows), median(query_duration_ms) FROM system.query_log WHERE type = 2 AND is_initial_query AND query_id LIKE '"'"'$tag-%'"'"' GROUP BY q ORDER BY q FORMAT PrettyCompactNoEscapes"
}
echo "=== FINAL (load $(cut -d" " -f1-3 /proc/loadavg))"; measure f FINAL
echo "=== settled, without FINAL (load $(cut -d" " -f1-3 /proc/loadavg))"; measure s ""
'
exec scripts/with-clickhouse.sh bash -c "$run"
