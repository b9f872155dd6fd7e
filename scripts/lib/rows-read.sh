# Sourced (not run) by the scripts/*-rows-read.sh evidence scripts: what an
# engine read costs in rows, load-free. Each script defines
# `measure TAG FINAL`, which fills an associative array Q (name → SQL, with
# $FINAL after every versioned table it reads) and calls rows_read_query
# per name; rows_read_run runs it with FINAL, then settled (without FINAL:
# `analytics sync` settles the partitions), and prints from
# system.query_log each query's rows read (the initiator: its shard and
# the other shard's report), rows returned and median time. The --time
# figures are printed too; only the rows are load-free.

# rows_read_setup SCRIPT DEFAULT_TO ARGS…: ARGS are SQLITE_STORE [TENANT]
# [FROM] [TO]. Outside a cluster it runs SCRIPT again under
# scripts/with-clickhouse.sh (a private two-shard cluster beside the
# store); inside, it copies the store, syncs the copy into the cluster and
# sets STORE TENANT FROM TO WORK P1 (the first server's native port).
rows_read_setup() {
	local script default_to=$2
	script=$(realpath "$1")
	shift 2
	if [[ ${1:-} != --inner ]]; then
		(( $# >= 1 )) || { echo "usage: $script SQLITE_STORE [TENANT] [FROM] [TO]" >&2; exit 2; }
		local store
		store=$(realpath "$1")
		cd "$(dirname "$script")/.."
		[[ -x bin/rastro ]] || { echo "$script: run make build first" >&2; exit 2; }
		export RASTRO_CH_TMPDIR=${RASTRO_CH_TMPDIR:-$(dirname "$store")}
		exec scripts/with-clickhouse.sh bash "$script" --inner "$store" "${2:-demo}" "${3:-2026-10-01}" "${4:-$default_to}"
	fi
	STORE=$2 TENANT=$3 FROM=$4 TO=$5
	WORK=$(mktemp -d "$RASTRO_CH_TMPDIR/rows-read.XXXXXX")
	trap 'rm -rf "$WORK"' EXIT
	P1=$(echo "$RASTRO_TEST_CLICKHOUSE" | sed -E 's#clickhouse://[^:]+:([0-9]+),.*#\1#')
	./bin/rastro backup --db "$STORE" "$WORK/store.db"
	./bin/rastro analytics sync --db "$WORK/store.db" --analytics "$RASTRO_TEST_CLICKHOUSE"
}

# rows_read_query TAG NAME [CLIENT OPTION…]: runs Q[NAME] five times (RUNS)
# and prints its rows out, their md5 (old and new reads of one answer must
# match) and the client's seconds.
rows_read_query() {
	local tag=$1 name=$2 i
	shift 2
	for ((i = 1; i <= ${RUNS:-5}; i++)); do
		clickhouse-client --port "$P1" --log_queries=1 "$@" --query_id "$tag-$name-$i" --time --query "${Q[$name]}" > "$WORK/out" 2>> "$WORK/time-$tag-$name"
	done
	echo "$name: $(wc -l < "$WORK/out") rows out, md5 $(md5sum < "$WORK/out" | cut -c1-8), seconds $(tr '\n' ' ' < "$WORK/time-$tag-$name")"
}

# rows_read_run MEASURE: MEASURE f FINAL, then MEASURE s "", each followed
# by the query log's figures of its queries.
rows_read_run() {
	local tag final
	for tag in f s; do
		final=FINAL
		[[ $tag == s ]] && final=
		echo "=== ${final:-settled, without FINAL} (load $(cut -d' ' -f1-3 /proc/loadavg))"
		"$1" "$tag" "$final"
		clickhouse-client --port "$P1" --query "SYSTEM FLUSH LOGS"
		echo "rows read (min, max over the runs), rows returned, median ms:"
		clickhouse-client --port "$P1" --query "SELECT replaceRegexpOne(query_id, '-[0-9]+\$', '') AS q, min(read_rows), max(read_rows), max(result_rows), median(query_duration_ms)
			FROM system.query_log WHERE type = 2 AND is_initial_query AND query_id LIKE '$tag-%' GROUP BY q ORDER BY q FORMAT PrettyCompactNoEscapes"
	done
}
