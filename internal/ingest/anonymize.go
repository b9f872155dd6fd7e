package ingest

import (
	"context"
	"encoding/json"
	"fmt"

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
