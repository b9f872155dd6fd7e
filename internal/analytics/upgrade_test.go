package analytics_test

import (
	"bytes"
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/rastro/rastro/internal/analytics"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// TestNewTablesAreBackfilled: an engine synced when it held only the legs
// (migration 1) gains the IVR visits, agent spans, bot conversations,
// agent day rollup, IVR rollup and Fluxo Ágil row tables and the legs' call_quality column when it is
// migrated again; the shipper then queues a
// re-backfill of every tenant by itself, and the IVR, Agentes and Fluxo Ágil reports
// and the Rastreio's call_quality filter answer the store's bytes.
func TestNewTablesAreBackfilled(t *testing.T) {
	evs := demoEvents(t, 150)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		if err := f.db.EnsureTenant(ctx, "other"); err != nil {
			t.Fatal(err)
		}
		ingestAll(t, f.db, "acme", evs)
		f.sync(t)
		// Back to the state of an engine of step 1: legs only.
		cfg := f.ch.Config()
		for _, h := range cfg.Hosts {
			conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{h}, DialTimeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{"ivr_visits", "ivr_visits_local", "agent_spans", "agent_spans_local",
				"bot_conversations", "bot_conversations_local", "agent_days", "agent_days_local", "ivr_rollups", "ivr_rollups_local",
				"bot_rows", "bot_rows_local", "rastro_migrations"} {
				if err := conn.Exec(ctx, `DROP TABLE IF EXISTS `+cfg.Database+`.`+q); err != nil {
					t.Fatal(err)
				}
			}
			for _, q := range []string{"legs", "legs_local"} {
				if err := conn.Exec(ctx, `ALTER TABLE `+cfg.Database+`.`+q+` DROP COLUMN call_quality`); err != nil {
					t.Fatal(err)
				}
			}
			if err := conn.Exec(ctx, `CREATE TABLE `+cfg.Database+`.rastro_migrations (version UInt32, name String, applied_at DateTime) ENGINE = TinyLog`); err != nil {
				t.Fatal(err)
			}
			b, err := conn.PrepareBatch(ctx, `INSERT INTO `+cfg.Database+`.rastro_migrations (version, name, applied_at)`)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Append(uint32(1), "legs", time.Now().UTC()); err != nil {
				t.Fatal(err)
			}
			if err := b.Send(); err != nil {
				t.Fatal(err)
			}
			conn.Close()
		}
		if err := f.ch.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if a, b := ivrReceived(t, f, "acme"); a == 0 || b != 0 {
			t.Fatalf("before the re-backfill: store %d IVR visits, ClickHouse %d (want some, none)", a, b)
		}
		alta := store.LegFilter{Media: "voice", CallQuality: []string{"alta"}}
		if a, b := countFilter(t, f, "acme", alta); a == 0 || b != 0 {
			t.Fatalf("before the re-backfill: store %d call_quality=alta legs, ClickHouse %d (want some, none)", a, b)
		}
		if got, err := f.rastreo.BotRows(ctx, admin("acme"), store.BotFilter{}, false, nil, 10); err != nil || len(got.Rows) != 0 {
			t.Fatalf("before the re-backfill: ClickHouse answers %d Fluxo rows, %v (want none)", len(got.Rows), err)
		}
		if got, err := f.rastreo.AgentFigures(ctx, admin("acme"), store.AgentFilter{}); err != nil || len(got.Legs) != 0 {
			t.Fatalf("before the re-backfill: ClickHouse answers %d Agentes rows with legs, %v (want none)", len(got.Legs), err)
		}
		n, err := f.ship.Drain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Fatalf("shipped %d outbox entries after the engine gained tables, want 2 (a re-backfill of each tenant)", n)
		}
		compareIVR(t, f, "acme")
		compareAgents(t, f, "acme")
		checkBotRowsEqual(t, f, "acme")
		compareFluxo(t, f, "acme", "2026-10-05", "2026-10-20")
		if a, b := countFilter(t, f, "acme", alta); a == 0 || a != b {
			t.Fatalf("after the re-backfill: store %d call_quality=alta legs, ClickHouse %d", a, b)
		}
		p := admin("acme")
		for _, cq := range []string{"alta", "media", "baixa"} {
			v := url.Values{"media": {"voice"}, "call_quality": {cq}}
			if a, b := render(t, f.plain, p, v), render(t, f.fromCH, p, v); !bytes.Equal(a, b) {
				t.Fatalf("%s after the re-backfill: %s", v.Encode(), firstDiff(a, b))
			}
		}
	})
}

// countFilter counts the legs of a filter in the store and in the engine.
func countFilter(t *testing.T, f *fixture, tenant string, fl store.LegFilter) (int64, int64) {
	t.Helper()
	a, err := f.db.CountLegs(context.Background(), admin(tenant), fl)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.rastreo.CountLegs(context.Background(), admin(tenant), fl)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

// TestReportsFallBackToTheStore: with the engine unreachable (never
// migrated: it was down when rastro started), the IVR, Agentes and Fluxo
// Ágil reports answer the store's bytes.
func TestReportsFallBackToTheStore(t *testing.T) {
	evs := demoEvents(t, 100)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ingestAll(t, s.DB, "acme", evs)
		down, err := analytics.New("clickhouse://127.0.0.1:1/rastro")
		if err != nil {
			t.Fatal(err)
		}
		defer down.Close()
		plain := report.New(s.DB)
		fromCH := &report.Reports{DB: s.DB, Analytics: &analytics.Rastreio{CH: down, DB: s.DB}}
		p := admin("acme")
		r := &analytics.Rastreio{CH: down, DB: s.DB}
		if _, err := r.IVRGroups(context.Background(), p, store.IVRFilter{}, store.ByIVR); !analytics.Unreachable(err) {
			t.Fatalf("IVR from an engine that is down: %v (want an unreachable error)", err)
		}
		if _, err := r.AgentFigures(context.Background(), p, store.AgentFilter{}); !analytics.Unreachable(err) {
			t.Fatalf("Agentes from an engine that is down: %v (want an unreachable error)", err)
		}
		for _, v := range []url.Values{{"group_by": {"service"}}, {"group_by": {"hour"}, "from": {"2026-10-07"}, "to": {"2026-10-07"}}} {
			if a, b := renderIVR(t, plain, p, v), renderIVR(t, fromCH, p, v); !bytes.Equal(a, b) {
				t.Fatalf("IVR %s with the engine down: %s", v.Encode(), firstDiff(a, b))
			}
		}
		for _, v := range []url.Values{{}, {"media": {"voice"}, "hour_from": {"09:00"}}} {
			if a, b := renderAgents(t, plain, p, v), renderAgents(t, fromCH, p, v); !bytes.Equal(a, b) {
				t.Fatalf("Agentes %s with the engine down: %s", v.Encode(), firstDiff(a, b))
			}
		}
		if _, err := r.BotRows(context.Background(), p, store.BotFilter{}, false, nil, 10); !analytics.Unreachable(err) {
			t.Fatalf("Fluxo Ágil from an engine that is down: %v (want an unreachable error)", err)
		}
		for _, v := range []url.Values{{}, {"reached_human": {"true"}, "sort": {"name"}}} {
			if a, b := renderFluxo(t, plain, p, v), renderFluxo(t, fromCH, p, v); !bytes.Equal(a, b) {
				t.Fatalf("Fluxo %s with the engine down: %s", v.Encode(), firstDiff(a, b))
			}
		}
	})
}
