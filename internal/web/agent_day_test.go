package web

import (
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
)

// TestAgentDayPrintsASpanFromTheDayBeforeInThePagesDateFormat: a login that
// began before the day shown prints its full date as every other page does
// (pt-BR 30/09/2026 22:00:00, English 2026-09-30 22:00:00); times inside
// the day print the clock only.
func TestAgentDayPrintsASpanFromTheDayBeforeInThePagesDateFormat(t *testing.T) {
	loc := time.FixedZone("BRT", -3*3600)
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, loc)
	before := time.Date(2026, 9, 30, 22, 0, 0, 0, loc)
	end := time.Date(2026, 10, 1, 6, 30, 0, 0, loc)
	d := report.AgentDay{AgentID: "ag1", Agent: "Ana", Day: "2026-10-01", Start: start, End: start.AddDate(0, 0, 1),
		Entries: []report.AgentDayEntry{{Kind: report.AgentDayLogin, Start: before, End: &end}}}
	for lang, want := range map[string]string{"pt": "30/09/2026 22:00:00", "en": "2026-09-30 22:00:00"} {
		var v agentDayView
		v.fill(pageIn(lang), d, func(string) (model.Media, bool) { return model.Media{}, false }, "/agentes")
		if len(v.Rows) != 1 {
			t.Fatalf("%s: %d rows, want 1", lang, len(v.Rows))
		}
		if got := v.Rows[0]; got.Start != want || got.End != "06:30:00" || !got.StartsBefore {
			t.Errorf("%s: start %q end %q startsBefore %v, want %q, 06:30:00, true", lang, got.Start, got.End, got.StartsBefore, want)
		}
	}
}
