package analytics_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// TestLateLegMovedToAnotherDayLeavesTheEngineAgentDaysAsTheStores: the
// engine's Agentes report reads the store's day rollups shipped per agent
// day (agent_days). A late interaction.entered_omni, 40 days before its
// leg's first derived DATA/HORA, moves an already shipped leg that was
// alone in its (agent, day, media, service) rollup key to another day:
// the store deletes that key, so the engine must hold a tombstone for it
// and the new day's rows, no row counted twice — its live rows equal the
// store's, and every Agentes query (a principal limited to one service
// included) answers the same bytes. A rebuild then re-backfills: the same
// again.
func TestLateLegMovedToAnotherDayLeavesTheEngineAgentDaysAsTheStores(t *testing.T) {
	evs := demoEvents(t, 300)
	// The interaction.entered_omni of the first 40 interactions that have one: the
	// late candidates.
	withheld, first := withholdFirst(evs, model.TypeEnteredOmni, 40)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		if err := f.db.EnsureTenant(ctx, "other"); err != nil {
			t.Fatal(err)
		}
		ingestAll(t, f.db, "acme", first)
		f.sync(t)
		sameAgentDays(t, f, "acme")

		late, key := aloneInItsDayKey(t, f.db, withheld)
		late.At = late.At.Add(-40 * 24 * time.Hour)
		ingestAll(t, f.db, "acme", []model.Event{late})
		if hasDayKey(t, f.db, key) {
			t.Fatalf("the late event left the leg of %s in %v: the test does not empty a rollup key", late.Interaction, key)
		}
		if _, err := f.ship.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		sameAgentDays(t, f, "acme")
		compareAgents(t, f, "acme")
		sameScopedFigures(t, f, "acme")

		if err := ingest.New(f.db).Rebuild(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.ship.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		sameAgentDays(t, f, "acme")
		compareAgents(t, f, "acme")
		sameScopedFigures(t, f, "acme")
	})
}

// dayKey is a key of agent_day_rollup: agent, local day, media, service.
type dayKey struct{ agent, day, media, service string }

// aloneInItsDayKey picks a withheld event whose interaction has one leg,
// alone in its day rollup key.
func aloneInItsDayKey(t *testing.T, db *store.DB, withheld map[string]model.Event) (model.Event, dayKey) {
	t.Helper()
	n := map[dayKey]int{}
	perInteraction := map[string][]dayKey{}
	if err := db.EachAnalyticsLeg(context.Background(), "acme", 1000, func(ls []store.AnalyticsLeg) error {
		for _, l := range ls {
			if l.AgentID == "" {
				continue
			}
			k := dayKey{l.AgentID, l.Bucket[:10], l.Media, l.ServiceID}
			n[k]++
			perInteraction[l.InteractionID] = append(perInteraction[l.InteractionID], k)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(withheld))
	for id := range withheld {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if ks := perInteraction[id]; len(ks) == 1 && n[ks[0]] == 1 {
			return withheld[id], ks[0]
		}
	}
	t.Fatalf("none of %d interactions has a leg alone in its agent day key: the test would test nothing", len(ids))
	return model.Event{}, dayKey{}
}

// hasDayKey says whether the store holds the agent_day_rollup row of k.
func hasDayKey(t *testing.T, db *store.DB, k dayKey) bool {
	t.Helper()
	rows, err := db.AnalyticsAgentDay(context.Background(), "acme", k.agent, k.day)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Rollup == store.RollupDayLegs && r.Media == k.media && r.ServiceID == k.service {
			return true
		}
	}
	return false
}

// sameAgentDays checks that the engine holds exactly the store's day
// rollup rows (no stale key, no missing one, the same figures).
func sameAgentDays(t *testing.T, f *fixture, tenant string) {
	t.Helper()
	ctx := context.Background()
	want := map[string]string{}
	if err := f.db.EachAnalyticsAgentDayRows(ctx, tenant, func(rows []store.AnalyticsAgentDayRow) error {
		for _, r := range rows {
			want[agentDayRowKey(r)] = fmt.Sprintf("%+v", r)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	live, err := f.ch.LiveAgentDayRows(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range live {
		k := agentDayRowKey(r)
		if _, dup := got[k]; dup {
			t.Fatalf("the engine holds two live rows of %s", k)
		}
		got[k] = fmt.Sprintf("%+v", r)
	}
	if len(want) == 0 {
		t.Fatal("the store holds no day rollup row: the test would test nothing")
	}
	for k, w := range want {
		if got[k] != w {
			t.Fatalf("day rollup row %s: store %s, engine %q", k, w, got[k])
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Fatalf("the engine holds day rollup row %s the store does not: %s", k, g)
		}
	}
}

func agentDayRowKey(r store.AnalyticsAgentDayRow) string {
	return fmt.Sprintf("%q", []string{r.AgentID, r.Day, r.Hour, r.Rollup, r.Media, r.ServiceID, r.TagID, r.Kind, r.Scope, r.Reason})
}

// sameScopedFigures compares the Agentes figures of a principal limited to
// one service, and of an admin filtering that service, store and engine.
func sameScopedFigures(t *testing.T, f *fixture, tenant string) {
	t.Helper()
	ctx := context.Background()
	svcs, err := f.db.Services(ctx, admin(tenant))
	if err != nil || len(svcs) < 2 {
		t.Fatalf("services: %v %v (want two: one in scope, one out)", svcs, err)
	}
	scoped := model.Principal{Tenant: tenant, Role: model.RoleAnalyst, Services: []string{svcs[0].ID}}
	for _, c := range []struct {
		p model.Principal
		f store.AgentFilter
	}{
		{scoped, store.AgentFilter{}},
		{scoped, store.AgentFilter{Media: []string{"voice"}}},
		{admin(tenant), store.AgentFilter{Services: []string{svcs[0].ID}}},
	} {
		a, err := f.db.AgentFigures(ctx, c.p, c.f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.rastreo.AgentFigures(ctx, c.p, c.f)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Legs) == 0 {
			t.Fatalf("%+v %+v: no agent in scope: the test would test nothing", c.p, c.f)
		}
		if !sameLegs(a.Legs, b.Legs) || !reflect.DeepEqual(a.Tags, b.Tags) || !sameTimes(a.Times, b.Times) {
			t.Fatalf("Agentes figures as %+v, filter %+v:\nstore  %+v\nengine %+v", c.p, c.f, a, b)
		}
		all, err := f.db.AgentFigures(ctx, admin(tenant), store.AgentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Legs) <= len(a.Legs) && reflect.DeepEqual(all.Legs, a.Legs) {
			t.Fatalf("%+v %+v: the scope hides nothing: the test does not test scope", c.p, c.f)
		}
	}
}

// Float sums are compared to a billionth: the stores themselves differ in
// their last bits (SQLite's SUM compensates rounding, PostgreSQL's does
// not; measured on the demo month: logged-in seconds 18884.387 on SQLite,
// 18884.387000000002 on PostgreSQL), which no printed figure shows. Counts
// are compared exactly.
func near(x, y float64) bool { return math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(x)) }

func sameLegs(a, b []store.AgentLegs) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Key != y.Key || x.Completed != y.Completed || x.Transferred != y.Transferred || x.Other != y.Other ||
			x.DurN != y.DurN || x.TM1RN != y.TM1RN || x.TMRN != y.TMRN || x.TMPN != y.TMPN || x.TMIN != y.TMIN ||
			!near(x.DurSum, y.DurSum) || !near(x.TM1RSum, y.TM1RSum) || !near(x.TMRSum, y.TMRSum) || !near(x.TMPSum, y.TMPSum) || !near(x.TMISum, y.TMISum) {
			return false
		}
	}
	return true
}

func sameTimes(a, b []store.AgentTime) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.AgentID != y.AgentID || x.Kind != y.Kind || x.Reason != y.Reason || !near(x.Seconds, y.Seconds) {
			return false
		}
	}
	return true
}

// TestEngineFilledBeforeTheHourTotalsIsReBackfilled: an engine filled
// before ClickHouse migration 10 holds no hour_total / hour_tag_total rows
// (the store's agent_hour_total, read with an hour filter when nothing
// limits media or services). Migrating it queues a re-backfill: until it
// ships, the engine's hour-filtered Agentes report has no legs; after, every
// Agentes query answers the store's bytes.
func TestEngineFilledBeforeTheHourTotalsIsReBackfilled(t *testing.T) {
	evs := demoEvents(t, 150)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		if err := f.db.EnsureTenant(ctx, "other"); err != nil {
			t.Fatal(err)
		}
		ingestAll(t, f.db, "acme", evs)
		f.sync(t)
		hours := store.AgentFilter{HourFrom: "08", HourTo: "12"}
		if got, err := f.rastreo.AgentFigures(ctx, admin("acme"), hours); err != nil || len(got.Legs) == 0 {
			t.Fatalf("synced engine: %d agents with legs from 08 to 12, %v: the test would test nothing", len(got.Legs), err)
		}
		// Back to an engine before migration 10: no hour totals, 10 not applied.
		cfg := f.ch.Config()
		table := "agent_days"
		if cfg.Cluster != "" {
			table = "agent_days_local"
		}
		for _, h := range cfg.Hosts {
			conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{h}, DialTimeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{
				`ALTER TABLE ` + cfg.Database + `.` + table + ` DELETE WHERE rollup IN ('hour_total', 'hour_tag_total')`,
				`DROP TABLE ` + cfg.Database + `.rastro_migrations`,
				`CREATE TABLE ` + cfg.Database + `.rastro_migrations (version UInt32, name String, applied_at DateTime) ENGINE = TinyLog`,
			} {
				if err := conn.Exec(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			b, err := conn.PrepareBatch(ctx, `INSERT INTO `+cfg.Database+`.rastro_migrations (version, name, applied_at)`)
			if err != nil {
				t.Fatal(err)
			}
			for v := 1; v < 10; v++ {
				if err := b.Append(uint32(v), fmt.Sprintf("migration %d", v), time.Now().UTC()); err != nil {
					t.Fatal(err)
				}
			}
			if err := b.Send(); err != nil {
				t.Fatal(err)
			}
			// The delete is a mutation: wait until no such row is left.
			for deadline := time.Now().Add(2 * time.Minute); ; {
				var n uint64
				if err := conn.QueryRow(ctx, `SELECT count() FROM `+cfg.Database+`.`+table+` WHERE rollup IN ('hour_total', 'hour_tag_total')`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s still holds %d hour total rows after 2 minutes", h, n)
				}
				time.Sleep(200 * time.Millisecond)
			}
			conn.Close()
		}
		if err := f.ch.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got, err := f.rastreo.AgentFigures(ctx, admin("acme"), hours); err != nil || len(got.Legs) != 0 {
			t.Fatalf("before the re-backfill: ClickHouse answers %d agents with legs from 08 to 12, %v (want none)", len(got.Legs), err)
		}
		if n, err := f.ship.Drain(ctx); err != nil || n == 0 {
			t.Fatalf("shipped %d outbox entries after migration 10, %v (want the tenant's re-backfill)", n, err)
		}
		compareAgents(t, f, "acme")
	})
}

// withholdFirst takes out of evs the first event of type typ of each of
// the first n interactions that have one: events that arrive late.
func withholdFirst(evs []model.Event, typ string, n int) (withheld map[string]model.Event, rest []model.Event) {
	withheld = map[string]model.Event{}
	for _, e := range evs {
		if e.Type == typ && len(withheld) < n {
			if _, ok := withheld[e.Interaction]; !ok {
				withheld[e.Interaction] = e
				continue
			}
		}
		rest = append(rest, e)
	}
	return withheld, rest
}
