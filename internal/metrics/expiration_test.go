package metrics

import (
	"testing"
	"time"
)

func TestExpirationWindow(t *testing.T) {
	for _, tc := range []struct {
		name      string
		media     string
		lastMsg   string // RFC 3339 or time of the day; "" = none
		cfg       Config
		want      string
		wantTyped *bool
	}{
		{"chat: 23h ago is active", "chat", "2025-06-01T11:10:00-03:00", Config{}, "Ativo", ptrBool(false)},
		{"chat: exactly 24h ago is active", "chat", "2025-06-01T10:10:00-03:00", Config{}, "Ativo", ptrBool(false)},
		{"chat: 24h and 1s ago is expired", "chat", "2025-06-01T10:09:59-03:00", Config{}, "Expirado", ptrBool(true)},
		{"whatsapp default 24h", "whatsapp", "2025-05-31T10:00:00-03:00", Config{}, "Expirado", ptrBool(true)},
		{"tenant window of 1h", "whatsapp", "08:00:00", Config{ExpirationWindow: map[string]time.Duration{"whatsapp": time.Hour}}, "Expirado", ptrBool(true)},
		{"tenant window of 1h, recent message", "whatsapp", "09:30:00", Config{ExpirationWindow: map[string]time.Duration{"whatsapp": time.Hour}}, "Ativo", ptrBool(false)},
		{"no client message is expired", "chat", "", Config{}, "Expirado", ptrBool(true)},
		{"window 0 disables it", "chat", "08:00:00", Config{ExpirationWindow: map[string]time.Duration{"chat": 0}}, "", nil},
		{"not for e-mail", "email", "08:00:00", Config{}, "", nil},
		{"a client message after finalization does not count", "chat", "10:20:00", Config{}, "Expirado", ptrBool(true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newTB("ix-exp").created("2025-05-30T08:00:00-03:00", tc.media, nil)
			if tc.lastMsg != "" {
				b.msg(tc.lastMsg, "", "client")
			}
			b.queued("10:00:00", "L1", "svc-sac").delivered("10:00:05", "L1", "ag-carla").
				msg("10:05:00", "L1", "agent").
				finished("10:10:00", "L1", "service completed", nil)
			r := oneLeg(t, derive(b, tc.cfg))
			if got := cell(t, r, "STATUS DE EXPIRAÇÃO"); got != tc.want {
				t.Errorf("STATUS DE EXPIRAÇÃO = %q, want %q", got, tc.want)
			}
			if (r.Expired == nil) != (tc.wantTyped == nil) || (r.Expired != nil && *r.Expired != *tc.wantTyped) {
				t.Errorf("Expired = %v", r.Expired)
			}
		})
	}
}

func ptrBool(b bool) *bool { return &b }
