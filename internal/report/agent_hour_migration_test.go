package report_test

import (
	"bytes"
	"context"
	"database/sql"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// exportCase is one search of a scenario: who asks, and the query.
type exportCase struct {
	p     model.Principal
	query string
}

// seededTenant is the scenario of the migration and tag tests: tenant
// "one" of s holds the 300 events generated from seed, ingested in an
// order shuffled by the same seed.
func seededTenant(t *testing.T, s storetest.Store, seed uint64) {
	t.Helper()
	evs := genEvents(rand.New(rand.NewPCG(seed, 1)), 300)
	if err := s.DB.EnsureTenant(context.Background(), "one"); err != nil {
		t.Fatal(err)
	}
	ingestShuffled(t, ingest.New(s.DB), "one", evs, rand.New(rand.NewPCG(seed, 2)))
}

// exportsOf is exportCSV of the report named name for every case, by query.
func exportsOf(t *testing.T, db *store.DB, name string, cases []exportCase, minRows int64) map[string]string {
	t.Helper()
	out := make(map[string]string, len(cases))
	for _, c := range cases {
		out[c.query] = exportCSV(t, report.New(db), name, c.p, c.query, minRows)
	}
	return out
}

// exportCSV is the CSV export of the report named name (every row and,
// for the Agentes, the totals) for query, as the API and the CLI stream it.
// Fewer than minRows rows fail the test: a comparison never runs on nothing.
func exportCSV(t *testing.T, r *report.Reports, name string, p model.Principal, query string, minRows int64) string {
	t.Helper()
	ctx := context.Background()
	v, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	for _, rep := range r.All() {
		if rep.Name() != name {
			continue
		}
		q, err := rep.Parse(ctx, p, v)
		if err != nil {
			t.Fatalf("%s %s: %v", name, query, err)
		}
		e := rep.Export(ctx, p, q)
		f, _ := report.ParseFormat("csv", ";")
		var b bytes.Buffer
		st, err := report.Write(&b, f, e.Columns, e.Rows)
		if err != nil {
			t.Fatalf("%s export (%s): %v", name, query, err)
		}
		if st.Rows < minRows {
			t.Fatalf("%s export (%s): %d rows, too few to compare", name, query, st.Rows)
		}
		return b.String()
	}
	t.Fatalf("no report %q", name)
	return ""
}

// agentHourQueries read the hourly rollups and spans (an hour filter, or a
// set of media for the logged-in time) through the indexes of migration 0017.
var agentHourQueries = []exportCase{
	{admin("one"), "hour_from=08:00&hour_to=12:00"},
	{admin("one"), "hour_from=00:00&hour_to=23:59"},
	{admin("one"), "hour_from=13:00"},
	{admin("one"), "hour_to=09:59&media=chat"},
	{admin("one"), "media=voice,chat"},
	{admin("one"), "hour_from=09:00&hour_to=15:00&media=voice,whatsapp&from=2025-06-02"},
	{admin("one", "s2"), "hour_from=10:00&hour_to=18:00"},
	{admin("one"), "hour_from=07:00&hour_to=16:00&services=s1&user_tags=senior"},
}

// TestMigration0017GivesTheAgentesBytesOfAFreshStore: a store as the release
// before migration 0017 left it (hourly Agentes indexes keyed by agent and
// bucket) is converted in place when opened, reporting its progress, and
// every hour-filtered Agentes export is then byte for byte the one of a
// store made by this release from the same events.
func TestMigration0017GivesTheAgentesBytesOfAFreshStore(t *testing.T) {
	const seed = 20261206
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		seededTenant(t, s, seed)
		fresh := exportsOf(t, s.DB, "agents", agentHourQueries, 2)
		s.DB.Close()

		db, progress := revertAndReopen(t, s,
			`DROP INDEX agent_rollup_hour`, `DROP INDEX agent_tag_rollup_hour`, `DROP INDEX agent_spans_hour`,
			// 0003_reports.sql's indexes, as the previous release left them.
			`CREATE INDEX agent_rollup_report ON agent_rollup (tenant, agent_id, bucket, media, service_id,
				completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n,
				tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n)`,
			`CREATE INDEX agent_tag_rollup_report ON agent_tag_rollup (tenant, agent_id, tag_id, bucket, media, service_id, n)`,
			`CREATE INDEX agent_spans_report ON agent_spans (tenant, agent_id, kind, bucket, media, reason, seconds)`,
			`DELETE FROM schema_migrations WHERE version = '0017_agent_hour_indexes.sql'`,
		)
		lines := strings.Split(strings.TrimSpace(progress), "\n")
		if len(lines) != 7 || !strings.HasPrefix(lines[0], "migration 0017_agent_hour_indexes.sql: 1/6 CREATE INDEX agent_rollup_hour") ||
			!strings.HasPrefix(lines[6], "migration 0017_agent_hour_indexes.sql: done in") {
			t.Errorf("progress of the conversion:\n%s", progress)
		}
		r := report.New(db)
		for _, c := range agentHourQueries {
			if got := exportCSV(t, r, "agents", c.p, c.query, 2); got != fresh[c.query] {
				t.Errorf("Agentes %q after migration 0017:\n%s\nfresh store:\n%s", c.query, got, fresh[c.query])
			}
		}
	})
}

// TestMigration0023GivesTheAgentesBytesOfAFreshStore: a store as the release
// before migration 0023 left it (no hour-grain totals) gains them, summed
// up from its legs, when opened, reporting its progress; every
// hour-filtered Agentes export (those without media or service limits
// read the new tables) is then byte for byte the one of a store made by
// this release from the same events.
func TestMigration0023GivesTheAgentesBytesOfAFreshStore(t *testing.T) {
	const seed = 20261207
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		seededTenant(t, s, seed)
		fresh := exportsOf(t, s.DB, "agents", agentHourQueries, 2)
		raw, dialect := openRaw(t, s)
		want := snapshot(t, raw, dialect, "one")
		if len(want["agent_hour_total"]) == 0 || len(want["agent_hour_tag_total"]) == 0 {
			t.Fatalf("%d hour totals, %d hour tag totals: the migration would be checked on nothing",
				len(want["agent_hour_total"]), len(want["agent_hour_tag_total"]))
		}
		s.DB.Close()

		db, progress := revertAndReopen(t, s,
			`DROP TABLE agent_hour_tag_total`, `DROP TABLE agent_hour_total`,
			`DELETE FROM schema_migrations WHERE version = '0023_agent_hour_totals.sql'`,
		)
		lines := strings.Split(strings.TrimSpace(progress), "\n")
		if !strings.HasPrefix(lines[0], "migration 0023_agent_hour_totals.sql: 1/") ||
			!strings.HasPrefix(lines[len(lines)-1], "migration 0023_agent_hour_totals.sql: done in") {
			t.Errorf("progress of the conversion:\n%s", progress)
		}
		got := snapshot(t, raw, dialect, "one")
		for _, table := range []string{"agent_hour_total", "agent_hour_tag_total"} {
			if !reflect.DeepEqual(got[table], want[table]) {
				t.Errorf("%s after migration 0023:\n%q\nfresh store:\n%q", table, got[table], want[table])
			}
		}
		r := report.New(db)
		for _, c := range agentHourQueries {
			if got := exportCSV(t, r, "agents", c.p, c.query, 2); got != fresh[c.query] {
				t.Errorf("Agentes %q after migration 0023:\n%s\nfresh store:\n%s", c.query, got, fresh[c.query])
			}
		}
	})
}

// TestOnlyAConversionPrintsMigrationProgress: progress lines are for
// converting a store that exists; creating a store, or opening a current
// one, prints nothing.
func TestOnlyAConversionPrintsMigrationProgress(t *testing.T) {
	ctx := context.Background()
	var progress bytes.Buffer
	db, err := store.OpenWith(ctx, filepath.Join(t.TempDir(), "new.db"), store.Options{Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if progress.Len() != 0 {
		t.Errorf("creating a store printed:\n%s", progress.String())
	}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		var progress bytes.Buffer
		db, err := store.OpenWith(ctx, s.DSN, store.Options{Progress: &progress})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if progress.Len() != 0 {
			t.Errorf("reopening a current store printed:\n%s", progress.String())
		}
	})
}

// revertAndReopen sets the store back to the schema of an earlier release
// by running statements on a connection of its own, then opens it again as
// this release does: the migrations convert it, and their progress lines
// are returned. The reopened store is closed when the test ends.
func revertAndReopen(t *testing.T, s storetest.Store, statements ...string) (*store.DB, string) {
	t.Helper()
	ctx := context.Background()
	w := openWritable(t, s)
	for _, q := range statements {
		if _, err := w.ExecContext(ctx, q); err != nil {
			w.Close()
			t.Fatalf("%s: %v", q, err)
		}
	}
	w.Close()
	var progress bytes.Buffer
	db, err := store.OpenWith(ctx, s.DSN, store.Options{Progress: &progress})
	if err != nil {
		t.Fatalf("open the reverted store again: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, progress.String()
}

// openWritable opens a connection of its own to the test's store, beside
// any the store holds (SQLite waits for its writer).
func openWritable(t *testing.T, s storetest.Store) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite3", "file:"+s.DSN+"?_busy_timeout=30000"
	if s.Name == "postgres" {
		driver = "pgx"
		dsn = s.DSN
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
