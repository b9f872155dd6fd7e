package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

func historyTimeline() *tb {
	return newTB("chat-h").
		created("15:00:00", "chat", nil).
		msg("15:00:10", "", "client").
		queued("15:00:04", "L1", "svc-sac").
		delivered("15:01:04", "L1", "ag-carla").
		add(model.TypeMessage, "15:01:20", func(e *model.Event) {
			e.Leg, e.Sender, e.AgentID, e.Text = "L1", "agent", "ag-carla", "Olá"
			e.Attachment = &model.Attachment{Name: "fatura.pdf", Mime: "application/pdf", URL: "https://x/f.pdf"}
		}).
		hold("15:02:00", "L1", "personal_queue").
		holdEnd("15:03:00", "L1").
		transfer("15:04:00", "L1", "L2", "svc-fin", "").
		queued("15:04:00", "L2", "svc-fin").
		delivered("15:05:00", "L2", "ag-bruno").
		msg("15:05:30", "", "agent").
		finished("15:06:00", "L2", "service completed", func(e *model.Event) { e.Tags = []string{"tg"} })
}

func TestHistoryShowsThePathAndMessages(t *testing.T) {
	dir := stdDir()
	dir.tags["tg"] = "Resolvido"
	h := BuildHistory(historyTimeline().evs, "", dir, Config{}, false)
	if h.Protocol != ProtocolBase("chat", time.Date(2025, 6, 2, 15, 0, 0, 0, DefaultTZ)) || h.Media != "chat" || h.Call != nil {
		t.Errorf("header = %+v", h)
	}
	if len(h.Legs) != 2 || h.Legs[0].Status != "service transferred" || h.Legs[1].ServiceName != "Financeiro" ||
		h.Legs[1].AgentName != "Bruno Lima" || h.Legs[1].EnteredAt == nil || h.Legs[1].FinishedAt == nil {
		t.Errorf("legs = %+v", h.Legs)
	}
	var kinds, details []string
	for _, e := range h.Entries {
		kinds = append(kinds, e.Kind)
		if e.Detail != "" {
			details = append(details, e.Detail)
		}
	}
	wantKinds := "queued message delivered started message hold hold_end transfer queued delivered started message finished"
	if got := strings.Join(kinds, " "); got != wantKinds {
		t.Errorf("kinds =\n%s\nwant\n%s", got, wantKinds)
	}
	all := strings.Join(details, "|")
	for _, want := range []string{
		"Atendimento Iniciado (2025-06-02 15:00:04)",
		"Transferido de Carla Dias para o serviço Financeiro",
		"Atendimento Iniciado (2025-06-02 15:04:00)",
		"Entregue ao agente Bruno Lima",
		"Atendimento finalizado (service completed) — tags: Resolvido",
		"Em fila pessoal",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing detail %q in %s", want, all)
		}
	}
	// The leg-less agent message belongs to Bruno's leg.
	last := h.Entries[len(h.Entries)-2]
	if last.Kind != "message" || last.LegID != "L2" || last.AgentName != "Bruno Lima" || last.ServiceName != "Financeiro" {
		t.Errorf("last message = %+v", last)
	}
	if h.Entries[1].LegID != "L1" || h.Entries[1].Sender != "client" {
		t.Errorf("first message = %+v", h.Entries[1])
	}
	if a := h.Entries[4].Attachment; a == nil || a.Name != "fatura.pdf" || h.Entries[4].AgentName != "Carla Dias" {
		t.Errorf("attachment entry = %+v", h.Entries[4])
	}
}

func TestHistoryDescendingIsTheReverse(t *testing.T) {
	asc := BuildHistory(historyTimeline().evs, "P-1", stdDir(), Config{}, false)
	desc := BuildHistory(historyTimeline().evs, "P-1", stdDir(), Config{}, true)
	if desc.Protocol != "P-1" || len(asc.Entries) != len(desc.Entries) {
		t.Fatal("lengths differ")
	}
	for i := range asc.Entries {
		a, d := asc.Entries[i], desc.Entries[len(desc.Entries)-1-i]
		if a.Kind != d.Kind || !a.At.Equal(d.At) || a.Detail != d.Detail {
			t.Errorf("entry %d: %+v vs %+v", i, a, d)
		}
	}
	for i := 1; i < len(desc.Entries); i++ {
		if desc.Entries[i].At.After(desc.Entries[i-1].At) {
			t.Errorf("desc not descending at %d", i)
		}
	}
}

func TestHistoryVoiceCallDetails(t *testing.T) {
	ans := time.Date(2025, 6, 2, 10, 0, 10, 0, DefaultTZ)
	hang := time.Date(2025, 6, 2, 10, 3, 0, 0, DefaultTZ)
	b := newTB("call-h").
		created("10:00:00", "voice", func(e *model.Event) { e.Direction, e.From, e.To = "inbound", "5511987651234", "1005" })
	ivrEnter(b, "10:00:01", "ura")
	ivrLeft(b, "10:00:04", "ura", "transferred", "svc-sac")
	b.queued("10:00:04", "L1", "svc-sac").delivered("10:00:08", "L1", "ag-carla").
		call("10:00:10", "", func(e *model.Event) { e.AnsweredAt = &ans; e.JitterMs = fp(20); e.RttMs = fp(40) }).
		call("10:03:01", "L1", func(e *model.Event) {
			e.AnsweredAt = &ans // repeated: one entry only
			e.ClientHangupAt = &hang
			e.PacketLossPct, e.RecordingURL, e.VoiceStatus = fp(6), "https://rec/2.wav", "answered"
		}).
		finished("10:03:05", "L1", "service completed", nil)
	h := BuildHistory(b.evs, "", stdDir(), Config{}, false)
	c := h.Call
	if c == nil || c.Direction != "inbound" || c.To != "1005" || c.RecordingURL != "https://rec/2.wav" ||
		c.Quality != "Baixa" || c.AnsweredAt == nil || !c.ClientHangupAt.Equal(hang) || secs(c.RttMs) != 40 || c.VoiceStatus != "answered" {
		t.Errorf("call = %+v", c)
	}
	// MOS ESTIMADO of the merged facts, as the Rastreio: Le = 40/2 + 2×20
	// + 10 = 70 ms → R = 93.2 − 70/40 − 2.5×6 = 76.45 → MOS 3.88.
	if got := FormatMOS(c.MOS); got != "3,9" {
		t.Errorf("call MOS %q, want 3,9", got)
	}
	calls, ivr := 0, 0
	for _, e := range h.Entries {
		switch e.Kind {
		case "call":
			calls++
		case "ivr":
			ivr++
		case "started":
			t.Error("'Atendimento Iniciado' is for chat only")
		}
	}
	if calls != 2 || ivr != 2 {
		t.Errorf("call entries %d ivr entries %d", calls, ivr)
	}
}
