// Package chatwoot translates Chatwoot webhook payloads into rastro events
// (EVENTS.md): a conversation is an interaction, each stretch of it with one
// team and one assignee a leg. The mapping, field by field, is in the
// README ("Chatwoot").
//
// A webhook says what a conversation looks like now, not what changed, and
// Chatwoot may deliver it late, twice or out of order. So the translation
// is not per payload: Translate reads every stored delivery of one
// conversation, in Chatwoot's own time order, walks the conversation's
// states and emits the events they imply. Event ids are derived from the
// conversation and the position in that walk (leg 2's delivery is always
// "chatwoot-7-leg2-delivered"), so translating the conversation again after
// each new delivery emits the same ids for what was already known: the
// store drops them as duplicates and keeps only what is new.
package chatwoot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/connectors/textfit"
	"github.com/rastro/rastro/internal/connectors/whatsapp"
	"github.com/rastro/rastro/internal/model"
)

// Origin is the ORIGEM of every interaction that came from Chatwoot.
const Origin = "Chatwoot"

// Options tune the translation.
type Options struct {
	// APIInboxMedia is the media of conversations of API inboxes
	// (Channel::Api): any of EVENTS.md's media; "" is chat.
	APIInboxMedia string
}

// Input is one stored delivery.
type Input struct {
	Payload []byte
	// ReceivedAt is when rastro received it: the time of a payload that
	// carries no time of its own.
	ReceivedAt time.Time
}

// Peek reads what the inbox stores beside a payload: its event name, the
// conversation it belongs to (the thread) and when it happened. An error
// means the payload cannot be translated (it is still stored, and listed).
func Peek(payload []byte) (event, thread string, at time.Time, err error) {
	d, err := decode(payload)
	if err != nil {
		var env envelope
		_ = json.Unmarshal(payload, &env)
		return env.Event, "", time.Time{}, err
	}
	return d.event, d.conv.key(), d.at(), nil
}

// channelMedia maps an inbox's channel type to a media of EVENTS.md.
var channelMedia = map[string]string{
	"Channel::Whatsapp":  "whatsapp",
	"Channel::WebWidget": "chat",
	"Channel::Email":     "email",
	"Channel::Sms":       "sms",
	"Channel::TwilioSms": "sms",
	"Channel::Instagram": "instagram",
}

// Translate reads the deliveries of one conversation (in any order) and
// returns its events as NDJSON lines ready for ingestion. bad holds, by
// index into ins, the deliveries that could not be read; the others are
// translated all the same.
func Translate(ins []Input, opt Options) (lines [][]byte, bad map[int]error) {
	type item struct {
		d   delivery
		at  time.Time
		idx int
	}
	items := make([]item, 0, len(ins))
	bad = map[int]error{}
	for i, in := range ins {
		d, err := decode(in.Payload)
		if err != nil {
			bad[i] = err
			continue
		}
		at := d.at()
		if at.IsZero() {
			at = in.ReceivedAt.UTC()
		}
		items = append(items, item{d, at, i})
	}
	if len(items) == 0 {
		return nil, bad
	}
	// Chatwoot's order: by time, then conversation changes before the
	// messages of the same instant (a message's conversation snapshot is
	// taken after it), then arrival.
	sort.SliceStable(items, func(a, b int) bool {
		if !items[a].at.Equal(items[b].at) {
			return items[a].at.Before(items[b].at)
		}
		return items[a].d.msg == nil && items[b].d.msg != nil
	})
	w := &walker{opt: opt, conv: items[0].d.conv.key(), seen: map[string]bool{}}
	w.iid = "chatwoot-" + w.conv
	for _, it := range items {
		w.learn(it.d, it.at)
	}
	for _, it := range items {
		w.step(it.d, it.at)
	}
	return w.out, bad
}

// walker holds a conversation's state while its deliveries are walked.
type walker struct {
	opt  Options
	conv string // Chatwoot's conversation id (display id)
	iid  string // rastro's interaction id
	out  [][]byte
	seen map[string]bool // event ids already emitted by this walk

	// Learnt from every delivery before the walk (the conversation's
	// constants: any delivery may be the first to arrive).
	media      string
	contact    *model.Contact // as the latest delivery shows it
	contactAt  time.Time      // that delivery's time: the upsert's
	inboxNames map[string]string

	created   bool
	leg       int // current leg number (0: none yet)
	open      bool
	delivered bool
	agent     string // rastro user id of the leg's agent
	service   string // rastro service id of the leg
	held      bool
	holds     int
	notes     []string
	labels    []string
	status    string
}

// learn reads a delivery's constants: media, contact, inbox names.
func (w *walker) learn(d delivery, at time.Time) {
	c := d.conv
	if w.media == "" && c.Channel != "" {
		w.media = w.mediaOf(c.Channel)
	}
	if s := c.Meta.Sender; s != nil && s.ID != "" {
		ct := &model.Contact{ID: contactID(s.ID), Name: textfit.Label(s.Name), ExternalID: textfit.Label(s.Identifier)}
		if s.PhoneNumber != "" {
			ct.Phones = []string{textfit.Label(s.PhoneNumber)}
		}
		if s.Email != "" {
			ct.Emails = []string{textfit.Label(s.Email)}
		}
		if w.contact == nil || contactVersion(*w.contact) != contactVersion(*ct) {
			w.contact, w.contactAt = ct, at
		}
	} else if w.contact == nil && d.msg != nil {
		// Older payloads: only the message's sender (or its "contact",
		// before 2021) names the contact, without phone or e-mail.
		for _, p := range []*party{d.msg.Contact, d.msg.Sender} {
			if p != nil && p.Type == "contact" && p.ID != "" {
				w.contact, w.contactAt = &model.Contact{ID: contactID(p.ID), Name: textfit.Label(p.Name)}, at
				break
			}
		}
	}
	if d.inbox != nil && d.inbox.ID != "" && d.inbox.Name != "" {
		if w.inboxNames == nil {
			w.inboxNames = map[string]string{}
		}
		w.inboxNames[string(d.inbox.ID)] = d.inbox.Name
	}
}

func (w *walker) mediaOf(channel string) string {
	if channel == "Channel::Api" {
		if w.opt.APIInboxMedia != "" {
			return w.opt.APIInboxMedia
		}
		return "chat"
	}
	if m, ok := channelMedia[channel]; ok {
		return m
	}
	return "chat"
}

// unknownService is the service of a leg before its inbox is known.
const unknownService = "chatwoot"

func contactID(id flexID) string { return "chatwoot-contact-" + string(id) }
func userID(id flexID) string    { return "chatwoot-user-" + string(id) }

// short is a stable short digest for event ids that depend on free text.
func short(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:6])
}

// emit appends an event once per walk.
func (w *walker) emit(ev model.Event) {
	if w.seen[ev.ID] {
		return
	}
	w.seen[ev.ID] = true
	ev.At = ev.At.UTC()
	var b []byte
	var err error
	if ev.Type == model.TypeUserUpserted {
		// Only the fields Chatwoot knows: upserts merge field by field, so
		// tags and status set by another system must not be sent at all.
		b, err = json.Marshal(map[string]any{"id": ev.ID, "type": ev.Type, "at": ev.At, "user": map[string]string{"id": ev.User.ID, "name": ev.User.Name}})
	} else {
		b, err = json.Marshal(ev)
	}
	if err != nil {
		panic(fmt.Sprintf("marshal %s: %v", ev.ID, err)) // plain structs of strings and times
	}
	w.out = append(w.out, b)
}

func (w *walker) legID(n int) string { return fmt.Sprintf("%s-leg%d", w.iid, n) }

// serviceOf is the leg's service: the team, else the inbox.
func (w *walker) serviceOf(at time.Time, d delivery) string {
	c := d.conv
	if t := c.Meta.Team; t != nil && t.ID != "" {
		id := "chatwoot-team-" + string(t.ID)
		if t.Name != "" {
			w.upsertService(at, id, t.Name)
		}
		return id
	}
	inbox := c.InboxID
	if inbox == "" && d.inbox != nil {
		inbox = d.inbox.ID
	}
	if inbox == "" {
		if w.service != "" {
			return w.service
		}
		// A payload before 2021 of a conversation event: no team, no
		// inbox. The leg waits in one catch-all service until a message
		// names the inbox (the latest leg.queued names SERVIÇO).
		w.upsertService(at, unknownService, "Chatwoot")
		return unknownService
	}
	id := "chatwoot-inbox-" + string(inbox)
	if name := w.inboxNames[string(inbox)]; name != "" {
		w.upsertService(at, id, name)
	}
	return id
}

func (w *walker) upsertService(at time.Time, id, name string) {
	name = textfit.Label(name)
	w.emit(model.Event{ID: "chatwoot-svc-" + short(id, name), Type: model.TypeServiceUpserted, At: at, Service: &model.Named{ID: id, Name: name}})
}

// agentOf is the leg's agent: the assignee when it is a user (an agent
// bot assigned is no agent: the conversation waits in the queue).
func (w *walker) agentOf(at time.Time, c *conversation) string {
	a := c.Meta.Assignee
	if a == nil || a.ID == "" || c.Meta.AssigneeType == "AgentBot" || (a.Type != "" && a.Type != "user") {
		return ""
	}
	id := userID(a.ID)
	if a.Name != "" {
		name := textfit.Label(a.Name)
		w.emit(model.Event{ID: "chatwoot-user-" + short(id, name), Type: model.TypeUserUpserted, At: at, User: &model.User{ID: id, Name: name}})
	}
	return id
}

// step walks one delivery: first the conversation state it shows, then
// its message.
func (w *walker) step(d delivery, at time.Time) {
	w.state(d, at)
	if d.msg != nil && d.event == "message_created" {
		w.message(d.msg, at)
	}
	if d.msg != nil {
		m := d.msg
		w.messageStatus(pushMessage{ID: m.ID, MessageType: lenientType(m.MessageType), Private: m.Private, Status: m.Status, SourceID: m.SourceID, ContentAttributes: m.ContentAttributes}, at)
	}
	for _, m := range d.conv.Messages {
		w.messageStatus(m, at)
	}
}

// chatwootStatuses are Chatwoot's message statuses (Message's enum
// status), all of them message.status's.
var chatwootStatuses = map[string]bool{"sent": true, "delivered": true, "read": true, "failed": true}

// messageStatus emits the delivery state of one of the business's messages
// (outgoing or template; not notes) as a message.status: the history's
// ticks. A status seen again is the same event; the furthest wins there.
func (w *walker) messageStatus(m pushMessage, at time.Time) {
	if m.ID == "" || m.Private || !chatwootStatuses[m.Status] || (m.MessageType != "outgoing" && m.MessageType != "template") {
		return
	}
	ev := model.Event{ID: "chatwoot-st-" + string(m.ID) + "-" + m.Status, Type: model.TypeMessageStatus, At: at, Interaction: w.iid,
		MessageID: "chatwoot-" + string(m.ID), Status: m.Status}
	if whatsapp.IsWAMID(m.SourceID) {
		ev.MessageID = whatsapp.MessageID(m.SourceID)
	}
	if m.Status == "failed" {
		ev.Error = textfit.Text(m.ContentAttributes.ExternalError)
	}
	w.emit(ev)
}

// state moves the conversation to what c shows at at.
func (w *walker) state(d delivery, at time.Time) {
	c := d.conv
	if !w.created {
		w.create(c, at)
	}
	status := c.Status
	switch d.event {
	case "conversation_resolved":
		status = "resolved"
	case "conversation_opened":
		if status == "" {
			status = "open"
		}
	}
	if status == "" {
		// An older payload without status (a message's minimal
		// conversation): the conversation is as it was.
		status = w.status
		if status == "" {
			status = "open"
		}
	}
	w.status = status
	if len(c.Labels) > 0 {
		w.labels = c.Labels
	}
	if status == "resolved" {
		if w.open {
			w.finish(at)
		}
		return
	}
	// Payloads before 2021 carry no meta: nothing to learn about team or
	// assignee; the service is the message's inbox, and the agent who
	// writes first is the one the conversation was delivered to.
	hasMeta := c.Meta.Assignee != nil || c.Meta.Team != nil || c.InboxID != "" || c.Status != ""
	service := w.service
	agent := w.agent
	if hasMeta || w.service == "" || w.service == unknownService {
		service = w.serviceOf(at, d)
	}
	if hasMeta {
		agent = w.agentOf(at, c)
	} else if m := d.msg; !w.delivered && m != nil && d.event == "message_created" && m.MessageType == "outgoing" && !m.Private && m.Sender != nil && m.Sender.Type == "user" && m.Sender.ID != "" {
		agent = userID(m.Sender.ID)
	}
	if !w.open {
		w.leg++
		w.open, w.delivered, w.agent, w.service, w.held = true, false, "", service, false
		w.emit(model.Event{ID: w.legID(w.leg) + "-queued", Type: model.TypeLegQueued, At: at, Interaction: w.iid, Leg: w.legID(w.leg), ServiceID: service})
	}
	if !w.delivered && service != w.service {
		// A team set or changed while the conversation waits: the same leg,
		// queued in the new service (the latest leg.queued names SERVIÇO).
		w.service = service
		w.emit(model.Event{ID: w.legID(w.leg) + "-queued-" + short(service), Type: model.TypeLegQueued, At: at, Interaction: w.iid, Leg: w.legID(w.leg), ServiceID: service})
	}
	if w.held && status != "snoozed" {
		w.holdEnd(at)
	}
	switch {
	case !w.delivered && agent != "":
		w.delivered, w.agent = true, agent
		w.emit(model.Event{ID: w.legID(w.leg) + "-delivered", Type: model.TypeLegDelivered, At: at, Interaction: w.iid, Leg: w.legID(w.leg), AgentID: agent})
	case w.delivered && hasMeta && (agent != w.agent || service != w.service):
		// Any change of assignee or team after the delivery is a transfer.
		if w.held {
			w.holdEnd(at)
		}
		from, to := w.legID(w.leg), w.legID(w.leg+1)
		if len(w.notes) > 0 {
			// The notes of a transferred leg are its tabulation: a
			// leg.finished beside the transfer keeps them (the leg stays
			// "service transferred").
			w.emit(model.Event{ID: from + "-finished", Type: model.TypeLegFinished, At: at, Interaction: w.iid, Leg: from, Status: "service completed",
				Comments: textfit.Text(strings.Join(w.notes, "\n")), ContactID: w.contactID()})
		}
		w.emit(model.Event{ID: from + "-transferred", Type: model.TypeLegTransferred, At: at, Interaction: w.iid, Leg: from, NewLeg: to, ToServiceID: service, ToAgentID: agent})
		w.leg++
		w.delivered, w.agent, w.service, w.notes = false, "", service, nil
		if agent != "" {
			w.delivered, w.agent = true, agent
			w.emit(model.Event{ID: to + "-delivered", Type: model.TypeLegDelivered, At: at, Interaction: w.iid, Leg: to, AgentID: agent})
		}
	}
	if status == "snoozed" && w.delivered && !w.held {
		w.holds++
		w.held = true
		w.emit(model.Event{ID: fmt.Sprintf("%s-hold%d", w.legID(w.leg), w.holds), Type: model.TypeHoldStarted, At: at, Interaction: w.iid, Leg: w.legID(w.leg), Kind: "personal_queue"})
	}
}

func (w *walker) holdEnd(at time.Time) {
	w.held = false
	w.emit(model.Event{ID: fmt.Sprintf("%s-hold%d-ended", w.legID(w.leg), w.holds), Type: model.TypeHoldEnded, At: at, Interaction: w.iid, Leg: w.legID(w.leg)})
}

// create emits the interaction, its contact and its first appearance.
func (w *walker) create(c *conversation, at time.Time) {
	w.created = true
	created := at
	if !c.CreatedAt.IsZero() && c.CreatedAt.Before(at) {
		created = c.CreatedAt.Time
	}
	media := w.media
	if media == "" {
		media = "chat"
	}
	ev := model.Event{ID: w.iid + "-created", Type: model.TypeInteractionCreated, At: created, Interaction: w.iid, Media: media, Origin: Origin}
	if w.contact != nil {
		ct := *w.contact
		// A contact changed in Chatwoot is a new upsert, at the time of
		// the first delivery that showed it so, so the latest one wins.
		w.emit(model.Event{ID: "chatwoot-contact-" + contactVersion(ct), Type: model.TypeContactUpserted, At: w.contactAt, Contact: &ct})
		ev.ContactID = ct.ID
	}
	w.emit(ev)
}

// finish ends the open leg (resolved).
func (w *walker) finish(at time.Time) {
	if w.held {
		w.holdEnd(at)
	}
	status := "service completed"
	if !w.delivered {
		status = "dequeued"
	}
	ev := model.Event{ID: w.legID(w.leg) + "-finished", Type: model.TypeLegFinished, At: at, Interaction: w.iid, Leg: w.legID(w.leg), Status: status,
		Comments: textfit.Text(strings.Join(w.notes, "\n"))}
	for _, l := range w.labels {
		id := "chatwoot-label-" + short(l)
		w.emit(model.Event{ID: "chatwoot-tag-" + short(id, l), Type: model.TypeTagUpserted, At: at, Tag: &model.Named{ID: id, Name: textfit.Label(l)}})
		ev.Tags = append(ev.Tags, id)
	}
	ev.ContactID = w.contactID()
	w.emit(ev)
	w.open, w.held, w.notes = false, false, nil
}

// message emits a message of the conversation; private notes become the
// leg's COMENTÁRIOS INTERNOS, activity messages are ignored.
func (w *walker) message(m *message, at time.Time) {
	text := ""
	if m.Content != nil {
		text = textfit.Text(*m.Content)
	}
	if m.MessageType == "activity" {
		return
	}
	if m.Private {
		if text != "" && w.open && !w.seen["note-"+string(m.ID)] {
			w.seen["note-"+string(m.ID)] = true
			w.notes = append(w.notes, text)
		}
		return
	}
	ev := model.Event{ID: "chatwoot-msg-" + string(m.ID), Type: model.TypeMessage, At: at, Interaction: w.iid, MessageID: "chatwoot-" + string(m.ID), Text: text}
	if whatsapp.IsWAMID(m.SourceID) {
		// A WhatsApp message: the same event as the WhatsApp feed's, so a
		// message seen through both is stored once and its statuses meet it.
		ev.ID, ev.MessageID = whatsapp.MessageEventID(m.SourceID), whatsapp.MessageID(m.SourceID)
	}
	switch {
	case m.MessageType == "incoming":
		ev.Sender = "client"
	case m.Sender != nil && m.Sender.Type == "user" && m.Sender.ID != "":
		ev.Sender, ev.AgentID = "agent", userID(m.Sender.ID)
		if m.Sender.Name != "" {
			name := textfit.Label(m.Sender.Name)
			w.emit(model.Event{ID: "chatwoot-user-" + short(ev.AgentID, name), Type: model.TypeUserUpserted, At: at, User: &model.User{ID: ev.AgentID, Name: name}})
		}
	case m.Sender != nil && m.Sender.Type == "agent_bot":
		ev.Sender = "bot"
	default:
		// Outgoing without a user: automations, campaigns, templates.
		ev.Sender = "system"
	}
	w.emit(ev)
}

func (w *walker) contactID() string {
	if w.contact == nil {
		return ""
	}
	return w.contact.ID
}

// contactVersion identifies what the translation knows of a contact.
func contactVersion(c model.Contact) string {
	return short(c.ID, c.Name, strings.Join(c.Phones, ","), strings.Join(c.Emails, ","), c.ExternalID)
}
