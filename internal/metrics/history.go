package metrics

import (
	"sort"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// History entry kinds.
const (
	EntryMessage   = "message"
	EntryTransfer  = "transfer"
	EntryQueued    = "queued"
	EntryDelivered = "delivered"
	EntryStarted   = "started"
	EntryHold      = "hold"
	EntryHoldEnd   = "hold_end"
	EntryFinished  = "finished"
	EntryCall      = "call"
	EntryIVR       = "ivr"
)

// HistoryEntry is one line of Ver Histórico.
type HistoryEntry struct {
	At                                                              time.Time
	Kind                                                            string // "message","transfer","queued","delivered","started","hold","hold_end","finished","call","ivr"
	LegID, Sender, AgentID, AgentName, ServiceID, ServiceName, Text string
	Attachment                                                      *model.Attachment
	Detail                                                          string // human text in pt-BR
	// MessageID and the furthest message.status of the message (ticks):
	// "sent", "delivered", "read" or "failed" (StatusError says why).
	MessageID, Status, StatusError string
	// PricingWindowEnds is the latest end of Meta's pricing window a status
	// of the message carried (WhatsApp's conversation.expiration_timestamp;
	// shown only, STATUS DE EXPIRAÇÃO keeps SPEC's rule).
	PricingWindowEnds *time.Time

	opens string // transfer entries: the leg it opens (ordering only)
}

// History of one interaction (Ver Histórico), ordered asc or desc.
type History struct {
	InteractionID, Media, Protocol string
	// Contact is who the interaction was with (nil when nothing is known):
	// unmasked here, masked by the caller as the principal's role allows.
	Contact *HistoryContact
	// ServiceName is the service of the last leg (where the interaction
	// ended up); Tags are the names of every leg's tabulation tags, in leg
	// order, each once (a tag the directory does not name shows its id).
	ServiceName string
	Tags        []string
	Legs        []HistoryLeg
	Entries     []HistoryEntry
	Call        *CallDetails // voice only
}

// HistoryContact is the contact block of Ver Histórico, read as the
// Rastreio reads CONTATO, DOCUMENTO and the phones: the contact of the last
// leg's tabulation (else the interaction's), the latest tabulated document
// (else the contact's), the contact's first phone (else the client's side
// of the call: From inbound, To outbound).
type HistoryContact struct {
	ID, Name, Document, Phone string
}

// HistoryLeg is one step of the path (every leg, finished or not). A
// service or agent without a directory name has its id as its name.
//
// The call facts are the leg's own (its call.updated events), so a
// transferred call never shows the second leg's answer beside the first
// leg's hang-up: AnsweredAt is the leg's DATA ATENDIDA (the call's answer,
// else the delivery, as the Rastreio), ClientHangupAt and AgentHangupAt its
// DATA FINALIZAÇÃO CLIENTE / AGENTE. TransferredAt and the target (names or
// ids) are set when the leg ended in a transfer.
type HistoryLeg struct {
	LegID, ServiceID, ServiceName, AgentID, AgentName, Status string
	EnteredAt, FinishedAt                                     *time.Time
	AnsweredAt, ClientHangupAt, AgentHangupAt                 *time.Time
	TransferredAt                                             *time.Time
	TransferToService, TransferToAgent                        string
	Tags                                                      []string // tabulation tags' names
}

// SetServiceAndTags sets ServiceName and Tags from the legs (called again
// when a scope leaves some legs out, so that neither tells of them).
func (h *History) SetServiceAndTags() {
	h.ServiceName, h.Tags = "", nil
	seen := map[string]bool{}
	for _, l := range h.Legs {
		h.ServiceName = l.ServiceName
		for _, t := range l.Tags {
			if !seen[t] {
				seen[t] = true
				h.Tags = append(h.Tags, t)
			}
		}
	}
}

// CallDetails are the voice facts of the interaction (every call.updated
// merged, a later value winning). MOS is MOS ESTIMADO of those facts
// (EstimatedMOS; nil without jitter or loss), as the Rastreio prints it.
type CallDetails struct {
	Direction, From, To, DialedNumber, VoiceServer, ExternalChannel, InternalChannel, VoiceStatus, RecordingURL string
	AnsweredAt, ClientHangupAt, AgentHangupAt                                                                   *time.Time
	JitterMs, PacketLossPct, RttMs                                                                              *float64
	Quality                                                                                                     string
	MOS                                                                                                         *float64
}

// BuildHistory lays out the whole protocol: every message with sender,
// agent and time, each queue/delivery/transfer/hold/finalization as a step of
// the path, IVR steps and call events (answer and hang-ups, voice), ordered
// by time ascending, or descending when desc (ties keep event order, reversed
// when descending). protocol "" means the given or generated one. Chat shows
// "Atendimento Iniciado (AAAA-MM-DD HH:MM:SS)" with the queue time when a
// leg reaches a human. Leg-less messages are attributed as in the Rastreio.
func BuildHistory(events []model.Event, protocol string, dir Directory, cfg Config, desc bool) History {
	tl := scan(sortEvents(events))
	dir = directoryOr(dir)
	loc := cfg.Location()
	if protocol == "" {
		protocol = tl.protocolGiven
	}
	if protocol == "" {
		start := tl.createdAt
		if start.IsZero() {
			start = tl.firstAt
		}
		protocol = ProtocolBase(tl.media, start)
	}
	h := History{InteractionID: tl.id, Media: tl.media, Protocol: protocol}
	facts := map[*legState]*legFacts{}
	for _, l := range tl.legs {
		f := legOf(l)
		facts[l] = f
		hl := HistoryLeg{
			LegID: l.id, ServiceID: f.serviceID, ServiceName: dir.ServiceName(f.serviceID),
			AgentID: f.agentID, AgentName: dir.UserName(f.agentID), Status: f.status,
		}
		if at := enteredAt(tl, f); !at.IsZero() {
			hl.EnteredAt = timePtr(at)
		}
		if f.ended {
			hl.FinishedAt = timePtr(f.finAt)
		}
		hl.AnsweredAt, hl.ClientHangupAt, hl.AgentHangupAt = f.deliveredAt, f.call.clientHangupAt, f.call.agentHangupAt
		if f.call.answeredAt != nil {
			hl.AnsweredAt = f.call.answeredAt
		}
		if t := transferOut(l); t != nil {
			hl.TransferredAt = timePtr(t.At)
			hl.TransferToService = orDefault(dir.ServiceName(t.ToServiceID), t.ToServiceID)
			hl.TransferToAgent = orDefault(dir.UserName(t.ToAgentID), t.ToAgentID)
		}
		for _, id := range f.tags {
			hl.Tags = append(hl.Tags, orDefault(dir.TagName(id), id))
		}
		h.Legs = append(h.Legs, hl)
	}
	nameOrID := orDefault
	h.Contact = historyContact(tl, facts, dir)
	statuses := messageStatuses(tl.events)
	seenCall := map[string]bool{}
	for _, e := range tl.events {
		l := tl.owner[e]
		if l == nil && e.Type == model.TypeLegFinished {
			continue // a leg-less finish that found no open leg (scan)
		}
		var f *legFacts
		if l != nil {
			f = facts[l]
		}
		en := HistoryEntry{At: e.At}
		if f != nil {
			en.LegID = l.id
			en.ServiceID, en.ServiceName = f.serviceID, dir.ServiceName(f.serviceID)
		}
		switch e.Type {
		case model.TypeMessage:
			en.Kind, en.Sender, en.Text, en.Attachment = EntryMessage, e.Sender, e.Text, e.Attachment
			if st, ok := statuses[e.MessageID]; ok {
				en.MessageID, en.Status, en.StatusError, en.PricingWindowEnds = e.MessageID, st.status, st.err, st.expires
				st.shown = true
			}
			if e.Sender == "agent" {
				en.AgentID = e.AgentID
				if en.AgentID == "" && f != nil {
					en.AgentID = f.agentID
				}
				en.AgentName = dir.UserName(en.AgentID)
			}
		case model.TypeLegQueued:
			en.Kind = EntryQueued
			en.ServiceID, en.ServiceName = e.ServiceID, dir.ServiceName(e.ServiceID)
			en.Detail = "Entrou na fila do serviço " + nameOrID(en.ServiceName, en.ServiceID)
		case model.TypeLegDelivered:
			en.Kind, en.AgentID, en.AgentName = EntryDelivered, e.AgentID, dir.UserName(e.AgentID)
			en.Detail = "Entregue ao agente " + nameOrID(en.AgentName, en.AgentID)
			h.Entries = append(h.Entries, en)
			if tl.media == model.MediaChat && f != nil && f.deliveredAt != nil && f.deliveredAt.Equal(e.At) {
				queued := e.At
				if f.queuedAt != nil {
					queued = *f.queuedAt
				}
				st := en
				st.Kind = EntryStarted
				st.Detail = "Atendimento Iniciado (" + FormatDateTime(queued, loc) + ")"
				h.Entries = append(h.Entries, st)
			}
			continue
		case model.TypeHoldStarted:
			en.Kind = EntryHold
			if f != nil {
				en.AgentID, en.AgentName = f.agentID, dir.UserName(f.agentID)
			}
			en.Detail = "Em espera (Hold)"
			if e.Kind == "personal_queue" {
				en.Detail = "Em fila pessoal"
			}
		case model.TypeHoldEnded:
			en.Kind, en.Detail = EntryHoldEnd, "Atendimento retomado"
			if f != nil {
				en.AgentID, en.AgentName = f.agentID, dir.UserName(f.agentID)
			}
		case model.TypeLegTransferred:
			en.Kind = EntryTransfer
			if f != nil {
				en.AgentID, en.AgentName = f.agentID, dir.UserName(f.agentID)
			}
			en.Detail = transferDetail(en, e, dir)
			en.opens = e.NewLeg
		case model.TypeLegFinished:
			en.Kind = EntryFinished
			if f != nil {
				en.AgentID, en.AgentName = f.agentID, dir.UserName(f.agentID)
			}
			en.Detail = "Atendimento finalizado (" + e.Status + ")"
			var tags []string
			for _, id := range e.Tags {
				tags = append(tags, nameOrID(dir.TagName(id), id))
			}
			if len(tags) > 0 {
				en.Detail += " — tags: " + strings.Join(tags, ", ")
			}
		case model.TypeCallUpdated:
			for _, c := range []struct {
				t      *time.Time
				key    string
				detail string
			}{
				{e.AnsweredAt, "answered", "Chamada atendida"},
				{e.ClientHangupAt, "client_hangup", "Cliente desligou"},
				{e.AgentHangupAt, "agent_hangup", "Agente desligou"},
			} {
				if c.t == nil || seenCall[c.key+c.t.String()] {
					continue
				}
				seenCall[c.key+c.t.String()] = true
				ce := en
				ce.At, ce.Kind, ce.Detail = *c.t, EntryCall, c.detail
				h.Entries = append(h.Entries, ce)
			}
			continue
		case model.TypeIVREntered:
			en.Kind, en.Detail = EntryIVR, "Entrou na URA "+nameOrID(dir.IVRName(e.IVRID), e.IVRID)
		case model.TypeIVROption:
			en.Kind, en.Detail = EntryIVR, "Opção escolhida na URA "+nameOrID(dir.IVRName(e.IVRID), e.IVRID)+": "+e.Option
		case model.TypeIVRLeft:
			en.Kind = EntryIVR
			ivr := nameOrID(dir.IVRName(e.IVRID), e.IVRID)
			switch e.Outcome {
			case "transferred":
				en.Detail = "Saiu da URA " + ivr + ": transferido"
				if e.ServiceID != "" {
					en.ServiceID, en.ServiceName = e.ServiceID, dir.ServiceName(e.ServiceID)
					en.Detail += " para o serviço " + nameOrID(en.ServiceName, e.ServiceID)
				}
			case "abandoned":
				en.Detail = "Abandonou na URA " + ivr
			default:
				en.Detail = "Finalizado na URA " + ivr
			}
		default:
			continue
		}
		h.Entries = append(h.Entries, en)
	}
	// Statuses of messages the interaction does not carry (the business's
	// own WhatsApp messages, sent outside rastro's feeds): one entry each,
	// at its first status, with its ticks.
	for _, e := range tl.events {
		st := statuses[e.MessageID]
		if e.Type != model.TypeMessageStatus || st == nil || st.shown {
			continue
		}
		st.shown = true
		h.Entries = append(h.Entries, HistoryEntry{At: st.first, Kind: EntryMessage, Sender: "system",
			Detail: "Mensagem da empresa", MessageID: e.MessageID, Status: st.status, StatusError: st.err, PricingWindowEnds: st.expires})
	}
	sort.SliceStable(h.Entries, func(i, j int) bool { return h.Entries[i].At.Before(h.Entries[j].At) })
	// At the same instant, show a transfer before the steps of the leg it
	// opens (events order a leg.queued before a leg.transferred of that time).
	for i := range h.Entries {
		if h.Entries[i].Kind != EntryTransfer || h.Entries[i].opens == "" {
			continue
		}
		for j := i; j > 0 && h.Entries[j-1].At.Equal(h.Entries[j].At) && h.Entries[j-1].LegID == h.Entries[j].opens; j-- {
			h.Entries[j-1], h.Entries[j] = h.Entries[j], h.Entries[j-1]
		}
	}
	// A queue or agent the directory does not name shows its id, as the
	// Rastreio's SERVIÇO and AGENTE cells do (a PBX's queues and agents
	// often have no directory entry): the API and the page read the names.
	for i := range h.Legs {
		l := &h.Legs[i]
		l.ServiceName, l.AgentName = nameOrID(l.ServiceName, l.ServiceID), nameOrID(l.AgentName, l.AgentID)
	}
	h.SetServiceAndTags()
	for i := range h.Entries {
		en := &h.Entries[i]
		en.ServiceName, en.AgentName = nameOrID(en.ServiceName, en.ServiceID), nameOrID(en.AgentName, en.AgentID)
	}
	if desc {
		for i, j := 0, len(h.Entries)-1; i < j; i, j = i+1, j-1 {
			h.Entries[i], h.Entries[j] = h.Entries[j], h.Entries[i]
		}
	}
	if tl.media == model.MediaVoice {
		var c callFacts
		for _, e := range tl.calls {
			c.merge(e)
		}
		h.Call = &CallDetails{
			Direction: tl.direction, From: tl.from, To: tl.to,
			DialedNumber: c.dialedNumber, VoiceServer: c.voiceServer,
			ExternalChannel: c.externalChannel, InternalChannel: c.internalChannel,
			VoiceStatus: c.voiceStatus, RecordingURL: c.recordingURL,
			AnsweredAt: c.answeredAt, ClientHangupAt: c.clientHangupAt, AgentHangupAt: c.agentHangupAt,
			JitterMs: c.jitter, PacketLossPct: c.loss, RttMs: c.rtt,
			Quality: CallQuality(c.jitter, c.loss),
			MOS:     EstimatedMOS(c.rtt, c.jitter, c.loss),
		}
	}
	return h
}

// transferOut is the leg.transferred that ended l (nil if none): the
// first of its own, as legOf takes the earliest ending event.
func transferOut(l *legState) *model.Event {
	for _, e := range l.evs {
		if e.Type == model.TypeLegTransferred && (e.Leg == l.id || e.Leg == "") {
			return e
		}
	}
	return nil
}

// historyContact reads the contact block (see HistoryContact); nil when
// the interaction names no contact, document nor phone.
func historyContact(tl *timeline, facts map[*legState]*legFacts, dir Directory) *HistoryContact {
	var c HistoryContact
	id := tl.contactID
	for _, l := range tl.legs {
		f := facts[l]
		if f.contactID != "" {
			id = f.contactID
		}
		if f.document != "" {
			c.Document = f.document
		}
	}
	if contact, ok := dir.Contact(id); ok {
		c.ID, c.Name = contact.ID, contact.Name
		if c.Document == "" {
			c.Document = contact.Document
		}
		for _, p := range contact.Phones {
			if strings.TrimSpace(p) != "" {
				c.Phone = p
				break
			}
		}
	}
	if c.Phone == "" {
		c.Phone = tl.from
		if tl.direction == "outbound" {
			c.Phone = tl.to
		}
	}
	c.Document = documentCell(c.Document) // as the Rastreio's DOCUMENTO
	if c == (HistoryContact{}) {
		return nil
	}
	return &c
}

// transferDetail: "Transferido de Carla Dias para o serviço Financeiro",
// "… para o agente Bruno Lima", "… para o agente Bruno Lima (serviço X)";
// from the service when the leg had no agent.
func transferDetail(en HistoryEntry, e *model.Event, dir Directory) string {
	s := "Transferido"
	switch {
	case en.AgentName != "" || en.AgentID != "":
		s += " de " + orDefault(en.AgentName, en.AgentID)
	case en.ServiceName != "" || en.ServiceID != "":
		s += " do serviço " + orDefault(en.ServiceName, en.ServiceID)
	}
	svc := orDefault(dir.ServiceName(e.ToServiceID), e.ToServiceID)
	agent := orDefault(dir.UserName(e.ToAgentID), e.ToAgentID)
	switch {
	case agent != "" && svc != "":
		s += " para o agente " + agent + " (serviço " + svc + ")"
	case agent != "":
		s += " para o agente " + agent
	case svc != "":
		s += " para o serviço " + svc
	}
	return s
}

// statusRank orders message statuses: the furthest wins whatever the order
// they arrive in (a read before its sent). failed outranks sent only: a
// message delivered or read on one device is not failed for another.
var statusRank = map[string]int{"sent": 1, "failed": 2, "delivered": 3, "read": 4}

type messageStatus struct {
	status, err string
	first       time.Time  // the earliest status's time
	expires     *time.Time // the latest expires_at
	shown       bool
}

// messageStatuses folds the message.status events by message id.
func messageStatuses(events []*model.Event) map[string]*messageStatus {
	out := map[string]*messageStatus{}
	for _, e := range events {
		if e.Type != model.TypeMessageStatus || statusRank[e.Status] == 0 {
			continue
		}
		st, ok := out[e.MessageID]
		if !ok {
			st = &messageStatus{first: e.At}
			out[e.MessageID] = st
		}
		if e.At.Before(st.first) {
			st.first = e.At
		}
		if e.ExpiresAt != nil && (st.expires == nil || e.ExpiresAt.After(*st.expires)) {
			st.expires = e.ExpiresAt
		}
		if statusRank[e.Status] > statusRank[st.status] {
			st.status, st.err = e.Status, ""
			if e.Status == "failed" {
				st.err = e.Error
			}
		}
	}
	return out
}
