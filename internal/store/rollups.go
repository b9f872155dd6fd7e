package store

import (
	"context"
	"fmt"
	"sort"
)

// Rollups are never patched with deltas: a touched rollup row is recomputed
// from the rows it sums (legs, ivr_visits) with the same GROUP BY a full
// rebuild runs. Incremental by key, and equal to a from-scratch computation by
// construction (a property test checks it anyway).

// agentRollupSelect reads the agent_rollup rows of the legs (aliased l; the
// callers' unqualified columns are the legs' own) with the same sums as the
// day-grain tables (agentLegSums, agent_days.go).
const agentRollupSelect = `SELECT l.tenant, l.bucket, l.media, l.service_id, l.agent_id, ` + agentLegSums + ` FROM legs l`

const agentTagRollupSelect = `SELECT l.tenant, l.bucket, l.media, l.service_id, l.agent_id, lt.tag_id, COUNT(*)
	FROM legs l JOIN leg_tags lt ON lt.leg_k = l.k`

// agentHourTotalInserts fill agent_hour_total and agent_hour_tag_total
// (per local hour and agent, every media and service: migration 0023) from
// the legs (aliased l) matching where.
func agentHourTotalInserts(where string) []string {
	return []string{
		`INSERT INTO agent_hour_total SELECT l.tenant, l.bucket, l.agent_id, ` + agentLegSums +
			` FROM legs l WHERE ` + where + ` GROUP BY l.tenant, l.bucket, l.agent_id`,
		`INSERT INTO agent_hour_tag_total SELECT l.tenant, l.bucket, l.agent_id, lt.tag_id, COUNT(*)
			FROM legs l JOIN leg_tags lt ON lt.leg_k = l.k WHERE ` + where + `
			GROUP BY l.tenant, l.bucket, l.agent_id, lt.tag_id`,
	}
}

const ivrRollupSelect = `SELECT tenant, bucket, ivr_id, service_id, agent_id,
	COUNT(*),
	SUM(CASE WHEN outcome = 'finished' THEN 1 ELSE 0 END),
	SUM(CASE WHEN outcome = 'transferred' THEN 1 ELSE 0 END),
	SUM(CASE WHEN outcome = 'abandoned' THEN 1 ELSE 0 END),
	SUM(answered), SUM(abandoned_q),
	COALESCE(SUM(ivr_s), 0), COALESCE(SUM(wait_s), 0), COUNT(wait_s),
	COALESCE(SUM(talk_s), 0), COUNT(talk_s),
	SUM(CASE WHEN answered = 1 AND wait_s <= ? THEN 1 ELSE 0 END)
	FROM ivr_visits`

const ivrPathRollupSelect = `SELECT tenant, bucket, ivr_id, service_id, agent_id, path, COUNT(*) FROM ivr_visits`

// RefreshAgentRollups recomputes the Agentes rollup rows of the given keys,
// in key order (a stable lock order on PostgreSQL).
func (t *Tx) RefreshAgentRollups(ctx context.Context, keys []AgentKey) error {
	keys = uniqueAgentKeys(keys)
	tn := t.tenant
	const where = ` WHERE tenant = ? AND bucket = ? AND media = ? AND service_id = ? AND agent_id = ?`
	for _, k := range keys {
		args := []any{tn, k.Bucket, k.Media, k.ServiceID, k.AgentID}
		if _, err := t.exec(ctx, `DELETE FROM agent_rollup`+where, args...); err != nil {
			return fmt.Errorf("agent rollup: %w", err)
		}
		if _, err := t.exec(ctx, `DELETE FROM agent_tag_rollup`+where, args...); err != nil {
			return fmt.Errorf("agent tag rollup: %w", err)
		}
		if _, err := t.exec(ctx, `INSERT INTO agent_rollup `+agentRollupSelect+where+` GROUP BY tenant, bucket, media, service_id, agent_id`, args...); err != nil {
			return fmt.Errorf("agent rollup: %w", err)
		}
		if _, err := t.exec(ctx, `INSERT INTO agent_tag_rollup `+agentTagRollupSelect+
			` WHERE l.tenant = ? AND l.bucket = ? AND l.media = ? AND l.service_id = ? AND l.agent_id = ? GROUP BY l.tenant, l.bucket, l.media, l.service_id, l.agent_id, lt.tag_id`, args...); err != nil {
			return fmt.Errorf("agent tag rollup: %w", err)
		}
	}
	if err := t.refreshAgentHourTotals(ctx, keys); err != nil {
		return err
	}
	return t.refreshAgentDayRollups(ctx, keys)
}

// refreshAgentHourTotals recomputes the agent_hour_total and
// agent_hour_tag_total rows of the (hour, agent) pairs of keys.
func (t *Tx) refreshAgentHourTotals(ctx context.Context, keys []AgentKey) error {
	hours := make([]AgentKey, len(keys))
	for i, k := range keys {
		hours[i] = AgentKey{Bucket: k.Bucket, AgentID: k.AgentID}
	}
	inserts := agentHourTotalInserts(`l.tenant = ? AND l.agent_id = ? AND l.bucket = ?`)
	for _, k := range uniqueAgentKeys(hours) {
		for _, table := range []string{"agent_hour_total", "agent_hour_tag_total"} {
			if _, err := t.exec(ctx, `DELETE FROM `+table+` WHERE tenant = ? AND bucket = ? AND agent_id = ?`, t.tenant, k.Bucket, k.AgentID); err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
		}
		for _, q := range inserts {
			if _, err := t.exec(ctx, q, t.tenant, k.AgentID, k.Bucket); err != nil {
				return fmt.Errorf("agent hour total: %w", err)
			}
		}
	}
	return nil
}

// RefreshIVRRollups recomputes the IVR rollup rows of the given keys (and
// announces each to the analytics engine).
func (t *Tx) RefreshIVRRollups(ctx context.Context, keys []IVRKey, slSeconds int) error {
	keys = uniqueIVRKeys(keys)
	tn := t.tenant
	const where = ` WHERE tenant = ? AND bucket = ? AND ivr_id = ? AND service_id = ? AND agent_id = ?`
	for _, k := range keys {
		args := []any{tn, k.Bucket, k.IVRID, k.ServiceID, k.AgentID}
		// The engine holds these rows too, per key (AnalyticsIVRRows).
		if err := t.announceIVRKey(ctx, k); err != nil {
			return err
		}
		for _, table := range []string{"ivr_rollup", "ivr_path_rollup"} {
			if _, err := t.exec(ctx, `DELETE FROM `+table+where, args...); err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
		}
		if _, err := t.exec(ctx, `INSERT INTO ivr_rollup `+ivrRollupSelect+where+` GROUP BY tenant, bucket, ivr_id, service_id, agent_id`, append([]any{slSeconds}, args...)...); err != nil {
			return fmt.Errorf("ivr rollup: %w", err)
		}
		if _, err := t.exec(ctx, `INSERT INTO ivr_path_rollup `+ivrPathRollupSelect+where+` GROUP BY tenant, bucket, ivr_id, service_id, agent_id, path`, args...); err != nil {
			return fmt.Errorf("ivr path rollup: %w", err)
		}
	}
	return nil
}

// RebuildRollups recomputes every rollup row of the tenant from scratch
// (the Fluxo Ágil rows included).
func (t *Tx) RebuildRollups(ctx context.Context, slSeconds int) error {
	tn := t.tenant
	for _, table := range []string{"agent_rollup", "agent_tag_rollup", "agent_hour_total", "agent_hour_tag_total", "ivr_rollup", "ivr_path_rollup"} {
		if _, err := t.exec(ctx, `DELETE FROM `+table+` WHERE tenant = ?`, tn); err != nil {
			return fmt.Errorf("clear %s: %w", table, err)
		}
	}
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO agent_rollup ` + agentRollupSelect + ` WHERE tenant = ? GROUP BY tenant, bucket, media, service_id, agent_id`, []any{tn}},
		{`INSERT INTO agent_tag_rollup ` + agentTagRollupSelect + ` WHERE l.tenant = ? GROUP BY l.tenant, l.bucket, l.media, l.service_id, l.agent_id, lt.tag_id`, []any{tn}},
		{agentHourTotalInserts(`l.tenant = ?`)[0], []any{tn}},
		{agentHourTotalInserts(`l.tenant = ?`)[1], []any{tn}},
		{`INSERT INTO ivr_rollup ` + ivrRollupSelect + ` WHERE tenant = ? GROUP BY tenant, bucket, ivr_id, service_id, agent_id`, []any{slSeconds, tn}},
		{`INSERT INTO ivr_path_rollup ` + ivrPathRollupSelect + ` WHERE tenant = ? GROUP BY tenant, bucket, ivr_id, service_id, agent_id, path`, []any{tn}},
	}
	for _, s := range stmts {
		if _, err := t.exec(ctx, s.q, s.args...); err != nil {
			return fmt.Errorf("rebuild rollups: %w", err)
		}
	}
	if err := t.rebuildBotRows(ctx); err != nil {
		return err
	}
	return t.rebuildAgentDayRollups(ctx)
}

// ClearDerived deletes everything derived from the tenant's events (rebuild).
func (t *Tx) ClearDerived(ctx context.Context) error {
	for _, q := range []string{
		`DELETE FROM leg_tags WHERE tenant = ?`, `DELETE FROM leg_phones WHERE tenant = ?`, `DELETE FROM legs WHERE tenant = ?`,
		`DELETE FROM ivr_visits WHERE tenant = ?`, `DELETE FROM interactions WHERE tenant = ?`,
		`DELETE FROM bot_conversations WHERE tenant = ?`, `DELETE FROM bot_rows WHERE tenant = ?`, `DELETE FROM agent_spans WHERE tenant = ?`, `DELETE FROM agent_day_times WHERE tenant = ?`,
		`DELETE FROM services WHERE tenant = ?`, `DELETE FROM tags WHERE tenant = ?`, `DELETE FROM ivrs WHERE tenant = ?`, `DELETE FROM flows WHERE tenant = ?`,
		`DELETE FROM clients WHERE tenant = ?`, `DELETE FROM campaigns WHERE tenant = ?`, `DELETE FROM batches WHERE tenant = ?`,
		`DELETE FROM users WHERE tenant = ?`, `DELETE FROM user_tags WHERE tenant = ?`,
		`DELETE FROM contacts WHERE tenant = ?`, `DELETE FROM contact_emails WHERE tenant = ?`,
	} {
		if _, err := t.exec(ctx, q, t.tenant); err != nil {
			return fmt.Errorf("clear derived: %w", err)
		}
	}
	return nil
}

// uniqueSorted drops repeated keys and sorts the rest, so rollup rows are
// always touched in one order (a stable lock order on PostgreSQL).
func uniqueSorted[K comparable](keys []K, less func(a, b K) bool) []K {
	seen := map[K]bool{}
	var out []K
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

func uniqueAgentKeys(keys []AgentKey) []AgentKey {
	return uniqueSorted(keys, func(a, b AgentKey) bool {
		return a.Bucket+"\x00"+a.Media+"\x00"+a.ServiceID+"\x00"+a.AgentID < b.Bucket+"\x00"+b.Media+"\x00"+b.ServiceID+"\x00"+b.AgentID
	})
}

// backfillAgentHourTotals fills the hour-grain totals of a store created
// before migration 0023, inside the migration's transaction.
func (db *DB) backfillAgentHourTotals(ctx context.Context, q querier) error {
	for _, s := range agentHourTotalInserts(`1 = 1`) {
		if _, err := db.exec(ctx, q, s); err != nil {
			return fmt.Errorf("backfill agent hour totals: %w", err)
		}
	}
	return nil
}

func uniqueIVRKeys(keys []IVRKey) []IVRKey {
	return uniqueSorted(keys, func(a, b IVRKey) bool {
		return a.Bucket+"\x00"+a.IVRID+"\x00"+a.ServiceID+"\x00"+a.AgentID < b.Bucket+"\x00"+b.IVRID+"\x00"+b.ServiceID+"\x00"+b.AgentID
	})
}
