package metrics

import (
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

func TestEstimatedMOSFollowsTheEModel(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		name              string
		rtt, jitter, loss *float64
		want              string
	}{
		// Le = 0 + 0 + 10 → R = 92.95 → MOS 4.409…
		{"perfect line", f(0), f(0), f(0), "4,4"},
		{"no RTT counts as no delay", nil, f(0), f(0), "4,4"},
		// Le = 50 + 40 + 10 = 100 → R = 90.7 → MOS 4.356…
		{"100 ms RTT, 20 ms jitter", f(100), f(20), f(0), "4,4"},
		// Le = 100 + 60 + 10 = 170 ≥ 160 → R = 93.2 − 5 = 88.2 → MOS 4.29…
		{"200 ms RTT, 30 ms jitter", f(200), f(30), f(0), "4,3"},
		// Le = 150 + 2×60 + 10 = 280 → R = 93.2 − 16 = 77.2; −2.5×3 = 69.7 → MOS 3.57…
		{"long delay, 3 % loss", f(300), f(60), f(3), "3,6"},
		// R = 93.2 − 0.25 − 25 = 67.95 → MOS 3.51…
		{"10 % loss", f(0), f(0), f(10), "3,5"},
		{"40 % loss floors at 1,0", f(0), f(0), f(40), "1,0"},
		{"absurd RTT is ignored", f(14818.7), f(0), f(0), "4,4"},
		{"unknown jitter", f(10), nil, f(0), ""},
		{"unknown loss", f(10), f(1), nil, ""},
	}
	for _, c := range cases {
		if got := FormatMOS(EstimatedMOS(c.rtt, c.jitter, c.loss)); got != c.want {
			t.Errorf("%s: MOS %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCallFirstMessageIsItsAnswerAndMOSIsAVoiceColumn(t *testing.T) {
	at := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339, "2026-10-05T"+s+"-03:00"); return tm }
	f := func(v float64) *float64 { return &v }
	answered := at("10:00:07")
	evs := []model.Event{
		{ID: "1", Type: model.TypeInteractionCreated, At: at("10:00:00"), Interaction: "c", Media: model.MediaVoice, Direction: "inbound"},
		{ID: "2", Type: model.TypeLegQueued, At: at("10:00:01"), Interaction: "c", Leg: "l", ServiceID: "s"},
		{ID: "3", Type: model.TypeLegDelivered, At: at("10:00:05"), Interaction: "c", Leg: "l", AgentID: "a"},
		{ID: "4", Type: model.TypeCallUpdated, At: at("10:00:07"), Interaction: "c", Leg: "l", AnsweredAt: &answered, JitterMs: f(30), PacketLossPct: f(0), RttMs: f(200)},
		{ID: "5", Type: model.TypeLegFinished, At: at("10:03:00"), Interaction: "c", Leg: "l", Status: "service completed"},
	}
	d := DeriveInteraction(evs, "20261005130000", newTestDir(), Config{TZ: time.FixedZone("BRT", -3*3600)})
	if len(d.Legs) != 1 {
		t.Fatalf("%d legs", len(d.Legs))
	}
	cols := model.ColumnsFor(model.MediaVoice)
	cell := func(h string) string {
		for i, c := range cols {
			if c == h {
				return d.Legs[0].Cells[i]
			}
		}
		t.Fatalf("no column %s", h)
		return ""
	}
	if got := cell("DATA PRIMEIRA MENSAGEM"); got != "2026-10-05 10:00:07" {
		t.Errorf("DATA PRIMEIRA MENSAGEM = %q, want the answer time", got)
	}
	if got := cell("MOS ESTIMADO"); got != "4,3" {
		t.Errorf("MOS ESTIMADO = %q", got)
	}
	if cols[len(cols)-1] != "MOS ESTIMADO" || len(cols) != 37 {
		t.Errorf("voice columns end %v (%d)", cols[len(cols)-1], len(cols))
	}
	for _, m := range []string{model.MediaChat, model.MediaWhatsApp, model.MediaEmail} {
		for _, c := range model.ColumnsFor(m) {
			if c == "MOS ESTIMADO" {
				t.Errorf("%s has MOS ESTIMADO", m)
			}
		}
	}
}
