// Package ingest turns batches of events into stored facts: it decodes and
// validates them (every problem reported, nothing stored on any), appends the
// raw events, and derives again every aggregate the batch touched, in the
// same transaction, so that an acknowledged batch is durable and the reports
// never depend on arrival order.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/recordings"
	"github.com/rastro/rastro/internal/store"
)

// Result answers an accepted batch.
type Result struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
}

// Ingester stores batches into a store.
type Ingester struct {
	DB *store.DB
	// group commits concurrent batches of a tenant together (group.go);
	// nil: every batch in a transaction of its own.
	group *group
}

// New returns an Ingester over db.
func New(db *store.DB) *Ingester { return &Ingester{DB: db, group: newGroup()} }

// Options returns the validation options for a tenant's batches.
func (in *Ingester) Options(ctx context.Context, tenant string) (Options, error) {
	media, err := in.DB.Media(ctx)
	if err != nil {
		return Options{}, err
	}
	set := map[string]bool{}
	for _, m := range media {
		set[m.ID] = true
	}
	// An absolute recording_url must name a host the tenant allowed
	// (none for a tenant that does not exist yet).
	var hosts []string
	if t, err := in.DB.Tenant(ctx, tenant); err == nil {
		hosts = t.RecordingHosts
	} else if !errors.Is(err, store.ErrUnknownTenant) {
		return Options{}, err
	}
	check := func(u string) error { return recordings.Check(u, hosts) }
	return Options{Tenant: tenant, Media: set, ValidateDocument: metrics.NormalizeDocument, RecordingURL: check}, nil
}

// IngestBody decodes, validates and stores one batch body (NDJSON or a JSON
// array) as the tenant's unlimited operator. A *BatchError means nothing was
// stored.
// The operator's batches (tests, tools) are not bound by MaxBatchEvents;
// a request's are (IngestBodyAs).
func (in *Ingester) IngestBody(ctx context.Context, tenant string, body []byte) (Result, error) {
	return in.ingestBody(ctx, model.Principal{Tenant: tenant}, body, 0)
}

// IngestBodyAs is IngestBody for a principal: validation first (a
// *BatchError), then, for a principal limited to services or clients, the
// write scope (a *ScopeError, see scope.go), checked inside the batch's
// transaction. Either error means nothing was stored. A body of more than
// MaxBatchEvents events is a *TooLargeError, found without decoding the rest.
func (in *Ingester) IngestBodyAs(ctx context.Context, p model.Principal, body []byte) (Result, error) {
	return in.ingestBody(ctx, p, body, MaxBatchEvents)
}

func (in *Ingester) ingestBody(ctx context.Context, p model.Principal, body []byte, maxEvents int) (Result, error) {
	opt, err := in.Options(ctx, p.Tenant)
	if err != nil {
		return Result{}, err
	}
	events, raw, lines, err := decodeLines(body, opt, maxEvents)
	if err != nil {
		return Result{}, err
	}
	return in.store(ctx, p.Tenant, LimitsOf(p), events, raw, lines)
}

// Store appends validated events and derives what they touch, atomically,
// as the tenant's unlimited operator (the CLI, seeding, rebuild tools).
func (in *Ingester) Store(ctx context.Context, tenant string, events []model.Event, raw [][]byte) (Result, error) {
	return in.store(ctx, tenant, Limits{}, events, raw, nil)
}

// StoreAs is Store for a principal limited to services or clients: the
// batch is refused with a *ScopeError (nothing stored) when any event lies
// outside lim. lines[i] is the line reported for events[i] (nil: i+1).
func (in *Ingester) StoreAs(ctx context.Context, tenant string, lim Limits, events []model.Event, raw [][]byte, lines []int) (Result, error) {
	return in.store(ctx, tenant, lim, events, raw, lines)
}

func (in *Ingester) store(ctx context.Context, tenant string, lim Limits, events []model.Event, raw [][]byte, lines []int) (Result, error) {
	if len(events) == 0 {
		return Result{}, nil
	}
	b := &pending{ctx: ctx, lim: lim, events: events, raw: raw, lines: lines}
	// Group commit on SQLite only: there a commit is an fsync of the one
	// writer; on PostgreSQL the paired runs in BENCHMARKS.md ("Ingest side
	// of issue 17") showed no gain (+34 % at load 25, −27 % at load 9).
	if in.group != nil && in.DB.Dialect() == store.SQLite {
		in.group.run(tenant, b, in.commit)
	} else {
		in.commit(ctx, tenant, []*pending{b})
	}
	return b.answer()
}

// answer is what the caller of a committed batch is told.
func (b *pending) answer() (Result, error) {
	var scopeErr *ScopeError
	if errors.As(b.err, &scopeErr) {
		return Result{}, scopeErr
	}
	if b.err != nil {
		return Result{}, fmt.Errorf("store batch: %w", b.err)
	}
	return b.res, nil
}

// commit stores batches in one transaction, each atomic on its own: a
// batch runs in a savepoint, so one refused (out of scope) or failing on
// its own writes leaves the others as they were. What the stored batches
// touched is derived once, at the end; before a batch whose scope must be
// checked, what the earlier ones touched is derived first, so the check
// reads the rows it would have read had they committed alone.
func (in *Ingester) commit(ctx context.Context, tenant string, batches []*pending) {
	err := in.DB.WithTenantTx(ctx, tenant, func(tx *store.Tx) error {
		cfg, err := tenantConfig(ctx, tx)
		if err != nil {
			return err
		}
		all := newTouched(cfg.Location())
		for _, b := range batches {
			b.res, b.err = Result{}, nil
			if err := b.ctx.Err(); err != nil {
				b.err = err
				continue
			}
			if !b.lim.Unlimited() && !all.empty() {
				if err := derive(ctx, tx, all); err != nil {
					return err
				}
				all = newTouched(cfg.Location())
			}
			mine := newTouched(cfg.Location())
			local, fatal := tx.Savepoint(ctx, func() error {
				res, err := appendBatch(ctx, tx, b, mine)
				b.res = res
				return err
			})
			if fatal != nil {
				return fatal
			}
			if local != nil {
				b.res, b.err = Result{}, local
				continue
			}
			all.merge(mine)
		}
		return derive(ctx, tx, all)
	})
	if err != nil {
		for _, b := range batches {
			if b.err == nil {
				b.res, b.err = Result{}, err
			}
		}
	}
}

// appendBatch checks a batch's scope and appends its events, noting what
// they touched.
func appendBatch(ctx context.Context, tx *store.Tx, b *pending, touched *touched) (Result, error) {
	var res Result
	// The scope check reads the store in the writing transaction, which
	// holds the tenant's write lock: no other batch can move a leg between
	// the check and the write. Unlimited: skipped.
	if err := checkScope(ctx, tx, b.lim, b.events, b.lines); err != nil {
		return Result{}, err
	}
	seq, err := tx.AllocSeq(ctx, len(b.events))
	if err != nil {
		return Result{}, err
	}
	for i := range b.events {
		ev := &b.events[i]
		ev.Seq = seq + int64(i)
		ok, err := tx.InsertEvent(ctx, ev, b.raw[i])
		if err != nil {
			return Result{}, err
		}
		if !ok {
			res.Duplicates++
			continue
		}
		res.Accepted++
		if err := touched.add(ctx, tx, ev); err != nil {
			return Result{}, err
		}
	}
	return res, nil
}

// touched collects the aggregates a batch changed.
type touched struct {
	interactions map[string]bool
	bots         map[string]bool
	// agents: agent id → local days whose activity spans must be derived
	// again (an event's own day and the next, whose window reads it).
	agents map[string]map[string]bool
	loc    *time.Location
}

func newTouched(loc *time.Location) *touched {
	return &touched{interactions: map[string]bool{}, bots: map[string]bool{}, agents: map[string]map[string]bool{}, loc: loc}
}

func (t *touched) empty() bool {
	return len(t.interactions) == 0 && len(t.bots) == 0 && len(t.agents) == 0
}

// merge adds what o touched.
func (t *touched) merge(o *touched) {
	for k := range o.interactions {
		t.interactions[k] = true
	}
	for k := range o.bots {
		t.bots[k] = true
	}
	for agent, days := range o.agents {
		if t.agents[agent] == nil {
			t.agents[agent] = map[string]bool{}
		}
		for d := range days {
			t.agents[agent][d] = true
		}
	}
}

func (t *touched) addAgentDay(agent string, at time.Time) {
	days := t.agents[agent]
	if days == nil {
		days = map[string]bool{}
		t.agents[agent] = days
	}
	local := at.In(t.loc)
	days[local.Format("2006-01-02")] = true
	days[local.AddDate(0, 0, 1).Format("2006-01-02")] = true
}

func (t *touched) add(ctx context.Context, tx *store.Tx, ev *model.Event) error {
	kind, key := ev.Aggregate()
	switch kind {
	case model.AggInteraction:
		t.interactions[key] = true
	case model.AggBot:
		t.bots[key] = true
	case model.AggAgent:
		t.addAgentDay(key, ev.At)
	case model.AggDirectory:
		ch, err := tx.ApplyDirectory(ctx, ev)
		if err != nil || ch == nil {
			return err
		}
		ids, err := tx.InteractionsReferencing(ctx, *ch)
		if err != nil {
			return err
		}
		for _, id := range ids {
			t.interactions[id] = true
		}
	}
	return nil
}

// tenantConfig is the metric settings of the transaction's tenant
// (store.TenantContext).
func tenantConfig(ctx context.Context, tx *store.Tx) (metrics.Config, error) {
	tc, err := tx.TenantContext(ctx)
	if err != nil {
		return metrics.Config{}, err
	}
	return tc.Config, nil
}

// derive recomputes every touched aggregate from all its stored events.
func derive(ctx context.Context, tx *store.Tx, t *touched) error {
	tenant, err := tx.TenantContext(ctx)
	if err != nil {
		return err
	}
	cfg := tenant.Config

	// Interactions: heads first, then protocol collisions, then rows.
	ids := sortedKeys(t.interactions)
	evs := make(map[string][]model.Event, len(ids))
	bases := map[string]bool{}
	for _, id := range ids {
		list, err := tx.AggregateEvents(ctx, model.AggInteraction, id)
		if err != nil {
			return err
		}
		evs[id] = list
		head := interactionHead(id, list)
		old, err := tx.UpsertInteraction(ctx, head)
		if err != nil {
			return err
		}
		bases[head.ProtocolBase] = true
		if old != "" && old != head.ProtocolBase {
			bases[old] = true
		}
	}
	for _, base := range sortedKeys(bases) {
		changed, err := tx.ResolveProtocols(ctx, base, metrics.WithCollisionSuffix)
		if err != nil {
			return err
		}
		for id := range changed {
			if _, ok := evs[id]; !ok {
				list, err := tx.AggregateEvents(ctx, model.AggInteraction, id)
				if err != nil {
					return err
				}
				evs[id] = list
			}
		}
	}
	var agentKeys []store.AgentKey
	var ivrKeys []store.IVRKey
	for _, id := range sortedKeys(evs) {
		protocol, err := tx.InteractionProtocol(ctx, id)
		if err != nil {
			return err
		}
		d := metrics.DeriveInteraction(evs[id], protocol, tx.Directory(), cfg)
		ak, ik, err := tx.ReplaceLegs(ctx, id, d.Legs, d.IVRVisits)
		if err != nil {
			return err
		}
		agentKeys = append(agentKeys, ak...)
		ivrKeys = append(ivrKeys, ik...)
	}
	if err := tx.RefreshAgentRollups(ctx, agentKeys); err != nil {
		return err
	}
	if err := tx.RefreshIVRRollups(ctx, ivrKeys, tenant.SLSeconds); err != nil {
		return err
	}
	var botKeys []store.BotRowKey
	for _, id := range sortedKeys(t.bots) {
		list, err := tx.AggregateEvents(ctx, model.AggBot, id)
		if err != nil {
			return err
		}
		c := metrics.DeriveBotConversation(list, cfg)
		c.Conversation = id
		keys, err := tx.ReplaceBotConversation(ctx, c)
		if err != nil {
			return err
		}
		botKeys = append(botKeys, keys...)
	}
	if err := tx.RefreshBotRows(ctx, botKeys); err != nil {
		return err
	}
	for _, id := range sortedKeys(t.agents) {
		for _, day := range sortedKeys(t.agents[id]) {
			if err := deriveAgentDay(ctx, tx, cfg, id, day); err != nil {
				return err
			}
		}
	}
	return nil
}

// deriveAgentDay recomputes an agent's logged-in and pause spans of one
// local day from the events of that day and the day before (so a session
// that started yesterday is counted). A period open for more than a whole
// day is therefore cut: documented in the README.
func deriveAgentDay(ctx context.Context, tx *store.Tx, cfg metrics.Config, agent, day string) error {
	start, err := time.ParseInLocation("2006-01-02", day, cfg.Location())
	if err != nil {
		return err
	}
	evs, err := tx.AgentEventsBetween(ctx, agent, start.AddDate(0, 0, -1).UnixMilli(), start.AddDate(0, 0, 1).UnixMilli())
	if err != nil {
		return err
	}
	spans, err := metrics.AgentDaySpans(evs, cfg, day)
	if err != nil {
		return err
	}
	return tx.ReplaceAgentDaySpans(ctx, agent, day, spans)
}

// interactionHead reads the protocol inputs of an interaction from its
// events. Until interaction.created arrives, the earliest event stands in for
// the call start, so a protocol exists; it is recomputed when created lands.
func interactionHead(id string, evs []model.Event) store.InteractionHead {
	h := store.InteractionHead{ID: id}
	var earliest time.Time
	for i := range evs {
		e := &evs[i]
		if earliest.IsZero() || e.At.Before(earliest) {
			earliest = e.At
		}
		// Several sources may each create the same interaction (the
		// queue_log and the CDR of one call): the earliest start creates
		// it, whatever the order they arrived in.
		if e.Type == model.TypeInteractionCreated && (h.CreatedAt.IsZero() || e.At.Before(h.CreatedAt)) {
			h.Media, h.ProtocolGiven, h.CreatedAt, h.ContactID = e.Media, e.Protocol, e.At, e.ContactID
		}
	}
	if h.CreatedAt.IsZero() {
		h.CreatedAt = earliest
	}
	h.ProtocolBase = h.ProtocolGiven
	if h.ProtocolBase == "" {
		h.ProtocolBase = metrics.ProtocolBase(h.Media, h.CreatedAt)
	}
	return h
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
