package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// fluxoBatch is a hand-built Fluxo Ágil month (tenant zone America/Sao_Paulo).
//
// Client Banco Alfa → campaign Cobrança → batch "Lote Junho" (lote-1):
//   - Ana: cv-1 (06-02) saudacao, menu, menu (repeat), boleto; 4 messages
//     (c2 re-sent with another event id counts once); finished.
//     cv-2 (06-05) saudacao, menu; 2 messages; abandoned.
//     → Conversas 2, Mensagens 6, last step "menu", Abandonado.
//   - Bruno: cv-3 (06-03) saudacao, menu, transbordo; 3 messages; handed off
//     to interaction wa-100 (protocol 20250603170200).
//   - Carla: cv-4 (06-04) saudacao; 1 message; expired. cv-6 starts
//     2025-05-31 22:00 local (06-01 in UTC): outside June.
//
// Client Varejo Beta → campaign Ofertas → batch "Lote Beta" (lote-b):
//   - Davi: cv-5 (06-02) inicio; 2 messages; still open.
const fluxoBatch = `{"id":"d1","type":"client.upserted","at":"2025-05-01T08:00:00-03:00","client":{"id":"cli-a","name":"Banco Alfa"}}
{"id":"d2","type":"client.upserted","at":"2025-05-01T08:00:00-03:00","client":{"id":"cli-b","name":"Varejo Beta"}}
{"id":"d3","type":"campaign.upserted","at":"2025-05-01T08:00:00-03:00","campaign":{"id":"camp-a1","name":"Cobrança","client_id":"cli-a"}}
{"id":"d4","type":"campaign.upserted","at":"2025-05-01T08:00:00-03:00","campaign":{"id":"camp-b1","name":"Ofertas","client_id":"cli-b"}}
{"id":"d5","type":"batch.upserted","at":"2025-05-01T08:00:00-03:00","batch":{"id":"lote-1","name":"Lote Junho","campaign_id":"camp-a1"}}
{"id":"d6","type":"batch.upserted","at":"2025-05-01T08:00:00-03:00","batch":{"id":"lote-b","name":"Lote Beta","campaign_id":"camp-b1"}}
{"id":"d7","type":"contact.upserted","at":"2025-05-01T08:00:00-03:00","contact":{"id":"ct-ana","name":"Ana Souza","document":"52998224725","phones":["+55 11 98765-4321"],"emails":["Ana@Example.org"],"batch_id":"lote-1"}}
{"id":"d8","type":"contact.upserted","at":"2025-05-01T08:00:00-03:00","contact":{"id":"ct-bruno","name":"Bruno Lima","document":"11.222.333/0001-81","phones":["11 3333-4444"],"batch_id":"lote-1"}}
{"id":"d9","type":"contact.upserted","at":"2025-05-01T08:00:00-03:00","contact":{"id":"ct-carla","name":"Carla Dias","document":"390.533.447-05","phones":["5521999990000","5521888880000"],"emails":["carla@example.org"],"batch_id":"lote-1"}}
{"id":"d10","type":"contact.upserted","at":"2025-05-01T08:00:00-03:00","contact":{"id":"ct-davi","name":"Davi Rocha","phones":["5511955554444"],"batch_id":"lote-b"}}
{"id":"a1","type":"bot.conversation_started","at":"2025-06-02T09:00:00-03:00","conversation":"cv-1","flow":"fluxo-7","client_id":"cli-a","campaign_id":"camp-a1","batch_id":"lote-1","contact_id":"ct-ana","channel":"whatsapp"}
{"id":"a2","type":"bot.step","at":"2025-06-02T09:00:01-03:00","conversation":"cv-1","step":"saudacao"}
{"id":"a3","type":"bot.message","at":"2025-06-02T09:00:02-03:00","conversation":"cv-1","message_id":"m1","sender":"bot","text":"Olá! Sou a assistente."}
{"id":"a4","type":"bot.message","at":"2025-06-02T09:00:30-03:00","conversation":"cv-1","message_id":"m2","sender":"client","text":"Oi"}
{"id":"a5","type":"bot.step","at":"2025-06-02T09:00:31-03:00","conversation":"cv-1","step":"menu"}
{"id":"a6","type":"bot.message","at":"2025-06-02T09:00:32-03:00","conversation":"cv-1","message_id":"m3","sender":"bot","text":"1 - Boleto, 2 - Atendente"}
{"id":"a7","type":"bot.step","at":"2025-06-02T09:00:40-03:00","conversation":"cv-1","step":"menu"}
{"id":"a8","type":"bot.message","at":"2025-06-02T09:01:00-03:00","conversation":"cv-1","message_id":"m4","sender":"client","text":"1"}
{"id":"a9","type":"bot.message","at":"2025-06-02T09:01:00-03:00","conversation":"cv-1","message_id":"m4","sender":"client","text":"1"}
{"id":"a10","type":"bot.step","at":"2025-06-02T09:01:01-03:00","conversation":"cv-1","step":"boleto"}
{"id":"a11","type":"bot.conversation_ended","at":"2025-06-02T09:02:00-03:00","conversation":"cv-1","outcome":"finished"}
{"id":"b1","type":"bot.conversation_started","at":"2025-06-05T10:00:00-03:00","conversation":"cv-2","flow":"fluxo-7","client_id":"cli-a","campaign_id":"camp-a1","batch_id":"lote-1","contact_id":"ct-ana","channel":"sms"}
{"id":"b2","type":"bot.step","at":"2025-06-05T10:00:01-03:00","conversation":"cv-2","step":"saudacao"}
{"id":"b3","type":"bot.message","at":"2025-06-05T10:00:02-03:00","conversation":"cv-2","message_id":"n1","sender":"bot","text":"Olá de novo!"}
{"id":"b4","type":"bot.step","at":"2025-06-05T10:00:03-03:00","conversation":"cv-2","step":"menu"}
{"id":"b5","type":"bot.message","at":"2025-06-05T10:00:04-03:00","conversation":"cv-2","message_id":"n2","sender":"bot","text":"1 - Boleto, 2 - Atendente"}
{"id":"b6","type":"bot.conversation_ended","at":"2025-06-05T10:30:00-03:00","conversation":"cv-2","outcome":"abandoned"}
{"id":"c1","type":"bot.conversation_started","at":"2025-06-03T14:00:00-03:00","conversation":"cv-3","flow":"fluxo-7","client_id":"cli-a","campaign_id":"camp-a1","batch_id":"lote-1","contact_id":"ct-bruno","channel":"whatsapp"}
{"id":"c2","type":"bot.step","at":"2025-06-03T14:00:01-03:00","conversation":"cv-3","step":"saudacao"}
{"id":"c3","type":"bot.message","at":"2025-06-03T14:00:02-03:00","conversation":"cv-3","message_id":"o1","sender":"bot","text":"Olá!"}
{"id":"c4","type":"bot.step","at":"2025-06-03T14:00:03-03:00","conversation":"cv-3","step":"menu"}
{"id":"c5","type":"bot.message","at":"2025-06-03T14:00:20-03:00","conversation":"cv-3","message_id":"o2","sender":"client","text":"2"}
{"id":"c6","type":"bot.step","at":"2025-06-03T14:00:21-03:00","conversation":"cv-3","step":"transbordo"}
{"id":"c7","type":"bot.message","at":"2025-06-03T14:00:22-03:00","conversation":"cv-3","message_id":"o3","sender":"bot","text":"Vou te transferir."}
{"id":"c8","type":"bot.conversation_ended","at":"2025-06-03T14:01:00-03:00","conversation":"cv-3","outcome":"handed_off","interaction":"wa-100"}
{"id":"c9","type":"interaction.created","at":"2025-06-03T14:02:00-03:00","interaction":"wa-100","media":"whatsapp","protocol":"20250603170200","contact_id":"ct-bruno"}
{"id":"e1","type":"bot.conversation_started","at":"2025-06-04T08:00:00-03:00","conversation":"cv-4","flow":"fluxo-7","client_id":"cli-a","campaign_id":"camp-a1","batch_id":"lote-1","contact_id":"ct-carla","channel":"whatsapp"}
{"id":"e2","type":"bot.step","at":"2025-06-04T08:00:01-03:00","conversation":"cv-4","step":"saudacao"}
{"id":"e3","type":"bot.message","at":"2025-06-04T08:00:02-03:00","conversation":"cv-4","message_id":"p1","sender":"bot","text":"Olá, Carla!"}
{"id":"e4","type":"bot.conversation_ended","at":"2025-06-05T08:30:00-03:00","conversation":"cv-4","outcome":"expired"}
{"id":"f1","type":"bot.conversation_started","at":"2025-05-31T22:00:00-03:00","conversation":"cv-6","flow":"fluxo-7","client_id":"cli-a","campaign_id":"camp-a1","batch_id":"lote-1","contact_id":"ct-carla","channel":"whatsapp"}
{"id":"f2","type":"bot.step","at":"2025-05-31T22:00:01-03:00","conversation":"cv-6","step":"saudacao"}
{"id":"f3","type":"bot.message","at":"2025-05-31T22:00:02-03:00","conversation":"cv-6","message_id":"q1","sender":"bot","text":"Boa noite!"}
{"id":"f4","type":"bot.conversation_ended","at":"2025-05-31T22:40:00-03:00","conversation":"cv-6","outcome":"handed_off","interaction":"wa-999"}
{"id":"g1","type":"bot.conversation_started","at":"2025-06-02T11:00:00-03:00","conversation":"cv-5","flow":"fluxo-9","client_id":"cli-b","campaign_id":"camp-b1","batch_id":"lote-b","contact_id":"ct-davi","channel":"whatsapp"}
{"id":"g2","type":"bot.step","at":"2025-06-02T11:00:01-03:00","conversation":"cv-5","step":"inicio"}
{"id":"g3","type":"bot.message","at":"2025-06-02T11:00:02-03:00","conversation":"cv-5","message_id":"r1","sender":"bot","text":"Temos uma oferta!"}
{"id":"g4","type":"bot.message","at":"2025-06-02T11:05:00-03:00","conversation":"cv-5","message_id":"r2","sender":"client","text":"Qual?"}
`

var (
	fluxoAdmin  = model.Principal{Tenant: "acme", Actor: "user:admin", Role: model.RoleAdmin, PersonalData: true}
	fluxoViewer = model.Principal{Tenant: "acme", Actor: "user:viewer", Role: model.RoleViewer, PersonalData: false}
	fluxoBeta   = model.Principal{Tenant: "acme", Actor: "user:beta", Role: model.RoleSupervisor, PersonalData: true, Clients: []string{"cli-b"}}
)

const june = "from=2025-06-01&to=2025-06-30"

// Expected rows, by hand (columns: Lote, Nome, CPF/CNPJ, Telefone, Email,
// Fluxo, Conversas, Mensagens, Última Etapa, Desfecho).
var (
	rowDavi  = []string{"Lote Beta", "Davi Rocha", "", "5511955554444", "", "fluxo-9", "1", "2", "inicio", "Em andamento"}
	rowAna   = []string{"Lote Junho", "Ana Souza", "529.982.247-25", "+55 11 98765-4321", "ana@example.org", "fluxo-7", "2", "6", "menu", "Abandonado"}
	rowBruno = []string{"Lote Junho", "Bruno Lima", "11.222.333/0001-81", "11 3333-4444", "", "fluxo-7", "1", "3", "transbordo", "Transferido para humano"}
	rowCarla = []string{"Lote Junho", "Carla Dias", "390.533.447-05", "5521999990000", "carla@example.org", "fluxo-7", "1", "1", "saudacao", "Expirado"}
)

// eachFluxo ingests fluxoBatch into every store and runs fn.
func eachFluxo(t *testing.T, fn func(t *testing.T, ctx context.Context, db *store.DB, r *report.Reports)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		if err := s.DB.EnsureTenant(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		res, err := ingest.New(s.DB).IngestBody(ctx, "acme", []byte(fluxoBatch))
		if err != nil {
			t.Fatal(err)
		}
		if res.Duplicates != 0 {
			t.Fatalf("ingest = %+v", res)
		}
		fn(t, ctx, s.DB, report.New(s.DB))
	})
}

func parseFluxo(t *testing.T, ctx context.Context, r *report.Reports, p model.Principal, raw string) report.FluxoQuery {
	t.Helper()
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	q, err := r.ParseFluxo(ctx, p, v)
	if err != nil {
		t.Fatalf("ParseFluxo(%s): %v", raw, err)
	}
	return q
}

func fluxoTable(t *testing.T, ctx context.Context, r *report.Reports, p model.Principal, raw string) report.Table {
	t.Helper()
	tb, err := r.Fluxo(ctx, p, parseFluxo(t, ctx, r, p, raw))
	if err != nil {
		t.Fatalf("Fluxo(%s): %v", raw, err)
	}
	return tb
}

func wantRows(t *testing.T, what string, got report.Table, want ...[]string) {
	t.Helper()
	if want == nil {
		want = [][]string{}
	}
	rows := got.Rows
	if rows == nil {
		rows = [][]string{}
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("%s rows:\n got %q\nwant %q", what, rows, want)
	}
}

func paramError(t *testing.T, err error) *report.ParamError {
	t.Helper()
	var pe *report.ParamError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *ParamError (400)", err)
	}
	return pe
}

func TestFluxoCountsConversationsAndMessagesPerContact(t *testing.T) {
	eachFluxo(t, func(t *testing.T, ctx context.Context, _ *store.DB, r *report.Reports) {
		tb := fluxoTable(t, ctx, r, fluxoAdmin, june)
		want := append(append([]string(nil), model.FluxoColumns...), model.FluxoExportExtra...)
		if !reflect.DeepEqual(tb.Columns, want) {
			t.Errorf("columns = %q, want %q", tb.Columns, want)
		}
		// Default order: batch name, then contact name. Carla's 05-31 22:00
		// conversation (06-01 in UTC) is outside June in the tenant zone.
		wantRows(t, "june", tb, rowDavi, rowAna, rowBruno, rowCarla)
		if want := []string{"lote-b/ct-davi", "lote-1/ct-ana", "lote-1/ct-bruno", "lote-1/ct-carla"}; !reflect.DeepEqual(tb.Keys, want) {
			t.Errorf("keys = %q, want %q", tb.Keys, want)
		}
		if tb.NextCursor != "" {
			t.Errorf("next cursor = %q, want none", tb.NextCursor)
		}
		// Without a period, Carla's May conversation counts too; it is older
		// than cv-4, so her row keeps cv-4's last step and end.
		all := fluxoTable(t, ctx, r, fluxoAdmin, "")
		carla := append([]string(nil), rowCarla...)
		carla[6], carla[7] = "2", "2"
		wantRows(t, "no period", all, rowDavi, rowAna, rowBruno, carla)
		// Only May 31st: Carla's handed-off conversation alone.
		may := fluxoTable(t, ctx, r, fluxoAdmin, "from=2025-05-31&to=2025-05-31")
		wantRows(t, "may 31", may, []string{"Lote Junho", "Carla Dias", "390.533.447-05", "5521999990000", "carla@example.org", "fluxo-7", "1", "1", "saudacao", "Transferido para humano"})
	})
}

func TestFluxoJSONRowsKeyedByContractColumns(t *testing.T) {
	eachFluxo(t, func(t *testing.T, ctx context.Context, _ *store.DB, r *report.Reports) {
		tb := fluxoTable(t, ctx, r, fluxoAdmin, june+"&batch=lote-1&limit=1")
		b, err := json.Marshal(tb)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Rows       []map[string]string `json:"rows"`
			NextCursor *string             `json:"next_cursor"`
		}
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Rows) != 1 || out.NextCursor == nil {
			t.Fatalf("json = %s", b)
		}
		for _, k := range []string{"Lote", "Nome", "CPF/CNPJ", "Telefone", "Email", "Fluxo", "Conversas", "Mensagens"} {
			if _, ok := out.Rows[0][k]; !ok {
				t.Errorf("row lacks key %q: %s", k, b)
			}
		}
		if out.Rows[0]["Nome"] != "Ana Souza" || out.Rows[0]["Conversas"] != "2" || out.Rows[0]["Mensagens"] != "6" {
			t.Errorf("row = %v", out.Rows[0])
		}
	})
}

func TestFluxoLastStepAndOutcomeComeFromTheLatestConversation(t *testing.T) {
	eachFluxo(t, func(t *testing.T, ctx context.Context, _ *store.DB, r *report.Reports) {
		// Ana finished cv-1 at "boleto", but her latest conversation (cv-2)
		// stopped at "menu", abandoned.
		tb := fluxoTable(t, ctx, r, fluxoAdmin, june+"&client=cli-a&campaign=camp-a1&batch=lote-1&sort=name")
		wantRows(t, "batch lote-1 by name", tb, rowAna, rowBruno, rowCarla)
		// Only cv-1 in the period: boleto, Finalizado.
		tb = fluxoTable(t, ctx, r, fluxoAdmin, "from=2025-06-02&to=2025-06-02&batch=lote-1")
		wantRows(t, "june 2", tb, []string{"Lote Junho", "Ana Souza", "529.982.247-25", "+55 11 98765-4321", "ana@example.org", "fluxo-7", "1", "4", "boleto", "Finalizado"})
	})
}

func TestFluxoStepFilterKeepsContactsWhoseLastStepIsIt(t *testing.T) {
	eachFluxo(t, func(t *testing.T, ctx context.Context, _ *store.DB, r *report.Reports) {
		wantRows(t, "step=menu", fluxoTable(t, ctx, r, fluxoAdmin, june+"&step=menu"), rowAna)
		wantRows(t, "step=saudacao", fluxoTable(t, ctx, r, fluxoAdmin, june+"&step=saudacao"), rowCarla)
		// Ana reached boleto, but it is not where she stopped.
		wantRows(t, "step=boleto", fluxoTable(t, ctx, r, fluxoAdmin, june+"&step=boleto"))
	})
}

func TestFluxoReachedHumanFalseKeepsContactsNeverHandedOff(t *testing.T) {
	eachFluxo(t, func(t *testing.T, ctx context.Context, _ *store.DB, r *report.Reports) {
		wantRows(t, "reached_human=false", fluxoTable(t, ctx, r, fluxoAdmin, june+"&reached_human=false"), rowDavi, rowAna, rowCarla)
		wantRows(t, "reached_human=true", fluxoTable(t, ctx, r, fluxoAdmin, june+"&reached_human=true"), rowBruno)
		// Carla's May conversation was handed off: with it in the period she
		// reached a human, and her whole row goes with her.
		carla := append([]string(nil), rowCarla...)
		carla[6], carla[7] = "2", "2"
		wantRows(t, "from May 31, reached_human=true", fluxoTable(t, ctx, r, fluxoAdmin, "from=2025-05-31&to=2025-06-30&reached_human=true"), rowBruno, carla)
		// Filters combine.
		wantRows(t, "reached_human=false&step=menu", fluxoTable(t, ctx, r, fluxoAdmin, june+"&reached_human=false&step=menu"), rowAna)
	})
}

func TestFluxoDropoffCountsReachedAndStoppedPerStep(t *testing.T) {
	eachFluxo(t, func(t *testing.T, ctx context.Context, _ *store.DB, r *report.Reports) {
		q := parseFluxo(t, ctx, r, fluxoAdmin, june+"&batch=lote-1")
		got, err := r.FluxoDropoff(ctx, fluxoAdmin, q)
		if err != nil {
			t.Fatal(err)
		}
		// saudacao: Ana, Bruno, Carla; menu: Ana, Bruno; boleto: Ana (cv-1);
		// transbordo: Bruno. Stopped: Carla at saudacao, Ana at menu (her
		// latest), Bruno at transbordo. boleto and transbordo both come third
		// in their conversations: equal reach, so by name. Of those who
		// stopped, Carla's (expired) and Ana's (abandoned) latest
		// conversations were abandonments; Bruno's was handed to a human, a
		// flow finished where it was meant to, not an abandonment.
		want := []report.StepCount{{"saudacao", 3, 1, 0, 1}, {"menu", 2, 1, 0, 1}, {"boleto", 1, 0, 0, 0}, {"transbordo", 1, 1, 1, 0}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("drop-off = %+v\nwant %+v", got, want)
		}
		// Those who stopped at menu (Ana): the path of both her conversations.
		q = parseFluxo(t, ctx, r, fluxoAdmin, june+"&batch=lote-1&step=menu")
		got, err = r.FluxoDropoff(ctx, fluxoAdmin, q)
		if err != nil {
			t.Fatal(err)
		}
		want = []report.StepCount{{"saudacao", 1, 0, 0, 0}, {"menu", 1, 1, 0, 1}, {"boleto", 1, 0, 0, 0}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("drop-off step=menu = %+v\nwant %+v", got, want)
		}
		// The same filters as the report: never handed off.
		q = parseFluxo(t, ctx, r, fluxoAdmin, june+"&batch=lote-1&reached_human=false")
		got, err = r.FluxoDropoff(ctx, fluxoAdmin, q)
		if err != nil {
			t.Fatal(err)
		}
		want = []report.StepCount{{"saudacao", 2, 1, 0, 1}, {"menu", 1, 1, 0, 1}, {"boleto", 1, 0, 0, 0}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("drop-off never handed off = %+v\nwant %+v", got, want)
		}
		// Outside p's clients: nothing.
		q = parseFluxo(t, ctx, r, fluxoBeta, june)
		got, err = r.FluxoDropoff(ctx, fluxoBeta, q)
		if err != nil {
			t.Fatal(err)
		}
		// Davi's conversation is still open: stopped, neither finished nor
		// abandoned.
		if want := []report.StepCount{{"inicio", 1, 1, 0, 0}}; !reflect.DeepEqual(got, want) {
			t.Errorf("drop-off of client B = %+v, want %+v", got, want)
		}
	})
}

func TestFluxoRejectsCampaignOfAnotherClientAndBadParams(t *testing.T) {
	eachFluxo(t, func(t *testing.T, ctx context.Context, _ *store.DB, r *report.Reports) {
		for _, c := range []struct {
			raw    string
			params []string
		}{
			{"client=cli-a&campaign=camp-b1", []string{"campaign"}},
			{"campaign=camp-a1&batch=lote-b", []string{"batch"}},
			{"client=cli-b&batch=lote-1", []string{"batch"}},
			{"client=nope", []string{"client"}},
			{"foo=1&" + june, []string{"foo"}},
			{"from=2025-06-31&to=2025-05-01&reached_human=talvez&sort=cpf&limit=0&cursor=%21", []string{"from", "reached_human", "sort", "limit", "cursor"}},
			{"from=2025-06-30&to=2025-06-01", []string{"to"}},
			{"batch=lote-1&batch=lote-b", []string{"batch"}},
		} {
			v, _ := url.ParseQuery(c.raw)
			_, err := r.ParseFluxo(ctx, fluxoAdmin, v)
			pe := paramError(t, err)
			var got []string
			for _, p := range pe.Problems {
				got = append(got, p.Param)
			}
			if !reflect.DeepEqual(got, c.params) {
				t.Errorf("%s: problems %+v, want params %q", c.raw, pe.Problems, c.params)
			}
		}
		// A parameter the caller reads itself is accepted.
		if _, err := r.ParseFluxo(ctx, fluxoAdmin, url.Values{"format": {"csv"}}, "format"); err != nil {
			t.Errorf("extra format: %v", err)
		}
		// The cascade itself is fine.
		if _, err := r.ParseFluxo(ctx, fluxoAdmin, url.Values{"client": {"cli-a"}, "campaign": {"camp-a1"}, "batch": {"lote-1"}}); err != nil {
			t.Errorf("valid cascade: %v", err)
		}
	})
}

func TestFluxoPrincipalOfAnotherClientSeesNothingOfIt(t *testing.T) {
	eachFluxo(t, func(t *testing.T, ctx context.Context, _ *store.DB, r *report.Reports) {
		wantRows(t, "client B principal", fluxoTable(t, ctx, r, fluxoBeta, june), rowDavi)
		wantRows(t, "client B principal, step=menu", fluxoTable(t, ctx, r, fluxoBeta, june+"&step=menu"))
		// Naming another client's objects is an unknown id, not a leak.
		for raw, param := range map[string]string{"client=cli-a": "client", "campaign=camp-a1": "campaign", "batch=lote-1": "batch"} {
			v, _ := url.ParseQuery(raw)
			_, err := r.ParseFluxo(ctx, fluxoBeta, v)
			if pe := paramError(t, err); len(pe.Problems) != 1 || pe.Problems[0].Param != param {
				t.Errorf("%s: %+v", raw, pe.Problems)
			}
		}
		if _, err := r.FluxoHistory(ctx, fluxoBeta, "lote-1", "ct-ana"); !errors.Is(err, report.ErrNotFound) {
			t.Errorf("history of another client = %v, want ErrNotFound", err)
		}
		if _, err := r.FluxoHistory(ctx, fluxoBeta, "lote-b", "ct-davi"); err != nil {
			t.Errorf("history of own client: %v", err)
		}
		if _, err := r.FluxoHistory(ctx, fluxoAdmin, "lote-b", "ct-ana"); !errors.Is(err, report.ErrNotFound) {
			t.Errorf("history of a contact outside the batch = %v, want ErrNotFound", err)
		}
		// The export obeys the same scope.
		var buf bytes.Buffer
		st, err := report.Write(&buf, report.Format{Kind: "csv", Sep: ';'}, report.FluxoQuery{}.Columns(), r.FluxoRows(ctx, fluxoBeta, parseFluxo(t, ctx, r, fluxoBeta, june)))
		if err != nil || st.Rows != 1 || strings.Contains(buf.String(), "Ana") {
			t.Errorf("export of client B = %d rows, %v:\n%s", st.Rows, err, buf.String())
		}
	})
}

func TestFluxoMasksPersonalDataForViewer(t *testing.T) {
	eachFluxo(t, func(t *testing.T, ctx context.Context, _ *store.DB, r *report.Reports) {
		tb := fluxoTable(t, ctx, r, fluxoViewer, june+"&batch=lote-1")
		wantRows(t, "viewer", tb,
			[]string{"Lote Junho", "Ana Souza", "***.982.247-**", "*********4321", "a***@example.org", "fluxo-7", "2", "6", "menu", "Abandonado"},
			[]string{"Lote Junho", "Bruno Lima", "**.***.***/0001-**", "******4444", "", "fluxo-7", "1", "3", "transbordo", "Transferido para humano"},
			[]string{"Lote Junho", "Carla Dias", "***.533.447-**", "*********0000", "c***@example.org", "fluxo-7", "1", "1", "saudacao", "Expirado"},
		)
		var buf bytes.Buffer
		if _, err := report.Write(&buf, report.Format{Kind: "csv", Sep: ';'}, report.FluxoQuery{}.Columns(), r.FluxoRows(ctx, fluxoViewer, parseFluxo(t, ctx, r, fluxoViewer, june+"&batch=lote-1"))); err != nil {
			t.Fatal(err)
		}
		if s := buf.String(); strings.Contains(s, "529.982") || strings.Contains(s, "98765") || strings.Contains(s, "ana@") {
			t.Errorf("viewer export shows personal data:\n%s", s)
		}
		h, err := r.FluxoHistory(ctx, fluxoViewer, "lote-1", "ct-ana")
		if err != nil {
			t.Fatal(err)
		}
		if h.Document != "***.982.247-**" || h.Phone != "*********4321" || h.Email != "a***@example.org" || h.Contact != "Ana Souza" {
			t.Errorf("viewer history head = %q %q %q %q", h.Contact, h.Document, h.Phone, h.Email)
		}
		h, err = r.FluxoHistory(ctx, fluxoAdmin, "lote-1", "ct-ana")
		if err != nil {
			t.Fatal(err)
		}
		if h.Document != "529.982.247-25" || h.Phone != "+55 11 98765-4321" || h.Email != "ana@example.org" {
			t.Errorf("admin history head = %q %q %q", h.Document, h.Phone, h.Email)
		}
	})
}

func TestFluxoExportCSVHasHeaderAndEveryRow(t *testing.T) {
	eachFluxo(t, func(t *testing.T, ctx context.Context, db *store.DB, r *report.Reports) {
		if want := []string{"Lote", "Nome", "CPF/CNPJ", "Telefone", "Email", "Fluxo", "Conversas", "Mensagens", "Última Etapa", "Desfecho"}; !reflect.DeepEqual(report.FluxoQuery{}.Columns(), want) {
			t.Errorf("export columns = %q", report.FluxoQuery{}.Columns())
		}
		f, err := report.ParseFormat("csv", "")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		st, err := report.Write(&buf, f, report.FluxoQuery{}.Columns(), r.FluxoRows(ctx, fluxoAdmin, parseFluxo(t, ctx, r, fluxoAdmin, june)))
		if err != nil {
			t.Fatal(err)
		}
		want := "\uFEFFLote;Nome;CPF/CNPJ;Telefone;Email;Fluxo;Conversas;Mensagens;Última Etapa;Desfecho\n" +
			"Lote Beta;Davi Rocha;;5511955554444;;fluxo-9;1;2;inicio;Em andamento\n" +
			// A phone given as "+55…" is phone-like: not neutralised.
			"Lote Junho;Ana Souza;529.982.247-25;+55 11 98765-4321;ana@example.org;fluxo-7;2;6;menu;Abandonado\n" +
			"Lote Junho;Bruno Lima;11.222.333/0001-81;11 3333-4444;;fluxo-7;1;3;transbordo;Transferido para humano\n" +
			"Lote Junho;Carla Dias;390.533.447-05;5521999990000;carla@example.org;fluxo-7;1;1;saudacao;Expirado\n"
		if buf.String() != want || st.Rows != 4 {
			t.Errorf("csv (%d rows) =\n%s\nwant\n%s", st.Rows, buf.String(), want)
		}
		// XLSX streams the same rows.
		buf.Reset()
		if st, err := report.Write(&buf, report.Format{Kind: "xlsx"}, report.FluxoQuery{}.Columns(), r.FluxoRows(ctx, fluxoAdmin, parseFluxo(t, ctx, r, fluxoAdmin, june))); err != nil || st.Rows != 4 {
			t.Errorf("xlsx = %d rows, %v", st.Rows, err)
		}
		// Keyset pages: a page size of 1 streams the same rows, in order.
		q := parseFluxo(t, ctx, r, fluxoAdmin, june)
		var ids []string
		if err := db.EachBotRow(ctx, fluxoAdmin, q.Filter, false, 1, func(row store.BotRow) error {
			ids = append(ids, row.BatchID+"/"+row.ContactID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if want := []string{"lote-b/ct-davi", "lote-1/ct-ana", "lote-1/ct-bruno", "lote-1/ct-carla"}; !reflect.DeepEqual(ids, want) {
			t.Errorf("paged export = %q", ids)
		}
	})
}

func TestFluxoCursorPagesThroughEveryRowOnce(t *testing.T) {
	eachFluxo(t, func(t *testing.T, ctx context.Context, _ *store.DB, r *report.Reports) {
		for _, sort := range []string{"batch", "name"} {
			full := fluxoTable(t, ctx, r, fluxoAdmin, june+"&sort="+sort)
			var got [][]string
			cursor := ""
			for i := 0; i < 10; i++ {
				raw := june + "&sort=" + sort + "&limit=1"
				if cursor != "" {
					raw += "&cursor=" + url.QueryEscape(cursor)
				}
				page := fluxoTable(t, ctx, r, fluxoAdmin, raw)
				got = append(got, page.Rows...)
				if cursor = page.NextCursor; cursor == "" {
					break
				}
			}
			if !reflect.DeepEqual(got, full.Rows) {
				t.Errorf("sort=%s paged =\n%q\nwant\n%q", sort, got, full.Rows)
			}
		}
		byName := fluxoTable(t, ctx, r, fluxoAdmin, june+"&sort=name")
		wantRows(t, "sort=name", byName, rowAna, rowBruno, rowCarla, rowDavi)
	})
}

func TestFluxoHistoryShowsMessagesStepsAndHowEachConversationEnded(t *testing.T) {
	eachFluxo(t, func(t *testing.T, ctx context.Context, _ *store.DB, r *report.Reports) {
		loc, _ := time.LoadLocation("America/Sao_Paulo")
		at := func(s string) time.Time {
			tm, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
			if err != nil {
				t.Fatal(err)
			}
			return tm
		}
		h, err := r.FluxoHistory(ctx, fluxoAdmin, "lote-1", "ct-ana")
		if err != nil {
			t.Fatal(err)
		}
		if h.Batch != "Lote Junho" || h.Contact != "Ana Souza" || h.BatchID != "lote-1" || h.ContactID != "ct-ana" || len(h.Conversations) != 2 {
			t.Fatalf("history = %+v", h)
		}
		c1, c2 := h.Conversations[0], h.Conversations[1]
		if c1.ID != "cv-1" || c1.Flow != "fluxo-7" || c1.Channel != "whatsapp" || c1.Outcome != "finished" || c1.OutcomeLabel != "Finalizado" ||
			!c1.StartedAt.Equal(at("2025-06-02 09:00:00")) || c1.EndedAt == nil || !c1.EndedAt.Equal(at("2025-06-02 09:02:00")) ||
			c1.Interaction != "" || c1.Protocol != "" {
			t.Errorf("cv-1 head = %+v", c1)
		}
		type msg struct{ at, sender, text string }
		var msgs []msg
		for _, m := range c1.Messages {
			msgs = append(msgs, msg{m.At.In(loc).Format("15:04:05"), m.Sender, m.Text})
		}
		wantMsgs := []msg{{"09:00:02", "bot", "Olá! Sou a assistente."}, {"09:00:30", "client", "Oi"}, {"09:00:32", "bot", "1 - Boleto, 2 - Atendente"}, {"09:01:00", "client", "1"}}
		if !reflect.DeepEqual(msgs, wantMsgs) {
			t.Errorf("cv-1 messages = %q, want %q", msgs, wantMsgs)
		}
		var steps []string
		for _, s := range c1.Steps {
			steps = append(steps, s.At.In(loc).Format("15:04:05")+" "+s.Step)
		}
		if want := []string{"09:00:01 saudacao", "09:00:31 menu", "09:01:01 boleto"}; !reflect.DeepEqual(steps, want) {
			t.Errorf("cv-1 steps = %q, want %q (a repeated step once, as derived)", steps, want)
		}
		if c2.ID != "cv-2" || c2.Outcome != "abandoned" || c2.OutcomeLabel != "Abandonado" || c2.Channel != "sms" || len(c2.Messages) != 2 || len(c2.Steps) != 2 {
			t.Errorf("cv-2 = %+v", c2)
		}

		// Handed off: the interaction and its protocol, to link its history.
		h, err = r.FluxoHistory(ctx, fluxoAdmin, "lote-1", "ct-bruno")
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Conversations) != 1 {
			t.Fatalf("bruno = %+v", h)
		}
		if c := h.Conversations[0]; c.Outcome != "handed_off" || c.OutcomeLabel != "Transferido para humano" || c.Interaction != "wa-100" || c.Protocol != "20250603170200" {
			t.Errorf("handed off = %+v", c)
		}

		// Every conversation of the contact in the batch, whatever the
		// period; an unknown interaction has no protocol yet.
		h, err = r.FluxoHistory(ctx, fluxoAdmin, "lote-1", "ct-carla")
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Conversations) != 2 || h.Conversations[0].ID != "cv-6" || h.Conversations[0].Interaction != "wa-999" || h.Conversations[0].Protocol != "" ||
			h.Conversations[1].ID != "cv-4" || h.Conversations[1].OutcomeLabel != "Expirado" {
			t.Errorf("carla = %+v", h)
		}

		// Still open.
		h, err = r.FluxoHistory(ctx, fluxoAdmin, "lote-b", "ct-davi")
		if err != nil {
			t.Fatal(err)
		}
		if c := h.Conversations[0]; c.Outcome != "" || c.OutcomeLabel != "Em andamento" || c.EndedAt != nil || len(c.Messages) != 2 {
			t.Errorf("open = %+v", c)
		}
		if _, err := r.FluxoHistory(ctx, fluxoAdmin, "lote-1", "nobody"); !errors.Is(err, report.ErrNotFound) {
			t.Errorf("unknown contact = %v", err)
		}
	})
}

func TestFluxoBatchNotYetInDirectoryIsListedByIDAndValidatedByItsConversations(t *testing.T) {
	eachFluxo(t, func(t *testing.T, ctx context.Context, db *store.DB, r *report.Reports) {
		late := `{"id":"h1","type":"bot.conversation_started","at":"2025-06-10T09:00:00-03:00","conversation":"cv-7","flow":"fluxo-7","client_id":"cli-a","campaign_id":"camp-a1","batch_id":"lote-novo","contact_id":"ct-eva"}
{"id":"h2","type":"bot.message","at":"2025-06-10T09:00:01-03:00","conversation":"cv-7","message_id":"s1","sender":"bot","text":"Olá!"}`
		if _, err := ingest.New(db).IngestBody(ctx, "acme", []byte(late)); err != nil {
			t.Fatal(err)
		}
		wantRows(t, "unknown batch and contact", fluxoTable(t, ctx, r, fluxoAdmin, june+"&client=cli-a&campaign=camp-a1&batch=lote-novo"),
			[]string{"lote-novo", "", "", "", "", "fluxo-7", "1", "1", "", "Em andamento"})
		v, _ := url.ParseQuery("campaign=camp-b1&batch=lote-novo")
		_, err := r.ParseFluxo(ctx, fluxoAdmin, v)
		if pe := paramError(t, err); len(pe.Problems) != 1 || pe.Problems[0].Param != "batch" {
			t.Errorf("batch of another campaign: %+v", pe.Problems)
		}
		v, _ = url.ParseQuery("batch=lote-novo")
		if _, err := r.ParseFluxo(ctx, fluxoBeta, v); err == nil {
			t.Error("a batch of another client is visible to a client B principal")
		}
	})
}

// BenchmarkFluxoMonth answers one page of a month of n conversations on
// SQLite: `go test -run '^$' -bench FluxoMonth ./internal/report/` (setup
// ingests every event, so it takes a while).
func BenchmarkFluxoMonth(b *testing.B) {
	for _, n := range []int{500, 2000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			db, err := store.Open(ctx, b.TempDir()+"/rastro.db")
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if err := db.EnsureTenant(ctx, "acme"); err != nil {
				b.Fatal(err)
			}
			in := ingest.New(db)
			var body strings.Builder
			flush := func() {
				if body.Len() == 0 {
					return
				}
				if _, err := in.IngestBody(ctx, "acme", []byte(body.String())); err != nil {
					b.Fatal(err)
				}
				body.Reset()
			}
			line := func(format string, args ...any) { fmt.Fprintf(&body, format+"\n", args...) }
			line(`{"id":"cl","type":"client.upserted","at":"2025-05-01T08:00:00-03:00","client":{"id":"cli","name":"Cliente"}}`)
			line(`{"id":"cp","type":"campaign.upserted","at":"2025-05-01T08:00:00-03:00","campaign":{"id":"camp","name":"Campanha","client_id":"cli"}}`)
			for k := 0; k < 10; k++ {
				line(`{"id":"b%d","type":"batch.upserted","at":"2025-05-01T08:00:00-03:00","batch":{"id":"lote-%d","name":"Lote %02d","campaign_id":"camp"}}`, k, k, k)
			}
			steps := []string{"saudacao", "identificacao", "menu", "acordo", "encerramento"}
			for i := 0; i < n; i++ {
				ct, batch := i%(n/2+1), (i%(n/2+1))%10
				if i < n/2+1 {
					line(`{"id":"ct%d","type":"contact.upserted","at":"2025-05-01T08:00:00-03:00","contact":{"id":"ct-%d","name":"Contato %d","phones":["55119%08d"],"batch_id":"lote-%d"}}`, ct, ct, ct, ct, batch)
				}
				at := time.Date(2025, 6, 1+i%30, 8+i%12, i%60, 0, 0, time.FixedZone("-03", -3*3600))
				line(`{"id":"s%d","type":"bot.conversation_started","at":"%s","conversation":"cv-%d","flow":"fluxo","client_id":"cli","campaign_id":"camp","batch_id":"lote-%d","contact_id":"ct-%d"}`, i, at.Format(time.RFC3339), i, batch, ct)
				for j := 0; j <= i%len(steps); j++ {
					line(`{"id":"st%d-%d","type":"bot.step","at":"%s","conversation":"cv-%d","step":"%s"}`, i, j, at.Add(time.Duration(j)*time.Second).Format(time.RFC3339), i, steps[j])
					line(`{"id":"m%d-%d","type":"bot.message","at":"%s","conversation":"cv-%d","message_id":"m%d-%d","sender":"bot","text":"x"}`, i, j, at.Add(time.Duration(j)*time.Second).Format(time.RFC3339), i, i, j)
				}
				line(`{"id":"e%d","type":"bot.conversation_ended","at":"%s","conversation":"cv-%d","outcome":"%s"}`, i, at.Add(time.Minute).Format(time.RFC3339), i, model.BotOutcomes[i%4])
				if i%2000 == 1999 {
					flush()
				}
			}
			flush()
			r := report.New(db)
			q, err := r.ParseFluxo(ctx, fluxoAdmin, url.Values{"from": {"2025-06-01"}, "to": {"2025-06-30"}})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := r.Fluxo(ctx, fluxoAdmin, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The screen's total counts the conversations of every listed row, on all
// pages, with the same filters (the step one included).
func TestFluxoTotalCountsTheConversationsOfEveryListedRow(t *testing.T) {
	eachFluxo(t, func(t *testing.T, ctx context.Context, _ *store.DB, r *report.Reports) {
		for _, c := range []struct {
			query string
			want  int64
		}{
			{june, 5},                            // Ana 2, Bruno 1, Carla 1, Davi 1
			{june + "&limit=1", 5},               // every page, not this one
			{june + "&batch=lote-1", 4},          // without Davi
			{june + "&step=menu", 2},             // Ana's row: both her conversations
			{june + "&reached_human=true", 1},    // Bruno
			{"from=2025-05-31&to=2025-06-30", 6}, // Carla's May conversation too
			{"from=2025-07-01&to=2025-07-31", 0}, // none
		} {
			got, err := r.FluxoConversations(ctx, fluxoAdmin, parseFluxo(t, ctx, r, fluxoAdmin, c.query))
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("%s: %d conversations, want %d", c.query, got, c.want)
			}
		}
	})
}
