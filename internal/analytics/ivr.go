package analytics

import (
	"context"
	"fmt"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// The Relatório IVR from the engine: the store's IVRGroups, IVRTopPaths
// and IVRsIn read its IVR rollups (ivr_rollup, ivr_path_rollup) whatever
// the filters (each is a column of their key), and so does the engine, from
// its copy of their rows (ivr_rollups, migration 8; ivr_rollups_ship.go),
// into the same structs: both add up the same rows, so the report package
// formats the same figures (the Nível de serviço included: sl_n is the
// store's, with sl_seconds as of derivation). A month is a few rows per
// local hour and key, however many visits they sum.

// ivrWhere renders the scoped filter over one rollup (store.RollupIVR or
// store.RollupIVRPaths) of ivr_rollups aliased r, as the store's ivrWhere
// does (tenant and services first, then the filters).
func (r *Rastreio) ivrWhere(ctx context.Context, p model.Principal, f store.IVRFilter, rollup string) (*store.Query, error) {
	if !r.CH.Ready() {
		return nil, ErrNotReady
	}
	q := store.NewLegQuery(p, "r").And("r.rollup = ?", rollup).And("r.deleted = 0")
	if f.FromDate != "" {
		q.And("r.bucket >= ?", f.FromDate+" 00")
	}
	if f.ToDate != "" {
		q.And("r.bucket <= ?", f.ToDate+" 23")
	}
	if f.IVRs != nil {
		q.In("r.ivr_id", f.IVRs)
	}
	if f.Services != nil {
		q.In("r.service_id", f.Services)
	}
	if f.Agents != nil {
		q.In("r.agent_id", f.Agents)
	}
	if f.UserTags != nil {
		agents, err := r.DB.UserTagAgents(ctx, p.Tenant, f.UserTags)
		if err != nil {
			return nil, err
		}
		q.In("r.agent_id", agents)
	}
	return q, nil
}

// ivrKey is a grouping's expression over the rollup aliased r, as
// store.groupExpr ("": one group with the empty key).
func ivrKey(by string) (string, error) {
	switch by {
	case store.ByIVR:
		return "r.ivr_id", nil
	case store.ByService:
		return "r.service_id", nil
	case store.ByAgent:
		return "r.agent_id", nil
	case store.ByHour:
		return "substring(r.bucket, 12, 2)", nil
	case store.ByDay:
		return "substring(r.bucket, 1, 10)", nil
	case "":
		return "''", nil
	}
	return "", fmt.Errorf("unknown grouping %q", by)
}

// ivrTables is what the Relatório IVR reads.
var ivrTables = []string{"ivr_rollups"}

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
	key, err := ivrKey(by)
	if err != nil {
		return nil, err
	}
	q, err := r.ivrWhere(ctx, p, f, store.RollupIVR)
	if err != nil {
		return nil, err
	}
	where, args := q.Where()
	// Aliases are visible in the whole query on ClickHouse: none shadows a
	// column (k, x_*).
	rows, err := r.CH.conn.Query(ctx, `SELECT `+key+` AS k,
		toInt64(sum(r.received)) AS x_received, toInt64(sum(r.finished)) AS x_finished, toInt64(sum(r.transferred)) AS x_transferred,
		toInt64(sum(r.abandoned)) AS x_abandoned, toInt64(sum(r.answered)) AS x_answered, toInt64(sum(r.abandoned_q)) AS x_abandoned_q,
		sum(r.ivr_sum) AS x_ivr, sum(r.wait_sum) AS x_wait, toInt64(sum(r.wait_n)) AS x_wait_n,
		sum(r.talk_sum) AS x_talk, toInt64(sum(r.talk_n)) AS x_talk_n, toInt64(sum(r.sl_n)) AS x_sl
		FROM `+m.from(r.CH, "ivr_rollups", "r")+` WHERE `+where+`
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
	key, err := ivrKey(by)
	if err != nil {
		return nil, err
	}
	q, err := r.ivrWhere(ctx, p, f, store.RollupIVRPaths)
	if err != nil {
		return nil, err
	}
	where, args := q.And("r.path != ''").Where()
	rows, err := r.CH.conn.Query(ctx, `SELECT k, p, toInt64(c) FROM (
			SELECT `+key+` AS k, r.path AS p, sum(r.n) AS c FROM `+m.from(r.CH, "ivr_rollups", "r")+` WHERE `+where+` GROUP BY k, p)
		ORDER BY k, c DESC, p LIMIT `+fmt.Sprint(top)+` BY k`, args...)
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
	q, err := r.ivrWhere(ctx, p, f, store.RollupIVR)
	if err != nil {
		return nil, err
	}
	where, args := q.Where()
	rows, err := r.CH.conn.Query(ctx, `SELECT DISTINCT r.ivr_id AS i FROM `+m.from(r.CH, "ivr_rollups", "r")+` WHERE `+where+` ORDER BY i`, args...)
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
