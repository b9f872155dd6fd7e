package asterisk

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
)

// sample is a hand-written queue_log of one morning (2025-06-02, epochs from
// 14:00 UTC): queues "suporte" and "vendas", agents PJSIP/1001, PJSIP/1002,
// PJSIP/1003 and Agent/2001. Line numbers matter: the test names them.
var sample = strings.Join([]string{
	/* 1 */ "1748872700|NONE|NONE|NONE|QUEUESTART|",
	/* 2 */ "1748872710|NONE|NONE|NONE|CONFIGRELOAD|",
	/* 3 */ "1748872800|NONE|suporte|PJSIP/1001|ADDMEMBER|",
	/* 4 */ "1748872800|NONE|vendas|PJSIP/1001|ADDMEMBER|",
	/* 5 */ "1748872805|NONE|suporte|PJSIP/1002|ADDMEMBER|",
	/* 6 */ "1748872810|NONE|NONE|Agent/2001|AGENTLOGIN|PJSIP/2001-00000001",
	// A: answered, the caller hangs up.
	/* 7 */ "1748872900|1748872895.10|NONE|NONE|DID|551130001000",
	/* 8 */ "1748872905|1748872895.10|suporte|NONE|ENTERQUEUE||11987654321|1",
	/* 9 */ "1748872915|1748872895.10|suporte|PJSIP/1002|RINGNOANSWER|15000",
	/* 10 */ "1748872925|1748872895.10|suporte|PJSIP/1001|CONNECT|20|1748872920.11|5",
	/* 11 */ "1748873105|1748872895.10|suporte|PJSIP/1001|COMPLETECALLER|20|180|1",
	// B: abandoned.
	/* 12 */ "1748873000|1748873000.20|vendas|NONE|ENTERQUEUE||11911112222|1",
	/* 13 */ "1748873045|1748873000.20|vendas|NONE|ABANDON|1|1|45",
	/* 14 */ "garbage line",
	/* 15 */ "17488x3050|1748873050.30|vendas|NONE|ENTERQUEUE||1133334444|1",
	// C: blind transfer from suporte to vendas, completed by the agent.
	/* 16 */ "1748873100|1748873100.40|suporte|NONE|ENTERQUEUE||21955556666|1",
	/* 17 */ "1748873110|1748873100.40|suporte|PJSIP/1001|CONNECT|10|1748873105.41|3",
	/* 18 */ "1748873200|1748873100.40|suporte|PJSIP/1001|BLINDTRANSFER|700|from-internal|10|90|1",
	/* 19 */ "1748873202|1748873100.40|vendas|NONE|ENTERQUEUE||21955556666|1",
	/* 20 */ "1748873210|1748873100.40|vendas|Agent/2001|CONNECT|8|1748873205.42|4",
	/* 21 */ "1748873400|1748873100.40|vendas|Agent/2001|COMPLETEAGENT|8|190|1",
	/* 22 */ "1748873300|NONE|suporte|PJSIP/1002|PAUSE|Almoço",
	/* 23 */ "1748873300|NONE|suporte|PJSIP/1002|PAUSE|Almoço", // repeated line: skipped
	// D: timeout in suporte, overflow to vendas, answered there.
	/* 24 */ "1748873500|1748873500.50|suporte|NONE|ENTERQUEUE||1144445555|1",
	/* 25 */ "1748873560|1748873500.50|suporte|NONE|EXITWITHTIMEOUT|1|1|60",
	/* 26 */ "1748873561|1748873500.50|vendas|NONE|ENTERQUEUE||1144445555|1",
	/* 27 */ "1748873570|1748873500.50|vendas|PJSIP/1001|CONNECT|9|1748873565.51|2",
	/* 28 */ "1748873700|1748873500.50|vendas|PJSIP/1001|COMPLETEAGENT|9|130|1",
	/* 29 */ "1748873800|NONE|suporte|PJSIP/1002|UNPAUSE|",
	/* 30 */ "1748873801|1748873801.60",
	// E: attended transfer out of the queues: the new leg stays open.
	/* 31 */ "1748873900|1748873900.70|vendas|NONE|ENTERQUEUE||11900001111|1",
	/* 32 */ "1748873905|1748873900.70|vendas|PJSIP/1001|CONNECT|5|1748873902.71|2",
	/* 33 */ "1748874000|1748873900.70|vendas|PJSIP/1001|ATTENDEDTRANSFER|BRIDGE|1748873990.80|5|95|1",
	/* 34 */ "1748874100|NONE|suporte|PJSIP/1001|PAUSE|",
	/* 35 */ "1748874200|NONE|suporte|PJSIP/1001|REMOVEMEMBER|", // still in vendas, no longer paused
	/* 36 */ "1748874300|NONE|vendas|PJSIP/1001|REMOVEMEMBER|",
	/* 37 */ "1748874310|NONE|NONE|Agent/2001|AGENTLOGOFF|PJSIP/2001-00000001|1500",
	/* 38 */ "1748874400|NONE|suporte|PJSIP/1003|REMOVEMEMBER|", // joined before this file
	/* 39 */ "1748874500|1748874500.90|suporte|NONE|CONNECT|1|1748874499.91|1",
	// F: the queue empties.
	/* 40 */ "1748874600|1748874600.95|vendas|NONE|ENTERQUEUE||11922223333|1",
	/* 41 */ "1748874601|1748874600.95|vendas|NONE|EXITEMPTY|1|1|1",
	"",
}, "\n")

type got struct {
	line int
	ev   model.Event
}

func translate(t *testing.T, input string, opt Options) ([]got, error) {
	t.Helper()
	var out []got
	err := Translate(strings.NewReader(input), opt, func(line int, ev model.Event) error {
		out = append(out, got{line, ev})
		return nil
	})
	return out, err
}

func at(sec int64) time.Time   { return time.Unix(sec, 0).UTC() }
func ptr(sec int64) *time.Time { t := at(sec); return &t }

func TestTranslateSample(t *testing.T) {
	evs, err := translate(t, sample, Options{})

	const (
		A, B, C, D, E, F = "1748872895.10", "1748873000.20", "1748873100.40", "1748873500.50", "1748873900.70", "1748874600.95"
		voice            = model.MediaVoice
	)
	created := func(ix string, sec int64, from, to string) model.Event {
		return model.Event{Type: model.TypeInteractionCreated, At: at(sec), Interaction: ix, Media: voice, Direction: "inbound", From: from, To: to}
	}
	omni := func(ix string, sec int64) model.Event {
		return model.Event{Type: model.TypeEnteredOmni, At: at(sec), Interaction: ix}
	}
	queued := func(ix, leg string, sec int64, svc string) model.Event {
		return model.Event{Type: model.TypeLegQueued, At: at(sec), Interaction: ix, Leg: ix + leg, ServiceID: svc}
	}
	delivered := func(ix, leg string, sec int64, agent string) model.Event {
		return model.Event{Type: model.TypeLegDelivered, At: at(sec), Interaction: ix, Leg: ix + leg, AgentID: agent}
	}
	call := func(ix, leg string, sec int64, c model.Event) model.Event {
		c.Type, c.At, c.Interaction, c.Leg = model.TypeCallUpdated, at(sec), ix, ix+leg
		return c
	}
	finished := func(ix, leg string, sec int64, status string) model.Event {
		return model.Event{Type: model.TypeLegFinished, At: at(sec), Interaction: ix, Leg: ix + leg, Status: status}
	}
	transferred := func(ix, leg, next string, sec int64) model.Event {
		return model.Event{Type: model.TypeLegTransferred, At: at(sec), Interaction: ix, Leg: ix + leg, NewLeg: ix + next}
	}
	agent := func(typ, id string, sec int64, reason string) model.Event {
		e := model.Event{Type: typ, At: at(sec), AgentID: id, Reason: reason}
		if typ == model.TypeAgentLogin || typ == model.TypeAgentLogout {
			e.Media = voice
		}
		return e
	}

	want := []got{
		{3, agent(model.TypeAgentLogin, "PJSIP/1001", 1748872800, "")},
		{5, agent(model.TypeAgentLogin, "PJSIP/1002", 1748872805, "")},
		{6, agent(model.TypeAgentLogin, "Agent/2001", 1748872810, "")},

		{8, created(A, 1748872900, "11987654321", "551130001000")}, // at = the DID line: call start
		{8, omni(A, 1748872905)},
		{8, queued(A, "-1", 1748872905, "suporte")},
		{8, call(A, "-1", 1748872905, model.Event{DialedNumber: "551130001000"})},
		{10, delivered(A, "-1", 1748872925, "PJSIP/1001")},
		{10, call(A, "-1", 1748872925, model.Event{AnsweredAt: ptr(1748872925), VoiceStatus: "answered"})},
		{11, call(A, "-1", 1748873105, model.Event{ClientHangupAt: ptr(1748873105), VoiceStatus: "answered"})},
		{11, finished(A, "-1", 1748873105, "service completed")},

		{12, created(B, 1748873000, "11911112222", "")},
		{12, omni(B, 1748873000)},
		{12, queued(B, "-1", 1748873000, "vendas")},
		{13, call(B, "-1", 1748873045, model.Event{ClientHangupAt: ptr(1748873045), VoiceStatus: "abandoned"})},
		{13, finished(B, "-1", 1748873045, "abandoned")},

		{16, created(C, 1748873100, "21955556666", "")},
		{16, omni(C, 1748873100)},
		{16, queued(C, "-1", 1748873100, "suporte")},
		{17, delivered(C, "-1", 1748873110, "PJSIP/1001")},
		{17, call(C, "-1", 1748873110, model.Event{AnsweredAt: ptr(1748873110), VoiceStatus: "answered"})},
		{18, transferred(C, "-1", "-2", 1748873200)},
		{19, queued(C, "-2", 1748873202, "vendas")},
		{20, delivered(C, "-2", 1748873210, "Agent/2001")},
		{20, call(C, "-2", 1748873210, model.Event{AnsweredAt: ptr(1748873210), VoiceStatus: "answered"})},
		{21, call(C, "-2", 1748873400, model.Event{AgentHangupAt: ptr(1748873400), VoiceStatus: "answered"})},
		{21, finished(C, "-2", 1748873400, "service completed")},

		{22, agent(model.TypeAgentPauseStart, "PJSIP/1002", 1748873300, "Almoço")},

		{24, created(D, 1748873500, "1144445555", "")},
		{24, omni(D, 1748873500)},
		{24, queued(D, "-1", 1748873500, "suporte")},
		{25, call(D, "-1", 1748873560, model.Event{VoiceStatus: "no_answer"})},
		{25, finished(D, "-1", 1748873560, "dequeued")},
		{26, queued(D, "-2", 1748873561, "vendas")},
		{27, delivered(D, "-2", 1748873570, "PJSIP/1001")},
		{27, call(D, "-2", 1748873570, model.Event{AnsweredAt: ptr(1748873570), VoiceStatus: "answered"})},
		{28, call(D, "-2", 1748873700, model.Event{AgentHangupAt: ptr(1748873700), VoiceStatus: "answered"})},
		{28, finished(D, "-2", 1748873700, "service completed")},

		{29, agent(model.TypeAgentPauseEnd, "PJSIP/1002", 1748873800, "")},

		{31, created(E, 1748873900, "11900001111", "")},
		{31, omni(E, 1748873900)},
		{31, queued(E, "-1", 1748873900, "vendas")},
		{32, delivered(E, "-1", 1748873905, "PJSIP/1001")},
		{32, call(E, "-1", 1748873905, model.Event{AnsweredAt: ptr(1748873905), VoiceStatus: "answered"})},
		// ATTENDEDTRANSFER|BRIDGE|<bridge>: the new leg is named by the
		// bridge the caller was merged into (the CEL's name for it).
		{33, model.Event{Type: model.TypeLegTransferred, At: at(1748874000), Interaction: E, Leg: E + "-1", NewLeg: "ast:" + E + ":bridge:1748873990.80"}},

		{34, agent(model.TypeAgentPauseStart, "PJSIP/1001", 1748874100, DefaultPauseReason)},
		{35, agent(model.TypeAgentPauseEnd, "PJSIP/1001", 1748874200, "")},
		{36, agent(model.TypeAgentLogout, "PJSIP/1001", 1748874300, "")},
		{37, agent(model.TypeAgentLogout, "Agent/2001", 1748874310, "")},
		{38, agent(model.TypeAgentLogout, "PJSIP/1003", 1748874400, "")},

		{40, created(F, 1748874600, "11922223333", "")},
		{40, omni(F, 1748874600)},
		{40, queued(F, "-1", 1748874600, "vendas")},
		{41, call(F, "-1", 1748874601, model.Event{VoiceStatus: "no_answer"})},
		{41, finished(F, "-1", 1748874601, "dequeued")},
	}

	noIDs := make([]got, len(evs))
	for i, g := range evs {
		noIDs[i] = g
		noIDs[i].ev.ID = ""
	}
	for i := 0; i < len(want) || i < len(noIDs); i++ {
		var w, g got
		if i < len(want) {
			w = want[i]
		}
		if i < len(noIDs) {
			g = noIDs[i]
		}
		if !reflect.DeepEqual(w, g) {
			t.Errorf("event %d:\n got %d %s\nwant %d %s", i, g.line, js(g.ev), w.line, js(w.ev))
		}
	}

	// Malformed lines: every one, with its line number, and the scan went on.
	var p Problems
	if !errors.As(err, &p) {
		t.Fatalf("err = %v, want Problems", err)
	}
	wantP := Problems{
		{14, "expected at least 5 fields (epoch|callid|queue|agent|event), got 1"},
		{15, `bad epoch "17488x3050"`},
		{30, "expected at least 5 fields (epoch|callid|queue|agent|event), got 2"},
		{39, "CONNECT without agent"},
	}
	if !reflect.DeepEqual(p, wantP) {
		t.Errorf("problems = %+v", p)
	}
	if !strings.Contains(err.Error(), "4 malformed line(s); line 14: ") {
		t.Errorf("Error() = %s", err)
	}
}

func js(e model.Event) string { b, _ := json.Marshal(e); return string(b) }

func TestIDsAreDeterministicUniqueAndShort(t *testing.T) {
	first, _ := translate(t, sample, Options{})
	second, _ := translate(t, sample, Options{})
	if len(first) == 0 || len(first) != len(second) {
		t.Fatalf("%d vs %d events", len(first), len(second))
	}
	seen := map[string]bool{}
	for i := range first {
		id := first[i].ev.ID
		if id != second[i].ev.ID {
			t.Errorf("event %d: id %q then %q", i, id, second[i].ev.ID)
		}
		if seen[id] {
			t.Errorf("duplicate id %q", id)
		}
		seen[id] = true
		if n := utf8.RuneCountInString(id); n > 128 || !strings.HasPrefix(id, "ast:") {
			t.Errorf("id %q (%d chars)", id, n)
		}
	}
	if id := first[0].ev.ID; !strings.HasPrefix(id, "ast:PJSIP/1001:1748872800:ADDMEMBER:") || !strings.HasSuffix(id, ":agent.login") {
		t.Errorf("agent id = %q", id)
	}
	if id := first[3].ev.ID; !strings.HasPrefix(id, "ast:1748872895.10:1748872905:ENTERQUEUE:") || !strings.HasSuffix(id, ":interaction.created") {
		t.Errorf("call id = %q", id)
	}

	// Ids depend on the line, not its position: the same calls after more
	// lines (a grown or concatenated file) keep their ids.
	shifted, _ := translate(t, "1748872000|NONE|x|PJSIP/9|ADDMEMBER|\n\n"+sample, Options{})
	ids := map[string]bool{}
	for _, g := range shifted {
		ids[g.ev.ID] = true
	}
	for id := range seen {
		if !ids[id] {
			t.Errorf("id %q lost when the file is shifted", id)
		}
	}

	// A very long callid still gives an id within 128 characters.
	long := strings.Repeat("é", 100)
	evs, err := translate(t, "1748872905|"+long+"|q|NONE|ENTERQUEUE||1|1\n", Options{})
	if err != nil || len(evs) != 3 {
		t.Fatalf("%v %d", err, len(evs))
	}
	for _, g := range evs {
		if n := utf8.RuneCountInString(g.ev.ID); n > 128 || !utf8.ValidString(g.ev.ID) {
			t.Errorf("id %q (%d)", g.ev.ID, n)
		}
	}
}

// Every event produced passes rastro's own validation.
func TestEventsPassIngestValidation(t *testing.T) {
	evs, _ := translate(t, sample, Options{TransferTarget: func(exten, ctx string) (string, string) {
		return "vendas", ""
	}})
	var body bytes.Buffer
	for _, g := range evs {
		b, err := json.Marshal(g.ev)
		if err != nil {
			t.Fatal(err)
		}
		body.Write(b)
		body.WriteByte('\n')
	}
	decoded, _, err := ingest.Decode(body.Bytes(), ingest.Options{Tenant: ""})
	if err != nil {
		t.Fatalf("ingest.Decode: %v", err)
	}
	if len(decoded) != len(evs) {
		t.Fatalf("decoded %d of %d", len(decoded), len(evs))
	}
	for i := range decoded {
		if decoded[i].ID != evs[i].ev.ID || !decoded[i].At.Equal(evs[i].ev.At) {
			t.Errorf("event %d: %+v", i, decoded[i])
		}
	}
}

func TestTransferTarget(t *testing.T) {
	in := "100|c1|suporte|NONE|ENTERQUEUE||555|1\n" +
		"110|c1|suporte|PJSIP/1|CONNECT|10|c2|1\n" +
		"120|c1|suporte|PJSIP/1|BLINDTRANSFER|700|from-internal|10|10|1\n" +
		"130|c2|suporte|NONE|ENTERQUEUE||556|1\n" +
		"140|c2|suporte|PJSIP/1|CONNECT|10|c3|1\n" +
		"150|c2|suporte|PJSIP/1|TRANSFER|1002|from-internal|10|10|1\n"
	var asked []string
	evs, err := translate(t, in, Options{TransferTarget: func(exten, ctx string) (string, string) {
		asked = append(asked, exten+"@"+ctx)
		if exten == "700" {
			return "vendas", ""
		}
		return "", "PJSIP/1002"
	}})
	if err != nil {
		t.Fatal(err)
	}
	var tr []model.Event
	for _, g := range evs {
		if g.ev.Type == model.TypeLegTransferred {
			tr = append(tr, g.ev)
		}
	}
	if len(tr) != 2 || tr[0].ToServiceID != "vendas" || tr[0].ToAgentID != "" ||
		tr[1].ToAgentID != "PJSIP/1002" || tr[1].Leg != "c2-1" || tr[1].NewLeg != "c2-2" {
		t.Errorf("%+v", tr)
	}
	if !reflect.DeepEqual(asked, []string{"700@from-internal", "1002@from-internal"}) {
		t.Errorf("asked %v", asked)
	}
}

func TestDialedNumberFollowsEveryLeg(t *testing.T) {
	in := "1748872900|c|NONE|NONE|DID|08001234567\n" +
		"1748872901|c|suporte|NONE|ENTERQUEUE||11999|1\n" +
		"1748872905|c|suporte|PJSIP/1|CONNECT|4|x|1\n" +
		"1748872910|c|suporte|PJSIP/1|ATTENDEDTRANSFER|LINK|PJSIP/1-0001|Local/700@x-0002;1|4|5|1\n"
	evs, err := translate(t, in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var legs []string
	for _, g := range evs {
		if g.ev.DialedNumber != "" {
			if g.ev.DialedNumber != "08001234567" {
				t.Errorf("%+v", g.ev)
			}
			legs = append(legs, g.ev.Leg)
		}
	}
	if !reflect.DeepEqual(legs, []string{"c-1", "c-2"}) {
		t.Errorf("dialed on legs %v", legs)
	}
}

func TestTimestampsAndFieldCounts(t *testing.T) {
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	in := "\uFEFF1748872800.250|NONE|q|PJSIP/1|ADDMEMBER|\r\n" + // fraction, CRLF, BOM
		"2025-06-02 11:05:00|NONE|q|PJSIP/1|PAUSE|Café\n" + // realtime export, local time
		"0|NONE|q|PJSIP/1|UNPAUSE|\n" +
		"1748872900|c|q|NONE|ENTERQUEUE||1|2|3|4|5\n" + // 11 fields
		"1748872900|c|q|NONE||\n" +
		"1748872900|NONE|q|NONE|PAUSE|x\n" +
		"1748872900|NONE|NONE|NONE|ENTERQUEUE||1|1\n"
	evs, err := translate(t, in, Options{Location: sp})
	var p Problems
	if !errors.As(err, &p) {
		t.Fatalf("err = %v", err)
	}
	want := Problems{
		{3, `bad epoch "0"`},
		{4, "expected at most 10 fields, got 11"},
		{5, "empty event name"},
		{6, "PAUSE without agent"},
		{7, "ENTERQUEUE without callid"},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("problems %+v", p)
	}
	if len(evs) != 2 {
		t.Fatalf("%+v", evs)
	}
	if !evs[0].ev.At.Equal(time.Date(2025, 6, 2, 14, 0, 0, 250e6, time.UTC)) || evs[0].ev.At.Location() != time.UTC {
		t.Errorf("at = %v", evs[0].ev.At)
	}
	if e := evs[1].ev; !e.At.Equal(time.Date(2025, 6, 2, 14, 5, 0, 0, time.UTC)) || e.Reason != "Café" || e.At.Location() != time.UTC {
		t.Errorf("%+v", e)
	}
}

func TestEmitErrorStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Translate(strings.NewReader(sample), Options{}, func(line int, ev model.Event) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 || !strings.Contains(err.Error(), "line 5") {
		t.Errorf("err = %v after %d events", err, n)
	}
}

func TestCallSeenMidway(t *testing.T) {
	// The ENTERQUEUE was in the previous (rotated) file: the call is assumed
	// on its first leg and no interaction.created is invented.
	evs, err := translate(t, "200|old|q|PJSIP/1|COMPLETEAGENT|10|90|1\n", Options{})
	if err != nil || len(evs) != 2 {
		t.Fatalf("%v %+v", err, evs)
	}
	if evs[1].ev.Type != model.TypeLegFinished || evs[1].ev.Leg != "old-1" {
		t.Errorf("%+v", evs[1].ev)
	}
}

// The events mean what the mapping says once rastro derives its rows.
func TestDerivedRows(t *testing.T) {
	evs, _ := translate(t, sample, Options{})
	byCall := map[string][]model.Event{}
	for _, g := range evs {
		if g.ev.Interaction != "" {
			byCall[g.ev.Interaction] = append(byCall[g.ev.Interaction], g.ev)
		}
	}
	type row struct{ leg, service, agent, status, voice string }
	rows := func(ix string) (out []row) {
		for _, r := range metrics.DeriveInteraction(byCall[ix], "", nil, metrics.Config{}).Legs {
			out = append(out, row{r.LegID, r.ServiceID, r.AgentID, r.Status, r.VoiceStatus})
		}
		return out
	}
	for ix, want := range map[string][]row{
		"1748872895.10": {{"1748872895.10-1", "suporte", "PJSIP/1001", "service completed", "answered"}},
		"1748873000.20": {{"1748873000.20-1", "vendas", "", "abandoned", "abandoned"}},
		"1748873100.40": {
			{"1748873100.40-1", "suporte", "PJSIP/1001", model.StatusTransfer, "answered"},
			{"1748873100.40-2", "vendas", "Agent/2001", "service completed", "answered"},
		},
		"1748873500.50": {
			{"1748873500.50-1", "suporte", "", "dequeued", "no_answer"},
			{"1748873500.50-2", "vendas", "PJSIP/1001", "service completed", "answered"},
		},
		// The leg opened by the attended transfer never ends in queue_log.
		"1748873900.70": {{"1748873900.70-1", "vendas", "PJSIP/1001", model.StatusTransfer, "answered"}},
		"1748874600.95": {{"1748874600.95-1", "vendas", "", "dequeued", "no_answer"}},
	} {
		if got := rows(ix); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", ix, got, want)
		}
	}
}
