package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/storetest"
)

// audioCheck is what the page reports of the recording player.
type audioCheck struct {
	Error      string  `json:"error"`
	Duration   float64 `json:"duration"`
	ReadyState int     `json:"readyState"`
	Seekable   float64 `json:"seekable"`
	Target     float64 `json:"target"`
	AfterSeek  float64 `json:"afterSeek"`
	Played     float64 `json:"played"`
}

const checkAudioJS = `(async () => {
  const a = document.getElementById('recording');
  if (!a) return {error: 'no audio element'};
  const wait = (name) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout waiting for ' + name)), 20000);
    a.addEventListener(name, () => { clearTimeout(timer); resolve(); }, {once: true});
    a.addEventListener('error', () => { clearTimeout(timer); reject(new Error('media error ' + (a.error && a.error.code))); }, {once: true});
  });
  try {
    // As a supervisor does: press play (preload is none: nothing was
    // fetched before), then drag to the middle.
    await a.play();
    if (a.readyState < 1) await wait('loadedmetadata');
    const duration = a.duration;
    const seekable = a.seekable.length ? a.seekable.end(a.seekable.length - 1) : 0;
    const target = Math.round(duration * 50) / 100;
    const seeked = wait('seeked');
    a.currentTime = target;
    await seeked;
    const afterSeek = a.currentTime;
    await new Promise((r) => setTimeout(r, 700));
    const played = a.currentTime - afterSeek;
    a.pause();
    return {duration, readyState: a.readyState, seekable, target, afterSeek, played};
  } catch (e) {
    return {error: String(e && e.message || e), readyState: a.readyState};
  }
})()`

func TestBrowserRastreioVoiceFiltersHistoryRecordingAndCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		site := startSite(t, s)
		ctx, problems := adminTab(t, site)

		// The panel without a media: only the hint, and no media-specific filter.
		if st := navigate(t, ctx, site.URL+"/rastreio"); st != 200 {
			t.Fatalf("GET /rastreio = %d", st)
		}
		do(t, ctx, "the panel and the hint",
			chromedp.WaitVisible(chromedp.ID("media")),
			chromedp.WaitVisible(chromedp.ID("hint")),
			chromedp.WaitNotPresent(chromedp.ID("results")),
			chromedp.WaitNotVisible(chromedp.CSS(`fieldset[data-filter="voice_status"]`)),
			chromedp.WaitNotVisible(chromedp.CSS(`fieldset[data-filter="call_quality"]`)),
		)
		screenshot(t, ctx, "1-panel")

		// Choose Voz: Status de voz and the phone appear; expiration, e-mail
		// and Status de Serviço go away (and are disabled, so not sent).
		eval[bool](t, ctx, `(() => { const m = document.getElementById('media'); m.value = 'voice'; m.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
		do(t, ctx, "voice filters shown, others hidden",
			chromedp.WaitVisible(chromedp.CSS(`fieldset[data-filter="voice_status"]`)),
			chromedp.WaitVisible(chromedp.CSS(`fieldset[data-filter="call_quality"]`)),
			chromedp.WaitVisible(chromedp.CSS(`fieldset[data-filter="phone"]`)),
			chromedp.WaitNotVisible(chromedp.CSS(`fieldset[data-filter="expiration_status"]`)),
			chromedp.WaitNotVisible(chromedp.CSS(`fieldset[data-filter="email"]`)),
			chromedp.WaitNotVisible(chromedp.CSS(`fieldset[data-filter="service_status"]`)),
		)
		if !eval[bool](t, ctx, `['expiration_status','email','service_status'].every(f => document.querySelector('fieldset[data-filter="'+f+'"]').disabled)`) {
			t.Fatal("hidden filters are not disabled: they would be submitted")
		}
		labels := eval[[]string](t, ctx, `[...document.querySelectorAll('details[data-ms="voice_status"] label')].map(l => l.textContent.trim())`)
		want := []string{"Abandonadas", "Atendidas", "Caixa Postal", "Chamadas não conectadas", "Fora de Serviço", "Não atendidas", "Recado"}
		if strings.Join(labels, "|") != strings.Join(want, "|") {
			t.Fatalf("Status de voz options = %q, want %q", labels, want)
		}
		quality := eval[[]string](t, ctx, `[...document.querySelectorAll('details[data-ms="call_quality"] input')].map(i => i.value + '=' + i.closest('label').textContent.trim())`)
		if w := "alta=Alta|media=Média|baixa=Baixa"; strings.Join(quality, "|") != w {
			t.Fatalf("Qualidade de chamada options = %q, want %q", quality, w)
		}
		// Buscar contato → Contatos: the server matches without accents or case.
		do(t, ctx, "search contacts", chromedp.SendKeys(chromedp.ID("contact-q"), "joao"))
		found := eval[[]string](t, ctx, `new Promise((resolve) => {
			const started = Date.now();
			const poll = () => {
				const names = [...document.querySelectorAll('#contacts label span')].map(s => s.textContent);
				if (names.length || Date.now() - started > 10000) { resolve(names); } else { setTimeout(poll, 100); }
			};
			poll();
		})`)
		if len(found) == 0 {
			t.Fatal("contact search for \"joao\" listed nobody")
		}
		for _, n := range found {
			if !strings.Contains(strings.ToLower(n), "joão") {
				t.Fatalf("contact search for \"joao\" listed %q", found)
			}
		}
		wantCount := strconv.Itoa(len(found)) + " contatos encontrados"
		if len(found) == 1 {
			wantCount = "1 contato encontrado"
		}
		if got := eval[string](t, ctx, `(document.querySelector('#contacts p.hint') || {}).textContent || ''`); got != wantCount {
			t.Errorf("contact search count = %q, want %q", got, wantCount)
		}
		do(t, ctx, "clear the contact search", chromedp.Clear(chromedp.ID("contact-q")))
		do(t, ctx, "pick Atendidas",
			chromedp.Click(chromedp.CSS(`details[data-ms="voice_status"] summary`), chromedp.NodeVisible),
			chromedp.Click(chromedp.CSS(`input[name="voice_status"][value="answered"]`), chromedp.NodeVisible),
		)
		if got := eval[string](t, ctx, `document.querySelector('details[data-ms="voice_status"] .ms-summary').textContent.trim()`); got != "Atendidas" {
			t.Fatalf("voice status summary = %q, want Atendidas", got)
		}
		screenshot(t, ctx, "2-voice-filters")

		// Search.
		if st := clickAndWait(t, ctx, "#search"); st != 200 {
			t.Fatalf("search answered %d: %s", st, eval[string](t, ctx, `document.body.innerText.slice(0, 500)`))
		}
		u, err := url.Parse(location(t, ctx))
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if q.Get("media") != "voice" || q.Get("voice_status") != "answered" {
			t.Fatalf("search URL %s: want media=voice&voice_status=answered", u)
		}
		for _, p := range []string{"service_status", "expiration_status", "email", "from", "protocol"} {
			if q.Has(p) {
				t.Errorf("search URL %s has %s (hidden or empty fields must not be sent)", u, p)
			}
		}
		rows := eval[int](t, ctx, `document.querySelectorAll('#results tbody tr').length`)
		if rows == 0 {
			t.Fatal("no rows for answered voice calls")
		}
		screenCols := screenHeaders(model.MediaVoice, metrics.Config{})
		headers := eval[[]string](t, ctx, `[...document.querySelectorAll('#results thead th:not(.act)')].map(th => th.textContent.trim())`)
		if strings.Join(headers, ";") != strings.Join(screenCols, ";") {
			t.Fatalf("headers = %q\nwant %q", headers, screenCols)
		}
		count := eval[string](t, ctx, `document.getElementById('result-count').textContent`)
		total, err := strconv.Atoi(strings.ReplaceAll(strings.Fields(count)[0], ".", "")) // "1.234 atendimentos"
		if err != nil || total < rows {
			t.Fatalf("result count %q (rows on page %d)", count, rows)
		}
		if !eval[bool](t, ctx, `getComputedStyle(document.querySelector('#results thead th')).position === 'sticky'`) {
			t.Error("the table header is not sticky")
		}
		screenshot(t, ctx, "3-results")

		// Keyset paging and the date order.
		firstProto := func() string {
			return eval[string](t, ctx, `document.querySelector('#results tbody tr td:nth-child(2)').textContent.trim()`)
		}
		top := firstProto()
		if total > rows {
			if st := clickAndWait(t, ctx, "#next-page"); st != 200 {
				t.Fatalf("next page answered %d", st)
			}
			if !strings.Contains(location(t, ctx), "cursor=") || firstProto() == top {
				t.Fatalf("the next page did not move on (%s)", location(t, ctx))
			}
			if st := clickAndWait(t, ctx, "#first-page"); st != 200 || firstProto() != top {
				t.Fatalf("first page answered %d with %s, want %s first", st, firstProto(), top)
			}
		}
		if st := clickAndWait(t, ctx, "#sort"); st != 200 || !strings.Contains(location(t, ctx), "order=asc") {
			t.Fatalf("sort answered %d at %s", st, location(t, ctx))
		}
		if firstProto() == top && total > 1 {
			t.Fatal("oldest first shows the same first row as newest first")
		}
		if st := clickAndWait(t, ctx, "#sort"); st != 200 || firstProto() != top {
			t.Fatalf("newest first again answered %d with %s first, want %s", st, firstProto(), top)
		}

		// Ver Histórico of the first row.
		protocol := eval[string](t, ctx, `document.querySelector('#results tbody tr td:nth-child(2)').textContent.trim()`)
		if st := clickAndWait(t, ctx, "#results tbody tr:first-child a.hist"); st != 200 {
			t.Fatalf("history answered %d", st)
		}
		do(t, ctx, "history page", chromedp.WaitVisible(chromedp.ID("call-details")), chromedp.WaitVisible(chromedp.ID("timeline")))
		if got := eval[string](t, ctx, `document.getElementById('h-protocol').textContent.trim()`); got != protocol {
			t.Fatalf("history protocol = %q, want %q", got, protocol)
		}
		details := eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('#call-details > div')].map(d => [d.querySelector('dt').textContent.trim(), d.querySelector('dd').textContent.trim()]))`)
		if d := details["Direção"]; d != "Recebida" && d != "Realizada" {
			t.Errorf("Direção = %q", d)
		}
		for _, k := range []string{"Servidor de voz", "Qualidade de chamada", "Status de voz"} {
			if v := details[k]; v == "" || v == "—" {
				t.Errorf("call detail %s is empty (%v)", k, details)
			}
		}
		// The answer is each leg's own (#leg-calls); the call card repeats
		// it only for a one-leg call.
		if n := eval[int](t, ctx, `[...document.querySelectorAll('#leg-calls .lc-answered')].filter((td) => td.textContent.trim() !== '—').length`); n == 0 {
			t.Errorf("no leg of an answered call shows its answer")
		}
		if legs := eval[int](t, ctx, `document.querySelectorAll('#leg-calls tr.leg-call').length`); legs == 1 && (details["Atendida em"] == "" || details["Atendida em"] == "—") {
			t.Errorf("a one-leg call's card lacks Atendida em (%v)", details)
		}
		if details["Status de voz"] != "Atendidas" {
			t.Errorf("Status de voz = %q, want Atendidas", details["Status de voz"])
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#path .path-step').length`); n == 0 {
			t.Error("the path has no step")
		}
		src := eval[string](t, ctx, `document.getElementById('recording').getAttribute('src')`)
		if src != "/api/v1/interactions/"+protocol+"/recording" {
			t.Errorf("audio src = %q", src)
		}
		if pre := eval[string](t, ctx, `document.getElementById('recording').getAttribute('preload')`); pre != "none" {
			t.Errorf("audio preload = %q", pre)
		}
		// Opening a history is not listening to its recording: no playback
		// is audited until play is pressed.
		plays := func() int {
			log, err := site.DB.AuditLog(context.Background(), demoTenant, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range log {
				if e.Action == "recording.play" {
					n++
				}
			}
			return n
		}
		if n := plays(); n != 0 {
			t.Errorf("%d recording plays audited before play was pressed", n)
		}

		// Play the recording and seek (needs HTTP range requests).
		a := eval[audioCheck](t, ctx, checkAudioJS)
		t.Logf("audio: %+v", a)
		switch {
		case a.Error != "":
			t.Fatalf("audio: %s (readyState %d)", a.Error, a.ReadyState)
		case !(a.Duration > 0) || a.ReadyState < 1:
			t.Fatalf("audio duration %v readyState %d", a.Duration, a.ReadyState)
		case a.Seekable < a.Duration-0.01:
			t.Fatalf("audio seekable to %v of %v: range requests not working", a.Seekable, a.Duration)
		case math.Abs(a.AfterSeek-a.Target) > 0.05:
			t.Fatalf("seek to %v landed at %v", a.Target, a.AfterSeek)
		case a.Played <= 0:
			t.Fatalf("audio did not play (advanced %v s)", a.Played)
		}
		if n := plays(); n != 1 {
			t.Errorf("%d recording plays audited for one playback with a seek, want 1", n)
		}
		screenshot(t, ctx, "4-history")

		// Back to the results, download the CSV.
		if st := clickAndWait(t, ctx, "#back"); st != 200 {
			t.Fatalf("back to the results answered %d", st)
		}
		do(t, ctx, "back to the results", chromedp.WaitVisible(chromedp.ID("results")))
		if u := location(t, ctx); !strings.Contains(u, "voice_status=answered") {
			t.Fatalf("back link went to %s, not the search it came from", u)
		}
		href := eval[string](t, ctx, `document.getElementById('export-csv').getAttribute('href')`)
		if !strings.Contains(href, "voice_status=answered") || !strings.Contains(href, "format=csv") {
			t.Fatalf("CSV link %q does not keep the filters", href)
		}
		// The script fetches the export and shows its progress: record every
		// text the status line takes (each textContent set adds a text node).
		eval[bool](t, ctx, `(() => {
  window.exportTexts = [];
  const el = document.getElementById('export-progress-text');
  new MutationObserver((recs) => recs.forEach((r) => r.addedNodes.forEach((n) => window.exportTexts.push(n.textContent))))
    .observe(el, {childList: true, characterData: true, subtree: true});
  return true;
})()`)
		do(t, ctx, "click CSV", chromedp.Click(chromedp.ID("export-csv"), chromedp.NodeVisible))
		path := waitDownload(t, site.DownloadDir, ".csv", 30*time.Second)
		texts := eval[[]string](t, ctx, `window.exportTexts`)
		wantDone := "Exportação concluída: " + thousandsPT(total) + " linhas"
		if total == 1 {
			wantDone = "Exportação concluída: 1 linha"
		}
		running := regexp.MustCompile(`^Exportando… [0-9.]+ de ` + regexp.QuoteMeta(thousandsPT(total)) + ` linhas \([0-9]+%\)$`)
		if len(texts) < 3 || texts[0] != "Preparando exportação…" || !running.MatchString(texts[1]) || texts[len(texts)-1] != wantDone {
			t.Errorf("export progress texts = %q, want %q, %q…, then %q", texts, "Preparando exportação…", running, wantDone)
		}
		if got := eval[string](t, ctx, `document.getElementById('export-progress-text').textContent`); got != wantDone {
			t.Errorf("export progress ends with %q, want %q", got, wantDone)
		}
		if v := eval[float64](t, ctx, `document.querySelector('#export-progress progress').value`); v != 100 {
			t.Errorf("export progress bar ends at %v, want 100", v)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('a[data-export][aria-disabled]').length`); n != 0 {
			t.Errorf("%d export links still disabled after the export", n)
		}
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(body, []byte("\uFEFFDATA;HORA;PROTOCOLO")) {
			t.Fatalf("CSV starts with %q", body[:min(len(body), 40)])
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF"))))
		r.Comma = ';'
		records, err := r.ReadAll()
		if err != nil {
			t.Fatalf("CSV: %v", err)
		}
		if strings.Join(records[0], ";") != strings.Join(model.ColumnsFor(model.MediaVoice), ";") {
			t.Errorf("CSV header = %q", records[0])
		}
		if len(records)-1 != total {
			t.Errorf("CSV has %d rows, the page counted %d", len(records)-1, total)
		}
		screenshot(t, ctx, "5-after-download")

		// English, through the header switch, comes back to the same search.
		before := location(t, ctx)
		if st := clickAndWait(t, ctx, `header.top a[href^="/lang?"]`); st != 200 {
			t.Fatalf("language switch answered %d", st)
		}
		if got := location(t, ctx); got != before {
			t.Fatalf("language switch went to %s, want %s", got, before)
		}
		if h := eval[string](t, ctx, `document.querySelector('#results thead th:nth-child(2)').textContent.trim()`); h != "PROTOCOL" {
			t.Errorf("English header = %q, want PROTOCOL", h)
		}
		if b := eval[string](t, ctx, `document.getElementById('search').textContent.trim()`); b != "Search" {
			t.Errorf("English search button = %q", b)
		}
		screenshot(t, ctx, "6-english")
		clickAndWait(t, ctx, `header.top a[href^="/lang?"]`)

		// The audit log has the login, the history, the playback and the export.
		if st := navigate(t, ctx, site.URL+"/auditoria"); st != 200 {
			t.Fatalf("GET /auditoria = %d", st)
		}
		actions := eval[[]string](t, ctx, `[...document.querySelectorAll('#audit-log tbody tr .action')].map(a => a.dataset.action)`)
		for _, a := range []string{"login", "history.view", "recording.play", "export"} {
			if !containsString(actions, a) {
				t.Errorf("audit log %q has no %s", actions, a)
			}
		}
		exportRows := eval[string](t, ctx, `[...document.querySelectorAll('#audit-log tbody tr')].find(tr => tr.querySelector('.action').dataset.action === 'export').cells[5].textContent.trim()`)
		if exportRows != thousandsPT(total) {
			t.Errorf("audited export rows = %s, want %d", exportRows, total)
		}
		screenshot(t, ctx, "7-audit")

		if p := problems(); len(p) > 0 {
			t.Errorf("console problems: %q", p)
		}
	})
}

// thousandsPT writes n as pt-BR does: 267453 → "267.453".
func thousandsPT(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}
