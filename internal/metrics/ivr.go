package metrics

import (
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// ivrVisits derives one IVRVisit per ivr.entered (Relatório IVR). Options
// and the ivr.left of the same ivr_id that follow an entry belong to it; the
// Path is the options in order joined by " > "; IVRSeconds is left − entered.
//
// Decisions: the leg "after the IVR" is the first leg that starts (queued,
// else delivered, else transferred in) at or after the IVR entry; AgentID,
// Answered, WaitSeconds (queued → delivered) and TalkSeconds (its DURAÇÃO)
// come from the first leg delivered at or after the entry; AbandonedQ is an
// IVR that transferred to a queue whose first leg finished undelivered or
// with status abandoned. Legs are linked only when the outcome is
// "transferred" or not known yet.
func ivrVisits(tl *timeline, facts []*legFacts, rows []*model.LegRow, cfg Config) []model.IVRVisit {
	loc := cfg.Location()
	var visits []model.IVRVisit
	var paths [][]string
	open := func(ivrID string) int {
		for i := len(visits) - 1; i >= 0; i-- {
			if visits[i].LeftAt == nil && (ivrID == "" || visits[i].IVRID == ivrID) {
				return i
			}
		}
		return -1
	}
	for _, e := range tl.ivr {
		switch e.Type {
		case model.TypeIVREntered:
			visits = append(visits, model.IVRVisit{
				InteractionID: tl.id, IVRID: e.IVRID, EnteredAt: e.At, Bucket: HourBucket(e.At, loc),
			})
			paths = append(paths, nil)
		case model.TypeIVROption:
			if i := open(e.IVRID); i >= 0 && e.Option != "" {
				paths[i] = append(paths[i], e.Option)
			}
		case model.TypeIVRLeft:
			if i := open(e.IVRID); i >= 0 {
				visits[i].LeftAt = timePtr(e.At)
				visits[i].Outcome = e.Outcome
				visits[i].ServiceID = e.ServiceID
				visits[i].IVRSeconds = secondsBetween(visits[i].EnteredAt, e.At)
			}
		}
	}
	for i := range visits {
		v := &visits[i]
		v.Path = strings.Join(paths[i], " > ")
		if v.Outcome != "" && v.Outcome != "transferred" {
			continue
		}
		var after *legFacts
		for _, f := range facts {
			if s, ok := legStart(f); ok && !s.Before(v.EnteredAt) {
				after = f
				break
			}
		}
		for j, f := range facts {
			if f.deliveredAt == nil || f.deliveredAt.Before(v.EnteredAt) {
				continue
			}
			v.Answered = true
			v.AgentID = f.agentID
			// The wait runs from the first queue the IVR sent the call to,
			// across queue overflows, until an agent took it.
			queued := f.queuedAt
			if after != nil && after.queuedAt != nil {
				queued = after.queuedAt
			}
			if queued != nil {
				v.WaitSeconds = f64(secondsBetween(*queued, *f.deliveredAt))
			}
			if rows[j] != nil && rows[j].Duration != nil {
				v.TalkSeconds = f64(*rows[j].Duration)
			}
			break
		}
		if after != nil {
			if v.ServiceID == "" {
				v.ServiceID = after.serviceID
			}
			// Abandoned in queue: sent to a queue, never answered, and the
			// call's last leg is over (an overflow to another queue that
			// is answered is not an abandonment).
			v.AbandonedQ = v.Outcome == "transferred" && !v.Answered && facts[len(facts)-1].ended
		}
	}
	return visits
}

// legStart is when a leg began: queued, else delivered, else transferred in,
// else finalization.
func legStart(f *legFacts) (time.Time, bool) {
	switch {
	case f.queuedAt != nil:
		return *f.queuedAt, true
	case f.deliveredAt != nil:
		return *f.deliveredAt, true
	case f.transferIn != nil:
		return f.transferIn.At, true
	case f.ended:
		return f.finAt, true
	}
	return time.Time{}, false
}
