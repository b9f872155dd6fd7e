package report_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/storetest"
)

// summaryLegs: hand-built legs whose totals are worked out below (the
// directory is handDirectory: services svc-sac and svc-fin, agents ag-carla
// and ag-bruno). Times are São Paulo (-03:00), the tenant's default zone.
//
// WhatsApp (DURAÇÃO runs from delivery; expiration window 24 h):
//   - wa: svc-sac, Carla, delivered 09:01:00, first reply 09:01:30, finished
//     09:11:00 completed → DURAÇÃO 600 s, TM1R = TMR = 30 s, Ativo.
//   - wb: svc-fin, Bruno, delivered 09:02:00, first reply 09:02:45, finished
//     next day 10:00:00 completed → DURAÇÃO 24:58:00 = 89880 s, TM1R = TMR =
//     45 s, Expirado (the client's last message is 25 h old).
//   - wc: svc-fin, never delivered, abandoned 09:05:00 → no DURAÇÃO, TM1R,
//     TMR; Ativo (the client wrote 5 minutes earlier).
//
// Voz (DURAÇÃO runs from the answer to the first hang-up):
//   - va: svc-sac, Carla, answered 10:00:25, client hangs up 10:05:25 →
//     300 s, answered, completed.
//   - vb: svc-fin, Bruno, answered 11:00:20, client hangs up 11:01:21 →
//     61 s, answered, completed.
//   - vc: svc-sac, never delivered, abandoned (Status de voz abandoned).
const summaryLegs = `{"id":"wa1","type":"interaction.created","at":"2025-06-03T09:00:00-03:00","interaction":"wa","media":"whatsapp","from":"5511900000001","contact_id":"ct-1"}
{"id":"wa2","type":"message","at":"2025-06-03T09:00:10-03:00","interaction":"wa","message_id":"m1","sender":"client","text":"Oi"}
{"id":"wa3","type":"interaction.entered_omni","at":"2025-06-03T09:00:30-03:00","interaction":"wa"}
{"id":"wa4","type":"leg.queued","at":"2025-06-03T09:00:31-03:00","interaction":"wa","leg":"wa-1","service_id":"svc-sac"}
{"id":"wa5","type":"leg.delivered","at":"2025-06-03T09:01:00-03:00","interaction":"wa","leg":"wa-1","agent_id":"ag-carla"}
{"id":"wa6","type":"message","at":"2025-06-03T09:01:30-03:00","interaction":"wa","leg":"wa-1","message_id":"m2","sender":"agent","agent_id":"ag-carla","text":"Olá"}
{"id":"wa7","type":"leg.finished","at":"2025-06-03T09:11:00-03:00","interaction":"wa","leg":"wa-1","status":"service completed"}
{"id":"wb1","type":"interaction.created","at":"2025-06-03T09:00:00-03:00","interaction":"wb","media":"whatsapp","from":"5511900000002","contact_id":"ct-1"}
{"id":"wb2","type":"message","at":"2025-06-03T09:00:10-03:00","interaction":"wb","message_id":"m1","sender":"client","text":"Oi"}
{"id":"wb3","type":"interaction.entered_omni","at":"2025-06-03T09:00:30-03:00","interaction":"wb"}
{"id":"wb4","type":"leg.queued","at":"2025-06-03T09:00:31-03:00","interaction":"wb","leg":"wb-1","service_id":"svc-fin"}
{"id":"wb5","type":"leg.delivered","at":"2025-06-03T09:02:00-03:00","interaction":"wb","leg":"wb-1","agent_id":"ag-bruno"}
{"id":"wb6","type":"message","at":"2025-06-03T09:02:45-03:00","interaction":"wb","leg":"wb-1","message_id":"m2","sender":"agent","agent_id":"ag-bruno","text":"Olá"}
{"id":"wb7","type":"leg.finished","at":"2025-06-04T10:00:00-03:00","interaction":"wb","leg":"wb-1","status":"service completed"}
{"id":"wc1","type":"interaction.created","at":"2025-06-03T09:00:00-03:00","interaction":"wc","media":"whatsapp","from":"5511900000003","contact_id":"ct-1"}
{"id":"wc2","type":"message","at":"2025-06-03T09:00:10-03:00","interaction":"wc","message_id":"m1","sender":"client","text":"Oi"}
{"id":"wc3","type":"interaction.entered_omni","at":"2025-06-03T09:00:30-03:00","interaction":"wc"}
{"id":"wc4","type":"leg.queued","at":"2025-06-03T09:00:31-03:00","interaction":"wc","leg":"wc-1","service_id":"svc-fin"}
{"id":"wc5","type":"leg.finished","at":"2025-06-03T09:05:00-03:00","interaction":"wc","leg":"wc-1","status":"abandoned"}
{"id":"va1","type":"interaction.created","at":"2025-06-03T10:00:00-03:00","interaction":"va","media":"voice","direction":"inbound","from":"11911110001","to":"1133334444","contact_id":"ct-1"}
{"id":"va2","type":"interaction.entered_omni","at":"2025-06-03T10:00:05-03:00","interaction":"va"}
{"id":"va3","type":"leg.queued","at":"2025-06-03T10:00:06-03:00","interaction":"va","leg":"va-1","service_id":"svc-sac"}
{"id":"va4","type":"leg.delivered","at":"2025-06-03T10:00:20-03:00","interaction":"va","leg":"va-1","agent_id":"ag-carla"}
{"id":"va5","type":"call.updated","at":"2025-06-03T10:00:25-03:00","interaction":"va","leg":"va-1","answered_at":"2025-06-03T10:00:25-03:00","voice_status":"answered"}
{"id":"va6","type":"call.updated","at":"2025-06-03T10:05:25-03:00","interaction":"va","client_hangup_at":"2025-06-03T10:05:25-03:00"}
{"id":"va7","type":"leg.finished","at":"2025-06-03T10:06:00-03:00","interaction":"va","leg":"va-1","status":"service completed"}
{"id":"vb1","type":"interaction.created","at":"2025-06-03T11:00:00-03:00","interaction":"vb","media":"voice","direction":"inbound","from":"11911110002","to":"1133334444","contact_id":"ct-1"}
{"id":"vb2","type":"interaction.entered_omni","at":"2025-06-03T11:00:05-03:00","interaction":"vb"}
{"id":"vb3","type":"leg.queued","at":"2025-06-03T11:00:06-03:00","interaction":"vb","leg":"vb-1","service_id":"svc-fin"}
{"id":"vb4","type":"leg.delivered","at":"2025-06-03T11:00:15-03:00","interaction":"vb","leg":"vb-1","agent_id":"ag-bruno"}
{"id":"vb5","type":"call.updated","at":"2025-06-03T11:00:20-03:00","interaction":"vb","leg":"vb-1","answered_at":"2025-06-03T11:00:20-03:00","voice_status":"answered"}
{"id":"vb6","type":"call.updated","at":"2025-06-03T11:01:21-03:00","interaction":"vb","client_hangup_at":"2025-06-03T11:01:21-03:00"}
{"id":"vb7","type":"leg.finished","at":"2025-06-03T11:02:00-03:00","interaction":"vb","leg":"vb-1","status":"service completed"}
{"id":"vc1","type":"interaction.created","at":"2025-06-03T12:00:00-03:00","interaction":"vc","media":"voice","direction":"inbound","from":"11911110003","to":"1133334444","contact_id":"ct-1"}
{"id":"vc2","type":"interaction.entered_omni","at":"2025-06-03T12:00:05-03:00","interaction":"vc"}
{"id":"vc3","type":"leg.queued","at":"2025-06-03T12:00:06-03:00","interaction":"vc","leg":"vc-1","service_id":"svc-sac"}
{"id":"vc4","type":"call.updated","at":"2025-06-03T12:00:40-03:00","interaction":"vc","leg":"vc-1","voice_status":"abandoned"}
{"id":"vc5","type":"leg.finished","at":"2025-06-03T12:00:40-03:00","interaction":"vc","leg":"vc-1","status":"abandoned"}
`

func TestInteractionsSummaryTotalsTheFilteredSetByHand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		r := seed(t, s, "acme", []byte(handDirectory+summaryLegs), nil)
		all := admin("acme")
		sum := func(p model.Principal, query string) report.InteractionSummary {
			t.Helper()
			v, err := url.ParseQuery(query)
			if err != nil {
				t.Fatal(err)
			}
			q, err := r.ParseInteractions(ctx, p, v)
			if err != nil {
				t.Fatalf("ParseInteractions(%s): %v", query, err)
			}
			got, err := r.InteractionsSummary(ctx, p, q)
			if err != nil {
				t.Fatalf("InteractionsSummary(%s): %v", query, err)
			}
			// The summary counts exactly the legs the Rastreio lists.
			if n, err := r.CountLegs(ctx, p, q.Filter); err != nil || n != got.Legs {
				t.Errorf("%s: summary counts %d legs, the Rastreio %d (%v)", query, got.Legs, n, err)
			}
			return got
		}
		cases := []struct {
			name  string
			p     model.Principal
			query string
			want  report.InteractionSummary
		}{
			{"whatsapp all statuses", all, "media=whatsapp&service_status=all", report.InteractionSummary{
				Legs: 3, ByStatus: map[string]int64{"service completed": 2, "abandoned": 1},
				// (600 + 89880) / 2 = 45240 s; (30 + 45) / 2 = 37.5 s rounds up.
				MeanDuration: "12:34:00", MeanTMR: "00:00:38", MeanTM1R: "00:00:38",
				// 1 Expirado of 3 legs with a status.
				ExpiredPct: "33,3%",
			}},
			{"whatsapp default status (completed)", all, "media=whatsapp", report.InteractionSummary{
				Legs: 2, ByStatus: map[string]int64{"service completed": 2},
				MeanDuration: "12:34:00", MeanTMR: "00:00:38", MeanTM1R: "00:00:38", ExpiredPct: "50,0%",
			}},
			{"whatsapp paging ignored", all, "media=whatsapp&limit=1&order=asc", report.InteractionSummary{
				Legs: 2, ByStatus: map[string]int64{"service completed": 2},
				MeanDuration: "12:34:00", MeanTMR: "00:00:38", MeanTM1R: "00:00:38", ExpiredPct: "50,0%",
			}},
			{"agent filter narrows", all, "media=whatsapp&service_status=all&agents=ag-carla", report.InteractionSummary{
				Legs: 1, ByStatus: map[string]int64{"service completed": 1},
				MeanDuration: "00:10:00", MeanTMR: "00:00:30", MeanTM1R: "00:00:30", ExpiredPct: "0,0%",
			}},
			{"expired filter", all, "media=whatsapp&service_status=all&expiration_status=expired", report.InteractionSummary{
				Legs: 1, ByStatus: map[string]int64{"service completed": 1},
				MeanDuration: "24:58:00", MeanTMR: "00:00:45", MeanTM1R: "00:00:45", ExpiredPct: "100,0%",
			}},
			{"service-limited principal", admin("acme", "svc-fin"), "media=whatsapp&service_status=all", report.InteractionSummary{
				Legs: 1 + 1, ByStatus: map[string]int64{"service completed": 1, "abandoned": 1},
				MeanDuration: "24:58:00", MeanTMR: "00:00:45", MeanTM1R: "00:00:45", ExpiredPct: "50,0%",
			}},
			{"a filter cannot widen the scope", admin("acme", "svc-fin"), "media=whatsapp&service_status=all&services=svc-sac", report.InteractionSummary{
				ByStatus: map[string]int64{},
			}},
			{"voice by Status de voz", all, "media=voice", report.InteractionSummary{
				Legs: 3, ByStatus: map[string]int64{"service completed": 2, "abandoned": 1},
				ByVoiceStatus: map[string]int64{"answered": 2, "abandoned": 1},
				// (300 + 61) / 2 = 180.5 s rounds up; no TM1R/TMR or
				// expiration for calls.
				MeanDuration: "00:03:01",
			}},
			{"voice status filter", all, "media=voice&voice_status=answered", report.InteractionSummary{
				Legs: 2, ByStatus: map[string]int64{"service completed": 2},
				ByVoiceStatus: map[string]int64{"answered": 2}, MeanDuration: "00:03:01",
			}},
			{"voice service-limited", admin("acme", "svc-sac"), "media=voice", report.InteractionSummary{
				Legs: 2, ByStatus: map[string]int64{"service completed": 1, "abandoned": 1},
				ByVoiceStatus: map[string]int64{"answered": 1, "abandoned": 1}, MeanDuration: "00:05:00",
			}},
			{"voice empty set", all, "media=voice&from=2030-01-01", report.InteractionSummary{
				ByStatus: map[string]int64{}, ByVoiceStatus: map[string]int64{},
			}},
			{"email: nothing", all, "media=email", report.InteractionSummary{ByStatus: map[string]int64{}}},
		}
		for _, c := range cases {
			if got := sum(c.p, c.query); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s (%s):\n got %+v\nwant %+v", c.name, c.query, got, c.want)
			}
		}

		// The JSON: by_voice_status only for Voz, empty maps as {}.
		for query, want := range map[string]string{
			"media=voice&from=2030-01-01":    `{"legs":0,"by_status":{},"by_voice_status":{},"mean_duration":"","mean_tmr":"","mean_tm1r":"","expired_pct":""}`,
			"media=email":                    `{"legs":0,"by_status":{},"mean_duration":"","mean_tmr":"","mean_tm1r":"","expired_pct":""}`,
			"media=whatsapp&agents=ag-carla": `{"legs":1,"by_status":{"service completed":1},"mean_duration":"00:10:00","mean_tmr":"00:00:30","mean_tm1r":"00:00:30","expired_pct":"0,0%"}`,
		} {
			b, err := json.Marshal(sum(all, query))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != want {
				t.Errorf("%s JSON:\n got %s\nwant %s", query, b, want)
			}
		}

		// The Rastreio's 400s, naming the parameter.
		for query, param := range map[string]string{
			"media=email&voice_status=answered": "voice_status",
			"media=voice&cursor=%21%21":         "cursor",
			"media=voice&limit=0":               "limit",
			"media=voice&bogus=1":               "bogus",
			"":                                  "media",
		} {
			v, _ := url.ParseQuery(query)
			_, err := r.ParseInteractions(ctx, all, v)
			var pe *report.ParamError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), param) {
				t.Errorf("%q: want a parameter error naming %s, got %v", query, param, err)
			}
		}
	})
}
