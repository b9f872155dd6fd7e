package store

import (
	"context"
	"fmt"

	"github.com/rastro/rastro/internal/model"
)

// Groupings of the rollup reports (Relatório IVR group_by, and the hour/day
// series of both rollup reports' charts).
const (
	ByIVR     = "ivr"     // ivr_id
	ByService = "service" // service_id
	ByAgent   = "agent"   // agent_id
	ByHour    = "hour"    // hour of day of the local bucket, "00".."23"
	ByDay     = "day"     // local date of the bucket, "AAAA-MM-DD"
)

// groupExpr is the SQL of a grouping over a rollup aliased alias. Every
// rollup row carries a local hour bucket "AAAA-MM-DD HH", so hour and day are
// substrings of it (SUBSTR is the same in SQLite and PostgreSQL).
func groupExpr(alias, by string) (string, error) {
	switch by {
	case ByIVR:
		return alias + ".ivr_id", nil
	case ByService:
		return alias + ".service_id", nil
	case ByAgent:
		return alias + ".agent_id", nil
	case ByHour:
		return "SUBSTR(" + alias + ".bucket, 12, 2)", nil
	case ByDay:
		return "SUBSTR(" + alias + ".bucket, 1, 10)", nil
	}
	return "", fmt.Errorf("unknown grouping %q", by)
}

// bucketRange limits a rollup to local dates [from, to], inclusive, on the
// bucket text: "AAAA-MM-DD 00" ≤ bucket ≤ "AAAA-MM-DD 23" (an index range on
// every rollup's (tenant, bucket, …) key). "" leaves that side open.
func bucketRange(q *Query, alias, from, to string) {
	if from != "" {
		q.And(alias+".bucket >= ?", from+" 00")
	}
	if to != "" {
		q.And(alias+".bucket <= ?", to+" 23")
	}
}

// userTagsIn limits col (an agent id column) to users having any of tags.
func userTagsIn(q *Query, tenant, col string, tags []string) {
	sub, args := inList(tags)
	q.And(col+" IN (SELECT ut.user_id FROM user_tags ut WHERE ut.tenant = ? AND ut.tag IN ("+sub+"))", append([]any{tenant}, args...)...)
}

// IVRFilter is a Relatório IVR search, validated by the report package.
type IVRFilter struct {
	FromDate, ToDate string // local dates AAAA-MM-DD, inclusive (the IVR entry's hour bucket); "" = open
	Agents           []string
	Services         []string
	IVRs             []string
	UserTags         []string // answering agents having any of these user tags
}

// IVRGroup is one group of the IVR rollup: the sums the report's columns
// are computed from (see report.IVRColumns for the definitions).
type IVRGroup struct {
	Key         string
	Received    int64 // ivr.entered
	Finished    int64 // left with outcome finished
	Transferred int64 // left with outcome transferred
	Abandoned   int64 // left with outcome abandoned
	Answered    int64 // delivered to an agent after the IVR
	AbandonedQ  int64 // transferred, never delivered (abandoned in queue)
	IVRSum      float64
	WaitSum     float64
	WaitN       int64
	TalkSum     float64
	TalkN       int64
	SLN         int64 // answered with wait ≤ the tenant's sl_seconds (at derivation)
}

// Add adds g's counts and sums to s (the totals row).
func (s *IVRGroup) Add(g IVRGroup) {
	s.Received += g.Received
	s.Finished += g.Finished
	s.Transferred += g.Transferred
	s.Abandoned += g.Abandoned
	s.Answered += g.Answered
	s.AbandonedQ += g.AbandonedQ
	s.IVRSum += g.IVRSum
	s.WaitSum += g.WaitSum
	s.WaitN += g.WaitN
	s.TalkSum += g.TalkSum
	s.TalkN += g.TalkN
	s.SLN += g.SLN
}

// ivrWhere scopes a query over an IVR rollup aliased alias.
func ivrWhere(p model.Principal, f IVRFilter, alias string) *Query {
	q := NewLegQuery(p, alias)
	bucketRange(q, alias, f.FromDate, f.ToDate)
	if f.IVRs != nil {
		q.In(alias+".ivr_id", f.IVRs)
	}
	if f.Services != nil {
		q.In(alias+".service_id", f.Services)
	}
	if f.Agents != nil {
		q.In(alias+".agent_id", f.Agents)
	}
	if f.UserTags != nil {
		userTagsIn(q, p.Tenant, alias+".agent_id", f.UserTags)
	}
	return q
}

// ivrInnerGroup is, per grouping, the GROUP BY of a first pass over
// ivr_rollup that follows the order of its (tenant, bucket, ivr_id,
// service_id, agent_id) covering index: on SQLite that pass streams
// without sorting and leaves few rows (per hour and group) for the second
// pass, which groups by the key. Grouping by agent is a single pass.
//
// PostgreSQL hashes instead of streaming, and there the first pass is pure
// cost: it keeps most rows as groups (demo month, 50k legs: 6,215
// ivr_rollup rows → 3,737 (bucket, ivr, service) groups; 6,880
// ivr_path_rollup rows → 6,880 groups for the paths by agent), whose
// bigint sums the second pass adds up again as numeric. Grouped by the key
// in one pass (innerGroup), the same rows and buffers are read and the
// Relatório IVR by service took 6.7 / 11.5 / 26.6 ms (min / median / max
// of 8 EXPLAIN ANALYZE runs) instead of 48 / 51 / 180 ms, the top option
// paths by agent 4–13 ms instead of 34–63 ms (load average 10–12).
var ivrInnerGroup = map[string]string{
	ByIVR:     "r.bucket, r.ivr_id",
	ByService: "r.bucket, r.ivr_id, r.service_id",
	ByHour:    "r.bucket",
	ByDay:     "r.bucket",
}

const ivrSums = `SUM(r.received) AS received, SUM(r.finished) AS finished, SUM(r.transferred) AS transferred,
	SUM(r.abandoned) AS abandoned, SUM(r.answered) AS answered, SUM(r.abandoned_q) AS abandoned_q,
	SUM(r.ivr_sum) AS ivr_sum, SUM(r.wait_sum) AS wait_sum, SUM(r.wait_n) AS wait_n,
	SUM(r.talk_sum) AS talk_sum, SUM(r.talk_n) AS talk_n, SUM(r.sl_n) AS sl_n`

// IVRGroups adds up ivr_rollup by a grouping (ByIVR, ByService, ByAgent,
// ByHour, ByDay), ordered by key.
func (db *DB) IVRGroups(ctx context.Context, p model.Principal, f IVRFilter, by string) ([]IVRGroup, error) {
	key, err := groupExpr("r", by)
	if err != nil {
		return nil, err
	}
	where, args := ivrWhere(p, f, "r").Where()
	inner := key
	if g, ok := ivrInnerGroup[by]; ok {
		inner = db.innerGroup(g, key)
	}
	from := `(SELECT ` + key + ` AS k, ` + ivrSums + ` FROM ivr_rollup r WHERE ` + where + ` GROUP BY ` + inner + `) x`
	rows, err := db.query(ctx, db.r, `SELECT x.k,
		CAST(SUM(x.received) AS BIGINT), CAST(SUM(x.finished) AS BIGINT), CAST(SUM(x.transferred) AS BIGINT),
		CAST(SUM(x.abandoned) AS BIGINT), CAST(SUM(x.answered) AS BIGINT), CAST(SUM(x.abandoned_q) AS BIGINT),
		SUM(x.ivr_sum), SUM(x.wait_sum), CAST(SUM(x.wait_n) AS BIGINT),
		SUM(x.talk_sum), CAST(SUM(x.talk_n) AS BIGINT), CAST(SUM(x.sl_n) AS BIGINT)
		FROM `+from+` GROUP BY x.k ORDER BY x.k`, args...)
	if err != nil {
		return nil, fmt.Errorf("ivr report: %w", err)
	}
	defer rows.Close()
	var out []IVRGroup
	for rows.Next() {
		var g IVRGroup
		if err := rows.Scan(&g.Key, &g.Received, &g.Finished, &g.Transferred, &g.Abandoned, &g.Answered, &g.AbandonedQ,
			&g.IVRSum, &g.WaitSum, &g.WaitN, &g.TalkSum, &g.TalkN, &g.SLN); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// innerGroup is the GROUP BY of the first pass of a two-pass rollup
// query: the index-ordered streaming pass on SQLite, the final key at once
// on PostgreSQL (see ivrInnerGroup).
func (db *DB) innerGroup(sqliteStream, key string) string {
	if db.dialect == Postgres {
		return key
	}
	return sqliteStream
}

// PathCount is how many IVR visits of a group chose an option path.
type PathCount struct {
	Key  string
	Path string // options joined by " > "
	N    int64
}

// pathInnerGroup is the first pass over ivr_path_rollup on SQLite
// (innerGroup), in the order of its (tenant, bucket, path, ivr_id,
// service_id, agent_id) covering index.
var pathInnerGroup = map[string]string{
	"":        "r.bucket, r.path",
	ByIVR:     "r.bucket, r.path, r.ivr_id",
	ByService: "r.bucket, r.path, r.ivr_id, r.service_id",
	ByAgent:   "r.bucket, r.path, r.ivr_id, r.service_id, r.agent_id",
	ByHour:    "r.bucket, r.path",
	ByDay:     "r.bucket, r.path",
}

// IVRTopPaths returns, per group (by as in IVRGroups; "" = one group over
// everything, Key ""), the top most frequent non-empty option paths: count
// descending, then path ascending — ranked in SQL (a window; LIMIT n BY on
// ClickHouse). Ordered by key, then rank.
func (db *DB) IVRTopPaths(ctx context.Context, p model.Principal, f IVRFilter, by string, top int) ([]PathCount, error) {
	key := "''"
	if by != "" {
		var err error
		if key, err = groupExpr("r", by); err != nil {
			return nil, err
		}
	}
	where, args := ivrWhere(p, f, "r").And("r.path <> ''").Where()
	pathKey := "r.path" // by "": key is a constant, which PostgreSQL refuses in GROUP BY
	if by != "" {
		pathKey = key + ", r.path"
	}
	rows, err := db.query(ctx, db.r, `SELECT y.k, y.path, y.n FROM (
			SELECT x.k AS k, x.path AS path, CAST(SUM(x.n) AS BIGINT) AS n,
				ROW_NUMBER() OVER (PARTITION BY x.k ORDER BY SUM(x.n) DESC, x.path) AS rk
			FROM (SELECT `+key+` AS k, r.path AS path, SUM(r.n) AS n FROM ivr_path_rollup r WHERE `+where+
		` GROUP BY `+db.innerGroup(pathInnerGroup[by], pathKey)+`) x
			GROUP BY x.k, x.path
		) y WHERE y.rk <= ? ORDER BY y.k, y.rk`, append(args, top)...)
	if err != nil {
		return nil, fmt.Errorf("ivr paths: %w", err)
	}
	defer rows.Close()
	var out []PathCount
	for rows.Next() {
		var c PathCount
		if err := rows.Scan(&c.Key, &c.Path, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// IVRsIn lists the IVRs with visits matching f (the drill-down's ivrs when
// the report was not filtered by IVR).
func (db *DB) IVRsIn(ctx context.Context, p model.Principal, f IVRFilter) ([]string, error) {
	where, args := ivrWhere(p, f, "r").Where()
	rows, err := db.query(ctx, db.r, `SELECT DISTINCT x.i FROM (SELECT r.ivr_id AS i FROM ivr_rollup r WHERE `+where+
		` GROUP BY `+db.innerGroup("r.bucket, r.ivr_id", "r.ivr_id")+`) x ORDER BY x.i`, args...)
	if err != nil {
		return nil, fmt.Errorf("ivrs of report: %w", err)
	}
	return appendColumn([]string{}, rows)
}

// Names maps the ids of a directory table (services, users, ivrs, tags) to
// their names, for labelling report groups in one query.
func (db *DB) Names(ctx context.Context, tenant, table string) (map[string]string, error) {
	switch table {
	case "services", "users", "ivrs", "tags":
	default:
		return nil, fmt.Errorf("no names in %q", table)
	}
	rows, err := db.query(ctx, db.r, `SELECT id, name FROM `+table+` WHERE tenant = ?`, tenant)
	if err != nil {
		return nil, fmt.Errorf("names of %s: %w", table, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}
