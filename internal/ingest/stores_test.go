package ingest_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// TestSQLiteAndPostgresExportTheSameBytes loads the same demo month into
// both stores and compares every media's Rastreio CSV byte for byte.
func TestSQLiteAndPostgresExportTheSameBytes(t *testing.T) {
	evs := demoEvents(t, 600)
	ctx := context.Background()
	lite, err := store.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, err := store.Open(ctx, storetest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	ingestAll(t, lite, "demo", evs, 5000)
	ingestAll(t, pg, "demo", evs, 5000)
	a, b := snapshot(t, lite, "demo"), snapshot(t, pg, "demo")
	if bytes.Count(a, []byte("\n")) < 500 {
		t.Fatalf("only %d CSV lines", bytes.Count(a, []byte("\n")))
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("SQLite and PostgreSQL exports differ:\n%s", firstDiff(a, b))
	}
}
