package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/rastro/rastro/internal/model"
)

// LegFilter is a Rastreio de Interações search, already validated and
// translated to stored values by the report package.
type LegFilter struct {
	Media            string
	FromMS, ToMS     int64  // entered_at range [from, to); 0 = open
	HourFrom, HourTo string // local time of day "HH:MM:SS", inclusive; "" = open
	Portfolio        *bool
	Expired          *bool
	VoiceStatus      []string
	CallQuality      []string // alta | media | baixa (model.CallQualities)
	Statuses         []string // leg statuses ("service completed", …)
	Tags             []string
	Agents           []string
	Services         []string
	UserTags         []string
	Contacts         []string
	Email            string // lower-case
	Phone            string // digits
	Protocol         string
	ExternalID       string
	ExternalProtocol string
	IVRs             []string // legs of calls that went through these IVRs (IVR drill-down)
}

// Cursor is a keyset position: the last row seen.
type Cursor struct {
	EnteredAt int64
	K         int64
}

// LegPage is one page of Rastreio rows.
type LegPage struct {
	Rows []LegCells
	Next *Cursor
}

// LegCells is one stored leg as the reports print it.
type LegCells struct {
	K         int64
	EnteredAt int64
	Protocol  string
	Cells     []string
}

func (db *DB) legWhere(p model.Principal, f LegFilter) *Query {
	return LegWhere(p, f, sqlLegs{dialect: db.dialect})
}

// LegDialect is what differs, in the Rastreio's filter, between the engines
// that hold finished legs: SQLite and PostgreSQL (the legs table and its
// side tables: sqlLegs) and the ClickHouse analytics engine (array columns,
// soft deletes). LegWhere writes the rest once, in one order, so the page,
// the count, the summary and the export of every engine filter alike.
type LegDialect interface {
	// Current narrows to rows still current, right after the scope.
	Current(q *Query)
	// Bool is the stored form of a boolean.
	Bool(b bool) any
	// ServiceColumn is the column (expression) the services filter tests.
	ServiceColumn(f LegFilter) string
	// Tags (f.Tags, in f's media and date range), UserTags, Email, Phone
	// (reversed digits: a suffix match is a prefix range) and IVRs add
	// those filters.
	Tags(q *Query, p model.Principal, f LegFilter)
	UserTags(q *Query, p model.Principal, tags []string)
	Email(q *Query, p model.Principal, email string)
	Phone(q *Query, p model.Principal, reversed string)
	IVRs(q *Query, p model.Principal, ivrs []string)
}

// LegWhere is the Rastreio's filter of f over legs aliased l, scoped to p
// (NewLegQuery), in dialect d.
func LegWhere(p model.Principal, f LegFilter, d LegDialect) *Query {
	q := NewLegQuery(p, "l")
	d.Current(q)
	q.And("l.media = ?", f.Media)
	if f.FromMS != 0 {
		q.And("l.entered_at >= ?", f.FromMS)
	}
	if f.ToMS != 0 {
		q.And("l.entered_at < ?", f.ToMS)
	}
	if f.HourFrom != "" {
		q.And("l.local_time >= ?", f.HourFrom)
	}
	if f.HourTo != "" {
		q.And("l.local_time <= ?", f.HourTo)
	}
	if f.Portfolio != nil {
		q.And("l.portfolio = ?", d.Bool(*f.Portfolio))
	}
	if f.Expired != nil {
		q.And("l.expired = ?", d.Bool(*f.Expired))
	}
	if f.VoiceStatus != nil {
		q.In("l.voice_status", f.VoiceStatus)
	}
	if f.CallQuality != nil {
		q.In("l.call_quality", f.CallQuality)
	}
	if f.Statuses != nil {
		q.In("l.status", f.Statuses)
	}
	if f.Agents != nil {
		q.In("l.agent_id", f.Agents)
	}
	if f.Services != nil {
		q.In(d.ServiceColumn(f), f.Services)
	}
	if f.Contacts != nil {
		q.In("l.contact_id", f.Contacts)
	}
	if f.Tags != nil {
		d.Tags(q, p, f)
	}
	if f.UserTags != nil {
		d.UserTags(q, p, f.UserTags)
	}
	if f.Email != "" {
		d.Email(q, p, f.Email)
	}
	if f.Phone != "" {
		d.Phone(q, p, Reverse(f.Phone))
	}
	if f.IVRs != nil {
		d.IVRs(q, p, f.IVRs)
	}
	if f.Protocol != "" {
		q.And("l.protocol = ?", f.Protocol)
	}
	if f.ExternalID != "" {
		q.And("l.external_id = ?", f.ExternalID)
	}
	if f.ExternalProtocol != "" {
		q.And("l.ext_protocol = ?", f.ExternalProtocol)
	}
	return q
}

// sqlLegs is the LegDialect of the store (SQLite, PostgreSQL): the
// multi-valued filters go through the side tables.
type sqlLegs struct{ dialect string }

func (sqlLegs) Current(*Query) {}

func (sqlLegs) Bool(b bool) any { return b2i(b) }

func (d sqlLegs) ServiceColumn(f LegFilter) string {
	if f.Agents != nil && d.dialect == SQLite {
		// One agent's legs are far fewer than one service's: the unary
		// plus keeps SQLite (which has no statistics) from walking
		// legs_media_service_time instead of legs_media_agent_time
		// (2.9 s instead of milliseconds for a rare mix at 1M legs).
		return "+l.service_id"
	}
	return "l.service_id"
}

// Tags reads leg_tags by (tenant, tag_id, media, entered_at)
// (leg_tags_tag_time, migration 0019). A search by one tag is driven by
// that tag's rows (legsFrom joins them as lt): the page walks them in
// order and fetches only their legs. Several tags, where a leg may carry
// more than one, are a set of such slices the legs are tested against.
func (sqlLegs) Tags(q *Query, p model.Principal, f LegFilter) {
	if oneTag(f) {
		cond, args := tagRows(p, f, "lt.tag_id = ?", f.Tags[0])
		q.And(cond, args...)
		return
	}
	sub, tags := inList(f.Tags)
	cond, args := tagRows(p, f, "lt.tag_id IN ("+sub+")", tags...)
	q.And("l.k IN (SELECT lt.leg_k FROM leg_tags lt WHERE "+cond+")", args...)
}

// tagRows is the condition on the leg_tags rows aliased lt of f's tenant,
// tags (tagCond with its args), media and date range: the leading columns
// of leg_tags_tag_time, in order.
func tagRows(p model.Principal, f LegFilter, tagCond string, tagArgs ...any) (string, []any) {
	cond := "lt.tenant = ? AND " + tagCond + " AND lt.media = ?"
	args := append(append([]any{p.Tenant}, tagArgs...), f.Media)
	if f.FromMS != 0 {
		cond += " AND lt.entered_at >= ?"
		args = append(args, f.FromMS)
	}
	if f.ToMS != 0 {
		cond += " AND lt.entered_at < ?"
		args = append(args, f.ToMS)
	}
	return cond, args
}

// analyzeLegTags gives PostgreSQL's planner the statistics of the leg_tags
// that migration 0019 rebuilt: a new table has none until autovacuum comes
// by, and meanwhile (50k legs) media=voice&tags=tag-duvida&agents=ag-010
// walked the tag's 1,820 legs (5,847 buffers) instead of hash-joining them
// with the agent's 299 (306 buffers). SQLite keeps no statistics: its
// plans follow the indexes alone.
func (db *DB) analyzeLegTags(ctx context.Context, q querier) error {
	return wrap(db.analyze(ctx, q, "leg_tags"), "migration 0019")
}

// oneTag says whether a search is by exactly one tag: its leg_tags rows
// (one per leg) drive the query (legsFrom).
func oneTag(f LegFilter) bool { return len(f.Tags) == 1 }

// legsFrom is the FROM of a Rastreio query of f over the legs aliased l,
// and the columns of its (entered_at, k) order. A search by one tag starts
// from that tag's leg_tags rows (aliased lt, whose entered_at and leg_k are
// their leg's), so the order is the index's: at 1M legs a tag the media
// rarely carries (media=reclameaqui&tags=tag-acordo, no match) walked the
// month's 38k ReclameAqui legs in date order, fetching 26k pages, before
// the tag test rejected each.
func legsFrom(f LegFilter) (from, at, k string) {
	if oneTag(f) {
		return "leg_tags lt JOIN legs l ON l.k = lt.leg_k", "lt.entered_at", "lt.leg_k"
	}
	return "legs l", "l.entered_at", "l.k"
}

func (sqlLegs) UserTags(q *Query, p model.Principal, tags []string) {
	sub, args := inList(tags)
	q.And("l.agent_id IN (SELECT ut.user_id FROM user_tags ut WHERE ut.tenant = ? AND ut.tag IN ("+sub+"))", append([]any{p.Tenant}, args...)...)
}

func (sqlLegs) Email(q *Query, p model.Principal, email string) {
	q.And("l.contact_id IN (SELECT ce.contact_id FROM contact_emails ce WHERE ce.tenant = ? AND ce.email = ?)", p.Tenant, email)
}

func (sqlLegs) Phone(q *Query, p model.Principal, r string) {
	q.And("l.k IN (SELECT lp.leg_k FROM leg_phones lp WHERE lp.tenant = ? AND lp.rdigits >= ? AND lp.rdigits < ?)", p.Tenant, r, r+":")
}

func (sqlLegs) IVRs(q *Query, p model.Principal, ivrs []string) {
	sub, args := inList(ivrs)
	q.And("l.interaction_id IN (SELECT iv.interaction_id FROM ivr_visits iv WHERE iv.tenant = ? AND iv.ivr_id IN ("+sub+"))", append([]any{p.Tenant}, args...)...)
}

// legPage builds the query of one keyset page: the matching legs after the
// cursor, in (entered_at, k) order. The cursor's row value replaces the date
// bound on its side: SQLite starts an index range at only one lower (or
// upper) bound, and with both it walked from the period's edge, skipping
// every row already sent — each page of a long export cost more than the one
// before (quadratic; a 267k-row export spent two thirds of its time there).
func (db *DB) legPage(p model.Principal, f LegFilter, desc bool, after *Cursor, cols string, limit int) (string, []any) {
	dir, cmp := "ASC", ">"
	if desc {
		dir, cmp = "DESC", "<"
	}
	if after != nil {
		// The cursor lies inside [FromMS, ToMS), so it is the tighter bound.
		if desc {
			f.ToMS = 0
		} else {
			f.FromMS = 0
		}
	}
	q := db.legWhere(p, f)
	from, at, k := legsFrom(f)
	if after != nil {
		q.And("("+at+", "+k+") "+cmp+" (?, ?)", after.EnteredAt, after.K)
	}
	where, args := q.Where()
	return `SELECT ` + cols + ` FROM ` + from + ` WHERE ` + where +
		` ORDER BY ` + at + ` ` + dir + `, ` + k + ` ` + dir + ` LIMIT ?`, append(args, limit)
}

// Legs returns one page of finished legs, newest first when desc, keyset
// paged on (entered_at, k) — never OFFSET.
func (db *DB) Legs(ctx context.Context, p model.Principal, f LegFilter, desc bool, after *Cursor, limit int) (LegPage, error) {
	sqlText, args := db.legPage(p, f, desc, after, `l.k, l.entered_at, l.protocol, l.cells`, limit+1)
	rows, err := db.query(ctx, db.r, sqlText, args...)
	if err != nil {
		return LegPage{}, fmt.Errorf("query legs: %w", err)
	}
	defer rows.Close()
	var page LegPage
	for rows.Next() {
		var r LegCells
		var cells string
		if err := rows.Scan(&r.K, &r.EnteredAt, &r.Protocol, &cells); err != nil {
			return LegPage{}, err
		}
		r.Cells = DecodeCells(cells)
		page.Rows = append(page.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return LegPage{}, err
	}
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		last := page.Rows[limit-1]
		page.Next = &Cursor{EnteredAt: last.EnteredAt, K: last.K}
	}
	return page, nil
}

// EachLeg streams every matching leg in keyset pages of pageSize, calling fn
// with the raw stored cells (still joined) to keep the export path free of
// per-row allocations it does not need.
func (db *DB) EachLeg(ctx context.Context, p model.Principal, f LegFilter, desc bool, pageSize int, fn func(cells string) error) error {
	var after *Cursor
	for {
		sqlText, args := db.legPage(p, f, desc, after, `l.k, l.entered_at, l.cells`, pageSize)
		rows, err := db.query(ctx, db.r, sqlText, args...)
		if err != nil {
			return fmt.Errorf("export legs: %w", err)
		}
		n := 0
		var last Cursor
		for rows.Next() {
			var cells string
			if err := rows.Scan(&last.K, &last.EnteredAt, &cells); err != nil {
				rows.Close()
				return err
			}
			n++
			if err := fn(cells); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n < pageSize {
			return nil
		}
		after = &last
	}
}

// CountLegs counts matching legs (drill-down totals and tests).
func (db *DB) CountLegs(ctx context.Context, p model.Principal, f LegFilter) (int64, error) {
	where, args := db.legWhere(p, f).Where()
	from, _, _ := legsFrom(f)
	var n int64
	err := db.queryRow(ctx, db.r, `SELECT COUNT(*) FROM `+from+` WHERE `+where, args...).Scan(&n)
	return n, err
}

// InteractionByProtocol finds the interaction of a protocol if p may see at
// least one of its legs, or, for an interaction without legs, if p is not
// limited to services; ok is false otherwise (unknown and forbidden look
// the same to the caller, so existence does not leak).
func (db *DB) InteractionByProtocol(ctx context.Context, p model.Principal, protocol string) (id string, services []string, ok bool, err error) {
	q := NewLegQuery(p, "l").And("l.protocol = ?", protocol)
	where, args := q.Where()
	rows, err := db.query(ctx, db.r, `SELECT l.interaction_id, l.service_id FROM legs l WHERE `+where+` ORDER BY l.seq`, args...)
	if err != nil {
		return "", nil, false, fmt.Errorf("find protocol %s: %w", protocol, err)
	}
	defer rows.Close()
	for rows.Next() {
		var svc string
		if err := rows.Scan(&id, &svc); err != nil {
			return "", nil, false, err
		}
		services = append(services, svc)
		ok = true
	}
	if err := rows.Err(); err != nil || ok {
		return id, services, ok, err
	}
	// No leg carries it: an interaction without legs (messages only, as
	// from WhatsApp alone), which only an unlimited principal may see.
	where, args = NewInteractionQuery(p, "i").And("i.protocol = ?", protocol).Where()
	err = db.queryRow(ctx, db.r, `SELECT i.id FROM interactions i WHERE `+where+` ORDER BY i.id LIMIT 1`, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, fmt.Errorf("find protocol %s: %w", protocol, err)
	}
	return id, nil, true, nil
}

// Events loads every stored event of one aggregate outside a write
// transaction (histories).
func (db *DB) Events(ctx context.Context, tenant, kind, key string) ([]model.Event, error) {
	rows, err := db.query(ctx, db.r, `SELECT seq, body, zbody FROM events WHERE tenant = ? AND agg_kind = ? AND agg_key = ? ORDER BY seq`, tenant, kind, key)
	if err != nil {
		return nil, fmt.Errorf("load %s %s: %w", kind, key, err)
	}
	defer rows.Close()
	return scanEvents(rows)
}

// LegRecording returns the recording of a protocol's legs visible to p.
func (db *DB) LegRecording(ctx context.Context, p model.Principal, protocol string) (string, bool, error) {
	q := NewLegQuery(p, "l").And("l.protocol = ?", protocol).And("l.recording_url <> ''")
	where, args := q.Where()
	var url string
	err := db.queryRow(ctx, db.r, `SELECT l.recording_url FROM legs l WHERE `+where+` ORDER BY l.seq LIMIT 1`, args...).Scan(&url)
	if err != nil {
		if strings.Contains(err.Error(), "no rows") {
			return "", false, nil
		}
		return "", false, err
	}
	return url, true, nil
}
