package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The analytics outbox (migration 0007): the store's side of feeding the
// analytics engine. The store stays the system of record; what the engine
// holds is shipped from here, so the outbox is written in the same
// transaction as the rows it announces and deleted only after the engine
// acknowledged them.

// Outbox entry kinds.
const (
	OutboxInteraction = "interaction" // key = interaction id: ship its current legs and IVR visits
	OutboxTenant      = "tenant"      // key = tenant: re-backfill every leg, IVR visit, agent span, rollup row and bot conversation of the tenant
	OutboxAgentDay    = "agent_day"   // key = AgentDayKey(agent, day): ship the agent's spans and day-grain rollup rows of that local day
	OutboxAnonymize   = "anonymize"   // key = JSON array of interaction ids (see AnnounceAnonymized): ship them, then erase their older versions
)

// OutboxEntry is one pending entry.
type OutboxEntry struct {
	ID        int64
	Tenant    string
	Kind      string
	Key       string
	CreatedAt time.Time
}

// AnalyticsEnabled reports whether analytics is enabled for this store. Once
// on it stays on, so a true answer is cached.
func (db *DB) AnalyticsEnabled(ctx context.Context) (bool, error) {
	if db.analyticsOn.Load() {
		return true, nil
	}
	return db.analyticsEnabled(ctx, db.w)
}

func (db *DB) analyticsEnabled(ctx context.Context, q querier) (bool, error) {
	var n int
	if err := db.queryRow(ctx, q, `SELECT COUNT(*) FROM analytics_state WHERE id = 1`).Scan(&n); err != nil {
		return false, fmt.Errorf("read analytics state: %w", err)
	}
	if n > 0 {
		db.analyticsOn.Store(true)
	}
	return n > 0, nil
}

// EnableAnalytics records that analytics (engine, e.g. "clickhouse") is on
// for this store and, the first time, queues a full backfill: one 'tenant'
// entry per tenant. The flag is committed first; then each tenant's entry is
// added under that tenant's write lock, so a derivation that read the flag
// as off has committed before its tenant's backfill entry (and its rows are
// read by the backfill). A crash half-way is finished by the next call
// (backfill_queued stays 0 until every tenant is queued). It returns
// whether a backfill was queued by this call.
func (db *DB) EnableAnalytics(ctx context.Context, engine string) (bool, error) {
	var queued int
	err := db.queryRow(ctx, db.w, `SELECT backfill_queued FROM analytics_state WHERE id = 1`).Scan(&queued)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := db.exec(ctx, db.w, `INSERT INTO analytics_state (id, engine, enabled_at, backfill_queued) VALUES (1, ?, ?, 0) ON CONFLICT (id) DO NOTHING`,
			engine, time.Now().UnixMilli()); err != nil {
			return false, fmt.Errorf("enable analytics: %w", err)
		}
	case err != nil:
		return false, fmt.Errorf("read analytics state: %w", err)
	case queued == 1:
		db.analyticsOn.Store(true)
		return false, nil
	}
	db.analyticsOn.Store(true)
	if err := db.QueueAnalyticsBackfill(ctx); err != nil {
		return false, err
	}
	if _, err := db.exec(ctx, db.w, `UPDATE analytics_state SET backfill_queued = 1 WHERE id = 1`); err != nil {
		return false, fmt.Errorf("enable analytics: %w", err)
	}
	return true, nil
}

// QueueAnalyticsBackfill queues a re-backfill of every tenant (one 'tenant'
// entry each, under the tenant's write lock): the first sync, an engine
// that gained a table its older rows were never shipped to, an engine whose
// database was created empty. A tenant whose re-backfill is pending already
// is not queued again: that entry reads the tenant's rows when it is
// shipped, after this call.
func (db *DB) QueueAnalyticsBackfill(ctx context.Context) error {
	tenants, err := db.Tenants(ctx)
	if err != nil {
		return err
	}
	for _, tn := range tenants {
		if err := db.WithTenantTx(ctx, tn, func(tx *Tx) error {
			var pending int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM analytics_outbox WHERE tenant = ? AND kind = ?`, tn, OutboxTenant).Scan(&pending); err != nil {
				return fmt.Errorf("read the pending backfill of %s: %w", tn, err)
			}
			if pending > 0 {
				return nil
			}
			return tx.queueOutbox(ctx, OutboxTenant, tn)
		}); err != nil {
			return fmt.Errorf("queue the backfill of %s: %w", tn, err)
		}
	}
	return nil
}

// analyticsOn reads (once per transaction) whether derived rows must be
// announced in the outbox.
func (t *Tx) analyticsOn(ctx context.Context) (bool, error) {
	if t.analytics == 0 {
		on, err := t.db.analyticsEnabledTx(ctx, t)
		if err != nil {
			return false, err
		}
		t.analytics = -1
		if on {
			t.analytics = 1
		}
	}
	return t.analytics == 1, nil
}

func (db *DB) analyticsEnabledTx(ctx context.Context, t *Tx) (bool, error) {
	if db.analyticsOn.Load() {
		return true, nil
	}
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM analytics_state WHERE id = 1`).Scan(&n); err != nil {
		return false, fmt.Errorf("read analytics state: %w", err)
	}
	if n > 0 {
		db.analyticsOn.Store(true)
	}
	return n > 0, nil
}

func (t *Tx) queueOutbox(ctx context.Context, kind, key string) error {
	_, err := t.exec(ctx, `INSERT INTO analytics_outbox (tenant, kind, key, created_at) VALUES (?, ?, ?, ?)`,
		t.tenant, kind, key, time.Now().UnixMilli())
	return wrap(err, "queue analytics "+kind+" "+key)
}

// announceInteraction adds an outbox entry for a re-derived interaction when
// analytics is on.
func (t *Tx) announceInteraction(ctx context.Context, interactionID string) error {
	on, err := t.analyticsOn(ctx)
	if err != nil || !on {
		return err
	}
	return t.queueOutbox(ctx, OutboxInteraction, interactionID)
}

// AgentDayKey is the outbox key of an agent's local day: "AAAA-MM-DD agent".
func AgentDayKey(agentID, day string) string { return day + " " + agentID }

// SplitAgentDayKey undoes AgentDayKey.
func SplitAgentDayKey(key string) (agentID, day string, ok bool) {
	if len(key) < 11 || key[10] != ' ' {
		return "", "", false
	}
	return key[11:], key[:10], true
}

// announceAgentDay adds an outbox entry for an agent's re-derived day (its
// spans, or the legs its day rollups add up) when analytics is on.
func (t *Tx) announceAgentDay(ctx context.Context, agentID, day string) error {
	on, err := t.analyticsOn(ctx)
	if err != nil || !on {
		return err
	}
	return t.queueOutbox(ctx, OutboxAgentDay, AgentDayKey(agentID, day))
}

// MarkAnalyticsRebackfill is called by rebuild: the tenant's pending entries
// (but its anonymisations) are superseded by one 'tenant' entry (its every leg is shipped again and
// the legs that vanished are deleted from the engine), instead of one entry
// per re-derived interaction.
func (t *Tx) MarkAnalyticsRebackfill(ctx context.Context) error {
	on, err := t.analyticsOn(ctx)
	if err != nil || !on {
		return err
	}
	// Anonymisations stay: the re-backfill sends the new versions, but only
	// their entries erase the old ones (with the personal data) from disk.
	if _, err := t.exec(ctx, `DELETE FROM analytics_outbox WHERE tenant = ? AND kind <> ? AND kind <> ?`, t.tenant, OutboxAnonymize, OutboxAnonymizeBot); err != nil {
		return fmt.Errorf("clear the analytics outbox: %w", err)
	}
	t.analytics = -1 // the legs rebuild inserts are covered by the tenant entry
	return t.queueOutbox(ctx, OutboxTenant, t.tenant)
}

// OutboxBatch returns up to limit pending entries, oldest first.
func (db *DB) OutboxBatch(ctx context.Context, limit int) ([]OutboxEntry, error) {
	rows, err := db.query(ctx, db.w, `SELECT id, tenant, kind, key, created_at FROM analytics_outbox ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read the analytics outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxEntry
	for rows.Next() {
		var e OutboxEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.Tenant, &e.Kind, &e.Key, &at); err != nil {
			return nil, err
		}
		e.CreatedAt = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// DeleteOutbox removes shipped entries (ids already gone are ignored:
// another shipper may have sent them too, which versions make harmless).
func (db *DB) DeleteOutbox(ctx context.Context, ids []int64) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		if _, err := db.exec(ctx, db.w, `DELETE FROM analytics_outbox WHERE id IN (`+placeholders(n)+`)`, args...); err != nil {
			return fmt.Errorf("delete shipped outbox entries: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}

// OutboxStats returns a tenant's pending entries and the creation time of
// the oldest (nil when none).
func (db *DB) OutboxStats(ctx context.Context, tenant string) (int64, *time.Time, error) {
	var n int64
	var oldest sql.NullInt64
	if err := db.queryRow(ctx, db.r, `SELECT COUNT(*), MIN(created_at) FROM analytics_outbox WHERE tenant = ?`, tenant).Scan(&n, &oldest); err != nil {
		return 0, nil, fmt.Errorf("analytics outbox of %s: %w", tenant, err)
	}
	if !oldest.Valid {
		return n, nil, nil
	}
	at := time.UnixMilli(oldest.Int64).UTC()
	return n, &at, nil
}

// OutboxTotals is OutboxStats over every tenant (for /metrics, which shows
// no tenant's own figures).
func (db *DB) OutboxTotals(ctx context.Context) (int64, *time.Time, error) {
	var n int64
	var oldest sql.NullInt64
	if err := db.queryRow(ctx, db.r, `SELECT COUNT(*), MIN(created_at) FROM analytics_outbox`).Scan(&n, &oldest); err != nil {
		return 0, nil, fmt.Errorf("analytics outbox: %w", err)
	}
	if !oldest.Valid {
		return n, nil, nil
	}
	at := time.UnixMilli(oldest.Int64).UTC()
	return n, &at, nil
}

// AnalyticsLeg is a finished leg as the analytics engine stores it: the
// legs row plus its tags, reversed phone digits and the interaction's IVRs.
type AnalyticsLeg struct {
	K                                  int64
	InteractionID, LegID               string
	Seq                                int64
	Protocol, Media                    string
	EnteredAt                          int64
	LocalDate, LocalTime, Bucket       string
	ServiceID, AgentID, ContactID      string
	Status, VoiceStatus, CallQuality   string
	Expired                            *uint8
	Portfolio                          uint8
	ExternalID, ExtProtocol, Direction string
	QueuedAt, DeliveredAt, AnsweredAt  *int64
	FinishedAt                         int64
	Duration, TMP, TMI, TM1R, TMR      *float64
	RecordingURL, Cells                string
	Tags, RPhones, IVRs                []string
}

const analyticsLegCols = `l.k, l.interaction_id, l.leg_id, l.seq, l.protocol, l.media, l.entered_at, l.local_date, l.local_time, l.bucket,
	l.service_id, l.agent_id, l.contact_id, l.status, l.voice_status, l.call_quality, l.expired, l.portfolio, l.external_id, l.ext_protocol, l.direction,
	l.queued_at, l.delivered_at, l.answered_at, l.finished_at, l.duration, l.tmp, l.tmi, l.tm1r, l.tmr, l.recording_url, l.cells`

// AnalyticsLegs reads the current legs of some interactions of a tenant.
func (db *DB) AnalyticsLegs(ctx context.Context, tenant string, interactionIDs []string) ([]AnalyticsLeg, error) {
	var out []AnalyticsLeg
	for len(interactionIDs) > 0 {
		n := min(len(interactionIDs), 500)
		sub, args := inList(interactionIDs[:n])
		legs, err := db.analyticsLegs(ctx, tenant, `l.interaction_id IN (`+sub+`)`, args, `l.interaction_id IN (`+sub+`)`, args)
		if err != nil {
			return nil, err
		}
		out = append(out, legs...)
		interactionIDs = interactionIDs[n:]
	}
	return out, nil
}

// EachAnalyticsLeg streams every leg of a tenant in k order, chunk legs at a
// time (the backfill).
func (db *DB) EachAnalyticsLeg(ctx context.Context, tenant string, chunk int, fn func([]AnalyticsLeg) error) error {
	after := int64(-1 << 62)
	for {
		legs, err := db.analyticsLegs(ctx, tenant, `l.k > ? ORDER BY l.k LIMIT `+fmt.Sprint(chunk), []any{after}, "", nil)
		if err != nil {
			return err
		}
		if len(legs) == 0 {
			return nil
		}
		if err := fn(legs); err != nil {
			return err
		}
		if len(legs) < chunk {
			return nil
		}
		after = legs[len(legs)-1].K
	}
}

// analyticsLegs reads legs of a tenant matching cond (and, unless ivrCond is
// "", the IVR visits of interactions matching ivrCond) with their tags,
// phones and IVRs.
func (db *DB) analyticsLegs(ctx context.Context, tenant, cond string, args []any, ivrCond string, ivrArgs []any) ([]AnalyticsLeg, error) {
	rows, err := db.query(ctx, db.r, `SELECT `+analyticsLegCols+` FROM legs l WHERE l.tenant = ? AND `+cond, append([]any{tenant}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("legs for analytics: %w", err)
	}
	var legs []AnalyticsLeg
	byK := map[int64]int{}
	byInteraction := map[string][]int{}
	for rows.Next() {
		var l AnalyticsLeg
		var expired sql.NullInt64
		var qa, da, aa sql.NullInt64
		var dur, tmp, tmi, tm1r, tmr sql.NullFloat64
		if err := rows.Scan(&l.K, &l.InteractionID, &l.LegID, &l.Seq, &l.Protocol, &l.Media, &l.EnteredAt, &l.LocalDate, &l.LocalTime, &l.Bucket,
			&l.ServiceID, &l.AgentID, &l.ContactID, &l.Status, &l.VoiceStatus, &l.CallQuality, &expired, &l.Portfolio, &l.ExternalID, &l.ExtProtocol, &l.Direction,
			&qa, &da, &aa, &l.FinishedAt, &dur, &tmp, &tmi, &tm1r, &tmr, &l.RecordingURL, &l.Cells); err != nil {
			rows.Close()
			return nil, err
		}
		if expired.Valid {
			v := uint8(expired.Int64)
			l.Expired = &v
		}
		l.QueuedAt, l.DeliveredAt, l.AnsweredAt = nullInt(qa), nullInt(da), nullInt(aa)
		l.Duration, l.TMP, l.TMI, l.TM1R, l.TMR = nullFloat(dur), nullFloat(tmp), nullFloat(tmi), nullFloat(tm1r), nullFloat(tmr)
		byK[l.K] = len(legs)
		byInteraction[l.InteractionID] = append(byInteraction[l.InteractionID], len(legs))
		legs = append(legs, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(legs) == 0 {
		return nil, nil
	}
	ks := make([]any, 0, len(legs))
	for _, l := range legs {
		ks = append(ks, l.K)
	}
	for _, child := range []struct {
		q   string
		add func(l *AnalyticsLeg, v string)
	}{
		{`SELECT leg_k, tag_id FROM leg_tags WHERE leg_k IN (%s) ORDER BY leg_k, tag_id`, func(l *AnalyticsLeg, v string) { l.Tags = append(l.Tags, v) }},
		{`SELECT leg_k, rdigits FROM leg_phones WHERE leg_k IN (%s) ORDER BY leg_k, rdigits`, func(l *AnalyticsLeg, v string) { l.RPhones = append(l.RPhones, v) }},
	} {
		rows, err := db.query(ctx, db.r, fmt.Sprintf(child.q, placeholders(len(ks))), ks...)
		if err != nil {
			return nil, fmt.Errorf("leg children for analytics: %w", err)
		}
		for rows.Next() {
			var k int64
			var v string
			if err := rows.Scan(&k, &v); err != nil {
				rows.Close()
				return nil, err
			}
			child.add(&legs[byK[k]], v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	// IVRs of the legs' interactions.
	ivrQ, ivrA := `SELECT interaction_id, ivr_id FROM ivr_visits WHERE tenant = ? AND `+strings.ReplaceAll(ivrCond, "l.", ""), append([]any{tenant}, ivrArgs...)
	if ivrCond == "" {
		ids := make([]any, 0, len(byInteraction))
		for id := range byInteraction {
			ids = append(ids, id)
		}
		ivrQ, ivrA = `SELECT interaction_id, ivr_id FROM ivr_visits WHERE tenant = ? AND interaction_id IN (`+placeholders(len(ids))+`)`, append([]any{tenant}, ids...)
	}
	rows, err = db.query(ctx, db.r, ivrQ+` ORDER BY interaction_id, pos`, ivrA...)
	if err != nil {
		return nil, fmt.Errorf("ivr visits for analytics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, ivr string
		if err := rows.Scan(&id, &ivr); err != nil {
			return nil, err
		}
		for _, i := range byInteraction[id] {
			legs[i].IVRs = appendUnique(legs[i].IVRs, ivr)
		}
	}
	return legs, rows.Err()
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// UserTagAgents lists the agents (users) carrying any of the user tags: the
// analytics engine resolves the Rastreio's user_tags filter with it, as the
// store's query does with a subquery.
func (db *DB) UserTagAgents(ctx context.Context, tenant string, tags []string) ([]string, error) {
	sub, args := inList(tags)
	return db.strings(ctx, `SELECT DISTINCT user_id FROM user_tags WHERE tenant = ? AND tag IN (`+sub+`) ORDER BY user_id`, append([]any{tenant}, args...)...)
}

// EmailContacts lists the contacts with an e-mail address (lower case).
func (db *DB) EmailContacts(ctx context.Context, tenant, email string) ([]string, error) {
	return db.strings(ctx, `SELECT DISTINCT contact_id FROM contact_emails WHERE tenant = ? AND email = ? ORDER BY contact_id`, tenant, email)
}

func (db *DB) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := db.query(ctx, db.r, q, args...)
	if err != nil {
		return nil, err
	}
	return appendColumn([]string{}, rows)
}

// AnalyticsIVRVisit is an IVR visit as the analytics engine stores it: the
// ivr_visits row plus SL, whether it counts in the Nível de serviço with
// the tenant's sl_seconds as of shipping (the store's ivr_rollup uses it as
// of derivation: the two differ only after sl_seconds changes, until a
// rebuild re-derives both).
type AnalyticsIVRVisit struct {
	InteractionID         string
	Pos                   int64
	IVRID                 string
	EnteredAt             int64
	Bucket, Outcome       string
	ServiceID, AgentID    string
	Path                  string
	Answered, AbandonedQ  uint8
	IVRSeconds            float64
	WaitSeconds, TalkSecs *float64
	SL                    uint8
}

const analyticsVisitCols = `v.interaction_id, v.pos, v.ivr_id, v.entered_at, v.bucket, v.outcome, v.service_id, v.agent_id, v.path,
	v.answered, v.abandoned_q, v.ivr_s, v.wait_s, v.talk_s,
	CASE WHEN v.answered = 1 AND v.wait_s <= ? THEN 1 ELSE 0 END`

// AnalyticsIVRVisits reads the IVR visits of some interactions of a tenant.
func (db *DB) AnalyticsIVRVisits(ctx context.Context, tenant string, interactionIDs []string) ([]AnalyticsIVRVisit, error) {
	sl, err := db.slSeconds(ctx, tenant)
	if err != nil {
		return nil, err
	}
	var out []AnalyticsIVRVisit
	for len(interactionIDs) > 0 {
		n := min(len(interactionIDs), 500)
		sub, args := inList(interactionIDs[:n])
		vs, err := db.analyticsIVRVisits(ctx, `SELECT `+analyticsVisitCols+` FROM ivr_visits v WHERE v.tenant = ? AND v.interaction_id IN (`+sub+`)
			ORDER BY v.interaction_id, v.pos`, append([]any{sl, tenant}, args...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
		interactionIDs = interactionIDs[n:]
	}
	return out, nil
}

// EachAnalyticsIVRVisit streams every IVR visit of a tenant in (interaction,
// pos) order, chunk visits at a time (the backfill).
func (db *DB) EachAnalyticsIVRVisit(ctx context.Context, tenant string, chunk int, fn func([]AnalyticsIVRVisit) error) error {
	sl, err := db.slSeconds(ctx, tenant)
	if err != nil {
		return err
	}
	afterID, afterPos := "", int64(-1)
	for {
		vs, err := db.analyticsIVRVisits(ctx, `SELECT `+analyticsVisitCols+` FROM ivr_visits v
			WHERE v.tenant = ? AND (v.interaction_id > ? OR (v.interaction_id = ? AND v.pos > ?))
			ORDER BY v.interaction_id, v.pos LIMIT `+fmt.Sprint(chunk), sl, tenant, afterID, afterID, afterPos)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			return nil
		}
		if err := fn(vs); err != nil {
			return err
		}
		if len(vs) < chunk {
			return nil
		}
		last := vs[len(vs)-1]
		afterID, afterPos = last.InteractionID, last.Pos
	}
}

func (db *DB) slSeconds(ctx context.Context, tenant string) (int, error) {
	var sl int
	if err := db.queryRow(ctx, db.r, `SELECT sl_seconds FROM tenants WHERE id = ?`, tenant).Scan(&sl); err != nil {
		return 0, fmt.Errorf("sl_seconds of %s: %w", tenant, err)
	}
	return sl, nil
}

func (db *DB) analyticsIVRVisits(ctx context.Context, q string, args ...any) ([]AnalyticsIVRVisit, error) {
	rows, err := db.query(ctx, db.r, q, args...)
	if err != nil {
		return nil, fmt.Errorf("ivr visits for analytics: %w", err)
	}
	defer rows.Close()
	var out []AnalyticsIVRVisit
	for rows.Next() {
		var v AnalyticsIVRVisit
		var wait, talk sql.NullFloat64
		if err := rows.Scan(&v.InteractionID, &v.Pos, &v.IVRID, &v.EnteredAt, &v.Bucket, &v.Outcome, &v.ServiceID, &v.AgentID, &v.Path,
			&v.Answered, &v.AbandonedQ, &v.IVRSeconds, &wait, &talk, &v.SL); err != nil {
			return nil, err
		}
		v.WaitSeconds, v.TalkSecs = nullFloat(wait), nullFloat(talk)
		out = append(out, v)
	}
	return out, rows.Err()
}

// AnalyticsSpan is an agent span (logged-in or pause seconds in one local
// hour) as the analytics engine stores it: N numbers the spans of the
// agent's local day Day (its identity there; a day re-derived with fewer
// spans leaves tombstones for the rest).
type AnalyticsSpan struct {
	AgentID, Day string
	N            int64
	Bucket, Kind string
	Media        string
	Reason       string
	Seconds      float64
}

const analyticsSpanSelect = `SELECT s.agent_id, s.bucket, s.kind, s.media, s.reason, s.seconds FROM agent_spans s WHERE s.tenant = ? AND s.agent_id = ?`

// AnalyticsAgentDaySpans reads an agent's spans of one local day.
func (db *DB) AnalyticsAgentDaySpans(ctx context.Context, tenant, agentID, day string) ([]AnalyticsSpan, error) {
	return db.analyticsSpans(ctx, analyticsSpanSelect+` AND s.bucket >= ? AND s.bucket <= ?`, tenant, agentID, day+" 00", day+" 23")
}

// EachAnalyticsAgentSpans streams every span of a tenant, one agent at a
// time (the backfill).
func (db *DB) EachAnalyticsAgentSpans(ctx context.Context, tenant string, fn func([]AnalyticsSpan) error) error {
	agents, err := db.distinct(ctx, tenant, "agent_spans", "agent_id")
	if err != nil {
		return err
	}
	for _, a := range agents {
		spans, err := db.analyticsSpans(ctx, analyticsSpanSelect, tenant, a)
		if err != nil {
			return err
		}
		if err := fn(spans); err != nil {
			return err
		}
	}
	return nil
}

// analyticsSpans reads spans in (bucket, kind, media, reason, seconds)
// order and numbers them per day.
func (db *DB) analyticsSpans(ctx context.Context, q string, args ...any) ([]AnalyticsSpan, error) {
	rows, err := db.query(ctx, db.r, q+` ORDER BY s.bucket, s.kind, s.media, s.reason, s.seconds`, args...)
	if err != nil {
		return nil, fmt.Errorf("agent spans for analytics: %w", err)
	}
	defer rows.Close()
	var out []AnalyticsSpan
	for rows.Next() {
		var s AnalyticsSpan
		if err := rows.Scan(&s.AgentID, &s.Bucket, &s.Kind, &s.Media, &s.Reason, &s.Seconds); err != nil {
			return nil, err
		}
		s.Day = s.Bucket[:min(10, len(s.Bucket))]
		if n := len(out); n > 0 && out[n-1].Day == s.Day {
			s.N = out[n-1].N + 1
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// UsersWithStatus lists the users whose directory status is one of
// statuses: the analytics engine resolves the Agentes user_status filter
// with it, as the store's query does with a subquery.
func (db *DB) UsersWithStatus(ctx context.Context, tenant string, statuses []string) ([]string, error) {
	sub, args := inList(statuses)
	return db.strings(ctx, `SELECT DISTINCT id FROM users WHERE tenant = ? AND status IN (`+sub+`) ORDER BY id`, append([]any{tenant}, args...)...)
}
