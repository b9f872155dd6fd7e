package asterisk

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
)

func translateCELFile(t *testing.T, data []byte, opt CELOptions) []model.Event {
	t.Helper()
	var out []model.Event
	err := TranslateCEL(bytes.NewReader(data), opt, func(_ int, ev model.Event) error {
		out = append(out, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func celFixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/cel_custom_legacy.csv")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The CEL of a blind transfer: two legs named by the channels they reached,
// the first transferred into the second; the caller hung up (hangupsource)
// so DATA FINALIZAÇÃO CLIENTE is set and AGENTE is not; an unanswered call
// the caller gave up on (dialstatus CANCEL) is abandoned.
func TestCELBlindTransferMakesTwoLegsAndTheHangupSourceTellsWhoEnded(t *testing.T) {
	evs := translateCELFile(t, celFixture(t), CELOptions{Call: CallOptions{VoiceServer: "pbx-sp-01"}})
	calls := map[string][]model.Event{}
	for _, e := range evs {
		calls[e.Interaction] = append(calls[e.Interaction], e)
	}
	if len(calls) != 2 {
		t.Fatalf("%d calls", len(calls))
	}
	type row struct{ leg, service, agent, status, voice string }
	x := metrics.DeriveInteraction(calls["1791208800.20"], "", nil, metrics.Config{})
	var got []row
	for _, r := range x.Legs {
		got = append(got, row{r.LegID, r.ServiceID, r.AgentID, r.Status, r.VoiceStatus})
	}
	want := []row{
		{"ast:1791208800.20:PJSIP/1001-00000011", "from-external", "PJSIP/1001", "service transferred", "answered"},
		{"ast:1791208800.20:PJSIP/1003-00000013", "from-external", "PJSIP/1003", "service completed", "answered"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("legs:\n got %+v\nwant %+v", got, want)
	}
	var created model.Event
	var last model.Event
	for _, e := range calls["1791208800.20"] {
		if e.Type == model.TypeInteractionCreated {
			created = e
		}
		// PJSIP/1001 transferred and hung itself up (1791208860.002):
		// the agent left its leg; the caller stayed on the call.
		if e.Type == model.TypeCallUpdated && e.Leg == want[0].leg &&
			(e.AgentHangupAt == nil || e.AgentHangupAt.UnixMilli() != 1791208860002 || e.ClientHangupAt != nil) {
			t.Errorf("transferred leg's hang-ups %s", js(e))
		}
		if e.Type == model.TypeCallUpdated && e.Leg == want[1].leg {
			last = e
		}
	}
	if created.Direction != "inbound" || created.From != "11987654321" || created.To != "551130002000" || created.At.Unix() != 1791208800 {
		t.Errorf("created %s", js(created))
	}
	if last.ClientHangupAt == nil || last.ClientHangupAt.Unix() != 1791208980 || last.AgentHangupAt != nil ||
		last.AnsweredAt == nil || last.AnsweredAt.Unix() != 1791208864 || last.ExternalChannel != "PJSIP/trunk-00000010" ||
		last.InternalChannel != "PJSIP/1003-00000013" || last.VoiceServer != "pbx-sp-01" || last.DialedNumber != "551130002000" ||
		last.JitterMs == nil || *last.JitterMs != 2 || last.RttMs == nil || *last.RttMs != 20 {
		t.Errorf("second leg's call facts %s", js(last))
	}

	y := metrics.DeriveInteraction(calls["1791209400.30"], "", nil, metrics.Config{})
	if len(y.Legs) != 1 || y.Legs[0].Status != "abandoned" || y.Legs[0].VoiceStatus != "abandoned" || y.Legs[0].AgentID != "" {
		t.Fatalf("unanswered call: %+v", y.Legs)
	}
	for _, e := range calls["1791209400.30"] {
		if e.Type == model.TypeInteractionCreated && e.From != "1133334444" {
			t.Errorf("created %s", js(e))
		}
	}

	// Every event passes rastro's validation; ids are unique.
	var body bytes.Buffer
	seen := map[string]bool{}
	for _, e := range evs {
		if seen[e.ID] {
			t.Errorf("duplicate id %s", e.ID)
		}
		seen[e.ID] = true
		b, _ := json.Marshal(e)
		body.Write(append(b, '\n'))
	}
	if decoded, _, err := ingest.Decode(body.Bytes(), ingest.Options{}); err != nil || len(decoded) != len(evs) {
		t.Fatalf("ingest.Decode: %d of %d, %v", len(decoded), len(evs), err)
	}
}

// Asterisk orders CEL rows only per channel, and a dump may come newest
// first: the same rows in any order give the same events.
func TestCELDumpNewestFirstGivesTheSameEvents(t *testing.T) {
	data := celFixture(t)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
		lines[i], lines[j] = lines[j], lines[i]
	}
	reversed := strings.Join(lines, "\n") + "\n"
	ids := func(evs []model.Event) []string {
		var out []string
		for _, e := range evs {
			b, _ := json.Marshal(e)
			out = append(out, string(b))
		}
		sort.Strings(out)
		return out
	}
	a := ids(translateCELFile(t, data, CELOptions{}))
	b := ids(translateCELFile(t, []byte(reversed), CELOptions{}))
	if !reflect.DeepEqual(a, b) {
		t.Errorf("newest first differs:\n%v\n%v", a, b)
	}
}

// The advanced mapping of cel_custom.conf.sample (24 columns) is
// recognised by width; a line of another width, a bad time and bad extra
// JSON are problems with their line numbers.
func TestCELAdvancedLayoutAndBadLines(t *testing.T) {
	// EventType,EventEnum,"My Literal",EventTime,UserEventName,CIDName,CIDNum,Exten,Context,ChanName,AppName,AppData,AMAFlags,AcctCode,UniqueID,UserField,CIDani,CIDrdnis,CIDdnid,Peer,LinkedID,PeerAcct,Extra,TenantID
	in := `"CHAN_START","CHAN_START","My Literal","1791210000.000000","","Ana","21955556666","551130003000","from-external","PJSIP/trunk-00000020","","","3","","1791210000.40","","21955556666","","551130003000","","1791210000.40","","",""
"HANGUP","HANGUP","My Literal","1791210030.000000","","Ana","21955556666","551130003000","from-external","PJSIP/trunk-00000020","","","3","","1791210000.40","","21955556666","","551130003000","","1791210000.40","","{""hangupcause"":16,""hangupsource"":""PJSIP/trunk-00000020"",""dialstatus"":""""}",""
"HANGUP","HANGUP","My Literal","yesterday","","Ana","2","5","ctx","PJSIP/x-1","","","3","","1.1","","","","","","1.1","","",""
"HANGUP","HANGUP","My Literal","1791210030.000000","","Ana","2","5","ctx","PJSIP/x-1","","","3","","1.1","","","","","","1.1","","{broken",""
"CHAN_START","x"
`
	var evs []model.Event
	err := TranslateCEL(strings.NewReader(in), CELOptions{}, func(_ int, ev model.Event) error {
		evs = append(evs, ev)
		return nil
	})
	var problems Problems
	if !errors.As(err, &problems) || len(problems) != 3 || problems[0].Line != 3 || problems[1].Line != 4 || problems[2].Line != 5 ||
		!strings.Contains(problems[0].Reason, "bad eventtime") || !strings.Contains(problems[1].Reason, "extra is not JSON") {
		t.Fatalf("problems %v", err)
	}
	d := metrics.DeriveInteraction(evs, "", nil, metrics.Config{})
	if len(d.Legs) != 1 || d.Legs[0].LegID != "ast:1791210000.40:PJSIP/trunk-00000020" {
		t.Fatalf("a call nobody was dialled to is one leg, the caller's: %+v", d.Legs)
	}
}

// legShape is what a transfer must give a call's legs whatever its kind:
// who held each leg, how it ended, and which leg the transfer opened.
type legShape struct{ agent, status, voice, transferredTo string }

func celLegShapes(t *testing.T, evs []model.Event, ix string) ([]legShape, metrics.Interaction) {
	t.Helper()
	var call []model.Event
	to := map[string]string{}
	for _, e := range evs {
		if e.Interaction != ix {
			continue
		}
		call = append(call, e)
		if e.Type == model.TypeLegTransferred {
			to[e.Leg] = e.NewLeg
		}
	}
	x := metrics.DeriveInteraction(call, "", nil, metrics.Config{})
	index := map[string]string{}
	for i, l := range x.Legs {
		index[l.LegID] = "leg " + string(rune('1'+i))
	}
	var out []legShape
	for _, l := range x.Legs {
		out = append(out, legShape{l.AgentID, l.Status, l.VoiceStatus, index[to[l.LegID]]})
	}
	return out, x
}

// An attended transfer (features.conf atxfer: PJSIP/1001 consults 1003
// through a Local pair that optimises itself out, then completes) gives the
// legs a blind transfer gives: the transferer's leg transferred into the
// consulted agent's, which the caller ends. The Local halves are no legs;
// the consulted leg starts and is answered for the caller at the transfer,
// not when 1003 picked up the consultation call.
func TestCELAttendedTransferMakesTheLegsOfABlindTransfer(t *testing.T) {
	data, err := os.ReadFile("testdata/cel_attended_transfer.csv")
	if err != nil {
		t.Fatal(err)
	}
	evs := translateCELFile(t, data, CELOptions{})
	got, x := celLegShapes(t, evs, "1791212400.50")
	blind, _ := celLegShapes(t, translateCELFile(t, celFixture(t), CELOptions{}), "1791208800.20")
	want := []legShape{
		{"PJSIP/1001", "service transferred", "answered", "leg 2"},
		{"PJSIP/1003", "service completed", "answered", ""},
	}
	if !reflect.DeepEqual(blind, want) {
		t.Fatalf("blind transfer legs %+v, want %+v", blind, want)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("attended transfer legs:\n got %+v\nwant %+v (the blind transfer's)", got, want)
	}
	first, second := x.Legs[0], x.Legs[1]
	if first.LegID != "ast:1791212400.50:PJSIP/1001-00000031" || second.LegID != "ast:1791212400.50:PJSIP/1003-00000032" {
		t.Errorf("leg ids %s, %s", first.LegID, second.LegID)
	}
	// ATTENDEDTRANSFER at +70 s ends leg 1 and opens leg 2; the caller
	// hangs up at +200 s (hangupsource = the trunk).
	const at = 1791212400
	if first.AnsweredAt == nil || first.AnsweredAt.Unix() != at+5 || first.FinishedAt.Unix() != at+70 {
		t.Errorf("leg 1 answered %v finished %v", first.AnsweredAt, first.FinishedAt)
	}
	if second.EnteredAt.Unix() != at+70 || second.AnsweredAt == nil || second.AnsweredAt.Unix() != at+70 || second.FinishedAt.Unix() != at+200 {
		t.Errorf("leg 2 entered %v answered %v finished %v", second.EnteredAt, second.AnsweredAt, second.FinishedAt)
	}
	for _, e := range evs {
		if e.Type == model.TypeCallUpdated && e.Leg == second.LegID {
			if e.ClientHangupAt == nil || e.ClientHangupAt.Unix() != at+200 || e.AgentHangupAt != nil ||
				e.ExternalChannel != "PJSIP/trunk-00000030" || e.InternalChannel != "PJSIP/1003-00000032" {
				t.Errorf("leg 2 call facts %s", js(e))
			}
		}
		if e.Type == model.TypeCallUpdated && e.Leg == first.LegID &&
			(e.AgentHangupAt == nil || e.AgentHangupAt.UnixMilli() != (at+70)*1000+3 || e.ClientHangupAt != nil) {
			t.Errorf("leg 1 (the transferer's) hang-ups %s", js(e))
		}
		if strings.Contains(e.Leg, "Local/") {
			t.Errorf("a Local half became a leg: %s", js(e))
		}
	}
}

// celCustomLayout is a cel_custom.conf mapping of an installation's own:
// fields in another order, a literal rastro does not read ("-"), and
// neither CALLERID(ANI) nor the AMA flags.
const celCustomLayout = "eventtime,eventtype,-,linkedid,uniqueid,channame,cidnum,cidname,ciddnid,exten,context,appname,appdata,peer,userfield,extra"

// reproject rewrites the legacy fixture's rows in the columns of layout
// ("-" writes the literal "pbx-sp").
func reproject(t *testing.T, legacy []byte, layout string) []byte {
	t.Helper()
	cr := csv.NewReader(bytes.NewReader(legacy))
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cw := csv.NewWriter(&out)
	for _, rec := range recs {
		byName := map[string]string{}
		for i, c := range CELColumnsLegacy {
			byName[c] = rec[i]
		}
		var row []string
		for _, c := range strings.Split(layout, ",") {
			if c == "-" {
				row = append(row, "pbx-sp")
				continue
			}
			row = append(row, byName[c])
		}
		if err := cw.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	cw.Flush()
	return out.Bytes()
}

// --cel-columns: the fixture's calls written in a custom mapping give the
// same Rastreio legs as the sample's legacy mapping (event ids differ: they
// hash the row as written).
func TestCELCustomColumnsGiveTheLegsOfTheSampleLayout(t *testing.T) {
	cols, err := ParseCELColumns(celCustomLayout)
	if err != nil {
		t.Fatal(err)
	}
	legacy := celFixture(t)
	custom := reproject(t, legacy, celCustomLayout)
	a := translateCELFile(t, legacy, CELOptions{})
	b := translateCELFile(t, custom, CELOptions{Columns: cols})
	if len(a) != len(b) {
		t.Fatalf("%d events from the sample layout, %d from the custom one", len(a), len(b))
	}
	for _, ix := range []string{"1791208800.20", "1791209400.30"} {
		pick := func(evs []model.Event) []model.Event {
			var out []model.Event
			for _, e := range evs {
				if e.Interaction == ix {
					out = append(out, e)
				}
			}
			return out
		}
		x := metrics.DeriveInteraction(pick(a), "P", nil, metrics.Config{})
		y := metrics.DeriveInteraction(pick(b), "P", nil, metrics.Config{})
		if len(x.Legs) == 0 || !reflect.DeepEqual(x.Legs, y.Legs) {
			t.Errorf("call %s:\nsample %+v\ncustom %+v", ix, x.Legs, y.Legs)
		}
	}
	// Without the map the custom width is refused, naming the flag.
	err = TranslateCEL(bytes.NewReader(custom), CELOptions{}, func(int, model.Event) error { return nil })
	var problems Problems
	if !errors.As(err, &problems) || problems[0].Line != 1 || !strings.Contains(problems[0].Reason, "--cel-columns") {
		t.Fatalf("custom layout without --cel-columns: %v", err)
	}
}

func TestCELColumnsListIsCheckedBeforeReading(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"eventtype,eventtime,uniqueid,linkedid,channame,,extra", "column 6 has no name"},
		{"eventtype,eventtime,uniqueid,linkedid,channame,hangupcause", `column 6: unknown CEL field "hangupcause"`},
		{"eventtype,eventtime,uniqueid,linkedid,channame,eventtime", `column "eventtime" named twice`},
		{"eventtype,eventtime,uniqueid,channame,extra", "must include linkedid"},
	} {
		if _, err := ParseCELColumns(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.in, err, c.want)
		}
	}
	if cols, err := ParseCELColumns(" EventType , EventTime,-,UniqueID,LinkedID,ChanName"); err != nil ||
		!reflect.DeepEqual(cols, []string{"eventtype", "eventtime", "-", "uniqueid", "linkedid", "channame"}) {
		t.Errorf("names are case-insensitive and trimmed: %v %v", cols, err)
	}
}
