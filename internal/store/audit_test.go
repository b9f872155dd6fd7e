package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// The Auditoria page filters by user, action and period, newest first,
// keyset paged, and never shows another tenant's entries.
func TestAuditSearchFiltersByUserActionAndPeriodWithinTheTenant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		day := time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC)
		entries := []store.AuditEntry{
			{Tenant: "acme", At: day.Add(-48 * time.Hour), Actor: "user:ana", Action: "login"},
			{Tenant: "acme", At: day, Actor: "user:ana", Action: "export", Detail: map[string]any{"report": "ivr"}},
			{Tenant: "acme", At: day.Add(time.Hour), Actor: "user:bia", Action: "export"},
			{Tenant: "acme", At: day.Add(2 * time.Hour), Actor: "user:ana", Action: "history.view"},
			{Tenant: "acme", At: day.Add(3 * time.Hour), Actor: "user:ana", Action: "export"},
			{Tenant: "other", At: day, Actor: "user:ana", Action: "export"},
		}
		for _, e := range entries {
			if err := s.DB.Audit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		acme := model.Principal{Tenant: "acme", Role: model.RoleAdmin}
		search := func(f store.AuditFilter) []store.AuditEntry {
			t.Helper()
			got, err := s.DB.SearchAudit(ctx, acme, f)
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range got {
				if e.Tenant != "acme" {
					t.Errorf("entry %d of tenant %q in acme's audit log", e.K, e.Tenant)
				}
				if i > 0 && e.K >= got[i-1].K {
					t.Errorf("entries not newest first: k %d after %d", e.K, got[i-1].K)
				}
			}
			return got
		}
		actions := func(list []store.AuditEntry) []string {
			var out []string
			for _, e := range list {
				out = append(out, e.Actor+" "+e.Action+" "+e.At.UTC().Format("02T15"))
			}
			return out
		}
		want := func(name string, got []store.AuditEntry, w ...string) {
			t.Helper()
			g := actions(got)
			if len(g) != len(w) {
				t.Fatalf("%s: got %q, want %q", name, g, w)
			}
			for i := range w {
				if g[i] != w[i] {
					t.Fatalf("%s: got %q, want %q", name, g, w)
				}
			}
		}
		want("everything", search(store.AuditFilter{}),
			"user:ana export 09T15", "user:ana history.view 09T14", "user:bia export 09T13", "user:ana export 09T12", "user:ana login 07T12")
		want("ana's exports", search(store.AuditFilter{Actor: "user:ana", Action: "export"}),
			"user:ana export 09T15", "user:ana export 09T12")
		day9 := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
		want("the 9th until 14:00", search(store.AuditFilter{From: day9, To: day9.Add(14 * time.Hour)}),
			"user:bia export 09T13", "user:ana export 09T12")

		first := search(store.AuditFilter{Action: "export", Limit: 2})
		want("first page of exports", first, "user:ana export 09T15", "user:bia export 09T13")
		want("next page of exports", search(store.AuditFilter{Action: "export", Limit: 2, Before: first[1].K}), "user:ana export 09T12")
	})
}
