package analytics

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// BenchReplicate is for benchmarks only (`rastro bench load-analytics`):
// it multiplies a tenant's month already in the engine into other months
// inside the engine, as feeding 10 M legs through a store would take hours
// and ~80 GB on a small machine. For each copy it inserts the latest
// version of every leg, IVR visit, agent span, agent day rollup row, IVR
// rollup row and Fluxo Ágil row (bot_rows) of
// the local dates [from, to] Days earlier (0: into the same month, for a source month
// smaller than the month wanted): every time column and the local date
// and bucket moved, interaction ids made distinct ("<id>~<days>.<n>"), k
// moved out of the store's range. The stored cells keep the source month's
// text (their dates and times are not rewritten): the sizes and counts are
// the source month's, which is what a benchmark needs. Copies are inserted
// through the Distributed tables, so each lands on the shard of its new
// interaction id (the shard key stays consistent); each host reads only its
// own local rows.
//
// Never call it on an engine holding real data: the copies are legs no
// store holds (a re-backfill of the tenant deletes them).
func (e *Engine) BenchReplicate(ctx context.Context, tenant, from, to string, copies []BenchCopy, logf func(string, ...any)) error {
	if _, err := time.Parse("2006-01-02", from); err != nil {
		return fmt.Errorf("bench replicate: from %q: %w", from, err)
	}
	if _, err := time.Parse("2006-01-02", to); err != nil {
		return fmt.Errorf("bench replicate: to %q: %w", to, err)
	}
	local := ""
	if e.cfg.Cluster != "" {
		local = "_local"
	}
	db := e.cfg.Database
	for _, cp := range copies {
		d := cp.Days
		if d < 0 || cp.N < 0 || cp.N > 99 || (d == 0 && cp.N == 0) {
			return fmt.Errorf("bench replicate: copy %+v: days must be >= 0, n 0 to 99, not both 0 (the source)", cp)
		}
		ms := fmt.Sprint(int64(d) * 86400000)
		day := func(col string) string { return fmt.Sprintf("toString(toDate(%s) - %d)", col, d) }
		bucket := fmt.Sprintf("concat(toString(toDate(substring(bucket, 1, 10)) - %d), substring(bucket, 11))", d)
		id := fmt.Sprintf("concat(interaction_id, '~%d.%d')", d, cp.N)
		legs := `INSERT INTO ` + db + `.legs (tenant, interaction_id, leg_id, version, deleted, k, seq, protocol, media, entered_at,
			local_date, local_time, bucket, service_id, agent_id, contact_id, status, voice_status, call_quality, expired, portfolio,
			external_id, ext_protocol, direction, queued_at, delivered_at, answered_at, finished_at,
			duration, tmp, tmi, tm1r, tmr, recording_url, tags, rphones, ivrs, cells)
			SELECT tenant, ` + id + `, leg_id, version, deleted, k + ` + fmt.Sprint((int64(d)*100+int64(cp.N))*1000000000) + `, seq, protocol, media, entered_at - ` + ms + `,
			` + day("local_date") + `, local_time, ` + bucket + `, service_id, agent_id, contact_id, status, voice_status, call_quality, expired, portfolio,
			external_id, ext_protocol, direction, queued_at - ` + ms + `, delivered_at - ` + ms + `, answered_at - ` + ms + `, finished_at - ` + ms + `,
			duration, tmp, tmi, tm1r, tmr, recording_url, tags, rphones, ivrs, cells
			FROM ` + db + `.legs` + local + ` FINAL
			WHERE tenant = ? AND deleted = 0 AND local_date >= ? AND local_date <= ? AND position(interaction_id, '~') = 0`
		visits := `INSERT INTO ` + db + `.ivr_visits (tenant, interaction_id, pos, version, deleted, ivr_id, entered_at, bucket, outcome,
			service_id, agent_id, path, answered, abandoned_q, ivr_s, wait_s, talk_s, sl)
			SELECT tenant, ` + id + `, pos, version, deleted, ivr_id, entered_at - ` + ms + `, ` + bucket + `, outcome,
			service_id, agent_id, path, answered, abandoned_q, ivr_s, wait_s, talk_s, sl
			FROM ` + db + `.ivr_visits` + local + ` FINAL
			WHERE tenant = ? AND deleted = 0 AND bucket >= ? AND bucket <= ? AND position(interaction_id, '~') = 0`
		// Spans are keyed by agent and day: a copy shifted onto a day
		// another copy holds replaces it (months shorter than the source).
		spans := `INSERT INTO ` + db + `.agent_spans (tenant, agent_id, day, n, version, deleted, bucket, kind, media, reason, seconds)
			SELECT tenant, agent_id, ` + day("day") + `, n, version, deleted, ` + bucket + `, kind, media, reason, seconds
			FROM ` + db + `.agent_spans` + local + ` FINAL
			WHERE tenant = ? AND deleted = 0 AND day >= ? AND day <= ?`
		// The day rollups likewise (agent_days: keyed by agent and day).
		agentDays := `INSERT INTO ` + db + `.agent_days (tenant, agent_id, day, hour, rollup, media, service_id, tag_id, kind, scope, reason,
			version, deleted, completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n, tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n, n, seconds)
			SELECT tenant, agent_id, ` + day("day") + `, hour, rollup, media, service_id, tag_id, kind, scope, reason,
			version, deleted, completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n, tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n, n, seconds
			FROM ` + db + `.agent_days` + local + ` FINAL
			WHERE tenant = ? AND deleted = 0 AND day >= ? AND day <= ?`
		// The IVR rollups likewise (keyed by bucket).
		ivrRollups := `INSERT INTO ` + db + `.ivr_rollups (tenant, rollup, bucket, ivr_id, service_id, agent_id, path, version, deleted,
			received, finished, transferred, abandoned, answered, abandoned_q, ivr_sum, wait_sum, wait_n, talk_sum, talk_n, sl_n, n)
			SELECT tenant, rollup, ` + bucket + `, ivr_id, service_id, agent_id, path, version, deleted,
			received, finished, transferred, abandoned, answered, abandoned_q, ivr_sum, wait_sum, wait_n, talk_sum, talk_n, sl_n, n
			FROM ` + db + `.ivr_rollups` + local + ` FINAL
			WHERE tenant = ? AND deleted = 0 AND bucket >= ? AND bucket <= ?`
		// The Fluxo Ágil rows of the month, under new contacts (a copy is
		// another contact's row, as each copied leg is another
		// interaction's).
		botRows := `INSERT INTO ` + db + `.bot_rows (tenant, batch_id, contact_id, flow, version, deleted, client_id, campaign_id, mixed,
			first_date, last_date, batch_name, name, name_key, document, phone, email, conversations, messages,
			latest_conversation, last_step, outcome, human, step_names, step_pos)
			SELECT tenant, batch_id, ` + fmt.Sprintf("concat(contact_id, '~%d.%d')", d, cp.N) + `, flow, version, deleted, client_id, campaign_id, mixed,
			` + day("first_date") + `, ` + day("last_date") + `, batch_name, name, name_key, document, phone, email, conversations, messages,
			` + fmt.Sprintf("concat(latest_conversation, '~%d.%d')", d, cp.N) + `, last_step, outcome, human, step_names, step_pos
			FROM ` + db + `.bot_rows` + local + ` FINAL
			WHERE tenant = ? AND deleted = 0 AND first_date >= ? AND last_date <= ? AND position(contact_id, '~') = 0`
		for _, host := range e.cfg.Hosts {
			start := time.Now()
			conn, err := openHost(e.cfg, host)
			if err != nil {
				return err
			}
			for _, q := range []struct {
				name, sql string
				args      []any
			}{
				{"legs", legs, []any{tenant, from, to}},
				{"ivr_visits", visits, []any{tenant, from + " 00", to + " 23"}},
				{"agent_spans", spans, []any{tenant, from, to}},
				{"agent_days", agentDays, []any{tenant, from, to}},
				{"ivr_rollups", ivrRollups, []any{tenant, from + " 00", to + " 23"}},
				{"bot_rows", botRows, []any{tenant, from, to}},
			} {
				if (q.name == "agent_spans" || q.name == "agent_days" || q.name == "ivr_rollups") && d == 0 {
					continue // same keys (agents, days, buckets): the source's own rows
				}
				if err := conn.Exec(syncInsert(ctx), q.sql, q.args...); err != nil {
					conn.Close()
					return fmt.Errorf("bench replicate %s −%d days on %s: %w", q.name, d, host, err)
				}
			}
			conn.Close()
			if logf != nil {
				logf("bench replicate: %s %s..%s −%d days (copy %d) from %s in %s", tenant, from, to, d, cp.N, host, time.Since(start).Round(time.Millisecond))
			}
		}
	}
	return nil
}

// BenchCopy is one copy of BenchReplicate: Days earlier, the N-th copy
// there.
type BenchCopy struct{ Days, N int }

// Optimize merges each host's local tables (OPTIMIZE … FINAL): benchmarks
// measure a settled engine, as one that ran for a while is. Bench only.
func (e *Engine) Optimize(ctx context.Context) error {
	local := ""
	if e.cfg.Cluster != "" {
		local = "_local"
	}
	for _, host := range e.cfg.Hosts {
		conn, err := openHost(e.cfg, host)
		if err != nil {
			return err
		}
		for _, t := range []string{"legs", "ivr_visits", "agent_spans", "agent_days", "ivr_rollups", "bot_rows"} {
			if err := conn.Exec(ctx, `OPTIMIZE TABLE `+e.cfg.Database+`.`+t+local+` FINAL`); err != nil {
				conn.Close()
				return fmt.Errorf("optimize %s on %s: %w", t, host, err)
			}
		}
		conn.Close()
	}
	return nil
}

// ExportQuery is the SQL (with its ? arguments) EachLeg runs: benchmarks
// have ClickHouse write the same rows as text to compare rates.
func (r *Rastreio) ExportQuery(ctx context.Context, p model.Principal, f store.LegFilter, desc bool) (string, []any, error) {
	return r.page(ctx, allFinal, p, f, desc, nil, `l.cells`, 0)
}

// Inline renders a query's ? arguments as SQL literals (strings, integers,
// floats), for a client that takes no arguments (clickhouse-client).
func Inline(q string, args []any) (string, error) {
	var b strings.Builder
	n := 0
	quoted := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\\' && quoted && i+1 < len(q):
			b.WriteByte(c)
			i++
			b.WriteByte(q[i])
			continue
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			if n >= len(args) {
				return "", fmt.Errorf("inline: more placeholders than %d arguments", len(args))
			}
			switch v := args[n].(type) {
			case string:
				b.WriteString("'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'")
			case int, int64, uint8, uint64, int32, uint32, float64:
				fmt.Fprint(&b, v)
			default:
				return "", fmt.Errorf("inline: argument %d: unsupported type %T", n, v)
			}
			n++
			continue
		}
		b.WriteByte(c)
	}
	if n != len(args) {
		return "", fmt.Errorf("inline: %d placeholders for %d arguments", n, len(args))
	}
	return b.String(), nil
}

// LegRows counts the legs table's rows (every version, tenant and shard).
func (e *Engine) LegRows(ctx context.Context, n *uint64) error {
	if err := e.conn.QueryRow(ctx, `SELECT count() FROM `+e.table("legs")).Scan(n); err != nil {
		return fmt.Errorf("analytics: count legs: %w", err)
	}
	return nil
}
