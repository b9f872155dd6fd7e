package asterisk

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
)

// masterCSV is a hand-written cdr_csv Master.csv (21 columns: accountcode,
// src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start,
// answer, end, duration, billsec, disposition, amaflags, uniqueid,
// userfield, peeraccount, linkedid, sequence), quoted as cdr_csv.c writes
// it: strings and dates in double quotes (quotes inside doubled), the
// integers duration, billsec and sequence bare. Dates are local time.
var masterCSV = strings.Join([]string{
	// 1 A: inbound, answered by PJSIP/1001 through queue suporte; RTPAUDIOQOS
	// of Asterisk 1.8 in the userfield.
	`"","11987654321","551130001000","from-external","""Maria Silva"" <11987654321>","PJSIP/trunk-00000001","PJSIP/1001-00000002","Queue","suporte,t,,,300","2026-10-05 10:00:00","2026-10-05 10:00:12","2026-10-05 10:03:12",192,180,"ANSWERED","DOCUMENTATION","1759669200.1","ssrc=1176785330;themssrc=3421409553;lp=0;rxjitter=0.012500;rxcount=9000;txjitter=0.004000;txcount=9000;rlp=0;rtt=0.045000","","1759669200.1",1`,
	// 2 B: inbound, nobody answered (empty answer date).
	`"","1133334444","551130001000","from-external","""Joao"" <1133334444>","PJSIP/trunk-00000003","","Queue","vendas,t,,,60","2026-10-05 10:05:00","","2026-10-05 10:06:00",60,0,"NO ANSWER","DOCUMENTATION","1759669500.3","","","1759669500.3",4`,
	// 3-5 C: inbound, IVR, answered by PJSIP/1001, blind-transferred to
	// PJSIP/1003. Written out of order: sequence orders the rows.
	`"","21955556666","551130002000","from-external","""Ana"" <21955556666>","PJSIP/trunk-00000005","PJSIP/1003-00000008","Dial","PJSIP/1003,30","2026-10-05 11:01:30","2026-10-05 11:01:35","2026-10-05 11:04:00",150,145,"ANSWERED","DOCUMENTATION","1759672800.5","","","1759672800.5",9`,
	`"","21955556666","s","ivr-main","""Ana"" <21955556666>","PJSIP/trunk-00000005","","BackGround","menu-principal","2026-10-05 11:00:00","2026-10-05 11:00:00","2026-10-05 11:00:20",20,20,"ANSWERED","DOCUMENTATION","1759672800.5","","","1759672800.5",7`,
	`"","21955556666","551130002000","from-external","""Ana"" <21955556666>","PJSIP/trunk-00000005","PJSIP/1001-00000006","Queue","suporte,t,,,300","2026-10-05 11:00:20","2026-10-05 11:00:30","2026-10-05 11:01:30",70,60,"ANSWERED","DOCUMENTATION","1759672800.5","","","1759672800.5",8`,
	// 6 D: outbound from extension 1002, busy.
	`"","1002","11999998888","from-internal","""Ramal 1002"" <1002>","PJSIP/1002-0000000a","PJSIP/trunk-0000000b","Dial","PJSIP/11999998888@trunk,60","2026-10-05 12:00:00","","2026-10-05 12:00:05",5,0,"BUSY","DOCUMENTATION","1759676400.10","","","1759676400.10",12`,
	// 7 malformed: a bad start date.
	`"","1133","551130001000","from-external","""X"" <1133>","PJSIP/trunk-0000000c","","Queue","suporte","2026-13-45 99:00:00","","2026-10-05 12:30:00",0,0,"NO ANSWER","DOCUMENTATION","1759678200.12","","","1759678200.12",14`,
	// 8 malformed: 5 columns.
	`"","1133","5511","from-external","x"`,
	"",
}, "\n")

type cdrGot struct {
	line int
	ev   model.Event
}

func translateCDR(t *testing.T, input string, opt CDROptions) ([]cdrGot, error) {
	t.Helper()
	var out []cdrGot
	err := TranslateCDR(strings.NewReader(input), opt, func(line int, ev model.Event) error {
		out = append(out, cdrGot{line, ev})
		return nil
	})
	return out, err
}

func byInteraction(gs []cdrGot) map[string][]model.Event {
	m := map[string][]model.Event{}
	for _, g := range gs {
		m[g.ev.Interaction] = append(m[g.ev.Interaction], g.ev)
	}
	return m
}

func saoPaulo(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	return loc
}

func fptr(v float64) *float64 { return &v }

func TestCDRMasterCSV(t *testing.T) {
	loc := saoPaulo(t) // UTC-3: 10:00 local is 13:00Z
	gs, err := translateCDR(t, masterCSV, CDROptions{Location: loc, Call: CallOptions{QueueLegs: true}})
	var problems Problems
	if !errors.As(err, &problems) {
		t.Fatalf("want Problems, got %v", err)
	}
	if len(problems) != 2 || problems[0].Line != 7 || !strings.Contains(problems[0].Reason, "bad start date") ||
		problems[1].Line != 8 || !strings.Contains(problems[1].Reason, "got 5") {
		t.Fatalf("problems: %+v", problems)
	}
	calls := byInteraction(gs)
	if len(calls) != 4 {
		t.Fatalf("%d calls: %v", len(calls), calls)
	}
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tp := func(s string) *time.Time { tm := utc(s); return &tm }

	// A: one answered leg.
	leg := "ast:1759669200.1:PJSIP/1001-00000002"
	want := []model.Event{
		{ID: "cdr:1759669200.1:1:interaction.created", Type: model.TypeInteractionCreated, At: utc("2026-10-05T13:00:00Z"),
			Interaction: "1759669200.1", Media: model.MediaVoice, Direction: "inbound", From: "11987654321", To: "551130001000"},
		{ID: "cdr:1759669200.1:1:interaction.entered_omni", Type: model.TypeEnteredOmni, At: utc("2026-10-05T13:00:00Z"), Interaction: "1759669200.1"},
		{ID: "cdr:1759669200.1:1:leg.queued", Type: model.TypeLegQueued, At: utc("2026-10-05T13:00:00Z"), Interaction: "1759669200.1", Leg: leg, ServiceID: "suporte"},
		{ID: "cdr:1759669200.1:1:leg.delivered", Type: model.TypeLegDelivered, At: utc("2026-10-05T13:00:12Z"), Interaction: "1759669200.1", Leg: leg, AgentID: "PJSIP/1001"},
		{ID: "cdr:1759669200.1:1:call.updated", Type: model.TypeCallUpdated, At: utc("2026-10-05T13:03:12Z"), Interaction: "1759669200.1", Leg: leg,
			DialedNumber: "551130001000", ExternalChannel: "PJSIP/trunk-00000001", InternalChannel: "PJSIP/1001-00000002",
			AnsweredAt: tp("2026-10-05T13:00:12Z"), ClientHangupAt: tp("2026-10-05T13:03:12Z"), VoiceStatus: "answered",
			JitterMs: fptr(12.5), PacketLossPct: fptr(0), RttMs: fptr(45)},
		{ID: "cdr:1759669200.1:1:leg.finished", Type: model.TypeLegFinished, At: utc("2026-10-05T13:03:12Z"), Interaction: "1759669200.1", Leg: leg, Status: "service completed"},
	}
	if got := calls["1759669200.1"]; !reflect.DeepEqual(got, want) {
		t.Errorf("A:\n got %s\nwant %s", jsAll(got), jsAll(want))
	}

	// B: unanswered: no delivery, no answer time, no_answer, dequeued.
	b := calls["1759669500.3"]
	types := func(evs []model.Event) (out []string) {
		for _, e := range evs {
			out = append(out, e.Type)
		}
		return out
	}
	if got := types(b); !reflect.DeepEqual(got, []string{"interaction.created", "interaction.entered_omni", "leg.queued", "call.updated", "leg.finished"}) {
		t.Fatalf("B types %v", got)
	}
	if cu := b[3]; cu.AnsweredAt != nil || cu.VoiceStatus != "no_answer" || cu.InternalChannel != "" || cu.JitterMs != nil || b[2].ServiceID != "vendas" {
		t.Errorf("B call.updated %s", js(cu))
	}
	if b[4].Status != "dequeued" {
		t.Errorf("B finished %s", js(b[4]))
	}

	// C: grouped by linkedid, ordered by sequence; the IVR row is no leg.
	c := calls["1759672800.5"]
	if c[0].Type != model.TypeInteractionCreated || !c[0].At.Equal(utc("2026-10-05T14:00:00Z")) || c[0].ID != "cdr:1759672800.5:7:interaction.created" {
		t.Errorf("C created %s", js(c[0]))
	}
	var legs []string
	agents := map[string]string{}
	for _, e := range c {
		if e.Type == model.TypeLegQueued {
			legs = append(legs, e.Leg+"@"+e.ServiceID)
		}
		if e.Type == model.TypeLegDelivered {
			agents[e.Leg] = e.AgentID
		}
	}
	if !reflect.DeepEqual(legs, []string{"ast:1759672800.5:PJSIP/1001-00000006@suporte", "ast:1759672800.5:PJSIP/1003-00000008@from-external"}) {
		t.Errorf("C legs %v", legs)
	}
	if agents["ast:1759672800.5:PJSIP/1001-00000006"] != "PJSIP/1001" || agents["ast:1759672800.5:PJSIP/1003-00000008"] != "PJSIP/1003" {
		t.Errorf("C agents %v", agents)
	}

	// D: outbound: the trunk is the external channel, the extension the agent.
	d := calls["1759676400.10"]
	if d[0].Direction != "outbound" || d[0].From != "1002" || d[0].To != "11999998888" {
		t.Errorf("D created %s", js(d[0]))
	}
	for _, e := range d {
		if e.Type == model.TypeCallUpdated && (e.ExternalChannel != "PJSIP/trunk-0000000b" || e.InternalChannel != "PJSIP/1002-0000000a" || e.VoiceStatus != "not_connected") {
			t.Errorf("D call.updated %s", js(e))
		}
		if e.Type == model.TypeLegDelivered {
			t.Errorf("D was never answered: %s", js(e))
		}
	}

	// Every event passes rastro's own validation, and ids are unique.
	var body bytes.Buffer
	seen := map[string]bool{}
	for _, g := range gs {
		if seen[g.ev.ID] {
			t.Errorf("duplicate id %s", g.ev.ID)
		}
		seen[g.ev.ID] = true
		bs, _ := json.Marshal(g.ev)
		body.Write(append(bs, '\n'))
	}
	if decoded, _, err := ingest.Decode(body.Bytes(), ingest.Options{}); err != nil || len(decoded) != len(gs) {
		t.Fatalf("ingest.Decode: %d of %d, %v", len(decoded), len(gs), err)
	}

	// Same input, same events (an idempotent re-import).
	again, _ := translateCDR(t, masterCSV, CDROptions{Location: loc, Call: CallOptions{QueueLegs: true}})
	if !reflect.DeepEqual(again, gs) {
		t.Error("a second translation differs")
	}

	// The rows rastro derives.
	type row struct{ leg, service, agent, status, voice string }
	for ix, wantRows := range map[string][]row{
		"1759669200.1": {{"ast:1759669200.1:PJSIP/1001-00000002", "suporte", "PJSIP/1001", "service completed", "answered"}},
		"1759669500.3": {{"ast:1759669500.3:PJSIP/trunk-00000003", "vendas", "", "dequeued", "no_answer"}},
		"1759672800.5": {
			{"ast:1759672800.5:PJSIP/1001-00000006", "suporte", "PJSIP/1001", "service completed", "answered"},
			{"ast:1759672800.5:PJSIP/1003-00000008", "from-external", "PJSIP/1003", "service completed", "answered"},
		},
	} {
		var got []row
		for _, r := range metrics.DeriveInteraction(calls[ix], "", nil, metrics.Config{}).Legs {
			got = append(got, row{r.LegID, r.ServiceID, r.AgentID, r.Status, r.VoiceStatus})
		}
		if !reflect.DeepEqual(got, wantRows) {
			t.Errorf("%s rows:\n got %+v\nwant %+v", ix, got, wantRows)
		}
	}
}

func jsAll(evs []model.Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString("\n  " + js(e))
	}
	return b.String()
}

// Bytes that are not UTF-8 are read as Latin-1, and the row is kept.
func TestCDRLatin1(t *testing.T) {
	in := "\"\",\"\",\"551130001000\",\"from-external\",\"\"\"Jo\xe3o Concei\xe7\xe3o\"\" <1133334444>\",\"PJSIP/trunk-00000001\",\"PJSIP/1001-00000002\",\"Queue\",\"atendimento-s\xe3o,t\",\"2026-10-05 10:00:00\",\"2026-10-05 10:00:10\",\"2026-10-05 10:01:00\",60,50,\"ANSWERED\",\"DOCUMENTATION\",\"1759669200.7\",\"\"\n"
	gs, err := translateCDR(t, in, CDROptions{Call: CallOptions{QueueLegs: true}}) // 18 columns, UTC
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 6 {
		t.Fatalf("%d events", len(gs))
	}
	created, queued := gs[0].ev, gs[2].ev
	if created.From != "1133334444" || !created.At.Equal(time.Date(2026, 10, 5, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("created %s", js(created))
	}
	if queued.ServiceID != "atendimento-são" {
		t.Errorf("service %q", queued.ServiceID)
	}
	if got := decodeBytes("Jo\xe3o"); got != "João" {
		t.Errorf("decode %q", got)
	}
	if got := decodeBytes("João"); got != "João" { // UTF-8 kept as is
		t.Errorf("decode %q", got)
	}
	// Without sequence (18 columns) the id carries a hash of the row.
	if !strings.HasPrefix(created.ID, "cdr:1759669200.7:") || len(created.ID) > 128 {
		t.Errorf("id %q", created.ID)
	}
}

// A cdr_custom layout named with --cdr-columns: epoch dates, a voice
// server variable and an RTPAUDIOQOS column of Asterisk 13+.
func TestCDRCustomColumns(t *testing.T) {
	cols, err := ParseCDRColumns("start,-,clid,src,dst,channel,dstchannel,answer,end,disposition,uniqueid,linkedid,sequence,voice_server,rtpaudioqos")
	if err != nil {
		t.Fatal(err)
	}
	in := `1759669200,"ignored","""Maria"" <11987654321>","11987654321","551130001000","SIP/operadora-00000010","SIP/2001-00000011",1759669205,1759669300,"ANSWERED","1759669200.20","1759669200.20",3,"pbx-sp-01","ssrc=1434620421;themssrc=2097362830;lp=12;rxjitter=0.002125;rxcount=1188;txjitter=0.084000;txcount=970;rlp=30;rtt=14818.700000;rxmes=0.000000;txmes=0.000000"` + "\r\n"
	gs, err := translateCDR(t, in, CDROptions{Columns: cols})
	if err != nil {
		t.Fatal(err)
	}
	var cu *model.Event
	for i := range gs {
		if gs[i].ev.Type == model.TypeCallUpdated {
			cu = &gs[i].ev
		}
	}
	if cu == nil {
		t.Fatal("no call.updated")
	}
	// jitter 1000 × max(0.002125, 0.084) = 84 ms; loss 100 × max(12/1200,
	// 30/1000) = 3 %; rtt 14818.7 s is absurd: unknown.
	if cu.VoiceServer != "pbx-sp-01" || *cu.JitterMs != 84 || *cu.PacketLossPct != 3 || cu.RttMs != nil ||
		!cu.AnsweredAt.Equal(time.Unix(1759669205, 0)) || cu.ExternalChannel != "SIP/operadora-00000010" {
		t.Errorf("call.updated %s", js(*cu))
	}
	if metrics.JitterClass(*cu.JitterMs) != metrics.QualityMedium || metrics.PacketLossClass(*cu.PacketLossPct) != metrics.QualityMedium {
		t.Errorf("classes")
	}
	// A zero start is no start.
	zero := strings.Replace(in, "1759669200,", "0,", 1)
	if _, err := translateCDR(t, zero, CDROptions{Columns: cols}); err == nil || !strings.Contains(err.Error(), "line 1: bad start date") {
		t.Errorf("zero start: %v", err)
	}
	// The map fixes the width.
	_, err = translateCDR(t, in+`1759669200,"x"`+"\n", CDROptions{Columns: cols})
	var problems Problems
	if !errors.As(err, &problems) || len(problems) != 1 || problems[0].Line != 2 || !strings.Contains(problems[0].Reason, "expected 15 columns") {
		t.Errorf("problems %v", err)
	}
	for _, bad := range []string{"src,dst", "start,src,start,uniqueid", "start,,uniqueid", "start,uniqueid,dstchanel"} {
		if _, err := ParseCDRColumns(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseRTPQoS(t *testing.T) {
	for _, c := range []struct {
		in                string
		jitter, loss, rtt *float64
		ok                bool
	}{
		// Asterisk 1.4/1.6 (RTPAUDIOQOS of chan_sip).
		{"ssrc=1176785330;themssrc=3421409553;lp=0;rxjitter=0.000000;rxcount=1003;txjitter=0.000000;txcount=1003;rlp=0;rtt=0.000000", fptr(0), fptr(0), fptr(0), true},
		// Asterisk 13+: more keys, loss on the receive side.
		{"ssrc=209367040;themssrc=3364816624;lp=50;rxjitter=0.160000;rxcount=950;txjitter=0.010000;txcount=1000;rlp=0;rtt=0.120000;rxmes=3.1;txmes=4.2", fptr(160), fptr(5), fptr(120), true},
		// Missing keys: only what is there.
		{"rxjitter=0.03;lp=1", fptr(30), nil, nil, true},
		// Negative loss (duplicates) counts as none; absurd rtt ignored.
		{"lp=-3;rxcount=100;rtt=20", nil, fptr(0), nil, true},
		{"hello world", nil, nil, nil, false},
		{"", nil, nil, nil, false},
	} {
		q, ok := ParseRTPQoS(c.in)
		if ok != c.ok || !reflect.DeepEqual(q.JitterMs, c.jitter) || !reflect.DeepEqual(q.PacketLossPct, c.loss) || !reflect.DeepEqual(q.RttMs, c.rtt) {
			t.Errorf("%q: %v %v %v %v", c.in, ok, deref(q.JitterMs), deref(q.PacketLossPct), deref(q.RttMs))
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// The 19-column layout of cdr_custom.conf.sample is recognised by width.
func TestCDRCustomSampleLayout(t *testing.T) {
	in := `"""Maria"" <11987654321>","11987654321","551130001000","from-external","PJSIP/trunk-00000001","PJSIP/1001-00000002","Dial","PJSIP/1001,30","2026-10-05 10:00:00","2026-10-05 10:00:05","2026-10-05 10:01:00","60","55","ANSWERED","DOCUMENTATION","","1759669200.30","","2"` + "\n"
	gs, err := translateCDR(t, in, CDROptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 6 || gs[2].ev.Leg != "ast:1759669200.30:PJSIP/1001-00000002" || gs[3].ev.AgentID != "PJSIP/1001" {
		t.Errorf("%s", jsAll(func() (o []model.Event) {
			for _, g := range gs {
				o = append(o, g.ev)
			}
			return
		}()))
	}
}

func TestCDRDevice(t *testing.T) {
	for in, want := range map[string]string{
		"PJSIP/1001-0000002a":          "PJSIP/1001",
		"SIP/trunk-op-00000001":        "SIP/trunk-op",
		"Local/1001@from-queue-0001;2": "Local/1001@from-queue",
		"DAHDI/1-1":                    "DAHDI/1",
		"":                             "",
	} {
		if got := device(in); got != want {
			t.Errorf("%q: %q", in, got)
		}
	}
}
