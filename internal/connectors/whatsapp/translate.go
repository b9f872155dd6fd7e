// Package whatsapp translates WhatsApp Business Cloud API webhook payloads
// (Meta's "messages" field of a whatsapp_business_account) into rastro
// events (EVENTS.md). The mapping is in the README ("WhatsApp webhooks").
//
// Unlike Chatwoot, a WhatsApp payload is self-contained: each inbound
// message carries its sender, its time and its wamid, so one delivery is
// translated on its own and every event id is derived from Meta's ids
// (the message from its wamid, the contact from its wa_id, the interaction
// from the business number, the wa_id and the day). Translating a delivery
// again, or the same message delivered in another payload, emits the same
// ids: the store keeps each event once.
//
// Statuses (sent, delivered, read, failed) become message.status events,
// rastro's extension of EVENTS.md (see the README); others are kept in the
// stored delivery only.
package whatsapp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/connectors/textfit"
	"github.com/rastro/rastro/internal/model"
)

// Origin is the ORIGEM of every interaction that came from WhatsApp.
const Origin = "WhatsApp"

// Media is the media of every interaction that came from WhatsApp.
const Media = "whatsapp"

// payload is the part of Meta's webhook body the translation reads;
// unknown fields are ignored, missing optional ones are not an error.
type payload struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string `json:"field"`
			Value value  `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type value struct {
	Metadata struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	} `json:"contacts"`
	Messages []message `json:"messages"`
	Statuses []status  `json:"statuses"`
}

// status is one entry of value.statuses: the state of a message the
// business sent.
type status struct {
	ID          string   `json:"id"`
	Status      string   `json:"status"`
	Timestamp   unixText `json:"timestamp"`
	RecipientID string   `json:"recipient_id"`
	// Conversation comes on statuses of conversation-based pricing:
	// origin.type says who opened the conversation, expiration_timestamp
	// when Meta's pricing window ends.
	Conversation *struct {
		ID                  string   `json:"id"`
		ExpirationTimestamp unixText `json:"expiration_timestamp"`
		Origin              struct {
			Type string `json:"type"`
		} `json:"origin"`
	} `json:"conversation"`
	Errors []struct {
		Code      json.Number `json:"code"`
		Title     string      `json:"title"`
		Message   string      `json:"message"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
	} `json:"errors"`
}

// shownStatuses are the statuses translated into message.status; any
// other (deleted, played, a new one) stays in the stored delivery only.
var shownStatuses = map[string]bool{"sent": true, "delivered": true, "read": true, "failed": true}

// startedBy maps Meta's conversation.origin.type to ORIGEM DA CONVERSA
// (interaction.created's started_by): the conversation categories a user
// opens (replying, or through an ad: referral_conversion) are the
// client's; the template categories a business sends first are the
// company's. Any other type is not read (SPEC's rule applies).
var startedBy = map[string]string{
	"user_initiated": "cliente", "service": "cliente", "referral_conversion": "cliente",
	"business_initiated": "empresa", "marketing": "empresa", "utility": "empresa", "authentication": "empresa",
}

// errorText is a failed status's reason: "131047 Re-engagement message:
// details" for each error.
func (s status) errorText() string {
	var parts []string
	for _, e := range s.Errors {
		t := strings.TrimSpace(string(e.Code) + " " + e.Title)
		if e.ErrorData.Details != "" {
			t += ": " + e.ErrorData.Details
		} else if e.Message != "" && e.Message != e.Title {
			t += ": " + e.Message
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, "; ")
}

type message struct {
	From      string   `json:"from"`
	ID        string   `json:"id"`
	Timestamp unixText `json:"timestamp"`
	Type      string   `json:"type"`
	Text      *struct {
		Body string `json:"body"`
	} `json:"text"`
	// Media messages: the caption is their text.
	Image    *caption `json:"image"`
	Video    *caption `json:"video"`
	Document *caption `json:"document"`
	Button   *struct {
		Text string `json:"text"`
	} `json:"button"`
	Interactive *struct {
		ButtonReply *titled `json:"button_reply"`
		ListReply   *titled `json:"list_reply"`
	} `json:"interactive"`
}

type caption struct {
	Caption string `json:"caption"`
}

type titled struct {
	Title string `json:"title"`
}

// unixText is Meta's timestamp: Unix seconds in a string (an integer is
// read too).
type unixText struct{ time.Time }

func (u *unixText) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		return nil
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %s is not Unix seconds", b)
	}
	u.Time = time.Unix(sec, 0).UTC()
	return nil
}

func decode(b []byte) (payload, error) {
	var p payload
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("not a WhatsApp webhook payload: %w", err)
	}
	if p.Object != "whatsapp_business_account" {
		return p, fmt.Errorf("object is %q, not whatsapp_business_account", p.Object)
	}
	return p, nil
}

// Peek reads what the inbox stores beside a payload: what it carries
// ("messages", "statuses", both joined by "+", or the change fields), the
// thread (the payload itself: it is translated alone) and its earliest
// time. An error means the payload cannot be translated (it is still
// stored, and listed).
func Peek(b []byte) (event, thread string, at time.Time, err error) {
	p, err := decode(b)
	if err != nil {
		return "", "", time.Time{}, err
	}
	var kinds []string
	add := func(k string) {
		for _, x := range kinds {
			if x == k {
				return
			}
		}
		kinds = append(kinds, k)
	}
	early := func(t time.Time) {
		if !t.IsZero() && (at.IsZero() || t.Before(at)) {
			at = t
		}
	}
	for _, e := range p.Entry {
		for _, c := range e.Changes {
			v := c.Value
			if len(v.Messages) > 0 {
				add("messages")
			}
			if len(v.Statuses) > 0 {
				add("statuses")
			}
			if len(v.Messages) == 0 && len(v.Statuses) == 0 && c.Field != "" {
				add(c.Field)
			}
			for _, m := range v.Messages {
				early(m.Timestamp.Time)
			}
			for _, s := range v.Statuses {
				early(s.Timestamp.Time)
			}
		}
	}
	sum := sha256.Sum256(b)
	return strings.Join(kinds, "+"), "wa-" + hex.EncodeToString(sum[:8]), at, nil
}

// Translate returns the events of one payload as NDJSON lines ready for
// ingestion: a contact.upserted per contact, and per inbound message its
// interaction's interaction.created and the client's message. A message
// without id, sender or time cannot be placed: it is skipped and named in
// the error, the others are translated all the same.
func Translate(b []byte, receivedAt time.Time) (lines [][]byte, err error) {
	p, err := decode(b)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	emit := func(ev model.Event) {
		if seen[ev.ID] {
			return
		}
		seen[ev.ID] = true
		ev.At = ev.At.UTC()
		line, err := json.Marshal(ev)
		if err != nil {
			panic(fmt.Sprintf("marshal %s: %v", ev.ID, err)) // plain structs of strings and times
		}
		lines = append(lines, line)
	}
	var problems []error
	for _, e := range p.Entry {
		for _, c := range e.Changes {
			v := c.Value
			names := map[string]string{}
			for _, ct := range v.Contacts {
				if ct.WaID != "" {
					names[ct.WaID] = textfit.Label(ct.Profile.Name)
				}
			}
			number := v.Metadata.PhoneNumberID
			if number == "" {
				number = e.ID
			}
			for i, m := range v.Messages {
				if m.ID == "" || m.From == "" {
					problems = append(problems, fmt.Errorf("entry %s: message %d has no id or from", e.ID, i))
					continue
				}
				at := m.Timestamp.Time
				if at.IsZero() {
					at = receivedAt.UTC()
				}
				ct := model.Contact{ID: ContactID(m.From), Name: names[m.From], Phones: []string{"+" + strings.TrimPrefix(m.From, "+")}}
				emit(model.Event{ID: "wa-contact-" + short(ct.ID, ct.Name), Type: model.TypeContactUpserted, At: at, Contact: &ct})
				iid := InteractionID(number, m.From, at)
				emit(model.Event{ID: iid + "-created", Type: model.TypeInteractionCreated, At: at, Interaction: iid,
					Media: Media, Origin: Origin, Direction: "inbound", From: ct.Phones[0], To: v.Metadata.DisplayPhoneNumber, ContactID: ct.ID})
				emit(model.Event{ID: MessageEventID(m.ID), Type: model.TypeMessage, At: at, Interaction: iid,
					MessageID: MessageID(m.ID), Sender: "client", Text: textfit.Text(m.text())})
			}
			for i, s := range v.Statuses {
				if !shownStatuses[s.Status] {
					continue
				}
				if s.ID == "" || s.RecipientID == "" {
					problems = append(problems, fmt.Errorf("entry %s: status %d has no id or recipient_id", e.ID, i))
					continue
				}
				at := s.Timestamp.Time
				if at.IsZero() {
					at = receivedAt.UTC()
				}
				// The interaction of the recipient's day; when a status comes
				// before any message of that day, the business started it.
				ct := model.Contact{ID: ContactID(s.RecipientID), Phones: []string{"+" + strings.TrimPrefix(s.RecipientID, "+")}}
				emit(model.Event{ID: "wa-contact-" + short(ct.ID, ""), Type: model.TypeContactUpserted, At: at, Contact: &ct})
				iid := InteractionID(number, s.RecipientID, at)
				emit(model.Event{ID: iid + "-created", Type: model.TypeInteractionCreated, At: at, Interaction: iid,
					Media: Media, Origin: Origin, Direction: "outbound", From: v.Metadata.DisplayPhoneNumber, To: ct.Phones[0], ContactID: ct.ID})
				ev := model.Event{ID: StatusEventID(s.ID, s.Status), Type: model.TypeMessageStatus, At: at, Interaction: iid,
					MessageID: MessageID(s.ID), Status: s.Status}
				if s.Status == "failed" {
					ev.Error = textfit.Text(s.errorText())
				}
				if cv := s.Conversation; cv != nil && !cv.ExpirationTimestamp.IsZero() {
					exp := cv.ExpirationTimestamp.Time
					ev.ExpiresAt = &exp
				}
				emit(ev)
				// Who opened the conversation: one more interaction.created of
				// the same interaction carrying started_by only (the first one
				// may have come with an inbound message, and events merge).
				if cv := s.Conversation; cv != nil && startedBy[cv.Origin.Type] != "" {
					emit(model.Event{ID: iid + "-origin-" + short(cv.ID, cv.Origin.Type), Type: model.TypeInteractionCreated, At: at,
						Interaction: iid, Media: Media, Origin: Origin, StartedBy: startedBy[cv.Origin.Type]})
				}
			}
		}
	}
	return lines, errors.Join(problems...)
}

// text is what a message says: its body, a media caption or the title of
// a button or list reply; "" for other types (stickers, locations…), whose
// message is kept all the same.
func (m message) text() string {
	switch {
	case m.Text != nil:
		return m.Text.Body
	case m.Image != nil:
		return m.Image.Caption
	case m.Video != nil:
		return m.Video.Caption
	case m.Document != nil:
		return m.Document.Caption
	case m.Button != nil:
		return m.Button.Text
	case m.Interactive != nil && m.Interactive.ButtonReply != nil:
		return m.Interactive.ButtonReply.Title
	case m.Interactive != nil && m.Interactive.ListReply != nil:
		return m.Interactive.ListReply.Title
	}
	return ""
}

// MessageID is rastro's message id of a wamid: the wamid itself (so a
// status or another feed can name it), or a digest of it beyond EVENTS.md's
// 128 characters.
func MessageID(wamid string) string {
	if len(wamid) <= 128 {
		return wamid
	}
	return "wa-" + short(wamid)
}

// MessageEventID is the event id of the message with this wamid, whichever
// feed brings it (WhatsApp, or Chatwoot, whose source_id is the wamid): the
// store keeps one message per wamid, and the inbox finds it by this id.
func MessageEventID(wamid string) string { return "wa-msg-" + short(wamid) }

// StatusEventID is the event id of a WhatsApp status of a wamid.
func StatusEventID(wamid, status string) string { return "wa-st-" + short(wamid, status) }

// IsWAMID tells a WhatsApp message id (Chatwoot's source_id of messages of
// WhatsApp Cloud inboxes) from other platforms' ids.
func IsWAMID(id string) bool { return strings.HasPrefix(id, "wamid.") }

// ContactID is rastro's contact of a WhatsApp user.
func ContactID(waID string) string { return "wa-" + waID }

// InteractionID is the interaction of a message: the business number, the
// user's wa_id and the UTC day of the message. Meta's conversation.id
// would be the natural key, but it comes only on statuses of the
// business's own messages (and is gone under per-message pricing, since
// July 2025), never on inbound messages: a message must find its
// interaction alone, out of order, so the key is what every inbound
// message carries.
func InteractionID(phoneNumberID, waID string, at time.Time) string {
	return "wa-" + phoneNumberID + "-" + waID + "-" + at.UTC().Format("20060102")
}

// short is a stable short digest for event ids that depend on free text.
func short(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:6])
}
