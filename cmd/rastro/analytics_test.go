package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rastro/rastro/internal/analytics"
	"github.com/rastro/rastro/internal/analytics/analyticstest"
)

// legRows counts the leg rows of an engine database.
func legRows(t *testing.T, url string) uint64 {
	t.Helper()
	ch, err := analytics.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	var n uint64
	if err := ch.LegRows(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAnalyticsSyncBackfillFillsANewEngineDatabase: the procedure for
// adding a shard. A store synced once into one engine database; a second,
// new database (the enlarged cluster) gets nothing from a plain sync (the
// store's outbox is empty) and every leg from `analytics sync --backfill`.
func TestAnalyticsSyncBackfillFillsANewEngineDatabase(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "rastro.db")
	if _, stderr, code := runRastro(t, "", "demo", "--db", dsn, "--legs", "60", "--days", "2"); code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, stderr)
	}
	old, enlarged := analyticstest.URL(t), analyticstest.URL(t)
	if _, stderr, code := runRastro(t, "", "analytics", "sync", "--db", dsn, "--analytics", old); code != 0 {
		t.Fatalf("sync: exit %d\n%s", code, stderr)
	}
	want := legRows(t, old)
	if want == 0 {
		t.Fatal("the first sync shipped no leg")
	}
	if _, stderr, code := runRastro(t, "", "analytics", "sync", "--db", dsn, "--analytics", enlarged); code != 0 {
		t.Fatalf("sync into the new database: exit %d\n%s", code, stderr)
	}
	if n := legRows(t, enlarged); n != 0 {
		t.Fatalf("a plain sync into a new database shipped %d legs: the test does not test --backfill", n)
	}
	out, stderr, code := runRastro(t, "", "analytics", "sync", "--db", dsn, "--analytics", enlarged, "--backfill")
	if code != 0 {
		t.Fatalf("sync --backfill: exit %d\n%s", code, stderr)
	}
	if n := legRows(t, enlarged); n != want {
		t.Fatalf("after sync --backfill the new database holds %d leg rows, the first %d\n%s", n, want, out)
	}
}
