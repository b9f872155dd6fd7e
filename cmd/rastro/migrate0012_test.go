package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// storedBodies reads every stored event body of a store straight from its
// events table, expanded by store.DecodeBody, keyed by event id; plain
// counts the rows not compressed.
func storedBodies(t *testing.T, raw *sql.DB) (bodies map[string]string, plain int) {
	t.Helper()
	rows, err := raw.Query(`SELECT id, body, zbody FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	bodies = map[string]string{}
	for rows.Next() {
		var id, body string
		var z []byte
		if err := rows.Scan(&id, &body, &z); err != nil {
			t.Fatal(err)
		}
		if z == nil {
			plain++
		} else if body != "" {
			t.Fatalf("event %s has both a plain and a compressed body", id)
		}
		b, err := store.DecodeBody(body, z)
		if err != nil {
			t.Fatalf("event %s: %v", id, err)
		}
		bodies[id] = string(b)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return bodies, plain
}

// uncompress puts every stored body of the listed events back in plain
// form (body = the raw line, zbody NULL), as the release before migration
// 0012 stored them.
func uncompress(t *testing.T, raw *sql.DB, pg bool, bodies map[string]string, ids []string) {
	t.Helper()
	q := `UPDATE events SET body = ?, zbody = NULL WHERE id = ?`
	if pg {
		q = `UPDATE events SET body = $1, zbody = NULL WHERE id = $2`
	}
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if _, err := tx.Exec(q, bodies[id], id); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestMigration0012CompressesAStoreOfThePreviousRelease: a store as the
// release before migration 0012 left it (plain bodies, no zbody column, the
// full events_agg_at index) is converted in place when opened, with
// progress printed; every body reads back byte for byte, and the reports
// rebuilt from the converted bodies are the bytes a fresh derivation of
// the same events by this release gives. A conversion stopped half way
// (plain and compressed rows side by side) reads and reports the same and
// is finished by the next Open.
func TestMigration0012CompressesAStoreOfThePreviousRelease(t *testing.T) {
	before, _ := demoMonth(t)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		ingestEvents(t, s.DB, before)
		s.DB.Close()
		raw, pg := rawDB(t, s.DSN)
		want := map[string]string{}
		for _, ev := range before {
			b, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			want[ev.ID] = string(b)
		}
		got, plain := storedBodies(t, raw)
		if plain != 0 || len(got) != len(want) {
			t.Fatalf("this release stored %d bodies (%d plain), want %d, all compressed", len(got), plain, len(want))
		}
		ids := make([]string, 0, len(got))
		for id := range got {
			ids = append(ids, id)
		}

		// Back to the previous release's schema and rows.
		uncompress(t, raw, pg, got, ids)
		for _, q := range []string{
			`DROP INDEX events_plain`,
			`DROP INDEX events_agent_at`,
			`ALTER TABLE events DROP COLUMN zbody`,
			`CREATE INDEX events_agg_at ON events (tenant, agg_kind, agg_key, at)`,
			`DELETE FROM schema_migrations WHERE version = '0012_compressed_bodies.sql'`,
		} {
			if _, err := raw.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}

		var progress bytes.Buffer
		db, err := store.OpenWith(ctx, s.DSN, store.Options{Progress: &progress})
		if err != nil {
			t.Fatalf("open the previous release's store: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		t.Logf("migration output:\n%s", progress.String())
		if !strings.Contains(progress.String(), "compressing "+strconv.Itoa(len(want))+" stored event bodies") ||
			!strings.Contains(progress.String(), "compressed "+strconv.Itoa(len(want))+" event bodies in") {
			t.Errorf("migration progress does not name the %d bodies converted:\n%s", len(want), progress.String())
		}
		converted, plain := storedBodies(t, raw)
		if plain != 0 {
			t.Fatalf("%d bodies left plain after the migration", plain)
		}
		sameBodies(t, "after migration 0012", want, converted)

		// Reports derived again from the converted bodies, against a fresh
		// store of the same kind fed the same events by this release.
		if err := ingest.New(db).Rebuild(ctx, copyTenant); err != nil {
			t.Fatalf("rebuild the migrated store: %v", err)
		}
		var fresh *store.DB
		if s.Name == "sqlite" {
			fresh = openStoreT(t, t.TempDir()+"/fresh.db")
		} else {
			fresh = openStoreT(t, storetest.PostgresDSN(t))
		}
		ingestEvents(t, fresh, before)
		wantReports := exports(t, fresh)
		sameExports(t, "migrated store, rebuilt", wantReports, exports(t, db))

		// An interrupted conversion: half the rows plain again.
		uncompress(t, raw, pg, converted, ids[:len(ids)/2])
		if err := ingest.New(db).Rebuild(ctx, copyTenant); err != nil {
			t.Fatalf("rebuild a half-converted store: %v", err)
		}
		sameExports(t, "half-converted store, rebuilt", wantReports, exports(t, db))
		db.Close()
		progress.Reset()
		db2, err := store.OpenWith(ctx, s.DSN, store.Options{Progress: &progress})
		if err != nil {
			t.Fatalf("open the half-converted store: %v", err)
		}
		t.Cleanup(func() { db2.Close() })
		if !strings.Contains(progress.String(), "compressed "+strconv.Itoa(len(ids)/2)+" event bodies in") {
			t.Errorf("resumed conversion output does not name the %d bodies left:\n%s", len(ids)/2, progress.String())
		}
		resumed, plain := storedBodies(t, raw)
		if plain != 0 {
			t.Fatalf("%d bodies left plain after the resumed conversion", plain)
		}
		sameBodies(t, "after the resumed conversion", want, resumed)
		sameExports(t, "after the resumed conversion", wantReports, exports(t, db2))
	})
}

func sameBodies(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d bodies, want %d", what, len(got), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Fatalf("%s: event %s body\n got %q\nwant %q", what, id, got[id], w)
		}
	}
}
