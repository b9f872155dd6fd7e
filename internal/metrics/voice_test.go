package metrics

import (
	"math/rand"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

func TestVoiceDurationUsesAnswerAndFirstHangup(t *testing.T) {
	answered := time.Date(2025, 6, 2, 10, 0, 10, 0, DefaultTZ)
	client := time.Date(2025, 6, 2, 10, 5, 0, 0, DefaultTZ)
	agent := time.Date(2025, 6, 2, 10, 5, 3, 0, DefaultTZ)
	b := newTB("call-1").
		created("10:00:00", "voice", func(e *model.Event) {
			e.Direction, e.From, e.To, e.ContactID = "inbound", "+55 11 98765-1234", "4004-1000", "ct-ze"
		}).
		queued("10:00:01", "L1", "svc-sac").
		delivered("10:00:05", "L1", "ag-carla").
		call("10:00:10", "", func(e *model.Event) { e.AnsweredAt = &answered; e.VoiceServer = "pbx1"; e.JitterMs = fp(80) }).
		finished("10:06:00", "L1", "service completed", nil).
		// The CDR arrives after finalization, without leg: it applies to the leg.
		call("10:06:30", "", func(e *model.Event) {
			e.ClientHangupAt, e.AgentHangupAt = &client, &agent
			e.PacketLossPct, e.VoiceStatus, e.RecordingURL = fp(0.5), "answered", "https://rec/1.wav"
			e.DialedNumber, e.ExternalChannel, e.InternalChannel = "5511400410000", "PJSIP/ext-1", "PJSIP/int-1"
		})
	r := oneLeg(t, derive(b, Config{}))
	want := map[string]string{
		"DURAÇÃO":                  "00:04:50",
		"DATA ATENDIDA":            "2025-06-02 10:00:10",
		"DATA FINALIZADA":          "2025-06-02 10:05:00",
		"DATA FINALIZAÇÃO CLIENTE": "02-06-2025 10:05:00",
		"DATA FINALIZAÇÃO AGENTE":  "02-06-2025 10:05:03",
		"TIPO":                     "inbound",
		"PARA":                     "4004-1000",
		"A PARTIR DE":              "+55 11 98765-1234",
		"JITTER":                   "Média",
		"PERDA DE PACOTE":          "Alta",
		"QUALIDADE DE CHAMADA":     "Média",
		"SERVIDOR DE VOZ":          "pbx1",
		"NÚMERO DISCADO":           "5511400410000",
		"NOME DO CANAL EXTERNO":    "PJSIP/ext-1",
		"NOME DO CANAL INTERNO":    "PJSIP/int-1",
		"TMP":                      "", "TMI": "", "TM1R": "", "TMR": "",
		"STATUS DE EXPIRAÇÃO": "",
		"PROTOCOLO":           "20250602130000",
	}
	for h, w := range want {
		if got := cell(t, r, h); got != w {
			t.Errorf("%s = %q, want %q", h, got, w)
		}
	}
	if r.VoiceStatus != "answered" || r.RecordingURL != "https://rec/1.wav" || r.Direction != "inbound" || r.Expired != nil {
		t.Errorf("typed voice fields: %+v", r)
	}
	if !r.FinishedAt.Equal(client) || !r.AnsweredAt.Equal(answered) {
		t.Errorf("AnsweredAt %v FinishedAt %v", r.AnsweredAt, r.FinishedAt)
	}
	wantPhones := []string{"5511987651234", "40041000"}
	if !equalStrings(r.Phones, wantPhones) {
		t.Errorf("Phones = %v, want %v", r.Phones, wantPhones)
	}
}

func TestVoiceWithoutAnswerOrHangupUsesDeliveryAndFinalization(t *testing.T) {
	b := newTB("call-2").
		created("10:00:00", "voice", nil).
		delivered("10:00:05", "L1", "ag-carla").
		finished("10:01:05", "L1", "service completed", nil)
	r := oneLeg(t, derive(b, Config{}))
	if cell(t, r, "DURAÇÃO") != "00:01:00" || cell(t, r, "QUALIDADE DE CHAMADA") != "" || cell(t, r, "DATA FINALIZAÇÃO CLIENTE") != "" {
		t.Errorf("DURAÇÃO %q", cell(t, r, "DURAÇÃO"))
	}
}

func TestVoiceOnlyColumnsEmptyForOtherMedia(t *testing.T) {
	b := newTB("ix-5").
		created("10:00:00", "chat", func(e *model.Event) { e.Direction, e.From, e.To = "inbound", "5511", "4004" }).
		delivered("10:00:05", "L1", "ag-carla").
		call("10:00:06", "L1", func(e *model.Event) { e.JitterMs, e.VoiceServer = fp(10), "pbx" }).
		finished("10:01:05", "L1", "service completed", nil)
	r := oneLeg(t, derive(b, Config{}))
	for _, h := range []string{"TIPO", "PARA", "JITTER", "PERDA DE PACOTE", "QUALIDADE DE CHAMADA", "SERVIDOR DE VOZ",
		"NÚMERO DISCADO", "NOME DO CANAL EXTERNO", "NOME DO CANAL INTERNO", "DATA FINALIZAÇÃO CLIENTE", "DATA FINALIZAÇÃO AGENTE"} {
		if got := cell(t, r, h); got != "" {
			t.Errorf("%s = %q, want empty", h, got)
		}
	}
	if cell(t, r, "A PARTIR DE") != "5511" || r.Direction != "" {
		t.Errorf("A PARTIR DE %q direction %q", cell(t, r, "A PARTIR DE"), r.Direction)
	}
}

// A leg.finished without leg (a CDR or CEL that sees the call end but not
// the name of the leg a transfer opened) ends the leg current then while
// it is open, and is nothing once that leg has ended: the transfer's new
// leg, left open by its source, is finished at the call's end; a second
// leg-less finish after it, or one after a named finish, changes nothing,
// in any arrival order.
func TestLegFinishedWithoutLegEndsOnlyTheLegStillOpen(t *testing.T) {
	b := newTB("call-x").
		created("10:00:00", "voice", nil).
		queued("10:00:02", "L1", "svc-sac").
		delivered("10:00:08", "L1", "ag-carla").
		transfer("10:01:30", "L1", "L2", "", "").
		call("10:04:00", "", func(e *model.Event) { e.InternalChannel = "PJSIP/1003-1" }).
		finished("10:04:00", "", "service completed", nil).
		finished("10:04:05", "", "dequeued", nil)
	base := derive(b, Config{})
	if len(base.Legs) != 2 {
		t.Fatalf("legs = %d, want the transferred leg and the one the call's end finished", len(base.Legs))
	}
	for h, w := range map[string]string{"STATUS": "service transferred", "DATA FINALIZADA": "2025-06-02 10:01:30"} {
		if got := cell(t, base.Legs[0], h); got != w {
			t.Errorf("leg 1 %s = %q, want %q", h, got, w)
		}
	}
	for h, w := range map[string]string{"STATUS": "service completed", "DATA FINALIZADA": "2025-06-02 10:04:00",
		"SERVIÇO": "SAC", "NOME DO CANAL INTERNO": "PJSIP/1003-1", "HORA": "10:01:30"} {
		if got := cell(t, base.Legs[1], h); got != w {
			t.Errorf("leg 2 %s = %q, want %q", h, got, w)
		}
	}
	rng := rand.New(rand.NewSource(16))
	for i := 0; i < 30; i++ {
		sh := append([]model.Event(nil), b.evs...)
		rng.Shuffle(len(sh), func(a, c int) { sh[a], sh[c] = sh[c], sh[a] })
		for j := range sh {
			sh[j].Seq = int64(j + 1)
		}
		got := DeriveInteraction(sh, "", stdDir(), Config{})
		if len(got.Legs) != 2 || !equalStrings(got.Legs[1].Cells, base.Legs[1].Cells) {
			t.Fatalf("shuffle %d: %v", i, got.Legs)
		}
	}

	// A leg its own source finished keeps that finish: the leg-less one
	// at the same instant or later finds no open leg.
	named := newTB("call-y").
		created("10:00:00", "voice", nil).
		queued("10:00:02", "L1", "svc-sac").
		delivered("10:00:08", "L1", "ag-carla").
		finished("10:00:30", "", "service completed", nil).
		finished("10:00:30", "L1", "abandoned", nil).
		finished("10:02:00", "", "service completed", nil)
	r := oneLeg(t, derive(named, Config{}))
	if got := cell(t, r, "STATUS"); got != "abandoned" {
		t.Errorf("STATUS = %q, want the named finish's abandoned", got)
	}
	h := BuildHistory(named.evs, "", stdDir(), Config{}, false)
	n := 0
	for _, e := range h.Entries {
		if e.Kind == EntryFinished {
			n++
		}
	}
	if n != 1 {
		t.Errorf("history has %d finish entries, want 1 (leg-less finishes of no open leg are not shown)", n)
	}
}
