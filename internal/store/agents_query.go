package store

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

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

// Add adds g's counts and sums to s (the totals row).
func (s *AgentLegs) Add(g AgentLegs) {
	s.Completed += g.Completed
	s.Transferred += g.Transferred
	s.Other += g.Other
	s.DurSum += g.DurSum
	s.DurN += g.DurN
	s.TM1RSum += g.TM1RSum
	s.TM1RN += g.TM1RN
	s.TMRSum += g.TMRSum
	s.TMRN += g.TMRN
	s.TMPSum += g.TMPSum
	s.TMPN += g.TMPN
	s.TMISum += g.TMISum
	s.TMIN += g.TMIN
}

// AgentTagCount is how many of an agent's legs were finalized with a tag.
type AgentTagCount struct {
	AgentID, TagID string
	N              int64
}

// AgentTime is logged-in time (Kind "login", Reason "") or pause time of
// one reason (Kind "pause") of an agent, in seconds.
type AgentTime struct {
	AgentID, Kind, Reason string
	Seconds               float64
}

// AgentChunkMin is the fewest agents one concurrent chunk of the Agentes
// queries reads (tests lower it to exercise the split).
var AgentChunkMin = 64

// AgentFigures is everything the Agentes rows are made of, each list
// ordered by agent.
type AgentFigures struct {
	Legs  []AgentLegs     // Key = agent id
	Tags  []AgentTagCount // per agent: most used first, then tag id
	Times []AgentTime     // per agent: login, then pauses longest first, then reason
}

// dayGrain says whether the day-grain tables (0006_agent_days.sql) answer:
// they do whenever no hour filter cuts into a day.
func (f AgentFilter) dayGrain() bool { return f.HourFrom == "" && f.HourTo == "" }

// agentTable names the table a query of hourly table (agent_rollup,
// agent_tag_rollup) reads: when neither the filter nor the principal
// limits media or services, a *_total twin (every media and service added
// up, no media or service_id column) — agent_day_total and
// agent_day_tag_total at day grain, agent_hour_total and
// agent_hour_tag_total with an hour filter (migration 0023) —; else the
// hourly table itself, or at day grain its day twin.
func (f AgentFilter) agentTable(p model.Principal, hourly string) string {
	total := f.Media == nil && f.Services == nil && p.Services == nil
	switch {
	case !f.dayGrain() && total:
		return strings.Replace(strings.Replace(hourly, "agent_", "agent_hour_", 1), "_rollup", "_total", 1)
	case !f.dayGrain():
		return hourly
	case total:
		return strings.Replace(strings.Replace(hourly, "agent_", "agent_day_", 1), "_rollup", "_total", 1)
	default:
		return strings.Replace(hourly, "agent_", "agent_day_", 1)
	}
}

// agentFilters adds the agent-level filters (who the agent is, when) to a
// query over a table aliased alias with agent_id and bucket — an hourly
// bucket "AAAA-MM-DD HH", or a day "AAAA-MM-DD" when day.
func agentFilters(q *Query, p model.Principal, f AgentFilter, alias string, day bool) {
	if day {
		if f.FromDate != "" {
			q.And(alias+".bucket >= ?", f.FromDate)
		}
		if f.ToDate != "" {
			q.And(alias+".bucket <= ?", f.ToDate)
		}
	} else {
		bucketRange(q, alias, f.FromDate, f.ToDate)
		// Every hour named, even with no hour filter (00–23): the hourly
		// indexes are keyed (agent, hour of day, bucket)
		// (0017_agent_hour_indexes.sql), so each (agent, hour) is one
		// bucket-range slice and hours outside the filter are never read.
		q.In(hourOfBucket(alias), hoursBetween(nonEmpty(f.HourFrom, "00"), nonEmpty(f.HourTo, "23")))
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

// hourOfBucket is the local hour "HH" of an hourly bucket "AAAA-MM-DD HH"
// of the table aliased alias: the expression the hourly report indexes are
// keyed by (0017_agent_hour_indexes.sql), written the same way so SQLite and
// PostgreSQL match it to them.
func hourOfBucket(alias string) string { return "SUBSTR(" + alias + ".bucket, 12, 2)" }

// hoursBetween lists the hours "HH" from..to, inclusive (both valid "HH",
// from <= to: the report package validated them).
func hoursBetween(from, to string) []string {
	var out []string
	for h := 0; h < 24; h++ {
		if s := fmt.Sprintf("%02d", h); s >= from && s <= to {
			out = append(out, s)
		}
	}
	return out
}

// agentLegWhere scopes a query over agent_rollup or agent_tag_rollup (or
// their day twins) aliased alias. Legs without an agent (never delivered)
// belong to no row.
func agentLegWhere(p model.Principal, f AgentFilter, alias string) *Query {
	q := NewLegQuery(p, alias)
	q.And(alias + ".agent_id <> ''")
	if f.Media != nil {
		q.In(alias+".media", f.Media)
	}
	if f.Services != nil {
		q.In(alias+".service_id", f.Services)
	}
	agentFilters(q, p, f, alias, f.dayGrain())
	return q
}

// The leg sums of the Agentes rows are added up as whole microseconds:
// each rollup row's float sum of seconds is rounded to the microsecond
// (microsSQL) and those integers are summed, so the total is exact and the
// same whatever order a store or the engine's shards add the rows in. The
// float sums themselves differ in their last bits with the order of
// addition, which is why the engine used to hand every hourly row (594k at
// 10 M legs, hours 08–12) back to Go to be added in the store's index
// order; with integers it groups per agent itself. Leg metrics are
// durations between event times (and TMR a mean of them): a rollup row's
// float sum is within far less than 0.5 µs of its exact value at these
// magnitudes, so for times given to the microsecond or coarser (the demo
// month's durations come out as whole milliseconds) the rounding gives
// that exact value; finer times (or TMR, a mean) move a row's sum by at
// most 0.5 µs, so an average by at most 0.5 µs (within the 1 µs epsilon
// every printed duration carries: report's fmtSeconds) and a total by at
// most 0.5 µs per row.
func (db *DB) agentSums() string {
	return `SUM(r.completed) AS completed, SUM(r.transferred) AS transferred, SUM(r.other) AS other,
	SUM(` + db.microsSQL("r.dur_sum") + `) AS dur_sum, SUM(r.dur_n) AS dur_n, SUM(` + db.microsSQL("r.tm1r_sum") + `) AS tm1r_sum, SUM(r.tm1r_n) AS tm1r_n,
	SUM(` + db.microsSQL("r.tmr_sum") + `) AS tmr_sum, SUM(r.tmr_n) AS tmr_n, SUM(` + db.microsSQL("r.tmp_sum") + `) AS tmp_sum, SUM(r.tmp_n) AS tmp_n,
	SUM(` + db.microsSQL("r.tmi_sum") + `) AS tmi_sum, SUM(r.tmi_n) AS tmi_n`
}

// microsSQL rounds col, non-negative seconds (every leg metric is), to
// whole microseconds as a BIGINT: floor(col·10⁶ + 0.5), the same IEEE
// double operations on SQLite (CAST truncates, which is floor for values
// ≥ 0), PostgreSQL (its CAST would round half to even, hence FLOOR) and
// the engine (analytics.microsSQL).
func (db *DB) microsSQL(col string) string {
	if db.dialect == Postgres {
		return "CAST(FLOOR(" + col + " * 1000000 + 0.5) AS BIGINT)"
	}
	return "CAST(" + col + " * 1000000 + 0.5 AS INTEGER)"
}

const agentCasts = `CAST(SUM(x.completed) AS BIGINT), CAST(SUM(x.transferred) AS BIGINT), CAST(SUM(x.other) AS BIGINT),
	CAST(SUM(x.dur_sum) AS BIGINT), CAST(SUM(x.dur_n) AS BIGINT), CAST(SUM(x.tm1r_sum) AS BIGINT), CAST(SUM(x.tm1r_n) AS BIGINT),
	CAST(SUM(x.tmr_sum) AS BIGINT), CAST(SUM(x.tmr_n) AS BIGINT), CAST(SUM(x.tmp_sum) AS BIGINT), CAST(SUM(x.tmp_n) AS BIGINT),
	CAST(SUM(x.tmi_sum) AS BIGINT), CAST(SUM(x.tmi_n) AS BIGINT)`

// ScanAgentLegMicros scans one row of leg sums per agent: the key, the
// three counts, then each metric's sum in whole microseconds (agentSums)
// and its count. Both the store and the engine read the rows through it.
func ScanAgentLegMicros(scan func(dest ...any) error) (AgentLegs, error) {
	var g AgentLegs
	var dur, tm1r, tmr, tmp, tmi int64
	if err := scan(&g.Key, &g.Completed, &g.Transferred, &g.Other, &dur, &g.DurN, &tm1r, &g.TM1RN,
		&tmr, &g.TMRN, &tmp, &g.TMPN, &tmi, &g.TMIN); err != nil {
		return AgentLegs{}, err
	}
	seconds := func(us int64) float64 { return float64(us) / 1e6 }
	g.DurSum, g.TM1RSum, g.TMRSum, g.TMPSum, g.TMISum = seconds(dur), seconds(tm1r), seconds(tmr), seconds(tmp), seconds(tmi)
	return g, nil
}

func (db *DB) scanAgentLegs(ctx context.Context, sqlText string, args []any) ([]AgentLegs, error) {
	rows, err := db.query(ctx, db.r, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("agents report: %w", err)
	}
	defer rows.Close()
	var out []AgentLegs
	for rows.Next() {
		g, err := ScanAgentLegMicros(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("agents report: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// AgentLegCounts adds up the leg counts (Completed, Transferred, Other; the
// sums stay 0) of agent_rollup by ByHour or ByDay, ordered by key: the
// Agentes chart. A first pass per bucket follows the (tenant, bucket,
// agent_id, …, completed, transferred, other) covering index.
func (db *DB) AgentLegCounts(ctx context.Context, p model.Principal, f AgentFilter, by string) ([]AgentLegs, error) {
	if by != ByHour && by != ByDay {
		return nil, fmt.Errorf("unknown agents chart grouping %q", by)
	}
	key, _ := groupExpr("r", by)
	if by == ByHour {
		f.HourFrom, f.HourTo = nonEmpty(f.HourFrom, "00"), nonEmpty(f.HourTo, "23") // hourly rows
	}
	where, args := agentLegWhere(p, f, "r").Where()
	rows, err := db.query(ctx, db.r, `SELECT x.k, CAST(SUM(x.c) AS BIGINT), CAST(SUM(x.t) AS BIGINT), CAST(SUM(x.o) AS BIGINT) FROM (
			SELECT `+key+` AS k, SUM(r.completed) AS c, SUM(r.transferred) AS t, SUM(r.other) AS o
			FROM `+f.agentTable(p, "agent_rollup")+` r WHERE `+where+` GROUP BY r.bucket ORDER BY r.bucket
		) x GROUP BY x.k ORDER BY x.k`, args...)
	if err != nil {
		return nil, fmt.Errorf("agents chart: %w", err)
	}
	defer rows.Close()
	var out []AgentLegs
	for rows.Next() {
		var g AgentLegs
		if err := rows.Scan(&g.Key, &g.Completed, &g.Transferred, &g.Other); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// AgentFigures gathers the Agentes rows. The agents are found first (those
// named, or every agent with rollup rows or activity: a loose index scan),
// then split into chunks whose figures are read concurrently (one chunk per
// CPU, up to 4): each query names its agents (agent_id IN …), so SQLite
// reads (tenant, agent_id, bucket range) slices of the agent-ordered
// covering indexes of 0003_reports.sql and groups them without sorting.
//
// Logged-in and pause time have no service: with a services filter, or a
// principal limited to services, they are read only for the agents that
// have legs in scope (found by the scoped leg query, NewLegQuery).
func (db *DB) AgentFigures(ctx context.Context, p model.Principal, f AgentFilter) (AgentFigures, error) {
	var ids, tagIDs []string
	err := parallel(2, func(i int) (err error) {
		if i == 0 {
			ids, err = db.agentCandidates(ctx, p, f)
		} else {
			tagIDs, err = db.distinct(ctx, p.Tenant, "leg_tags", "tag_id")
		}
		return err
	})
	if err != nil || len(ids) == 0 {
		return AgentFigures{}, err
	}
	f.Agents = nil // the chunks name them
	chunks := chunkIDs(ids, min(4, max(1, runtime.GOMAXPROCS(0))), max(1, AgentChunkMin))
	parts := make([]AgentFigures, len(chunks))
	err = parallel(len(chunks), func(i int) error {
		c := chunks[i]
		var legs []AgentLegs
		var tags []AgentTagCount
		var times []AgentTime
		tasks := []func() error{
			func() (err error) { legs, err = db.agentLegs(ctx, p, f, c); return },
			func() (err error) { tags, err = db.agentTags(ctx, p, f, c, tagIDs); return },
		}
		if !f.scoped(p) {
			tasks = append(tasks, func() (err error) { times, err = db.agentTimes(ctx, p, f, c); return })
		}
		if err := parallel(len(tasks), func(k int) error { return tasks[k]() }); err != nil {
			return err
		}
		if f.scoped(p) && len(legs) > 0 {
			withLegs := make([]string, len(legs))
			for k, g := range legs {
				withLegs[k] = g.Key
			}
			var err error
			if times, err = db.agentTimes(ctx, p, f, withLegs); err != nil {
				return err
			}
		}
		parts[i] = AgentFigures{Legs: legs, Tags: tags, Times: times}
		return nil
	})
	if err != nil {
		return AgentFigures{}, err
	}
	var out AgentFigures
	for _, part := range parts {
		out.Legs = append(out.Legs, part.Legs...)
		out.Tags = append(out.Tags, part.Tags...)
		out.Times = append(out.Times, part.Times...)
	}
	return out, nil
}

// agentCandidates lists, sorted, the agents a report may show: those named
// by the filter, or every agent with rollup rows (and, when activity is not
// limited by services, with spans), found by a loose index scan (one index
// seek per agent, on SQLite and PostgreSQL alike).
func (db *DB) agentCandidates(ctx context.Context, p model.Principal, f AgentFilter) ([]string, error) {
	if f.Agents != nil {
		return sortedUnique(f.Agents), nil
	}
	ids, err := db.distinct(ctx, p.Tenant, "agent_rollup", "agent_id")
	if err != nil || f.scoped(p) {
		return ids, err
	}
	more, err := db.distinct(ctx, p.Tenant, "agent_spans", "agent_id")
	if err != nil {
		return nil, err
	}
	return sortedUnique(append(ids, more...)), nil
}

// distinct lists the distinct non-empty values of col in a table of the
// tenant, sorted, by a loose index scan: one seek per value on an index
// starting (tenant, col) — agent_rollup_hour, agent_spans_hour,
// leg_tags_tag_time —, on SQLite and PostgreSQL alike.
func (db *DB) distinct(ctx context.Context, tenant, table, col string) ([]string, error) {
	rows, err := db.query(ctx, db.r, `WITH RECURSIVE a(v) AS (
			SELECT MIN(t.`+col+`) FROM `+table+` t WHERE t.tenant = ? AND t.`+col+` > ''
			UNION ALL
			SELECT (SELECT MIN(t.`+col+`) FROM `+table+` t WHERE t.tenant = ? AND t.`+col+` > a.v) FROM a WHERE a.v IS NOT NULL
		) SELECT a.v FROM a WHERE a.v IS NOT NULL`, tenant, tenant)
	if err != nil {
		return nil, fmt.Errorf("distinct %s of %s: %w", col, table, err)
	}
	return appendColumn(nil, rows)
}

func (db *DB) agentLegs(ctx context.Context, p model.Principal, f AgentFilter, agents []string) ([]AgentLegs, error) {
	where, args := agentLegWhere(p, f, "r").In("r.agent_id", agents).Where()
	// One pass: GROUP BY agent_id follows the agent_id IN (…) order over the
	// (tenant, agent_id, bucket, …) covering index, so nothing is sorted.
	return db.scanAgentLegs(ctx, `SELECT x.k, `+agentCasts+` FROM (SELECT r.agent_id AS k, `+db.agentSums()+
		` FROM `+f.agentTable(p, "agent_rollup")+` r WHERE `+where+` GROUP BY r.agent_id ORDER BY r.agent_id) x GROUP BY x.k ORDER BY x.k`, args)
}

func (db *DB) agentTags(ctx context.Context, p model.Principal, f AgentFilter, agents, tags []string) ([]AgentTagCount, error) {
	// At day grain, naming the tags too turns the read into (agent, tag,
	// date range) slices of the (tenant, agent_id, [media,] tag_id, bucket,
	// …) covering index, grouped as they come, whatever the length of the
	// history. The hourly rows are read by (agent, hour, date range) slices
	// of agent_tag_rollup_hour (tenant, agent_id, hour, bucket, tag_id, …)
	// instead: naming the tags there too multiplies the slices PostgreSQL
	// costs (agents × tags × hours), and it chose a sequential scan of the
	// whole table per chunk (100k legs, hours 08–12: 166–351 ms against a
	// 47 ms index-only scan); SQLite's extra sort costs it about a quarter
	// of the tag pass.
	q := agentLegWhere(p, f, "r").In("r.agent_id", agents)
	if f.dayGrain() {
		q.In("r.tag_id", tags)
	}
	where, args := q.Where()
	rows, err := db.query(ctx, db.r, `SELECT r.agent_id, r.tag_id, CAST(SUM(r.n) AS BIGINT) FROM `+f.agentTable(p, "agent_tag_rollup")+` r WHERE `+where+
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

// agentTimes returns per agent the logged-in seconds and the pause seconds
// per reason, ordered by agent, kind, seconds descending, reason.
//
// Logged-in time: per local hour, the largest of the agent's login spans of
// the media in scope (Media ∪ the all-media login ""), added up over the
// hours. Logins of several media at once therefore count once (exact when
// they overlap within the hour; a lower bound when, inside one hour, they
// follow one another). Pause time without media is every pause, whole;
// with media, per hour and reason the longest part of the pauses inside
// the logins of the media in scope (metrics.PausedSeconds). The
// derivation writes one span row per (agent, hour, kind, media, reason).
func (db *DB) agentTimes(ctx context.Context, p model.Principal, f AgentFilter, agents []string) ([]AgentTime, error) {
	// At day grain, agent_day_times holds per day the same hourly maxima
	// summed, for every media or one media (and pauses, any media); another
	// set of media reads the hourly spans.
	day := f.dayGrain() && len(f.Media) <= 1
	table := "agent_spans"
	if day {
		table = "agent_day_times"
	}
	span := func(kind string) *Query {
		// Spans have no service: agents come from a NewLegQuery-scoped
		// query when p or f is limited to services (NewSpanQuery).
		q := NewSpanQuery(p, "s", kind).In("s.agent_id", agents)
		agentFilters(q, p, f, "s", day)
		return q
	}
	// Pauses: without media every pause whole (kind pause); with media
	// only their parts inside the logins of the media in scope (kind
	// pause_in, per media), per hour and reason the longest, as logins.
	pauseKind := "pause"
	if f.Media != nil {
		pauseKind = "pause_in"
	}
	lq, pq := span("login"), span(pauseKind)
	if day {
		// Pinning every column before bucket in agent_day_times_report
		// (logins have no reason, whole pauses no scope) lets both passes
		// read it in the order they group by.
		lq.And("s.reason = ''")
		if f.Media == nil {
			pq.And("s.scope = ''")
		}
	}
	switch {
	case day && f.Media == nil:
		lq.And("s.scope = '*'")
	case day:
		lq.And("s.scope IN (?, '')", f.Media[0])
		pq.And("s.scope IN (?, '')", f.Media[0])
	case f.Media != nil:
		sub, args := inList(f.Media)
		lq.And("(s.media = '' OR s.media IN ("+sub+"))", args...)
		pq.And("(s.media = '' OR s.media IN ("+sub+"))", args...)
	}
	lw, largs := lq.Where()
	pw, pargs := pq.Where()
	// Both read (agent, kind[, hour], date range) slices of a covering
	// index — agent_day_times_report, or agent_spans_hour keyed (tenant,
	// agent_id, kind, hour of day, bucket, …); the inner login pass groups
	// in that index's order (its ORDER BY costs nothing and lets the outer
	// pass stream; grouped by bucket alone, SQLite took the non-covering
	// (tenant, agent_id, bucket) index to avoid a sort).
	group := "s.agent_id, s.bucket"
	if !day {
		group = "s.agent_id, " + hourOfBucket("s") + ", s.bucket"
	}
	pauses := `SELECT s.agent_id, 'pause', s.reason, SUM(s.seconds) FROM ` + table + ` s WHERE ` + pw + ` GROUP BY s.agent_id, s.reason`
	if f.Media != nil {
		pauses = `SELECT z.agent_id, 'pause', z.reason, SUM(z.m) FROM (
			SELECT s.agent_id AS agent_id, s.bucket AS bucket, s.reason AS reason, MAX(s.seconds) AS m FROM ` + table + ` s WHERE ` + pw + `
			GROUP BY s.agent_id, s.bucket, s.reason
		) z GROUP BY z.agent_id, z.reason`
	}
	sqlTimes := `SELECT y.agent_id, 'login', '', SUM(y.m) FROM (
			SELECT s.agent_id AS agent_id, s.bucket AS bucket, MAX(s.seconds) AS m FROM ` + table + ` s WHERE ` + lw + `
			GROUP BY ` + group + ` ORDER BY ` + group + `
		) y GROUP BY y.agent_id
		UNION ALL
		` + pauses + `
		ORDER BY 1, 2, 4 DESC, 3`
	rows, err := db.query(ctx, db.r, sqlTimes, append(largs, pargs...)...)
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

// chunkIDs splits sorted ids into at most n contiguous chunks of at least
// minSize ids.
func chunkIDs(ids []string, n, minSize int) [][]string {
	size := max(minSize, (len(ids)+n-1)/n)
	var out [][]string
	for i := 0; i < len(ids); i += size {
		out = append(out, ids[i:min(i+size, len(ids))])
	}
	return out
}

// parallel runs fn(0..n-1) concurrently and returns the first error.
func parallel(n int, fn func(i int) error) error {
	if n == 1 {
		return fn(0)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func sortedUnique(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	k := 0
	for i, v := range out {
		if i == 0 || v != out[k-1] {
			out[k] = v
			k++
		}
	}
	return out[:k]
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
