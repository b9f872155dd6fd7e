package metrics

import (
	"time"

	"github.com/rastro/rastro/internal/model"
)

// legFacts is what one leg's events say, before formatting.
type legFacts struct {
	*legState
	serviceID, agentID string
	queuedAt           *time.Time
	deliveredAt        *time.Time
	ended, transferred bool
	finAt              time.Time // finalization: leg.finished / leg.transferred at
	status             string
	tags               []string
	extProtocol        string
	contactID          string // from leg.finished
	comments, document string
	call               callFacts
	msgs               []*model.Event // messages up to finalization
	holdItems          []*model.Event // holds and messages, up to finalization
}

// callFacts merges call.updated events: a later non-empty value wins.
type callFacts struct {
	dialedNumber, voiceServer, externalChannel, internalChannel string
	voiceStatus, recordingURL                                   string
	answeredAt, clientHangupAt, agentHangupAt                   *time.Time
	jitter, loss, rtt                                           *float64
}

func (c *callFacts) merge(e *model.Event) {
	set(&c.dialedNumber, e.DialedNumber)
	set(&c.voiceServer, e.VoiceServer)
	set(&c.externalChannel, e.ExternalChannel)
	set(&c.internalChannel, e.InternalChannel)
	set(&c.voiceStatus, e.VoiceStatus)
	set(&c.recordingURL, e.RecordingURL)
	// Copies, so that results never alias the caller's events.
	if e.AnsweredAt != nil {
		c.answeredAt = timePtr(*e.AnsweredAt)
	}
	if e.ClientHangupAt != nil {
		c.clientHangupAt = timePtr(*e.ClientHangupAt)
	}
	if e.AgentHangupAt != nil {
		c.agentHangupAt = timePtr(*e.AgentHangupAt)
	}
	if e.JitterMs != nil {
		c.jitter = f64(*e.JitterMs)
	}
	if e.PacketLossPct != nil {
		c.loss = f64(*e.PacketLossPct)
	}
	if e.RttMs != nil {
		c.rtt = f64(*e.RttMs)
	}
}

// firstHangup is the earlier of the known hang-up times (nil if none).
func (c *callFacts) firstHangup() *time.Time {
	h := c.clientHangupAt
	if c.agentHangupAt != nil && (h == nil || c.agentHangupAt.Before(*h)) {
		h = c.agentHangupAt
	}
	return h
}

// legOf reads a leg's events.
//
// Decisions: the first leg.queued gives DATA HORA ENTREGUE EM FILA and the
// latest service_id the SERVIÇO; the first leg.delivered gives the delivery
// time and the latest agent_id the AGENTE; the earliest ending event
// (leg.finished or leg.transferred) is the finalization; a leg that was
// transferred is "service transferred" even if a leg.finished follows, whose
// tabulation (tags, contact, document, comments, external protocol) is still
// kept; a leg without service of its own (transfer to an agent) keeps the
// service of the leg it came from.
func legOf(l *legState) *legFacts {
	f := &legFacts{legState: l}
	for _, e := range l.evs {
		switch e.Type {
		case model.TypeLegQueued:
			if f.queuedAt == nil {
				f.queuedAt = timePtr(e.At)
			}
			set(&f.serviceID, e.ServiceID)
		case model.TypeLegDelivered:
			if f.deliveredAt == nil {
				f.deliveredAt = timePtr(e.At)
			}
			set(&f.agentID, e.AgentID)
		case model.TypeLegTransferred:
			if e.Leg != l.id && e.Leg != "" {
				continue
			}
			f.end(e.At)
			f.transferred = true
		case model.TypeLegFinished:
			f.end(e.At)
			set(&f.status, e.Status)
			if len(e.Tags) > 0 {
				f.tags = e.Tags
			}
			set(&f.extProtocol, e.ExternalProtocol)
			set(&f.contactID, e.ContactID)
			set(&f.comments, e.Comments)
			set(&f.document, e.Document)
		case model.TypeCallUpdated:
			f.call.merge(e)
		}
	}
	if f.transferred {
		f.status = model.StatusTransfer
	}
	if in := l.transferIn; in != nil {
		if f.serviceID == "" {
			f.serviceID = in.ToServiceID
		}
		if f.agentID == "" {
			f.agentID = in.ToAgentID
		}
	}
	for p := l.prev; f.serviceID == "" && p != nil; p = p.prev {
		f.serviceID = legOf(p).serviceID
	}
	for _, e := range l.evs {
		if f.ended && e.At.After(f.finAt) {
			continue // messages and holds after finalization do not count
		}
		switch e.Type {
		case model.TypeMessage:
			f.msgs = append(f.msgs, e)
			f.holdItems = append(f.holdItems, e)
		case model.TypeHoldStarted, model.TypeHoldEnded:
			f.holdItems = append(f.holdItems, e)
		}
	}
	return f
}

func (f *legFacts) end(at time.Time) {
	if !f.ended {
		f.ended, f.finAt = true, at
	}
}

// holdSeconds is TMI: every hold and personal-queue period added, clipped to
// [from, to]. A period ends at leg.hold_ended, at the first client message
// after it started, or at `to` (finalization), whichever comes first. A
// hold_started while a period is open does not restart it.
func holdSeconds(items []*model.Event, from, to time.Time) float64 {
	total := 0.0
	var open *time.Time
	closeAt := func(t time.Time) {
		if open != nil {
			total += overlap(*open, t, from, to)
			open = nil
		}
	}
	for _, e := range items {
		switch {
		case e.Type == model.TypeHoldStarted:
			if open == nil {
				open = timePtr(e.At)
			}
		case e.Type == model.TypeHoldEnded:
			closeAt(e.At)
		case e.Type == model.TypeMessage && e.Sender == "client":
			closeAt(e.At)
		}
	}
	closeAt(to)
	return total
}

// overlap is the length in seconds of [a,b] ∩ [from,to].
func overlap(a, b, from, to time.Time) float64 {
	if a.Before(from) {
		a = from
	}
	if b.After(to) {
		b = to
	}
	return secondsBetween(a, b)
}

// firstAgentMessage is the first agent message at or after delivery.
func firstAgentMessage(msgs []*model.Event, delivered time.Time) *model.Event {
	for _, m := range msgs {
		if m.Sender == "agent" && !m.At.Before(delivered) {
			return m
		}
	}
	return nil
}

// replyTimes are the TMR samples of a leg (SPEC.md §3): a reply runs from
// the later of delivery and the earliest client message not yet answered;
// an agent message with no client message since the last reply counts only
// if it is the first agent message of the leg (then from delivery, or from
// the unanswered client message when later).
func replyTimes(msgs []*model.Event, delivered time.Time) []float64 {
	var out []float64
	var unanswered *time.Time
	first := true
	for _, m := range msgs {
		switch m.Sender {
		case "client":
			if unanswered == nil {
				unanswered = timePtr(m.At)
			}
		case "agent":
			if m.At.Before(delivered) {
				continue
			}
			if unanswered != nil || first {
				start := delivered
				if unanswered != nil && unanswered.After(start) {
					start = *unanswered
				}
				out = append(out, secondsBetween(start, m.At))
				unanswered = nil
			}
			first = false
		}
	}
	return out
}

// lastResponder is ÚLTIMA RESPOSTA: who sent the leg's last message among
// client, agent and bot ("indefinido" when none).
func lastResponder(msgs []*model.Event) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		switch msgs[i].Sender {
		case "client":
			return "cliente"
		case "agent":
			return "agente"
		case "bot":
			return "bot"
		}
	}
	return "indefinido"
}
