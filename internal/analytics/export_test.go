package analytics

import (
	"context"

	"github.com/rastro/rastro/internal/store"
)

// Hooks for the external tests.

// LegReadsFinal reports whether a read of every period of the legs would
// take FINAL (some partition holds several parts on a host).
func (e *Engine) LegReadsFinal(ctx context.Context) (bool, error) {
	p, err := e.parts(ctx, partScope{}, legTables)
	return !p.settled("legs"), err
}

// ReadLegs runs fn as a read of every period of the legs (Engine.read),
// telling it whether this run reads them FINAL.
func (e *Engine) ReadLegs(ctx context.Context, fn func(final bool) error) error {
	return e.read(ctx, partScope{}, legTables, func(m reading) error {
		return fn(m.final == nil || m.final["legs"])
	})
}

// LiveAgentDayRows lists the day rollup rows the engine holds for a tenant
// (latest version, not deleted), as the store reads them.
func (e *Engine) LiveAgentDayRows(ctx context.Context, tenant string) ([]store.AnalyticsAgentDayRow, error) {
	rows, err := e.conn.Query(ctx, `SELECT `+agentDayKeyCols+`, completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n,
			tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n, n, seconds
		FROM `+e.table("agent_days")+` FINAL WHERE tenant = ? AND deleted = 0`, tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.AnalyticsAgentDayRow
	for rows.Next() {
		var r store.AnalyticsAgentDayRow
		g := &r.Legs
		if err := rows.Scan(&r.AgentID, &r.Day, &r.Hour, &r.Rollup, &r.Media, &r.ServiceID, &r.TagID, &r.Kind, &r.Scope, &r.Reason,
			&g.Completed, &g.Transferred, &g.Other, &g.DurSum, &g.DurN, &g.TM1RSum, &g.TM1RN,
			&g.TMRSum, &g.TMRN, &g.TMPSum, &g.TMPN, &g.TMISum, &g.TMIN, &r.N, &r.Seconds); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// LiveIVRRollupRows lists the IVR rollup rows the engine holds for a
// tenant (latest version, not deleted), as the store reads them.
func (e *Engine) LiveIVRRollupRows(ctx context.Context, tenant string) ([]store.AnalyticsIVRRow, error) {
	rows, err := e.conn.Query(ctx, `SELECT `+ivrRollupKeyCols+`, received, finished, transferred, abandoned, answered, abandoned_q,
			ivr_sum, wait_sum, wait_n, talk_sum, talk_n, sl_n, n
		FROM `+e.table("ivr_rollups")+` FINAL WHERE tenant = ? AND deleted = 0`, tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.AnalyticsIVRRow
	for rows.Next() {
		var r store.AnalyticsIVRRow
		g, k := &r.Sums, &r.Key
		if err := rows.Scan(&r.Rollup, &k.Bucket, &k.IVRID, &k.ServiceID, &k.AgentID, &r.Path,
			&g.Received, &g.Finished, &g.Transferred, &g.Abandoned, &g.Answered, &g.AbandonedQ,
			&g.IVRSum, &g.WaitSum, &g.WaitN, &g.TalkSum, &g.TalkN, &g.SLN, &r.N); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
