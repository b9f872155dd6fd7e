package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/url"
	"sort"
	"testing"

	"github.com/rastro/rastro/internal/demo"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// demoEvents returns a small demo month, in generator order.
func demoEvents(t testing.TB, legs int) []model.Event {
	t.Helper()
	var evs []model.Event
	err := demo.Generate(context.Background(), demo.Options{Legs: legs}, func(e model.Event) error {
		evs = append(evs, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// tenantIngester creates tenant (if new) and returns an ingester of db.
func tenantIngester(t testing.TB, db *store.DB, tenant string) *ingest.Ingester {
	t.Helper()
	if err := db.EnsureTenant(context.Background(), tenant); err != nil {
		t.Fatal(err)
	}
	return ingest.New(db)
}

// ingestAll stores events in batches of size n.
func ingestAll(t testing.TB, db *store.DB, tenant string, evs []model.Event, n int) {
	t.Helper()
	ctx := context.Background()
	in := tenantIngester(t, db, tenant)
	for i := 0; i < len(evs); i += n {
		j := min(i+n, len(evs))
		batch := append([]model.Event(nil), evs[i:j]...)
		raw := make([][]byte, len(batch))
		for k := range batch {
			b, err := json.Marshal(batch[k])
			if err != nil {
				t.Fatal(err)
			}
			raw[k] = b
		}
		if _, err := in.Store(ctx, tenant, batch, raw); err != nil {
			t.Fatal(err)
		}
	}
}

// snapshot renders every media's Rastreio CSV of a tenant, back to back,
// then each media's legs of one tag and of two (read through the leg's
// media and entered_at copied into leg_tags, migration 0019), then the
// Fluxo Ágil's CSV, total and drop-off of every conversation and of
// the first half of the demo month (a period that may cut through a
// contact's conversations: the store then ranks them instead of reading its
// Fluxo Ágil rows).
func snapshot(t testing.TB, db *store.DB, tenant string) []byte {
	t.Helper()
	ctx := context.Background()
	r := report.New(db)
	p := model.Principal{Tenant: tenant, Role: model.RoleAdmin, PersonalData: true}
	var buf bytes.Buffer
	for _, tags := range []string{"", "tag-duvida", "tag-reclamacao,tag-elogio"} {
		for _, m := range model.DefaultMedia {
			v := url.Values{"media": {m.ID}}
			if m.HasFilter("service_status") {
				v["service_status"] = []string{"completed", "transferred"}
			}
			if tags != "" {
				v.Set("tags", tags)
			}
			q, err := r.ParseInteractions(ctx, p, v)
			if err != nil {
				t.Fatal(err)
			}
			f, _ := report.ParseFormat("csv", "")
			if _, err := report.Write(&buf, f, q.Columns(), r.InteractionRows(ctx, p, q)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, v := range []url.Values{{}, {"from": {"2026-10-01"}, "to": {"2026-10-15"}}} {
		q, err := r.ParseFluxo(ctx, p, v)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := report.ParseFormat("csv", "")
		if _, err := report.Write(&buf, f, q.Columns(), r.FluxoRows(ctx, p, q)); err != nil {
			t.Fatal(err)
		}
		n, err := r.FluxoConversations(ctx, p, q)
		if err != nil {
			t.Fatal(err)
		}
		drop, err := r.FluxoDropoff(ctx, p, q)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&buf, "conversations %d\ndrop-off %v\n", n, drop)
	}
	return buf.Bytes()
}

func TestArrivalOrderDoesNotChangeTheReportRows(t *testing.T) {
	evs := demoEvents(t, 300)
	reversed := make([]model.Event, len(evs))
	for i := range evs {
		reversed[len(evs)-1-i] = evs[i]
	}
	// Third order: shuffled, then every leg.finished moved before the
	// messages of its interaction (a late-arriving stream in reverse).
	shuffled := append([]model.Event(nil), evs...)
	rand.New(rand.NewSource(7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	sort.SliceStable(shuffled, func(i, j int) bool {
		return shuffled[i].Type == model.TypeLegFinished && shuffled[j].Type != model.TypeLegFinished
	})
	orders := map[string][]model.Event{"generator": evs, "reversed": reversed, "finished-first": shuffled}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		var want []byte
		for _, name := range []string{"generator", "reversed", "finished-first"} {
			tenant := "order-" + name
			ingestAll(t, s.DB, tenant, orders[name], 700)
			got := snapshot(t, s.DB, tenant)
			if want == nil {
				want = got
				if bytes.Count(got, []byte("\n")) < 250 {
					t.Fatalf("snapshot has only %d lines", bytes.Count(got, []byte("\n")))
				}
				continue
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("order %s gives different report rows:\n%s", name, firstDiff(want, got))
			}
		}
	})
}

func firstDiff(a, b []byte) string {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(la) && i < len(lb); i++ {
		if !bytes.Equal(la[i], lb[i]) {
			return "want: " + string(la[i]) + "\n got: " + string(lb[i])
		}
	}
	return "lengths differ"
}

func TestRebuildReproducesIncrementalIngestion(t *testing.T) {
	evs := demoEvents(t, 250)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ingestAll(t, s.DB, "acme", evs, 900)
		before := snapshot(t, s.DB, "acme")
		if err := ingest.New(s.DB).Rebuild(context.Background(), "acme"); err != nil {
			t.Fatal(err)
		}
		if after := snapshot(t, s.DB, "acme"); !bytes.Equal(before, after) {
			t.Fatalf("rebuild changed the report rows:\n%s", firstDiff(before, after))
		}
	})
}
