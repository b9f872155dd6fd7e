package store

import (
	"context"
	"fmt"
)

// The day-grain Agentes rollups as the analytics engine stores them: the
// engine reads these pre-aggregated rows instead of adding up a month of
// legs (the leg sums per agent and day over a month of 10 M legs took
// 0.34 s on two shards, the spans 0.29 s; see BENCHMARKS.md). The store
// keeps them exact per key (RefreshAgentRollups, ReplaceAgentDaySpans), so
// the engine's copy is the store's rows and the report adds up the same
// numbers. They ship per (agent, local day), like the spans: an 'agent_day'
// outbox entry sends every row of the agent's day.

// The rollups an AnalyticsAgentDayRow comes from.
const (
	RollupDayLegs     = "legs"      // agent_day_rollup: per media and service
	RollupDayTotal    = "total"     // agent_day_total: every media and service
	RollupDayTags     = "tags"      // agent_day_tag_rollup
	RollupDayTagTotal = "tag_total" // agent_day_tag_total
	RollupDayTimes    = "times"     // agent_day_times
)

// AnalyticsAgentDayRow is one row of a day-grain Agentes rollup of an
// agent's local day. The key is (AgentID, Day, Rollup, Media, ServiceID,
// TagID, Kind, Scope, Reason): the columns its rollup does not have are ""
// (e.g. a total row has no media, service nor tag).
type AnalyticsAgentDayRow struct {
	AgentID, Day, Rollup    string
	Media, ServiceID, TagID string
	Kind, Scope, Reason     string
	Legs                    AgentLegs // legs and total rows (Key unused)
	N                       int64     // tag rows
	Seconds                 float64   // times rows
}

// agentDayRowSelects read the day-grain rollup rows matching a condition
// on tenant (?), then the given condition (over the table's columns), in
// one shape: rollup, agent_id, day, media, service_id, tag_id, kind, scope,
// reason, the leg sums, n, seconds.
func agentDayRowSelects(cond string) []string {
	// zero is a float 0 both stores scan as one (a bare 0.0 is NUMERIC on
	// PostgreSQL).
	const zero = `CAST(0 AS DOUBLE PRECISION)`
	const sums = `completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n, tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n`
	const noSums = `0, 0, 0, ` + zero + `, 0, ` + zero + `, 0, ` + zero + `, 0, ` + zero + `, 0, ` + zero + `, 0`
	from := func(rollup, cols, table string) string {
		return `SELECT '` + rollup + `', agent_id, bucket, ` + cols + ` FROM ` + table + ` WHERE tenant = ? AND ` + cond
	}
	return []string{
		from(RollupDayLegs, `media, service_id, '', '', '', '', `+sums+`, 0, `+zero, "agent_day_rollup"),
		from(RollupDayTotal, `'', '', '', '', '', '', `+sums+`, 0, `+zero, "agent_day_total"),
		from(RollupDayTags, `media, service_id, tag_id, '', '', '', `+noSums+`, n, `+zero, "agent_day_tag_rollup"),
		from(RollupDayTagTotal, `'', '', tag_id, '', '', '', `+noSums+`, n, `+zero, "agent_day_tag_total"),
		from(RollupDayTimes, `'', '', '', kind, scope, reason, `+noSums+`, 0, seconds`, "agent_day_times"),
	}
}

// AnalyticsAgentDay reads every day-grain rollup row of an agent's local
// day.
func (db *DB) AnalyticsAgentDay(ctx context.Context, tenant, agentID, day string) ([]AnalyticsAgentDayRow, error) {
	var out []AnalyticsAgentDayRow
	for _, q := range agentDayRowSelects(`agent_id = ? AND bucket = ?`) {
		var err error
		if out, err = db.scanAgentDayRows(ctx, out, q, tenant, agentID, day); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// EachAnalyticsAgentDayRows streams every day-grain rollup row of a tenant,
// one agent at a time (the backfill). The agents are those with day rows
// of legs (agent_day_total holds one for every agent day with legs) or of
// activity (agent_spans, whose days agent_day_times sums).
func (db *DB) EachAnalyticsAgentDayRows(ctx context.Context, tenant string, fn func([]AnalyticsAgentDayRow) error) error {
	withLegs, err := db.distinct(ctx, tenant, "agent_rollup", "agent_id")
	if err != nil {
		return err
	}
	withSpans, err := db.distinct(ctx, tenant, "agent_spans", "agent_id")
	if err != nil {
		return err
	}
	for _, a := range sortedUnique(append(withLegs, withSpans...)) {
		var rows []AnalyticsAgentDayRow
		for _, q := range agentDayRowSelects(`agent_id = ?`) {
			if rows, err = db.scanAgentDayRows(ctx, rows, q, tenant, a); err != nil {
				return err
			}
		}
		if err := fn(rows); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) scanAgentDayRows(ctx context.Context, out []AnalyticsAgentDayRow, q string, args ...any) ([]AnalyticsAgentDayRow, error) {
	rows, err := db.query(ctx, db.r, q, args...)
	if err != nil {
		return nil, fmt.Errorf("agent day rollups for analytics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r AnalyticsAgentDayRow
		g := &r.Legs
		if err := rows.Scan(&r.Rollup, &r.AgentID, &r.Day, &r.Media, &r.ServiceID, &r.TagID, &r.Kind, &r.Scope, &r.Reason,
			&g.Completed, &g.Transferred, &g.Other, &g.DurSum, &g.DurN, &g.TM1RSum, &g.TM1RN,
			&g.TMRSum, &g.TMRN, &g.TMPSum, &g.TMPN, &g.TMISum, &g.TMIN, &r.N, &r.Seconds); err != nil {
			return nil, fmt.Errorf("agent day rollups for analytics: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("agent day rollups for analytics: %w", err)
	}
	return out, nil
}
