package web

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/storetest"
)

// pinnedCheck is where a pinned column sits on screen: its header's and
// first cell's boxes against the viewport and the table's scroll box.
type pinnedCheck struct {
	Header    string  `json:"header"`
	Left      float64 `json:"left"`
	Right     float64 `json:"right"`
	CellLeft  float64 `json:"cellLeft"`
	CellRight float64 `json:"cellRight"`
	WrapLeft  float64 `json:"wrapLeft"`
	WrapRight float64 `json:"wrapRight"`
	ViewW     float64 `json:"viewW"`
}

// pinnedBoxesJS measures the four pinned columns by their header text.
const pinnedBoxesJS = `((names) => {
  const wrap = document.querySelector('.table-wrap').getBoundingClientRect();
  const ths = [...document.querySelectorAll('#results thead th')];
  const row = document.querySelector('#results tbody tr');
  return names.map((n) => {
    const i = ths.findIndex((th) => th.textContent.trim() === n);
    if (i < 0) return {header: n, left: -1, right: -1, cellLeft: -1, cellRight: -1, wrapLeft: wrap.left, wrapRight: wrap.right, viewW: document.documentElement.clientWidth};
    const h = ths[i].getBoundingClientRect();
    const c = row.children[i].getBoundingClientRect();
    return {header: n, left: h.left, right: h.right, cellLeft: c.left, cellRight: c.right,
      wrapLeft: wrap.left, wrapRight: wrap.right, viewW: document.documentElement.clientWidth};
  });
})`

// summaryShown is the strip as the page shows it, and the API's answer for
// the same filters (fetched by the page with its session).
type summaryShown struct {
	Parts  map[string]string `json:"parts"`  // key → count text
	Labels map[string]string `json:"labels"` // key → label text
	Values map[string]string `json:"values"` // JSON field → text
	API    map[string]any    `json:"api"`
}

const summaryShownJS = `new Promise((resolve, reject) => {
  const started = Date.now();
  const poll = () => {
    const s = document.getElementById('summary');
    if (!s) { reject(new Error('no summary strip')); return; }
    if (s.hasAttribute('aria-busy')) {
      if (Date.now() - started > 20000) { reject(new Error('the summary strip never filled')); return; }
      setTimeout(poll, 50);
      return;
    }
    const parts = {}, labels = {}, values = {};
    s.querySelectorAll('.sum-part').forEach((p) => {
      parts[p.dataset.key] = p.querySelector('b').textContent;
      labels[p.dataset.key] = p.firstChild.textContent.trim();
    });
    s.querySelectorAll('[data-k]').forEach((v) => { values[v.dataset.k] = v.textContent; });
    fetch(s.dataset.src, {credentials: 'same-origin'}).then((r) => r.json()).then((api) => resolve({parts, labels, values, api}), reject);
  };
  poll();
})`

// ptCount writes a count as pt-BR does: 1.234.
func ptCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

func TestBrowserRastreioShowsKeyColumnsWithoutScrollingAndTheSummaryOfTheFilteredSet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		site := startSite(t, s)
		ctx, problems := adminTab(t, site)

		names, err := json.Marshal(pinnedColumns)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range model.DefaultMedia {
			q := url.Values{"media": {m.ID}}
			if m.HasFilter("service_status") {
				q.Set("service_status", "all")
			}
			if st := navigate(t, ctx, site.URL+"/rastreio?"+q.Encode()); st != 200 {
				t.Fatalf("%s: GET /rastreio = %d", m.ID, st)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll('#results tbody tr').length`); n == 0 {
				t.Fatalf("%s: no rows in the demo data", m.ID)
			}
			if eval[bool](t, ctx, `document.documentElement.scrollWidth > document.documentElement.clientWidth`) {
				t.Errorf("%s: the page scrolls sideways at 1440 px", m.ID)
			}
			inside := func(when string) {
				for _, b := range eval[[]pinnedCheck](t, ctx, pinnedBoxesJS+"("+string(names)+")") {
					lo, hi := max(b.WrapLeft, 0), min(b.WrapRight, b.ViewW)
					if b.Left < lo || b.Right > hi || b.CellLeft < lo || b.CellRight > hi {
						t.Errorf("%s, %s: %s at [%.0f, %.0f] (first cell [%.0f, %.0f]) is not inside the visible table [%.0f, %.0f]",
							m.ID, when, b.Header, b.Left, b.Right, b.CellLeft, b.CellRight, lo, hi)
					}
				}
			}
			inside("as the page opens")
			screenshot(t, ctx, m.ID+"-1-columns")
			// Scrolled to the last column, the pinned ones stay in view.
			eval[bool](t, ctx, `(() => { const w = document.querySelector('.table-wrap'); w.scrollLeft = w.scrollWidth; return true; })()`)
			inside("scrolled to the right")
			screenshot(t, ctx, m.ID+"-2-scrolled")

			// The strip shows what the API answers for the same filters.
			got := eval[summaryShown](t, ctx, summaryShownJS)
			byKey := "by_status"
			if m.HasFilter("voice_status") {
				byKey = "by_voice_status"
			}
			by, _ := got.API[byKey].(map[string]any)
			if len(by) == 0 {
				t.Fatalf("%s: the API answers no %s (%v)", m.ID, byKey, got.API)
			}
			if len(got.Parts) != len(by) {
				t.Errorf("%s: the strip shows %d parts %v, the API %d %v", m.ID, len(got.Parts), got.Parts, len(by), by)
			}
			for k, v := range by {
				n, _ := v.(float64)
				if want := ptCount(int64(n)); got.Parts[k] != want {
					t.Errorf("%s: %s %q shows %q, API %v", m.ID, byKey, k, got.Parts[k], n)
				}
				want := k
				if byKey == "by_voice_status" {
					want = model.VoiceStatusLabels[k]
				}
				if got.Labels[k] != want {
					t.Errorf("%s: %s %q labelled %q, want %q", m.ID, byKey, k, got.Labels[k], want)
				}
			}
			if len(got.Values) == 0 {
				t.Fatalf("%s: the strip shows no mean", m.ID)
			}
			for k, text := range got.Values {
				want, _ := got.API[k].(string)
				if want == "" {
					want = "—"
				}
				if text != want {
					t.Errorf("%s: %s shows %q, API %q", m.ID, k, text, want)
				}
			}
			_, hasTMR := got.Values["mean_tmr"]
			_, hasExpired := got.Values["expired_pct"]
			if hasTMR == (m.ID == model.MediaVoice) || hasExpired != (m.ExpirationWindowHours > 0) {
				t.Errorf("%s: strip figures %v (TMR only for messaging, %% expired only with a window)", m.ID, got.Values)
			}
		}

		// In English the strip reads English, counts with a comma for thousands.
		if st := navigate(t, ctx, site.URL+"/rastreio?media=voice&lang=en"); st != 200 {
			t.Fatalf("GET /rastreio in English = %d", st)
		}
		got := eval[summaryShown](t, ctx, summaryShownJS)
		if l := eval[string](t, ctx, `document.querySelector('#summary .sum-by .sum-label').textContent`); l != "By voice status" {
			t.Errorf("English strip label %q", l)
		}
		by, _ := got.API["by_voice_status"].(map[string]any)
		for k, v := range by {
			n, _ := v.(float64)
			if want := strings.ReplaceAll(ptCount(int64(n)), ".", ","); got.Parts[k] != want {
				t.Errorf("English: %s shows %q, API %v", k, got.Parts[k], n)
			}
			if want := translate("en", model.VoiceStatusLabels[k]); got.Labels[k] != want {
				t.Errorf("English: %s labelled %q, want %q", k, got.Labels[k], want)
			}
		}
		screenshot(t, ctx, "voice-en")
		if p := problems(); len(p) > 0 {
			t.Errorf("page problems: %q", p)
		}
	})
}

func TestBrowserRastreioRemembersHiddenColumnsPerUserAndMedia(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		site := startSite(t, s)
		ctx := newBrowser(t)
		problems := pageProblems(t, ctx)
		whatsapp := site.URL + "/rastreio?media=whatsapp&service_status=all"
		open := func(who, u string) {
			t.Helper()
			if st := navigate(t, ctx, u); st != 200 {
				t.Fatalf("%s: GET %s = %d", who, u, st)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll('#results tbody tr').length`); n == 0 {
				t.Fatalf("%s: no rows at %s", who, u)
			}
		}
		// shown says whether the DURAÇÃO header and its first cell are on screen.
		shown := func() bool {
			return eval[bool](t, ctx, `(() => {
				const ths = [...document.querySelectorAll('#results thead th')];
				const i = ths.findIndex((th) => th.dataset.col === 'DURAÇÃO');
				if (i < 0) throw new Error('no DURAÇÃO column');
				const td = document.querySelector('#results tbody tr').children[i];
				const h = ths[i].getBoundingClientRect().width > 0, c = td.getBoundingClientRect().width > 0;
				if (h !== c) throw new Error('header shown ' + h + ', cell shown ' + c);
				return h;
			})()`)
		}

		login(t, ctx, site, adminUser, adminPass)
		open("admin", whatsapp)
		if eval[int](t, ctx, `document.querySelectorAll('#columns input[value="PROTOCOLO"], #columns input[value="STATUS"]').length`) != 0 {
			t.Error("the column chooser offers a pinned column")
		}
		if !shown() {
			t.Fatal("DURAÇÃO hidden before anyone chose")
		}
		do(t, ctx, "hide DURAÇÃO",
			chromedp.Click(chromedp.CSS(`#columns summary`), chromedp.NodeVisible),
			chromedp.Click(chromedp.CSS(`#columns input[value="DURAÇÃO"]`), chromedp.NodeVisible),
		)
		if shown() {
			t.Fatal("DURAÇÃO still shown after unticking it")
		}
		screenshot(t, ctx, "1-admin-hid-duration")
		open("admin", whatsapp)
		if shown() || eval[bool](t, ctx, `document.querySelector('#columns input[value="DURAÇÃO"]').checked`) {
			t.Fatal("the choice was not remembered across pages")
		}
		// Another media keeps its own columns.
		open("admin", site.URL+"/rastreio?media=chat&service_status=all")
		if !shown() {
			t.Error("hiding DURAÇÃO for WhatsApp hid it for Chat")
		}

		// Another user on the same browser sees every column.
		if st := clickAndWait(t, ctx, "#logout"); st != 200 {
			t.Fatalf("logout answered %d", st)
		}
		login(t, ctx, site, viewerUser, viewerPass)
		open("viewer", whatsapp)
		if !shown() {
			t.Fatal("the admin's hidden column is hidden for the viewer too")
		}
		screenshot(t, ctx, "2-viewer-sees-all")
		if st := clickAndWait(t, ctx, "#logout"); st != 200 {
			t.Fatalf("logout answered %d", st)
		}

		// Back as admin: still hidden; "Mostrar todas" brings it back for good.
		login(t, ctx, site, adminUser, adminPass)
		open("admin", whatsapp)
		if shown() {
			t.Fatal("the admin's choice was lost after another user logged in")
		}
		do(t, ctx, "show all columns",
			chromedp.Click(chromedp.CSS(`#columns summary`), chromedp.NodeVisible),
			chromedp.Click(chromedp.ID("columns-all"), chromedp.NodeVisible),
		)
		if !shown() {
			t.Fatal("Mostrar todas did not bring DURAÇÃO back")
		}
		open("admin", whatsapp)
		if !shown() {
			t.Fatal("Mostrar todas was not remembered")
		}
		if p := problems(); len(p) > 0 {
			t.Errorf("page problems: %q", p)
		}
	})
}

func TestBrowserRastreioShowsTheIVRDrillDownAsARemovableChip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		site := startSite(t, s)
		ctx, problems := adminTab(t, site)
		ivrs, err := site.DB.IVRs(context.Background(), model.Principal{Tenant: demoTenant, Role: model.RoleAdmin})
		if err != nil || len(ivrs) == 0 {
			t.Fatalf("demo IVRs: %v (%d)", err, len(ivrs))
		}
		ivr := ivrs[0]
		count := func() string {
			return strings.Fields(eval[string](t, ctx, `document.getElementById('result-count').textContent`))[0]
		}
		if st := navigate(t, ctx, site.URL+"/rastreio?media=voice"); st != 200 {
			t.Fatalf("GET /rastreio = %d", st)
		}
		all := count()
		if eval[bool](t, ctx, `!!document.getElementById('drill-chips')`) {
			t.Fatal("a chip without a drill-down filter")
		}

		// As the Relatório IVR's link opens it: the chip names the IVR and says why.
		if st := navigate(t, ctx, site.URL+"/rastreio?"+url.Values{"media": {"voice"}, "ivrs": {ivr.ID}}.Encode()); st != 200 {
			t.Fatalf("GET /rastreio with ivrs = %d", st)
		}
		do(t, ctx, "the chip", chromedp.WaitVisible(chromedp.CSS(`#drill-chips .chip[data-param="ivrs"]`)))
		if name := eval[string](t, ctx, `document.querySelector('#drill-chips .chip strong').textContent`); name != ivr.Label {
			t.Errorf("chip names %q, want the IVR's name %q", name, ivr.Label)
		}
		why := eval[string](t, ctx, `document.querySelector('#drill-chips .chips-why').textContent`)
		if !strings.Contains(why, "Relatório IVR") || !strings.Contains(why, "pode diferir") {
			t.Errorf("the chip does not say why the count differs: %q", why)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#rastreio-form input[type=hidden][name=ivrs]').length`); n != 1 {
			t.Errorf("a new search would not keep the IVR filter (%d hidden inputs)", n)
		}
		screenshot(t, ctx, "1-chip")

		// Removing it is the same search without the IVR.
		if st := clickAndWait(t, ctx, "#drill-chips .chip-x"); st != 200 {
			t.Fatalf("removing the chip answered %d", st)
		}
		u, err := url.Parse(location(t, ctx))
		if err != nil {
			t.Fatal(err)
		}
		if u.Query().Has("ivrs") || u.Query().Get("media") != "voice" {
			t.Errorf("after removing the chip: %s", u)
		}
		if eval[bool](t, ctx, `!!document.getElementById('drill-chips') || !!document.querySelector('#rastreio-form input[name=ivrs]')`) {
			t.Error("the IVR filter is still there after removing it")
		}
		if got := count(); got != all {
			t.Errorf("count without the chip %s, want the plain search's %s", got, all)
		}
		screenshot(t, ctx, "2-removed")
		if p := problems(); len(p) > 0 {
			t.Errorf("page problems: %q", p)
		}
	})
}
