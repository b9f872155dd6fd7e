package analytics

import (
	"context"
	"fmt"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// The Relatório IVR from the engine: the same sums, counts and ranked paths
// as the store's IVRGroups, IVRTopPaths and IVRsIn, into the same structs,
// so the report package formats both alike. The store adds them up from
// ivr_rollup (one row per bucket, IVR, service and agent); the engine from
// its ivr_visits rows (latest version, FINAL), first per that same rollup
// key and then per group, as the rollup does.

// ivrWhere renders the scoped filter over ivr_visits aliased v, as the
// store's ivrWhere does (tenant and services first, then the filters).
func (r *Rastreio) ivrWhere(ctx context.Context, p model.Principal, f store.IVRFilter) (*store.Query, error) {
	if !r.CH.Ready() {
		return nil, ErrNotReady
	}
	q := store.NewLegQuery(p, "v")
	q.And("v.deleted = 0")
	if f.FromDate != "" {
		q.And("v.bucket >= ?", f.FromDate+" 00")
	}
	if f.ToDate != "" {
		q.And("v.bucket <= ?", f.ToDate+" 23")
	}
	if f.IVRs != nil {
		q.In("v.ivr_id", f.IVRs)
	}
	if f.Services != nil {
		q.In("v.service_id", f.Services)
	}
	if f.Agents != nil {
		q.In("v.agent_id", f.Agents)
	}
	if f.UserTags != nil {
		agents, err := r.DB.UserTagAgents(ctx, p.Tenant, f.UserTags)
		if err != nil {
			return nil, err
		}
		q.In("v.agent_id", agents)
	}
	return q, nil
}

// ivrKey is a grouping's expression over the columns prefix+bucket,
// ivr_id, service_id, agent_id, as store.groupExpr ("": one group, ”).
func ivrKey(by, prefix string) (string, error) {
	switch by {
	case store.ByIVR:
		return prefix + "ivr_id", nil
	case store.ByService:
		return prefix + "service_id", nil
	case store.ByAgent:
		return prefix + "agent_id", nil
	case store.ByHour:
		return "substring(" + prefix + "bucket, 12, 2)", nil
	case store.ByDay:
		return "substring(" + prefix + "bucket, 1, 10)", nil
	case "":
		return "''", nil
	}
	return "", fmt.Errorf("unknown grouping %q", by)
}

// ivrTables is what the Relatório IVR reads.
var ivrTables = []string{"ivr_visits"}

// readIVR runs one IVR read (see Engine.read) over f's months.
func readIVR[T any](ctx context.Context, r *Rastreio, f store.IVRFilter, fn func(reading) (T, error)) (T, error) {
	var out T
	err := r.CH.read(ctx, monthsScope(f.FromDate, f.ToDate), ivrTables, func(m reading) (err error) {
		out, err = fn(m)
		return err
	})
	return out, err
}

// IVRGroups answers as store.DB.IVRGroups.
func (r *Rastreio) IVRGroups(ctx context.Context, p model.Principal, f store.IVRFilter, by string) ([]store.IVRGroup, error) {
	return readIVR(ctx, r, f, func(m reading) ([]store.IVRGroup, error) { return r.ivrGroups(ctx, m, p, f, by) })
}

func (r *Rastreio) ivrGroups(ctx context.Context, m reading, p model.Principal, f store.IVRFilter, by string) ([]store.IVRGroup, error) {
	if by == "" {
		return nil, fmt.Errorf("unknown grouping %q", by)
	}
	key, err := ivrKey(by, "g_")
	if err != nil {
		return nil, err
	}
	q, err := r.ivrWhere(ctx, p, f)
	if err != nil {
		return nil, err
	}
	where, args := q.Where()
	// Aliases are visible in the whole query on ClickHouse: none shadows a
	// column.
	rows, err := r.CH.conn.Query(ctx, `SELECT `+key+` AS k,
		toInt64(sum(x_received)), toInt64(sum(x_finished)), toInt64(sum(x_transferred)),
		toInt64(sum(x_abandoned)), toInt64(sum(x_answered)), toInt64(sum(x_abandoned_q)),
		sum(x_ivr), sum(x_wait), toInt64(sum(x_wait_n)), sum(x_talk), toInt64(sum(x_talk_n)), toInt64(sum(x_sl))
		FROM (SELECT v.bucket AS g_bucket, v.ivr_id AS g_ivr_id, v.service_id AS g_service_id, v.agent_id AS g_agent_id,
			count() AS x_received, sum(v.outcome = 'finished') AS x_finished, sum(v.outcome = 'transferred') AS x_transferred,
			sum(v.outcome = 'abandoned') AS x_abandoned, sum(v.answered) AS x_answered, sum(v.abandoned_q) AS x_abandoned_q,
			sum(v.ivr_s) AS x_ivr, sum(ifNull(v.wait_s, 0)) AS x_wait, count(v.wait_s) AS x_wait_n,
			sum(ifNull(v.talk_s, 0)) AS x_talk, count(v.talk_s) AS x_talk_n, sum(v.sl) AS x_sl
			FROM `+m.from(r.CH, "ivr_visits", "v")+` WHERE `+where+`
			GROUP BY g_bucket, g_ivr_id, g_service_id, g_agent_id)
		GROUP BY k ORDER BY k`, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: ivr report: %w", err)
	}
	defer rows.Close()
	var out []store.IVRGroup
	for rows.Next() {
		var g store.IVRGroup
		if err := rows.Scan(&g.Key, &g.Received, &g.Finished, &g.Transferred, &g.Abandoned, &g.Answered, &g.AbandonedQ,
			&g.IVRSum, &g.WaitSum, &g.WaitN, &g.TalkSum, &g.TalkN, &g.SLN); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: ivr report: %w", err)
	}
	return out, nil
}

// IVRTopPaths answers as store.DB.IVRTopPaths: per group, the top most
// frequent non-empty paths, count descending then path (LIMIT n BY, where
// the store ranks with a window).
func (r *Rastreio) IVRTopPaths(ctx context.Context, p model.Principal, f store.IVRFilter, by string, top int) ([]store.PathCount, error) {
	return readIVR(ctx, r, f, func(m reading) ([]store.PathCount, error) { return r.ivrTopPaths(ctx, m, p, f, by, top) })
}

func (r *Rastreio) ivrTopPaths(ctx context.Context, m reading, p model.Principal, f store.IVRFilter, by string, top int) ([]store.PathCount, error) {
	key, err := ivrKey(by, "v.")
	if err != nil {
		return nil, err
	}
	q, err := r.ivrWhere(ctx, p, f)
	if err != nil {
		return nil, err
	}
	where, args := q.And("v.path != ''").Where()
	rows, err := r.CH.conn.Query(ctx, `SELECT k, p, toInt64(n) FROM (
			SELECT `+key+` AS k, v.path AS p, count() AS n FROM `+m.from(r.CH, "ivr_visits", "v")+` WHERE `+where+` GROUP BY k, p)
		ORDER BY k, n DESC, p LIMIT `+fmt.Sprint(top)+` BY k`, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: ivr paths: %w", err)
	}
	defer rows.Close()
	var out []store.PathCount
	for rows.Next() {
		var c store.PathCount
		if err := rows.Scan(&c.Key, &c.Path, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: ivr paths: %w", err)
	}
	return out, nil
}

// IVRsIn answers as store.DB.IVRsIn.
func (r *Rastreio) IVRsIn(ctx context.Context, p model.Principal, f store.IVRFilter) ([]string, error) {
	return readIVR(ctx, r, f, func(m reading) ([]string, error) { return r.ivrsIn(ctx, m, p, f) })
}

func (r *Rastreio) ivrsIn(ctx context.Context, m reading, p model.Principal, f store.IVRFilter) ([]string, error) {
	q, err := r.ivrWhere(ctx, p, f)
	if err != nil {
		return nil, err
	}
	where, args := q.Where()
	rows, err := r.CH.conn.Query(ctx, `SELECT DISTINCT v.ivr_id AS i FROM `+m.from(r.CH, "ivr_visits", "v")+` WHERE `+where+` ORDER BY i`, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: ivrs of report: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: ivrs of report: %w", err)
	}
	return out, nil
}
