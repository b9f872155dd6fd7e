package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rastro/rastro/internal/connectors/whatsapp"
	"github.com/rastro/rastro/internal/model"
)

// A WhatsApp message can reach rastro through two feeds: Meta's webhook
// and Chatwoot's (a WhatsApp Cloud inbox, whose message source_id is the
// wamid). Both give it the same event id (whatsapp.MessageEventID), so it
// is stored once, and it belongs to the Chatwoot conversation: Chatwoot
// says who handled it. Whichever feed comes first:
//
//   - Chatwoot first: the WhatsApp feed finds the message stored in the
//     Chatwoot conversation; its copy is dropped, and the statuses (and who
//     opened the conversation) of that wamid go to the Chatwoot interaction.
//   - WhatsApp first (rastro in front of Chatwoot with --forward-to): the
//     Chatwoot feed finds the message in the WhatsApp interaction and moves
//     it, with the statuses stored for its wamid, into the conversation.

// decodeLines reads translated NDJSON lines back into events.
func decodeLines(lines [][]byte) ([]model.Event, error) {
	evs := make([]model.Event, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal(l, &evs[i]); err != nil {
			return nil, fmt.Errorf("translated event: %w", err)
		}
	}
	return evs, nil
}

func encodeLines(evs []model.Event) ([][]byte, error) {
	out := make([][]byte, 0, len(evs))
	for _, e := range evs {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("translated event %s: %w", e.ID, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// isWhatsAppInteraction tells the WhatsApp feed's own interactions.
func isWhatsAppInteraction(id string) bool { return strings.HasPrefix(id, "wa-") }

// joinOtherFeed rewrites the events of a WhatsApp delivery whose wamids are
// already stored in another feed's interaction (see above).
func (b *Inbox) joinOtherFeed(ctx context.Context, tenant string, lines [][]byte) ([][]byte, error) {
	evs, err := decodeLines(lines)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range evs {
		switch e.Type {
		case model.TypeMessage:
			ids = append(ids, e.ID)
		case model.TypeMessageStatus:
			ids = append(ids, whatsapp.MessageEventID(e.MessageID))
		}
	}
	if len(ids) == 0 {
		return lines, nil
	}
	stored, err := b.DB.InteractionEvents(ctx, tenant, ids)
	if err != nil {
		return nil, err
	}
	elsewhere := func(id string) string {
		if st, ok := stored[id]; ok && !isWhatsAppInteraction(st.Interaction) {
			return st.Interaction
		}
		return ""
	}
	target := map[string]string{} // WhatsApp interaction → the other feed's
	kept := map[string]bool{}     // WhatsApp interactions that keep a message or status
	var out []model.Event
	for _, e := range evs {
		switch e.Type {
		case model.TypeMessage:
			if to := elsewhere(e.ID); to != "" {
				target[e.Interaction] = to
				continue // stored once, in the conversation
			}
			kept[e.Interaction] = true
		case model.TypeMessageStatus:
			if to := elsewhere(whatsapp.MessageEventID(e.MessageID)); to != "" {
				target[e.Interaction] = to
				e.Interaction = to
			} else {
				kept[e.Interaction] = true
			}
		}
		out = append(out, e)
	}
	final := out[:0]
	for _, e := range out {
		if e.Type == model.TypeInteractionCreated {
			to, moved := target[e.Interaction]
			switch {
			case moved && e.StartedBy != "":
				// Who opened the conversation, for the conversation; its
				// ORIGEM stays the other feed's.
				e.Interaction, e.Origin, e.Direction, e.From, e.To, e.ContactID = to, "", "", "", "", ""
			case moved && !kept[e.Interaction]:
				continue // nothing of this delivery is left in it
			}
		}
		final = append(final, e)
	}
	return encodeLines(final)
}

// claimFromWhatsApp moves into the Chatwoot conversation the messages (and
// their statuses) the WhatsApp feed stored first (see above), before the
// conversation's own events are ingested.
func (b *Inbox) claimFromWhatsApp(ctx context.Context, tenant string, lines [][]byte) error {
	evs, err := decodeLines(lines)
	if err != nil {
		return err
	}
	var msgs []model.Event
	var ids []string
	for _, e := range evs {
		if e.Type == model.TypeMessage && strings.HasPrefix(e.ID, "wa-msg-") {
			msgs = append(msgs, e)
			ids = append(ids, e.ID)
			for _, st := range model.MessageStatuses {
				ids = append(ids, whatsapp.StatusEventID(e.MessageID, st))
			}
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	stored, err := b.DB.InteractionEvents(ctx, tenant, ids)
	if err != nil {
		return err
	}
	var moves []model.Event
	for _, m := range msgs {
		if st, ok := stored[m.ID]; ok && isWhatsAppInteraction(st.Interaction) {
			moves = append(moves, m) // Chatwoot's version: it knows the leg and sender
		}
		// The statuses of the wamid, even when its message is not stored:
		// the WhatsApp feed never carries the business's own messages.
		for _, s := range model.MessageStatuses {
			sst, ok := stored[whatsapp.StatusEventID(m.MessageID, s)]
			if !ok || !isWhatsAppInteraction(sst.Interaction) {
				continue
			}
			var ev model.Event
			if err := json.Unmarshal(sst.Body, &ev); err != nil {
				return fmt.Errorf("stored status of %s: %w", m.MessageID, err)
			}
			ev.Interaction = m.Interaction
			moves = append(moves, ev)
		}
	}
	if len(moves) == 0 {
		return nil
	}
	_, err = b.Ingest.MoveEvents(ctx, tenant, moves)
	return err
}
