package metrics

import (
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

func TestEmptyInputsDoNotPanic(t *testing.T) {
	ix := DeriveInteraction(nil, "", nil, Config{})
	if len(ix.Legs) != 0 || len(ix.IVRVisits) != 0 || ix.ProtocolBase != "" {
		t.Errorf("ix = %+v", ix)
	}
	h := BuildHistory(nil, "", nil, Config{}, true)
	if len(h.Entries) != 0 || h.Call != nil {
		t.Errorf("history = %+v", h)
	}
	if got := DeriveAgentSpans(nil, Config{}); len(got) != 0 {
		t.Errorf("spans = %+v", got)
	}
	if c := DeriveBotConversation(nil, Config{}); c.Messages != 0 || c.LocalDate != "" {
		t.Errorf("bot = %+v", c)
	}
}

func TestCellsHaveTheColumnsOfEachMedia(t *testing.T) {
	for _, m := range model.DefaultMedia {
		b := newTB("c-"+m.ID).created("10:00:00", m.ID, nil).delivered("10:00:05", "L1", "ag-carla").
			finished("10:01:00", "L1", "service completed", nil)
		r := oneLeg(t, derive(b, Config{}))
		if len(r.Cells) != len(model.ColumnsFor(m.ID)) || r.Media != m.ID {
			t.Errorf("%s: %d cells, %d columns", m.ID, len(r.Cells), len(model.ColumnsFor(m.ID)))
		}
		if cell(t, r, "DURAÇÃO") != "00:00:55" || cell(t, r, "ORIGEM") != "Portal" || cell(t, r, "STATUS") != "service completed" {
			t.Errorf("%s: %q", m.ID, r.Cells)
		}
	}
}

func TestResultsDoNotAliasEvents(t *testing.T) {
	ans := time.Date(2025, 6, 2, 10, 0, 10, 0, DefaultTZ)
	b := newTB("alias").created("10:00:00", "voice", nil).delivered("10:00:05", "L1", "ag-carla").
		call("10:00:10", "L1", func(e *model.Event) { e.AnsweredAt = &ans }).
		finished("10:01:00", "L1", "service completed", nil)
	r := oneLeg(t, derive(b, Config{}))
	ans = ans.Add(time.Hour)
	if r.AnsweredAt.Equal(ans) {
		t.Error("AnsweredAt aliases the event")
	}
}

func TestSplitHoursKeepsTotalAcrossDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no zone database")
	}
	for _, tc := range []struct{ from, to string }{
		{"2025-03-09T06:30:00Z", "2025-03-09T08:30:00Z"}, // spring forward
		{"2025-11-02T05:30:00Z", "2025-11-02T07:30:00Z"}, // fall back
	} {
		a, _ := time.Parse(time.RFC3339, tc.from)
		b, _ := time.Parse(time.RFC3339, tc.to)
		total := 0.0
		for _, p := range splitHours(a, b, ny) {
			total += p.seconds
			if p.seconds <= 0 { // a fall-back local hour may last two real hours
				t.Errorf("%s: piece %+v", tc.from, p)
			}
		}
		if total != 7200 {
			t.Errorf("%s: total %v", tc.from, total)
		}
	}
}

func TestConfigWindowDefaults(t *testing.T) {
	c := Config{ExpirationWindow: map[string]time.Duration{"sms": 2 * time.Hour}}
	if c.Window("whatsapp") != 24*time.Hour || c.Window("chat") != 24*time.Hour || c.Window("voice") != 0 ||
		c.Window("sms") != 2*time.Hour || c.Window("fax") != 0 {
		t.Error("windows")
	}
	if (Config{}).Location() != DefaultTZ || DefaultTZ == nil {
		t.Error("default zone")
	}
}
