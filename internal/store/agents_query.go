package store

import (
	"context"
	"fmt"

	"github.com/rastro/rastro/internal/model"
)

// AgentFilter is a Relatório de Agentes search, validated by the report
// package.
type AgentFilter struct {
	Media            []string // nil = every media
	FromDate, ToDate string   // local dates AAAA-MM-DD, inclusive; "" = open
	HourFrom, HourTo string   // local hours "HH", inclusive (the rollups' grain is the hour); "" = open
	Services         []string // legs of these services (not logged-in/pause time)
	UserTags         []string // agents having any of these user tags
	Agents           []string
	UserStatus       []string // agents whose directory status is one of these (ativo, inativo)
}

// scoped says whether the agents shown must be limited to those with legs in
// the principal's or the filter's services (agent activity has no service).
func (f AgentFilter) scoped(p model.Principal) bool { return p.Services != nil || f.Services != nil }

// AgentLegs is one group of the Agentes rollup: leg counts and metric sums
// (each average is Sum/N over the legs where the metric applies).
type AgentLegs struct {
	Key                           string
	Completed, Transferred, Other int64
	DurSum                        float64
	DurN                          int64
	TM1RSum                       float64
	TM1RN                         int64
	TMRSum                        float64
	TMRN                          int64
	TMPSum                        float64
	TMPN                          int64
	TMISum                        float64
	TMIN                          int64
}

// agentFilters adds the agent-level filters (who the agent is, when) to a
// query over a table aliased alias with agent_id and bucket.
func agentFilters(q *Query, p model.Principal, f AgentFilter, alias string) {
	bucketRange(q, alias, f.FromDate, f.ToDate)
	if f.HourFrom != "" {
		q.And("SUBSTR("+alias+".bucket, 12, 2) >= ?", f.HourFrom)
	}
	if f.HourTo != "" {
		q.And("SUBSTR("+alias+".bucket, 12, 2) <= ?", f.HourTo)
	}
	if f.Agents != nil {
		q.In(alias+".agent_id", f.Agents)
	}
	if f.UserTags != nil {
		userTagsIn(q, p.Tenant, alias+".agent_id", f.UserTags)
	}
	if f.UserStatus != nil {
		sub, args := inList(f.UserStatus)
		q.And(alias+".agent_id IN (SELECT u.id FROM users u WHERE u.tenant = ? AND u.status IN ("+sub+"))", append([]any{p.Tenant}, args...)...)
	}
}

// agentLegWhere scopes a query over agent_rollup or agent_tag_rollup aliased
// alias. Legs without an agent (never delivered) belong to no row.
func agentLegWhere(p model.Principal, f AgentFilter, alias string) *Query {
	q := NewLegQuery(p, alias)
	q.And(alias + ".agent_id <> ''")
	if f.Media != nil {
		q.In(alias+".media", f.Media)
	}
	if f.Services != nil {
		q.In(alias+".service_id", f.Services)
	}
	agentFilters(q, p, f, alias)
	return q
}

// AgentLegGroups adds up agent_rollup by ByAgent, ByHour or ByDay, ordered
// by key.
func (db *DB) AgentLegGroups(ctx context.Context, p model.Principal, f AgentFilter, by string) ([]AgentLegs, error) {
	if by != ByAgent && by != ByHour && by != ByDay {
		return nil, fmt.Errorf("unknown agents grouping %q", by)
	}
	key, _ := groupExpr("r", by)
	where, args := agentLegWhere(p, f, "r").Where()
	rows, err := db.query(ctx, db.r, `SELECT `+key+`,
		CAST(SUM(r.completed) AS BIGINT), CAST(SUM(r.transferred) AS BIGINT), CAST(SUM(r.other) AS BIGINT),
		SUM(r.dur_sum), CAST(SUM(r.dur_n) AS BIGINT), SUM(r.tm1r_sum), CAST(SUM(r.tm1r_n) AS BIGINT),
		SUM(r.tmr_sum), CAST(SUM(r.tmr_n) AS BIGINT), SUM(r.tmp_sum), CAST(SUM(r.tmp_n) AS BIGINT),
		SUM(r.tmi_sum), CAST(SUM(r.tmi_n) AS BIGINT)
		FROM agent_rollup r WHERE `+where+` GROUP BY `+key+` ORDER BY `+key, args...)
	if err != nil {
		return nil, fmt.Errorf("agents report: %w", err)
	}
	defer rows.Close()
	var out []AgentLegs
	for rows.Next() {
		var g AgentLegs
		if err := rows.Scan(&g.Key, &g.Completed, &g.Transferred, &g.Other, &g.DurSum, &g.DurN, &g.TM1RSum, &g.TM1RN,
			&g.TMRSum, &g.TMRN, &g.TMPSum, &g.TMPN, &g.TMISum, &g.TMIN); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// AgentTagCount is how many of an agent's legs were finalized with a tag.
type AgentTagCount struct {
	AgentID, TagID string
	N              int64
}

// AgentTagCounts adds up agent_tag_rollup per agent and tag, most used
// first.
func (db *DB) AgentTagCounts(ctx context.Context, p model.Principal, f AgentFilter) ([]AgentTagCount, error) {
	where, args := agentLegWhere(p, f, "r").Where()
	rows, err := db.query(ctx, db.r, `SELECT r.agent_id, r.tag_id, CAST(SUM(r.n) AS BIGINT) FROM agent_tag_rollup r WHERE `+where+
		` GROUP BY r.agent_id, r.tag_id ORDER BY r.agent_id, 3 DESC, r.tag_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("agent tags: %w", err)
	}
	defer rows.Close()
	var out []AgentTagCount
	for rows.Next() {
		var c AgentTagCount
		if err := rows.Scan(&c.AgentID, &c.TagID, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AgentTime is logged-in time (Kind "login", Reason "") or pause time of
// one reason (Kind "pause") of an agent, in seconds.
type AgentTime struct {
	AgentID, Kind, Reason string
	Seconds               float64
}

// spanWhere scopes a query over agent_spans aliased s. Spans have no service:
// a principal (or a filter) limited to services sees the activity of the
// agents that have legs in those services under the same filters; the scope
// itself comes from NewLegQuery over agent_rollup.
func spanWhere(p model.Principal, f AgentFilter) *Query {
	q := &Query{}
	q.And("s.tenant = ?", p.Tenant)
	agentFilters(q, p, f, "s")
	if f.scoped(p) {
		sub, args := agentLegWhere(p, f, "r").Where()
		q.And("s.agent_id IN (SELECT DISTINCT r.agent_id FROM agent_rollup r WHERE "+sub+")", args...)
	}
	return q
}

// AgentTimes returns per agent the logged-in seconds and the pause seconds
// per reason, ordered by agent, kind, seconds descending, reason.
//
// Logged-in time: per local hour, the largest of the agent's login spans of
// the media in scope (Media ∪ the all-media login ""), added up over the
// hours. Logins of several media at once therefore count once (exact when
// they overlap within the hour; a lower bound when, inside one hour, they
// follow one another). Pause time is per agent, whatever the media.
func (db *DB) AgentTimes(ctx context.Context, p model.Principal, f AgentFilter) ([]AgentTime, error) {
	lq := spanWhere(p, f).And("s.kind = ?", "login")
	if f.Media != nil {
		sub, args := inList(f.Media)
		lq.And("(s.media = '' OR s.media IN ("+sub+"))", args...)
	}
	lw, largs := lq.Where()
	pw, pargs := spanWhere(p, f).And("s.kind = ?", "pause").Where()
	rows, err := db.query(ctx, db.r, `SELECT x.agent_id, 'login', '', SUM(x.m) FROM (
			SELECT s.agent_id AS agent_id, s.bucket AS bucket, MAX(s.seconds) AS m FROM agent_spans s WHERE `+lw+` GROUP BY s.agent_id, s.bucket
		) x GROUP BY x.agent_id
		UNION ALL
		SELECT s.agent_id, 'pause', s.reason, SUM(s.seconds) FROM agent_spans s WHERE `+pw+` GROUP BY s.agent_id, s.reason
		ORDER BY 1, 2, 4 DESC, 3`, append(largs, pargs...)...)
	if err != nil {
		return nil, fmt.Errorf("agent activity: %w", err)
	}
	defer rows.Close()
	var out []AgentTime
	for rows.Next() {
		var t AgentTime
		if err := rows.Scan(&t.AgentID, &t.Kind, &t.Reason, &t.Seconds); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
