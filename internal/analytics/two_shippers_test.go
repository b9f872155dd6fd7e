package analytics_test

import (
	"bytes"
	"context"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/analytics"
	"github.com/rastro/rastro/internal/analytics/analyticstest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// TestTwoServersShippingFromOnePostgresCountEveryLegOnce: two `rastro
// serve` on one PostgreSQL each run a shipper (own engine connections, same
// outbox) while events keep coming; once both have drained, ClickHouse
// holds every leg once: the counts, pages and exports are the store's.
func TestTwoServersShippingFromOnePostgresCountEveryLegOnce(t *testing.T) {
	evs := demoEvents(t, 300)
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rawURL := analyticstest.URL(t)
	engines := make([]*analytics.Engine, 2)
	for i := range engines {
		e, err := analytics.Open(ctx, rawURL)
		if err != nil {
			t.Fatalf("engine %d: %v", i, err)
		}
		t.Cleanup(func() { e.Close() })
		engines[i] = e
	}
	if err := db.EnsureTenant(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EnableAnalytics(ctx, "clickhouse"); err != nil {
		t.Fatal(err)
	}
	shipCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	shippers := make([]*analytics.Shipper, 2)
	for i, e := range engines {
		shippers[i] = &analytics.Shipper{DB: db, CH: e, Batch: 40, Chunk: 150}
		wg.Add(1)
		go func(sh *analytics.Shipper) {
			defer wg.Done()
			sh.Run(shipCtx, 5*time.Millisecond)
		}(shippers[i])
	}
	// Events arrive in batches while both shippers run.
	for i := 0; i < len(evs); i += 700 {
		ingestAll(t, db, "acme", evs[i:min(i+700, len(evs))])
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		n, _, err := db.OutboxStats(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the two shippers leave %d outbox entries", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	wg.Wait()
	f := &fixture{db: db, ch: engines[0], rastreo: &analytics.Rastreio{CH: engines[1], DB: db}, plain: report.New(db)}
	f.fromCH = &report.Reports{DB: db, Analytics: f.rastreo}
	for _, m := range model.DefaultMedia {
		a, b := countCH(t, f, "acme", m.ID)
		if a != b {
			t.Errorf("%s: store counts %d legs, ClickHouse %d", m.ID, a, b)
		}
		v := url.Values{"media": {m.ID}}
		if x, y := render(t, f.plain, admin("acme"), v), render(t, f.fromCH, admin("acme"), v); !bytes.Equal(x, y) {
			t.Errorf("%s: store and ClickHouse differ after two shippers: %s", m.ID, firstDiff(x, y))
		}
	}
}
