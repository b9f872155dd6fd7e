package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/storetest"
)

// legCallsJS reads the rows of #leg-calls by cell class.
const legCallsJS = `[...document.querySelectorAll('#leg-calls tr.leg-call')].map((tr) => {
  const t = (c) => tr.querySelector('.' + c).textContent.replace(/\s+/g, ' ').trim();
  return {who: t('lc-who'), answered: t('lc-answered'), clientHangup: t('lc-client-hangup'), agentHangup: t('lc-agent-hangup'), transfer: t('lc-transfer')};
})`

type legCallRow struct {
	Who          string `json:"who"`
	Answered     string `json:"answered"`
	ClientHangup string `json:"clientHangup"`
	AgentHangup  string `json:"agentHangup"`
	Transfer     string `json:"transfer"`
}

// TestBrowserHistoryOfATransferredCallShowsBothLegsAndVoltarReturns: from
// a filtered Rastreio page, the history of a transferred voice call shows
// the contact block and both legs in order, each with its own answer and
// hang-up (leg 2's answer is never beside leg 1's hang-up), and Voltar
// comes back to the same Rastreio page with its filters.
func TestBrowserHistoryOfATransferredCallShowsBothLegsAndVoltarReturns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		site := startSite(t, s)
		body := []byte(strings.Join(TransferredCall, "\n") + "\n")
		if _, err := ingest.New(site.DB).IngestBody(context.Background(), demoTenant, body); err != nil {
			t.Fatalf("ingest the transferred call: %v", err)
		}
		ctx, problems := adminTab(t, site)

		search := site.URL + "/rastreio?" + url.Values{"media": {"voice"}, "from": {"2026-10-05"}, "to": {"2026-10-05"}, "protocol": {"TC-20261005"}}.Encode()
		if st := navigate(t, ctx, search); st != 200 {
			t.Fatalf("GET the Rastreio = %d", st)
		}
		do(t, ctx, "the results", chromedp.WaitVisible(chromedp.ID("results")))
		if n := eval[int](t, ctx, `document.querySelectorAll('#results tbody tr').length`); n != 2 {
			t.Fatalf("the Rastreio shows %d legs of the call, want 2", n)
		}
		screenshot(t, ctx, "1-rastreio")

		if st := clickAndWait(t, ctx, "#results tbody tr:first-child a.hist"); st != 200 {
			t.Fatalf("history answered %d", st)
		}
		do(t, ctx, "history page", chromedp.WaitVisible(chromedp.ID("leg-calls")), chromedp.WaitVisible(chromedp.ID("contact")))
		contact := eval[map[string]string](t, ctx, `Object.fromEntries(['c-name', 'c-document', 'c-phone', 'c-service', 'c-tags'].map((id) => [id, document.getElementById(id).textContent.trim()]))`)
		for id, want := range map[string]string{"c-name": "Ana Souza", "c-document": "52998224725", "c-phone": "+55 (11) 98888-7777", "c-service": "Vendas", "c-tags": "Resolvido"} {
			if contact[id] != want {
				t.Errorf("contact %s = %q, want %q", id, contact[id], want)
			}
		}
		legs := eval[[]legCallRow](t, ctx, legCallsJS)
		want := []legCallRow{
			{Who: "Suporte → Carla Dias", Answered: "05/10/2026 10:00:30", ClientHangup: "—", AgentHangup: "05/10/2026 10:02:00", Transfer: "05/10/2026 10:02:00 → Vendas"},
			{Who: "Vendas → Bruno Lima", Answered: "05/10/2026 10:02:15", ClientHangup: "05/10/2026 10:04:10", AgentHangup: "—", Transfer: "—"},
		}
		if len(legs) != len(want) {
			t.Fatalf("leg rows %+v, want %+v", legs, want)
		}
		for i := range want {
			if legs[i] != want[i] {
				t.Errorf("leg %d = %+v, want %+v", i+1, legs[i], want[i])
			}
		}
		if steps := eval[string](t, ctx, `document.getElementById('timeline').textContent`); !strings.Contains(steps, "URA Principal") {
			t.Error("the timeline does not name the IVR")
		}
		screenshot(t, ctx, "2-history")

		if st := clickAndWait(t, ctx, "#back"); st != 200 {
			t.Fatalf("Voltar answered %d", st)
		}
		do(t, ctx, "back to the results", chromedp.WaitVisible(chromedp.ID("results")))
		got, err := url.Parse(location(t, ctx))
		if err != nil {
			t.Fatal(err)
		}
		q := got.Query()
		if got.Path != "/rastreio" || q.Get("media") != "voice" || q.Get("from") != "2026-10-05" || q.Get("to") != "2026-10-05" || q.Get("protocol") != "TC-20261005" {
			t.Fatalf("Voltar went to %s, not the search it came from (%s)", got, search)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#results tbody tr').length`); n != 2 {
			t.Errorf("back on the Rastreio: %d rows, want the same 2", n)
		}
		screenshot(t, ctx, "3-back")
		if p := problems(); len(p) > 0 {
			t.Errorf("page problems: %q", p)
		}
	})
}
