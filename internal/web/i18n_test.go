package web

import (
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// TestCountMessagesTakeTheSingularForOneOnly: "1 atendimento",
// "2 atendimentos", "0 atendimentos", in English too, the number grouped
// the language's way.
func TestCountMessagesTakeTheSingularForOneOnly(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int64
		want string
	}{
		{"pt", 1, "1 atendimento"},
		{"pt", 2, "2 atendimentos"},
		{"pt", 0, "0 atendimentos"},
		{"pt", 12345, "12.345 atendimentos"},
		{"en", 1, "1 leg"},
		{"en", 0, "0 legs"},
		{"en", 1234567, "1,234,567 legs"},
	} {
		if got := plural(c.lang, c.n, "{n} atendimento", "{n} atendimentos"); got != c.want {
			t.Errorf("%s plural(%d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
	p := Page{Lang: "pt"}
	if got, err := p.Plural(1, "{n} linha", "{n} linhas"); err != nil || got != "1 linha" {
		t.Errorf("Plural(int 1) = %q, %v", got, err)
	}
	if got, err := p.Plural(int64(3), "{n} linha", "{n} linhas"); err != nil || got != "3 linhas" {
		t.Errorf("Plural(int64 3) = %q, %v", got, err)
	}
	if _, err := p.Plural("3", "{n} linha", "{n} linhas"); err == nil {
		t.Error("Plural of a string rendered instead of failing")
	}
}

// TestDecimalsReadWithACommaInPortugueseAndAPointInEnglish: the reports
// print figures the pt-BR way (SPEC.md); an English page reads a point,
// and nothing but a decimal figure is touched.
func TestDecimalsReadWithACommaInPortugueseAndAPointInEnglish(t *testing.T) {
	for _, c := range []struct{ lang, in, want string }{
		{"pt", "72,5%", "72,5%"},
		{"en", "72,5%", "72.5%"},
		{"en", "4,3", "4.3"},
		{"en", "-0,5", "-0.5"},
		{"en", "1234", "1234"},
		{"en", "00:04:12", "00:04:12"},
		{"en", "Silva, Ana", "Silva, Ana"},
	} {
		if got := decimalText(c.lang, c.in); got != c.want {
			t.Errorf("%s decimalText(%q) = %q, want %q", c.lang, c.in, got, c.want)
		}
	}
	if got := formatDecimal("pt", 35.25, 1); got != "35,2" && got != "35,3" {
		t.Errorf("pt formatDecimal(35.25) = %q", got)
	}
	if got := formatDecimal("en", 12.04, 1); got != "12.0" {
		t.Errorf("en formatDecimal(12.04) = %q", got)
	}
}

// TestEveryPagePrintsDatesInTheLanguagesOneFormat: dd/mm/aaaa hh:mm:ss in
// pt-BR, ISO in English, in the tenant's zone; the zero time is blank.
func TestEveryPagePrintsDatesInTheLanguagesOneFormat(t *testing.T) {
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 9, 17, 5, 7, 0, time.UTC)
	if got := pageTime("pt", at, sp); got != "09/03/2026 14:05:07" {
		t.Errorf("pt = %q", got)
	}
	if got := pageTime("en", at, sp); got != "2026-03-09 14:05:07" {
		t.Errorf("en = %q", got)
	}
	if got := pageTime("pt", time.Time{}, sp); got != "" {
		t.Errorf("zero time = %q", got)
	}
}

// TestRolesAndAuditActionsReadTranslated: every role and every audited
// action has a label in both languages.
func TestRolesAndAuditActionsReadTranslated(t *testing.T) {
	for _, c := range []struct{ lang, got, want string }{
		{"pt", roleLabel("pt", model.RoleAdmin), "Administrador"},
		{"en", roleLabel("en", model.RoleViewer), "Viewer"},
		{"pt", auditActionLabel("pt", "login.failed"), "Entrada recusada"},
		{"en", auditActionLabel("en", "recording.play"), "Recording played"},
		{"en", auditActionLabel("en", "some.new.action"), "some.new.action"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.lang, c.got, c.want)
		}
	}
	for _, r := range []model.Role{model.RoleAdmin, model.RoleSupervisor, model.RoleAnalyst, model.RoleViewer} {
		if roleLabel("pt", r) == string(r) {
			t.Errorf("role %s has no label", r)
		}
	}
}

// TestAuditDetailsReadAsTranslatedKeysAndValues: an entry's details are a
// key: value list (keys in order and translated, a report by its title,
// filters as key=value), not raw JSON.
func TestAuditDetailsReadAsTranslatedKeysAndValues(t *testing.T) {
	d := map[string]any{
		"report": "interactions", "format": "xlsx",
		"filters":          map[string]any{"media": []any{"voice"}, "from": []any{"2026-03-01"}},
		"events_rewritten": float64(1234), "future_key": true,
	}
	want := map[string][]detailItem{
		"pt": {{"Eventos reescritos", "1.234"}, {"Filtros", "from=2026-03-01; media=voice"}, {"Formato", "xlsx"}, {"future_key", "Sim"}, {"Relatório", "Rastreio de Interações"}},
		"en": {{"Events rewritten", "1,234"}, {"Filters", "from=2026-03-01; media=voice"}, {"Format", "xlsx"}, {"future_key", "Yes"}, {"Report", "Interaction Tracking"}},
	}
	for lang, w := range want {
		got := auditDetails(lang, d)
		if len(got) != len(w) {
			t.Fatalf("%s: %v, want %v", lang, got, w)
		}
		for i := range w {
			if got[i] != w[i] {
				t.Errorf("%s item %d: %v, want %v", lang, i, got[i], w[i])
			}
		}
	}
}
