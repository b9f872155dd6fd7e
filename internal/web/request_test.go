package web

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/report"
)

func pageIn(lg string) Page {
	return newPage(httptest.NewRequest("GET", "/?lang="+lg, nil), "", "")
}

// TestAProblemIsNamedAsItsPageLabelsTheField: SPEC.md labels the agents
// filter "Agente" on the IVR page and "Usuários" on the Agentes page; a
// refused value is named as the field the user sees, in their language.
func TestAProblemIsNamedAsItsPageLabelsTheField(t *testing.T) {
	err := &report.ParamError{Problems: []report.Problem{{Param: "agents", Reason: "must have at most 5000 items"}}}
	for _, c := range []struct {
		lg   string
		f    form
		want string
	}{
		{"pt", ivrForm, "Agente: deve ter no máximo 5000 itens"},
		{"pt", agentsForm, "Usuários: deve ter no máximo 5000 itens"},
		{"pt", rastreioForm, "Usuários: deve ter no máximo 5000 itens"},
		{"en", ivrForm, "Agent: must have at most 5000 items"},
		{"en", agentsForm, "Users: must have at most 5000 items"},
	} {
		ps, other := problemsOf(pageIn(c.lg), c.f, err)
		if other != nil || len(ps) != 1 {
			t.Fatalf("%s: problems %v, error %v", c.want, ps, other)
		}
		if got := ps[0].Label + ": " + ps[0].Reason; got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
	if ps, other := problemsOf(pageIn("pt"), ivrForm, errStoreDown); ps != nil || other != errStoreDown {
		t.Errorf("a store error came back as problems %v / %v", ps, other)
	}
}

var errStoreDown = errors.New("store: connection refused")

// TestEveryReasonOfTheParsersReadsInPortuguese: the reasons the report
// parsers give (English in the API) read in Portuguese on the pt-BR pages,
// the changing part kept.
func TestEveryReasonOfTheParsersReadsInPortuguese(t *testing.T) {
	for in, want := range map[string]string{
		`must be a date AAAA-MM-DD, got "2026-13-01"`: `deve ser uma data AAAA-MM-DD; recebido "2026-13-01"`,
		`"week" is not one of: ivr, day`:              `"week" não é um destes: ivr, day`,
		"must be a number from 1 to 500":              "deve ser um número de 1 a 500",
		"invalid cursor":                              "página inválida: volte à primeira página",
		"batch b9 is not a batch of campaign c1":      "o lote b9 não é da campanha c1",
		"required":                                    "obrigatório",
		"something new":                               "something new",
	} {
		if got := reason("pt", in); got != want {
			t.Errorf("reason(%q) = %q, want %q", in, got, want)
		}
		if got := reason("en", in); got != in {
			t.Errorf("English reason(%q) = %q", in, got)
		}
	}
}

// TestAReasonNamesAMediaByItsLabel: a problem names a media (and lists
// media or voice statuses) as the page does ("não se aplica à mídia
// WhatsApp", "Voice" in English), not by the ids the API takes.
func TestAReasonNamesAMediaByItsLabel(t *testing.T) {
	for _, c := range []struct{ lang, in, want string }{
		{"pt", "does not apply to media whatsapp", "não se aplica à mídia WhatsApp"},
		{"pt", "does not apply to media voice", "não se aplica à mídia Voz"},
		{"en", "does not apply to media voice", "does not apply to media Voice"},
		{"pt", "does not apply to media fax", "não se aplica à mídia fax"},
		{"pt", `"fax" is not one of: voice, whatsapp`, `"fax" não é um destes: Voz, WhatsApp`},
		{"en", `"fax" is not one of: voice, whatsapp`, `"fax" is not one of: Voice, WhatsApp`},
		{"pt", `"x" is not one of: answered, no_answer`, `"x" não é um destes: Atendidas, Não atendidas`},
		{"en", `"x" is not one of: answered, no_answer`, `"x" is not one of: Answered, Not answered`},
		{"pt", `"x" is not one of: ivr, service, agent, hour, day`, `"x" não é um destes: ivr, service, agent, hour, day`},
	} {
		if got := reason(c.lang, c.in); got != c.want {
			t.Errorf("%s reason(%q) = %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}

// TestAFormKeepsOnlyItsFilledValues: the query links and exports carry is
// the form's non-blank filters, trimmed; the language and unknown
// parameters stay out; an empty field still counts as a search.
func TestAFormKeepsOnlyItsFilledValues(t *testing.T) {
	v, _ := url.ParseQuery("from=2026-03-01&to=&agents=a1&agents=+a2+&lang=en&evil=1")
	if !ivrForm.searched(url.Values{"to": {""}}) {
		t.Error("a submitted form with every field empty is not a search")
	}
	if ivrForm.searched(url.Values{"lang": {"en"}}) {
		t.Error("the language alone is a search")
	}
	if got := ivrForm.query(v).Encode(); got != "agents=a1&agents=a2&from=2026-03-01" {
		t.Errorf("query = %s", got)
	}
	if got := queryList(url.Values{"agents": {"a1, a2", "a3", " "}}, "agents"); strings.Join(got, "|") != "a1|a2|a3" {
		t.Errorf("queryList = %q", got)
	}
}

// TestExportLinksUseTheCommaSeparatorAndLeavePagingOut: every page links
// its comma CSV as sep=, (the API takes sep=comma too) and exports the
// whole result, not the page on screen.
func TestExportLinksUseTheCommaSeparatorAndLeavePagingOut(t *testing.T) {
	q := url.Values{"media": {"voice"}, "cursor": {"c2"}, "limit": {"100"}}
	links := exportLinks(pageIn("en"), "/api/v1/reports/interactions/export", q, true)
	var got []string
	for _, l := range links {
		got = append(got, l.Label+" "+l.URL)
	}
	want := []string{
		"CSV /api/v1/reports/interactions/export?format=csv&media=voice",
		"CSV with commas /api/v1/reports/interactions/export?format=csv&media=voice&sep=%2C",
		"XLSX /api/v1/reports/interactions/export?format=xlsx&media=voice",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("links:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if q.Get("cursor") != "c2" {
		t.Error("exportLinks changed the page's query")
	}
	if n := len(exportLinks(pageIn("pt"), "/api/v1/audit/export", nil, false)); n != 2 {
		t.Errorf("the audit log has %d export links, want CSV and XLSX", n)
	}
}

// TestTheMultiselectSummaryNamesUpToTwoChoices: the closed drop-down shows
// Todos, the one or two labels picked, or how many (app.js keeps it so).
func TestTheMultiselectSummaryNamesUpToTwoChoices(t *testing.T) {
	p := pageIn("pt")
	opts := []option{{Value: "a", Label: "Ana"}, {Value: "b", Label: "Bruno"}, {Value: "c", Label: "Carla"}}
	for sel, want := range map[string]string{"": "Todos", "a": "Ana", "a,c": "Ana, Carla", "a,b,c": "3 selecionados"} {
		m := newMulti(p, agentsForm, "agents", url.Values{"agents": {sel}}, opts)
		if m.Summary != want || m.Label != "Usuários" || m.ID != "f-agents" {
			t.Errorf("agents=%s: summary %q label %q id %q", sel, m.Summary, m.Label, m.ID)
		}
	}
}
