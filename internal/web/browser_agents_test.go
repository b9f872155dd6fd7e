package web

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/storetest"
)

// demoVoiceAgents reads the demo events: the names of the agents with a
// login of Voz or without media (voice time) or a voice leg delivered to
// them, and of the agents with neither.
func demoVoiceAgents(t *testing.T) (voice, other map[string]bool) {
	t.Helper()
	events, err := seedEvents()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	media := map[string]string{} // interaction → media
	has := map[string]bool{}
	var delivered []model.Event
	for _, raw := range events {
		var e model.Event
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatalf("demo event %s: %v", raw, err)
		}
		switch e.Type {
		case model.TypeUserUpserted:
			if e.User != nil {
				names[e.User.ID] = e.User.Name
			}
		case model.TypeInteractionCreated:
			media[e.Interaction] = e.Media
		case model.TypeAgentLogin:
			if e.Media == "" || e.Media == model.MediaVoice {
				has[e.AgentID] = true
			}
		case model.TypeLegDelivered:
			delivered = append(delivered, e)
		}
	}
	for _, e := range delivered {
		if media[e.Interaction] == model.MediaVoice {
			has[e.AgentID] = true
		}
	}
	voice, other = map[string]bool{}, map[string]bool{}
	for id, name := range names {
		if has[id] {
			voice[name] = true
		} else {
			other[name] = true
		}
	}
	return voice, other
}

// TestBrowserAgentsWithVozListOnlyVoiceAgentsAndOpenTheirDay: the
// Relatório de Agentes with Mídia = Voz lists only agents with voice time
// or voice legs (the demo has agents logged in only to WhatsApp and Chat,
// who are left out), each with legs or Tempo logado; an agent's name opens
// its day timeline, whose bars match its table and whose legs open their
// history.
func TestBrowserAgentsWithVozListOnlyVoiceAgentsAndOpenTheirDay(t *testing.T) {
	voice, other := demoVoiceAgents(t)
	if len(other) == 0 {
		t.Fatal("the demo has no agent without voice time or legs: the test would prove nothing")
	}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		site := startSite(t, s)
		ctx, problems := adminTab(t, site)

		search := "/agentes?" + url.Values{"media": {model.MediaVoice}, "from": {"2026-10-01"}, "to": {"2026-10-31"}}.Encode()
		if st := navigate(t, ctx, site.URL+search); st != 200 {
			t.Fatalf("GET %s = %d", search, st)
		}
		do(t, ctx, "the Agentes table", chromedp.WaitVisible(chromedp.ID("report-table")))
		type row struct {
			Name, Href string
			Legs       int
			Logged     string
		}
		rows := eval[[]row](t, ctx, `(() => {
  const head = [...document.querySelectorAll('#report-table thead th')].map(th => th.textContent.trim());
  const col = (name) => head.indexOf(name);
  return [...document.querySelectorAll('#report-table tbody tr')].map(r => ({
    Name: r.cells[0].textContent.trim(),
    Href: (r.cells[0].querySelector('a.rpt-day-link') || {getAttribute: () => ''}).getAttribute('href'),
    Legs: +r.cells[col('Atendimentos finalizados')].textContent.trim() + +r.cells[col('Transferidos')].textContent.trim() + +r.cells[col('Outros')].textContent.trim(),
    Logged: r.cells[col('Tempo logado')].textContent.trim(),
  }));
})()`)
		if len(rows) == 0 {
			t.Fatal("no agents under Voz")
		}
		listed := map[string]bool{}
		for _, r := range rows {
			listed[r.Name] = true
			if r.Legs == 0 && r.Logged == "" {
				t.Errorf("%s is listed under Voz without legs or logged-in time", r.Name)
			}
			if !voice[r.Name] {
				t.Errorf("%s is listed under Voz but has no voice login or voice leg in the demo events", r.Name)
			}
			if !strings.HasPrefix(r.Href, "/agentes/") || !strings.Contains(r.Href, "day=2026-10-01") {
				t.Errorf("%s: timeline link %q", r.Name, r.Href)
			}
		}
		var left []string
		for name := range other {
			if listed[name] {
				t.Errorf("%s has neither voice time nor voice legs but is listed under Voz", name)
			}
			left = append(left, name)
		}
		sort.Strings(left)
		t.Logf("%d agents under Voz; left out (no voice time or legs): %s", len(rows), strings.Join(left, ", "))
		shot(t, ctx, "1-agents-voz")

		// Open the first agent with logged-in time, then walk to a day
		// with activity.
		target := -1
		for i, r := range rows {
			if r.Logged != "" {
				target = i
				break
			}
		}
		if target < 0 {
			t.Fatal("no agent with logged-in time under Voz")
		}
		eval[bool](t, ctx, `(() => { document.querySelectorAll('#report-table tbody tr')[`+strconv.Itoa(target)+`].cells[0].querySelector('a').id = 'day-target'; return true; })()`)
		if st := clickAndWait(t, ctx, "#day-target"); st != 200 {
			t.Fatalf("timeline of %s = %d", rows[target].Name, st)
		}
		if got := eval[string](t, ctx, `document.getElementById('agent-day-name').textContent.trim()`); got != rows[target].Name {
			t.Errorf("timeline of %q shows %q", rows[target].Name, got)
		}
		if back := eval[string](t, ctx, `document.getElementById('agent-day-back').getAttribute('href')`); back != search {
			t.Errorf("Voltar = %q, want %q", back, search)
		}
		for i := 0; i < 31 && eval[int](t, ctx, `document.querySelectorAll('#agent-day-table tbody tr.tl-leg').length`) == 0; i++ {
			if st := clickAndWait(t, ctx, "#agent-day-next"); st != 200 {
				t.Fatalf("next day = %d", st)
			}
		}
		day := eval[string](t, ctx, `document.getElementById('agent-day-day').textContent.trim()`)
		kinds := eval[[]string](t, ctx, `[...document.querySelectorAll('#agent-day-table tbody tr')].map(r => r.className)`)
		bars := eval[[]string](t, ctx, `[...document.querySelectorAll('#agent-day-timeline rect.tl-bar')].map(r => r.getAttribute('class').replace('tl-bar ', ''))`)
		sort.Strings(bars)
		sorted := append([]string(nil), kinds...)
		sort.Strings(sorted)
		if strings.Join(bars, ",") != strings.Join(sorted, ",") {
			t.Errorf("%s: timeline bars %q do not match the table rows %q", day, bars, kinds)
		}
		count := map[string]int{}
		for _, k := range kinds {
			count[k]++
		}
		if count["tl-login"] == 0 || count["tl-leg"] == 0 {
			t.Fatalf("%s of %s: logins %d, legs %d; want both", day, rows[target].Name, count["tl-login"], count["tl-leg"])
		}
		starts := eval[[]string](t, ctx, `[...document.querySelectorAll('#agent-day-table tbody tr td:nth-child(2)')].map(td => td.textContent.trim())`)
		if !sort.StringsAreSorted(starts) {
			t.Errorf("%s: entries not in time order: %q", day, starts)
		}
		if eval[string](t, ctx, `document.getElementById('agent-day-logged').textContent.trim()`) == "—" {
			t.Errorf("%s: a day with logins shows no Tempo logado", day)
		}
		shot(t, ctx, "2-agent-day")

		protocol := eval[string](t, ctx, `document.querySelector('#agent-day-table a.tl-protocol').textContent.trim()`)
		if st := clickAndWait(t, ctx, "#agent-day-table a.tl-protocol"); st != 200 {
			t.Fatalf("history of %s = %d", protocol, st)
		}
		if p := pathOf(t, ctx); p != "/historico/"+protocol {
			t.Errorf("the leg's protocol opened %s", p)
		}
		shot(t, ctx, "3-agent-day-history")
		if p := problems(); len(p) > 0 {
			t.Errorf("console problems: %q", p)
		}
	})
}
