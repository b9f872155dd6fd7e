package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/storetest"
)

// TestBatchesSharingATransactionStayAtomicOneByOne stores four batches in
// one shared transaction (group commit): an unlimited one that queues a new
// leg into svc-sac, a svc-sac supervisor's that delivers that leg (in scope
// only because of the first batch), the same supervisor's that queues a leg
// into svc-cob (refused: it stores nothing), and an unlimited one after it.
// The refusal must not touch the others, and the reports must equal those
// of the accepted batches stored one at a time.
func TestBatchesSharingATransactionStayAtomicOneByOne(t *testing.T) {
	place := []string{
		ev("interaction.created", `"interaction":"i-grp","media":"whatsapp"`),
		ev("leg.queued", `"interaction":"i-grp","leg":"l1","service_id":"svc-sac"`),
	}
	deliver := []string{
		ev("leg.delivered", `"interaction":"i-grp","leg":"l1","agent_id":"ag-1"`),
		ev("leg.finished", `"interaction":"i-grp","leg":"l1","status":"service completed"`),
	}
	refused := []string{
		ev("interaction.created", `"interaction":"i-grp-cob","media":"whatsapp"`),
		ev("leg.queued", `"interaction":"i-grp-cob","leg":"l1","service_id":"svc-cob"`),
	}
	after := []string{
		ev("interaction.created", `"interaction":"i-grp-2","media":"chat"`),
		ev("leg.queued", `"interaction":"i-grp-2","leg":"l1","service_id":"svc-cob"`),
		ev("leg.finished", `"interaction":"i-grp-2","leg":"l1","status":"service completed"`),
	}
	body := func(lines []string) []byte { return []byte(strings.Join(lines, "\n")) }
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		in := tenantIngester(t, s.DB, scopeTenant)
		if _, err := in.IngestBody(ctx, scopeTenant, body(scopeWorld)); err != nil {
			t.Fatalf("store the world: %v", err)
		}
		before := eventIDs(t, s.DB)
		res, errs := in.StoreTogether(ctx, scopeTenant,
			[]model.Principal{unlimited, sacSupervisor, sacSupervisor, unlimited},
			[][]byte{body(place), body(deliver), body(refused), body(after)})
		for i, n := range []int{len(place), len(deliver), 0, len(after)} {
			if i == 2 {
				var se *ingest.ScopeError
				if !errors.As(errs[i], &se) {
					t.Fatalf("batch %d: want a scope refusal, got %v (%+v)", i, errs[i], res[i])
				}
				continue
			}
			if errs[i] != nil || res[i].Accepted != n || res[i].Duplicates != 0 {
				t.Fatalf("batch %d: %+v %v, want %d accepted", i, res[i], errs[i], n)
			}
		}
		if got, want := len(eventIDs(t, s.DB)), len(before)+len(place)+len(deliver)+len(after); got != want {
			t.Fatalf("%d events stored, want %d (the refused batch stores nothing)", got, want)
		}
		grouped := snapshot(t, s.DB, scopeTenant)

		// The same accepted batches, one transaction each, in a tenant of
		// their own.
		const alone = "bpo-alone"
		if err := s.DB.EnsureTenant(ctx, alone); err != nil {
			t.Fatal(err)
		}
		for _, lines := range [][]string{scopeWorld, place, deliver, after} {
			if _, err := in.IngestBody(ctx, alone, body(lines)); err != nil {
				t.Fatal(err)
			}
		}
		if want := snapshot(t, s.DB, alone); !bytes.Equal(grouped, want) {
			t.Fatalf("grouped batches give different report rows:\n%s", firstDiff(want, grouped))
		}
	})
}

// TestConcurrentBatchesOfOneIngesterAreEachAnsweredOnce: eight clients
// send a demo month in 300-event batches at once through one Ingester
// (on SQLite its group commit joins whatever arrives together); every event is
// counted once, as accepted or as the duplicate of a batch sent twice, and
// the reports equal those of the same events stored one batch at a time.
func TestConcurrentBatchesOfOneIngesterAreEachAnsweredOnce(t *testing.T) {
	evs := demoEvents(t, 200)
	var bodies [][]byte
	for i := 0; i < len(evs); i += 300 {
		var b []byte
		for _, e := range evs[i:min(i+300, len(evs))] {
			j, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			b = append(append(b, j...), '\n')
		}
		bodies = append(bodies, b)
	}
	// Every batch is sent twice, by two different clients.
	sends := append(append([][]byte(nil), bodies...), bodies...)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		ingestAll(t, s.DB, "one-by-one", evs, 300)
		want := snapshot(t, s.DB, "one-by-one")
		in := tenantIngester(t, s.DB, "together")
		var mu sync.Mutex
		var total ingest.Result
		var wg sync.WaitGroup
		errs := make(chan error, len(sends))
		for c := 0; c < 8; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				for i := c; i < len(sends); i += 8 {
					res, err := in.IngestBody(ctx, "together", sends[i])
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					total.Accepted += res.Accepted
					total.Duplicates += res.Duplicates
					mu.Unlock()
				}
			}(c)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if total.Accepted != len(evs) || total.Duplicates != len(evs) {
			t.Fatalf("%+v, want %d accepted and %d duplicates", total, len(evs), len(evs))
		}
		if got := snapshot(t, s.DB, "together"); !bytes.Equal(got, want) {
			t.Fatalf("concurrent batches give different report rows:\n%s", firstDiff(want, got))
		}
	})
}
