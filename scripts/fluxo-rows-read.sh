#!/usr/bin/env bash
# Usage: scripts/fluxo-rows-read.sh SQLITE_STORE [TENANT] [FROM] [TO]
#
# Rows read by the Fluxo Ágil month reads (first page, drop-off) in
# ClickHouse, before and after the engine's Fluxo Ágil rows (migration 9):
# a private two-shard cluster (scripts/with-clickhouse.sh) is synced from a
# copy of the store, then each read runs five times through
# clickhouse-client (FINAL, then without FINAL: the sync settles the
# partitions) with log_queries on, and system.query_log gives its rows read
# (load-free evidence; the --time figures are printed too). "old_*" are the
# reads of fluxo.go from the conversations (bot_conversations, what every
# search read before migration 9), "new_*" those from bot_rows; each pair
# must print the same rows (md5). Run from the repository root after
# `make build`, on a store whose period cuts no row (the demo month).
set -euo pipefail
source "$(dirname "$(realpath "$0")")/lib/rows-read.sh"
rows_read_setup "$0" 2026-10-31 "$@"
CD="c.tenant = '$TENANT' AND c.deleted = 0 AND c.local_date >= '$FROM' AND c.local_date <= '$TO'"
SD="s.tenant = '$TENANT' AND s.deleted = 0 AND s.first_date >= '$FROM' AND s.last_date <= '$TO' AND s.first_date <= '$TO'"
FIN="('finished', 'handed_off')"
AB="('abandoned', 'expired')"
latest() { echo "argMax(c.$1, (c.started_at, c.conversation)) AS g_$1"; }
measure() { # TAG FINAL
	local tag=$1 final=$2 name
	declare -A Q
	Q[old_page]="SELECT g_batch_id, g_batch_name, g_contact_id, g_name, g_name_key, g_document, g_phone, g_email, g_flow,
			g_n, g_messages, g_last_step, g_outcome, g_conversation
		FROM (SELECT c.batch_id AS g_batch_id, c.contact_id AS g_contact_id, c.flow AS g_flow,
				$(latest batch_name), $(latest name), $(latest name_key), $(latest document), $(latest phone), $(latest email),
				$(latest last_step), $(latest outcome), $(latest conversation), count() AS g_n, sum(c.messages) AS g_messages
			FROM rastro_test.bot_conversations AS c $final WHERE $CD GROUP BY c.batch_id, c.contact_id, c.flow)
		ORDER BY g_batch_name, g_name_key, g_batch_id, g_contact_id, g_flow LIMIT 51"
	Q[new_page]="SELECT s.batch_id, s.batch_name, s.contact_id, s.name, s.name_key, s.document, s.phone, s.email, s.flow,
			toUInt64(s.conversations), s.messages, s.last_step, s.outcome, s.latest_conversation
		FROM rastro_test.bot_rows AS s $final WHERE $SD ORDER BY s.batch_name, s.name_key, s.batch_id, s.contact_id, s.flow LIMIT 51"
	local rows="SELECT c.contact_id AS r_contact, groupArray(c.steps) AS r_all,
			argMax(c.last_step, (c.started_at, c.conversation)) AS r_step, argMax(c.outcome, (c.started_at, c.conversation)) AS r_outcome
		FROM rastro_test.bot_conversations AS c $final WHERE $CD GROUP BY c.batch_id, c.contact_id, c.flow"
	Q[old_reached]="SELECT s_step, s_contacts FROM (SELECT tupleElement(t_pair, 1) AS s_step, toUInt64(min(tupleElement(t_pair, 2))) AS s_pos, uniqExact(t_contact) AS s_contacts
		FROM (SELECT u_contact AS t_contact, arrayJoin(arrayMap(i -> (u_steps[i], i), arrayEnumerate(u_steps))) AS t_pair
			FROM (SELECT r_contact AS u_contact, arrayJoin(r_all) AS u_steps FROM ($rows)))
		GROUP BY s_step) ORDER BY s_step"
	Q[new_reached]="SELECT b_step, uniqExact(s.contact_id) FROM rastro_test.bot_rows AS s $final ARRAY JOIN s.step_names AS b_step, s.step_pos AS b_pos
		WHERE $SD GROUP BY b_step ORDER BY b_step"
	Q[old_stopped]="SELECT r_step, uniqExact(r_contact), uniqExactIf(r_contact, r_outcome IN $FIN), uniqExactIf(r_contact, r_outcome IN $AB)
		FROM ($rows) GROUP BY r_step ORDER BY r_step"
	Q[new_stopped]="SELECT s.last_step, uniqExact(s.contact_id), uniqExactIf(s.contact_id, s.outcome IN $FIN), uniqExactIf(s.contact_id, s.outcome IN $AB)
		FROM rastro_test.bot_rows AS s $final WHERE $SD GROUP BY s.last_step ORDER BY s.last_step"
	Q[new_source]="SELECT (SELECT count() FROM (SELECT 1 FROM rastro_test.bot_rows WHERE tenant = '$TENANT' AND mixed = 1 AND deleted = 0 LIMIT 1)),
		(SELECT count() FROM (SELECT 1 FROM rastro_test.bot_rows AS s WHERE s.tenant = '$TENANT' AND s.deleted = 0
			AND ((s.last_date >= '$FROM' AND s.first_date < '$FROM') OR (s.last_date > '$TO' AND s.first_date <= '$TO')) LIMIT 1))"
	for name in old_page new_page old_reached new_reached old_stopped new_stopped new_source; do
		rows_read_query "$tag" "$name"
	done
}
rows_read_run measure
