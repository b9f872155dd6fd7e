package analytics

import (
	"context"
	"fmt"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// Rastreio answers the Rastreio de Interações (count, keyset pages, export
// rows) from the engine. Every query starts from store.NewLegQuery — the
// principal's tenant, then its services limit — exactly as the store's
// does; filters are added after. The rows carry the cells as stored, so the
// report package formats and masks them as it does the store's.
//
// Latest version only: `FROM legs FINAL` (ReplacingMergeTree merges the
// versions of a key at read time; WHERE applies after the merge, checked on
// 18.16: a leg moved from voice to chat is not found by media = 'voice').
// The alternative, argMax(col, version) GROUP BY key in a subquery, must
// filter after grouping too, and was slower: measured on 18.16, two shards
// on this 2-core machine, demo month of 2,998 legs, a WhatsApp first page
// (51 rows), 10 runs with clickhouse-client --time: FINAL median 70 ms
// (7–209 ms), argMax median 151 ms (33 ms–1.9 s).
type Rastreio struct {
	CH *Engine
	DB *store.DB // directory look-ups: user tags → agents, e-mail → contacts
}

// where renders the scoped filter (without WHERE) and its arguments: the
// store's LegWhere in the engine's dialect (chLegs). The user-tag and
// e-mail filters are resolved through the store's directory first.
func (r *Rastreio) where(ctx context.Context, p model.Principal, f store.LegFilter) (string, []any, error) {
	if !r.CH.Ready() {
		return "", nil, ErrNotReady
	}
	var d chLegs
	if f.UserTags != nil {
		agents, err := r.DB.UserTagAgents(ctx, p.Tenant, f.UserTags)
		if err != nil {
			return "", nil, err
		}
		d.userTagAgents = agents
	}
	if f.Email != "" {
		contacts, err := r.DB.EmailContacts(ctx, p.Tenant, f.Email)
		if err != nil {
			return "", nil, err
		}
		d.emailContacts = contacts
	}
	w, args := store.LegWhere(p, f, d).Where()
	return w, args, nil
}

// chLegs is the store.LegDialect of the engine: soft-deleted rows, UInt8
// booleans, array columns for tags, phones and IVRs; user tags and e-mail
// resolved beforehand into agents and contacts.
type chLegs struct {
	userTagAgents, emailContacts []string
}

func (chLegs) Current(q *store.Query) { q.And("l.deleted = 0") }

func (chLegs) Bool(b bool) any { return b2u(b) }

func (chLegs) ServiceColumn(store.LegFilter) string { return "l.service_id" }

func (chLegs) Tags(q *store.Query, _ model.Principal, f store.LegFilter) {
	arrayAny(q, "l.tags", f.Tags)
}

func (d chLegs) UserTags(q *store.Query, _ model.Principal, _ []string) {
	q.In("l.agent_id", d.userTagAgents)
}

func (d chLegs) Email(q *store.Query, _ model.Principal, _ string) {
	q.In("l.contact_id", d.emailContacts)
}

func (chLegs) Phone(q *store.Query, _ model.Principal, reversed string) {
	q.And("arrayExists(x -> x >= ? AND x < ?, l.rphones)", reversed, reversed+":")
}

func (chLegs) IVRs(q *store.Query, _ model.Principal, ivrs []string) { arrayAny(q, "l.ivrs", ivrs) }

// arrayAny: the array column holds any of values (none: matches nothing).
func arrayAny(q *store.Query, col string, values []string) {
	if len(values) == 0 {
		q.And("1 = 0")
		return
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	q.And("hasAny("+col+", ["+qs(len(values))+"])", args...)
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// legsScope is the partitions a leg filter can touch (see settle.go).
func legsScope(f store.LegFilter) partScope { return partScope{fromMS: f.FromMS, toMS: f.ToMS} }

// legTables is what the Rastreio reads.
var legTables = []string{"legs"}

// page renders the query of the rows after the cursor, in (entered_at, k)
// order, as the store's legPage does.
func (r *Rastreio) page(ctx context.Context, m reading, p model.Principal, f store.LegFilter, desc bool, after *store.Cursor, cols string, limit int) (string, []any, error) {
	dir, cmp := "ASC", ">"
	if desc {
		dir, cmp = "DESC", "<"
	}
	where, args, err := r.where(ctx, p, f)
	if err != nil {
		return "", nil, err
	}
	if after != nil {
		where += " AND (l.entered_at, l.k) " + cmp + " (?, ?)"
		args = append(args, after.EnteredAt, after.K)
	}
	q := `SELECT ` + cols + ` FROM ` + m.from(r.CH, "legs", "l") + ` WHERE ` + where + ` ORDER BY l.entered_at ` + dir + `, l.k ` + dir
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	return q, args, nil
}

// Legs returns one page, as store.DB.Legs, in two queries: the page's
// keys first, reading only the sorting and filter columns of the month's
// rows, then the cells of those rows only, by their primary key. One query
// reading the cells of every candidate row to sort them was the slowest
// part of a month's first page: the cells are most of a row's bytes.
func (r *Rastreio) Legs(ctx context.Context, p model.Principal, f store.LegFilter, desc bool, after *store.Cursor, limit int) (store.LegPage, error) {
	var page store.LegPage
	err := r.CH.read(ctx, legsScope(f), legTables, func(m reading) (err error) {
		page, err = r.legs(ctx, m, p, f, desc, after, limit)
		return err
	})
	return page, err
}

func (r *Rastreio) legs(ctx context.Context, m reading, p model.Principal, f store.LegFilter, desc bool, after *store.Cursor, limit int) (store.LegPage, error) {
	q, args, err := r.page(ctx, m, p, f, desc, after, `l.k, l.entered_at, l.interaction_id, l.leg_id`, limit+1)
	if err != nil {
		return store.LegPage{}, err
	}
	rows, err := r.CH.conn.Query(ctx, q, args...)
	if err != nil {
		return store.LegPage{}, fmt.Errorf("analytics: legs: %w", err)
	}
	defer rows.Close()
	type key struct {
		k, enteredAt         int64
		interactionID, legID string
	}
	var keys []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.k, &k.enteredAt, &k.interactionID, &k.legID); err != nil {
			return store.LegPage{}, err
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return store.LegPage{}, fmt.Errorf("analytics: legs: %w", err)
	}
	var page store.LegPage
	if len(keys) == 0 {
		return page, nil
	}
	// The cells: the same scoped filter (a row changed in between is
	// left out rather than shown unfiltered), the keys, and their time
	// span (the partitions to read).
	where, wargs, err := r.where(ctx, p, f)
	if err != nil {
		return store.LegPage{}, err
	}
	lo, hi := keys[0].enteredAt, keys[0].enteredAt
	targs := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		lo, hi = min(lo, k.enteredAt), max(hi, k.enteredAt)
		targs = append(targs, k.interactionID, k.legID)
	}
	wargs = append(append(wargs, lo, hi), targs...)
	cq := `SELECT l.k, l.protocol, l.cells FROM ` + m.from(r.CH, "legs", "l") + ` WHERE ` + where +
		` AND l.entered_at >= ? AND l.entered_at <= ? AND (l.interaction_id, l.leg_id) IN (` + tuples(len(keys), 2) + `)`
	crows, err := r.CH.conn.Query(ctx, cq, wargs...)
	if err != nil {
		return store.LegPage{}, fmt.Errorf("analytics: legs cells: %w", err)
	}
	defer crows.Close()
	type cellsOf struct{ protocol, cells string }
	got := make(map[int64]cellsOf, len(keys))
	for crows.Next() {
		var k int64
		var c cellsOf
		if err := crows.Scan(&k, &c.protocol, &c.cells); err != nil {
			return store.LegPage{}, err
		}
		got[k] = c
	}
	if err := crows.Err(); err != nil {
		return store.LegPage{}, fmt.Errorf("analytics: legs cells: %w", err)
	}
	if len(keys) > limit {
		keys = keys[:limit]
		last := keys[limit-1]
		page.Next = &store.Cursor{EnteredAt: last.enteredAt, K: last.k}
	}
	for _, k := range keys {
		if c, ok := got[k.k]; ok {
			page.Rows = append(page.Rows, store.LegCells{K: k.k, EnteredAt: k.enteredAt, Protocol: c.protocol, Cells: store.DecodeCells(c.cells)})
		}
	}
	return page, nil
}

// EachLeg streams every matching leg's stored cells in one query (the
// engine streams blocks; no keyset pages needed), as store.DB.EachLeg.
// Always FINAL: rows already written cannot be read again (settle.go).
func (r *Rastreio) EachLeg(ctx context.Context, p model.Principal, f store.LegFilter, desc bool, _ int, fn func(cells string) error) error {
	q, args, err := r.page(ctx, allFinal, p, f, desc, nil, `l.cells`, 0)
	if err != nil {
		return err
	}
	rows, err := r.CH.conn.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("analytics: export legs: %w", err)
	}
	defer rows.Close()
	var cells string
	for rows.Next() {
		if err := rows.Scan(&cells); err != nil {
			return err
		}
		if err := fn(cells); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("analytics: export legs: %w", err)
	}
	return nil
}

// CountLegs counts matching legs, as store.DB.CountLegs.
func (r *Rastreio) CountLegs(ctx context.Context, p model.Principal, f store.LegFilter) (int64, error) {
	where, args, err := r.where(ctx, p, f)
	if err != nil {
		return 0, err
	}
	var n uint64
	err = r.CH.read(ctx, legsScope(f), legTables, func(m reading) error {
		if err := r.CH.conn.QueryRow(ctx, `SELECT count() FROM `+m.from(r.CH, "legs", "l")+` WHERE `+where, args...).Scan(&n); err != nil {
			return fmt.Errorf("analytics: count legs: %w", err)
		}
		return nil
	})
	return int64(n), err
}

// SummarizeLegs totals matching legs, as store.DB.SummarizeLegs (the
// same GROUP BY, NULL metrics neither summed nor counted).
func (r *Rastreio) SummarizeLegs(ctx context.Context, p model.Principal, f store.LegFilter) (store.LegSummary, error) {
	where, args, err := r.where(ctx, p, f)
	if err != nil {
		return store.LegSummary{}, err
	}
	var s store.LegSummary
	err = r.CH.read(ctx, legsScope(f), legTables, func(m reading) error {
		rows, err := r.CH.conn.Query(ctx, `SELECT l.status, l.voice_status, toInt64(count()),
			toFloat64(sum(ifNull(l.duration, 0))), toInt64(count(l.duration)),
			toFloat64(sum(ifNull(l.tmr, 0))), toInt64(count(l.tmr)),
			toFloat64(sum(ifNull(l.tm1r, 0))), toInt64(count(l.tm1r)),
			toInt64(sum(ifNull(l.expired, 0))), toInt64(count(l.expired))
			FROM `+m.from(r.CH, "legs", "l")+` WHERE `+where+` GROUP BY l.status, l.voice_status`, args...)
		if err != nil {
			return fmt.Errorf("analytics: summarize legs: %w", err)
		}
		defer rows.Close()
		if s, err = store.ScanLegSummary(rows); err != nil {
			return fmt.Errorf("analytics: summarize legs: %w", err)
		}
		return nil
	})
	return s, err
}

// ShardCounts returns, per host of the URL, how many rows (every version)
// of a tenant its local table holds: tests check the spread over shards.
func (e *Engine) ShardCounts(ctx context.Context, tenant string) ([]uint64, error) {
	local := "legs"
	if e.cfg.Cluster != "" {
		local = "legs_local"
	}
	var out []uint64
	for _, h := range e.cfg.Hosts {
		conn, err := openHost(e.cfg, h)
		if err != nil {
			return nil, err
		}
		var n uint64
		err = conn.QueryRow(ctx, `SELECT count() FROM `+e.cfg.Database+`.`+local+` WHERE tenant = ?`, tenant).Scan(&n)
		conn.Close()
		if err != nil {
			return nil, fmt.Errorf("analytics: count on %s: %w", h, err)
		}
		out = append(out, n)
	}
	return out, nil
}
