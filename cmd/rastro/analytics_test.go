package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
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

// TestAnalyticsSyncFillsANewEngineDatabase: the procedure for adding a
// shard, and an engine lost or replaced. A store synced once into one
// engine database; a second, new database (the enlarged cluster) gets
// every leg from a plain sync — created empty, it makes the store queue a
// re-backfill, so the reports never read an empty engine as complete —
// and `analytics sync --backfill` sends every leg again, at newer versions,
// counted once.
func TestAnalyticsSyncFillsANewEngineDatabase(t *testing.T) {
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
	out, stderr, code := runRastro(t, "", "analytics", "sync", "--db", dsn, "--analytics", enlarged)
	if code != 0 {
		t.Fatalf("sync into the new database: exit %d\n%s", code, stderr)
	}
	if n := legRows(t, enlarged); n != want {
		t.Fatalf("after a plain sync the new database holds %d leg rows, the first %d\n%s", n, want, out)
	}
	out, stderr, code = runRastro(t, "", "analytics", "sync", "--db", dsn, "--analytics", enlarged, "--backfill")
	if code != 0 {
		t.Fatalf("sync --backfill: exit %d\n%s", code, stderr)
	}
	// Every leg sent again; the sync then settles the partitions, so the
	// merge leaves one version of each.
	if !strings.Contains(out, fmt.Sprintf("tenant demo: %d legs,", want)) {
		t.Fatalf("sync --backfill did not send the %d legs again:\n%s", want, out)
	}
	if n := legRows(t, enlarged); n != want {
		t.Fatalf("after sync --backfill the database holds %d leg rows, the store %d\n%s", n, want, out)
	}
}
