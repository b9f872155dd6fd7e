package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// namedDirectory is an IVR with menu labels, a bot flow with step names
// (EVENTS.md's ivr.upserted options and flow.upserted) and one call and one
// bot conversation through them; the conversation finished at its last
// step.
var namedDirectory = strings.Join([]string{
	`{"id":"n1","type":"ivr.upserted","at":"2026-10-01T08:00:00-03:00","ivr":{"id":"ura-1","name":"URA Principal","options":{"1":"Financeiro","1.2":"Segunda via"}}}`,
	`{"id":"n2","type":"interaction.created","at":"2026-10-05T09:00:00-03:00","interaction":"call-1","media":"voice","direction":"inbound","from":"11999990001"}`,
	`{"id":"n3","type":"ivr.entered","at":"2026-10-05T09:00:01-03:00","interaction":"call-1","ivr_id":"ura-1"}`,
	`{"id":"n4","type":"ivr.option","at":"2026-10-05T09:00:05-03:00","interaction":"call-1","ivr_id":"ura-1","option":"1"}`,
	`{"id":"n5","type":"ivr.option","at":"2026-10-05T09:00:09-03:00","interaction":"call-1","ivr_id":"ura-1","option":"2"}`,
	`{"id":"n6","type":"ivr.left","at":"2026-10-05T09:00:30-03:00","interaction":"call-1","ivr_id":"ura-1","outcome":"finished"}`,
	`{"id":"n7","type":"client.upserted","at":"2026-10-01T08:00:00-03:00","client":{"id":"cli-1","name":"Banco Alfa"}}`,
	`{"id":"n8","type":"campaign.upserted","at":"2026-10-01T08:00:00-03:00","campaign":{"id":"camp-1","name":"Cobrança","client_id":"cli-1"}}`,
	`{"id":"n9","type":"batch.upserted","at":"2026-10-01T08:00:00-03:00","batch":{"id":"lote-1","name":"Lote Outubro","campaign_id":"camp-1"}}`,
	`{"id":"n10","type":"contact.upserted","at":"2026-10-01T08:00:00-03:00","contact":{"id":"ct-1","name":"Ana Souza","batch_id":"lote-1"}}`,
	`{"id":"n11","type":"flow.upserted","at":"2026-10-01T08:00:00-03:00","flow":{"id":"fl-1","name":"Régua de cobrança","steps":{"s-menu":"Menu principal"}}}`,
	`{"id":"n12","type":"flow.upserted","at":"2026-10-02T08:00:00-03:00","flow":{"id":"fl-1","steps":{"s-fim":"Encerramento"}}}`,
	`{"id":"n13","type":"bot.conversation_started","at":"2026-10-05T10:00:00-03:00","conversation":"cv-1","flow":"fl-1","client_id":"cli-1","campaign_id":"camp-1","batch_id":"lote-1","contact_id":"ct-1","channel":"whatsapp"}`,
	`{"id":"n14","type":"bot.step","at":"2026-10-05T10:00:01-03:00","conversation":"cv-1","step":"s-menu"}`,
	`{"id":"n15","type":"bot.step","at":"2026-10-05T10:00:09-03:00","conversation":"cv-1","step":"s-fim"}`,
	`{"id":"n16","type":"bot.conversation_ended","at":"2026-10-05T10:01:00-03:00","conversation":"cv-1","outcome":"finished"}`,
}, "\n")

// The IVR and Fluxo Ágil screens name menu options, flows and steps from
// the directory, draw a flow finished at its last step as finished (not as
// abandonment) and give the total of conversations, while the exports
// keep the identifiers the events carry.
func TestScreensNameMenuOptionsFlowsAndStepsAndExportsKeepTheIDs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		e := newBareEnv(t, s)
		if err := s.DB.EnsureTenant(ctx, tenantA); err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.New(s.DB).IngestBody(ctx, tenantA, []byte(namedDirectory)); err != nil {
			t.Fatal(err)
		}
		e.mustToken(t, "admin", store.Grant{Tenant: tenantA, Role: model.RoleAdmin})
		e.mustSession(t, "admin", store.Grant{Tenant: tenantA, Role: model.RoleAdmin})
		page := func(path string) string {
			t.Helper()
			r := e.ui(t, "admin", http.MethodGet, path, nil)
			mustOK(t, path, r)
			return string(r.Body)
		}
		has := func(what, body string, want ...string) {
			t.Helper()
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s lacks %q", what, w)
				}
			}
		}
		period := "from=2026-10-01&to=2026-10-31"

		has("IVR screen", page("/ivr?"+period), "1 Financeiro › 2 Segunda via (1)")
		ivrCSV := string(e.get(t, "admin", "/api/v1/reports/ivr/export?format=csv&"+period).Body)
		has("IVR export", ivrCSV, ";1 > 2 (1)")

		fluxo := page("/fluxo-agil?" + period)
		has("Fluxo Ágil screen", fluxo,
			"<td>Régua de cobrança</td>", "<td>Encerramento</td>", // the row's flow and last step
			`<option value="s-menu">Menu principal</option>`,                                           // the step filter
			`data-step="s-fim" data-reached="1" data-stopped="1" data-abandoned="0" data-finished="1"`, // finished, not abandoned
			`<span id="fluxo-total">1 conversa no total</span>`)
		if strings.Contains(fluxo, "<td>fl-1</td>") || strings.Contains(fluxo, "<td>s-fim</td>") {
			t.Error("the Fluxo Ágil screen shows ids where names are known")
		}
		fluxoCSV := string(e.get(t, "admin", "/api/v1/reports/fluxo-agil/export?format=csv&"+period).Body)
		has("Fluxo Ágil export", fluxoCSV, ";fl-1;1;0;s-fim;Finalizado")
		if strings.Contains(fluxoCSV, "Régua") || strings.Contains(fluxoCSV, "Encerramento") {
			t.Errorf("the export names what it must identify:\n%s", fluxoCSV)
		}
		has("Fluxo Ágil history", page("/fluxo-agil/lote-1/ct-1"), "Régua de cobrança", "Menu principal", "Encerramento")
	})
}
