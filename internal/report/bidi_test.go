package report_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
)

// TestBidiControlsInTextAreNeutralisedOnDisplay: free text may carry
// bidirectional controls (ids may not); the history and the Rastreio cells
// show the text without them, so "‮gnp.exe" cannot pose as "exe.png".
func TestBidiControlsInTextAreNeutralisedOnDisplay(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bidi.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.EnsureTenant(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	body := strings.Join([]string{
		`{"id":"1","type":"interaction.created","at":"2026-10-05T10:00:00-03:00","interaction":"i","media":"chat","protocol":"P-1"}`,
		`{"id":"2","type":"leg.queued","at":"2026-10-05T10:00:01-03:00","interaction":"i","leg":"l","service_id":"s"}`,
		`{"id":"3","type":"message","at":"2026-10-05T10:00:02-03:00","interaction":"i","message_id":"m","sender":"client","text":"veja \u202egnp.exe"}`,
		`{"id":"4","type":"leg.finished","at":"2026-10-05T10:05:00-03:00","interaction":"i","leg":"l","status":"abandoned","comments":"nota \u2066x\u2069"}`,
	}, "\n")
	if _, err := ingest.New(db).IngestBody(ctx, "a", []byte(body)); err != nil {
		t.Fatal(err)
	}
	r := report.New(db)
	p := model.Principal{Tenant: "a", Role: model.RoleAdmin, PersonalData: true}
	h, err := r.History(ctx, p, "P-1", false)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range h.Entries {
		if strings.IndexFunc(e.Text, model.IsBidiControl) >= 0 {
			t.Errorf("history text %q keeps a bidi control", e.Text)
		}
		found = found || e.Text == "veja gnp.exe"
	}
	if !found {
		t.Errorf("message text not shown neutralised: %+v", h.Entries)
	}
	q, err := r.ParseInteractions(ctx, p, map[string][]string{"media": {"chat"}, "from": {"2026-10-05"}, "to": {"2026-10-05"}, "service_status": {"all"}})
	if err != nil {
		t.Fatal(err)
	}
	tab, err := r.Interactions(ctx, p, q)
	if err != nil || len(tab.Rows) != 1 {
		t.Fatalf("%v %d rows", err, len(tab.Rows))
	}
	for i, c := range tab.Columns {
		if c == "COMENTÁRIOS INTERNOS" && tab.Rows[0][i] != "nota x" {
			t.Errorf("COMENTÁRIOS INTERNOS = %q", tab.Rows[0][i])
		}
	}
}
