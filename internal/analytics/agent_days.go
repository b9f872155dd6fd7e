package analytics

import (
	"context"
	"fmt"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// The Relatório de Agentes from agent_days: the store's rollup rows
// (store/analytics_agent_days.go), read with the store's own choice of
// rollup and its own queries, so both add up the same rows. A month is a
// few rows per agent and day (or hour, with an hour filter), whatever the
// number of legs behind them.

// agentDayTables is what the day-grain reads take.
var agentDayTables = []string{"agent_days"}

// agentDayLegWhere scopes a read of the leg (or, tags, tag) rows of
// agent_days aliased r as the store's agentLegWhere over the table it
// reads (store.AgentFilter.agentTable): the principal's tenant and
// services first (NewLegQuery); the rows of every media and service
// (hour_total, hour_tag_total with an hour filter; total, tag_total at day
// grain) when neither the principal nor the filter limits them, else those
// per media and service (hourly with an hour filter).
func (r *Rastreio) agentDayLegWhere(ctx context.Context, p model.Principal, f store.AgentFilter, tags bool) (*store.Query, error) {
	if !r.CH.Ready() {
		return nil, ErrNotReady
	}
	total := f.Media == nil && f.Services == nil && p.Services == nil
	rollup := store.RollupDayLegs
	switch {
	case !dayGrain(f) && total:
		rollup = store.RollupHourTotal
	case !dayGrain(f):
		rollup = store.RollupHourLegs
	case total:
		rollup = store.RollupDayTotal
	}
	if tags {
		rollup = map[string]string{store.RollupDayLegs: store.RollupDayTags, store.RollupDayTotal: store.RollupDayTagTotal,
			store.RollupHourLegs: store.RollupHourTags, store.RollupHourTotal: store.RollupHourTagTotal}[rollup]
	}
	q := store.NewLegQuery(p, "r").And("r.rollup = ?", rollup).And("r.deleted = 0").And("r.agent_id != ''")
	if f.Media != nil {
		q.In("r.media", f.Media)
	}
	if f.Services != nil {
		q.In("r.service_id", f.Services)
	}
	if err := r.agentFilters(ctx, q, p, f, "r", true); err != nil {
		return nil, err
	}
	return q, nil
}

// agentDayLegs answers the leg sums per agent, added up on the shards:
// every version of an agent's rows is on one shard (sharded by (tenant,
// agent_id)), and the sums of seconds are whole microseconds (microsSQL,
// the store's agentSums), exact in any order, so each shard's groups are
// the store's figures and the engine returns one row per agent instead of
// every rollup row (at 10 M legs, hours 08–12: ~594k hourly rows, which Go
// used to add up in the store's index order to match its float sums).
func (r *Rastreio) agentDayLegs(ctx context.Context, m reading, p model.Principal, f store.AgentFilter) ([]store.AgentLegs, error) {
	q, err := r.agentDayLegWhere(ctx, p, f, false)
	if err != nil {
		return nil, err
	}
	where, args := q.Where()
	rows, err := r.CH.conn.Query(r.perAgentOnShards(ctx), `SELECT a, sum(c), sum(t), sum(o), sum(ds), sum(dn), sum(s1), sum(n1), sum(sr), sum(nr), sum(sp), sum(np), sum(si), sum(ni)
		FROM (SELECT r.agent_id AS a, toInt64(sum(r.completed)) AS c, toInt64(sum(r.transferred)) AS t, toInt64(sum(r.other)) AS o,
				toInt64(sum(`+microsSQL("r.dur_sum")+`)) AS ds, toInt64(sum(r.dur_n)) AS dn,
				toInt64(sum(`+microsSQL("r.tm1r_sum")+`)) AS s1, toInt64(sum(r.tm1r_n)) AS n1,
				toInt64(sum(`+microsSQL("r.tmr_sum")+`)) AS sr, toInt64(sum(r.tmr_n)) AS nr,
				toInt64(sum(`+microsSQL("r.tmp_sum")+`)) AS sp, toInt64(sum(r.tmp_n)) AS np,
				toInt64(sum(`+microsSQL("r.tmi_sum")+`)) AS si, toInt64(sum(r.tmi_n)) AS ni
			FROM `+m.from(r.CH, "agent_days", "r")+` WHERE `+where+` GROUP BY a)
		GROUP BY a ORDER BY a`, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: agents report: %w", err)
	}
	defer rows.Close()
	var out []store.AgentLegs
	for rows.Next() {
		g, err := store.ScanAgentLegMicros(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("analytics: agents report: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: agents report: %w", err)
	}
	return out, nil
}

// microsSQL rounds col, non-negative seconds, to whole microseconds as the
// store's microsSQL does: floor(col·10⁶ + 0.5), the same IEEE double
// operations, so a rollup row shipped from the store gives the store's
// integer.
func microsSQL(col string) string { return "toInt64(floor(" + col + " * 1000000 + 0.5))" }

// agentDayTags counts the agents' legs per tag: per agent, most used
// first, then tag id.
func (r *Rastreio) agentDayTags(ctx context.Context, m reading, p model.Principal, f store.AgentFilter) ([]store.AgentTagCount, error) {
	q, err := r.agentDayLegWhere(ctx, p, f, true)
	if err != nil {
		return nil, err
	}
	where, args := q.Where()
	rows, err := r.CH.conn.Query(ctx, `SELECT a, tg, c FROM (
			SELECT r.agent_id AS a, r.tag_id AS tg, toInt64(sum(r.n)) AS c FROM `+m.from(r.CH, "agent_days", "r")+` WHERE `+where+` GROUP BY a, tg)
		ORDER BY a, c DESC, tg`, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: agent tags: %w", err)
	}
	defer rows.Close()
	var out []store.AgentTagCount
	for rows.Next() {
		var c store.AgentTagCount
		if err := rows.Scan(&c.AgentID, &c.TagID, &c.N); err != nil {
			return nil, fmt.Errorf("analytics: agent tags: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: agent tags: %w", err)
	}
	return out, nil
}

// agentDayTimes answers as the store's agentTimes at day grain (every media
// or one media: f.Media nil or of one media), from the rows of
// agent_day_times: per agent (those of agents when not nil) the logged-in
// seconds — per day the largest of the rows of the media in scope ('*':
// every media; else the media's and the all-media logins'), added up —,
// then the pause seconds per reason, longest first, then reason.
func (r *Rastreio) agentDayTimes(ctx context.Context, m reading, p model.Principal, f store.AgentFilter, agents []string) ([]store.AgentTime, error) {
	span := func(kind string) (*store.Query, error) {
		// The rows have no service: the scope is the tenant and the
		// agents, taken from the scoped leg rows when p or f is limited to
		// services (store.NewSpanQuery).
		q := store.NewSpanQuery(p, "s", kind).And("s.rollup = ?", store.RollupDayTimes).And("s.deleted = 0").And("s.agent_id != ''")
		if agents != nil {
			q.In("s.agent_id", agents)
		}
		if err := r.agentFilters(ctx, q, p, f, "s", true); err != nil {
			return nil, err
		}
		return q, nil
	}
	pauseKind := "pause"
	if f.Media != nil {
		pauseKind = "pause_in"
	}
	lq, err := span("login")
	if err != nil {
		return nil, err
	}
	pq, err := span(pauseKind)
	if err != nil {
		return nil, err
	}
	lq.And("s.reason = ''")
	if f.Media == nil {
		lq.And("s.scope = '*'")
		pq.And("s.scope = ''")
	} else {
		lq.And("s.scope IN (?, '')", f.Media[0])
		pq.And("s.scope IN (?, '')", f.Media[0])
	}
	lw, largs := lq.Where()
	pw, pargs := pq.Where()
	days := m.from(r.CH, "agent_days", "s")
	loginQ := `SELECT a, sum(x) FROM (SELECT s.agent_id AS a, s.day AS d, max(s.seconds) AS x FROM ` + days + ` WHERE ` + lw + ` GROUP BY a, d)
		GROUP BY a ORDER BY a`
	pauseQ := `SELECT a, rs, t FROM (SELECT s.agent_id AS a, s.reason AS rs, sum(s.seconds) AS t FROM ` + days + ` WHERE ` + pw + ` GROUP BY a, rs)
		ORDER BY a, t DESC, rs`
	if f.Media != nil {
		pauseQ = `SELECT a, rs, t FROM (SELECT a, rs, sum(x) AS t FROM (
				SELECT s.agent_id AS a, s.reason AS rs, s.day AS d, max(s.seconds) AS x FROM ` + days + ` WHERE ` + pw + ` GROUP BY a, rs, d)
			GROUP BY a, rs) ORDER BY a, t DESC, rs`
	}
	return r.loginsAndPauses(ctx, loginQ, largs, pauseQ, pargs)
}
