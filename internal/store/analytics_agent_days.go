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
// numbers. The hourly leg and tag rollups (agent_rollup, agent_tag_rollup:
// what an hour filter reads) and their totals over media and services
// (agent_hour_total, agent_hour_tag_total) go with them, one row per local
// hour. They
// ship per (agent, local day), like the spans: an 'agent_day' outbox entry
// sends every row of the agent's day.

// The rollups an AnalyticsAgentDayRow comes from.
const (
	RollupDayLegs     = "legs"      // agent_day_rollup: per media and service
	RollupDayTotal    = "total"     // agent_day_total: every media and service
	RollupDayTags     = "tags"      // agent_day_tag_rollup
	RollupDayTagTotal = "tag_total" // agent_day_tag_total
	RollupDayTimes    = "times"     // agent_day_times
	RollupHourLegs    = "hour"      // agent_rollup: per local hour, media and service (an hour filter)
	RollupHourTags    = "hour_tags" // agent_tag_rollup
	// agent_hour_total and agent_hour_tag_total: per local hour, every
	// media and service (migration 0023; ClickHouse migration 10).
	RollupHourTotal    = "hour_total"
	RollupHourTagTotal = "hour_tag_total"
)

// AnalyticsAgentDayRow is one row of an Agentes rollup of an agent's local
// day. The key is (AgentID, Day, Hour, Rollup, Media, ServiceID, TagID,
// Kind, Scope, Reason): the columns its rollup does not have are "" (e.g. a
// total row has no hour, media, service nor tag).
type AnalyticsAgentDayRow struct {
	AgentID, Day, Hour, Rollup string
	Media, ServiceID, TagID    string
	Kind, Scope, Reason        string
	Legs                       AgentLegs // legs and total rows (Key unused)
	N                          int64     // tag rows
	Seconds                    float64   // times rows
}

// agentDayRowSelect is one rollup's read, in one shape: rollup, agent_id,
// day, hour, media, service_id, tag_id, kind, scope, reason, the leg sums,
// n, seconds.
type agentDayRowSelect struct {
	q      string // "… WHERE tenant = ? AND " then the caller's condition
	hourly bool   // bucket is "AAAA-MM-DD HH" (else the day)
}

// agentDayRowSelects read the rollup rows matching cond (over the table's
// columns; hourCond for the hourly tables).
func agentDayRowSelects(cond, hourCond string) []agentDayRowSelect {
	// zero is a float 0 both stores scan as one (a bare 0.0 is NUMERIC on
	// PostgreSQL).
	const zero = `CAST(0 AS DOUBLE PRECISION)`
	const sums = `completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n, tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n`
	const noSums = `0, 0, 0, ` + zero + `, 0, ` + zero + `, 0, ` + zero + `, 0, ` + zero + `, 0, ` + zero + `, 0`
	daily := func(rollup, cols, table string) agentDayRowSelect {
		return agentDayRowSelect{q: `SELECT '` + rollup + `', agent_id, bucket, '', ` + cols + ` FROM ` + table + ` WHERE tenant = ? AND ` + cond}
	}
	hourly := func(rollup, cols, table string) agentDayRowSelect {
		return agentDayRowSelect{q: `SELECT '` + rollup + `', agent_id, SUBSTR(bucket, 1, 10), SUBSTR(bucket, 12, 2), ` + cols +
			` FROM ` + table + ` WHERE tenant = ? AND ` + hourCond, hourly: true}
	}
	return []agentDayRowSelect{
		daily(RollupDayLegs, `media, service_id, '', '', '', '', `+sums+`, 0, `+zero, "agent_day_rollup"),
		daily(RollupDayTotal, `'', '', '', '', '', '', `+sums+`, 0, `+zero, "agent_day_total"),
		daily(RollupDayTags, `media, service_id, tag_id, '', '', '', `+noSums+`, n, `+zero, "agent_day_tag_rollup"),
		daily(RollupDayTagTotal, `'', '', tag_id, '', '', '', `+noSums+`, n, `+zero, "agent_day_tag_total"),
		daily(RollupDayTimes, `'', '', '', kind, scope, reason, `+noSums+`, 0, seconds`, "agent_day_times"),
		hourly(RollupHourLegs, `media, service_id, '', '', '', '', `+sums+`, 0, `+zero, "agent_rollup"),
		hourly(RollupHourTags, `media, service_id, tag_id, '', '', '', `+noSums+`, n, `+zero, "agent_tag_rollup"),
		hourly(RollupHourTotal, `'', '', '', '', '', '', `+sums+`, 0, `+zero, "agent_hour_total"),
		hourly(RollupHourTagTotal, `'', '', tag_id, '', '', '', `+noSums+`, n, `+zero, "agent_hour_tag_total"),
	}
}

// AnalyticsAgentDay reads every rollup row of an agent's local day.
func (db *DB) AnalyticsAgentDay(ctx context.Context, tenant, agentID, day string) ([]AnalyticsAgentDayRow, error) {
	var out []AnalyticsAgentDayRow
	for _, s := range agentDayRowSelects(`agent_id = ? AND bucket = ?`, `agent_id = ? AND bucket >= ? AND bucket <= ?`) {
		args := []any{tenant, agentID, day}
		if s.hourly {
			args = []any{tenant, agentID, day + " 00", day + " 23"}
		}
		var err error
		if out, err = db.scanAgentDayRows(ctx, out, s.q, args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// EachAnalyticsAgentDayRows streams every rollup row of a tenant, one agent
// at a time (the backfill). The agents are those with rollup rows of legs
// (agent_rollup) or of activity (agent_spans, whose days agent_day_times
// sums).
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
		for _, s := range agentDayRowSelects(`agent_id = ?`, `agent_id = ?`) {
			if rows, err = db.scanAgentDayRows(ctx, rows, s.q, tenant, a); err != nil {
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
		if err := rows.Scan(&r.Rollup, &r.AgentID, &r.Day, &r.Hour, &r.Media, &r.ServiceID, &r.TagID, &r.Kind, &r.Scope, &r.Reason,
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
