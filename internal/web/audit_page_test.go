package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// auditActionsShown lists the actions (ids) of the entries an Auditoria
// page shows, in order.
func auditActionsShown(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`data-action="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// The Auditoria page filters by user, action and period (the tenant's
// local days), names actions and details in the page's language, prints
// dates in its one format, refuses a bad filter naming it, pages by keyset
// with the filters kept, and its exports carry the filters.
func TestAuditPageFiltersByUserActionAndPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newAPIEnv(t, s)
		ctx := context.Background()
		sp, err := time.LoadLocation("America/Sao_Paulo")
		if err != nil {
			t.Fatal(err)
		}
		day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, sp) }
		rows := int64(1234)
		for _, a := range []store.AuditEntry{
			{At: day(1, 9), Actor: "user:ana", Action: "login", Detail: map[string]any{"ip": "10.0.0.7"}},
			{At: day(2, 10), Actor: "user:ana", Action: "export", Detail: map[string]any{"report": "ivr", "format": "csv", "filters": map[string]any{"from": []any{"2026-03-01"}}}, Rows: &rows},
			{At: day(2, 23), Actor: "user:bia", Action: "export", Detail: map[string]any{"report": "agents", "format": "xlsx"}},
			{At: day(3, 0), Actor: "user:ana", Action: "export", Detail: map[string]any{"report": "fluxo-agil", "format": "csv"}},
		} {
			a.Tenant = contractTenant
			if err := e.DB.Audit(ctx, a); err != nil {
				t.Fatal(err)
			}
		}

		r := e.ui(t, "admin", "GET", "/auditoria?actor=ana&action=export&from=2026-03-02&to=2026-03-02", nil)
		mustOK(t, "filtered audit page", r)
		body := string(r.Body)
		if got := auditActionsShown(body); len(got) != 1 || got[0] != "export" {
			t.Fatalf("ana's exports on the 2nd: %q, want one export", got)
		}
		for _, want := range []string{"Exportação", "<dt>Relatório</dt><dd>Relatório IVR</dd>", "<dt>Filtros</dt><dd>from=2026-03-01</dd>",
			"02/03/2026 10:00:00", ">1.234<", "1 registro nesta página", `value="ana"`, `<option value="export" selected>Exportação</option>`} {
			if !strings.Contains(body, want) {
				t.Errorf("filtered page does not show %q", want)
			}
		}
		if strings.Contains(body, "user:bia") || strings.Contains(body, `{&#34;`) {
			t.Error("the page shows bia's export or raw JSON details")
		}
		if !regexp.MustCompile(`<a class="button" id="export-csv" href="/api/v1/audit/export\?[^"]*actor=ana`).MatchString(body) {
			t.Error("the CSV export does not carry the filters")
		}

		en := string(e.ui(t, "admin", "GET", "/auditoria?action=export&lang=en", nil).Body)
		for _, want := range []string{"Export", "<dt>Report</dt><dd>IVR Report</dd>", "2026-03-02 23:00:00", "3 entries on this page"} {
			if !strings.Contains(en, want) {
				t.Errorf("English page does not show %q", want)
			}
		}

		for _, c := range []struct{ query, label, reason string }{
			{"from=2026-13-01", "De", "deve ser uma data AAAA-MM-DD"},
			{"from=2026-03-05&to=2026-03-01", "Até", "não pode ser anterior à data inicial"},
			{"action=delete", "Ação", "não é um destes"},
		} {
			r := e.ui(t, "admin", "GET", "/auditoria?"+c.query, nil)
			if r.Code != 400 || !regexp.MustCompile(`<li><strong>`+c.label+`</strong>: [^<]*`+c.reason).Match(r.Body) {
				t.Errorf("%s: %d, want 400 naming %s: %s", c.query, r.Code, c.label, r)
			}
		}

		none := string(e.ui(t, "admin", "GET", "/auditoria?actor=nobody", nil).Body)
		if !strings.Contains(none, `<button type="button" class="button" id="export-csv" disabled`) || !strings.Contains(none, "0 registros nesta página") {
			t.Error("a filter matching nothing leaves the exports on")
		}

		csv := e.get(t, "admin", "/api/v1/audit/export?format=csv&actor=ana&action=export")
		mustOK(t, "filtered audit export", csv)
		if g := parseCSV(t, "audit export", csv.Body); len(g.Rows) != 2 {
			t.Errorf("ana's exports exported: %d rows, want 2", len(g.Rows))
		}
		if r := e.get(t, "admin", "/api/v1/audit/export?format=csv&action=delete"); r.Code != 400 || !strings.Contains(string(r.Body), `"param":"action"`) {
			t.Errorf("bad action on the export: %s", r)
		}
	})
}

// The Auditoria page shows 100 entries and links to the older ones with
// the same filters (keyset on the entry id).
func TestAuditPagePagesOlderEntriesKeepingTheFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newAPIEnv(t, s)
		ctx := context.Background()
		at := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
		for i := 0; i < 101; i++ {
			if err := e.DB.Audit(ctx, store.AuditEntry{Tenant: contractTenant, At: at.Add(time.Duration(i) * time.Second), Actor: "user:carl", Action: "logout"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.DB.Audit(ctx, store.AuditEntry{Tenant: contractTenant, At: at, Actor: "user:dora", Action: "logout"}); err != nil {
			t.Fatal(err)
		}
		first := string(e.ui(t, "admin", "GET", "/auditoria?actor=carl", nil).Body)
		if n := len(auditActionsShown(first)); n != 100 {
			t.Fatalf("first page: %d entries, want 100", n)
		}
		m := regexp.MustCompile(`id="audit-older" href="([^"]+)"`).FindStringSubmatch(first)
		if m == nil {
			t.Fatal("no link to the older entries")
		}
		older := strings.ReplaceAll(m[1], "&amp;", "&")
		if !strings.Contains(older, "actor=carl") || !strings.Contains(older, "before=") {
			t.Errorf("older link %q does not keep the filter and the keyset", older)
		}
		second := string(e.ui(t, "admin", "GET", older, nil).Body)
		if n := len(auditActionsShown(second)); n != 1 || strings.Contains(second, "user:dora") {
			t.Errorf("second page: %d entries (dora shown: %v), want carl's oldest only", n, strings.Contains(second, "user:dora"))
		}
		if strings.Contains(second, `id="audit-older"`) || !strings.Contains(second, `href="/auditoria?actor=carl" id="audit-newest"`) {
			t.Error("the last page links further back, or not to the newest with the filter")
		}
	})
}
