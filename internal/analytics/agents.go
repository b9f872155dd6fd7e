package analytics

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// The Relatório de Agentes from the engine: the same leg sums, tag counts
// and logged-in/pause seconds as the store's AgentFigures and
// AgentLegCounts, into the same structs. The store reads its hourly or
// day-grain rollups (agent_rollup, agent_day_*, agent_spans,
// agent_day_times); the engine reads the same rollup rows, shipped from
// the store (agent_days, migration 7; agent_days.go), and adds them up as
// the store does. Only the hourly spans (an hour filter, or several
// media) are agent_spans, which the store reads too.

// agentFilters adds the agent-level filters (who, when) over a table
// aliased alias with agent_id and an hourly bucket — or, when day, the
// local day and hour columns day and hour (agent_days) —, as the store's
// agentFilters does (date range, hour range, agents, user tags, user
// status; the last two resolved in the store's directory).
func (r *Rastreio) agentFilters(ctx context.Context, q *store.Query, p model.Principal, f store.AgentFilter, alias string, day bool) error {
	switch {
	case day:
		if f.FromDate != "" {
			q.And(alias+".day >= ?", f.FromDate)
		}
		if f.ToDate != "" {
			q.And(alias+".day <= ?", f.ToDate)
		}
	default:
		if f.FromDate != "" {
			q.And(alias+".bucket >= ?", f.FromDate+" 00")
		}
		if f.ToDate != "" {
			q.And(alias+".bucket <= ?", f.ToDate+" 23")
		}
	}
	hour := "substring(" + alias + ".bucket, 12, 2)"
	if day {
		hour = alias + ".hour"
	}
	if f.HourFrom != "" {
		q.And(hour+" >= ?", f.HourFrom)
	}
	if f.HourTo != "" {
		q.And(hour+" <= ?", f.HourTo)
	}
	if f.Agents != nil {
		q.In(alias+".agent_id", f.Agents)
	}
	if f.UserTags != nil {
		agents, err := r.DB.UserTagAgents(ctx, p.Tenant, f.UserTags)
		if err != nil {
			return err
		}
		q.In(alias+".agent_id", agents)
	}
	if f.UserStatus != nil {
		agents, err := r.DB.UsersWithStatus(ctx, p.Tenant, f.UserStatus)
		if err != nil {
			return err
		}
		q.In(alias+".agent_id", agents)
	}
	return nil
}

func dayGrain(f store.AgentFilter) bool { return f.HourFrom == "" && f.HourTo == "" }

// AgentFigures answers as store.DB.AgentFigures.
func (r *Rastreio) AgentFigures(ctx context.Context, p model.Principal, f store.AgentFilter) (store.AgentFigures, error) {
	if !r.CH.Ready() {
		return store.AgentFigures{}, ErrNotReady
	}
	// Day rows answer the times of every media or one media, as in the
	// store (agent_day_times); another set of media reads the spans.
	dayTimes := dayGrain(f) && (f.Media == nil || len(f.Media) == 1)
	times := func(m reading, agents []string) ([]store.AgentTime, error) {
		if dayTimes {
			return r.agentDayTimes(ctx, m, p, f, agents)
		}
		return r.agentTimes(ctx, m, p, f, agents)
	}
	var out store.AgentFigures
	err := r.CH.read(ctx, monthsScope(f.FromDate, f.ToDate), agentTables, func(m reading) error {
		out = store.AgentFigures{}
		tasks := []func() error{
			func() (err error) { out.Legs, err = r.agentDayLegs(ctx, m, p, f); return },
			func() (err error) { out.Tags, err = r.agentDayTags(ctx, m, p, f); return },
		}
		scoped := p.Services != nil || f.Services != nil
		if !scoped {
			tasks = append(tasks, func() (err error) { out.Times, err = times(m, nil); return })
		}
		if err := runAll(tasks...); err != nil {
			return err
		}
		if scoped && len(out.Legs) > 0 {
			// Activity has no service: only the agents with legs in scope.
			withLegs := make([]string, len(out.Legs))
			for i, g := range out.Legs {
				withLegs[i] = g.Key
			}
			var err error
			if out.Times, err = times(m, withLegs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return store.AgentFigures{}, err
	}
	if len(out.Legs) == 0 && len(out.Times) == 0 {
		return store.AgentFigures{}, nil // the store answers nothing without candidates
	}
	return out, nil
}

// agentTables is what the Relatório de Agentes reads.
var agentTables = []string{"agent_spans", "agent_days"}

// agentTimes answers as the store's agentTimes: per agent (those of agents
// when not nil) the logged-in seconds — per local hour the largest login
// span of the media in scope (f.Media and the all-media logins ”), added
// up — then the pause seconds per reason (with media: per hour the longest
// part inside those logins, metrics.PausedSeconds), longest first, then
// reason. At day grain (no hour filter, at most one media) the store adds
// up per day first (agent_day_times), and so does this.
func (r *Rastreio) agentTimes(ctx context.Context, m reading, p model.Principal, f store.AgentFilter, agents []string) ([]store.AgentTime, error) {
	day := dayGrain(f) && len(f.Media) <= 1
	span := func(kind string) (string, []any, error) {
		// Spans have no service: the scope is the tenant and the agents,
		// taken from the scoped leg query when p or f is limited to
		// services (store.NewSpanQuery).
		q := store.NewSpanQuery(p, "s", kind).And("s.deleted = 0").And("s.agent_id != ''")
		if agents != nil {
			q.In("s.agent_id", agents)
		}
		if err := r.agentFilters(ctx, q, p, f, "s", false); err != nil {
			return "", nil, err
		}
		// day is the date of bucket: the same rows, and it prunes the
		// partitions (migration 6).
		if f.FromDate != "" {
			q.And("s.day >= ?", f.FromDate)
		}
		if f.ToDate != "" {
			q.And("s.day <= ?", f.ToDate)
		}
		if kind != "pause" && f.Media != nil && len(f.Media) == 0 {
			q.And("s.media = ''")
		} else if kind != "pause" && f.Media != nil {
			args := make([]any, len(f.Media))
			for i, m := range f.Media {
				args[i] = m
			}
			q.And("(s.media = '' OR s.media IN ("+qs(len(f.Media))+"))", args...)
		}
		w, a := q.Where()
		return w, a, nil
	}
	lw, largs, err := span("login")
	if err != nil {
		return nil, err
	}
	// Pauses: without media every pause whole (kind pause); with media
	// only their parts inside the logins of the media in scope (kind
	// pause_in), per hour and reason the longest, as logins.
	pauseKind := "pause"
	if f.Media != nil {
		pauseKind = "pause_in"
	}
	pw, pargs, err := span(pauseKind)
	if err != nil {
		return nil, err
	}
	spans := m.from(r.CH, "agent_spans", "s")
	loginQ := `SELECT a, sum(m) FROM (SELECT s.agent_id AS a, s.bucket AS b, max(s.seconds) AS m FROM ` + spans + ` WHERE ` + lw + ` GROUP BY a, b) GROUP BY a ORDER BY a`
	pauseQ := `SELECT a, rs, sum(sec) AS t FROM (SELECT s.agent_id AS a, s.reason AS rs, sum(s.seconds) AS sec FROM ` + spans + ` WHERE ` + pw + ` GROUP BY a, rs)
		GROUP BY a, rs ORDER BY a, t DESC, rs`
	if f.Media != nil {
		// The store adds the per-hour maxima up per day first at day grain;
		// sums of the same values, so both print the same.
		pauseQ = `SELECT a, rs, sum(m) AS t FROM (SELECT s.agent_id AS a, s.reason AS rs, s.bucket AS b, max(s.seconds) AS m
			FROM ` + spans + ` WHERE ` + pw + ` GROUP BY a, rs, b)
			GROUP BY a, rs ORDER BY a, t DESC, rs`
	}
	if day {
		loginQ = `SELECT a, sum(dm) FROM (SELECT a, substring(b, 1, 10) AS d, sum(m) AS dm FROM (
				SELECT s.agent_id AS a, s.bucket AS b, max(s.seconds) AS m FROM ` + spans + ` WHERE ` + lw + ` GROUP BY a, b)
			GROUP BY a, d) GROUP BY a ORDER BY a`
		pauseQ = `SELECT a, rs, sum(sec) AS t FROM (SELECT s.agent_id AS a, s.reason AS rs, substring(s.bucket, 1, 10) AS d, sum(s.seconds) AS sec
			FROM ` + spans + ` WHERE ` + pw + ` GROUP BY a, rs, d)
			GROUP BY a, rs ORDER BY a, t DESC, rs`
		if f.Media != nil {
			pauseQ = `SELECT a, rs, sum(dm) AS t FROM (SELECT a, rs, substring(b, 1, 10) AS d, sum(m) AS dm FROM (
					SELECT s.agent_id AS a, s.reason AS rs, s.bucket AS b, max(s.seconds) AS m FROM ` + spans + ` WHERE ` + pw + ` GROUP BY a, rs, b)
				GROUP BY a, rs, d)
				GROUP BY a, rs ORDER BY a, t DESC, rs`
		}
	}
	return r.loginsAndPauses(ctx, loginQ, largs, pauseQ, pargs)
}

// loginsAndPauses runs a logged-in and a pause query at once (columns
// agent, seconds; agent, reason, seconds) and lists their times per agent
// as mergeTimes does.
func (r *Rastreio) loginsAndPauses(ctx context.Context, loginQ string, largs []any, pauseQ string, pargs []any) ([]store.AgentTime, error) {
	var logins, pauses []store.AgentTime
	err := runAll(
		func() error { return r.times(ctx, loginQ, largs, "login", &logins) },
		func() error { return r.times(ctx, pauseQ, pargs, "pause", &pauses) },
	)
	if err != nil {
		return nil, err
	}
	return mergeTimes(logins, pauses), nil
}

// mergeTimes lists per agent its login, then its pauses (each list is
// ordered by agent).
func mergeTimes(logins, pauses []store.AgentTime) []store.AgentTime {
	out := make([]store.AgentTime, 0, len(logins)+len(pauses))
	i, j := 0, 0
	for i < len(logins) || j < len(pauses) {
		if j == len(pauses) || (i < len(logins) && logins[i].AgentID <= pauses[j].AgentID) {
			out = append(out, logins[i])
			i++
		} else {
			out = append(out, pauses[j])
			j++
		}
	}
	return out
}

func (r *Rastreio) times(ctx context.Context, q string, args []any, kind string, out *[]store.AgentTime) error {
	rows, err := r.CH.conn.Query(r.perAgentOnShards(ctx), q, args...)
	if err != nil {
		return fmt.Errorf("analytics: agent activity: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t := store.AgentTime{Kind: kind}
		dest := []any{&t.AgentID, &t.Seconds}
		if kind == "pause" {
			dest = []any{&t.AgentID, &t.Reason, &t.Seconds}
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		*out = append(*out, t)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("analytics: agent activity: %w", err)
	}
	return nil
}

// perAgentOnShards lets the shards answer final groups of a query whose
// Distributed read groups by agent first: every version of an agent's
// spans and rollup rows is on one shard (both sharded by (tenant,
// agent_id)), so each shard's groups are complete and the initiator only
// unions them instead of merging every (agent, …) state. Measured on two
// shards, 10 M legs, October's logins: 0.55 s → 0.29 s, the same rows
// (BENCHMARKS.md, quiet machine).
func (r *Rastreio) perAgentOnShards(ctx context.Context) context.Context {
	if r.CH.cfg.Cluster == "" {
		return ctx
	}
	return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"distributed_group_by_no_merge": 1}))
}

// AgentLegCounts answers as store.DB.AgentLegCounts: leg counts by ByHour
// (the hourly rows, every hour when no hour filter is given, as the store)
// or ByDay, ordered by key.
func (r *Rastreio) AgentLegCounts(ctx context.Context, p model.Principal, f store.AgentFilter, by string) ([]store.AgentLegs, error) {
	key := "r.day"
	switch by {
	case store.ByHour:
		key = "r.hour"
		f.HourFrom, f.HourTo = nonEmpty(f.HourFrom, "00"), nonEmpty(f.HourTo, "23")
	case store.ByDay:
	default:
		return nil, fmt.Errorf("unknown agents chart grouping %q", by)
	}
	q, err := r.agentDayLegWhere(ctx, p, f, false)
	if err != nil {
		return nil, err
	}
	where, args := q.Where()
	var out []store.AgentLegs
	err = r.CH.read(ctx, monthsScope(f.FromDate, f.ToDate), agentDayTables, func(m reading) error {
		out = nil
		rows, err := r.CH.conn.Query(ctx, `SELECT `+key+` AS k, toInt64(sum(r.completed)), toInt64(sum(r.transferred)), toInt64(sum(r.other))
			FROM `+m.from(r.CH, "agent_days", "r")+` WHERE `+where+` GROUP BY k ORDER BY k`, args...)
		if err != nil {
			return fmt.Errorf("analytics: agents chart: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var g store.AgentLegs
			if err := rows.Scan(&g.Key, &g.Completed, &g.Transferred, &g.Other); err != nil {
				return err
			}
			out = append(out, g)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("analytics: agents chart: %w", err)
		}
		return nil
	})
	return out, err
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// runAll runs independent queries at once and returns the first error (in
// task order).
func runAll(tasks ...func() error) error {
	errs := make([]error, len(tasks))
	done := make(chan int, len(tasks))
	for i, t := range tasks {
		go func() { errs[i] = t(); done <- i }()
	}
	for range tasks {
		<-done
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
