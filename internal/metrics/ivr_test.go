package metrics

import (
	"testing"

	"github.com/rastro/rastro/internal/model"
)

func ivrEnter(b *tb, at, ivr string) *tb {
	return b.add(model.TypeIVREntered, at, func(e *model.Event) { e.IVRID = ivr })
}
func ivrOption(b *tb, at, ivr, opt string) *tb {
	return b.add(model.TypeIVROption, at, func(e *model.Event) { e.IVRID, e.Option = ivr, opt })
}
func ivrLeft(b *tb, at, ivr, outcome, svc string) *tb {
	return b.add(model.TypeIVRLeft, at, func(e *model.Event) { e.IVRID, e.Outcome, e.ServiceID = ivr, outcome, svc })
}

func TestIVRVisitAnsweredAfterTransfer(t *testing.T) {
	b := newTB("call-ivr").created("10:59:50", "voice", nil)
	ivrEnter(b, "10:59:55", "ura-main")
	ivrOption(b, "11:00:05", "ura-main", "2")
	ivrOption(b, "11:00:15", "ura-main", "Financeiro")
	ivrLeft(b, "11:00:20", "ura-main", "transferred", "svc-fin")
	b.queued("11:00:20", "L1", "svc-fin").delivered("11:00:50", "L1", "ag-bruno").
		finished("11:05:50", "L1", "service completed", nil)
	ix := derive(b, Config{})
	if len(ix.IVRVisits) != 1 {
		t.Fatalf("visits = %d", len(ix.IVRVisits))
	}
	v := ix.IVRVisits[0]
	if v.Path != "2 > Financeiro" || v.Outcome != "transferred" || v.ServiceID != "svc-fin" || v.IVRID != "ura-main" {
		t.Errorf("visit = %+v", v)
	}
	if !v.Answered || v.AbandonedQ || v.AgentID != "ag-bruno" || v.IVRSeconds != 25 || v.Bucket != "2025-06-02 10" {
		t.Errorf("visit = %+v", v)
	}
	if secs(v.WaitSeconds) != 30 || secs(v.TalkSeconds) != 300 || v.LeftAt == nil {
		t.Errorf("wait %v talk %v", secs(v.WaitSeconds), secs(v.TalkSeconds))
	}
}

func TestIVRVisitAbandonedInQueue(t *testing.T) {
	for _, tc := range []struct {
		name   string
		finish func(b *tb) *tb
		want   bool
	}{
		{"finished undelivered", func(b *tb) *tb { return b.finished("11:02:00", "L1", "dequeued", nil) }, true},
		{"status abandoned", func(b *tb) *tb { return b.finished("11:02:00", "L1", "abandoned", nil) }, true},
		{"still waiting", func(b *tb) *tb { return b }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newTB("call-ab").created("11:00:00", "voice", nil)
			ivrEnter(b, "11:00:00", "ura")
			ivrLeft(b, "11:00:30", "ura", "transferred", "svc-sac")
			b.queued("11:00:30", "L1", "svc-sac")
			v := derive(tc.finish(b), Config{}).IVRVisits[0]
			if v.AbandonedQ != tc.want || v.Answered || v.WaitSeconds != nil || v.TalkSeconds != nil {
				t.Errorf("visit = %+v", v)
			}
		})
	}
}

func TestIVRVisitFinishedOrAbandonedInIVR(t *testing.T) {
	b := newTB("call-f").created("11:00:00", "voice", nil)
	ivrEnter(b, "11:00:00", "ura")
	ivrOption(b, "11:00:10", "ura", "9")
	ivrLeft(b, "11:00:40", "ura", "finished", "")
	ivrEnter(b, "11:01:00", "ura-2") // second visit never left
	ix := derive(b, Config{})
	if len(ix.IVRVisits) != 2 {
		t.Fatalf("visits = %d", len(ix.IVRVisits))
	}
	v, w := ix.IVRVisits[0], ix.IVRVisits[1]
	if v.Outcome != "finished" || v.Path != "9" || v.IVRSeconds != 40 || v.Answered || v.AbandonedQ {
		t.Errorf("first = %+v", v)
	}
	if w.Outcome != "" || w.LeftAt != nil || w.Path != "" || w.IVRSeconds != 0 {
		t.Errorf("second = %+v", w)
	}
}
