package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/analytics"
	"github.com/rastro/rastro/internal/analytics/analyticstest"
	"github.com/rastro/rastro/internal/demo"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// newNoteEnv serves db (acme seeded with a small demo week) with reports
// read from engine (nil: the store only), and an admin UI session.
func newNoteEnv(t *testing.T, db *store.DB, engine func(*store.DB) report.AnalyticsReader) *env {
	t.Helper()
	e := emptyEnv(t, "note", db)
	e.raw[tenantA] = seedTenant(t, db, tenantA, demo.Options{Tenant: tenantA, Legs: 60, Days: 3, Seed: 3})
	var ar report.AnalyticsReader
	if engine != nil {
		ar = engine(db)
	}
	e.serve(t, ar)
	e.mustSession(t, "admin", store.Grant{Tenant: tenantA, Role: model.RoleAdmin})
	return e
}

// dataNoteOf returns the page's data note ("" when it shows none).
func dataNoteOf(t *testing.T, e *env, path string) string {
	t.Helper()
	r := e.ui(t, "admin", http.MethodGet, path, nil)
	if r.Code != http.StatusOK {
		t.Fatalf("GET %s: %s", path, r)
	}
	body := string(r.Body)
	i := strings.Index(body, `id="data-note"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	rest = rest[strings.Index(rest, ">")+1:]
	return html.UnescapeString(rest[:strings.Index(rest, "</p>")])
}

// notePages are the report pages, each with its form submitted (a page
// showing only its form reads no report and says nothing).
var notePages = []string{"/fluxo-agil?sort=batch", "/ivr?group_by=ivr", "/agentes?media=voice", "/rastreio?media=voice"}

// TestReportPagesSayTheStoreAnswersWhileClickHouseIsDown: with the engine
// unreachable, every report page says (in pt-BR, and in English when
// chosen) that its numbers come from the main database; without an engine
// the pages say nothing.
func TestReportPagesSayTheStoreAnswersWhileClickHouseIsDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		down, err := analytics.New("clickhouse://127.0.0.1:1/rastro")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { down.Close() })
		e := newNoteEnv(t, s.DB, func(db *store.DB) report.AnalyticsReader { return &analytics.Rastreio{CH: down, DB: db} })
		for _, path := range notePages {
			if got := dataNoteOf(t, e, path); got != "O motor de análise (ClickHouse) não responde: estes números vêm do banco principal (mais lento)." {
				t.Errorf("%s with ClickHouse down says %q", path, got)
			}
			if got := dataNoteOf(t, e, path+"&lang=en"); !strings.HasPrefix(got, "The analytics engine (ClickHouse) is not answering") {
				t.Errorf("%s in English with ClickHouse down says %q", path, got)
			}
		}
		plain := newNoteEnv(t, storeOf(t, s), nil)
		for _, path := range notePages {
			if got := dataNoteOf(t, plain, path); got != "" {
				t.Errorf("%s without an analytics engine says %q", path, got)
			}
		}
	})
}

// storeOf opens a second, empty store of the same kind as s.
func storeOf(t *testing.T, s storetest.Store) *store.DB {
	t.Helper()
	dsn := t.TempDir() + "/plain.db"
	if s.Name == "postgres" {
		dsn = storetest.PostgresDSN(t)
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestReportPagesShowTheClickHouseLag: with the engine answering and an
// update not shipped yet, the report pages say "Dados até HH:MM" (the
// oldest pending entry's time, in the tenant's zone) and how many updates
// are pending; once the outbox drains they say nothing.
func TestReportPagesShowTheClickHouseLag(t *testing.T) {
	ch := analyticstest.Open(t)
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.PostgresDSN(t))
	if err != nil {
		t.Fatalf("open postgres store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	ship := &analytics.Shipper{DB: db, CH: ch, Logf: t.Logf}
	e := newNoteEnv(t, db, func(db *store.DB) report.AnalyticsReader {
		if _, err := db.EnableAnalytics(ctx, "clickhouse"); err != nil {
			t.Fatal(err)
		}
		if _, err := ship.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		return &analytics.Rastreio{CH: ch, DB: db}
	})
	for _, path := range notePages {
		if got := dataNoteOf(t, e, path); got != "" {
			t.Errorf("%s with nothing pending says %q", path, got)
		}
	}
	// A contact of the Fluxo Ágil renamed: one update pending (a contact
	// without bot conversations queues none).
	bots, err := db.BotRows(ctx, model.Principal{Tenant: tenantA, Role: model.RoleAdmin, PersonalData: true}, store.BotFilter{}, false, nil, 1)
	if err != nil || len(bots.Rows) == 0 {
		t.Fatalf("a Fluxo Ágil contact of %s: %v, %v", tenantA, bots.Rows, err)
	}
	if _, err := ingest.New(db).IngestBody(ctx, tenantA, []byte(`{"id":"note-1","type":"contact.upserted","at":"2026-10-02T08:00:00-03:00","contact":{"id":"`+bots.Rows[0].ContactID+`","name":"Nota"}}`+"\n")); err != nil {
		t.Fatal(err)
	}
	n, oldest, err := db.OutboxStats(ctx, tenantA)
	if err != nil || n != 1 || oldest == nil {
		t.Fatalf("after the upsert: %d pending (want 1), %v, %v", n, oldest, err)
	}
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	want := fmt.Sprintf("Dados até %s: 1 atualização ainda a caminho do motor de análise.", oldest.In(loc).Format("15:04"))
	for _, path := range notePages {
		if got := dataNoteOf(t, e, path); got != want {
			t.Errorf("%s with %d updates pending says %q, want %q", path, n, got, want)
		}
	}
	if got := dataNoteOf(t, e, "/ivr?group_by=ivr&lang=en"); got != "Data up to "+oldest.In(loc).Format("15:04")+": 1 update still on its way to the analytics engine." {
		t.Errorf("/ivr in English with updates pending says %q", got)
	}
	if _, err := ship.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := dataNoteOf(t, e, notePages[0]); got != "" {
		t.Errorf("%s once drained says %q", notePages[0], got)
	}
}
