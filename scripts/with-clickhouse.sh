#!/usr/bin/env bash
# Usage: scripts/with-clickhouse.sh CMD [ARGS...]
#
# Starts a throwaway, private two-shard ClickHouse cluster (two
# clickhouse-server processes on 127.0.0.1, free ports, one temp dir), runs
# CMD with
#   RASTRO_TEST_CLICKHOUSE=clickhouse://127.0.0.1:P1,127.0.0.1:P2/rastro_test?cluster=rastro_test
# exported, then stops both servers and deletes their files, whatever
# happens. Exits with CMD's exit code. RASTRO_CH_TMPDIR: where the temp
# dir goes (default /tmp; benchmarks keep their data beside the stores).
#
# Each server's config names both in a `remote_servers` cluster called
# rastro_test (one shard per server, one replica each), so Distributed tables
# spread rows over the two. No ZooKeeper: rastro creates its tables on every
# host itself. When run as root, the servers run as the `clickhouse` user.
# Also exported: RASTRO_TEST_CLICKHOUSE_DIR (the temp dir) and
# RASTRO_TEST_CLICKHOUSE_PIDS ("PID1 PID2"), so a test may stop one server.
set -euo pipefail

log() { printf 'with-clickhouse: %s\n' "$*" >&2; }
die() { printf 'with-clickhouse: ERROR: %s\n' "$*" >&2; exit 1; }

(( $# > 0 )) || die "usage: $0 CMD [ARGS...]"

CHBIN=$(command -v clickhouse-server || true)
[[ -z "$CHBIN" && -x /usr/sbin/clickhouse-server ]] && CHBIN=/usr/sbin/clickhouse-server
[[ -n "$CHBIN" ]] || die "clickhouse-server not found; run scripts/ensure-tools.sh"

if [[ $(id -u) -eq 0 ]]; then
	id clickhouse >/dev/null 2>&1 || die "running as root but there is no 'clickhouse' user to run the servers as"
	# setpriv execs the server (runuser would stay its parent): the PIDs
	# below are the servers' own, so a test can stop one.
	RUN_AS=(setpriv --reuid=clickhouse --regid=clickhouse --init-groups --)
else
	RUN_AS=()
fi

CHTMP=$(mktemp -d "${RASTRO_CH_TMPDIR:-/tmp}/rastro-ch.XXXXXX")
chmod 755 "$CHTMP"
pids=()

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	local p
	# A test may have left a server stopped (SIGSTOP): continue it first.
	for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do
		for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -rf "$CHTMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

port_free() {
	local p=$1
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then return 1; fi
	if command -v ss >/dev/null 2>&1 && [[ -n "$(ss -Htan "sport = :$p" 2>/dev/null)" ]]; then
		return 1
	fi
	return 0
}

# Six free ports (tcp and http and interserver per server), consecutive
# candidates from a random start.
pick_ports() {
	local start=$(( 20000 + (RANDOM * 32768 + RANDOM) % 30000 )) i p got=()
	for (( i = 0; i < 400 && ${#got[@]} < 6; i++ )); do
		p=$(( start + i ))
		if port_free "$p"; then got+=("$p"); fi
	done
	(( ${#got[@]} == 6 )) || return 1
	echo "${got[@]}"
}

write_config() { # dir tcp http interserver tcp1 tcp2
	local dir=$1
	mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas"
	cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
	cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/server.log</log><errorlog>$dir/server.err.log</errorlog><size>100M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$3</tcp_port>
  <http_port>$2</http_port>
  <interserver_http_port>$4</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <max_connections>256</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>64</max_concurrent_queries>
  <uncompressed_cache_size>0</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <remote_servers>
    <rastro_test>
      <shard><replica><host>127.0.0.1</host><port>$5</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>$6</port></replica></shard>
    </rastro_test>
  </remote_servers>
</yandex>
XML
}

# Wait until a server answers a query on its tcp port (or died).
wait_up() { # pid port dir
	local i
	for (( i = 0; i < 300; i++ )); do
		kill -0 "$1" 2>/dev/null || return 1
		if clickhouse-client --host 127.0.0.1 --port "$2" --query 'SELECT 1' >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	return 1
}

started=0
for attempt in 1 2 3 4 5; do
	read -r H1 T1 I1 H2 T2 I2 < <(pick_ports) || die "no free TCP ports found on 127.0.0.1"
	rm -rf "$CHTMP/s1" "$CHTMP/s2"
	write_config "$CHTMP/s1" "$H1" "$T1" "$I1" "$T1" "$T2"
	write_config "$CHTMP/s2" "$H2" "$T2" "$I2" "$T1" "$T2"
	if (( ${#RUN_AS[@]} > 0 )); then chown -R clickhouse: "$CHTMP"; fi
	pids=()
	ok=1
	for n in 1 2; do
		(cd "$CHTMP/s$n" && exec "${RUN_AS[@]}" "$CHBIN" --config-file="$CHTMP/s$n/config.xml" \
			>"$CHTMP/s$n/stdout.log" 2>&1) &
		pids+=($!)
	done
	wait_up "${pids[0]}" "$T1" || ok=0
	(( ok )) && { wait_up "${pids[1]}" "$T2" || ok=0; }
	if (( ok )); then started=1; break; fi
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	if grep -qiE 'address already in use|bind' "$CHTMP"/s*/server.err.log 2>/dev/null; then
		log "port taken while starting (attempt $attempt); retrying"
		continue
	fi
	cat "$CHTMP"/s*/server.err.log "$CHTMP"/s*/stdout.log >&2 2>/dev/null || true
	die "clickhouse-server failed to start (logs above)"
done
(( started )) || die "clickhouse-server failed to start after 5 attempts"

export RASTRO_TEST_CLICKHOUSE="clickhouse://127.0.0.1:$T1,127.0.0.1:$T2/rastro_test?cluster=rastro_test"
export RASTRO_TEST_CLICKHOUSE_DIR="$CHTMP"
export RASTRO_TEST_CLICKHOUSE_PIDS="${pids[*]}"
log "clickhouse-server $(clickhouse-client --host 127.0.0.1 --port "$T1" --query 'SELECT version()') x2 on 127.0.0.1:$T1 and :$T2 (data in $CHTMP)"
log "RASTRO_TEST_CLICKHOUSE=$RASTRO_TEST_CLICKHOUSE"

set +e
"$@"
rc=$?
set -e
exit "$rc"
