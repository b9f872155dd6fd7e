package metrics

import (
	"testing"
)

func TestTMIAddsEveryHoldPeriod(t *testing.T) {
	b := chatBase("chat").
		msg("10:00:30", "", "client").
		msg("10:01:10", "L1", "agent").
		hold("10:02:00", "L1", "hold").holdEnd("10:03:00", "L1").           // 60 s
		hold("10:04:00", "L1", "personal_queue").holdEnd("10:06:00", "L1"). // 120 s
		hold("10:07:00", "L1", "hold").                                     // open: ends at finalization, 120 s
		finished("10:09:00", "L1", "service completed", nil)
	r := oneLeg(t, derive(b, Config{}))
	if secs(r.TMI) != 300 || cell(t, r, "TMI") != "00:05:00" {
		t.Errorf("TMI = %v %q, want 300", secs(r.TMI), cell(t, r, "TMI"))
	}
	if secs(r.Duration) != 480 || secs(r.TMP) != 180 || cell(t, r, "TMP") != "00:03:00" {
		t.Errorf("DURAÇÃO %v TMP %v, want 480 and 180", secs(r.Duration), secs(r.TMP))
	}
}

func TestHoldEndsWhenClientWritesAgain(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    *tb
		tmi  float64
	}{
		{"client message before hold_ended", chatBase("whatsapp").
			hold("10:02:00", "L1", "hold").
			msg("10:02:30", "", "client"). // ends the hold (leg-less message of the current leg)
			holdEnd("10:04:00", "L1").
			finished("10:05:00", "L1", "service completed", nil), 30},
		{"hold_ended before client message", chatBase("whatsapp").
			hold("10:02:00", "L1", "hold").
			holdEnd("10:02:10", "L1").
			msg("10:02:30", "L1", "client").
			finished("10:05:00", "L1", "service completed", nil), 10},
		{"agent message does not end the hold", chatBase("chat").
			hold("10:02:00", "L1", "personal_queue").
			msg("10:02:30", "L1", "agent").
			holdEnd("10:03:00", "L1").
			finished("10:05:00", "L1", "service completed", nil), 60},
		{"client message at the same instant as the start does not end it", chatBase("chat").
			hold("10:02:00", "L1", "hold").
			msg("10:02:00", "L1", "client").
			holdEnd("10:03:00", "L1").
			finished("10:05:00", "L1", "service completed", nil), 60},
		{"no holds: TMI is zero, not empty", chatBase("chat").
			finished("10:05:00", "L1", "service completed", nil), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := oneLeg(t, derive(tc.b, Config{}))
			if r.TMI == nil || *r.TMI != tc.tmi {
				t.Errorf("TMI = %v, want %v", secs(r.TMI), tc.tmi)
			}
			if want := 240 - tc.tmi; secs(r.TMP) != want {
				t.Errorf("TMP = %v, want %v", secs(r.TMP), want)
			}
		})
	}
}

func TestTMPAndTMIOnlyForChatAndWhatsApp(t *testing.T) {
	for _, media := range []string{"email", "sms", "instagram", "reclameaqui", "voice"} {
		b := chatBase(media).
			hold("10:02:00", "L1", "hold").holdEnd("10:03:00", "L1").
			finished("10:05:00", "L1", "service completed", nil)
		r := oneLeg(t, derive(b, Config{}))
		if r.TMP != nil || r.TMI != nil || cell(t, r, "TMP") != "" || cell(t, r, "TMI") != "" {
			t.Errorf("%s: TMP/TMI = %v/%v %q/%q, want empty", media, r.TMP, r.TMI, cell(t, r, "TMP"), cell(t, r, "TMI"))
		}
	}
}

func TestTM1RRunsFromDeliveryToFirstAgentMessage(t *testing.T) {
	for _, tc := range []struct {
		name      string
		media     string
		msgs      func(b *tb) *tb
		tm1r      string
		firstMsg  string
		lastReply string
	}{
		{"client wrote before delivery", "chat", func(b *tb) *tb {
			return b.msg("10:00:20", "", "client").msg("10:01:16", "L1", "agent")
		}, "00:00:16", "2025-06-02 10:01:16", "agente"},
		{"agent never wrote", "whatsapp", func(b *tb) *tb {
			return b.msg("10:00:20", "", "client")
		}, "", "", "cliente"},
		{"bot message is not the agent's", "sms", func(b *tb) *tb {
			return b.msg("10:01:05", "L1", "bot").msg("10:01:30", "L1", "agent").msg("10:02:00", "L1", "bot")
		}, "00:00:30", "2025-06-02 10:01:30", "bot"},
		{"system messages are not a last reply", "email", func(b *tb) *tb {
			return b.msg("10:02:00", "L1", "system")
		}, "", "", "indefinido"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.msgs(chatBase(tc.media)).finished("10:05:00", "L1", "service completed", nil)
			r := oneLeg(t, derive(b, Config{}))
			if got := cell(t, r, "TM1R"); got != tc.tm1r {
				t.Errorf("TM1R = %q, want %q", got, tc.tm1r)
			}
			if got := cell(t, r, "DATA PRIMEIRA MENSAGEM"); got != tc.firstMsg {
				t.Errorf("DATA PRIMEIRA MENSAGEM = %q, want %q", got, tc.firstMsg)
			}
			if got := cell(t, r, "ÚLTIMA RESPOSTA"); got != tc.lastReply {
				t.Errorf("ÚLTIMA RESPOSTA = %q, want %q", got, tc.lastReply)
			}
			if (tc.tm1r == "") != (r.TM1R == nil) {
				t.Errorf("typed TM1R = %v", r.TM1R)
			}
		})
	}
}

func TestTMRMeanOfReplies(t *testing.T) {
	for _, tc := range []struct {
		name string
		msgs func(b *tb) *tb
		tmr  float64 // -1 = empty
	}{
		{"agent writes first: counts from delivery, then only answers count", func(b *tb) *tb {
			return b.msg("10:01:10", "L1", "agent"). // 10 s from delivery (first reply)
									msg("10:01:20", "L1", "agent"). // nothing to answer: not a reply
									msg("10:02:00", "L1", "client").
									msg("10:02:30", "L1", "client").
									msg("10:02:50", "L1", "agent") // 50 s from the earliest unanswered
		}, 30},
		{"unanswered client message older than delivery runs from delivery", func(b *tb) *tb {
			return b.msg("10:00:10", "", "client").msg("10:01:40", "L1", "agent")
		}, 40},
		{"no agent message: empty", func(b *tb) *tb { return b.msg("10:02:00", "L1", "client") }, -1},
		{"fractional mean keeps its fraction", func(b *tb) *tb {
			return b.msg("10:01:01", "L1", "agent"). // 1
									msg("10:02:00", "L1", "client").msg("10:02:02", "L1", "agent") // 2
		}, 1.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.msgs(chatBase("chat")).finished("10:05:00", "L1", "service completed", nil)
			r := oneLeg(t, derive(b, Config{}))
			if secs(r.TMR) != tc.tmr {
				t.Errorf("TMR = %v, want %v", secs(r.TMR), tc.tmr)
			}
		})
	}
}
