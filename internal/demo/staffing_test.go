package demo

import (
	"context"
	"math"
	"testing"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
)

// monthLoad derives every interaction of a demo month with the report
// rules (metrics.DeriveInteraction) and adds up, per media, the legs'
// DURAÇÃO in seconds; legs counts every finished leg of the month.
func monthLoad(t *testing.T, opt Options) (load map[string]float64, legs int) {
	t.Helper()
	byInteraction := map[string][]model.Event{}
	if err := Generate(context.Background(), opt, func(e model.Event) error {
		if e.Interaction != "" && e.Type != model.TypeBotEnded {
			byInteraction[e.Interaction] = append(byInteraction[e.Interaction], e)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	load = map[string]float64{}
	for _, evs := range byInteraction {
		ix := metrics.DeriveInteraction(evs, "", nil, metrics.Config{})
		for _, l := range ix.Legs {
			legs++
			if l.Duration != nil {
				load[l.Media] += *l.Duration
			}
		}
	}
	return load, legs
}

// The staffing plan sizes each media's team from loadPerLeg: those figures
// must be what the generator really produces, or the occupancy drifts.
func TestStaffingLoadMatchesTheGeneratedMonth(t *testing.T) {
	load, legs := monthLoad(t, Options{Legs: 20000})
	for _, m := range staffMedia {
		got := load[m] / float64(legs)
		t.Logf("%s: %.1f s of DURAÇÃO per leg of the month (planned %.0f)", m, got, loadPerLeg[m])
		if math.Abs(got-loadPerLeg[m]) > 0.12*loadPerLeg[m] {
			t.Errorf("%s: the month brings %.1f s of DURAÇÃO per leg, the plan assumes %.0f (loadPerLeg)", m, got, loadPerLeg[m])
		}
	}
}
