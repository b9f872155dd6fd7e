package analytics_test

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/storetest"
)

// TestLegMovedToAnotherMonthCountsOnce: the engine partitions legs by
// month and deduplicates versions inside a partition only. A late
// interaction.entered_omni event, 40 days before the leg's first derived
// DATA/HORA, moves an already shipped leg to another month's partition:
// the old version must be deleted there, so the leg is counted once, in its
// new month, as the store says.
func TestLegMovedToAnotherMonthCountsOnce(t *testing.T) {
	evs := demoEvents(t, 300)
	var moved *model.Event
	for i := range evs {
		if evs[i].Type == model.TypeEnteredOmni && evs[i].Media == "whatsapp" {
			moved = &evs[i]
			break
		}
	}
	if moved == nil {
		for i := range evs {
			if evs[i].Type == model.TypeEnteredOmni {
				moved = &evs[i]
				break
			}
		}
	}
	if moved == nil {
		t.Fatal("the demo events hold no interaction.entered_omni")
	}
	late := *moved
	var first []model.Event
	for _, e := range evs {
		if e.ID != late.ID {
			first = append(first, e)
		}
	}
	late.At = late.At.Add(-40 * 24 * time.Hour)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		ingestAll(t, f.db, "acme", first)
		f.sync(t)
		media := legOf(t, f, late.Interaction)
		before := legMonth(t, f, late.Interaction)
		ingestAll(t, f.db, "acme", []model.Event{late})
		if _, err := f.ship.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		after := legMonth(t, f, late.Interaction)
		if after == before {
			t.Fatalf("the late event left interaction %s in %s: the test does not move a leg", late.Interaction, before)
		}
		if a, b := countCH(t, f, "acme", media); a != b {
			t.Fatalf("%s: store counts %d legs, ClickHouse %d; the interaction's rows on each host:\n%s", media, a, b, versions(t, f, late.Interaction))
		}
		for _, v := range []url.Values{
			{"media": {media}},
			{"media": {media}, "from": {before + "-01"}, "to": {before + "-28"}},
			{"media": {media}, "from": {after + "-01"}, "to": {after + "-28"}},
		} {
			v.Set("service_status", "all")
			a := render(t, f.plain, admin("acme"), v)
			b := render(t, f.fromCH, admin("acme"), v)
			if !bytes.Equal(a, b) {
				t.Fatalf("%s: store and ClickHouse differ:\n%s", v.Encode(), firstDiff(a, b))
			}
		}
	})
}

// versions prints every row version of an interaction on each host (no
// FINAL), with its part (named after its partition).
func versions(t *testing.T, f *fixture, interactionID string) string {
	t.Helper()
	cfg := f.ch.Config()
	var b strings.Builder
	for _, h := range cfg.Hosts {
		conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{h}, DialTimeout: 3 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := conn.Query(context.Background(), `SELECT concat(leg_id, ' v', toString(version), ' deleted=', toString(deleted),
			' ', media, ' ', toString(entered_at), ' ', bucket, ' ', _part) FROM `+cfg.Database+`.legs_local WHERE interaction_id = ?`, interactionID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			b.WriteString(h + ": " + line + "\n")
		}
		rows.Close()
		conn.Close()
	}
	return b.String()
}

// legOf is the media of an interaction's legs in the store.
func legOf(t *testing.T, f *fixture, interactionID string) string {
	t.Helper()
	legs, err := f.db.AnalyticsLegs(context.Background(), "acme", []string{interactionID})
	if err != nil || len(legs) == 0 {
		t.Fatalf("legs of %s: %v %v", interactionID, legs, err)
	}
	return legs[0].Media
}

// legMonth is the local month (AAAA-MM) of an interaction's first leg in
// the store.
func legMonth(t *testing.T, f *fixture, interactionID string) string {
	t.Helper()
	legs, err := f.db.AnalyticsLegs(context.Background(), "acme", []string{interactionID})
	if err != nil || len(legs) == 0 {
		t.Fatalf("legs of %s: %v %v", interactionID, legs, err)
	}
	first := legs[0]
	for _, l := range legs {
		if l.Seq < first.Seq {
			first = l
		}
	}
	return first.LocalDate[:7]
}
