package asterisk

import (
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

func sortedJSON(evs []model.Event) []string {
	var out []string
	for _, e := range evs {
		b, _ := json.Marshal(e)
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

// streamAll feeds text to a Stream one line at a time and flushes at the
// end, as a follower that found the whole file at once.
func streamAll(t *testing.T, text string, mk func(emit func(int, model.Event) error) Stream) ([]model.Event, []int) {
	t.Helper()
	var evs []model.Event
	var bad []int
	s := mk(func(_ int, ev model.Event) error { evs = append(evs, ev); return nil })
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		problem, err := s.Line(i+1, line)
		if err != nil {
			t.Fatal(err)
		}
		if problem != "" {
			bad = append(bad, i+1)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	return evs, bad
}

// A follower's line-at-a-time translation gives the events, ids included,
// of translating the whole file at once, for the three formats.
func TestStreamsGiveTheEventsOfAWholeFile(t *testing.T) {
	loc := saoPaulo(t)

	// CEL, in the time order a live file has.
	data := string(celFixture(t))
	whole := translateCELFile(t, []byte(data), CELOptions{})
	got, bad := streamAll(t, data, func(emit func(int, model.Event) error) Stream { return NewCELStream(CELOptions{}, emit) })
	if !reflect.DeepEqual(sortedJSON(got), sortedJSON(whole)) || len(bad) != 0 {
		t.Errorf("CEL stream differs (bad lines %v):\n%v\n%v", bad, sortedJSON(got), sortedJSON(whole))
	}

	// CDR, malformed lines reported by number and skipped.
	gs, _ := translateCDR(t, masterCSV, CDROptions{Location: loc})
	var wholeCDR []model.Event
	for _, g := range gs {
		wholeCDR = append(wholeCDR, g.ev)
	}
	got, bad = streamAll(t, masterCSV, func(emit func(int, model.Event) error) Stream {
		return NewCDRStream(CDROptions{Location: loc}, emit)
	})
	if !reflect.DeepEqual(sortedJSON(got), sortedJSON(wholeCDR)) || !reflect.DeepEqual(bad, []int{7, 8}) {
		t.Errorf("CDR stream differs (bad lines %v)", bad)
	}

	// queue_log.
	ql := "1791205205|1.1|NONE|NONE|DID|551130001000\n1791205220|1.1|suporte|NONE|ENTERQUEUE||11987654321|1\nnonsense\n" +
		"1791205230|1.1|suporte|PJSIP/1001|CONNECT|10|1.2|8\n1791205300|1.1|suporte|PJSIP/1001|COMPLETEAGENT|10|70|1\n"
	var wholeQL []model.Event
	_ = Translate(strings.NewReader(ql), Options{Location: time.UTC}, func(_ int, ev model.Event) error { wholeQL = append(wholeQL, ev); return nil })
	got, bad = streamAll(t, ql, func(emit func(int, model.Event) error) Stream { return NewQueueLogStream(Options{}, emit) })
	if !reflect.DeepEqual(sortedJSON(got), sortedJSON(wholeQL)) || !reflect.DeepEqual(bad, []int{3}) || len(got) == 0 {
		t.Errorf("queue_log stream differs (bad lines %v)", bad)
	}
}

// A follower reads an attended transfer and a custom --cel-columns layout
// as a whole-file import does.
func TestCELStreamReadsAttendedTransfersAndCustomColumns(t *testing.T) {
	attended, err := os.ReadFile("testdata/cel_attended_transfer.csv")
	if err != nil {
		t.Fatal(err)
	}
	cols, err := ParseCELColumns(celCustomLayout)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
		opt  CELOptions
	}{
		{"attended transfer", attended, CELOptions{}},
		{"custom columns", reproject(t, celFixture(t), celCustomLayout), CELOptions{Columns: cols}},
	} {
		whole := translateCELFile(t, c.data, c.opt)
		got, bad := streamAll(t, string(c.data), func(emit func(int, model.Event) error) Stream { return NewCELStream(c.opt, emit) })
		if len(whole) == 0 || len(bad) != 0 || !reflect.DeepEqual(sortedJSON(got), sortedJSON(whole)) {
			t.Errorf("%s: stream differs (bad lines %v):\n%v\n%v", c.name, bad, sortedJSON(got), sortedJSON(whole))
		}
	}
}
