package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// AnonymizedName replaces a contact's name after anonymisation.
const AnonymizedName = "Anonimizado"

// AnonymizeContact irreversibly removes a contact's personal data (LGPD):
// its directory entry, the document of its legs, the numbers of its calls
// and the texts of its messages are scrubbed in the stored raw events
// themselves, then everything derived from them is computed again. Rows and
// counts stay: reports keep their totals. It returns how many stored events
// were rewritten.
func (in *Ingester) AnonymizeContact(ctx context.Context, tenant, contactID string) (int, error) {
	rewritten := 0
	err := in.DB.WithTenantTx(ctx, tenant, func(tx *store.Tx) error {
		rewritten = 0
		contactEvents, err := tx.AggregateEvents(ctx, model.AggDirectory, "contact:"+contactID)
		if err != nil {
			return err
		}
		if len(contactEvents) == 0 {
			return fmt.Errorf("contact %s not found in tenant %s", contactID, tenant)
		}
		interactions, conversations, err := tx.ContactAggregates(ctx, contactID)
		if err != nil {
			return err
		}
		// The raw webhook payloads hold the same personal data: erased
		// before the events are scrubbed (what to look for is read from them).
		if err := eraseRawDeliveries(ctx, tx, contactEvents, interactions); err != nil {
			return err
		}
		rewrite := func(evs []model.Event) error {
			for i := range evs {
				scrub(&evs[i])
				body, err := json.Marshal(evs[i])
				if err != nil {
					return err
				}
				if err := tx.RewriteEvent(ctx, evs[i].ID, body); err != nil {
					return err
				}
				rewritten++
			}
			return nil
		}
		if err := rewrite(contactEvents); err != nil {
			return err
		}
		if err := tx.DeleteContact(ctx, contactID); err != nil {
			return err
		}
		for i := range contactEvents {
			if _, err := tx.ApplyDirectory(ctx, &contactEvents[i]); err != nil {
				return err
			}
		}
		cfg, err := tenantConfig(ctx, tx)
		if err != nil {
			return err
		}
		t := newTouched(cfg.Location())
		for _, id := range interactions {
			evs, err := tx.AggregateEvents(ctx, model.AggInteraction, id)
			if err != nil {
				return err
			}
			if err := rewrite(evs); err != nil {
				return err
			}
			t.interactions[id] = true
		}
		for _, id := range conversations {
			evs, err := tx.AggregateEvents(ctx, model.AggBot, id)
			if err != nil {
				return err
			}
			if err := rewrite(evs); err != nil {
				return err
			}
			t.bots[id] = true
		}
		if err := derive(ctx, tx, t); err != nil {
			return err
		}
		// After the re-derivation's own entries: the analytics engine
		// ships the new rows, then erases the old ones on every shard.
		if err := tx.AnnounceAnonymized(ctx, interactions); err != nil {
			return err
		}
		return tx.AnnounceAnonymizedConversations(ctx, conversations)
	})
	return rewritten, err
}

// eraseRawDeliveries replaces with tombstones the stored webhook bodies
// (connector_deliveries) that carry the contact's personal data: every
// delivery of the contact's Chatwoot conversations, and any delivery with a
// JSON string equal to the contact's name, e-mail, document or external id
// (case-insensitive), or whose digits are one of its phones (a WhatsApp
// wa_id is the phone without "+"). A payload that also names other
// contacts is erased whole: their events were translated already.
func eraseRawDeliveries(ctx context.Context, tx *store.Tx, contactEvents []model.Event, interactions []string) error {
	needles, phones := map[string]bool{}, map[string]bool{}
	add := func(v string) {
		if v = strings.ToLower(strings.TrimSpace(v)); len(v) >= 3 {
			needles[v] = true
		}
	}
	for _, e := range contactEvents {
		c := e.Contact
		if c == nil {
			continue
		}
		add(c.Name)
		add(c.Document)
		add(c.ExternalID)
		for _, m := range c.Emails {
			add(m)
		}
		for _, p := range c.Phones {
			if d := digitsOf(p); len(d) >= 8 {
				phones[d] = true
			}
		}
	}
	threads := map[string]bool{}
	for _, id := range interactions {
		if conv, ok := strings.CutPrefix(id, "chatwoot-"); ok {
			threads[conv] = true
		}
	}
	dels, err := tx.RawDeliveries(ctx)
	if err != nil {
		return err
	}
	for _, d := range dels {
		match := d.Kind == store.ConnectorChatwoot && threads[d.Thread]
		if !match {
			var v any
			if json.Unmarshal(d.Payload, &v) == nil {
				match = namesContact(v, needles, phones)
			} else {
				match = textNamesContact(string(d.Payload), needles, phones)
			}
		}
		if match {
			if err := tx.EraseDelivery(ctx, d.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// namesContact walks a decoded JSON value for a string naming the contact.
func namesContact(v any, needles, phones map[string]bool) bool {
	switch x := v.(type) {
	case string:
		if needles[strings.ToLower(strings.TrimSpace(x))] {
			return true
		}
		d := digitsOf(x)
		return len(d) >= 8 && phones[d]
	case []any:
		for _, y := range x {
			if namesContact(y, needles, phones) {
				return true
			}
		}
	case map[string]any:
		for _, y := range x {
			if namesContact(y, needles, phones) {
				return true
			}
		}
	}
	return false
}

// textNamesContact looks for the contact in a payload that is not JSON (a
// failed delivery): any of its values anywhere in the text.
func textNamesContact(text string, needles, phones map[string]bool) bool {
	lower, digits := strings.ToLower(text), digitsOf(text)
	for n := range needles {
		if strings.Contains(lower, n) {
			return true
		}
	}
	for p := range phones {
		if strings.Contains(digits, p) {
			return true
		}
	}
	return false
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MoveEvents puts stored events into the interaction each now names (same
// ids, the given bodies) and derives every interaction they left or
// joined again, in one transaction. Events not stored are skipped. The
// webhook inbox uses it when a message stored from the WhatsApp feed turns
// out to belong to a Chatwoot conversation (it returns how many moved).
func (in *Ingester) MoveEvents(ctx context.Context, tenant string, evs []model.Event) (int, error) {
	moved := 0
	err := in.DB.WithTenantTx(ctx, tenant, func(tx *store.Tx) error {
		moved = 0
		cfg, err := tenantConfig(ctx, tx)
		if err != nil {
			return err
		}
		t := newTouched(cfg.Location())
		for i := range evs {
			body, err := json.Marshal(evs[i])
			if err != nil {
				return err
			}
			from, err := tx.MoveEvent(ctx, evs[i].ID, evs[i].Interaction, body)
			if err != nil {
				return err
			}
			if from == "" {
				continue
			}
			moved++
			t.interactions[from], t.interactions[evs[i].Interaction] = true, true
		}
		return derive(ctx, tx, t)
	})
	return moved, err
}

// scrub removes personal data from one event, keeping every id, time and
// status so derived counts and durations do not change.
func scrub(e *model.Event) {
	if c := e.Contact; c != nil {
		*c = model.Contact{ID: c.ID, Name: AnonymizedName, Portfolio: c.Portfolio, BatchID: c.BatchID}
	}
	e.Document = ""
	if e.Type == model.TypeInteractionCreated {
		e.From, e.To = "", ""
	}
	if e.Type == model.TypeMessage || e.Type == model.TypeBotMessage {
		if e.Text != "" {
			e.Text = "[anonimizado]"
		}
		e.Attachment = nil
	}
}
