package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/storetest"
)

// shot scrolls to the top (the sticky header stays in place in the full
// page capture) and saves a screenshot.
func shot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	eval[bool](t, ctx, `(() => { window.scrollTo(0, 0); return true; })()`)
	screenshot(t, ctx, name)
}

// waitJS polls a JavaScript condition in the page until it holds (20 s).
func waitJS(t testing.TB, ctx context.Context, what, cond string) {
	t.Helper()
	expr := `new Promise((resolve) => {
  const t0 = Date.now();
  const tick = () => {
    let ok = false;
    try { ok = !!(` + cond + `); } catch (e) {}
    if (ok) return resolve(true);
    if (Date.now() - t0 > 20000) return resolve(false);
    setTimeout(tick, 50);
  };
  tick();
})`
	if !eval[bool](t, ctx, expr) {
		failShot(t, ctx)
		t.Fatalf("timed out waiting for %s (%s)", what, cond)
	}
}

// chooseOption picks value in a <select> as a user does (change event).
func chooseOption(t testing.TB, ctx context.Context, id, value string) {
	t.Helper()
	ok := eval[bool](t, ctx, `(() => {
  const s = document.getElementById(`+strconv.Quote(id)+`);
  if (!s || ![...s.options].some(o => o.value === `+strconv.Quote(value)+`)) return false;
  s.value = `+strconv.Quote(value)+`;
  s.dispatchEvent(new Event('change', {bubbles: true}));
  return true;
})()`)
	if !ok {
		failShot(t, ctx)
		t.Fatalf("select #%s has no option %q", id, value)
	}
}

func queryOf(t testing.TB, ctx context.Context) url.Values {
	t.Helper()
	u, err := url.Parse(location(t, ctx))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func pathOf(t testing.TB, ctx context.Context) string {
	t.Helper()
	u, err := url.Parse(location(t, ctx))
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// fluxoTarget is the batch the Fluxo Ágil test walks to: the one with the
// most rows among those where some contact reached a human.
type fluxoTarget struct {
	client, campaign, batch string
	rows, human             int
}

func pickFluxoTarget(t testing.TB, site *testSite) fluxoTarget {
	t.Helper()
	ctx := context.Background()
	p := model.Principal{Tenant: demoTenant, Actor: "test", Role: model.RoleAdmin, PersonalData: true}
	count := func(v url.Values) map[string]int {
		v.Set("limit", "1000")
		q, err := site.Server.reports.ParseFluxo(ctx, p, v)
		if err != nil {
			t.Fatalf("ParseFluxo(%v): %v", v, err)
		}
		tab, err := site.Server.reports.Fluxo(ctx, p, q)
		if err != nil {
			t.Fatal(err)
		}
		if tab.NextCursor != "" {
			t.Fatal("demo data has more than 1000 Fluxo Ágil rows: raise the limit")
		}
		out := map[string]int{}
		for _, k := range tab.Keys {
			b, _, _ := strings.Cut(k, "/")
			out[b]++
		}
		return out
	}
	all, human := count(url.Values{}), count(url.Values{"reached_human": {"true"}})
	var ids []string
	for b := range human {
		ids = append(ids, b)
	}
	if len(ids) == 0 {
		t.Fatal("demo data has no Fluxo Ágil contact that reached a human")
	}
	sort.Slice(ids, func(i, j int) bool {
		if all[ids[i]] != all[ids[j]] {
			return all[ids[i]] > all[ids[j]]
		}
		return ids[i] < ids[j]
	})
	tg := fluxoTarget{batch: ids[0], rows: all[ids[0]], human: human[ids[0]]}
	batches, err := site.DB.Batches(ctx, p, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if b.ID == tg.batch {
			tg.campaign = b.Parent
		}
	}
	campaigns, err := site.DB.Campaigns(ctx, p, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range campaigns {
		if c.ID == tg.campaign {
			tg.client = c.Parent
		}
	}
	if tg.client == "" || tg.campaign == "" {
		t.Fatalf("batch %s has no campaign/client in the directory", tg.batch)
	}
	return tg
}

func TestBrowserReportsFluxoAgilCascadeHistoryExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		site := startSite(t, s)
		tg := pickFluxoTarget(t, site)
		ctx, problems := adminTab(t, site)

		// The untouched page: the filters and a hint, no results yet.
		if st := navigate(t, ctx, site.URL+"/fluxo-agil"); st != 200 {
			t.Fatalf("GET /fluxo-agil = %d", st)
		}
		do(t, ctx, "the filters and the hint",
			chromedp.WaitVisible(chromedp.ID("f-client")),
			chromedp.WaitVisible(chromedp.CSS(".rpt-hint")),
			chromedp.WaitNotPresent(chromedp.ID("fluxo-table")),
		)

		// Cliente → Campanha → Lote, through the selects: each choice
		// refills the next select with the children of the choice only.
		chooseOption(t, ctx, "f-client", tg.client)
		waitJS(t, ctx, "the campaigns of the client",
			`(() => { const o = [...document.querySelectorAll('#f-campaign option')].filter(o => o.value);
			  return o.length > 0 && o.every(o => o.dataset.parent === `+strconv.Quote(tg.client)+`) &&
			    o.some(o => o.value === `+strconv.Quote(tg.campaign)+`) && !document.getElementById('f-campaign').disabled; })()`)
		chooseOption(t, ctx, "f-campaign", tg.campaign)
		waitJS(t, ctx, "the batches of the campaign",
			`(() => { const o = [...document.querySelectorAll('#f-batch option')].filter(o => o.value);
			  return o.length > 0 && o.every(o => o.dataset.parent === `+strconv.Quote(tg.campaign)+`) &&
			    o.some(o => o.value === `+strconv.Quote(tg.batch)+`) && !document.getElementById('f-batch').disabled; })()`)
		chooseOption(t, ctx, "f-batch", tg.batch)
		shot(t, ctx, "1-cascade")

		if st := clickAndWait(t, ctx, "#fluxo-search"); st != 200 {
			t.Fatalf("Buscar = %d", st)
		}
		q := queryOf(t, ctx)
		if q.Get("client") != tg.client || q.Get("campaign") != tg.campaign || q.Get("batch") != tg.batch {
			t.Fatalf("search URL query = %v, want client=%s campaign=%s batch=%s", q, tg.client, tg.campaign, tg.batch)
		}
		// The server renders the same cascade for the chosen filters.
		if !eval[bool](t, ctx, `document.getElementById('f-batch').value === `+strconv.Quote(tg.batch)+` &&
			[...document.querySelectorAll('#f-campaign option')].filter(o => o.value).every(o => o.dataset.parent === `+strconv.Quote(tg.client)+`)`) {
			t.Error("the page after the search does not keep the chosen cascade")
		}
		headers := eval[[]string](t, ctx, `[...document.querySelectorAll('#fluxo-table thead th')].map(th => th.textContent.replace('▲', '').trim())`)
		wantHeaders := []string{"Lote", "Nome", "CPF/CNPJ", "Telefone", "Email", "Fluxo", "Conversas", "Mensagens", "Última Etapa", "Desfecho", "Ação"}
		if strings.Join(headers, "|") != strings.Join(wantHeaders, "|") {
			t.Errorf("headers = %q, want %q", headers, wantHeaders)
		}
		nRows := eval[int](t, ctx, `document.querySelectorAll('#fluxo-table tbody tr').length`)
		if nRows != min(tg.rows, 50) {
			t.Errorf("rows = %d, want %d (the batch's rows, one page of 50 at most)", nRows, min(tg.rows, 50))
		}
		batchName := eval[string](t, ctx, `document.querySelector('#fluxo-table tbody tr td').textContent.trim()`)
		if n := eval[int](t, ctx, `[...document.querySelectorAll('#fluxo-table tbody tr')].filter(r => r.cells[0].textContent.trim() !== `+strconv.Quote(batchName)+`).length`); n != 0 {
			t.Errorf("%d rows of another batch than %q", n, batchName)
		}
		// The drop-off chart: one row per step, with reached ≥ stopped.
		steps := eval[int](t, ctx, `document.querySelectorAll('#fluxo-dropoff svg g.drop-step').length`)
		if steps == 0 {
			t.Fatal("no drop-off steps")
		}
		if n := eval[int](t, ctx, `[...document.querySelectorAll('#fluxo-dropoff g.drop-step')].filter(g => +g.dataset.stopped > +g.dataset.reached).length`); n != 0 {
			t.Errorf("%d steps with more contacts stopped than reached", n)
		}
		shot(t, ctx, "2-results")

		// Exportar → CSV: the header of the report and every row of the search.
		do(t, ctx, "click Exportar CSV", chromedp.Click(chromedp.CSS(`.exports a[data-format="csv"]`), chromedp.NodeVisible))
		path := waitDownload(t, site.DownloadDir, ".csv", 30*time.Second)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte("\uFEFF")) {
			t.Error("CSV has no UTF-8 BOM")
		}
		data = bytes.TrimPrefix(data, []byte("\uFEFF"))
		firstLine, _, _ := strings.Cut(string(data), "\n")
		const wantHeader = "Lote;Nome;CPF/CNPJ;Telefone;Email;Fluxo;Conversas;Mensagens;"
		if !strings.HasPrefix(strings.TrimRight(firstLine, "\r"), wantHeader) {
			t.Errorf("CSV header = %q, want it to start with %q", firstLine, wantHeader)
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("read CSV: %v", err)
		}
		if len(recs)-1 != tg.rows {
			t.Errorf("CSV rows = %d, want %d", len(recs)-1, tg.rows)
		}
		for i, rec := range recs[1:] {
			if rec[0] != batchName {
				t.Errorf("CSV row %d is of batch %q, want %q", i+1, rec[0], batchName)
				break
			}
		}

		// A step of the drop-off lists the contacts that stopped there.
		stopStep := eval[string](t, ctx, `(() => { const g = [...document.querySelectorAll('#fluxo-dropoff g.drop-step')].find(g => +g.dataset.stopped > 0); return g ? g.dataset.step : ''; })()`)
		if stopStep == "" {
			t.Fatal("no drop-off step where contacts stopped")
		}
		wantStopped := eval[int](t, ctx, `+[...document.querySelectorAll('#fluxo-dropoff g.drop-step')].find(g => g.dataset.step === `+strconv.Quote(stopStep)+`).dataset.stopped`)
		if st := clickAndWait(t, ctx, `#fluxo-dropoff a:has(g[data-step=`+strconv.Quote(stopStep)+`])`); st != 200 {
			t.Fatalf("drop-off step link = %d", st)
		}
		if got := queryOf(t, ctx).Get("step"); got != stopStep {
			t.Fatalf("step link went to step=%q, want %q", got, stopStep)
		}
		lastSteps := eval[[]string](t, ctx, `[...document.querySelectorAll('#fluxo-table tbody tr')].map(r => r.cells[8].textContent.trim())`)
		if len(lastSteps) == 0 {
			t.Fatalf("no rows for step %s", stopStep)
		}
		for _, ls := range lastSteps {
			if ls != stopStep {
				t.Errorf("row stopped at %q in the list of step %q", ls, stopStep)
				break
			}
		}
		contacts := eval[int](t, ctx, `new Set([...document.querySelectorAll('#fluxo-table tbody tr')].map(r => r.cells[1].textContent + '|' + r.cells[2].textContent)).size`)
		if contacts != wantStopped {
			t.Errorf("step %s lists %d contacts, the drop-off says %d stopped there", stopStep, contacts, wantStopped)
		}
		if eval[string](t, ctx, `document.getElementById('f-step').value`) != stopStep {
			t.Error("Parou na etapa does not show the chosen step")
		}

		// Chegou ao atendimento humano = Sim, through the form.
		chooseOption(t, ctx, "f-step", "")
		chooseOption(t, ctx, "f-human", "true")
		if st := clickAndWait(t, ctx, "#fluxo-search"); st != 200 {
			t.Fatalf("Buscar (reached human) = %d", st)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#fluxo-table tbody tr').length`); n != tg.human {
			t.Errorf("rows that reached a human = %d, want %d", n, tg.human)
		}

		// 💬 → the history of the contact's conversations with the bot.
		if st := clickAndWait(t, ctx, "#fluxo-table tbody tr a.rpt-hist"); st != 200 {
			t.Fatalf("history = %d", st)
		}
		if p := pathOf(t, ctx); !strings.HasPrefix(p, "/fluxo-agil/"+url.PathEscape(tg.batch)+"/") {
			t.Fatalf("history path = %s", p)
		}
		nConv := eval[int](t, ctx, `document.querySelectorAll('article.rpt-conv').length`)
		nMsgs := eval[int](t, ctx, `document.querySelectorAll('.rpt-chat .rpt-msg').length`)
		nSteps := eval[int](t, ctx, `document.querySelectorAll('ol.rpt-path li').length`)
		if nConv == 0 || nMsgs == 0 || nSteps == 0 {
			t.Fatalf("history shows %d conversations, %d messages, %d steps", nConv, nMsgs, nSteps)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('.rpt-msg.from-bot').length`); n == 0 {
			t.Error("no bot message bubble")
		}
		shot(t, ctx, "3-history")
		entries, err := site.DB.AuditLog(context.Background(), demoTenant, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var viewed, exported bool
		for _, e := range entries {
			if e.Action == "history.view" && e.Detail["batch"] == tg.batch && e.Actor == "user:"+adminUser {
				viewed = true
			}
			if e.Action == "export" && e.Detail["report"] == "fluxo-agil" {
				exported = true
			}
		}
		if !viewed || !exported {
			t.Errorf("audit log: history.view of batch %s = %v, fluxo-agil export = %v", tg.batch, viewed, exported)
		}

		// The hand-off → Ver atendimento → the human service's history.
		if st := clickAndWait(t, ctx, `article.rpt-conv a[href^="/historico/"]`); st != 200 {
			t.Fatalf("Ver atendimento = %d", st)
		}
		protocol := strings.TrimPrefix(pathOf(t, ctx), "/historico/")
		do(t, ctx, "the service history", chromedp.WaitVisible(chromedp.ID("h-protocol")))
		if got := eval[string](t, ctx, `document.getElementById('h-protocol').textContent.trim()`); got != protocol {
			t.Errorf("history protocol = %q, want %q", got, protocol)
		}

		// Unknown contact: 404 page. Bad filters: 400 with the messages.
		if st := navigate(t, ctx, site.URL+"/fluxo-agil/"+url.PathEscape(tg.batch)+"/nao-existe"); st != 404 {
			t.Errorf("unknown contact = %d, want 404", st)
		}
		do(t, ctx, "the not-found message", chromedp.WaitVisible(chromedp.ID("fluxo-history-notfound")))
		if st := navigate(t, ctx, site.URL+"/fluxo-agil?from=2026-13-01&to=&client=&campaign="+url.QueryEscape(tg.campaign)+"&batch=nao-existe"); st != 400 {
			t.Errorf("bad filters = %d, want 400", st)
		}
		msgs := eval[string](t, ctx, `(document.getElementById('fluxo-errors') || {}).textContent || ''`)
		for _, want := range []string{"De", "deve ser uma data", "Lote", "lote desconhecido"} {
			if !strings.Contains(msgs, want) {
				t.Errorf("error messages %q do not name %q", msgs, want)
			}
		}
		shot(t, ctx, "4-errors")

		// Keyset paging: two rows a page, the next page goes on where the
		// first stopped, and the first page is one click away.
		if tg.rows > 2 {
			navigate(t, ctx, site.URL+"/fluxo-agil?batch="+url.QueryEscape(tg.batch)+"&limit=2")
			const names = `[...document.querySelectorAll('#fluxo-table tbody tr')].map(r => r.cells[1].textContent.trim() + '|' + r.cells[2].textContent.trim())`
			page1 := eval[[]string](t, ctx, names)
			if st := clickAndWait(t, ctx, "#fluxo-next"); st != 200 {
				t.Fatalf("next page = %d", st)
			}
			page2 := eval[[]string](t, ctx, names)
			if len(page1) != 2 || len(page2) == 0 || page2[0] == page1[0] || page2[0] == page1[1] {
				t.Errorf("page 1 = %q, page 2 = %q", page1, page2)
			}
			if st := clickAndWait(t, ctx, "#fluxo-first"); st != 200 || strings.Join(eval[[]string](t, ctx, names), ",") != strings.Join(page1, ",") {
				t.Errorf("first page link = %d, not back at %q", st, page1)
			}
		}

		// English.
		navigate(t, ctx, site.URL+"/fluxo-agil?batch="+url.QueryEscape(tg.batch)+"&lang=en")
		if h := eval[string](t, ctx, `document.querySelector('#fluxo-table thead th').textContent`); !strings.Contains(h, "Batch") {
			t.Errorf("English header = %q, want Batch", h)
		}
		if p := problems(); len(p) > 0 {
			t.Errorf("console problems: %q", p)
		}
	})
}

func TestBrowserReportsIVRAndAgentsDrillDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		site := startSite(t, s)
		ctx, problems := adminTab(t, site)

		// Relatório IVR grouped by Hora, through the form.
		if st := navigate(t, ctx, site.URL+"/ivr"); st != 200 {
			t.Fatalf("GET /ivr = %d", st)
		}
		do(t, ctx, "the IVR filters", chromedp.WaitVisible(chromedp.ID("f-group")), chromedp.WaitNotPresent(chromedp.ID("report-table")))
		chooseOption(t, ctx, "f-group", "hour")
		if st := clickAndWait(t, ctx, "#ivr-search"); st != 200 {
			t.Fatalf("Buscar IVR = %d", st)
		}
		if g := queryOf(t, ctx).Get("group_by"); g != "hour" {
			t.Fatalf("group_by = %q", g)
		}
		if h := eval[string](t, ctx, `document.querySelector('#report-table thead th').textContent.trim()`); h != "Hora" {
			t.Errorf("first column = %q, want Hora", h)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#report-chart svg.chart rect.bar').length`); n != 24*3 {
			t.Errorf("chart bars = %d, want 72 (24 hours × 3 series)", n)
		}
		if title := eval[string](t, ctx, `(document.querySelector('#report-chart svg.chart > title') || {}).textContent || ''`); title == "" {
			t.Error("chart without an accessible title")
		}
		total := eval[string](t, ctx, `(document.querySelector('#report-table tfoot tr.totals th') || {}).textContent || ''`)
		if strings.TrimSpace(total) != "Total" {
			t.Errorf("totals row = %q", total)
		}
		// Received of the totals = the sum of the rows.
		sum := eval[int](t, ctx, `[...document.querySelectorAll('#report-table tbody tr')].reduce((s, r) => s + +r.cells[1].textContent.trim(), 0)`)
		if tot := eval[int](t, ctx, `+document.querySelector('#report-table tfoot tr.totals').cells[1].textContent.trim()`); tot != sum || sum == 0 {
			t.Errorf("Recebidas total = %d, rows add up to %d", tot, sum)
		}
		// Sorting by a column (client side) keeps the totals last.
		do(t, ctx, "sort by Recebidas", chromedp.Click(chromedp.CSS(`#report-table thead th:nth-child(2) button`), chromedp.NodeVisible))
		asc := eval[[]int](t, ctx, `[...document.querySelectorAll('#report-table tbody tr')].map(r => +r.cells[1].textContent.trim())`)
		if !sort.IntsAreSorted(asc) {
			t.Errorf("after sorting, Recebidas = %v", asc)
		}
		shot(t, ctx, "1-ivr-by-hour")

		// A count → the Rastreio with those calls: Atendidas of the busiest
		// hour (answered calls always have legs there).
		const busiest = `(() => {
  const col = [...document.querySelectorAll('#report-table thead th')].findIndex(th => th.textContent.trim() === 'Atendidas');
  let best = null, max = 0;
  for (const r of document.querySelectorAll('#report-table tbody tr')) {
    const a = r.cells[col].querySelector('a.drill');
    if (a && +a.textContent > max) { max = +a.textContent; best = a; }
  }
  if (best) best.id = 'drill-target';
  return best ? best.getAttribute('href') : '';
})()`
		link := eval[string](t, ctx, busiest)
		if link == "" {
			t.Fatal("no Atendidas drill-down link")
		}
		if !strings.Contains(link, "voice_status=answered") || !strings.Contains(link, "hour_from=") {
			t.Errorf("Atendidas link = %s, want voice_status=answered and the hour", link)
		}
		if st := clickAndWait(t, ctx, "#drill-target"); st != 200 {
			t.Fatalf("drill-down %s = %d", link, st)
		}
		if p := pathOf(t, ctx); p != "/rastreio" {
			t.Fatalf("drill-down landed on %s", p)
		}
		if m := queryOf(t, ctx).Get("media"); m != "voice" {
			t.Errorf("drill-down media = %q, want voice", m)
		}
		do(t, ctx, "the Rastreio rows", chromedp.WaitVisible(chromedp.ID("results")))
		if n := eval[int](t, ctx, `document.querySelectorAll('#results tbody tr').length`); n == 0 {
			t.Errorf("drill-down %s shows no rows", link)
		}
		shot(t, ctx, "2-ivr-drilldown")

		// Relatório de Agentes with Mídia = WhatsApp, picked in the drop-down.
		if st := navigate(t, ctx, site.URL+"/agentes"); st != 200 {
			t.Fatalf("GET /agentes = %d", st)
		}
		do(t, ctx, "open Mídia", chromedp.Click(chromedp.CSS("#f-media > summary"), chromedp.NodeVisible))
		do(t, ctx, "tick WhatsApp", chromedp.Click(chromedp.CSS(`#f-media input[value="whatsapp"]`), chromedp.NodeVisible))
		waitJS(t, ctx, "the Mídia summary", `document.querySelector('#f-media .ms-summary').textContent.trim() === 'WhatsApp'`)
		shot(t, ctx, "3-agents-filter")
		do(t, ctx, "close Mídia", chromedp.Click(chromedp.CSS("#f-media > summary"), chromedp.NodeVisible))
		chooseOption(t, ctx, "f-user-status", "ativo")
		if st := clickAndWait(t, ctx, "#agents-search"); st != 200 {
			t.Fatalf("Buscar Agentes = %d", st)
		}
		if q := queryOf(t, ctx); q.Get("media") != "whatsapp" || q.Get("user_status") != "ativo" {
			t.Fatalf("agents query = %v", q)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#report-table tbody tr').length`); n == 0 {
			t.Fatal("no agents")
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#report-table tfoot tr.totals').length`); n != 1 {
			t.Error("no totals row")
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#report-chart svg.chart .bar, #report-chart svg.chart .line').length`); n == 0 {
			t.Error("no agents chart")
		}
		shot(t, ctx, "4-agents")
		agentCount := eval[string](t, ctx, `document.querySelector('#report-table tbody a.drill').textContent.trim()`)
		if st := clickAndWait(t, ctx, "#report-table tbody a.drill"); st != 200 {
			t.Fatalf("agents drill-down = %d", st)
		}
		q := queryOf(t, ctx)
		if pathOf(t, ctx) != "/rastreio" || q.Get("media") != "whatsapp" || q.Get("agents") == "" {
			t.Fatalf("agents drill-down landed on %s", location(t, ctx))
		}
		do(t, ctx, "the Rastreio rows", chromedp.WaitVisible(chromedp.ID("results")))
		if n := eval[string](t, ctx, `String(parseInt(document.getElementById('result-count').textContent.replace(/\./g, ''), 10))`); n != agentCount {
			t.Errorf("drill-down of a count of %s finds %s legs", agentCount, n)
		}
		shot(t, ctx, "5-agents-drilldown")

		// Export links carry the filters.
		navigate(t, ctx, site.URL+"/agentes?media=voice&lang=en")
		if h := eval[string](t, ctx, `document.querySelector('#report-table thead th').textContent.trim()`); h != "Agent" {
			t.Errorf("English first column = %q", h)
		}
		href := eval[string](t, ctx, `document.querySelector('.exports a[data-format="xlsx"]').getAttribute('href')`)
		if !strings.HasPrefix(href, "/api/v1/reports/agents/export?") || !strings.Contains(href, "media=voice") || !strings.Contains(href, "format=xlsx") || strings.Contains(href, "lang=") {
			t.Errorf("XLSX export link = %q", href)
		}
		if p := problems(); len(p) > 0 {
			t.Errorf("console problems: %q", p)
		}
	})
}
