package asterisk

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
)

// The queue call of testdata/queue_attended_transfer.* (README there):
// linkedid 1791216000.60, PJSIP/1001 answers from queue suporte at +8 s,
// consults PJSIP/1003 through a Local pair (1003 answers at +66 s),
// completes the transfer at +90 s, the caller hangs up at +240 s.
const (
	xferCall   = "1791216000.60"
	xferEpoch  = 1791216000
	xferTrunk  = "PJSIP/trunk-00000060"
	xferAgent  = "PJSIP/1001-00000061"
	xferTarget = "PJSIP/1003-00000064"
	xferBridge = "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d"
)

func xferAt(offset float64) time.Time {
	return time.Unix(xferEpoch, 0).Add(time.Duration(offset * float64(time.Second))).UTC()
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The CDR of an attended transfer holds the consultation too — the
// transferer's rows (PJSIP/1001 → Local;1, then → PJSIP/1003) and the Local
// pair's (Local;2 → PJSIP/1003) — linked to the call. Only the caller's
// bridges describe its legs: the queue_log's call gets the channels and
// quality of trunk→1001 and trunk→1003 only, and with --cdr-queue-legs the
// CDR makes those two legs, the first without a hang-up side (the caller
// went on to 1003: the CDR cannot tell who hung up).
func TestCDRConsultationRowsOfAnAttendedTransferAreNoLegs(t *testing.T) {
	data := string(readFixture(t, "queue_attended_transfer.cdr.csv"))
	opt := CDROptions{Location: saoPaulo(t)}
	gs, err := translateCDR(t, data, opt)
	if err != nil {
		t.Fatal(err)
	}
	type fact struct {
		at            time.Time
		ext, internal string
		jitter        any
	}
	var got []fact
	var ends []model.Event
	for _, g := range gs {
		if g.ev.Type == model.TypeLegFinished {
			ends = append(ends, g.ev)
		}
		if g.ev.Type == model.TypeCallUpdated {
			// The caller's bridge with 1003 began at the transfer: the
			// queue_log tells nothing of that leg, so its answer comes
			// from this row (13:01:30, +90 s); the bridge with 1001 gives
			// none (the queue_log's CONNECT does).
			if post := g.ev.InternalChannel == xferTarget; post != (g.ev.AnsweredAt != nil) ||
				post && (!g.ev.AnsweredAt.Equal(xferAt(90)) || g.ev.VoiceStatus != "answered") {
				t.Errorf("answer of %s", js(g.ev))
			}
			if g.ev.Leg != "" || g.ev.ClientHangupAt != nil || g.ev.AgentHangupAt != nil {
				t.Errorf("a queue call's CDR fact names a leg or a hang-up: %s", js(g.ev))
			}
			got = append(got, fact{g.ev.At, g.ev.ExternalChannel, g.ev.InternalChannel, deref(g.ev.JitterMs)})
		}
	}
	want := []fact{
		{xferAt(90), xferTrunk, xferAgent, 84.0},  // sequence 11, ends at the transfer
		{xferAt(240), xferTrunk, xferTarget, 2.0}, // sequence 15, from the transfer on
	}
	if len(got) != len(want) {
		t.Fatalf("call facts %+v, want %+v", got, want)
	}
	for i := range want {
		if !got[i].at.Equal(want[i].at) || got[i].ext != want[i].ext || got[i].internal != want[i].internal || got[i].jitter != want[i].jitter {
			t.Errorf("fact %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// The end of the caller's last row (sequence 15, 13:04:00) finishes the
	// leg the transfer left open, without naming it (the CDR cannot name
	// the bridge), as answered.
	if len(ends) != 1 || ends[0].Leg != "" || !ends[0].At.Equal(xferAt(240)) || ends[0].Status != "service completed" {
		t.Errorf("the call's end %s", jsAll(ends))
	}

	opt.Call.QueueLegs = true
	gs, err = translateCDR(t, data, opt)
	if err != nil {
		t.Fatal(err)
	}
	var evs []model.Event
	for _, g := range gs {
		evs = append(evs, g.ev)
	}
	x := metrics.DeriveInteraction(evs, "P", nil, metrics.Config{})
	if len(x.Legs) != 2 || x.Legs[0].LegID != celLegID(xferCall, xferAgent) || x.Legs[1].LegID != celLegID(xferCall, xferTarget) {
		t.Fatalf("legs %+v", x.Legs)
	}
	for _, e := range evs {
		if e.Type != model.TypeCallUpdated {
			continue
		}
		switch e.Leg {
		case x.Legs[0].LegID:
			if e.ClientHangupAt != nil || e.AgentHangupAt != nil {
				t.Errorf("the transferred leg's CDR tells a hang-up side: %s", js(e))
			}
		case x.Legs[1].LegID:
			if e.ClientHangupAt == nil || !e.ClientHangupAt.Equal(xferAt(240)) {
				t.Errorf("the last leg's end is DATA FINALIZAÇÃO CLIENTE: %s", js(e))
			}
		}
	}
}

// The CEL of the queue call: PJSIP/1001's channels, quality and its own
// hang-up after the transfer at its answer (the queue_log's first leg);
// PJSIP/1003, answered during the consultation, tells nothing at that
// answer (the caller's leg was still 1001's) but makes the leg the
// queue_log's ATTENDEDTRANSFER|BRIDGE opened, named by that bridge: the
// caller joins it at +90.003 s and hangs up at +240.001 s.
func TestCELQueueCallAttendedTransferNamesTheMergedBridgesLeg(t *testing.T) {
	evs := translateCELFile(t, readFixture(t, "queue_attended_transfer.cel.csv"), CELOptions{})
	leg := bridgeLegID(xferCall, xferBridge)
	var first, merged []model.Event
	for _, e := range evs {
		switch {
		case e.Type == model.TypeInteractionCreated:
		case e.Leg == "":
			first = append(first, e)
		case e.Leg == leg:
			merged = append(merged, e)
		default:
			t.Errorf("an event of another leg: %s", js(e))
		}
	}
	if len(first) != 2 {
		t.Fatalf("leg-less facts %s", jsAll(first))
	}
	a, end := first[0], first[1]
	// The call's end (the caller's HANGUP at +240.001 s, before its peer
	// PJSIP/1003's, not the later LINKEDID_END) finishes what is still
	// open then; here the merged leg's own finish is the same moment, so
	// rastro finds no open leg for it.
	if end.Type != model.TypeLegFinished || !end.At.Equal(xferAt(240.001)) || end.Status != "service completed" {
		t.Errorf("the call's end %s", js(end))
	}
	if a.Type != model.TypeCallUpdated || !a.At.Equal(xferAt(8)) || a.ExternalChannel != xferTrunk || a.InternalChannel != xferAgent ||
		a.AgentHangupAt == nil || !a.AgentHangupAt.Equal(xferAt(90.004)) || a.ClientHangupAt != nil || deref(a.JitterMs) != 84.0 {
		t.Errorf("PJSIP/1001's facts %s", js(a))
	}
	if len(merged) != 3 {
		t.Fatalf("merged bridge's leg %s", jsAll(merged))
	}
	d, cu, fin := merged[0], merged[1], merged[2]
	if d.Type != model.TypeLegDelivered || d.AgentID != "PJSIP/1003" || !d.At.Equal(xferAt(90.003)) {
		t.Errorf("delivery %s", js(d))
	}
	if cu.Type != model.TypeCallUpdated || !cu.At.Equal(xferAt(240.001)) || cu.ExternalChannel != xferTrunk || cu.InternalChannel != xferTarget ||
		cu.AnsweredAt == nil || !cu.AnsweredAt.Equal(xferAt(90.003)) || cu.VoiceStatus != "answered" ||
		cu.ClientHangupAt == nil || !cu.ClientHangupAt.Equal(xferAt(240.001)) || cu.AgentHangupAt != nil || deref(cu.JitterMs) != 2.0 {
		t.Errorf("call facts %s", js(cu))
	}
	if fin.Type != model.TypeLegFinished || fin.Status != "service completed" || !fin.At.Equal(xferAt(240.001)) {
		t.Errorf("finish %s", js(fin))
	}
}

// The queue call of testdata/queue_blind_transfer.* (README there): the
// member transfers it at +90 s and app_queue logs nothing more; the caller
// talks to PJSIP/1003 from +95 s and hangs up at +240 s.
const (
	blindCall  = "1791219600.70"
	blindEpoch = 1791219600
)

// Whatever line app_queue logged the transfer with — TRANSFER (Asterisk
// 1.8 to 11, queue_transfer_fixup), BLINDTRANSFER, or ATTENDEDTRANSFER by
// APP or LINK (12+, whose next leg the CEL cannot name as it names a
// bridge merge's) — the queue_log opens the numbered leg <callid>-2 and
// tells nothing more of it. The call's end finishes it: the end of the
// caller's last CDR row (14:04:00), or the CEL's first hang-up of the
// caller's last bridge (its own HANGUP, +240.001 s) without a CDR. Only the queue_log line varies here: the CDR and CEL are
// the fixture's (a 12+ PBX's); the end they tell does not depend on how
// the transfer was logged.
func TestALegAppQueueStoppedFollowingIsFinishedAtTheCallsEnd(t *testing.T) {
	ql := strings.SplitAfter(string(readFixture(t, "queue_blind_transfer.queue_log")), "\n")
	head := strings.Join(ql[:3], "")
	prefix := "1791219690|1791219600.70|suporte|PJSIP/1001|"
	cdr := string(readFixture(t, "queue_blind_transfer.cdr.csv"))
	cel := readFixture(t, "queue_blind_transfer.cel.csv")
	end := time.Unix(blindEpoch+240, 0).UTC()
	callerHangup := end.Add(time.Millisecond)
	for _, line := range []string{
		"TRANSFER|1003|from-internal|6|82|1",
		"BLINDTRANSFER|1003|from-internal|6|82|1",
		"ATTENDEDTRANSFER|APP|VoiceMail|6|82|1",
		// The two halves of the Local pair attended_transfer_bridge
		// (main/bridge.c) requests to "_attended@transfer/m" to link
		// bridges that may not merge.
		"ATTENDEDTRANSFER|LINK|Local/_attended@transfer-00000073;1|Local/_attended@transfer-00000073;2|6|82|1",
	} {
		gs, err := translate(t, head+prefix+line+"\n", Options{})
		if err != nil {
			t.Fatal(err)
		}
		var queueLog []model.Event
		for _, g := range gs {
			queueLog = append(queueLog, g.ev)
		}
		cdrGs, err := translateCDR(t, cdr, CDROptions{Location: saoPaulo(t)})
		if err != nil {
			t.Fatal(err)
		}
		var fromCDR []model.Event
		for _, g := range cdrGs {
			fromCDR = append(fromCDR, g.ev)
		}
		fromCEL := translateCELFile(t, cel, CELOptions{})
		for _, c := range []struct {
			name  string
			evs   []model.Event
			endAt time.Time
		}{{"queue_log only", nil, time.Time{}}, {"CDR", fromCDR, end}, {"CEL", fromCEL, callerHangup}, {"CDR and CEL", append(append([]model.Event(nil), fromCDR...), fromCEL...), end}} {
			x := metrics.DeriveInteraction(append(append([]model.Event(nil), queueLog...), c.evs...), "P", nil, metrics.Config{})
			if c.endAt.IsZero() {
				// Nothing tells the end: the leg stays open, out of the
				// Rastreio (README).
				if len(x.Legs) != 1 {
					t.Errorf("%s, %s: %d finished legs, want the transferred one", line, c.name, len(x.Legs))
				}
				continue
			}
			if len(x.Legs) != 2 {
				t.Fatalf("%s, %s: %d finished legs, want 2", line, c.name, len(x.Legs))
			}
			l := x.Legs[1]
			if l.LegID != blindCall+"-2" || l.Status != "service completed" || !l.FinishedAt.Equal(c.endAt) {
				t.Errorf("%s, %s: leg 2 = %s %q finished %v, want %s-2 service completed at %v", line, c.name, l.LegID, l.Status, l.FinishedAt, blindCall, c.endAt)
			}
		}
	}
}

// Asterisk 1.8 to 11 write a blind transfer's CEL in their own shape
// (testdata/queue_transfer_ast11.cel.csv, README there): BLINDTRANSFER on
// the transferer's channel with the extension as a plain extra ("1003"),
// bridges as BRIDGE_START/BRIDGE_END on the caller's side without a bridge
// id, and a HANGUP extra of "cause,hangupsource,dialstatus" instead of
// JSON. Read with CDR-style legs (--cdr-queue-legs) it gives the legs the
// same call gives in the CEL of Asterisk 12+ (queue_blind_transfer.cel.csv):
// 1001's, transferred into 1003's, which the caller ends — the caller's
// hang-up side read from the comma-separated extra. Read as the queue_log's
// call, its end is the first hang-up of the caller's last bridge: 1003's
// HANGUP at 14:03:59.9997, the instant the CDR's end (14:03:59, truncated)
// tells too, not the LINKEDID_END of the next second.
func TestCELOfAsterisk11BlindTransferGivesTheLegsOfAsterisk12(t *testing.T) {
	old := readFixture(t, "queue_transfer_ast11.cel.csv")
	legs := CELOptions{Call: CallOptions{QueueLegs: true}}
	got, x := celLegShapes(t, translateCELFile(t, old, legs), blindCall)
	want, _ := celLegShapes(t, translateCELFile(t, readFixture(t, "queue_blind_transfer.cel.csv"), legs), blindCall)
	for i := range want {
		// chan_sip's devices (SIP/1001) where 12+ has chan_pjsip's.
		want[i].agent = strings.TrimPrefix(want[i].agent, "PJ")
	}
	if len(want) != 2 || !reflect.DeepEqual(got, want) {
		t.Fatalf("Asterisk 11 legs:\n got %+v\nwant %+v (Asterisk 12+'s)", got, want)
	}
	hangup := time.Unix(blindEpoch+239, 999700000).UTC()
	for _, e := range translateCELFile(t, old, legs) {
		if e.Type != model.TypeCallUpdated {
			continue
		}
		switch e.Leg {
		case x.Legs[0].LegID:
			// 1.8 to 11 set no hang-up source on the transferer, which
			// Asterisk hangs up itself after the transfer ("16,,").
			if e.AgentHangupAt != nil || e.ClientHangupAt != nil {
				t.Errorf("leg 1 hang-ups %s", js(e))
			}
		case x.Legs[1].LegID:
			if e.ClientHangupAt == nil || !e.ClientHangupAt.Equal(hangup) || e.AgentHangupAt != nil || e.VoiceStatus != "answered" {
				t.Errorf("leg 2 hang-ups %s", js(e))
			}
		}
	}
	var ends []model.Event
	for _, e := range translateCELFile(t, old, CELOptions{}) {
		if e.Type == model.TypeLegFinished {
			ends = append(ends, e)
		}
	}
	if len(ends) != 1 || ends[0].Leg != "" || !ends[0].At.Equal(hangup) || ends[0].Status != "service completed" {
		t.Errorf("the call's end %s, want one leg-less finish at %v, service completed", jsAll(ends), hangup)
	}
}
