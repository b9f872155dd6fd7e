package analytics

import (
	"context"
	"fmt"
	"sort"

	"github.com/rastro/rastro/internal/store"
)

// Shipping the store's IVR rollups (ivr_rollups, migration 8). They go a
// rollup key at a time ('ivr_key' outbox entries: RefreshIVRRollups
// announces every key it recomputes) at the entry's id as version: the
// key's ivr_rollup row and ivr_path_rollup rows as the store holds them
// then, and a tombstone for every row of the key the engine holds that the
// store no longer has (e.g. the only visit of a key moved to another
// service by a late event).

const insertIVRRollups = `INSERT INTO %s (tenant, rollup, bucket, ivr_id, service_id, agent_id, path, version, deleted,
	received, finished, transferred, abandoned, answered, abandoned_q, ivr_sum, wait_sum, wait_n, talk_sum, talk_n, sl_n, n)`

// ivrRollupKey identifies an IVR rollup row in the engine.
type ivrRollupKey struct {
	rollup string
	key    store.IVRKey
	path   string
}

func keyOfIVRRow(r *store.AnalyticsIVRRow) ivrRollupKey {
	return ivrRollupKey{r.Rollup, r.Key, r.Path}
}

// ivrRollupRow is one version of an IVR rollup row to insert (row nil: a
// tombstone of key).
type ivrRollupRow struct {
	tenant  string
	key     ivrRollupKey
	version uint64
	row     *store.AnalyticsIVRRow
}

// insertIVRRollups sends IVR rollup rows in one synchronous batch.
func (e *Engine) insertIVRRollups(ctx context.Context, rows []ivrRollupRow) error {
	return insertBatch(ctx, e, insertIVRRollups, "ivr_rollups", "IVR rollup rows", rows, func(r ivrRollupRow) []any {
		k, deleted, g, n := r.key, uint8(1), store.IVRGroup{}, int64(0)
		if r.row != nil {
			k, deleted, g, n = keyOfIVRRow(r.row), 0, r.row.Sums, r.row.N
		}
		return []any{r.tenant, k.rollup, k.key.Bucket, k.key.IVRID, k.key.ServiceID, k.key.AgentID, k.path, r.version, deleted,
			g.Received, g.Finished, g.Transferred, g.Abandoned, g.Answered, g.AbandonedQ,
			g.IVRSum, g.WaitSum, g.WaitN, g.TalkSum, g.TalkN, g.SLN, n}
	})
}

// shipIVRKeys sends the current rows of some IVR rollup keys of a tenant
// (versions: IVRKey.Text → the highest entry id naming it) and tombstones
// for the rows of those keys the engine holds beyond them.
func (s *Shipper) shipIVRKeys(ctx context.Context, tenant string, versions map[string]uint64) error {
	texts := make([]string, 0, len(versions))
	for t := range versions {
		texts = append(texts, t)
	}
	sort.Strings(texts)
	keys := make([]store.IVRKey, len(texts))
	version := make(map[store.IVRKey]uint64, len(texts))
	for i, t := range texts {
		k, err := store.ParseIVRKey(t)
		if err != nil {
			return fmt.Errorf("analytics outbox: %w", err)
		}
		keys[i] = k
		version[k] = max(version[k], versions[t])
	}
	cur, err := s.DB.AnalyticsIVRRows(ctx, tenant, keys)
	if err != nil {
		return err
	}
	rows := make([]ivrRollupRow, 0, len(cur))
	have := map[ivrRollupKey]bool{}
	for i := range cur {
		have[keyOfIVRRow(&cur[i])] = true
		rows = append(rows, ivrRollupRow{tenant: tenant, version: version[cur[i].Key], row: &cur[i]})
	}
	live, err := s.CH.liveIVRRollups(ctx, tenant, keys)
	if err != nil {
		return err
	}
	for _, k := range live {
		if !have[k] {
			rows = append(rows, ivrRollupRow{tenant: tenant, key: k, version: version[k.key]})
		}
	}
	return s.CH.insertIVRRollups(ctx, rows)
}

// backfillIVRRollups sends every IVR rollup row of a tenant at version,
// then tombstones for the rows the engine holds at an older version (rows
// that vanished, e.g. by a rebuild). It returns how many rows it sent.
func (s *Shipper) backfillIVRRollups(ctx context.Context, tenant string, version uint64, chunk int) (int, error) {
	n, err := streamInChunks(func(fn func([]store.AnalyticsIVRRow) error) error {
		return s.DB.EachAnalyticsIVRRows(ctx, tenant, chunk, fn)
	}, chunk, func(r *store.AnalyticsIVRRow) ivrRollupRow {
		return ivrRollupRow{tenant: tenant, version: version, row: r}
	}, func(rows []ivrRollupRow) error { return s.CH.insertIVRRollups(ctx, rows) })
	if err != nil {
		return n, err
	}
	stale, err := s.CH.ivrRollupKeys(ctx, `SELECT `+ivrRollupKeyCols+` FROM `+s.CH.table("ivr_rollups")+` FINAL
		WHERE tenant = ? AND deleted = 0 AND version < ?`, tenant, version)
	if err != nil {
		return n, err
	}
	return n, inChunks(stale, chunk, func(k ivrRollupKey) ivrRollupRow {
		return ivrRollupRow{tenant: tenant, key: k, version: version}
	}, func(rows []ivrRollupRow) error { return s.CH.insertIVRRollups(ctx, rows) })
}

const ivrRollupKeyCols = `rollup, bucket, ivr_id, service_id, agent_id, path`

// liveIVRRollups lists the rows the engine holds (latest version, not
// deleted) of some IVR rollup keys of a tenant, both rollups.
func (e *Engine) liveIVRRollups(ctx context.Context, tenant string, keys []store.IVRKey) ([]ivrRollupKey, error) {
	var out []ivrRollupKey
	for len(keys) > 0 {
		n := min(len(keys), 250)
		// The bucket range narrows the read to the keys' granules (the
		// sorting key is tenant, rollup, bucket, …).
		lo, hi := keys[0].Bucket, keys[0].Bucket
		args := []any{tenant, "", ""}
		for _, k := range keys[:n] {
			lo, hi = min(lo, k.Bucket), max(hi, k.Bucket)
			args = append(args, k.Bucket, k.IVRID, k.ServiceID, k.AgentID)
		}
		args[1], args[2] = lo, hi
		got, err := e.ivrRollupKeys(ctx, `SELECT `+ivrRollupKeyCols+` FROM `+e.table("ivr_rollups")+` FINAL
			WHERE tenant = ? AND bucket >= ? AND bucket <= ? AND (bucket, ivr_id, service_id, agent_id) IN (`+tuples(n, 4)+`) AND deleted = 0`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
		keys = keys[n:]
	}
	return out, nil
}

func (e *Engine) ivrRollupKeys(ctx context.Context, q string, args ...any) ([]ivrRollupKey, error) {
	rows, err := e.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: IVR rollup keys: %w", err)
	}
	defer rows.Close()
	var out []ivrRollupKey
	for rows.Next() {
		var k ivrRollupKey
		if err := rows.Scan(&k.rollup, &k.key.Bucket, &k.key.IVRID, &k.key.ServiceID, &k.key.AgentID, &k.path); err != nil {
			return nil, fmt.Errorf("analytics: IVR rollup keys: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
