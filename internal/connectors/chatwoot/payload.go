package chatwoot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The payload types read only the fields the translation uses; every other
// field is ignored, and every one of these may be missing (Chatwoot adds
// and drops fields between versions). Sources of each field: testdata/README.md.

// flexID is an id Chatwoot sends as a JSON number (or, through some
// proxies, a string).
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*f = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexID(strings.TrimSpace(s))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("id %s: not a number or string", b)
	}
	*f = flexID(n.String())
	return nil
}

// flexTime is a timestamp sent as ISO 8601 text (message created_at), Unix
// seconds as an integer (conversation created_at, timestamp) or a float
// (conversation updated_at), or Unix seconds in a string.
type flexTime struct{ time.Time }

func (f *flexTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" || len(b) == 0 {
		f.Time = time.Time{}
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		t, err := parseTimeText(s)
		if err != nil {
			return err
		}
		f.Time = t
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("time %s: not text or a number", b)
	}
	t, err := unixText(n.String())
	if err != nil {
		return err
	}
	f.Time = t
	return nil
}

// parseTimeText reads ISO 8601 (with or without fractions; Rails writes
// "2026-03-02T12:00:00.000Z") or Unix seconds in text.
func parseTimeText(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02 15:04:05.999999999 MST", "2006-01-02 15:04:05.999999999 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, err := unixText(s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("time %q: neither ISO 8601 nor Unix seconds", s)
}

// unixText reads Unix seconds, integer or decimal, to the millisecond.
func unixText(s string) (time.Time, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) || v < 0 || v > 1e11 {
		return time.Time{}, fmt.Errorf("time %q: not Unix seconds", s)
	}
	return time.UnixMilli(int64(math.Round(v * 1000))).UTC(), nil
}

// messageType is "incoming", "outgoing", "activity", "template" in webhook
// payloads, and 0–3 in the conversation's embedded push data.
type messageType string

func (m *messageType) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*m = messageType(s)
		return nil
	}
	switch string(b) {
	case "0":
		*m = "incoming"
	case "1":
		*m = "outgoing"
	case "2":
		*m = "activity"
	case "3":
		*m = "template"
	case "null":
		*m = ""
	default:
		return fmt.Errorf("message_type %s: unknown", b)
	}
	return nil
}

type named struct {
	ID   flexID `json:"id"`
	Name string `json:"name"`
}

// party is a message sender or a conversation assignee: a user (agent), an
// agent bot or a contact, told apart by type.
type party struct {
	ID    flexID `json:"id"`
	Name  string `json:"name"`
	Type  string `json:"type"`
	Email string `json:"email"`
}

// contact is the conversation's meta.sender (contact push data).
type contact struct {
	ID          flexID `json:"id"`
	Name        string `json:"name"`
	Email       string `json:"email"`
	PhoneNumber string `json:"phone_number"`
	Identifier  string `json:"identifier"`
}

type meta struct {
	Sender       *contact `json:"sender"`
	Assignee     *party   `json:"assignee"`
	AssigneeType string   `json:"assignee_type"`
	Team         *named   `json:"team"`
}

// conversation is a conversation's webhook data: the whole payload of the
// conversation_* events, and the "conversation" object of message events.
type conversation struct {
	ID             flexID   `json:"id"`
	DisplayID      flexID   `json:"display_id"`
	InboxID        flexID   `json:"inbox_id"`
	Channel        string   `json:"channel"`
	Status         string   `json:"status"`
	Labels         []string `json:"labels"`
	Meta           meta     `json:"meta"`
	CreatedAt      flexTime `json:"created_at"`
	UpdatedAt      flexTime `json:"updated_at"`
	Timestamp      flexTime `json:"timestamp"`
	LastActivityAt flexTime `json:"last_activity_at"`
	// Messages is the conversation's last chat message as its push data
	// (Message#push_event_data: status included): in Chatwoot versions
	// whose message webhooks lack the message's own status (PR #15908),
	// the only place a message_updated shows it.
	Messages []pushMessage `json:"messages"`
}

// pushMessage is the part of a message's push data the statuses read.
type pushMessage struct {
	ID                flexID            `json:"id"`
	MessageType       lenientType       `json:"message_type"`
	Private           bool              `json:"private"`
	Status            string            `json:"status"`
	SourceID          string            `json:"source_id"`
	ContentAttributes contentAttributes `json:"content_attributes"`
}

// lenientType is a message type that never fails the payload: the push
// data of the conversation's last message is read for its status only,
// and a type rastro does not know just reads as "".
type lenientType messageType

func (m *lenientType) UnmarshalJSON(b []byte) error {
	var t messageType
	if t.UnmarshalJSON(b) == nil {
		*m = lenientType(t)
	}
	return nil
}

// contentAttributes are a message's content_attributes (a JSON store): the
// reason of a failed send is external_error. Anything but an object reads
// as empty.
type contentAttributes struct {
	ExternalError string
}

func (c *contentAttributes) UnmarshalJSON(b []byte) error {
	var v struct {
		ExternalError any `json:"external_error"`
	}
	if json.Unmarshal(b, &v) == nil {
		if s, ok := v.ExternalError.(string); ok {
			c.ExternalError = s
		}
	}
	return nil
}

// key is the conversation's id as its account shows it (display_id).
func (c *conversation) key() string {
	if c.ID != "" {
		return string(c.ID)
	}
	return string(c.DisplayID)
}

// message is the payload of message_created / message_updated.
type message struct {
	ID          flexID      `json:"id"`
	Content     *string     `json:"content"`
	CreatedAt   flexTime    `json:"created_at"`
	MessageType messageType `json:"message_type"`
	Private     bool        `json:"private"`
	SourceID    string      `json:"source_id"`
	// Status (sent, delivered, read, failed) is in message webhooks since
	// chatwoot/chatwoot PR #15908; content_attributes.external_error says
	// why a send failed.
	Status            string            `json:"status"`
	ContentAttributes contentAttributes `json:"content_attributes"`
	Sender            *party            `json:"sender"`
	Contact           *party            `json:"contact"` // older versions only
	Inbox             *named            `json:"inbox"`
	Conversation      *conversation     `json:"conversation"`
}

// envelope is what every payload has: its event name.
type envelope struct {
	Event string `json:"event"`
}

// delivery is one decoded webhook payload.
type delivery struct {
	event string
	conv  *conversation // the conversation's state as the payload shows it
	msg   *message      // message events only
	inbox *named        // message events only: the inbox with its name
}

// decode reads a payload. It fails only when the payload is not JSON, has
// no event, or names no conversation.
func decode(payload []byte) (delivery, error) {
	var env envelope
	if err := json.Unmarshal(payload, &env); err != nil {
		return delivery{}, fmt.Errorf("payload is not a JSON object: %w", err)
	}
	d := delivery{event: env.Event}
	switch {
	case env.Event == "":
		return d, fmt.Errorf("payload has no \"event\"")
	case strings.HasPrefix(env.Event, "message_"):
		var m message
		if err := json.Unmarshal(payload, &m); err != nil {
			return d, fmt.Errorf("%s payload: %w", env.Event, err)
		}
		if m.ID == "" {
			return d, fmt.Errorf("%s payload has no message id", env.Event)
		}
		if m.Conversation == nil || m.Conversation.key() == "" {
			return d, fmt.Errorf("%s payload names no conversation", env.Event)
		}
		d.msg, d.conv, d.inbox = &m, m.Conversation, m.Inbox
	case strings.HasPrefix(env.Event, "conversation_"):
		var c conversation
		if err := json.Unmarshal(payload, &c); err != nil {
			return d, fmt.Errorf("%s payload: %w", env.Event, err)
		}
		if c.key() == "" {
			return d, fmt.Errorf("%s payload has no conversation id", env.Event)
		}
		d.conv = &c
	default:
		return d, fmt.Errorf("event %q is not one rastro translates", env.Event)
	}
	return d, nil
}

// at is when the payload's change happened: the message's creation, else
// the conversation's last update (created_at for conversation_created).
func (d *delivery) at() time.Time {
	if d.msg != nil && !d.msg.CreatedAt.IsZero() {
		return d.msg.CreatedAt.Time
	}
	c := d.conv
	if d.event == "conversation_created" && !c.CreatedAt.IsZero() {
		return c.CreatedAt.Time
	}
	for _, t := range []flexTime{c.UpdatedAt, c.Timestamp, c.LastActivityAt, c.CreatedAt} {
		if !t.IsZero() {
			return t.Time
		}
	}
	return time.Time{}
}

// AccountID is the Chatwoot account a payload belongs to: account.id of
// message webhooks, else account_id of the conversation's last-message
// push data; "" when the payload says neither (conversation webhooks
// without messages).
func AccountID(payload []byte) string {
	var p struct {
		Account *struct {
			ID flexID `json:"id"`
		} `json:"account"`
		Conversation *struct {
			Messages []struct {
				AccountID flexID `json:"account_id"`
			} `json:"messages"`
		} `json:"conversation"`
		Messages []struct {
			AccountID flexID `json:"account_id"`
		} `json:"messages"`
	}
	if json.Unmarshal(payload, &p) != nil {
		return ""
	}
	if p.Account != nil && p.Account.ID != "" {
		return string(p.Account.ID)
	}
	msgs := p.Messages
	if p.Conversation != nil {
		msgs = append(msgs, p.Conversation.Messages...)
	}
	for _, m := range msgs {
		if m.AccountID != "" {
			return string(m.AccountID)
		}
	}
	return ""
}
