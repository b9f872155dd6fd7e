package metrics

import (
	"time"

	"github.com/rastro/rastro/internal/model"
)

// timeline is one interaction's events read in order: the interaction-level
// facts and, for each leg, the events that belong to it.
type timeline struct {
	events []*model.Event // sorted, without duplicates

	id, media, protocolGiven        string
	origin, direction, from, to     string
	contactID, startedBy            string
	createdAt, enteredOmni, firstAt time.Time
	clientMsgs                      []time.Time // every client message of the interaction
	firstMsgSender                  string      // first client/agent/bot message sender
	ivr                             []*model.Event
	calls                           []*model.Event // every call.updated of the interaction

	legs  []*legState                // in order of first appearance
	owner map[*model.Event]*legState // leg of each leg-level event
}

// legState is one leg as the timeline finds it.
type legState struct {
	id         string
	seq        int
	evs        []*model.Event // events of the leg, sorted
	transferIn *model.Event   // the leg.transferred that opened it
	prev       *legState      // the leg it was transferred from
	ended      bool           // seen leg.finished or leg.transferred (during the scan)
}

// isLegEvent says whether an event type belongs to a leg.
func isLegEvent(t string) bool {
	switch t {
	case model.TypeLegQueued, model.TypeLegDelivered, model.TypeMessage, model.TypeHoldStarted,
		model.TypeHoldEnded, model.TypeLegTransferred, model.TypeLegFinished, model.TypeCallUpdated:
		return true
	}
	return false
}

// scan reads sorted events into a timeline.
//
// Decision (SPEC.md §3): an event without `leg` (a message, a call.updated,
// a hold) belongs to the leg current at its time: the leg last delivered to
// an agent; after a transfer, the new leg; before any delivery, the first
// leg (events before any leg is known wait for the first leg); after the
// current leg ended and another is queued, that one; after the last leg
// ended, the last current leg (so a late call.updated with the hang-up
// times still applies to it). A leg.finished without `leg` (EVENTS.md:
// sent by a source that sees the call end but cannot name the leg, such as
// an Asterisk CDR after a transfer app_queue stopped following) ends the
// current leg only while it is still open; once that leg has ended (or
// before any leg is known) it belongs to no leg and says nothing.
func scan(evs []*model.Event) *timeline {
	tl := &timeline{events: evs, owner: make(map[*model.Event]*legState)}
	byID := map[string]*legState{}
	get := func(id string) *legState {
		if l, ok := byID[id]; ok {
			return l
		}
		l := &legState{id: id, seq: len(tl.legs) + 1}
		byID[id] = l
		tl.legs = append(tl.legs, l)
		return l
	}
	var cur *legState
	var pending []*model.Event
	for _, e := range evs {
		if tl.firstAt.IsZero() {
			tl.firstAt = e.At
		}
		if tl.id == "" {
			tl.id = e.Interaction
		}
		switch e.Type {
		case model.TypeInteractionCreated:
			if tl.createdAt.IsZero() {
				tl.createdAt = e.At
			}
			set(&tl.media, e.Media)
			set(&tl.protocolGiven, e.Protocol)
			set(&tl.origin, e.Origin)
			set(&tl.direction, e.Direction)
			set(&tl.from, e.From)
			set(&tl.to, e.To)
			set(&tl.contactID, e.ContactID)
			set(&tl.startedBy, e.StartedBy)
		case model.TypeEnteredOmni:
			if tl.enteredOmni.IsZero() {
				tl.enteredOmni = e.At
			}
		case model.TypeIVREntered, model.TypeIVROption, model.TypeIVRLeft:
			tl.ivr = append(tl.ivr, e)
		case model.TypeMessage:
			switch e.Sender {
			case "client":
				tl.clientMsgs = append(tl.clientMsgs, e.At)
				fallthrough
			case "agent", "bot":
				if tl.firstMsgSender == "" {
					tl.firstMsgSender = e.Sender
				}
			}
		case model.TypeCallUpdated:
			tl.calls = append(tl.calls, e)
		}
		if !isLegEvent(e.Type) {
			continue
		}
		var l *legState
		switch {
		case e.Leg != "":
			l = get(e.Leg)
		case e.Type == model.TypeLegFinished && (cur == nil || cur.ended):
			continue
		case cur != nil:
			l = cur
		default:
			pending = append(pending, e)
			continue
		}
		if cur == nil {
			cur = l
			for _, p := range pending {
				l.evs = append(l.evs, p)
				tl.owner[p] = l
			}
			pending = nil
		}
		l.evs = append(l.evs, e)
		tl.owner[e] = l
		switch e.Type {
		case model.TypeLegDelivered:
			cur = l
		case model.TypeLegQueued:
			if cur.ended && cur != l {
				cur = l
			}
		case model.TypeLegFinished:
			l.ended = true
		case model.TypeLegTransferred:
			l.ended = true
			if e.NewLeg != "" && e.NewLeg != l.id {
				n := get(e.NewLeg)
				if n.transferIn == nil {
					n.transferIn, n.prev = e, l
				}
				cur = n
			}
		}
	}
	return tl
}

func set(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}
