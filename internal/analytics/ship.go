package analytics

import (
	"context"
	"fmt"
	"log"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/rastro/rastro/internal/store"
)

const insertLegs = `INSERT INTO %s (tenant, interaction_id, leg_id, version, deleted, k, seq, protocol, media, entered_at,
	local_date, local_time, bucket, service_id, agent_id, contact_id, status, voice_status, call_quality, expired, portfolio,
	external_id, ext_protocol, direction, queued_at, delivered_at, answered_at, finished_at,
	duration, tmp, tmi, tm1r, tmr, recording_url, tags, rphones, ivrs, cells)`

const insertVisits = `INSERT INTO %s (tenant, interaction_id, pos, version, deleted, ivr_id, entered_at, bucket, outcome,
	service_id, agent_id, path, answered, abandoned_q, ivr_s, wait_s, talk_s, sl)`

const insertSpans = `INSERT INTO %s (tenant, agent_id, day, n, version, deleted, bucket, kind, media, reason, seconds)`

// spanRow is one version of an agent span to insert (span nil: a
// tombstone).
type spanRow struct {
	tenant  string
	key     spanKey
	version uint64
	span    *store.AnalyticsSpan
}

// spanKey identifies an agent span in the engine.
type spanKey struct {
	agentID, day string
	n            int64
}

// insertSpans sends agent span rows in one synchronous batch.
func (e *Engine) insertSpans(ctx context.Context, rows []spanRow) error {
	return insertBatch(ctx, e, insertSpans, "agent_spans", "agent spans", rows, func(r spanRow) []any {
		if sp := r.span; sp != nil {
			return []any{r.tenant, sp.AgentID, sp.Day, sp.N, r.version, uint8(0), sp.Bucket, sp.Kind, sp.Media, sp.Reason, sp.Seconds}
		}
		return []any{r.tenant, r.key.agentID, r.key.day, r.key.n, r.version, uint8(1), "", "", "", "", float64(0)}
	})
}

// visitRow is one version of an IVR visit to insert (visit nil: a
// tombstone, in the partition of bucket: the version it deletes).
type visitRow struct {
	tenant, interactionID string
	pos                   int64
	version               uint64
	bucket                string
	visit                 *store.AnalyticsIVRVisit
}

// insertVisits sends IVR visit rows in one synchronous batch.
func (e *Engine) insertVisits(ctx context.Context, rows []visitRow) error {
	return insertBatch(ctx, e, insertVisits, "ivr_visits", "ivr visits", rows, func(r visitRow) []any {
		v := r.visit
		if v == nil {
			return []any{r.tenant, r.interactionID, r.pos, tombVersion(r.version), uint8(1), "", int64(0), r.bucket, "",
				"", "", "", uint8(0), uint8(0), float64(0), (*float64)(nil), (*float64)(nil), uint8(0)}
		}
		return []any{r.tenant, v.InteractionID, v.Pos, rowVersion(r.version), uint8(0), v.IVRID, v.EnteredAt, v.Bucket, v.Outcome,
			v.ServiceID, v.AgentID, v.Path, v.Answered, v.AbandonedQ, v.IVRSeconds, v.WaitSeconds, v.TalkSecs, v.SL}
	})
}

// Versions of legs and IVR visits in the engine: a row shipped for outbox
// entry id carries 2·id+1, a tombstone 2·id. FINAL deduplicates across
// partitions, merges only inside one: a leg moved to another month's
// partition is shipped with a tombstone in the old one (see
// shipInteractions), and that tombstone must beat the old version there
// (shipped for an older entry: at most 2·id−1) yet lose to the new version
// where a read sees both. Agent spans (unpartitioned) carry the id itself.
// An engine synced by an older rastro holds ids as versions: all lower.
func rowVersion(id uint64) uint64  { return 2*id + 1 }
func tombVersion(id uint64) uint64 { return 2 * id }

// FirstVersion is the lowest version of a leg or IVR visit row shipped for
// outbox entry id or a later one: every older row is below it.
func FirstVersion(id uint64) uint64 { return 2 * id }

// syncInsert makes an insert into a Distributed table return only once
// every shard wrote its part (the acknowledgement the outbox waits for).
func syncInsert(ctx context.Context) context.Context {
	return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"insert_distributed_sync": 1}))
}

// row is one version of a leg to insert: the leg (nil for a tombstone,
// placed in the partition of enteredAt and bucket: the version it deletes).
type row struct {
	tenant, interactionID, legID string
	version                      uint64
	enteredAt                    int64
	bucket                       string
	leg                          *store.AnalyticsLeg
}

// insert sends rows in one synchronous batch.
func (e *Engine) insert(ctx context.Context, rows []row) error {
	return insertBatch(ctx, e, insertLegs, "legs", "leg rows", rows, func(r row) []any {
		l := r.leg
		if l == nil {
			return []any{r.tenant, r.interactionID, r.legID, tombVersion(r.version), uint8(1), int64(0), int64(0), "", "", r.enteredAt,
				"", "", r.bucket, "", "", "", "", "", "", (*uint8)(nil), uint8(0),
				"", "", "", (*int64)(nil), (*int64)(nil), (*int64)(nil), int64(0),
				(*float64)(nil), (*float64)(nil), (*float64)(nil), (*float64)(nil), (*float64)(nil), "", []string{}, []string{}, []string{}, ""}
		}
		return []any{r.tenant, l.InteractionID, l.LegID, rowVersion(r.version), uint8(0), l.K, l.Seq, l.Protocol, l.Media, l.EnteredAt,
			l.LocalDate, l.LocalTime, l.Bucket, l.ServiceID, l.AgentID, l.ContactID, l.Status, l.VoiceStatus, l.CallQuality, l.Expired, l.Portfolio,
			l.ExternalID, l.ExtProtocol, l.Direction, l.QueuedAt, l.DeliveredAt, l.AnsweredAt, l.FinishedAt,
			l.Duration, l.TMP, l.TMI, l.TM1R, l.TMR, l.RecordingURL, nonNil(l.Tags), nonNil(l.RPhones), nonNil(l.IVRs), l.Cells}
	})
}

// insertBatch sends rows to table (named in stmt's %s) in one synchronous
// batch (syncInsert): values gives a row's values in stmt's column order;
// what names the rows in errors. The one way every shipped table is
// written.
func insertBatch[R any](ctx context.Context, e *Engine, stmt, table, what string, rows []R, values func(R) []any) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := e.conn.PrepareBatch(syncInsert(ctx), fmt.Sprintf(stmt, e.table(table)))
	if err != nil {
		return fmt.Errorf("analytics: prepare insert of %s: %w", what, err)
	}
	defer b.Abort()
	for _, r := range rows {
		if err := b.Append(values(r)...); err != nil {
			return fmt.Errorf("analytics: append %s: %w", what, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("analytics: insert %d %s: %w", len(rows), what, err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Shipper moves the store's analytics outbox into the engine.
type Shipper struct {
	DB    *store.DB
	CH    *Engine
	Batch int // outbox entries per round; default 500
	// Chunk is how many legs a tenant backfill sends per insert; default 20000.
	Chunk int
	Logf  func(format string, args ...any)
}

func (s *Shipper) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// ShipOnce sends one batch of outbox entries and deletes them once the
// engine acknowledged. It returns how many entries it shipped (0: the
// outbox is empty).
//
// Version of what is sent = the entry's id (encoded in the rows: see
// rowVersion): ids grow with every
// transaction of a tenant (its writers are serialised), the rows are read
// from the store after the entry, so they are at least as new as it; the
// highest entry of an interaction is shipped last-or-not-at-all-before, so
// its rows win in the engine whatever the order or repetition of shipments
// (two servers shipping the same entry send the same version).
func (s *Shipper) ShipOnce(ctx context.Context) (int, error) {
	if s.CH.backfill.Load() {
		// A new table on an engine synced before it existed: every
		// tenant's rows are sent again (queued before this batch is read).
		if err := s.DB.QueueAnalyticsBackfill(ctx); err != nil {
			return 0, err
		}
		s.CH.backfill.Store(false)
		s.logf("analytics: new engine tables: a re-backfill of every tenant is queued")
	}
	limit := s.Batch
	if limit <= 0 {
		limit = 500
	}
	entries, err := s.DB.OutboxBatch(ctx, limit)
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	type tenantWork struct {
		version map[string]uint64 // interaction → highest entry id
		days    map[string]uint64 // store.AgentDayKey → highest entry id
		bots    map[string]uint64 // bot conversation → highest entry id
		ivrKeys map[string]uint64 // store.IVRKey.Text → highest entry id
	}
	work := map[string]*tenantWork{}
	tenantOf := func(tenant string) *tenantWork {
		w := work[tenant]
		if w == nil {
			w = &tenantWork{version: map[string]uint64{}, days: map[string]uint64{}, bots: map[string]uint64{}, ivrKeys: map[string]uint64{}}
			work[tenant] = w
		}
		return w
	}
	var backfills []store.OutboxEntry
	var purges []purge
	ids := make([]int64, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, e.ID)
		switch e.Kind {
		case store.OutboxTenant:
			backfills = append(backfills, e)
		case store.OutboxInteraction, store.OutboxAgentDay, store.OutboxIVRKey:
			w := tenantOf(e.Tenant)
			m := w.version
			switch e.Kind {
			case store.OutboxAgentDay:
				m = w.days
			case store.OutboxIVRKey:
				m = w.ivrKeys
			}
			m[e.Key] = max(m[e.Key], uint64(e.ID))
		case store.OutboxAnonymize:
			// Shipped like interactions (so at a version >= the entry's
			// id), then their older versions are erased (see purge).
			p, err := anonymizePurge(e)
			if err != nil {
				return 0, err
			}
			w := tenantOf(e.Tenant)
			for _, id := range p.ids {
				w.version[id] = max(w.version[id], p.below)
			}
			purges = append(purges, p)
		case store.OutboxBotConversation:
			m := tenantOf(e.Tenant).bots
			m[e.Key] = max(m[e.Key], uint64(e.ID))
		case store.OutboxBotContact, store.OutboxBotBatch:
			// A directory change: every conversation of the contact or
			// batch, as the store holds it now, at a version >= the entry.
			bots, err := s.DB.AnalyticsBotsOf(ctx, e.Tenant, e.Kind, e.Key)
			if err != nil {
				return 0, err
			}
			m := tenantOf(e.Tenant).bots
			for _, b := range bots {
				m[b.Conversation] = max(m[b.Conversation], uint64(e.ID))
			}
		case store.OutboxAnonymizeBot:
			p, err := anonymizeBotPurge(e)
			if err != nil {
				return 0, err
			}
			m := tenantOf(e.Tenant).bots
			for _, id := range p.ids {
				m[id] = max(m[id], p.below)
			}
			rows, err := s.anonymizeBotRowsPurge(ctx, p)
			if err != nil {
				return 0, err
			}
			purges = append(purges, p, rows)
		default:
			return 0, fmt.Errorf("analytics outbox entry %d: unknown kind %q", e.ID, e.Kind)
		}
	}
	for _, b := range backfills {
		if err := s.backfillTenant(ctx, b.Tenant, uint64(b.ID)); err != nil {
			return 0, err
		}
	}
	tenants := make([]string, 0, len(work))
	for t := range work {
		tenants = append(tenants, t)
	}
	sort.Strings(tenants)
	for _, t := range tenants {
		if len(work[t].version) > 0 {
			if err := s.shipInteractions(ctx, t, work[t].version); err != nil {
				return 0, err
			}
		}
		if len(work[t].ivrKeys) > 0 {
			if err := s.shipIVRKeys(ctx, t, work[t].ivrKeys); err != nil {
				return 0, err
			}
		}
		if len(work[t].days) > 0 {
			if err := s.shipAgentDays(ctx, t, work[t].days); err != nil {
				return 0, err
			}
		}
		if len(work[t].bots) > 0 {
			if err := s.shipBots(ctx, t, work[t].bots); err != nil {
				return 0, err
			}
		}
	}
	if err := s.CH.purge(ctx, purges); err != nil {
		return 0, err
	}
	if err := s.DB.DeleteOutbox(ctx, ids); err != nil {
		return 0, err
	}
	return len(entries), nil
}

// shipInteractions sends the current legs of some interactions of a tenant,
// and tombstones for the legs the engine holds that the store no longer
// has, in one synchronous insert.
func (s *Shipper) shipInteractions(ctx context.Context, tenant string, versions map[string]uint64) error {
	ids := make([]string, 0, len(versions))
	for id := range versions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	legs, err := s.DB.AnalyticsLegs(ctx, tenant, ids)
	if err != nil {
		return err
	}
	live, err := s.CH.liveLegs(ctx, tenant, ids)
	if err != nil {
		return err
	}
	// A live version is deleted when the leg vanished or its new version
	// goes to another partition (the engine deduplicates inside one only).
	rows := make([]row, 0, len(legs))
	have := map[[2]string][2]any{}
	for i := range legs {
		l := &legs[i]
		have[[2]string{l.InteractionID, l.LegID}] = legPartition(l.EnteredAt, l.Bucket)
		rows = append(rows, row{tenant: tenant, version: versions[l.InteractionID], leg: l})
	}
	for _, k := range live {
		if part, ok := have[k.key]; !ok || part != legPartition(k.enteredAt, k.bucket) {
			rows = append(rows, k.tombstone(tenant, versions[k.key[0]]))
		}
	}
	// The IVR visits first: the legs' insert is the last, so a failure
	// between the two re-sends both (same versions: harmless).
	visits, err := s.DB.AnalyticsIVRVisits(ctx, tenant, ids)
	if err != nil {
		return err
	}
	liveVisits, err := s.CH.liveVisits(ctx, tenant, ids)
	if err != nil {
		return err
	}
	vrows := make([]visitRow, 0, len(visits))
	haveVisit := map[visitKey]string{}
	for i := range visits {
		v := &visits[i]
		haveVisit[visitKey{v.InteractionID, v.Pos}] = month(v.Bucket)
		vrows = append(vrows, visitRow{tenant: tenant, version: versions[v.InteractionID], visit: v})
	}
	for _, k := range liveVisits {
		if part, ok := haveVisit[k.key]; !ok || part != month(k.bucket) {
			vrows = append(vrows, visitRow{tenant: tenant, interactionID: k.key.interactionID, pos: k.key.pos, bucket: k.bucket, version: versions[k.key.interactionID]})
		}
	}
	if err := s.CH.insertVisits(ctx, vrows); err != nil {
		return err
	}
	return s.CH.insert(ctx, rows)
}

// shipAgentDays sends the current spans and day-grain rollup rows of some
// agents' days of a tenant, and tombstones for the rows the engine holds
// beyond them (the rollups first: a failure between the two inserts sends
// both again, at the same versions).
func (s *Shipper) shipAgentDays(ctx context.Context, tenant string, versions map[string]uint64) error {
	keys := make([]string, 0, len(versions))
	for k := range versions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var rows []spanRow
	var days [][2]string
	for _, k := range keys {
		agent, day, ok := store.SplitAgentDayKey(k)
		if !ok {
			return fmt.Errorf("analytics outbox: bad agent day key %q", k)
		}
		days = append(days, [2]string{agent, day})
		spans, err := s.DB.AnalyticsAgentDaySpans(ctx, tenant, agent, day)
		if err != nil {
			return err
		}
		for i := range spans {
			rows = append(rows, spanRow{tenant: tenant, version: versions[k], span: &spans[i]})
		}
	}
	have := map[spanKey]bool{}
	for _, r := range rows {
		have[spanKey{r.span.AgentID, r.span.Day, r.span.N}] = true
	}
	live, err := s.CH.liveSpans(ctx, tenant, days)
	if err != nil {
		return err
	}
	for _, k := range live {
		if !have[k] {
			rows = append(rows, spanRow{tenant: tenant, key: k, version: versions[store.AgentDayKey(k.agentID, k.day)]})
		}
	}
	if err := s.shipAgentDayRollups(ctx, tenant, days, versions); err != nil {
		return err
	}
	return s.CH.insertSpans(ctx, rows)
}

// visitKey identifies an IVR visit in the engine.
type visitKey struct {
	interactionID string
	pos           int64
}

// backfillTenant sends every leg of a tenant with one version, then
// tombstones every leg the engine still holds at an older version (legs that
// vanished, e.g. by a rebuild).
func (s *Shipper) backfillTenant(ctx context.Context, tenant string, version uint64) error {
	chunk := s.Chunk
	if chunk <= 0 {
		chunk = 20000
	}
	start, n := time.Now(), 0
	err := s.DB.EachAnalyticsLeg(ctx, tenant, chunk, func(legs []store.AnalyticsLeg) error {
		rows := make([]row, len(legs))
		for i := range legs {
			rows[i] = row{tenant: tenant, version: version, leg: &legs[i]}
		}
		n += len(rows)
		return s.CH.insert(ctx, rows)
	})
	if err != nil {
		return err
	}
	stale, err := s.CH.staleLegs(ctx, tenant, version)
	if err != nil {
		return err
	}
	if err := inChunks(stale, chunk, func(k liveLeg) row {
		return k.tombstone(tenant, version)
	}, func(rows []row) error { return s.CH.insert(ctx, rows) }); err != nil {
		return err
	}
	nv := 0
	err = s.DB.EachAnalyticsIVRVisit(ctx, tenant, chunk, func(visits []store.AnalyticsIVRVisit) error {
		rows := make([]visitRow, len(visits))
		for i := range visits {
			rows[i] = visitRow{tenant: tenant, version: version, visit: &visits[i]}
		}
		nv += len(rows)
		return s.CH.insertVisits(ctx, rows)
	})
	if err != nil {
		return err
	}
	staleVisits, err := s.CH.staleVisits(ctx, tenant, version)
	if err != nil {
		return err
	}
	if err := inChunks(staleVisits, chunk, func(k liveVisit) visitRow {
		return visitRow{tenant: tenant, interactionID: k.key.interactionID, pos: k.key.pos, bucket: k.bucket, version: version}
	}, func(rows []visitRow) error { return s.CH.insertVisits(ctx, rows) }); err != nil {
		return err
	}
	ns, err := streamInChunks(func(fn func([]store.AnalyticsSpan) error) error {
		return s.DB.EachAnalyticsAgentSpans(ctx, tenant, fn)
	}, chunk, func(sp *store.AnalyticsSpan) spanRow {
		return spanRow{tenant: tenant, version: version, span: sp}
	}, func(rows []spanRow) error { return s.CH.insertSpans(ctx, rows) })
	if err != nil {
		return err
	}
	staleSpans, err := s.CH.staleSpans(ctx, tenant, version)
	if err != nil {
		return err
	}
	if err := inChunks(staleSpans, chunk, func(k spanKey) spanRow {
		return spanRow{tenant: tenant, key: k, version: version}
	}, func(rows []spanRow) error { return s.CH.insertSpans(ctx, rows) }); err != nil {
		return err
	}
	nd, err := s.backfillAgentDays(ctx, tenant, version, chunk)
	if err != nil {
		return err
	}
	ni, err := s.backfillIVRRollups(ctx, tenant, version, chunk)
	if err != nil {
		return err
	}
	nb := 0
	err = s.DB.EachAnalyticsBot(ctx, tenant, chunk, func(bots []store.AnalyticsBot) error {
		rows := make([]botRow, len(bots))
		for i := range bots {
			rows[i] = botRow{tenant: tenant, version: version, bot: &bots[i]}
		}
		nb += len(rows)
		return s.CH.insertBots(ctx, rows)
	})
	if err != nil {
		return err
	}
	staleBots, err := s.CH.staleBots(ctx, tenant, version)
	if err != nil {
		return err
	}
	if err := inChunks(staleBots, chunk, func(id string) botRow {
		return botRow{tenant: tenant, conversation: id, version: version}
	}, func(rows []botRow) error { return s.CH.insertBots(ctx, rows) }); err != nil {
		return err
	}
	nr, err := s.backfillBotRows(ctx, tenant, version, chunk)
	if err != nil {
		return err
	}
	s.logf("analytics: tenant %s: %d legs, %d IVR visits, %d IVR rollup rows, %d agent spans, %d agent day rollup rows, %d bot conversations and %d Fluxo Ágil rows sent in %s",
		tenant, n, nv, ni, ns, nd, nb, nr, time.Since(start).Round(time.Millisecond))
	return nil
}

// Drain ships until the outbox is empty (one-shot catch-up).
func (s *Shipper) Drain(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.ShipOnce(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// Run ships until ctx ends: polls every idle interval when the outbox is
// empty, retries with exponential backoff (up to 30 s) while the engine is
// down. Ingestion does not wait for it: entries simply accumulate.
func (s *Shipper) Run(ctx context.Context, idle time.Duration) {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		var n int
		var err error
		if !s.CH.Ready() {
			err = s.CH.Migrate(ctx)
		}
		if err == nil {
			n, err = s.ShipOnce(ctx)
		}
		var wait time.Duration
		switch {
		case err != nil && ctx.Err() == nil:
			backoff = min(max(2*backoff, 500*time.Millisecond), 30*time.Second)
			s.logf("analytics: shipping failed (retrying in %s): %v", backoff, err)
			wait = backoff
		case err != nil:
			return
		case n == 0:
			backoff, wait = 0, idle
		default:
			backoff = 0
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// liveLeg is a leg the engine holds: its (interaction, leg) key and the
// columns of its partition.
type liveLeg struct {
	key       [2]string
	enteredAt int64
	bucket    string
}

// tombstone deletes the live version, in its partition.
func (k liveLeg) tombstone(tenant string, version uint64) row {
	return row{tenant: tenant, interactionID: k.key[0], legID: k.key[1], version: version, enteredAt: k.enteredAt, bucket: k.bucket}
}

// liveLegs lists the legs the engine holds (latest version, not deleted)
// for some interactions of a tenant.
func (e *Engine) liveLegs(ctx context.Context, tenant string, interactionIDs []string) ([]liveLeg, error) {
	var out []liveLeg
	for len(interactionIDs) > 0 {
		n := min(len(interactionIDs), 1000)
		args := []any{tenant}
		for _, id := range interactionIDs[:n] {
			args = append(args, id)
		}
		keys, err := e.keys(ctx, `SELECT interaction_id, leg_id, entered_at, bucket FROM `+e.table("legs")+` FINAL
			WHERE tenant = ? AND interaction_id IN (`+qs(n)+`) AND deleted = 0`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, keys...)
		interactionIDs = interactionIDs[n:]
	}
	return out, nil
}

// staleLegs lists the live legs of a tenant whose latest version is older
// than version.
func (e *Engine) staleLegs(ctx context.Context, tenant string, version uint64) ([]liveLeg, error) {
	return e.keys(ctx, `SELECT interaction_id, leg_id, entered_at, bucket FROM `+e.table("legs")+` FINAL
		WHERE tenant = ? AND deleted = 0 AND version < ?`, tenant, FirstVersion(version))
}

// liveVisits lists the IVR visits the engine holds (latest version, not
// deleted) for some interactions of a tenant.
func (e *Engine) liveVisits(ctx context.Context, tenant string, interactionIDs []string) ([]liveVisit, error) {
	var out []liveVisit
	for len(interactionIDs) > 0 {
		n := min(len(interactionIDs), 1000)
		args := []any{tenant}
		for _, id := range interactionIDs[:n] {
			args = append(args, id)
		}
		keys, err := e.visitKeys(ctx, `SELECT interaction_id, pos, bucket FROM `+e.table("ivr_visits")+` FINAL
			WHERE tenant = ? AND interaction_id IN (`+qs(n)+`) AND deleted = 0`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, keys...)
		interactionIDs = interactionIDs[n:]
	}
	return out, nil
}

// staleVisits lists the live IVR visits of a tenant whose latest version is
// older than version.
func (e *Engine) staleVisits(ctx context.Context, tenant string, version uint64) ([]liveVisit, error) {
	return e.visitKeys(ctx, `SELECT interaction_id, pos, bucket FROM `+e.table("ivr_visits")+` FINAL
		WHERE tenant = ? AND deleted = 0 AND version < ?`, tenant, FirstVersion(version))
}

// liveVisit is an IVR visit the engine holds: its key and the bucket of
// its partition.
type liveVisit struct {
	key    visitKey
	bucket string
}

func (e *Engine) visitKeys(ctx context.Context, q string, args ...any) ([]liveVisit, error) {
	rows, err := e.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: %w", err)
	}
	defer rows.Close()
	var out []liveVisit
	for rows.Next() {
		var k liveVisit
		if err := rows.Scan(&k.key.interactionID, &k.key.pos, &k.bucket); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// liveSpans lists the agent spans the engine holds (latest version, not
// deleted) for some (agent, day) pairs of a tenant.
func (e *Engine) liveSpans(ctx context.Context, tenant string, days [][2]string) ([]spanKey, error) {
	var out []spanKey
	for len(days) > 0 {
		n := min(len(days), 500)
		args := []any{tenant}
		for _, d := range days[:n] {
			args = append(args, d[0], d[1])
		}
		keys, err := e.spanKeys(ctx, `SELECT agent_id, day, n FROM `+e.table("agent_spans")+` FINAL
			WHERE tenant = ? AND (agent_id, day) IN (`+tuples(n, 2)+`) AND deleted = 0`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, keys...)
		days = days[n:]
	}
	return out, nil
}

// staleSpans lists the live agent spans of a tenant whose latest version is
// older than version.
func (e *Engine) staleSpans(ctx context.Context, tenant string, version uint64) ([]spanKey, error) {
	return e.spanKeys(ctx, `SELECT agent_id, day, n FROM `+e.table("agent_spans")+` FINAL
		WHERE tenant = ? AND deleted = 0 AND version < ?`, tenant, version)
}

func (e *Engine) spanKeys(ctx context.Context, q string, args ...any) ([]spanKey, error) {
	rows, err := e.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: %w", err)
	}
	defer rows.Close()
	var out []spanKey
	for rows.Next() {
		var k spanKey
		if err := rows.Scan(&k.agentID, &k.day, &k.n); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// tuples renders n tuples of width placeholders: "(?, ?)" for 2.
func tuples(n, width int) string {
	t := "(" + qs(width) + ")"
	b := make([]byte, 0, (len(t)+1)*n)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, t...)
	}
	return string(b)
}

func (e *Engine) keys(ctx context.Context, q string, args ...any) ([]liveLeg, error) {
	rows, err := e.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: %w", err)
	}
	defer rows.Close()
	var out []liveLeg
	for rows.Next() {
		var k liveLeg
		if err := rows.Scan(&k.key[0], &k.key[1], &k.enteredAt, &k.bucket); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func qs(n int) string {
	b := make([]byte, 0, 2*n)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '?')
	}
	return string(b)
}

// inChunks sends the rows made from keys, at most n per insert: the
// backfill's deletion rows for legs, visits and spans that vanished.
func inChunks[K, R any](keys []K, n int, mk func(K) R, send func([]R) error) error {
	for len(keys) > 0 {
		m := min(len(keys), n)
		rows := make([]R, m)
		for i, k := range keys[:m] {
			rows[i] = mk(k)
		}
		if err := send(rows); err != nil {
			return err
		}
		keys = keys[m:]
	}
	return nil
}

// streamInChunks sends what each streams from the store, made into rows
// by mk, in batches of at least n rows (the last one smaller) through send.
// It returns how many items it read.
func streamInChunks[T, R any](each func(func([]T) error) error, n int, mk func(*T) R, send func([]R) error) (int, error) {
	read := 0
	var pending []R
	err := each(func(items []T) error {
		for i := range items {
			pending = append(pending, mk(&items[i]))
		}
		read += len(items)
		if len(pending) < n {
			return nil
		}
		err := send(pending)
		pending = pending[:0]
		return err
	})
	if err == nil && len(pending) > 0 {
		err = send(pending)
	}
	return read, err
}
