package ingest_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rastro/rastro/internal/store"
)

// BenchmarkIngestDemoMonth loads a demo month in generator order, in
// batches of 5,000 events, into a fresh SQLite store.
func BenchmarkIngestDemoMonth(b *testing.B) {
	evs := demoEvents(b, 3000)
	for i := 0; i < b.N; i++ {
		db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "r.db"))
		if err != nil {
			b.Fatal(err)
		}
		ingestAll(b, db, "demo", evs, 5000)
		db.Close()
	}
	b.ReportMetric(float64(len(evs)*b.N)/b.Elapsed().Seconds(), "events/s")
}
