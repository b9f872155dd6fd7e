package report_test

import (
	"bytes"
	"context"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

type storeTenant = store.Tenant

// scenario is a hand-built month slice of tenant events, in the compact form
// `ID TYPE MM-DDTHH:MM:SS FIELDS` (FIELDS: the rest of the JSON object;
// times are 2025, -03:00 = America/Sao_Paulo, the tenant's zone). Every
// expected figure in the tests below is worked out from these lines by hand:
//
//	call ivr    entered          outcome      service agent  path   ivr_s wait talk
//	c1   ura-1  06-02 09:00:01   transferred  SAC     Ana    1 > 2  30    10   300
//	c2   ura-1  06-02 09:10:00   transferred  SAC     Bruno  1 > 2  40    30   120
//	c3   ura-1  06-02 10:00:00   abandoned    -       -      3      20    -    -
//	c4   ura-1  06-02 10:30:00   transferred  Fin     -      3      30    -    -    (abandoned in queue)
//	c5   ura-2  06-02 11:00:00   finished     -       -      9      60    -    -
//	c6   ura-2  06-02 14:00:00   transferred  Fin     Ana    (none) 50    10   120
//	c7   ura-1  06-03 08:00:00   transferred  SAC     Caio   1      20    5    70   (then transferred to Fin/Bruno, 120)
//
//	chat x1 Ana   SAC 06-02 10:20 completed   dur 600 tm1r 30 tmr 35 tmp 480 tmi 120  [Resolvido]
//	chat x2 Bruno Fin 06-02 09:30 transferred dur 300 tm1r 10 tmr 10 tmp 300 tmi 0
//	     →  Ana   SAC 06-02 09:35 completed   dur 240 tm1r 30 tmr 20 tmp 240 tmi 0    [Retorno]
//	chat x3 Caio  SAC 06-02 16:00 abandoned   dur 300 tmp 300 tmi 0
//	voice legs: c1 Ana SAC 300 [Resolvido], c2 Bruno SAC 120 [Retorno], c4 (no agent),
//	            c6 Ana Fin 120, c7 Caio SAC transferred 70, c7 Bruno Fin 120 (06-03)
//
//	Ana:   logged in 08:00–12:00 and 13:00–17:00 (all media); pauses Banheiro
//	       10:00–10:05, Feedback 11:00–11:20, Banheiro 15:00–15:10
//	Bruno: voice and chat 09:00–10:30 (at once: 1h30 logged, not 3h)
//	Dora:  voice 13:00–14:00, pause Almoço 13:10–13:40; no legs
//	Caio:  no activity; status inativo. Tags: Ana, Caio senior; Bruno, Dora junior.
const scenario = `
d01 service.upserted 06-01T00:00:00 "service":{"id":"svc-sac","name":"SAC"}
d02 service.upserted 06-01T00:00:00 "service":{"id":"svc-fin","name":"Financeiro"}
d03 user.upserted 06-01T00:00:00 "user":{"id":"ag-ana","name":"Ana","tags":["senior"],"status":"ativo"}
d04 user.upserted 06-01T00:00:00 "user":{"id":"ag-bruno","name":"Bruno","tags":["junior"],"status":"ativo"}
d05 user.upserted 06-01T00:00:00 "user":{"id":"ag-caio","name":"Caio","tags":["senior"],"status":"inativo"}
d06 user.upserted 06-01T00:00:00 "user":{"id":"ag-dora","name":"Dora","tags":["junior"],"status":"ativo"}
d07 tag.upserted 06-01T00:00:00 "tag":{"id":"t-res","name":"Resolvido"}
d08 tag.upserted 06-01T00:00:00 "tag":{"id":"t-ret","name":"Retorno"}
d09 ivr.upserted 06-01T00:00:00 "ivr":{"id":"ura-1","name":"URA Principal"}
d10 ivr.upserted 06-01T00:00:00 "ivr":{"id":"ura-2","name":"URA Cobrança"}

c1a interaction.created 06-02T09:00:00 "interaction":"c1","media":"voice","direction":"inbound","from":"11999990001"
c1b ivr.entered 06-02T09:00:01 "interaction":"c1","ivr_id":"ura-1"
c1c ivr.option 06-02T09:00:11 "interaction":"c1","ivr_id":"ura-1","option":"1"
c1d ivr.option 06-02T09:00:21 "interaction":"c1","ivr_id":"ura-1","option":"2"
c1e ivr.left 06-02T09:00:31 "interaction":"c1","ivr_id":"ura-1","outcome":"transferred","service_id":"svc-sac"
c1f leg.queued 06-02T09:00:31 "interaction":"c1","leg":"L1","service_id":"svc-sac"
c1g leg.delivered 06-02T09:00:41 "interaction":"c1","leg":"L1","agent_id":"ag-ana"
c1h call.updated 06-02T09:00:45 "interaction":"c1","leg":"L1","answered_at":"2025-06-02T09:00:45-03:00","voice_status":"answered"
c1i call.updated 06-02T09:05:45 "interaction":"c1","leg":"L1","client_hangup_at":"2025-06-02T09:05:45-03:00"
c1j leg.finished 06-02T09:06:00 "interaction":"c1","leg":"L1","status":"service completed","tags":["t-res"]

c2a interaction.created 06-02T09:10:00 "interaction":"c2","media":"voice","direction":"inbound","from":"11999990002"
c2b ivr.entered 06-02T09:10:00 "interaction":"c2","ivr_id":"ura-1"
c2c ivr.option 06-02T09:10:10 "interaction":"c2","ivr_id":"ura-1","option":"1"
c2d ivr.option 06-02T09:10:20 "interaction":"c2","ivr_id":"ura-1","option":"2"
c2e ivr.left 06-02T09:10:40 "interaction":"c2","ivr_id":"ura-1","outcome":"transferred","service_id":"svc-sac"
c2f leg.queued 06-02T09:10:40 "interaction":"c2","leg":"L1","service_id":"svc-sac"
c2g leg.delivered 06-02T09:11:10 "interaction":"c2","leg":"L1","agent_id":"ag-bruno"
c2h call.updated 06-02T09:11:15 "interaction":"c2","leg":"L1","answered_at":"2025-06-02T09:11:15-03:00","voice_status":"answered"
c2i call.updated 06-02T09:13:15 "interaction":"c2","leg":"L1","agent_hangup_at":"2025-06-02T09:13:15-03:00"
c2j leg.finished 06-02T09:13:30 "interaction":"c2","leg":"L1","status":"service completed","tags":["t-ret"]

c3a interaction.created 06-02T10:00:00 "interaction":"c3","media":"voice","direction":"inbound","from":"11999990003"
c3b ivr.entered 06-02T10:00:00 "interaction":"c3","ivr_id":"ura-1"
c3c ivr.option 06-02T10:00:05 "interaction":"c3","ivr_id":"ura-1","option":"3"
c3d ivr.left 06-02T10:00:20 "interaction":"c3","ivr_id":"ura-1","outcome":"abandoned"
c3e call.updated 06-02T10:00:20 "interaction":"c3","client_hangup_at":"2025-06-02T10:00:20-03:00","voice_status":"abandoned"

c4a interaction.created 06-02T10:30:00 "interaction":"c4","media":"voice","direction":"inbound","from":"11999990004"
c4b ivr.entered 06-02T10:30:00 "interaction":"c4","ivr_id":"ura-1"
c4c ivr.option 06-02T10:30:10 "interaction":"c4","ivr_id":"ura-1","option":"3"
c4d ivr.left 06-02T10:30:30 "interaction":"c4","ivr_id":"ura-1","outcome":"transferred","service_id":"svc-fin"
c4e leg.queued 06-02T10:30:30 "interaction":"c4","leg":"L1","service_id":"svc-fin"
c4f call.updated 06-02T10:32:30 "interaction":"c4","leg":"L1","client_hangup_at":"2025-06-02T10:32:30-03:00","voice_status":"abandoned"
c4g leg.finished 06-02T10:32:31 "interaction":"c4","leg":"L1","status":"abandoned"

c5a interaction.created 06-02T11:00:00 "interaction":"c5","media":"voice","direction":"inbound","from":"11999990005"
c5b ivr.entered 06-02T11:00:00 "interaction":"c5","ivr_id":"ura-2"
c5c ivr.option 06-02T11:00:10 "interaction":"c5","ivr_id":"ura-2","option":"9"
c5d ivr.left 06-02T11:01:00 "interaction":"c5","ivr_id":"ura-2","outcome":"finished"

c6a interaction.created 06-02T14:00:00 "interaction":"c6","media":"voice","direction":"inbound","from":"11999990006"
c6b ivr.entered 06-02T14:00:00 "interaction":"c6","ivr_id":"ura-2"
c6c ivr.left 06-02T14:00:50 "interaction":"c6","ivr_id":"ura-2","outcome":"transferred","service_id":"svc-fin"
c6d leg.queued 06-02T14:00:50 "interaction":"c6","leg":"L1","service_id":"svc-fin"
c6e leg.delivered 06-02T14:01:00 "interaction":"c6","leg":"L1","agent_id":"ag-ana"
c6f call.updated 06-02T14:01:02 "interaction":"c6","leg":"L1","answered_at":"2025-06-02T14:01:02-03:00","voice_status":"answered"
c6g call.updated 06-02T14:03:02 "interaction":"c6","leg":"L1","client_hangup_at":"2025-06-02T14:03:02-03:00"
c6h leg.finished 06-02T14:03:10 "interaction":"c6","leg":"L1","status":"service completed"

c7a interaction.created 06-03T08:00:00 "interaction":"c7","media":"voice","direction":"inbound","from":"11999990007"
c7b ivr.entered 06-03T08:00:00 "interaction":"c7","ivr_id":"ura-1"
c7c ivr.option 06-03T08:00:10 "interaction":"c7","ivr_id":"ura-1","option":"1"
c7d ivr.left 06-03T08:00:20 "interaction":"c7","ivr_id":"ura-1","outcome":"transferred","service_id":"svc-sac"
c7e leg.queued 06-03T08:00:20 "interaction":"c7","leg":"L1","service_id":"svc-sac"
c7f leg.delivered 06-03T08:00:25 "interaction":"c7","leg":"L1","agent_id":"ag-caio"
c7g call.updated 06-03T08:00:30 "interaction":"c7","leg":"L1","answered_at":"2025-06-03T08:00:30-03:00","voice_status":"answered"
c7h leg.transferred 06-03T08:01:40 "interaction":"c7","leg":"L1","new_leg":"L2","to_service_id":"svc-fin"
c7i leg.delivered 06-03T08:02:00 "interaction":"c7","leg":"L2","agent_id":"ag-bruno"
c7j call.updated 06-03T08:02:05 "interaction":"c7","leg":"L2","answered_at":"2025-06-03T08:02:05-03:00","voice_status":"answered"
c7k call.updated 06-03T08:04:05 "interaction":"c7","leg":"L2","client_hangup_at":"2025-06-03T08:04:05-03:00"
c7l leg.finished 06-03T08:04:10 "interaction":"c7","leg":"L2","status":"service completed"

x1a interaction.created 06-02T10:20:00 "interaction":"x1","media":"chat"
x1b interaction.entered_omni 06-02T10:20:00 "interaction":"x1"
x1c message 06-02T10:20:00 "interaction":"x1","leg":"L1","message_id":"m1","sender":"client","text":"oi"
x1d leg.queued 06-02T10:20:00 "interaction":"x1","leg":"L1","service_id":"svc-sac"
x1e leg.delivered 06-02T10:20:30 "interaction":"x1","leg":"L1","agent_id":"ag-ana"
x1f message 06-02T10:21:00 "interaction":"x1","leg":"L1","message_id":"m2","sender":"agent","agent_id":"ag-ana","text":"olá"
x1g message 06-02T10:22:00 "interaction":"x1","leg":"L1","message_id":"m3","sender":"client","text":"e aí?"
x1h message 06-02T10:22:40 "interaction":"x1","leg":"L1","message_id":"m4","sender":"agent","agent_id":"ag-ana","text":"um momento"
x1i leg.hold_started 06-02T10:23:00 "interaction":"x1","leg":"L1","kind":"hold"
x1j leg.hold_ended 06-02T10:25:00 "interaction":"x1","leg":"L1"
x1k leg.finished 06-02T10:30:30 "interaction":"x1","leg":"L1","status":"service completed","tags":["t-res"]

x2a interaction.created 06-02T09:30:00 "interaction":"x2","media":"chat"
x2b interaction.entered_omni 06-02T09:30:00 "interaction":"x2"
x2c message 06-02T09:30:00 "interaction":"x2","leg":"L1","message_id":"m1","sender":"client","text":"boleto"
x2d leg.queued 06-02T09:30:00 "interaction":"x2","leg":"L1","service_id":"svc-fin"
x2e leg.delivered 06-02T09:30:10 "interaction":"x2","leg":"L1","agent_id":"ag-bruno"
x2f message 06-02T09:30:20 "interaction":"x2","leg":"L1","message_id":"m2","sender":"agent","agent_id":"ag-bruno","text":"transfiro"
x2g leg.transferred 06-02T09:35:10 "interaction":"x2","leg":"L1","new_leg":"L2","to_service_id":"svc-sac"
x2h leg.delivered 06-02T09:36:10 "interaction":"x2","leg":"L2","agent_id":"ag-ana"
x2i message 06-02T09:36:20 "interaction":"x2","leg":"L2","message_id":"m3","sender":"client","text":"oi?"
x2j message 06-02T09:36:40 "interaction":"x2","leg":"L2","message_id":"m4","sender":"agent","agent_id":"ag-ana","text":"olá"
x2k leg.finished 06-02T09:40:10 "interaction":"x2","leg":"L2","status":"service completed","tags":["t-ret"]

x3a interaction.created 06-02T16:00:00 "interaction":"x3","media":"chat"
x3b interaction.entered_omni 06-02T16:00:00 "interaction":"x3"
x3c message 06-02T16:00:00 "interaction":"x3","leg":"L1","message_id":"m1","sender":"client","text":"alô"
x3d leg.queued 06-02T16:00:00 "interaction":"x3","leg":"L1","service_id":"svc-sac"
x3e leg.delivered 06-02T16:00:10 "interaction":"x3","leg":"L1","agent_id":"ag-caio"
x3f leg.finished 06-02T16:05:10 "interaction":"x3","leg":"L1","status":"abandoned"

a01 agent.login 06-02T08:00:00 "agent_id":"ag-ana"
a02 agent.pause_started 06-02T10:00:00 "agent_id":"ag-ana","reason":"Banheiro"
a03 agent.pause_ended 06-02T10:05:00 "agent_id":"ag-ana"
a04 agent.pause_started 06-02T11:00:00 "agent_id":"ag-ana","reason":"Feedback"
a05 agent.pause_ended 06-02T11:20:00 "agent_id":"ag-ana"
a06 agent.logout 06-02T12:00:00 "agent_id":"ag-ana"
a07 agent.login 06-02T13:00:00 "agent_id":"ag-ana"
a08 agent.pause_started 06-02T15:00:00 "agent_id":"ag-ana","reason":"Banheiro"
a09 agent.pause_ended 06-02T15:10:00 "agent_id":"ag-ana"
a10 agent.logout 06-02T17:00:00 "agent_id":"ag-ana"
b01 agent.login 06-02T09:00:00 "agent_id":"ag-bruno","media":"voice"
b02 agent.login 06-02T09:00:00 "agent_id":"ag-bruno","media":"chat"
b03 agent.logout 06-02T10:30:00 "agent_id":"ag-bruno"
e01 agent.login 06-02T13:00:00 "agent_id":"ag-dora","media":"voice"
e02 agent.pause_started 06-02T13:10:00 "agent_id":"ag-dora","reason":"Almoço"
e03 agent.pause_ended 06-02T13:40:00 "agent_id":"ag-dora"
e04 agent.logout 06-02T14:00:00 "agent_id":"ag-dora","media":"voice"
`

var compactLine = regexp.MustCompile(`^(\S+) (\S+) (\d\d-\d\dT\d\d:\d\d:\d\d) (.*)$`)

// ndjson expands the compact scenario lines into NDJSON events.
func ndjson(t testing.TB, compact string) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, line := range strings.Split(compact, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		m := compactLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("bad scenario line %q", line)
		}
		b.WriteString(`{"id":"` + m[1] + `","type":"` + m[2] + `","at":"2025-` + m[3] + `-03:00",` + m[4] + "}\n")
	}
	return b.Bytes()
}

// seed creates the tenant, lets adjust change its settings, and ingests body
// in one batch.
func seed(t *testing.T, s storetest.Store, tenant string, body []byte, adjust func(*storeTenant)) *report.Reports {
	t.Helper()
	ctx := context.Background()
	if err := s.DB.EnsureTenant(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	if adjust != nil {
		tn, err := s.DB.Tenant(ctx, tenant)
		if err != nil {
			t.Fatal(err)
		}
		adjust(&tn)
		if err := s.DB.UpdateTenantSettings(ctx, tn); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ingest.New(s.DB).IngestBody(ctx, tenant, body); err != nil {
		t.Fatal(err)
	}
	return report.New(s.DB)
}

func admin(tenant string, services ...string) model.Principal {
	p := model.Principal{Tenant: tenant, Actor: "test", Role: model.RoleAdmin, PersonalData: true}
	if services != nil {
		p.Services = services
	}
	return p
}

func ivrTable(t *testing.T, r *report.Reports, p model.Principal, query string) report.Table {
	t.Helper()
	ctx := context.Background()
	v, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	q, err := r.ParseIVR(ctx, p, v)
	if err != nil {
		t.Fatalf("ParseIVR(%s): %v", query, err)
	}
	tb, err := r.IVR(ctx, p, q)
	if err != nil {
		t.Fatalf("IVR(%s): %v", query, err)
	}
	return tb
}

// sameRows compares rows (and the totals, when want has them) cell by cell.
func sameRows(t *testing.T, what string, got [][]string, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d:\n got %q\nwant %q", what, len(got), len(want), got, want)
		return
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s row %d:\n got %q\nwant %q", what, i, got[i], want[i])
		}
	}
}

func TestIVRGroupingsMatchHandComputedFigures(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		p := admin("acme")
		cases := []struct {
			query  string
			header string
			rows   [][]string
			totals []string
		}{
			{"", "IVR", [][]string{
				{"URA Cobrança", "2", "1", "1", "0", "1", "0", "00:00:55", "00:00:10", "00:02:00", "100,0%", "9 (1)"},
				{"URA Principal", "5", "0", "4", "1", "3", "1", "00:00:28", "00:00:15", "00:02:43", "50,0%", "1 > 2 (2); 3 (2); 1 (1)"},
			}, []string{"Total", "7", "1", "5", "1", "4", "1", "00:00:36", "00:00:14", "00:02:33", "60,0%", "1 > 2 (2); 3 (2); 1 (1)"}},
			{"group_by=service", "Serviço", [][]string{
				{"Financeiro", "2", "0", "2", "0", "1", "1", "00:00:40", "00:00:10", "00:02:00", "50,0%", "3 (1)"},
				{"SAC", "3", "0", "3", "0", "3", "0", "00:00:30", "00:00:15", "00:02:43", "66,7%", "1 > 2 (2); 1 (1)"},
				{"(sem serviço)", "2", "1", "0", "1", "0", "0", "00:00:40", "", "", "", "3 (1); 9 (1)"},
			}, nil},
			{"group_by=agent", "Agente", [][]string{
				{"Ana", "2", "0", "2", "0", "2", "0", "00:00:40", "00:00:10", "00:03:30", "100,0%", "1 > 2 (1)"},
				{"Bruno", "1", "0", "1", "0", "1", "0", "00:00:40", "00:00:30", "00:02:00", "0,0%", "1 > 2 (1)"},
				{"Caio", "1", "0", "1", "0", "1", "0", "00:00:20", "00:00:05", "00:01:10", "100,0%", "1 (1)"},
				{"(sem agente)", "3", "1", "1", "1", "0", "1", "00:00:37", "", "", "0,0%", "3 (2); 9 (1)"},
			}, nil},
			{"group_by=hour", "Hora", [][]string{
				{"08", "1", "0", "1", "0", "1", "0", "00:00:20", "00:00:05", "00:01:10", "100,0%", "1 (1)"},
				{"09", "2", "0", "2", "0", "2", "0", "00:00:35", "00:00:20", "00:03:30", "50,0%", "1 > 2 (2)"},
				{"10", "2", "0", "1", "1", "0", "1", "00:00:25", "", "", "0,0%", "3 (2)"},
				{"11", "1", "1", "0", "0", "0", "0", "00:01:00", "", "", "", "9 (1)"},
				{"14", "1", "0", "1", "0", "1", "0", "00:00:50", "00:00:10", "00:02:00", "100,0%", ""},
			}, nil},
			{"group_by=day", "Dia", [][]string{
				{"2025-06-02", "6", "1", "4", "1", "3", "1", "00:00:38", "00:00:17", "00:03:00", "50,0%", "1 > 2 (2); 3 (2); 9 (1)"},
				{"2025-06-03", "1", "0", "1", "0", "1", "0", "00:00:20", "00:00:05", "00:01:10", "100,0%", "1 (1)"},
			}, []string{"Total", "7", "1", "5", "1", "4", "1", "00:00:36", "00:00:14", "00:02:33", "60,0%", "1 > 2 (2); 3 (2); 1 (1)"}},
		}
		for _, c := range cases {
			tb := ivrTable(t, r, p, c.query)
			wantCols := append([]string{c.header}, report.IVRColumns...)
			if !reflect.DeepEqual(tb.Columns, wantCols) {
				t.Errorf("%q columns = %q", c.query, tb.Columns)
			}
			sameRows(t, c.query, tb.Rows, c.rows)
			if c.totals != nil {
				sameRows(t, c.query+" totals", [][]string{tb.Totals}, [][]string{c.totals})
			}
			if len(tb.Links) != len(tb.Rows) || len(tb.TotalsLinks) != len(tb.Columns) {
				t.Errorf("%q: links %d×, totals links %d", c.query, len(tb.Links), len(tb.TotalsLinks))
			}
		}
	})
}

func TestIVRFiltersNarrowTheCalls(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		p := admin("acme")
		for _, c := range []struct {
			name, query string
			rows        [][]string
		}{
			{"dates are local and inclusive", "from=2025-06-03&to=2025-06-03", [][]string{
				{"URA Principal", "1", "0", "1", "0", "1", "0", "00:00:20", "00:00:05", "00:01:10", "100,0%", "1 (1)"},
			}},
			{"from alone", "from=2025-06-03", [][]string{
				{"URA Principal", "1", "0", "1", "0", "1", "0", "00:00:20", "00:00:05", "00:01:10", "100,0%", "1 (1)"},
			}},
			{"to alone", "to=2025-06-02&ivrs=ura-2", [][]string{
				{"URA Cobrança", "2", "1", "1", "0", "1", "0", "00:00:55", "00:00:10", "00:02:00", "100,0%", "9 (1)"},
			}},
			{"agents are the answering agents", "agents=ag-ana", [][]string{
				{"URA Cobrança", "1", "0", "1", "0", "1", "0", "00:00:50", "00:00:10", "00:02:00", "100,0%", ""},
				{"URA Principal", "1", "0", "1", "0", "1", "0", "00:00:30", "00:00:10", "00:05:00", "100,0%", "1 > 2 (1)"},
			}},
			{"user_tags select the answering agents by tag", "user_tags=senior&group_by=agent", [][]string{
				{"Ana", "2", "0", "2", "0", "2", "0", "00:00:40", "00:00:10", "00:03:30", "100,0%", "1 > 2 (1)"},
				{"Caio", "1", "0", "1", "0", "1", "0", "00:00:20", "00:00:05", "00:01:10", "100,0%", "1 (1)"},
			}},
			{"services and ivrs lists", "services=svc-fin,svc-sac&ivrs=ura-1&group_by=service", [][]string{
				{"Financeiro", "1", "0", "1", "0", "0", "1", "00:00:30", "", "", "0,0%", "3 (1)"},
				{"SAC", "3", "0", "3", "0", "3", "0", "00:00:30", "00:00:15", "00:02:43", "66,7%", "1 > 2 (2); 1 (1)"},
			}},
			{"nothing matches", "from=2025-07-01", nil},
		} {
			tb := ivrTable(t, r, p, c.query)
			sameRows(t, c.name, tb.Rows, c.rows)
			if c.rows == nil && (tb.Totals[1] != "0" || strings.Join(tb.TotalsLinks, "") != "") {
				t.Errorf("%s: totals %q links %q", c.name, tb.Totals, tb.TotalsLinks)
			}
		}
	})
}

func TestIVRPrincipalLimitedToOneServiceSeesOnlyItsCalls(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		p := admin("acme", "svc-sac")
		tb := ivrTable(t, r, p, "")
		sameRows(t, "by ivr", tb.Rows, [][]string{
			{"URA Principal", "3", "0", "3", "0", "3", "0", "00:00:30", "00:00:15", "00:02:43", "66,7%", "1 > 2 (2); 1 (1)"},
		})
		sameRows(t, "totals", [][]string{tb.Totals}, [][]string{
			{"Total", "3", "0", "3", "0", "3", "0", "00:00:30", "00:00:15", "00:02:43", "66,7%", "1 > 2 (2); 1 (1)"},
		})
		// Asking for another service does not widen the scope.
		tb = ivrTable(t, r, p, "services=svc-fin&group_by=service")
		sameRows(t, "other service", tb.Rows, nil)
	})
}

func TestIVRServiceLevelCountsWaitsUpToTheTenantThreshold(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		// Threshold 30 s: c2 waited exactly 30 s and now counts (≤).
		r := seed(t, s, "acme", body, func(tn *storeTenant) { tn.SLSeconds = 30 })
		tb := ivrTable(t, r, admin("acme"), "ivrs=ura-1")
		if got := tb.Rows[0][10]; got != "75,0%" {
			t.Errorf("ura-1 service level at 30 s = %q, want 75,0%% (3 within 30 s of 3 answered + 1 abandoned in queue)", got)
		}
		// Threshold 5 s: only c7 (5 s).
		r = seed(t, s, "beta", body, func(tn *storeTenant) { tn.SLSeconds = 5 })
		tb = ivrTable(t, r, admin("beta"), "ivrs=ura-1")
		if got := tb.Rows[0][10]; got != "25,0%" {
			t.Errorf("ura-1 service level at 5 s = %q, want 25,0%%", got)
		}
	})
}

func TestIVRLinksAreValidRastreioQueriesThatNarrowToTheGroup(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		p := admin("acme")
		ctx := context.Background()
		tb := ivrTable(t, r, p, "from=2025-06-01&to=2025-06-30")
		col := func(name string) int {
			for i, c := range tb.Columns {
				if c == name {
					return i
				}
			}
			t.Fatalf("no column %s", name)
			return -1
		}
		principal := tb.Links[1] // URA Principal
		for name, want := range map[string]string{
			"Recebidas":           "from=2025-06-01&ivrs=ura-1&media=voice&to=2025-06-30",
			"Transferidas":        "from=2025-06-01&ivrs=ura-1&media=voice&to=2025-06-30",
			"Atendidas":           "from=2025-06-01&ivrs=ura-1&media=voice&to=2025-06-30&voice_status=answered",
			"Abandonadas na fila": "from=2025-06-01&ivrs=ura-1&media=voice&to=2025-06-30&voice_status=abandoned%2Cno_answer%2Cmessage_left%2Cvoicemail%2Cnot_connected%2Cout_of_service",
			"Finalizadas na URA":  "", // no leg behind it
			"Abandonadas na URA":  "",
			"TMA":                 "",
		} {
			if got := principal[col(name)]; got != want {
				t.Errorf("URA Principal %s link = %q, want %q", name, got, want)
			}
		}
		if got, want := tb.TotalsLinks[col("Atendidas")], "from=2025-06-01&ivrs=ura-1%2Cura-2&media=voice&to=2025-06-30&voice_status=answered"; got != want {
			t.Errorf("totals Atendidas link = %q, want %q (only calls through an IVR)", got, want)
		}
		// The Rastreio accepts every link and finds the legs behind it:
		// legs, not calls (c7 has two answered legs).
		for name, want := range map[string]int64{"Transferidas": 5, "Atendidas": 4, "Abandonadas na fila": 1} {
			n := countLinked(t, r, p, principal[col(name)])
			if n != want {
				t.Errorf("URA Principal %s drill-down = %d legs, want %d", name, n, want)
			}
		}
		// Grouped by service: the group narrows, the calls stay those of an
		// IVR; the group without service has no links.
		tb = ivrTable(t, r, p, "group_by=service")
		if got, want := tb.Links[1][col("Atendidas")], "ivrs=ura-1%2Cura-2&media=voice&services=svc-sac&voice_status=answered"; got != want {
			t.Errorf("SAC Atendidas link = %q, want %q", got, want)
		}
		if strings.Join(tb.Links[2], "") != "" {
			t.Errorf("(sem serviço) links = %q, want none", tb.Links[2])
		}
		if got, want := tb.TotalsLinks[col("Recebidas")], "ivrs=ura-1%2Cura-2&media=voice"; got != want {
			t.Errorf("totals Recebidas link = %q, want %q", got, want)
		}
		// Zero counts have no link (SAC Abandonadas na fila = 0).
		if got := tb.Links[1][col("Abandonadas na fila")]; got != "" {
			t.Errorf("zero count link = %q", got)
		}
		// By hour: hour_from/hour_to of the group.
		tb = ivrTable(t, r, p, "group_by=hour")
		if got, want := tb.Links[1][col("Recebidas")], "hour_from=09%3A00&hour_to=09%3A59&ivrs=ura-1%2Cura-2&media=voice"; got != want {
			t.Errorf("hour 09 link = %q, want %q", got, want)
		}
		if n := countLinked(t, r, p, tb.Links[1][col("Recebidas")]); n != 2 {
			t.Errorf("hour 09 drill-down = %d legs, want 2", n)
		}
		// By day: from = to = the day.
		tb = ivrTable(t, r, p, "group_by=day")
		if got, want := tb.Links[1][col("Atendidas")], "from=2025-06-03&ivrs=ura-1%2Cura-2&media=voice&to=2025-06-03&voice_status=answered"; got != want {
			t.Errorf("day link = %q, want %q", got, want)
		}
		for _, row := range append(tb.Links, tb.TotalsLinks) {
			for _, l := range row {
				if l != "" {
					countLinked(t, r, p, l)
				}
			}
		}
		_ = ctx
	})
}

// countLinked runs a drill-down link through the Rastreio and counts its legs.
func countLinked(t *testing.T, r *report.Reports, p model.Principal, link string) int64 {
	t.Helper()
	ctx := context.Background()
	v, err := url.ParseQuery(link)
	if err != nil {
		t.Fatalf("link %q: %v", link, err)
	}
	q, err := r.ParseInteractions(ctx, p, v)
	if err != nil {
		t.Fatalf("the Rastreio rejects link %q: %v", link, err)
	}
	n, err := r.DB.CountLegs(ctx, p, q.Filter)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A queue overflow (the queued leg is transferred to another service before
// any delivery, and that leg is answered) is an answered call, not one
// abandoned in the queue, and its wait runs from the first queue.
func TestIVRQueueOverflowIsAnsweredNotAbandoned(t *testing.T) {
	body := ndjson(t, `
o1 interaction.created 06-02T09:00:00 "interaction":"o1","media":"voice"
o2 ivr.entered 06-02T09:00:00 "interaction":"o1","ivr_id":"ura-1"
o3 ivr.left 06-02T09:00:10 "interaction":"o1","ivr_id":"ura-1","outcome":"transferred","service_id":"svc-sac"
o4 leg.queued 06-02T09:00:10 "interaction":"o1","leg":"L1","service_id":"svc-sac"
o5 leg.transferred 06-02T09:01:10 "interaction":"o1","leg":"L1","new_leg":"L2","to_service_id":"svc-fin"
o6 leg.queued 06-02T09:01:10 "interaction":"o1","leg":"L2","service_id":"svc-fin"
o7 leg.delivered 06-02T09:01:20 "interaction":"o1","leg":"L2","agent_id":"ag-ana"
o8 leg.finished 06-02T09:03:20 "interaction":"o1","leg":"L2","status":"service completed"
`)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		tb := ivrTable(t, r, admin("acme"), "")
		sameRows(t, "overflow", tb.Rows, [][]string{
			{"ura-1", "1", "0", "1", "0", "1", "0", "00:00:10", "00:01:10", "00:02:00", "0,0%", ""},
		})
	})
}

func TestIVRChartByHourAndByDay(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		p := admin("acme")
		ctx := context.Background()
		chart := func(query string) report.Chart {
			v, _ := url.ParseQuery(query)
			q, err := r.ParseIVR(ctx, p, v)
			if err != nil {
				t.Fatal(err)
			}
			c, err := r.IVRChart(ctx, p, q)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		c := chart("group_by=hour")
		if len(c.Labels) != 24 || c.Labels[0] != "00" || c.Labels[23] != "23" || len(c.Series) != 3 {
			t.Fatalf("hour chart = %+v", c)
		}
		want := map[string][3]float64{"08": {1, 1, 0}, "09": {2, 2, 0}, "10": {2, 0, 2}, "11": {1, 0, 0}, "14": {1, 1, 0}}
		for i, l := range c.Labels {
			w := want[l]
			for k := 0; k < 3; k++ {
				if c.Series[k].Values[i] != w[k] {
					t.Errorf("hour %s %s = %v, want %v", l, c.Series[k].Name, c.Series[k].Values[i], w[k])
				}
			}
		}
		// One day: by hour too.
		if c := chart("from=2025-06-02&to=2025-06-02"); len(c.Labels) != 24 {
			t.Errorf("one-day chart labels = %q", c.Labels)
		}
		c = chart("")
		if !reflect.DeepEqual(c.Labels, []string{"2025-06-02", "2025-06-03"}) ||
			!reflect.DeepEqual(c.Series[0].Values, []float64{6, 1}) ||
			!reflect.DeepEqual(c.Series[1].Values, []float64{3, 1}) ||
			!reflect.DeepEqual(c.Series[2].Values, []float64{2, 0}) {
			t.Errorf("day chart = %+v", c)
		}
	})
}

func TestIVRExportHasTheScreenColumnsAndATotalsRow(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		p := admin("acme")
		ctx := context.Background()
		q, err := r.ParseIVR(ctx, p, url.Values{"group_by": {"service"}})
		if err != nil {
			t.Fatal(err)
		}
		cols, src := q.Columns(), r.IVRRows(ctx, p, q)
		f, _ := report.ParseFormat("csv", "")
		var b bytes.Buffer
		st, err := report.Write(&b, f, cols, src)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(b.String(), "\uFEFF")), "\n")
		if lines[0] != "Serviço;Recebidas;Finalizadas na URA;Transferidas;Abandonadas na URA;Atendidas;Abandonadas na fila;TM na URA;TME;TMA;Nível de serviço;Caminhos mais frequentes" {
			t.Errorf("header = %q", lines[0])
		}
		if st.Rows != 4 || len(lines) != 5 {
			t.Fatalf("rows = %d, lines %q", st.Rows, lines)
		}
		if lines[1] != "Financeiro;2;0;2;0;1;1;00:00:40;00:00:10;00:02:00;50,0%;3 (1)" {
			t.Errorf("first row = %q", lines[1])
		}
		// A cell holding the ";" separator is quoted, as CSV requires.
		if lines[4] != `Total;7;1;5;1;4;1;00:00:36;00:00:14;00:02:33;60,0%;"1 > 2 (2); 3 (2); 1 (1)"` {
			t.Errorf("totals row = %q", lines[4])
		}
		x, _ := report.ParseFormat("xlsx", "")
		b.Reset()
		if st, err := report.Write(&b, x, cols, src); err != nil || st.Rows != 4 || b.Len() == 0 {
			t.Errorf("xlsx: %+v %v", st, err)
		}
	})
}

func TestFormatPercentRoundsHalfUpWithDecimalComma(t *testing.T) {
	num, den := 1449.0, 2000.0 // at run time: 72.44999… in binary
	for in, want := range map[float64]string{
		85: "85,0%", 72.45: "72,5%", 66.666: "66,7%", 0: "0,0%",
		4.375: "4,4%", 1234.54: "1234,5%", 0.04: "0,0%", 0.05: "0,1%", 100: "100,0%",
	} {
		if got := report.FormatPercent(in); got != want {
			t.Errorf("FormatPercent(%v) = %q, want %q", in, got, want)
		}
	}
	if got := report.FormatPercent(100 * num / den); got != "72,5%" {
		t.Errorf("FormatPercent(100×1449/2000) = %q, want 72,5%%", got)
	}
}

// The screen names menu options with the IVRs' labels (ivr.upserted's
// options, EVENTS.md) where every IVR of a group labels them alike, and the
// API and exports keep SPEC.md's option keys.
func TestIVRScreenPathsShowMenuLabelsAndExportsKeepTheKeys(t *testing.T) {
	body := ndjson(t, scenario+`
l01 ivr.upserted 06-01T00:00:01 "ivr":{"id":"ura-1","options":{"1":"Financeiro","1.2":"Segunda via"}}
l02 ivr.upserted 06-01T00:00:01 "ivr":{"id":"ura-2","options":{"9":"Encerrar"}}
`)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		p := admin("acme")
		ctx := context.Background()
		screen := func(query string) report.Table {
			v, _ := url.ParseQuery(query)
			q, err := r.ParseIVR(ctx, p, v)
			if err != nil {
				t.Fatal(err)
			}
			q.MenuLabels = true
			tb, err := r.IVR(ctx, p, q)
			if err != nil {
				t.Fatal(err)
			}
			return tb
		}
		last := func(row []string) string { return row[len(row)-1] }
		byIVR := screen("")
		if got := last(byIVR.Rows[0]); got != "9 Encerrar (1)" {
			t.Errorf("URA Cobrança paths %q", got)
		}
		if got := last(byIVR.Rows[1]); got != "1 Financeiro › 2 Segunda via (2); 3 (2); 1 Financeiro (1)" {
			t.Errorf("URA Principal paths %q", got)
		}
		// The totals sum both IVRs: ura-2 does not label "1".
		if got := last(byIVR.Totals); got != "1 › 2 (2); 3 (2); 1 (1)" {
			t.Errorf("totals paths %q", got)
		}
		// By service, narrowed to one IVR: its labels apply.
		sac := screen("group_by=service&ivrs=ura-1")
		if got := last(sac.Rows[1]); sac.Rows[1][0] != "SAC" || got != "1 Financeiro › 2 Segunda via (2); 1 Financeiro (1)" {
			t.Errorf("SAC of ura-1 paths %q", sac.Rows[1])
		}
		// The API's table and the export keep the keys.
		if got := last(ivrTable(t, r, p, "").Rows[1]); got != "1 > 2 (2); 3 (2); 1 (1)" {
			t.Errorf("API paths %q", got)
		}
		q, _ := r.ParseIVR(ctx, p, url.Values{})
		f, _ := report.ParseFormat("csv", "")
		var b bytes.Buffer
		if _, err := report.Write(&b, f, q.Columns(), r.IVRRows(ctx, p, q)); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "URA Principal;5;0;4;1;3;1;00:00:28;00:00:15;00:02:43;50,0%;\"1 > 2 (2); 3 (2); 1 (1)\"") {
			t.Errorf("export:\n%s", b.String())
		}
	})
}
