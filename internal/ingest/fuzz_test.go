package ingest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzDecodeNeverPanicsAndKeepsItsBounds: whatever a client sends, decoding
// answers events or a bounded problem list, never a panic; every event it
// accepts is within the contract's bounds and its raw JSON is valid.
func FuzzDecodeNeverPanicsAndKeepsItsBounds(f *testing.F) {
	for _, s := range []string{
		event("e1", "agent.logout", `"agent_id":"a"`),
		"[" + event("e1", "leg.finished", `"interaction":"i","leg":"l","status":"abandoned","tags":["t"]`) + "]",
		event("e2", "call.updated", `"interaction":"i","answered_at":"2026-01-01T00:00:00Z","jitter_ms":1.5`),
		event("e3", "contact.upserted", `"contact":{"id":"c","phones":["1"],"portfolio":true}`),
		"\xEF\xBB\xBF{\"id\":\"x\"}\n\n[1,2",
		`{"id":"a\u202e","type":"agent.login","at":"0000-01-01T00:00:00Z"}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, raw, err := Decode(body, Options{Now: now})
		var be *BatchError
		var tl *TooLargeError
		switch {
		case err == nil:
		case errors.As(err, &be):
			if len(be.Errors) == 0 || len(be.Errors) > MaxErrors {
				t.Fatalf("%d problems listed", len(be.Errors))
			}
			for _, e := range be.Errors {
				if len(e.Reason) > 512 || len(e.ID) > 4*2*maxIDLen+3 {
					t.Fatalf("problem too long: %.100q", e.Reason)
				}
			}
		case errors.As(err, &tl):
		default:
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
		if len(evs) != len(raw) {
			t.Fatalf("%d events, %d raw", len(evs), len(raw))
		}
		for i, ev := range evs {
			if ev.At.Before(minTime) || ev.At.After(now.Add(maxAhead)) {
				t.Fatalf("event %q at %s accepted", ev.ID, ev.At)
			}
			if !json.Valid(raw[i]) || !utf8.Valid(raw[i]) {
				t.Fatalf("raw %q is not valid JSON", raw[i])
			}
		}
	})
}
