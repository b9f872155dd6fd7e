package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// summaryCalls: two calls worked out by hand. va (svc-1): answered
// 10:00:10, client hangs up 10:01:10 → DURAÇÃO 60 s, Atendidas. vb (svc-2):
// answered 11:00:00, hangs up 11:00:31 → 31 s, Caixa Postal.
var summaryCalls = []string{
	`{"id":"s-1","type":"service.upserted","at":"2026-10-01T00:00:00-03:00","service":{"id":"svc-1","name":"SAC"}}`,
	`{"id":"s-2","type":"service.upserted","at":"2026-10-01T00:00:00-03:00","service":{"id":"svc-2","name":"Financeiro"}}`,
	`{"id":"s-3","type":"user.upserted","at":"2026-10-01T00:00:00-03:00","user":{"id":"ag-1","name":"Ana","status":"ativo"}}`,
	`{"id":"a-1","type":"interaction.created","at":"2026-10-02T10:00:00-03:00","interaction":"va","media":"voice","direction":"inbound","from":"11911110001","to":"1133334444"}`,
	`{"id":"a-2","type":"interaction.entered_omni","at":"2026-10-02T10:00:01-03:00","interaction":"va"}`,
	`{"id":"a-3","type":"leg.queued","at":"2026-10-02T10:00:02-03:00","interaction":"va","leg":"va-1","service_id":"svc-1"}`,
	`{"id":"a-4","type":"leg.delivered","at":"2026-10-02T10:00:05-03:00","interaction":"va","leg":"va-1","agent_id":"ag-1"}`,
	`{"id":"a-5","type":"call.updated","at":"2026-10-02T10:00:10-03:00","interaction":"va","leg":"va-1","answered_at":"2026-10-02T10:00:10-03:00","voice_status":"answered"}`,
	`{"id":"a-6","type":"call.updated","at":"2026-10-02T10:01:10-03:00","interaction":"va","client_hangup_at":"2026-10-02T10:01:10-03:00"}`,
	`{"id":"a-7","type":"leg.finished","at":"2026-10-02T10:01:30-03:00","interaction":"va","leg":"va-1","status":"service completed"}`,
	`{"id":"b-1","type":"interaction.created","at":"2026-10-02T10:59:50-03:00","interaction":"vb","media":"voice","direction":"inbound","from":"11911110002","to":"1133334444"}`,
	`{"id":"b-2","type":"interaction.entered_omni","at":"2026-10-02T10:59:51-03:00","interaction":"vb"}`,
	`{"id":"b-3","type":"leg.queued","at":"2026-10-02T10:59:52-03:00","interaction":"vb","leg":"vb-1","service_id":"svc-2"}`,
	`{"id":"b-4","type":"leg.delivered","at":"2026-10-02T10:59:55-03:00","interaction":"vb","leg":"vb-1","agent_id":"ag-1"}`,
	`{"id":"b-5","type":"call.updated","at":"2026-10-02T11:00:00-03:00","interaction":"vb","leg":"vb-1","answered_at":"2026-10-02T11:00:00-03:00","voice_status":"voicemail"}`,
	`{"id":"b-6","type":"call.updated","at":"2026-10-02T11:00:31-03:00","interaction":"vb","client_hangup_at":"2026-10-02T11:00:31-03:00"}`,
	`{"id":"b-7","type":"leg.finished","at":"2026-10-02T11:00:40-03:00","interaction":"vb","leg":"vb-1","status":"service completed"}`,
}

func TestInteractionsSummaryRouteAnswersTheTotalsAsJSON(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newAPIEnv(t, s)
		if r := e.as(t, "admin", "POST", "/api/v1/events", ndjson(summaryCalls...)); r.Code != http.StatusOK {
			t.Fatalf("ingest: %s", r)
		}
		e.mustToken(t, "viewer-svc1", store.Grant{Tenant: contractTenant, Role: model.RoleViewer, Services: []string{"svc-1"}})
		const path = "/api/v1/reports/interactions/summary?media=voice&from=2026-10-01&to=2026-10-31"
		for _, c := range []struct{ who, path, want string }{
			// (60 + 31) / 2 = 45.5 s, halves up.
			{"admin", path, `{"legs":2,"by_status":{"service completed":2},"by_voice_status":{"answered":1,"voicemail":1},"mean_duration":"00:00:46","mean_tmr":"","mean_tm1r":"","expired_pct":""}`},
			{"viewer", path + "&limit=1&order=asc", `{"legs":2,"by_status":{"service completed":2},"by_voice_status":{"answered":1,"voicemail":1},"mean_duration":"00:00:46","mean_tmr":"","mean_tm1r":"","expired_pct":""}`},
			{"analyst", path + "&voice_status=voicemail", `{"legs":1,"by_status":{"service completed":1},"by_voice_status":{"voicemail":1},"mean_duration":"00:00:31","mean_tmr":"","mean_tm1r":"","expired_pct":""}`},
			// Limited to svc-1: only va, even when asking for svc-2.
			{"viewer-svc1", path, `{"legs":1,"by_status":{"service completed":1},"by_voice_status":{"answered":1},"mean_duration":"00:01:00","mean_tmr":"","mean_tm1r":"","expired_pct":""}`},
			{"viewer-svc1", path + "&services=svc-2", `{"legs":0,"by_status":{},"by_voice_status":{},"mean_duration":"","mean_tmr":"","mean_tm1r":"","expired_pct":""}`},
			{"admin", "/api/v1/reports/interactions/summary?media=chat", `{"legs":0,"by_status":{},"mean_duration":"","mean_tmr":"","mean_tm1r":"","expired_pct":""}`},
		} {
			r := e.get(t, c.who, c.path)
			if r.Code != http.StatusOK || strings.TrimSpace(string(r.Body)) != c.want || !strings.HasPrefix(r.Hdr.Get("Content-Type"), "application/json") {
				t.Errorf("%s GET %s:\n got %s\nwant %s", c.who, c.path, r, c.want)
			}
		}
		// The Rastreio's 400s, naming the parameter; 401 without a credential.
		for path, param := range map[string]string{
			"/api/v1/reports/interactions/summary?media=email&voice_status=answered": "voice_status",
			"/api/v1/reports/interactions/summary?media=voice&limit=5000":            "limit",
			"/api/v1/reports/interactions/summary":                                   "media",
		} {
			r := e.get(t, "viewer", path)
			if r.Code != http.StatusBadRequest || !strings.Contains(string(r.Body), `"`+param+`"`) {
				t.Errorf("GET %s: want 400 naming %s, got %s", path, param, r)
			}
		}
		if r := e.req(t, "GET", path, "", nil); r.Code != http.StatusUnauthorized {
			t.Errorf("GET %s without a token: want 401, got %s", path, r)
		}
	})
}
