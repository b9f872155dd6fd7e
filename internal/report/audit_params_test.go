package report_test

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/report"
)

// The audit filters: a bare user name is the user's login actor, the
// period is the tenant's local days (to inclusive), and every bad or
// unknown parameter is named.
func TestAuditFiltersReadUserActionAndLocalDays(t *testing.T) {
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	v, _ := url.ParseQuery("actor=ana&action=export&from=2026-03-02&to=2026-03-02&before=42&format=csv")
	f, err := report.ParseAudit(v, sp, "format")
	if err != nil {
		t.Fatal(err)
	}
	if f.Actor != "user:ana" || f.Action != "export" || f.Before != 42 {
		t.Errorf("filter = %+v", f)
	}
	if want := time.Date(2026, 3, 2, 0, 0, 0, 0, sp); !f.From.Equal(want) {
		t.Errorf("from = %s, want %s", f.From, want)
	}
	if want := time.Date(2026, 3, 3, 0, 0, 0, 0, sp); !f.To.Equal(want) {
		t.Errorf("to = %s, want %s (the whole last day)", f.To, want)
	}
	for _, actor := range []string{"token:t1", "cli", "webhook:whatsapp"} {
		f, err := report.ParseAudit(url.Values{"actor": {actor}}, sp)
		if err != nil || f.Actor != actor {
			t.Errorf("actor %q read as %q (%v)", actor, f.Actor, err)
		}
	}

	v, _ = url.ParseQuery("action=delete&from=2026-02-30&before=-1&colour=blue")
	_, err = report.ParseAudit(v, sp)
	var pe *report.ParamError
	if !errors.As(err, &pe) {
		t.Fatalf("bad filters: %v", err)
	}
	named := map[string]bool{}
	for _, p := range pe.Problems {
		named[p.Param] = true
	}
	for _, p := range []string{"action", "from", "before", "colour"} {
		if !named[p] {
			t.Errorf("problem of %s not named: %v", p, pe.Problems)
		}
	}
}
