package analytics

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Settled partitions: reading without FINAL where it gives the same rows.
//
// Every read of a versioned table used `FINAL`, and on 18.16 that is most of
// a report's time: measured on two shards, a tenant's month count took
// 1.01 s with FINAL and 0.027 s without (BENCHMARKS.md), because 18.16
// merges every selected part's rows by the sorting key on one thread per
// shard even when nothing is to be merged.
//
// FINAL is needed only where a key has more than one row. rastro never puts
// two rows of one key in one insert (the shipper sends one version per key
// per batch and its tombstones to other partitions; a backfill sends each
// key once; the bench loader copies FINAL rows under new keys), and a merge
// keeps one row per key. So a partition that holds one active part on a
// host has one row per key there, and since every version of a key lands on
// one shard (the sharding key is the identity's), a read of partitions that
// are single-part on every host gives without FINAL exactly what it gives
// with it (tombstones are rows with deleted = 1, which every read filters).
//
// A read therefore (1) lists the active parts of the partitions its period
// can touch (one small query on system.parts of every host), (2) reads
// FINAL only the tables where one of them has several parts, (3) lists the
// parts again: if anything changed in between (an insert, a merge), the
// rows may have been read from another part set, and the read runs again
// with FINAL everywhere. Part names are never reused, so equal lists
// before and after mean the read saw that part set.
//
// Partitions stop being single-part with every insert; the settler
// (Settle, run by `rastro serve` and after `rastro analytics sync`) merges
// the partitions that have been quiet for a while (OPTIMIZE … PARTITION …
// FINAL on each host). The month being written pays FINAL; closed months,
// which most report periods are, do not. Exports stream rows as they are
// read and cannot run again: they keep reading FINAL.
//
// With replicas (a shard of several hosts) a read and the parts listing may
// reach different replicas, whose parts differ: settled reads are then off
// (see Engine.replicated).

// partScope is the period a read can touch, to pick the partitions whose
// parts matter: the legs' 30-day periods of entered_at, and local months
// (the buckets of legs, IVR visits and IVR rollups, the days of agent
// spans and agent_days). Zero values are open.
type partScope struct {
	fromMS, toMS       int64  // entered_at in [fromMS, toMS)
	fromMonth, toMonth string // "AAAA-MM", inclusive
}

// monthsScope is the scope of a local date range (AAAA-MM-DD, inclusive).
func monthsScope(fromDate, toDate string) partScope {
	return partScope{fromMonth: month(fromDate), toMonth: month(toDate)}
}

// touches reports whether a partition (as system.parts writes it) of table
// may hold a row of the scope. Unknown shapes are touched.
func (s partScope) touches(table, partition string) bool {
	vals := partitionValues(partition)
	inMonths := func(m string) bool {
		return (s.fromMonth == "" || m >= s.fromMonth) && (s.toMonth == "" || m <= s.toMonth)
	}
	switch table {
	case "legs":
		if len(vals) != 2 {
			return true
		}
		period, err := strconv.ParseInt(vals[0], 10, 64)
		if err != nil {
			return true
		}
		if s.fromMS > 0 && period < s.fromMS/partitionPeriodMS {
			return false
		}
		if s.toMS > 0 && period > (s.toMS-1)/partitionPeriodMS {
			return false
		}
		return inMonths(vals[1])
	case "bot_rows":
		// (month of first_date, month of last_date): a row of the scope
		// starts and ends in it.
		if len(vals) != 2 {
			return true
		}
		return (s.fromMonth == "" || vals[0] >= s.fromMonth) && (s.toMonth == "" || vals[1] <= s.toMonth)
	case "ivr_visits", "agent_spans", "agent_days", "ivr_rollups":
		if len(vals) != 1 {
			return true
		}
		return inMonths(vals[0])
	}
	return true
}

// partitionValues splits system.parts' partition text — `(694,'2026-10')`,
// `2026-10` (a lone string is not quoted), `tuple()` — into its values,
// quotes removed.
func partitionValues(p string) []string {
	p = strings.TrimSpace(p)
	if p == "tuple()" || p == "" {
		return nil
	}
	if strings.HasPrefix(p, "(") && strings.HasSuffix(p, ")") {
		p = p[1 : len(p)-1]
	}
	var out []string
	for _, v := range strings.Split(p, ",") {
		v = strings.TrimSpace(v)
		v = strings.TrimPrefix(strings.TrimSuffix(v, "'"), "'")
		out = append(out, v)
	}
	return out
}

// partsOf is the active parts of the touched partitions of some tables:
// (host, table, partition) → the parts' names, sorted and joined.
type partsOf map[[3]string]string

// settled reports whether table's touched partitions are single-part on
// every host.
func (p partsOf) settled(table string) bool {
	for k, names := range p {
		if k[1] == table && strings.Contains(names, " ") {
			return false
		}
	}
	return true
}

func (p partsOf) equal(q partsOf) bool {
	if len(p) != len(q) {
		return false
	}
	for k, v := range p {
		if q[k] != v {
			return false
		}
	}
	return true
}

// parts lists the active parts of tables' partitions the scope touches, on
// every host, from a fresh listing of every versioned table (which becomes
// the engine's latest listing).
func (e *Engine) parts(ctx context.Context, scope partScope, tables []string) (partsOf, error) {
	all, err := e.listParts(ctx)
	if err != nil {
		return nil, err
	}
	return all.within(scope, tables), nil
}

// recentParts is parts from the engine's latest listing when it is younger
// than maxAge, else from a fresh one. Any listing made before a read
// started serves as the read's "before" (settle.go's check needs only that
// nothing changed between it and the "after"), so one read's "after" is
// the next read's "before": a report of several reads lists once per read.
func (e *Engine) recentParts(ctx context.Context, scope partScope, tables []string, maxAge time.Duration) (partsOf, error) {
	e.lastParts.Lock()
	all, at := e.lastParts.all, e.lastParts.at
	e.lastParts.Unlock()
	if all != nil && time.Since(at) < maxAge {
		return all.within(scope, tables), nil
	}
	return e.parts(ctx, scope, tables)
}

// within keeps the partitions of tables that scope touches.
func (p partsOf) within(scope partScope, tables []string) partsOf {
	out := partsOf{}
	for k, names := range p {
		if slices.Contains(tables, k[1]) && scope.touches(k[1], k[2]) {
			out[k] = names
		}
	}
	return out
}

// listParts lists the active parts of every versioned table on every
// host: one query, through the cluster table function when there is a
// cluster. A host is its name and the table's directory (two servers of
// one machine have the same name). The listing is kept as the latest.
func (e *Engine) listParts(ctx context.Context) (partsOf, error) {
	from := "system.parts"
	if e.cfg.Cluster != "" {
		from = "cluster('" + strings.ReplaceAll(e.cfg.Cluster, "'", "") + "', system, parts)"
	}
	args := make([]any, 0, len(settleTables)+1)
	args = append(args, e.cfg.Database)
	for _, t := range settleTables {
		args = append(args, e.localName(t))
	}
	started := time.Now()
	rows, err := e.conn.Query(ctx, `SELECT concat(hostName(), ':', replaceRegexpOne(path, '[^/]+/$', '')), table, partition, name
		FROM `+from+` WHERE database = ? AND table IN (`+qs(len(settleTables))+`) AND active`, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: list parts: %w", err)
	}
	defer rows.Close()
	byKey := map[[3]string][]string{}
	for rows.Next() {
		var host, table, partition, name string
		if err := rows.Scan(&host, &table, &partition, &name); err != nil {
			return nil, fmt.Errorf("analytics: list parts: %w", err)
		}
		table = strings.TrimSuffix(table, "_local")
		k := [3]string{host, table, partition}
		byKey[k] = append(byKey[k], name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: list parts: %w", err)
	}
	out := make(partsOf, len(byKey))
	for k, names := range byKey {
		sort.Strings(names)
		out[k] = strings.Join(names, " ")
	}
	e.lastParts.Lock()
	if started.After(e.lastParts.at) {
		e.lastParts.all, e.lastParts.at = out, started
	}
	e.lastParts.Unlock()
	return out, nil
}

// localName is the table that holds table's rows on a host.
func (e *Engine) localName(table string) string {
	if e.cfg.Cluster != "" {
		return table + "_local"
	}
	return table
}

// reading says which tables one read takes FINAL.
type reading struct{ final map[string]bool }

// from is `db.table AS alias`, with FINAL when the read needs it.
func (m reading) from(e *Engine, table, alias string) string {
	s := e.table(table) + " AS " + alias
	if m.final == nil || m.final[table] {
		s += " FINAL"
	}
	return s
}

// allFinal reads every table FINAL.
var allFinal = reading{}

// read runs fn, a read of tables within scope, without FINAL on the tables
// whose touched partitions are settled, and again with FINAL everywhere if
// their parts changed meanwhile (see the top of this file). fn must start
// its result afresh on every call.
func (e *Engine) read(ctx context.Context, scope partScope, tables []string, fn func(reading) error) error {
	if !e.settled.Load() || !e.Ready() {
		return fn(allFinal)
	}
	before, err := e.recentParts(ctx, scope, tables, recentPartsAge)
	if err != nil {
		return err
	}
	m := reading{final: map[string]bool{}}
	skip := false
	for _, t := range tables {
		m.final[t] = !before.settled(t)
		skip = skip || !m.final[t]
	}
	if !skip {
		return fn(allFinal)
	}
	if err := fn(m); err != nil {
		return err
	}
	after, err := e.parts(ctx, scope, tables)
	if err != nil {
		return err
	}
	if after.equal(before) {
		return nil
	}
	return fn(allFinal)
}

// recentPartsAge is how old a listing may be to serve as a read's
// "before": older, a change since then makes the read run twice.
const recentPartsAge = 2 * time.Second

// partsListing is the engine's latest listing of parts (listParts) and
// when the query that made it started.
type partsListing struct {
	sync.Mutex
	all partsOf
	at  time.Time
}

// settleTables are the versioned tables the settler merges.
var settleTables = []string{"legs", "ivr_visits", "agent_spans", "bot_conversations", "agent_days", "ivr_rollups", "bot_rows"}

// Settle merges, on every host, the partitions of the versioned tables
// that hold several active parts and received none for quiet (OPTIMIZE …
// PARTITION … FINAL), so that reads of them skip FINAL. It returns how
// many partitions it merged. A merge of a month of 500k rows per shard
// rewrites it once; a partition still being written is left alone.
func (e *Engine) Settle(ctx context.Context, quiet time.Duration) (int, error) {
	n := 0
	for _, host := range e.cfg.Hosts {
		conn, err := openHost(e.cfg, host)
		if err != nil {
			return n, err
		}
		args := []any{e.cfg.Database}
		for _, t := range settleTables {
			args = append(args, e.localName(t))
		}
		args = append(args, int64(quiet/time.Second))
		rows, err := conn.Query(ctx, `SELECT table, partition_id FROM system.parts
			WHERE database = ? AND table IN (`+qs(len(settleTables))+`) AND active
			GROUP BY table, partition_id
			HAVING count() > 1 AND max(modification_time) <= now() - ?`, args...)
		if err != nil {
			conn.Close()
			return n, fmt.Errorf("analytics: settle on %s: %w", host, err)
		}
		var todo [][2]string
		for rows.Next() {
			var t, p string
			if err := rows.Scan(&t, &p); err != nil {
				rows.Close()
				conn.Close()
				return n, fmt.Errorf("analytics: settle on %s: %w", host, err)
			}
			todo = append(todo, [2]string{t, p})
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			conn.Close()
			return n, fmt.Errorf("analytics: settle on %s: %w", host, err)
		}
		for _, tp := range todo {
			q := `OPTIMIZE TABLE ` + e.cfg.Database + `.` + tp[0] + ` PARTITION ID '` + strings.ReplaceAll(tp[1], "'", "") + `' FINAL`
			if err := conn.Exec(ctx, q); err != nil {
				conn.Close()
				return n, fmt.Errorf("analytics: settle %s partition %s on %s: %w", tp[0], tp[1], host, err)
			}
			n++
		}
		conn.Close()
	}
	return n, nil
}

// SettleAll merges every partition that holds several parts, until none is
// left (an OPTIMIZE does nothing while a background merge holds some of
// the partition's parts: measured on 18.16 right after a bulk load, a
// first round left four parts in a partition), up to rounds rounds a
// second apart. It returns how many merges it ran.
func (e *Engine) SettleAll(ctx context.Context, rounds int) (int, error) {
	total := 0
	for i := 0; ; i++ {
		n, err := e.Settle(ctx, 0)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
		if i+1 >= rounds {
			return total, fmt.Errorf("analytics: partitions still hold several parts after %d rounds of merges", rounds)
		}
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// RunSettler settles quiet partitions every interval until ctx ends
// (errors are logged and retried at the next round: reads stay exact,
// only slower, while partitions are unsettled).
func (e *Engine) RunSettler(ctx context.Context, every, quiet time.Duration, logf func(string, ...any)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		if !e.Ready() {
			continue
		}
		if n, err := e.Settle(ctx, quiet); err != nil && ctx.Err() == nil {
			logf("analytics: settling partitions: %v", err)
		} else if n > 0 {
			logf("analytics: %d partitions merged (reads of them skip FINAL)", n)
		}
	}
}
