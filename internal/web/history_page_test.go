package web_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/storetest"
)

// transferredCall is a voice call with a directory: it passes the IVR
// "ura-main" (named), is answered by Carla in Suporte at 10:00:30, who
// transfers it to Vendas at 10:02:00 (her hang-up: DATA FINALIZAÇÃO
// AGENTE of leg 1); Bruno answers at 10:02:15 and the client hangs up at
// 10:04:10 (DATA FINALIZAÇÃO CLIENTE of leg 2). The contact Ana Souza has
// a CPF and a mobile; the second leg is tabulated "Resolvido".
func transferredCall() []byte {
	return ndjson(
		`{"id":"tc-d1","type":"service.upserted","at":"2026-10-05T09:00:00-03:00","service":{"id":"suporte","name":"Suporte"}}`,
		`{"id":"tc-d2","type":"service.upserted","at":"2026-10-05T09:00:00-03:00","service":{"id":"vendas","name":"Vendas"}}`,
		`{"id":"tc-d3","type":"user.upserted","at":"2026-10-05T09:00:00-03:00","user":{"id":"ag-carla","name":"Carla Dias","tags":[],"status":"ativo"}}`,
		`{"id":"tc-d4","type":"user.upserted","at":"2026-10-05T09:00:00-03:00","user":{"id":"ag-bruno","name":"Bruno Lima","tags":[],"status":"ativo"}}`,
		`{"id":"tc-d5","type":"ivr.upserted","at":"2026-10-05T09:00:00-03:00","ivr":{"id":"ura-main","name":"URA Principal"}}`,
		`{"id":"tc-d6","type":"tag.upserted","at":"2026-10-05T09:00:00-03:00","tag":{"id":"tg-ok","name":"Resolvido"}}`,
		`{"id":"tc-d7","type":"contact.upserted","at":"2026-10-05T09:00:00-03:00","contact":{"id":"ct-ana","name":"Ana Souza","document":"529.982.247-25","phones":["5511988887777"]}}`,
		`{"id":"tc-1","type":"interaction.created","at":"2026-10-05T10:00:00-03:00","interaction":"call-tc","media":"voice","protocol":"TC-20261005","direction":"inbound","from":"5511988887777","to":"551133334444","contact_id":"ct-ana"}`,
		`{"id":"tc-2","type":"ivr.entered","at":"2026-10-05T10:00:01-03:00","interaction":"call-tc","ivr_id":"ura-main"}`,
		`{"id":"tc-3","type":"ivr.left","at":"2026-10-05T10:00:15-03:00","interaction":"call-tc","ivr_id":"ura-main","outcome":"transferred","service_id":"suporte"}`,
		`{"id":"tc-4","type":"leg.queued","at":"2026-10-05T10:00:15-03:00","interaction":"call-tc","leg":"l1","service_id":"suporte"}`,
		`{"id":"tc-5","type":"leg.delivered","at":"2026-10-05T10:00:28-03:00","interaction":"call-tc","leg":"l1","agent_id":"ag-carla"}`,
		`{"id":"tc-6","type":"call.updated","at":"2026-10-05T10:00:30-03:00","interaction":"call-tc","leg":"l1","answered_at":"2026-10-05T10:00:30-03:00","voice_status":"answered"}`,
		`{"id":"tc-7","type":"leg.transferred","at":"2026-10-05T10:02:00-03:00","interaction":"call-tc","leg":"l1","new_leg":"l2","to_service_id":"vendas"}`,
		`{"id":"tc-8","type":"call.updated","at":"2026-10-05T10:02:00-03:00","interaction":"call-tc","leg":"l1","agent_hangup_at":"2026-10-05T10:02:00-03:00"}`,
		`{"id":"tc-9","type":"leg.queued","at":"2026-10-05T10:02:01-03:00","interaction":"call-tc","leg":"l2","service_id":"vendas"}`,
		`{"id":"tc-10","type":"leg.delivered","at":"2026-10-05T10:02:12-03:00","interaction":"call-tc","leg":"l2","agent_id":"ag-bruno"}`,
		`{"id":"tc-11","type":"call.updated","at":"2026-10-05T10:02:15-03:00","interaction":"call-tc","leg":"l2","answered_at":"2026-10-05T10:02:15-03:00","voice_status":"answered"}`,
		`{"id":"tc-12","type":"call.updated","at":"2026-10-05T10:04:10-03:00","interaction":"call-tc","leg":"l2","client_hangup_at":"2026-10-05T10:04:10-03:00"}`,
		`{"id":"tc-13","type":"leg.finished","at":"2026-10-05T10:04:12-03:00","interaction":"call-tc","leg":"l2","status":"service completed","tags":["tg-ok"]}`,
	)
}

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
		if r := e.as(t, "admin", "POST", "/api/v1/events", transferredCall(), "Content-Type", "application/x-ndjson"); r.Code != 200 {
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
				{"1", "Suporte → Carla Dias", "2026-10-05 10:00:15", "2026-10-05 10:00:30", "—", "2026-10-05 10:02:00", "2026-10-05 10:02:00 → Vendas"},
				{"2", "Vendas → Bruno Lima", "2026-10-05 10:02:00", "2026-10-05 10:02:15", "2026-10-05 10:04:10", "—", "—"},
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
			if !strings.Contains(text, "Entrou na URA URA Principal") || strings.Contains(text, "URA ura-main") {
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
		if r := e.as(t, "admin", "POST", "/api/v1/events", transferredCall(), "Content-Type", "application/x-ndjson"); r.Code != 200 {
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
