package metrics

import (
	"reflect"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// Per-media logged-in time (LoggedInSeconds) over hand-built timelines of
// ag-carla on 2025-06-02 (UTC: Config{}).

// mediaCase is a selection of media (nil: every media) and the figure it
// gives.
type mediaCase[T any] struct {
	name  string
	media []string
	want  T
}

// checkPerMedia derives the spans of b's timeline and checks what figure
// (LoggedInSeconds, PausedSeconds) gives for each case's media.
func checkPerMedia[T any](t *testing.T, b *tb, what string, figure func([]model.AgentSpan, []string) T, cases []mediaCase[T]) {
	t.Helper()
	spans := DeriveAgentSpans(b.evs, Config{})
	for _, c := range cases {
		if got := figure(spans, c.media); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %s %v, want %v", c.name, what, got, c.want)
		}
	}
}

func TestVoiceLoginCountsOnlyForVoz(t *testing.T) {
	b := agentTB().
		agent(model.TypeAgentLogin, "08:00:00", "voice", "").
		agent(model.TypeAgentLogout, "09:30:00", "voice", "") // 1 h 30 of Voz
	checkPerMedia(t, b, "logged in (s)", LoggedInSeconds, []mediaCase[float64]{
		{"Voz", []string{"voice"}, 5400},
		{"Chat", []string{"chat"}, 0},
		{"WhatsApp and E-mail", []string{"whatsapp", "email"}, 0},
		{"Voz and Chat", []string{"voice", "chat"}, 5400},
		{"every media", nil, 5400},
	})
}

func TestLoginWithoutMediaCountsForEveryMedia(t *testing.T) {
	b := agentTB().
		agent(model.TypeAgentLogin, "08:00:00", "", "").
		agent(model.TypeAgentLogout, "09:00:00", "", ""). // 1 h of every media
		agent(model.TypeAgentLogin, "10:00:00", "chat", "").
		agent(model.TypeAgentLogout, "10:20:00", "chat", "") // 20 min of Chat
	checkPerMedia(t, b, "logged in (s)", LoggedInSeconds, []mediaCase[float64]{
		{"Voz", []string{"voice"}, 3600},
		{"Chat", []string{"chat"}, 3600 + 1200},
		{"Instagram", []string{"instagram"}, 3600},
		{"every media", nil, 3600 + 1200},
	})
}

func TestLoginsOfTwoSelectedMediaAtOnceCountOnce(t *testing.T) {
	// Voz 08:00–09:00 and Chat 08:30–09:00 at once, plus the all-media
	// login 08:45–09:00: per hour the longest selected span counts.
	b := agentTB().
		agent(model.TypeAgentLogin, "08:00:00", "voice", "").
		agent(model.TypeAgentLogin, "08:30:00", "chat", "").
		agent(model.TypeAgentLogin, "08:45:00", "", "").
		agent(model.TypeAgentLogout, "09:00:00", "", "")
	checkPerMedia(t, b, "logged in (s)", LoggedInSeconds, []mediaCase[float64]{
		{"Voz and Chat", []string{"voice", "chat"}, 3600},
		{"Chat", []string{"chat"}, 1800},
		{"SMS: only the all-media login", []string{"sms"}, 900},
	})
}

func TestAgentPeriodsListLoginsAndPausesInOrderOpenOnesLast(t *testing.T) {
	b := agentTB().
		agent(model.TypeAgentLogin, "08:00:00", "voice", "").
		agent(model.TypeAgentPauseStart, "08:30:00", "", "Café").
		agent(model.TypeAgentPauseStart, "08:40:00", "", "Banheiro"). // a change of reason
		agent(model.TypeAgentPauseEnd, "08:45:00", "", "").
		agent(model.TypeAgentLogin, "09:00:00", "chat", "").
		agent(model.TypeAgentLogout, "10:00:00", "voice", "").
		agent(model.TypeAgentPauseStart, "10:30:00", "", "Almoço")
	at := func(s string) time.Time { return b.at(s) }
	end := func(s string) *time.Time { v := at(s); return &v }
	got := AgentPeriods(b.evs)
	want := []AgentPeriod{
		{Kind: SpanLogin, Media: "voice", Start: at("08:00:00"), End: end("10:00:00")},
		{Kind: SpanPause, Reason: "Café", Start: at("08:30:00"), End: end("08:40:00")},
		{Kind: SpanPause, Reason: "Banheiro", Start: at("08:40:00"), End: end("08:45:00")},
		{Kind: SpanLogin, Media: "chat", Start: at("09:00:00")},    // still open
		{Kind: SpanPause, Reason: "Almoço", Start: at("10:30:00")}, // still open
	}
	if len(got) != len(want) {
		t.Fatalf("periods = %+v", got)
	}
	for i, w := range want {
		g := got[i]
		if g.AgentID != "ag-carla" || g.Kind != w.Kind || g.Media != w.Media || g.Reason != w.Reason || !g.Start.Equal(w.Start) ||
			(g.End == nil) != (w.End == nil) || (g.End != nil && !g.End.Equal(*w.End)) {
			t.Errorf("period %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestPauseCountsForAMediaOnlyInsideItsLogins(t *testing.T) {
	// Chat 08:00–10:00, Voz 09:00–11:00, no login 11:00–12:00; pauses
	// Café 08:30–08:40 (Chat), Feedback 09:50–10:10 (Chat then only Voz),
	// Almoço 11:10–11:40 (no login at all).
	b := agentTB().
		agent(model.TypeAgentLogin, "08:00:00", "chat", "").
		agent(model.TypeAgentPauseStart, "08:30:00", "", "Café").
		agent(model.TypeAgentPauseEnd, "08:40:00", "", "").
		agent(model.TypeAgentLogin, "09:00:00", "voice", "").
		agent(model.TypeAgentPauseStart, "09:50:00", "", "Feedback").
		agent(model.TypeAgentLogout, "10:00:00", "chat", "").
		agent(model.TypeAgentPauseEnd, "10:10:00", "", "").
		agent(model.TypeAgentLogout, "11:00:00", "voice", "").
		agent(model.TypeAgentPauseStart, "11:10:00", "", "Almoço").
		agent(model.TypeAgentPauseEnd, "11:40:00", "", "")
	checkPerMedia(t, b, "pauses", PausedSeconds, []mediaCase[map[string]float64]{
		{"every media: every pause whole", nil, map[string]float64{"Café": 600, "Feedback": 1200, "Almoço": 1800}},
		{"Voz", []string{"voice"}, map[string]float64{"Feedback": 1200}},
		{"Chat", []string{"chat"}, map[string]float64{"Café": 600, "Feedback": 600}},
		// Per hour the longest part: 09 Feedback 600 (both), 10 Feedback 600 (Voz).
		{"Voz and Chat", []string{"voice", "chat"}, map[string]float64{"Café": 600, "Feedback": 1200}},
		{"WhatsApp", []string{"whatsapp"}, map[string]float64{}},
	})
}

func TestPauseInsideALoginWithoutMediaCountsForEveryMedia(t *testing.T) {
	b := agentTB().
		agent(model.TypeAgentLogin, "08:00:00", "", "").
		agent(model.TypeAgentPauseStart, "08:30:00", "", "Banheiro").
		agent(model.TypeAgentPauseEnd, "08:35:00", "", "").
		agent(model.TypeAgentLogout, "09:00:00", "", "")
	banheiro := map[string]float64{"Banheiro": 300}
	checkPerMedia(t, b, "pauses", PausedSeconds, []mediaCase[map[string]float64]{
		{"Voz", []string{"voice"}, banheiro},
		{"WhatsApp", []string{"whatsapp"}, banheiro},
		{"E-mail", []string{"email"}, banheiro},
	})
}
