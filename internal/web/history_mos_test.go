package web_test

import (
	"encoding/json"
	"html"
	"regexp"
	"testing"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/storetest"
)

// TestHistoryShowsTheCallsEstimatedMOS: Ver Histórico of a call carries
// MOS ESTIMADO (issue 16: "in the history and the exports"), in the API
// and on the page's call card, with the Rastreio cell's digits. The call's
// RTPAUDIOQOS facts: jitter 84 ms, loss 3 %, RTT 50 ms → Le = 25 + 168 +
// 10 = 203 ms → R = 93.2 − (203 − 120)/10 − 2.5×3 = 77.4 → MOS 3.88.
func TestHistoryShowsTheCallsEstimatedMOS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newAPIEnv(t, s)
		body := ndjson(
			`{"id":"mos-1","type":"interaction.created","at":"2026-10-05T10:00:00-03:00","interaction":"1791205200.9","media":"voice","protocol":"PBX-MOS","direction":"inbound","from":"11987654321","to":"551130001000"}`,
			`{"id":"mos-2","type":"leg.queued","at":"2026-10-05T10:00:20-03:00","interaction":"1791205200.9","leg":"l1","service_id":"suporte"}`,
			`{"id":"mos-3","type":"leg.delivered","at":"2026-10-05T10:00:30-03:00","interaction":"1791205200.9","leg":"l1","agent_id":"PJSIP/1001"}`,
			`{"id":"mos-4","type":"call.updated","at":"2026-10-05T10:02:00-03:00","interaction":"1791205200.9","leg":"l1","jitter_ms":84,"packet_loss_pct":3,"rtt_ms":50}`,
			`{"id":"mos-5","type":"leg.finished","at":"2026-10-05T10:02:00-03:00","interaction":"1791205200.9","leg":"l1","status":"service completed"}`,
		)
		if r := e.as(t, "admin", "POST", "/api/v1/events", body, "Content-Type", "application/x-ndjson"); r.Code != 200 {
			t.Fatalf("ingest: %s", r)
		}
		r := e.get(t, "viewer", "/api/v1/interactions/PBX-MOS/history")
		mustOK(t, "history", r)
		var h metrics.History
		if err := json.Unmarshal(r.Body, &h); err != nil {
			t.Fatalf("history json: %v", err)
		}
		if h.Call == nil || metrics.FormatMOS(h.Call.MOS) != "3,9" {
			t.Fatalf("history call %+v, want MOS 3,9", h.Call)
		}
		page := e.ui(t, "viewer", "GET", "/historico/PBX-MOS", nil)
		mustOK(t, "history page", page)
		text := html.UnescapeString(string(page.Body))
		if !regexp.MustCompile(`<dt>MOS estimado</dt><dd[^>]*>3,9</dd>`).MatchString(text) {
			t.Errorf("the call card lacks MOS estimado 3,9")
		}
	})
}
