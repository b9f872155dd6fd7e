package web_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/storetest"
	"github.com/rastro/rastro/internal/web"
)

// legCallRows reads the cells of #leg-calls, one row per leg (tags
// stripped, entities decoded, spaces squeezed).
func legCallRows(page string) [][]string {
	tbl := regexp.MustCompile(`(?s)<table class="grid" id="leg-calls">.*?</table>`).FindString(page)
	var rows [][]string
	for _, tr := range regexp.MustCompile(`(?s)<tr class="leg-call">(.*?)</tr>`).FindAllStringSubmatch(tbl, -1) {
		var cells []string
		for _, td := range regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(tr[1], -1) {
			text := html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(td[1], ""))
			cells = append(cells, strings.Join(strings.Fields(text), " "))
		}
		rows = append(rows, cells)
	}
	return rows
}

// idText is the text of the element with the given id (tags stripped).
func idText(page, id string) string {
	m := regexp.MustCompile(`(?s)id="` + id + `"[^>]*>(.*?)</dd>`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], ""))), " ")
}

// TestHistoryPageShowsEachLegsOwnAnswerAndHangup: the history of a
// transferred call lists both legs in order, each with its own answer,
// hang-up and transfer — never leg 2's answer beside leg 1's hang-up —
// with the contact block (the document and phone masked for a viewer, the
// phone written +55 (11) 98888-7777 for an admin), the service and tags,
// and the IVR's name in the timeline.
func TestHistoryPageShowsEachLegsOwnAnswerAndHangup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newAPIEnv(t, s)
		if r := e.as(t, "admin", "POST", "/api/v1/events", ndjson(web.TransferredCall...), "Content-Type", "application/x-ndjson"); r.Code != 200 {
			t.Fatalf("ingest: %s", r)
		}
		for _, c := range []struct {
			user, document, phone string
		}{
			{"admin", "52998224725", "+55 (11) 98888-7777"},
			{"viewer", "***.982.247-**", "*********7777"},
		} {
			r := e.ui(t, c.user, "GET", "/historico/TC-20261005", nil)
			mustOK(t, c.user+" history", r)
			page := string(r.Body)
			want := [][]string{
				{"1", "Suporte → Carla Dias", "05/10/2026 10:00:15", "05/10/2026 10:00:30", "—", "05/10/2026 10:02:00", "05/10/2026 10:02:00 → Vendas"},
				{"2", "Vendas → Bruno Lima", "05/10/2026 10:02:00", "05/10/2026 10:02:15", "05/10/2026 10:04:10", "—", "—"},
			}
			got := legCallRows(page)
			if len(got) != len(want) {
				t.Fatalf("%s: leg rows %q, want %q", c.user, got, want)
			}
			for i := range want {
				if strings.Join(got[i], " | ") != strings.Join(want[i], " | ") {
					t.Errorf("%s: leg %d\n got %q\nwant %q", c.user, i+1, got[i], want[i])
				}
			}
			for id, v := range map[string]string{"c-name": "Ana Souza", "c-document": c.document, "c-phone": c.phone, "c-service": "Vendas", "c-tags": "Resolvido"} {
				if g := idText(page, id); g != v {
					t.Errorf("%s: %s = %q, want %q", c.user, id, g, v)
				}
			}
			text := html.UnescapeString(page)
			if !strings.Contains(text, "Entrou na URA URA Principal") || strings.Contains(text, "URA tc-ura") {
				t.Errorf("%s: the timeline does not name the IVR", c.user)
			}
			// The merged call card no longer pairs one leg's answer with
			// another's hang-up.
			if strings.Contains(text, "Cliente desligou em") || strings.Contains(text, "Atendida em") {
				t.Errorf("%s: the call card still shows the merged answer and hang-up of a transferred call", c.user)
			}
			if c.user == "viewer" && strings.Contains(text, "98888") {
				t.Errorf("viewer: the page shows the unmasked phone")
			}
		}
	})
}

// TestHistoryVoltarReturnsToTheReportItCameFrom: the Rastreio's history
// links carry the page they are on (filters and page) as "back", and the
// history's Voltar goes there; a back that is not a path of this site
// (absolute URL, //host, /\host, a scheme) is refused for the Rastreio of
// the call's media, as is a missing one.
func TestHistoryVoltarReturnsToTheReportItCameFrom(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newAPIEnv(t, s)
		if r := e.as(t, "admin", "POST", "/api/v1/events", ndjson(web.TransferredCall...), "Content-Type", "application/x-ndjson"); r.Code != 200 {
			t.Fatalf("ingest: %s", r)
		}
		search := "/rastreio?from=2026-10-05&media=voice&order=asc&to=2026-10-05"
		r := e.ui(t, "viewer", "GET", search, nil)
		mustOK(t, "rastreio", r)
		m := regexp.MustCompile(`<a class="hist" href="([^"]+)"`).FindStringSubmatch(string(r.Body))
		if m == nil {
			t.Fatalf("the Rastreio has no history link")
		}
		link, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		back := link.Query().Get("back")
		if u, err := url.Parse(back); err != nil || u.Path != "/rastreio" || u.Query().Get("from") != "2026-10-05" || u.Query().Get("order") != "asc" {
			t.Fatalf("history link %q: back %q is not the search it came from", link, back)
		}
		// The phones of the Rastreio cells are written the screens' way
		// (masked for the viewer, so kept as masked).
		if !strings.Contains(string(r.Body), "*********7777") {
			t.Errorf("the viewer's Rastreio lacks the masked A PARTIR DE")
		}

		backOf := func(q string) string {
			t.Helper()
			r := e.ui(t, "viewer", "GET", "/historico/TC-20261005"+q, nil)
			mustOK(t, "history "+q, r)
			m := regexp.MustCompile(`<a class="back" id="back" href="([^"]*)"`).FindStringSubmatch(string(r.Body))
			if m == nil {
				t.Fatalf("history %s has no Voltar", q)
			}
			return html.UnescapeString(m[1])
		}
		if got := backOf("?" + link.RawQuery); got != back {
			t.Errorf("Voltar = %q, want %q", got, back)
		}
		if got := backOf("?back=" + url.QueryEscape("/fluxo-agil/b1/c1")); got != "/fluxo-agil/b1/c1" {
			t.Errorf("Voltar from a Fluxo Ágil history = %q", got)
		}
		for _, bad := range []string{"", "https://evil.example/rastreio", "//evil.example/rastreio", `/\evil.example`, "javascript:alert(1)", "rastreio?media=voice", "/\t/evil.example"} {
			q := ""
			if bad != "" {
				q = "?back=" + url.QueryEscape(bad)
			}
			if got := backOf(q); got != "/rastreio?media=voice" {
				t.Errorf("back %q: Voltar = %q, want the Rastreio /rastreio?media=voice", bad, got)
			}
		}
	})
}

// TestHistoryCallCardShowsTheAnswerOfAOneLegCall: a call with one leg
// keeps its answer and hang-up in the call card, the leg's own.
func TestHistoryCallCardShowsTheAnswerOfAOneLegCall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newAPIEnv(t, s)
		body := ndjson(
			`{"id":"ol-1","type":"interaction.created","at":"2026-10-06T10:00:00-03:00","interaction":"call-ol","media":"voice","protocol":"OL-20261006","direction":"outbound","from":"1005","to":"+1 415 555 0100"}`,
			`{"id":"ol-2","type":"leg.queued","at":"2026-10-06T10:00:01-03:00","interaction":"call-ol","leg":"l1","service_id":"suporte"}`,
			`{"id":"ol-3","type":"leg.delivered","at":"2026-10-06T10:00:02-03:00","interaction":"call-ol","leg":"l1","agent_id":"PJSIP/1001"}`,
			`{"id":"ol-4","type":"call.updated","at":"2026-10-06T10:00:09-03:00","interaction":"call-ol","answered_at":"2026-10-06T10:00:09-03:00"}`,
			`{"id":"ol-5","type":"call.updated","at":"2026-10-06T10:03:00-03:00","interaction":"call-ol","leg":"l1","agent_hangup_at":"2026-10-06T10:03:00-03:00"}`,
			`{"id":"ol-6","type":"leg.finished","at":"2026-10-06T10:03:01-03:00","interaction":"call-ol","leg":"l1","status":"service completed"}`,
		)
		if r := e.as(t, "admin", "POST", "/api/v1/events", body, "Content-Type", "application/x-ndjson"); r.Code != 200 {
			t.Fatalf("ingest: %s", r)
		}
		r := e.ui(t, "admin", "GET", "/historico/OL-20261006", nil)
		mustOK(t, "history", r)
		page := html.UnescapeString(string(r.Body))
		details := map[string]string{}
		for _, m := range regexp.MustCompile(`(?s)<div><dt>([^<]*)</dt><dd[^>]*>(.*?)</dd></div>`).FindAllStringSubmatch(page, -1) {
			details[m[1]] = strings.TrimSpace(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[2], ""))
		}
		for k, want := range map[string]string{
			"Atendida em": "06/10/2026 10:00:09", "Agente desligou em": "06/10/2026 10:03:00", "Cliente desligou em": "—",
			// An outbound call's contact phone is To; another country's
			// number is shown as received.
			"Para": "+1 415 555 0100", "Telefone": "+1 415 555 0100",
		} {
			if details[k] != want {
				t.Errorf("%s = %q, want %q", k, details[k], want)
			}
		}
		if rows := legCallRows(string(r.Body)); len(rows) != 1 || rows[0][3] != "06/10/2026 10:00:09" {
			t.Errorf("leg rows %q", rows)
		}
	})
}
