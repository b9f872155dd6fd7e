package analytics

import (
	"context"
	"fmt"

	"github.com/rastro/rastro/internal/store"
)

// Shipping the store's Agentes rollups of agents' days (agent_days,
// migration 7: day grain and hourly).
// Like the spans, they go an agent's local day at a time ('agent_day'
// outbox entries) at the entry's id as version, with a tombstone for every
// key the engine holds for that day that the store no longer has (e.g. the
// only leg of an agent's day of one service moved to another agent).

const insertAgentDays = `INSERT INTO %s (tenant, agent_id, day, hour, rollup, media, service_id, tag_id, kind, scope, reason,
	version, deleted, completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n, tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n,
	n, seconds)`

// agentDayKey identifies a day-grain rollup row in the engine.
type agentDayKey struct {
	agentID, day, hour, rollup, media, serviceID, tagID, kind, scope, reason string
}

func keyOfAgentDayRow(r *store.AnalyticsAgentDayRow) agentDayKey {
	return agentDayKey{r.AgentID, r.Day, r.Hour, r.Rollup, r.Media, r.ServiceID, r.TagID, r.Kind, r.Scope, r.Reason}
}

// agentDayRow is one version of a rollup row to insert (row nil: a
// tombstone of key).
type agentDayRow struct {
	tenant  string
	key     agentDayKey
	version uint64
	row     *store.AnalyticsAgentDayRow
}

// insertAgentDays sends rollup rows in one synchronous batch.
func (e *Engine) insertAgentDays(ctx context.Context, rows []agentDayRow) error {
	return insertBatch(ctx, e, insertAgentDays, "agent_days", "agent day rows", rows, func(r agentDayRow) []any {
		k, deleted, g, n, sec := r.key, uint8(1), store.AgentLegs{}, int64(0), float64(0)
		if r.row != nil {
			k, deleted, g, n, sec = keyOfAgentDayRow(r.row), 0, r.row.Legs, r.row.N, r.row.Seconds
		}
		return []any{r.tenant, k.agentID, k.day, k.hour, k.rollup, k.media, k.serviceID, k.tagID, k.kind, k.scope, k.reason,
			r.version, deleted, g.Completed, g.Transferred, g.Other, g.DurSum, g.DurN, g.TM1RSum, g.TM1RN, g.TMRSum, g.TMRN,
			g.TMPSum, g.TMPN, g.TMISum, g.TMIN, n, sec}
	})
}

// shipAgentDayRollups sends the current rollup rows of some agents' days
// (days: [agent, day] pairs, each at versions[AgentDayKey]) and tombstones
// for the keys the engine holds for those days beyond them.
func (s *Shipper) shipAgentDayRollups(ctx context.Context, tenant string, days [][2]string, versions map[string]uint64) error {
	var rows []agentDayRow
	have := map[agentDayKey]bool{}
	for _, d := range days {
		cur, err := s.DB.AnalyticsAgentDay(ctx, tenant, d[0], d[1])
		if err != nil {
			return err
		}
		v := versions[store.AgentDayKey(d[0], d[1])]
		for i := range cur {
			have[keyOfAgentDayRow(&cur[i])] = true
			rows = append(rows, agentDayRow{tenant: tenant, version: v, row: &cur[i]})
		}
	}
	live, err := s.CH.liveAgentDays(ctx, tenant, days)
	if err != nil {
		return err
	}
	for _, k := range live {
		if !have[k] {
			rows = append(rows, agentDayRow{tenant: tenant, key: k, version: versions[store.AgentDayKey(k.agentID, k.day)]})
		}
	}
	return s.CH.insertAgentDays(ctx, rows)
}

// backfillAgentDays sends every rollup row of a tenant at version, then
// tombstones for the keys the engine holds at an older version (rows that
// vanished, e.g. by a rebuild). It returns how many rows it sent.
func (s *Shipper) backfillAgentDays(ctx context.Context, tenant string, version uint64, chunk int) (int, error) {
	n, err := streamInChunks(func(fn func([]store.AnalyticsAgentDayRow) error) error {
		return s.DB.EachAnalyticsAgentDayRows(ctx, tenant, fn)
	}, chunk, func(r *store.AnalyticsAgentDayRow) agentDayRow {
		return agentDayRow{tenant: tenant, version: version, row: r}
	}, func(rows []agentDayRow) error { return s.CH.insertAgentDays(ctx, rows) })
	if err != nil {
		return n, err
	}
	stale, err := s.CH.agentDayKeys(ctx, `SELECT `+agentDayKeyCols+` FROM `+s.CH.table("agent_days")+` FINAL
		WHERE tenant = ? AND deleted = 0 AND version < ?`, tenant, version)
	if err != nil {
		return n, err
	}
	return n, inChunks(stale, chunk, func(k agentDayKey) agentDayRow {
		return agentDayRow{tenant: tenant, key: k, version: version}
	}, func(rows []agentDayRow) error { return s.CH.insertAgentDays(ctx, rows) })
}

const agentDayKeyCols = `agent_id, day, hour, rollup, media, service_id, tag_id, kind, scope, reason`

// liveAgentDays lists the rollup keys the engine holds (latest version, not
// deleted) for some (agent, day) pairs of a tenant.
func (e *Engine) liveAgentDays(ctx context.Context, tenant string, days [][2]string) ([]agentDayKey, error) {
	var out []agentDayKey
	for len(days) > 0 {
		n := min(len(days), 500)
		args := []any{tenant}
		for _, d := range days[:n] {
			args = append(args, d[0], d[1])
		}
		keys, err := e.agentDayKeys(ctx, `SELECT `+agentDayKeyCols+` FROM `+e.table("agent_days")+` FINAL
			WHERE tenant = ? AND (agent_id, day) IN (`+tuples(n, 2)+`) AND deleted = 0`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, keys...)
		days = days[n:]
	}
	return out, nil
}

func (e *Engine) agentDayKeys(ctx context.Context, q string, args ...any) ([]agentDayKey, error) {
	rows, err := e.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: agent day keys: %w", err)
	}
	defer rows.Close()
	var out []agentDayKey
	for rows.Next() {
		var k agentDayKey
		if err := rows.Scan(&k.agentID, &k.day, &k.hour, &k.rollup, &k.media, &k.serviceID, &k.tagID, &k.kind, &k.scope, &k.reason); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
