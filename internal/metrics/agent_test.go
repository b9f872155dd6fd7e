package metrics

import (
	"math/rand"
	"reflect"
	"testing"

	"github.com/rastro/rastro/internal/model"
)

func agentTB() *tb { return newTB("") }

func (b *tb) agent(typ, at string, media, reason string) *tb {
	return b.add(typ, at, func(e *model.Event) { e.Interaction, e.AgentID, e.Media, e.Reason = "", "ag-carla", media, reason })
}

func TestAgentSpansTwoLoginsThreePausesAcrossHours(t *testing.T) {
	b := agentTB().
		agent(model.TypeAgentLogin, "08:30:00", "", "").
		agent(model.TypeAgentPauseStart, "08:50:00", "", "café").
		agent(model.TypeAgentPauseEnd, "09:10:00", "", ""). // 10 min in 08, 10 min in 09
		agent(model.TypeAgentPauseStart, "09:30:00", "", "banheiro").
		agent(model.TypeAgentPauseEnd, "09:35:00", "", "").
		agent(model.TypeAgentLogout, "10:15:00", "", ""). // login 08:30–10:15
		agent(model.TypeAgentLogin, "13:00:00", "whatsapp", "").
		agent(model.TypeAgentPauseStart, "13:40:00", "", "almoço").
		agent(model.TypeAgentLogout, "14:20:00", "whatsapp", "") // ends the pause too
	got := DeriveAgentSpans(b.evs, Config{})
	want := []model.AgentSpan{
		{AgentID: "ag-carla", Kind: "login", Media: "", Bucket: "2025-06-02 08", Seconds: 1800},
		{AgentID: "ag-carla", Kind: "pause", Reason: "café", Bucket: "2025-06-02 08", Seconds: 600},
		{AgentID: "ag-carla", Kind: "pause_in", Reason: "café", Bucket: "2025-06-02 08", Seconds: 600}, // inside the login without media
		{AgentID: "ag-carla", Kind: "login", Media: "", Bucket: "2025-06-02 09", Seconds: 3600},
		{AgentID: "ag-carla", Kind: "pause", Reason: "banheiro", Bucket: "2025-06-02 09", Seconds: 300},
		{AgentID: "ag-carla", Kind: "pause", Reason: "café", Bucket: "2025-06-02 09", Seconds: 600},
		{AgentID: "ag-carla", Kind: "pause_in", Reason: "banheiro", Bucket: "2025-06-02 09", Seconds: 300},
		{AgentID: "ag-carla", Kind: "pause_in", Reason: "café", Bucket: "2025-06-02 09", Seconds: 600},
		{AgentID: "ag-carla", Kind: "login", Media: "", Bucket: "2025-06-02 10", Seconds: 900},
		{AgentID: "ag-carla", Kind: "login", Media: "whatsapp", Bucket: "2025-06-02 13", Seconds: 3600},
		{AgentID: "ag-carla", Kind: "pause", Reason: "almoço", Bucket: "2025-06-02 13", Seconds: 1200},
		{AgentID: "ag-carla", Kind: "pause_in", Media: "whatsapp", Reason: "almoço", Bucket: "2025-06-02 13", Seconds: 1200},
		{AgentID: "ag-carla", Kind: "login", Media: "whatsapp", Bucket: "2025-06-02 14", Seconds: 1200},
		{AgentID: "ag-carla", Kind: "pause", Reason: "almoço", Bucket: "2025-06-02 14", Seconds: 1200},
		{AgentID: "ag-carla", Kind: "pause_in", Media: "whatsapp", Reason: "almoço", Bucket: "2025-06-02 14", Seconds: 1200},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("spans =\n%+v\nwant\n%+v", got, want)
	}
	evs := append([]model.Event(nil), b.evs...)
	rand.New(rand.NewSource(5)).Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	if again := DeriveAgentSpans(evs, Config{}); !reflect.DeepEqual(again, want) {
		t.Errorf("shuffled differs: %+v", again)
	}
}

func TestAgentSpansUnclosedPeriodsAreNotCounted(t *testing.T) {
	b := agentTB().
		agent(model.TypeAgentLogin, "08:00:00", "chat", "").
		agent(model.TypeAgentPauseStart, "08:10:00", "", "café")
	if got := DeriveAgentSpans(b.evs, Config{}); len(got) != 0 {
		t.Errorf("spans = %+v, want none", got)
	}
}

func TestAgentSpansPerMediaLogout(t *testing.T) {
	b := agentTB().
		agent(model.TypeAgentLogin, "08:00:00", "chat", "").
		agent(model.TypeAgentLogin, "08:00:00", "whatsapp", "").
		agent(model.TypeAgentLogin, "08:05:00", "chat", ""). // already logged in: ignored
		agent(model.TypeAgentLogout, "08:20:00", "chat", "").
		agent(model.TypeAgentPauseStart, "08:30:00", "", "pausa").
		agent(model.TypeAgentPauseStart, "08:40:00", "", "feedback"). // change of reason
		agent(model.TypeAgentPauseEnd, "08:45:00", "", "").
		agent(model.TypeAgentLogout, "08:50:00", "", "") // closes whatsapp
	got := DeriveAgentSpans(b.evs, Config{})
	want := []model.AgentSpan{
		{AgentID: "ag-carla", Kind: "login", Media: "chat", Bucket: "2025-06-02 08", Seconds: 1200},
		{AgentID: "ag-carla", Kind: "login", Media: "whatsapp", Bucket: "2025-06-02 08", Seconds: 3000},
		{AgentID: "ag-carla", Kind: "pause", Reason: "feedback", Bucket: "2025-06-02 08", Seconds: 300},
		{AgentID: "ag-carla", Kind: "pause", Reason: "pausa", Bucket: "2025-06-02 08", Seconds: 600},
		// Chat was logged out by then: the pauses are WhatsApp's only.
		{AgentID: "ag-carla", Kind: "pause_in", Media: "whatsapp", Reason: "feedback", Bucket: "2025-06-02 08", Seconds: 300},
		{AgentID: "ag-carla", Kind: "pause_in", Media: "whatsapp", Reason: "pausa", Bucket: "2025-06-02 08", Seconds: 600},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("spans =\n%+v\nwant\n%+v", got, want)
	}
}

func TestAgentSpansCrossMidnightInTenantZone(t *testing.T) {
	b := agentTB().
		agent(model.TypeAgentLogin, "23:45:00", "", "").
		agent(model.TypeAgentLogout, "2025-06-03T00:15:00-03:00", "", "")
	got := DeriveAgentSpans(b.evs, Config{})
	if len(got) != 2 || got[0].Bucket != "2025-06-02 23" || got[1].Bucket != "2025-06-03 00" || got[0].Seconds != 900 || got[1].Seconds != 900 {
		t.Errorf("spans = %+v", got)
	}
}
