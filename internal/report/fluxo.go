package report

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// FluxoQuery is a validated Fluxo Ágil request.
type FluxoQuery struct {
	Filter store.BotFilter
	// ByName sorts by contact name first (sort=name); the default is batch
	// name, then contact name.
	ByName bool
	Limit  int
	After  *store.BotCursor
	// Raw keeps the accepted parameters, for the audit log.
	Raw url.Values
}

// FluxoOutcomeLabels are the pt-BR labels of a conversation's outcome
// (Desfecho); "" is a conversation still open.
var FluxoOutcomeLabels = map[string]string{
	"finished":   "Finalizado",
	"handed_off": "Transferido para humano",
	"abandoned":  "Abandonado",
	"expired":    "Expirado",
	"":           "Em andamento",
}

// OutcomeLabel is the Desfecho of an outcome (unknown values print as is).
func OutcomeLabel(outcome string) string {
	if l, ok := FluxoOutcomeLabels[outcome]; ok {
		return l
	}
	return outcome
}

// ParseFluxo validates Fluxo Ágil parameters, collecting every problem:
// from, to (local dates, inclusive, on the conversation start), client →
// campaign (of that client) → batch (of that campaign), step, reached_human,
// sort (batch|name), limit, cursor. extra names parameters the caller reads
// itself (format, sep, …). A campaign of another client, a batch of another
// campaign (or client), and an id p may not see are errors naming the
// parameter.
func (r *Reports) ParseFluxo(ctx context.Context, p model.Principal, v url.Values, extra ...string) (FluxoQuery, error) {
	ps, _, err := r.parse(ctx, p, v, extra)
	q := FluxoQuery{Raw: v}
	if err != nil {
		return q, err
	}
	errs := ps.errs
	f := store.BotFilter{}
	f.FromDate, f.ToDate = ps.period().dates()
	f.ClientID, f.CampaignID, f.BatchID = ps.single("client"), ps.single("campaign"), ps.single("batch")
	if err := r.checkFluxoCascade(ctx, p, f, errs); err != nil {
		return q, err
	}
	f.Step = ps.str("step")
	f.ReachedHuman = ps.boolean("reached_human")
	switch s := ps.str("sort"); s {
	case "", "batch":
	case "name":
		q.ByName = true
	default:
		errs.add("sort", "must be batch or name, got %q", s)
	}
	var cursor string
	q.Limit, cursor = ps.paging(50, 1000)
	if cursor != "" {
		ids, err := decodeFluxoCursor(cursor)
		if err != nil {
			errs.add("cursor", "invalid cursor")
		} else if q.After, err = r.DB.BotCursorAt(ctx, p.Tenant, ids[0], ids[1], ids[2]); err != nil {
			return q, err
		}
	}
	ps.unknown()
	q.Filter = f
	return q, errs.err()
}

// checkFluxoCascade validates Cliente → Campanha → Lote against the
// directory (or, for objects the directory does not know yet, what the
// conversations say), within p's clients.
func (r *Reports) checkFluxoCascade(ctx context.Context, p model.Principal, f store.BotFilter, errs *ParamError) error {
	if f.ClientID != "" {
		ok, err := r.DB.BotClient(ctx, p, f.ClientID)
		if err != nil {
			return err
		}
		if !ok {
			errs.add("client", "unknown client %q", f.ClientID)
		}
	}
	if f.CampaignID != "" {
		o, ok, err := r.DB.BotCampaign(ctx, p, f.CampaignID)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			errs.add("campaign", "unknown campaign %q", f.CampaignID)
		case f.ClientID != "" && o.ClientID != f.ClientID:
			errs.add("campaign", "campaign %q is not a campaign of client %q", f.CampaignID, f.ClientID)
		}
	}
	if f.BatchID != "" {
		o, ok, err := r.DB.BotBatch(ctx, p, f.BatchID)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			errs.add("batch", "unknown batch %q", f.BatchID)
		case f.CampaignID != "" && o.CampaignID != f.CampaignID:
			errs.add("batch", "batch %q is not a batch of campaign %q", f.BatchID, f.CampaignID)
		case f.ClientID != "" && o.ClientID != f.ClientID:
			errs.add("batch", "batch %q is not a batch of client %q", f.BatchID, f.ClientID)
		}
	}
	return nil
}

// A Fluxo Ágil cursor carries the ids of the last row seen (batch,
// contact, flow), never its names: page URLs hold nothing personal. The
// sort values (batch and contact names) are read back from the directory
// (store.DB.BotCursorAt).
func encodeFluxoCursor(c *store.BotCursor) string {
	if c == nil {
		return ""
	}
	b, _ := json.Marshal([]string{c.BatchID, c.ContactID, c.Flow})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeFluxoCursor(s string) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	var v []string
	if err := json.Unmarshal(b, &v); err != nil || len(v) != 3 {
		return nil, errors.New("bad cursor")
	}
	return v, nil
}

// Columns are the Fluxo Ágil columns of the screen, the JSON API and the
// export: model.FluxoColumns then model.FluxoExportExtra (Ação is the row
// key, not a column).
func (q FluxoQuery) Columns() []string {
	cols := append([]string(nil), model.FluxoColumns...)
	return append(cols, model.FluxoExportExtra...)
}

// fluxoCells formats a row in FluxoQuery.Columns order.
func fluxoCells(row store.BotRow) []string {
	return []string{
		row.BatchName,
		row.Name,
		metrics.FormatDocument(row.Document),
		row.Phone,
		row.Email,
		row.Flow,
		strconv.Itoa(row.Conversations),
		strconv.Itoa(row.Messages),
		row.LastStep,
		OutcomeLabel(row.Outcome),
	}
}

// Fluxo answers one page of the Fluxo Ágil report: one row per (batch,
// contact, flow) of the selected conversations. Keys[i] is
// "<batch_id>/<contact_id>", the Ação (history) link.
func (r *Reports) Fluxo(ctx context.Context, p model.Principal, q FluxoQuery) (Table, error) {
	page, err := r.botRows(ctx, p, q.Filter, q.ByName, q.After, q.Limit)
	if err != nil {
		return Table{}, err
	}
	cols := q.Columns()
	mask := masker(p, cols)
	t := Table{Columns: cols, Rows: make([][]string, len(page.Rows)), Keys: make([]string, len(page.Rows)), NextCursor: encodeFluxoCursor(page.Next)}
	for i, row := range page.Rows {
		cells := fluxoCells(row)
		if mask != nil {
			mask(cells)
		}
		t.Rows[i] = cells
		t.Keys[i] = row.BatchID + "/" + row.ContactID
	}
	return t, nil
}

// FluxoRows streams every row of a Fluxo Ágil query in q.Columns() order,
// for exports (keyset pages of 5000).
func (r *Reports) FluxoRows(ctx context.Context, p model.Principal, q FluxoQuery) RowSource {
	mask := masker(p, q.Columns())
	return func(emit func([]string) error) error {
		return r.eachBotRow(ctx, p, q.Filter, q.ByName, 5000, func(row store.BotRow) error {
			cells := fluxoCells(row)
			if mask != nil {
				mask(cells)
			}
			return emit(cells)
		})
	}
}

// FluxoConversations is the screen's total: the conversations of every row
// q lists, on all its pages.
func (r *Reports) FluxoConversations(ctx context.Context, p model.Principal, q FluxoQuery) (int64, error) {
	return r.botConversations(ctx, p, q.Filter)
}

// StepCount is one step of a Fluxo Ágil drop-off.
type StepCount struct {
	Step     string
	Contacts int // distinct contacts that reached the step
	LastHere int // distinct contacts whose row stopped there (latest conversation's last step)
	// Of LastHere: the flow finished there (outcome finished or handed_off:
	// not an abandonment), or was abandoned there (abandoned, expired); the
	// rest are still open.
	Finished, Abandoned int
}

// FluxoDropoff counts, for the rows a Fluxo Ágil query lists (typically one
// batch), the distinct contacts that reached each step in any selected
// conversation and how many stopped there, in the flow's order (the step's
// earliest position in a conversation; ties: the most reached first).
// LastHere of a step is the number of distinct contacts the same query with
// step=<that step> lists.
func (r *Reports) FluxoDropoff(ctx context.Context, p model.Principal, q FluxoQuery) ([]StepCount, error) {
	list, err := r.botDropoff(ctx, p, q.Filter)
	if err != nil {
		return nil, err
	}
	out := make([]StepCount, len(list))
	for i, s := range list {
		out[i] = StepCount{Step: s.Step, Contacts: s.Contacts, LastHere: s.LastHere, Finished: s.Finished, Abandoned: s.Abandoned}
	}
	return out, nil
}

// FluxoHistory is the Ação of a Fluxo Ágil row: every conversation of a
// contact in a batch with the bot.
type FluxoHistory struct {
	Batch, Contact string // names ("" while unknown)
	// BatchID, ContactID and the contact's data (masked for principals
	// without PersonalData, as in the report).
	BatchID, ContactID     string
	Document, Phone, Email string
	Conversations          []FluxoConversation
}

// FluxoConversation is one conversation of a history, oldest first.
type FluxoConversation struct {
	ID, Flow, Channel string
	Outcome           string // finished | handed_off | abandoned | expired | "" (open)
	OutcomeLabel      string // pt-BR (Desfecho)
	// Interaction is the human interaction a handed-off conversation went
	// to, Protocol its protocol when the interaction is known (the link to
	// its Ver Histórico).
	Interaction, Protocol string
	StartedAt             time.Time
	EndedAt               *time.Time
	Messages              []FluxoMessage
	Steps                 []FluxoStep
}

// FluxoMessage is one message of a conversation.
type FluxoMessage struct {
	At           time.Time
	Sender, Text string // sender: bot | client
}

// FluxoStep is one flow node reached, in order.
type FluxoStep struct {
	At   time.Time
	Step string
}

// FluxoHistory builds the history of a contact in a batch from the stored
// bot events, read with the derivation's rules (metrics.DeriveBotConversation:
// duplicates and re-sent message ids once, consecutive repeats of a step
// once, the first end wins). ErrNotFound when p may see no conversation of
// that contact in that batch.
func (r *Reports) FluxoHistory(ctx context.Context, p model.Principal, batchID, contactID string) (FluxoHistory, error) {
	ids, err := r.DB.BotConversationIDs(ctx, p, batchID, contactID)
	if err != nil {
		return FluxoHistory{}, err
	}
	if len(ids) == 0 {
		return FluxoHistory{}, ErrNotFound
	}
	tc, err := r.tenant(ctx, p)
	if err != nil {
		return FluxoHistory{}, err
	}
	cfg, loc := tc.Config, tc.Zone
	h := FluxoHistory{BatchID: batchID, ContactID: contactID}
	if h.Batch, err = r.DB.BatchName(ctx, p.Tenant, batchID); err != nil {
		return FluxoHistory{}, err
	}
	if c, ok := r.DB.Directory(ctx, p.Tenant).Contact(contactID); ok {
		h.Contact, h.Document = c.Name, metrics.FormatDocument(c.Document)
		if len(c.Phones) > 0 {
			h.Phone = c.Phones[0]
		}
		if len(c.Emails) > 0 {
			h.Email = c.Emails[0]
		}
		if !p.PersonalData {
			h.Document, h.Phone, h.Email = metrics.MaskDocument(h.Document), metrics.MaskPhone(h.Phone), metrics.MaskEmail(h.Email)
		}
	}
	for _, id := range ids {
		events, err := r.DB.Events(ctx, p.Tenant, model.AggBot, id)
		if err != nil {
			return FluxoHistory{}, err
		}
		c := botConversationHistory(events, cfg, loc)
		c.ID = id
		if c.Interaction != "" {
			if c.Protocol, err = r.DB.ProtocolOf(ctx, p.Tenant, c.Interaction); err != nil {
				return FluxoHistory{}, err
			}
		}
		h.Conversations = append(h.Conversations, c)
	}
	return h, nil
}

// botConversationHistory lays out one conversation's events; the head
// (flow, channel, start, end, outcome, interaction) is the derivation's.
func botConversationHistory(events []model.Event, cfg metrics.Config, loc *time.Location) FluxoConversation {
	d := metrics.DeriveBotConversation(events, cfg)
	c := FluxoConversation{
		Flow: d.Flow, Channel: d.Channel, Outcome: d.Outcome, OutcomeLabel: OutcomeLabel(d.Outcome),
		Interaction: d.Interaction, StartedAt: d.StartedAt.In(loc),
	}
	if d.EndedAt != nil {
		t := d.EndedAt.In(loc)
		c.EndedAt = &t
	}
	// The derivation's order: duplicates (same event id) once, keeping the
	// first to arrive; then by time, lifecycle rank and arrival.
	evs := make([]*model.Event, 0, len(events))
	byID := map[string]int{}
	for i := range events {
		e := &events[i]
		if e.ID != "" {
			if j, ok := byID[e.ID]; ok {
				if e.Seq < evs[j].Seq {
					evs[j] = e
				}
				continue
			}
			byID[e.ID] = len(evs)
		}
		evs = append(evs, e)
	}
	sort.SliceStable(evs, func(i, j int) bool { return model.Before(evs[i], evs[j]) })
	seenMsg := map[string]bool{}
	for _, e := range evs {
		switch e.Type {
		case model.TypeBotMessage:
			if e.MessageID != "" {
				if seenMsg[e.MessageID] {
					continue
				}
				seenMsg[e.MessageID] = true
			}
			c.Messages = append(c.Messages, FluxoMessage{At: e.At.In(loc), Sender: e.Sender, Text: e.Text})
		case model.TypeBotStep:
			if e.Step != "" && (len(c.Steps) == 0 || c.Steps[len(c.Steps)-1].Step != e.Step) {
				c.Steps = append(c.Steps, FluxoStep{At: e.At.In(loc), Step: e.Step})
			}
		}
	}
	return c
}
