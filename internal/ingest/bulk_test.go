package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/storetest"
)

// TestBulkAppendCountsDuplicatesAndRebuildsTheSameRows appends a demo
// month the way `rastro demo --bulk` does (PostgreSQL: through COPY), with
// a batch that repeats event ids of its own and of an earlier batch, and
// checks that every duplicate is counted, the first copy of an id is the
// one kept, and the rebuilt reports equal those of incremental ingestion.
func TestBulkAppendCountsDuplicatesAndRebuildsTheSameRows(t *testing.T) {
	ctx := context.Background()
	evs := demoEvents(t, 250)
	half := len(evs) / 2
	first := append([]model.Event(nil), evs[:half]...)
	// The second batch: the rest, then 10 ids of the first batch again
	// and 5 of its own again, each with a changed body that must lose.
	second := append([]model.Event(nil), evs[half:]...)
	for i := 0; i < 10; i++ {
		e := evs[i*7]
		e.At = e.At.Add(time.Minute)
		second = append(second, e)
	}
	for i := 0; i < 5; i++ {
		e := evs[half+i*3]
		e.At = e.At.Add(time.Minute)
		second = append(second, e)
	}
	encode := func(batch []model.Event) [][]byte {
		raw := make([][]byte, len(batch))
		for i := range batch {
			b, err := json.Marshal(batch[i])
			if err != nil {
				t.Fatal(err)
			}
			raw[i] = b
		}
		return raw
	}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ingestAll(t, s.DB, "incremental", evs, 900)
		want := snapshot(t, s.DB, "incremental")

		if err := s.DB.EnsureTenant(ctx, "bulk"); err != nil {
			t.Fatal(err)
		}
		in := ingest.New(s.DB)
		res, err := in.Append(ctx, "bulk", first, encode(first))
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != len(first) || res.Duplicates != 0 {
			t.Fatalf("first batch: %+v, want %d accepted and no duplicates", res, len(first))
		}
		res, err = in.Append(ctx, "bulk", second, encode(second))
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != len(evs)-half || res.Duplicates != 15 {
			t.Fatalf("second batch: %+v, want %d accepted and 15 duplicates", res, len(evs)-half)
		}
		if n, err := s.DB.EventCount(ctx, "bulk"); err != nil || n != int64(len(evs)) {
			t.Fatalf("%d events stored (%v), want %d", n, err, len(evs))
		}
		// Appending the same batch again stores nothing.
		res, err = in.Append(ctx, "bulk", second, encode(second))
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 0 || res.Duplicates != len(second) {
			t.Fatalf("repeated batch: %+v, want every one of %d a duplicate", res, len(second))
		}
		if err := in.Rebuild(ctx, "bulk"); err != nil {
			t.Fatal(err)
		}
		// The changed copies lost: the rows are those of the originals.
		if got := snapshot(t, s.DB, "bulk"); !bytes.Equal(got, want) {
			t.Fatalf("bulk append and rebuild give different report rows:\n%s", firstDiff(want, got))
		}
	})
}
