package analytics_test

import (
	"context"
	"testing"

	"github.com/rastro/rastro/internal/storetest"
)

// TestSettledPartitionsAnswerWithoutFinalAsWithIt: once the settler merged
// every partition, reads skip FINAL and every Rastreio, IVR and Agentes
// query still answers the store's bytes; late events then re-derive legs
// already shipped (a second part in their partitions): reads take FINAL
// again and answer the same; a read during which a shipment lands runs
// again with FINAL; settled again, the reports still match.
func TestSettledPartitionsAnswerWithoutFinalAsWithIt(t *testing.T) {
	evs := demoEvents(t, 300)
	cut1, cut2 := len(evs)*6/10, len(evs)*8/10
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		if err := f.db.EnsureTenant(ctx, "other"); err != nil {
			t.Fatal(err)
		}
		ingestAll(t, f.db, "acme", evs[:cut1])
		f.sync(t)
		settleAll(t, f)
		compareAll(t, f, "acme")
		compareIVR(t, f, "acme")
		compareAgents(t, f, "acme")

		ingestAll(t, f.db, "acme", evs[cut1:cut2])
		if _, err := f.ship.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if final, err := f.ch.LegReadsFinal(ctx); err != nil || !final {
			t.Fatalf("after shipping re-derived legs, reads skip FINAL (%v): the test does not test unsettled partitions", err)
		}
		// Legs FINAL, agent spans maybe not: a read mixing both.
		compareAgents(t, f, "acme")

		settleAll(t, f)
		var runs []bool
		err := f.ch.ReadLegs(ctx, func(final bool) error {
			runs = append(runs, final)
			if len(runs) == 1 {
				// A shipment lands while the read runs.
				ingestAll(t, f.db, "acme", evs[cut2:])
				if _, err := f.ship.Drain(ctx); err != nil {
					t.Fatal(err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || runs[0] || !runs[1] {
			t.Fatalf("reads (true: FINAL) %v, want [false true]: a read that saw parts change must run again with FINAL", runs)
		}
		settleAll(t, f)
		compareAll(t, f, "acme")
		compareIVR(t, f, "acme")
	})
}

// settleAll merges every partition and checks reads then skip FINAL.
func settleAll(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	n, err := f.ch.SettleAll(ctx, 30)
	if err != nil {
		t.Fatal(err)
	}
	if final, err := f.ch.LegReadsFinal(ctx); err != nil || final {
		t.Fatalf("after merging %d partitions reads still take FINAL (%v)", n, err)
	}
}
