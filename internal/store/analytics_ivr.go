package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// The IVR rollups as the analytics engine stores them: the Relatório IVR
// reads ivr_rollup and ivr_path_rollup whatever its filters (every filter
// is a column of their key), so the engine holds a copy of their rows and
// adds up the same numbers, a few rows per hour and key instead of every
// IVR visit of the period (BENCHMARKS.md: the month's IVR groupings at
// 10 M legs read every visit, 267–351 ms p95). RefreshIVRRollups keeps
// them exact per key; every key it recomputes is announced ('ivr_key'
// outbox entries), and the shipper sends that key's rows (or a tombstone
// for the rows that vanished).

// The rollups an AnalyticsIVRRow comes from.
const (
	RollupIVR      = "ivr"   // ivr_rollup: per local hour bucket, IVR, service and agent
	RollupIVRPaths = "paths" // ivr_path_rollup: the same key and an option path
)

// OutboxIVRKey entries name an IVR rollup key (IVRKey.Text): ship its
// ivr_rollup and ivr_path_rollup rows.
const OutboxIVRKey = "ivr_key"

// Text is the outbox key of an IVR rollup key: a JSON array of bucket, IVR,
// service and agent (ids may hold any character).
func (k IVRKey) Text() string {
	b, _ := json.Marshal([]string{k.Bucket, k.IVRID, k.ServiceID, k.AgentID})
	return string(b)
}

// ParseIVRKey undoes IVRKey.Text.
func ParseIVRKey(s string) (IVRKey, error) {
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil || len(v) != 4 {
		return IVRKey{}, fmt.Errorf("bad IVR rollup key %q: want a JSON array of bucket, IVR, service and agent", s)
	}
	return IVRKey{v[0], v[1], v[2], v[3]}, nil
}

// announceIVRKey adds an outbox entry for a recomputed IVR rollup key when
// analytics is on.
func (t *Tx) announceIVRKey(ctx context.Context, k IVRKey) error {
	on, err := t.analyticsOn(ctx)
	if err != nil || !on {
		return err
	}
	return t.queueOutbox(ctx, OutboxIVRKey, k.Text())
}

// AnalyticsIVRRow is one row of an IVR rollup: Rollup says which; Path is
// "" in ivr_rollup rows, Sums is zero in ivr_path_rollup rows (Sums.Key
// unused), N their count.
type AnalyticsIVRRow struct {
	Rollup string
	Key    IVRKey
	Path   string
	Sums   IVRGroup
	N      int64
}

// ivrRowSelects read both rollups' rows matching cond (over their common
// key columns) in one shape: rollup, bucket, ivr_id, service_id, agent_id,
// path, the sums, n.
func ivrRowSelects(cond string) [2]string {
	const zero = `CAST(0 AS DOUBLE PRECISION)` // a float 0 both stores scan as one
	return [2]string{
		`SELECT '` + RollupIVR + `', bucket, ivr_id, service_id, agent_id, '',
			received, finished, transferred, abandoned, answered, abandoned_q,
			ivr_sum, wait_sum, wait_n, talk_sum, talk_n, sl_n, 0 FROM ivr_rollup WHERE tenant = ? AND ` + cond,
		`SELECT '` + RollupIVRPaths + `', bucket, ivr_id, service_id, agent_id, path,
			0, 0, 0, 0, 0, 0, ` + zero + `, ` + zero + `, 0, ` + zero + `, 0, 0, n FROM ivr_path_rollup WHERE tenant = ? AND ` + cond,
	}
}

// AnalyticsIVRRows reads the rows of both IVR rollups of some keys.
func (db *DB) AnalyticsIVRRows(ctx context.Context, tenant string, keys []IVRKey) ([]AnalyticsIVRRow, error) {
	var out []AnalyticsIVRRow
	selects := ivrRowSelects(`bucket = ? AND ivr_id = ? AND service_id = ? AND agent_id = ?`)
	for _, k := range keys {
		for _, q := range selects {
			var err error
			if out, err = db.scanIVRRows(ctx, out, q, tenant, k.Bucket, k.IVRID, k.ServiceID, k.AgentID); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// EachAnalyticsIVRRows streams every row of both IVR rollups of a tenant,
// chunk rows at a time in key order (the backfill).
func (db *DB) EachAnalyticsIVRRows(ctx context.Context, tenant string, chunk int, fn func([]AnalyticsIVRRow) error) error {
	// Keyset pages over each table's primary key (tenant, bucket, ivr_id,
	// service_id, agent_id[, path]).
	const key = `bucket, ivr_id, service_id, agent_id`
	limit := ` LIMIT ` + fmt.Sprint(chunk)
	pages := []struct {
		q    string
		args func(after AnalyticsIVRRow) []any
	}{
		{ivrRowSelects(`(` + key + `) > (?, ?, ?, ?) ORDER BY ` + key + limit)[0], func(a AnalyticsIVRRow) []any {
			return []any{tenant, a.Key.Bucket, a.Key.IVRID, a.Key.ServiceID, a.Key.AgentID}
		}},
		{ivrRowSelects(`(` + key + `, path) > (?, ?, ?, ?, ?) ORDER BY ` + key + `, path` + limit)[1], func(a AnalyticsIVRRow) []any {
			return []any{tenant, a.Key.Bucket, a.Key.IVRID, a.Key.ServiceID, a.Key.AgentID, a.Path}
		}},
	}
	for _, p := range pages {
		after := AnalyticsIVRRow{}
		for {
			rows, err := db.scanIVRRows(ctx, nil, p.q, p.args(after)...)
			if err != nil {
				return err
			}
			if len(rows) > 0 {
				if err := fn(rows); err != nil {
					return err
				}
			}
			if len(rows) < chunk {
				break
			}
			after = rows[len(rows)-1]
		}
	}
	return nil
}

func (db *DB) scanIVRRows(ctx context.Context, out []AnalyticsIVRRow, q string, args ...any) ([]AnalyticsIVRRow, error) {
	rows, err := db.query(ctx, db.r, q, args...)
	if err != nil {
		return nil, fmt.Errorf("ivr rollups for analytics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r AnalyticsIVRRow
		g, k := &r.Sums, &r.Key
		if err := rows.Scan(&r.Rollup, &k.Bucket, &k.IVRID, &k.ServiceID, &k.AgentID, &r.Path,
			&g.Received, &g.Finished, &g.Transferred, &g.Abandoned, &g.Answered, &g.AbandonedQ,
			&g.IVRSum, &g.WaitSum, &g.WaitN, &g.TalkSum, &g.TalkN, &g.SLN, &r.N); err != nil {
			return nil, fmt.Errorf("ivr rollups for analytics: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ivr rollups for analytics: %w", err)
	}
	return out, nil
}
