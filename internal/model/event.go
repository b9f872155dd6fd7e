// Package model holds the domain types every other package speaks: events as
// EVENTS.md defines them, media, finished-leg rows, report columns and the
// principal (who is asking, and what they may see).
package model

import (
	"encoding/json"
	"time"
)

// Event types, exactly as EVENTS.md names them.
const (
	TypeServiceUpserted  = "service.upserted"
	TypeUserUpserted     = "user.upserted"
	TypeTagUpserted      = "tag.upserted"
	TypeIVRUpserted      = "ivr.upserted"
	TypeFlowUpserted     = "flow.upserted"
	TypeClientUpserted   = "client.upserted"
	TypeCampaignUpserted = "campaign.upserted"
	TypeBatchUpserted    = "batch.upserted"
	TypeContactUpserted  = "contact.upserted"

	TypeInteractionCreated = "interaction.created"
	TypeEnteredOmni        = "interaction.entered_omni"
	TypeLegQueued          = "leg.queued"
	TypeLegDelivered       = "leg.delivered"
	TypeMessage            = "message"
	TypeHoldStarted        = "leg.hold_started"
	TypeHoldEnded          = "leg.hold_ended"
	TypeLegTransferred     = "leg.transferred"
	TypeLegFinished        = "leg.finished"
	TypeCallUpdated        = "call.updated"
	// TypeMessageStatus is rastro's optional extension of EVENTS.md: the
	// delivery state of a message (WhatsApp's sent/delivered/read/failed),
	// shown as ticks in the history.
	TypeMessageStatus = "message.status"

	TypeIVREntered = "ivr.entered"
	TypeIVROption  = "ivr.option"
	TypeIVRLeft    = "ivr.left"

	TypeBotStarted = "bot.conversation_started"
	TypeBotMessage = "bot.message"
	TypeBotStep    = "bot.step"
	TypeBotEnded   = "bot.conversation_ended"

	TypeAgentLogin      = "agent.login"
	TypeAgentLogout     = "agent.logout"
	TypeAgentPauseStart = "agent.pause_started"
	TypeAgentPauseEnd   = "agent.pause_ended"
)

// Event is one fact sent by the platform. It is a flat union of every field
// of every type in EVENTS.md; which fields matter depends on Type. Field
// names on the wire are the JSON tags.
type Event struct {
	ID     string    `json:"id"`
	Type   string    `json:"type"`
	At     time.Time `json:"at"`
	Tenant string    `json:"tenant,omitempty"`

	// Seq is the arrival order inside the tenant, assigned by the store; it
	// breaks ties between events with the same At. Not on the wire.
	Seq int64 `json:"-"`

	// Directory objects.
	Service  *Named    `json:"service,omitempty"`
	User     *User     `json:"user,omitempty"`
	Tag      *Named    `json:"tag,omitempty"`
	IVR      *Named    `json:"ivr,omitempty"`
	Client   *Named    `json:"client,omitempty"`
	Campaign *Campaign `json:"campaign,omitempty"`
	Batch    *Batch    `json:"batch,omitempty"`
	Contact  *Contact  `json:"contact,omitempty"`
	// FlowDef is flow.upserted's "flow" object; on the wire it shares the
	// name "flow" with bot.conversation_started's flow id (Flow), so Event
	// marshals both through MarshalJSON/UnmarshalJSON.
	FlowDef *FlowDef `json:"-" schema:"flow_def"`

	// Interactions and legs.
	Interaction string `json:"interaction,omitempty"`
	Media       string `json:"media,omitempty"`
	Protocol    string `json:"protocol,omitempty"`
	Origin      string `json:"origin,omitempty"`
	Direction   string `json:"direction,omitempty"`
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	ContactID   string `json:"contact_id,omitempty"`
	StartedBy   string `json:"started_by,omitempty"`

	Leg         string      `json:"leg,omitempty"`
	ServiceID   string      `json:"service_id,omitempty"`
	AgentID     string      `json:"agent_id,omitempty"`
	MessageID   string      `json:"message_id,omitempty"`
	Sender      string      `json:"sender,omitempty"`
	Text        string      `json:"text,omitempty"`
	Attachment  *Attachment `json:"attachment,omitempty"`
	Kind        string      `json:"kind,omitempty"`
	NewLeg      string      `json:"new_leg,omitempty"`
	ToServiceID string      `json:"to_service_id,omitempty"`
	ToAgentID   string      `json:"to_agent_id,omitempty"`

	Status           string   `json:"status,omitempty"`
	Error            string   `json:"error,omitempty"` // message.status: why it failed
	Tags             []string `json:"tags,omitempty"`
	ExternalProtocol string   `json:"external_protocol,omitempty"`
	Comments         string   `json:"comments,omitempty"`
	Document         string   `json:"document,omitempty"`

	// ExpiresAt is message.status's optional end of Meta's pricing window
	// (WhatsApp's conversation.expiration_timestamp), shown in the history.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`

	// call.updated
	DialedNumber    string     `json:"dialed_number,omitempty"`
	VoiceServer     string     `json:"voice_server,omitempty"`
	ExternalChannel string     `json:"external_channel,omitempty"`
	InternalChannel string     `json:"internal_channel,omitempty"`
	AnsweredAt      *time.Time `json:"answered_at,omitempty"`
	ClientHangupAt  *time.Time `json:"client_hangup_at,omitempty"`
	AgentHangupAt   *time.Time `json:"agent_hangup_at,omitempty"`
	VoiceStatus     string     `json:"voice_status,omitempty"`
	JitterMs        *float64   `json:"jitter_ms,omitempty"`
	PacketLossPct   *float64   `json:"packet_loss_pct,omitempty"`
	RttMs           *float64   `json:"rtt_ms,omitempty"`
	RecordingURL    string     `json:"recording_url,omitempty"`

	// IVR
	IVRID   string `json:"ivr_id,omitempty"`
	Option  string `json:"option,omitempty"`
	Outcome string `json:"outcome,omitempty"`

	// Bot flows
	Conversation string `json:"conversation,omitempty"`
	Flow         string `json:"flow,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
	CampaignID   string `json:"campaign_id,omitempty"`
	BatchID      string `json:"batch_id,omitempty"`
	Channel      string `json:"channel,omitempty"`
	Step         string `json:"step,omitempty"`

	// Agent activity
	Reason string `json:"reason,omitempty"`
}

// Named is a directory object that is just an id and a name.
type Named struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Options labels an IVR's menu keys (ivr.upserted only): {key: label}.
	Options map[string]string `json:"options,omitempty"`
}

// FlowDef names a bot flow of Fluxo Ágil and its steps (flow.upserted).
type FlowDef struct {
	ID    string            `json:"id"`
	Name  string            `json:"name,omitempty"`
	Steps map[string]string `json:"steps,omitempty"`
}

// User is an agent (or any platform user) of the directory.
type User struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Tags      []string `json:"tags"`
	Status    string   `json:"status"`
	Extension string   `json:"extension,omitempty"`
}

// Campaign belongs to a client (Fluxo Ágil).
type Campaign struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ClientID string `json:"client_id"`
}

// Batch (lote) belongs to a campaign.
type Batch struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	CampaignID string `json:"campaign_id"`
}

// Contact is a person or company the operation talks to.
type Contact struct {
	ID         string   `json:"id"`
	Name       string   `json:"name,omitempty"`
	Document   string   `json:"document,omitempty"`
	Phones     []string `json:"phones,omitempty"`
	Emails     []string `json:"emails,omitempty"`
	ExternalID string   `json:"external_id,omitempty"`
	Portfolio  *bool    `json:"portfolio,omitempty"`
	BatchID    string   `json:"batch_id,omitempty"`
}

// Attachment of a message.
type Attachment struct {
	Name string `json:"name"`
	Mime string `json:"mime"`
	URL  string `json:"url"`
}

// Aggregate kinds: every event belongs to exactly one aggregate, the unit
// that is recomputed from its stored events whenever one of them arrives.
const (
	AggDirectory   = "d" // key: "<type>:<object id>"
	AggInteraction = "i" // key: interaction id
	AggBot         = "b" // key: conversation id
	AggAgent       = "a" // key: agent id
)

// Aggregate returns the aggregate an event belongs to.
func (e *Event) Aggregate() (kind, key string) {
	switch e.Type {
	case TypeServiceUpserted:
		return AggDirectory, "service:" + e.Service.ID
	case TypeUserUpserted:
		return AggDirectory, "user:" + e.User.ID
	case TypeTagUpserted:
		return AggDirectory, "tag:" + e.Tag.ID
	case TypeIVRUpserted:
		return AggDirectory, "ivr:" + e.IVR.ID
	case TypeClientUpserted:
		return AggDirectory, "client:" + e.Client.ID
	case TypeCampaignUpserted:
		return AggDirectory, "campaign:" + e.Campaign.ID
	case TypeBatchUpserted:
		return AggDirectory, "batch:" + e.Batch.ID
	case TypeContactUpserted:
		return AggDirectory, "contact:" + e.Contact.ID
	case TypeFlowUpserted:
		return AggDirectory, "flow:" + e.FlowDef.ID
	case TypeBotStarted, TypeBotMessage, TypeBotStep, TypeBotEnded:
		return AggBot, e.Conversation
	case TypeAgentLogin, TypeAgentLogout, TypeAgentPauseStart, TypeAgentPauseEnd:
		return AggAgent, e.AgentID
	default:
		return AggInteraction, e.Interaction
	}
}

// lifecycleRank orders events of the same instant the way they must have
// happened (a leg is queued before it is delivered, finished last), so that
// ties do not depend on arrival; messages of equal rank keep arrival order, as
// EVENTS.md says, other events of equal rank go by id.
var lifecycleRank = map[string]int{
	TypeInteractionCreated: 0, TypeIVREntered: 1, TypeIVROption: 2, TypeIVRLeft: 3,
	TypeEnteredOmni: 4, TypeLegQueued: 5, TypeLegDelivered: 6, TypeCallUpdated: 7,
	TypeHoldEnded: 8, TypeMessage: 9, TypeMessageStatus: 9, TypeHoldStarted: 10, TypeLegTransferred: 11, TypeLegFinished: 12,
	TypeBotStarted: 0, TypeBotStep: 1, TypeBotMessage: 2, TypeBotEnded: 3,
	TypeAgentLogout: 0, TypeAgentPauseEnd: 1, TypeAgentLogin: 2, TypeAgentPauseStart: 3,
}

// Before orders events the way every derivation reads them: by occurrence
// time, then lifecycle rank, then arrival.
func Before(a, b *Event) bool {
	if !a.At.Equal(b.At) {
		return a.At.Before(b.At)
	}
	if ra, rb := lifecycleRank[a.Type], lifecycleRank[b.Type]; ra != rb {
		return ra < rb
	}
	// A leg.finished that names its leg goes before a leg-less one of the
	// same instant, which ends only a leg still open (EVENTS.md): a source
	// that can name the leg is never pre-empted by one that cannot.
	if a.Type == TypeLegFinished && b.Type == TypeLegFinished && (a.Leg == "") != (b.Leg == "") {
		return a.Leg != ""
	}
	// Facts of the same instant from different sources (the queue_log, CDR
	// and CEL of one call) merge by id, so the result does not depend on
	// the order the files were read; messages keep arrival order.
	if a.Type != TypeMessage && b.Type != TypeMessage && a.ID != b.ID && a.ID != "" && b.ID != "" {
		return a.ID < b.ID
	}
	return a.Seq < b.Seq
}

// eventWire is Event without its methods (no recursion) and with "flow" as
// raw JSON: a string (bot.conversation_started) or an object (flow.upserted).
type eventWire Event

// UnmarshalJSON reads "flow" as the flow id or as flow.upserted's object.
func (e *Event) UnmarshalJSON(b []byte) error {
	aux := struct {
		*eventWire
		Flow json.RawMessage `json:"flow,omitempty"`
	}{eventWire: (*eventWire)(e)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	e.Flow, e.FlowDef = "", nil
	switch {
	case len(aux.Flow) == 0 || string(aux.Flow) == "null":
	case aux.Flow[0] == '{':
		e.FlowDef = &FlowDef{}
		return json.Unmarshal(aux.Flow, e.FlowDef)
	default:
		return json.Unmarshal(aux.Flow, &e.Flow)
	}
	return nil
}

// MarshalJSON writes "flow" as the object of a flow.upserted, else the id.
func (e Event) MarshalJSON() ([]byte, error) {
	var flow any
	if e.FlowDef != nil {
		flow = e.FlowDef
	} else if e.Flow != "" {
		flow = e.Flow
	}
	return json.Marshal(struct {
		eventWire
		Flow any `json:"flow,omitempty"`
	}{eventWire(e), flow})
}
