#!/usr/bin/env bash
# Usage: scripts/request-rss.sh [LEGS]
#
# Peak RSS (VmHWM) of `rastro serve` for the worst request of each kind
# (BENCHMARKS.md "Memory per request"): a fresh server per request, so each
# figure is that request's own peak over an idle server's baseline.
#   - the largest accepted batch: 10,000 events in a body near 32 MB
#   - the largest refused batches: 32 MB of malformed lines (422), and
#     10,001 events (413)
#   - the widest export: the demo month's largest media as CSV and XLSX
# Everything runs on 127.0.0.1 in a temp dir that is removed afterwards.
set -euo pipefail
LEGS=${1:-20000}
cd "$(dirname "$0")/.."
go build -o bin/rastro ./cmd/rastro
BIN=$PWD/bin/rastro
TMP=$(mktemp -d /tmp/rastro-rss.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$TMP"' EXIT
DB=$TMP/rastro.db
$BIN demo --db "$DB" --legs "$LEGS" >/dev/null
TOKEN=$($BIN token create --db "$DB" --tenant demo --role admin | tail -1)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

python3 - "$TMP" <<'PY'
import json, sys
d = sys.argv[1]
pad = "x" * 3000
with open(f"{d}/accepted.ndjson", "w") as f:
    for i in range(10000):
        f.write(json.dumps({"id": f"rss-{i}", "type": "message", "at": "2026-10-15T10:00:00-03:00",
            "interaction": f"rss-i-{i//10}", "message_id": f"m-{i}", "sender": "client", "text": pad}) + "\n")
line = "{not json at all " + "y" * 3300 + "\n"
with open(f"{d}/refused422.ndjson", "w") as f:
    f.write(line * 10000)
with open(f"{d}/refused413.ndjson", "w") as f:
    for i in range(10001):
        f.write(json.dumps({"id": f"big-{i}", "type": "agent.login", "at": "2026-10-15T10:00:00Z", "agent_id": "a"}) + "\n")
PY

measure() { # name, then the curl arguments
	local name=$1; shift
	$BIN serve --db "$DB" --addr "127.0.0.1:$PORT" 2>/dev/null &
	local pid=$!
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
	local base; base=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
	local code; code=$(curl -s -o "$TMP/out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$@")
	local peak; peak=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
	printf '%-44s HTTP %s  body %8d B  idle %4d MB  peak %4d MB\n' "$name" "$code" "$(stat -c %s "$TMP/out")" $((base/1024)) $((peak/1024))
	kill $pid; wait $pid 2>/dev/null || true
}
EV="http://127.0.0.1:$PORT/api/v1/events"
measure "accepted: 10,000 events, $(($(stat -c %s $TMP/accepted.ndjson)>>20)) MB" -X POST --data-binary @"$TMP/accepted.ndjson" "$EV"
measure "refused 422: 10,000 malformed lines, 32 MB" -X POST --data-binary @"$TMP/refused422.ndjson" "$EV"
measure "refused 413: 10,001 events" -X POST --data-binary @"$TMP/refused413.ndjson" "$EV"
R="http://127.0.0.1:$PORT/api/v1/reports/interactions/export?media=whatsapp&from=2026-10-01&to=2026-10-31"
measure "export: WhatsApp month, CSV" "$R&format=csv"
measure "export: WhatsApp month, XLSX" "$R&format=xlsx"
