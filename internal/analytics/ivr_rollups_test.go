package analytics_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// TestLateIVRLeftMovingAVisitLeavesTheEngineIVRRollupsAsTheStores: the
// engine's Relatório IVR reads the store's IVR rollups shipped per key
// (ivr_rollups). An ivr.left that arrives late, naming another service
// than the one the visit was derived with, moves an already shipped visit
// that was alone in its (hour, IVR, service, agent) key: the store deletes
// that key, so the engine must hold tombstones for its rows and the new
// key's rows, nothing counted twice — its live rows equal the store's, and
// every IVR query (principals limited to a service included) answers the
// same bytes and figures. A rebuild then re-backfills: the same again.
func TestLateIVRLeftMovingAVisitLeavesTheEngineIVRRollupsAsTheStores(t *testing.T) {
	evs := demoEvents(t, 300)
	// The ivr.left of the first 40 interactions that have one: the
	// late candidates.
	withheld, first := withholdFirst(evs, model.TypeIVRLeft, 40)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		if err := f.db.EnsureTenant(ctx, "other"); err != nil {
			t.Fatal(err)
		}
		ingestAll(t, f.db, "acme", first)
		f.sync(t)
		sameIVRRollups(t, f, "acme")

		late, key := aloneInItsIVRKey(t, f.db, withheld)
		svcs, err := f.db.Services(ctx, admin("acme"))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range svcs {
			if s.ID != key.ServiceID {
				late.ServiceID = s.ID
				break
			}
		}
		ingestAll(t, f.db, "acme", []model.Event{late})
		if rows, err := f.db.AnalyticsIVRRows(ctx, "acme", []store.IVRKey{key}); err != nil || len(rows) != 0 {
			t.Fatalf("the late ivr.left left %d rows in %+v (%v): the test does not empty a rollup key", len(rows), key, err)
		}
		if _, err := f.ship.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		sameIVRRollups(t, f, "acme")
		compareIVR(t, f, "acme")
		sameScopedIVRFigures(t, f, "acme")

		if err := ingest.New(f.db).Rebuild(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.ship.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		sameIVRRollups(t, f, "acme")
		compareIVR(t, f, "acme")
		sameScopedIVRFigures(t, f, "acme")
	})
}

// aloneInItsIVRKey picks a withheld ivr.left whose interaction has one IVR
// visit, alone in its rollup key.
func aloneInItsIVRKey(t *testing.T, db *store.DB, withheld map[string]model.Event) (model.Event, store.IVRKey) {
	t.Helper()
	n := map[store.IVRKey]int{}
	perInteraction := map[string][]store.IVRKey{}
	if err := db.EachAnalyticsIVRVisit(context.Background(), "acme", 1000, func(vs []store.AnalyticsIVRVisit) error {
		for _, v := range vs {
			k := store.IVRKey{Bucket: v.Bucket, IVRID: v.IVRID, ServiceID: v.ServiceID, AgentID: v.AgentID}
			n[k]++
			perInteraction[v.InteractionID] = append(perInteraction[v.InteractionID], k)
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
	t.Fatalf("none of %d interactions has an IVR visit alone in its rollup key: the test would test nothing", len(ids))
	return model.Event{}, store.IVRKey{}
}

// sameIVRRollups checks that the engine holds exactly the store's IVR
// rollup rows (no stale key, no missing one, the same figures).
func sameIVRRollups(t *testing.T, f *fixture, tenant string) {
	t.Helper()
	ctx := context.Background()
	key := func(r store.AnalyticsIVRRow) string {
		return fmt.Sprintf("%q", []string{r.Rollup, r.Key.Bucket, r.Key.IVRID, r.Key.ServiceID, r.Key.AgentID, r.Path})
	}
	want := map[string]store.AnalyticsIVRRow{}
	// Pages of 7 rows: the store's keyset pages are walked too (a row
	// skipped or repeated between pages shows as a difference).
	if err := f.db.EachAnalyticsIVRRows(ctx, tenant, 7, func(rows []store.AnalyticsIVRRow) error {
		for _, r := range rows {
			if _, dup := want[key(r)]; dup {
				t.Fatalf("the store streamed %s twice", key(r))
			}
			want[key(r)] = r
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	live, err := f.ch.LiveIVRRollupRows(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]store.AnalyticsIVRRow{}
	for _, r := range live {
		if _, dup := got[key(r)]; dup {
			t.Fatalf("the engine holds two live rows of %s", key(r))
		}
		got[key(r)] = r
	}
	var paths int
	for _, r := range want {
		if r.Rollup == store.RollupIVRPaths {
			paths++
		}
	}
	if paths == 0 || paths == len(want) {
		t.Fatalf("the store holds %d IVR rollup rows, %d of paths: the test would not test both rollups", len(want), paths)
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok || !sameIVRGroups([]store.IVRGroup{w.Sums}, []store.IVRGroup{g.Sums}) || w.N != g.N {
			t.Fatalf("IVR rollup row %s: store %+v, engine %+v (held: %v)", k, w, g, ok)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Fatalf("the engine holds IVR rollup row %s the store does not: %+v", k, g)
		}
	}
}

// sameScopedIVRFigures compares the Relatório IVR figures (every grouping,
// the top paths, the IVRs) of a principal limited to one service, and of
// an admin filtering that service, store and engine.
func sameScopedIVRFigures(t *testing.T, f *fixture, tenant string) {
	t.Helper()
	ctx := context.Background()
	svcs, err := f.db.Services(ctx, admin(tenant))
	if err != nil || len(svcs) < 2 {
		t.Fatalf("services: %v %v (want two: one in scope, one out)", svcs, err)
	}
	scoped := model.Principal{Tenant: tenant, Role: model.RoleAnalyst, Services: []string{svcs[0].ID}}
	all, err := f.db.IVRGroups(ctx, admin(tenant), store.IVRFilter{}, store.ByService)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		p model.Principal
		f store.IVRFilter
	}{
		{scoped, store.IVRFilter{}},
		{scoped, store.IVRFilter{FromDate: "2026-10-03", ToDate: "2026-10-20"}},
		{admin(tenant), store.IVRFilter{Services: []string{svcs[0].ID}}},
	} {
		for _, by := range []string{store.ByIVR, store.ByService, store.ByAgent, store.ByHour, store.ByDay} {
			a, err := f.db.IVRGroups(ctx, c.p, c.f, by)
			if err != nil {
				t.Fatal(err)
			}
			b, err := f.rastreo.IVRGroups(ctx, c.p, c.f, by)
			if err != nil {
				t.Fatal(err)
			}
			if len(a) == 0 {
				t.Fatalf("%+v %+v by %s: no IVR visit in scope: the test would test nothing", c.p, c.f, by)
			}
			if !sameIVRGroups(a, b) {
				t.Fatalf("IVR groups by %s as %+v, filter %+v:\nstore  %+v\nengine %+v", by, c.p, c.f, a, b)
			}
			if by == store.ByService && len(a) >= len(all) {
				t.Fatalf("%+v %+v: %d services of %d: the scope hides nothing", c.p, c.f, len(a), len(all))
			}
		}
		for _, by := range []string{"", store.ByAgent} {
			a, err := f.db.IVRTopPaths(ctx, c.p, c.f, by, 3)
			if err != nil {
				t.Fatal(err)
			}
			b, err := f.rastreo.IVRTopPaths(ctx, c.p, c.f, by, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(a) == 0 || !reflect.DeepEqual(a, b) {
				t.Fatalf("IVR top paths by %q as %+v, filter %+v:\nstore  %+v\nengine %+v", by, c.p, c.f, a, b)
			}
		}
		a, err := f.db.IVRsIn(ctx, c.p, c.f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.rastreo.IVRsIn(ctx, c.p, c.f)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) == 0 || !reflect.DeepEqual(a, b) {
			t.Fatalf("IVRs as %+v, filter %+v: store %v, engine %v", c.p, c.f, a, b)
		}
	}
}

// sameIVRGroups compares counts exactly and float sums to a billionth
// (near: the stores differ in their last bits themselves).
func sameIVRGroups(a, b []store.IVRGroup) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Key != y.Key || x.Received != y.Received || x.Finished != y.Finished || x.Transferred != y.Transferred ||
			x.Abandoned != y.Abandoned || x.Answered != y.Answered || x.AbandonedQ != y.AbandonedQ ||
			x.WaitN != y.WaitN || x.TalkN != y.TalkN || x.SLN != y.SLN ||
			!near(x.IVRSum, y.IVRSum) || !near(x.WaitSum, y.WaitSum) || !near(x.TalkSum, y.TalkSum) {
			return false
		}
	}
	return true
}
