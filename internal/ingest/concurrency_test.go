package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// manyEvents makes n events spread over interactions of 10 events each.
func manyEvents(n int) []model.Event {
	base := time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)
	evs := make([]model.Event, 0, n)
	for i := 0; i < n; i++ {
		ix := fmt.Sprintf("ix-%d", i/10)
		e := model.Event{ID: fmt.Sprintf("ev-%d", i), At: base.Add(time.Duration(i) * time.Second), Interaction: ix}
		switch i % 10 {
		case 0:
			e.Type, e.Media = model.TypeInteractionCreated, "chat"
		case 1:
			e.Type, e.Leg, e.ServiceID = model.TypeLegQueued, ix+"-1", "svc"
		case 2:
			e.Type, e.Leg, e.AgentID = model.TypeLegDelivered, ix+"-1", fmt.Sprintf("ag-%d", i%7)
		case 9:
			e.Type, e.Leg, e.Status = model.TypeLegFinished, ix+"-1", "service completed"
		default:
			e.Type, e.MessageID, e.Sender, e.Text = model.TypeMessage, e.ID, []string{"client", "agent"}[i%2], "oi"
			if e.Sender == "agent" {
				e.AgentID = fmt.Sprintf("ag-%d", i%7)
			}
		}
		evs = append(evs, e)
	}
	return evs
}

// TestConcurrentIngestersStoreEachEventOnce: two ingesters send the same
// 100,000 events in different orders, overlapping in time; every event is
// stored exactly once and the derived rows are complete.
func TestConcurrentIngestersStoreEachEventOnce(t *testing.T) {
	n := benchN()
	evs := manyEvents(n)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		if err := s.DB.EnsureTenant(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		// The second ingester is a separate connection pool, as a second
		// rastro server would be.
		db2, err := store.Open(ctx, s.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		orders := [][]model.Event{append([]model.Event(nil), evs...), append([]model.Event(nil), evs...)}
		rand.New(rand.NewSource(3)).Shuffle(n, func(i, j int) { orders[1][i], orders[1][j] = orders[1][j], orders[1][i] })
		var wg sync.WaitGroup
		results := make([]ingest.Result, 2)
		errs := make([]error, 2)
		for w, db := range []*store.DB{s.DB, db2} {
			wg.Add(1)
			go func(w int, db *store.DB) {
				defer wg.Done()
				in := ingest.New(db)
				for i := 0; i < n; i += 2000 {
					batch := orders[w][i : i+2000]
					raw := make([][]byte, len(batch))
					for k := range batch {
						raw[k], _ = json.Marshal(batch[k])
					}
					res, err := in.Store(ctx, "acme", append([]model.Event(nil), batch...), raw)
					if err != nil {
						errs[w] = err
						return
					}
					results[w].Accepted += res.Accepted
					results[w].Duplicates += res.Duplicates
				}
			}(w, db)
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := results[0].Accepted + results[1].Accepted; got != n {
			t.Fatalf("accepted %d + %d = %d, want exactly %d", results[0].Accepted, results[1].Accepted, got, n)
		}
		if got := results[0].Duplicates + results[1].Duplicates; got != n {
			t.Fatalf("duplicates %d, want %d", got, n)
		}
		count, err := s.DB.EventCount(ctx, "acme")
		if err != nil || count != int64(n) {
			t.Fatalf("stored %d events (%v), want %d", count, err, n)
		}
		legs, err := s.DB.CountLegs(ctx, model.Principal{Tenant: "acme"}, store.LegFilter{Media: "chat"})
		if err != nil || legs != int64(n/10) {
			t.Fatalf("derived %d legs (%v), want %d", legs, err, n/10)
		}
	})
}

func benchN() int {
	if testing.Short() {
		return 10_000
	}
	return 100_000
}
