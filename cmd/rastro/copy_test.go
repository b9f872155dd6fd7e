package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/demo"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

const copyTenant = "acme"

// demoMonth is a small demo month split in two: what the embedded store
// holds when it is copied, and the batch that arrives afterwards.
func demoMonth(t *testing.T) (before, after []model.Event) {
	t.Helper()
	var evs []model.Event
	err := demo.Generate(context.Background(), demo.Options{Legs: 600}, func(e model.Event) error {
		evs = append(evs, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cut := len(evs) * 9 / 10
	return evs[:cut], evs[cut:]
}

// ingestEvents stores events through the ingestion path, as a client's batches.
func ingestEvents(t *testing.T, db *store.DB, evs []model.Event) {
	t.Helper()
	ctx := context.Background()
	if err := db.EnsureTenant(ctx, copyTenant); err != nil {
		t.Fatal(err)
	}
	in := ingest.New(db)
	for i := 0; i < len(evs); i += 2000 {
		batch := append([]model.Event(nil), evs[i:min(i+2000, len(evs))]...)
		raw := make([][]byte, len(batch))
		for k := range batch {
			b, err := json.Marshal(batch[k])
			if err != nil {
				t.Fatal(err)
			}
			raw[k] = b
		}
		if _, err := in.Store(ctx, copyTenant, batch, raw); err != nil {
			t.Fatalf("ingest on %s: %v", db.Dialect(), err)
		}
	}
}

// embeddedStore is an embedded store with the first part of the demo month,
// a login, a token and an audit entry.
func embeddedStore(t *testing.T, evs []model.Event) (string, *store.DB) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rastro.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ingestEvents(t, db, evs)
	g := store.Grant{Tenant: copyTenant, Role: model.RoleSupervisor}
	if err := db.CreateUser(ctx, "ana", "a long password", g); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateToken(ctx, g, "wallboard"); err != nil {
		t.Fatal(err)
	}
	if err := db.Audit(ctx, store.AuditEntry{Tenant: copyTenant, Actor: "cli", Action: "export"}); err != nil {
		t.Fatal(err)
	}
	return path, db
}

func openStoreT(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func runCopy(t *testing.T, from, to string) error {
	t.Helper()
	var out bytes.Buffer
	err := copyCommand(context.Background(), []string{"--from", from, "--to", to}, &out)
	t.Logf("rastro copy:\n%s", out.String())
	if err != nil {
		t.Logf("rastro copy: %v", err)
	}
	return err
}

// rawDB opens a store's database directly, to check it independently of
// the code under test.
func rawDB(t *testing.T, dsn string) (*sql.DB, bool) {
	t.Helper()
	pg := store.IsPostgresDSN(dsn)
	driver := "sqlite3"
	if pg {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, pg
}

// rowCounts counts the rows of every table of a store.
func rowCounts(t *testing.T, dsn string) map[string]int64 {
	t.Helper()
	db, pg := rawDB(t, dsn)
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'`
	if pg {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	counts := map[string]int64{}
	for _, name := range tables {
		var n int64
		if err := db.QueryRow(`SELECT COUNT(*) FROM ` + name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[name] = n
	}
	return counts
}

func sameCounts(t *testing.T, what string, want, got map[string]int64) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("%s: %d tables, want %d", what, len(got), len(want))
	}
	for name, n := range want {
		if name == "schema_migrations" {
			continue
		}
		if got[name] != n {
			t.Errorf("%s: table %s has %d rows, want %d", what, name, got[name], n)
		}
	}
	for _, name := range []string{"events", "legs", "leg_tags", "ivr_visits", "agent_rollup", "bot_conversations", "accounts", "tokens", "audit", "media"} {
		if want[name] == 0 {
			t.Errorf("%s: the source has no %s rows: the test proves nothing about them", what, name)
		}
	}
}

// exports renders the tenant's reports as the users download them: the
// Rastreio CSV of every media, the Relatório IVR by each grouping, the
// Relatório de Agentes and the Fluxo Ágil.
func exports(t *testing.T, db *store.DB) []byte {
	t.Helper()
	ctx := context.Background()
	r := report.New(db)
	p := model.Principal{Tenant: copyTenant, Role: model.RoleAdmin, PersonalData: true}
	f, err := report.ParseFormat("csv", "")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	write := func(name string, cols []string, src report.RowSource) {
		fmt.Fprintf(&buf, "== %s\n", name)
		if _, err := report.Write(&buf, f, cols, src); err != nil {
			t.Fatalf("%s on %s: %v", name, db.Dialect(), err)
		}
	}
	// Every media, then its legs of one tag and of two (leg_tags' own
	// media and entered_at, migration 0019).
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
			write("rastreio "+m.ID+" "+tags, q.Columns(), r.InteractionRows(ctx, p, q))
		}
	}
	for _, g := range []string{store.ByIVR, store.ByService, store.ByAgent, store.ByHour, store.ByDay} {
		q, err := r.ParseIVR(ctx, p, url.Values{"group_by": {g}})
		if err != nil {
			t.Fatal(err)
		}
		cols, src := q.Columns(), r.IVRRows(ctx, p, q)
		write("ivr "+g, cols, src)
	}
	aq, err := r.ParseAgents(ctx, p, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	cols, src := aq.Columns(), r.AgentsRows(ctx, p, aq)
	write("agentes", cols, src)
	fq, err := r.ParseFluxo(ctx, p, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	write("fluxo-agil", fq.Columns(), r.FluxoRows(ctx, p, fq))
	return buf.Bytes()
}

func sameExports(t *testing.T, what string, want, got []byte) {
	t.Helper()
	if n := bytes.Count(want, []byte("\n")); n < 500 {
		t.Fatalf("%s: only %d report lines: the comparison proves little", what, n)
	}
	if !bytes.Equal(want, got) {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
		for i := 0; i < len(wl) && i < len(gl); i++ {
			if wl[i] != gl[i] {
				t.Fatalf("%s: reports differ at line %d:\nwant: %s\n got: %s", what, i+1, wl[i], gl[i])
			}
		}
		t.Fatalf("%s: reports differ in length: %d lines, want %d", what, len(gl), len(wl))
	}
}

// sameStoredBodies checks that a copy holds every raw event body of the
// source: the same compressed frames, expanding to the same bytes.
func sameStoredBodies(t *testing.T, what string, src, dst *sql.DB) {
	t.Helper()
	frames := func(db *sql.DB) map[string]string {
		rows, err := db.Query(`SELECT id, zbody FROM events`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var id string
			var z []byte
			if err := rows.Scan(&id, &z); err != nil {
				t.Fatal(err)
			}
			out[id] = string(z)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := frames(src), frames(dst)
	if len(a) < 1000 || len(a) != len(b) {
		t.Fatalf("%s: %d stored bodies on the copy, %d on the source (want the same, and many)", what, len(b), len(a))
	}
	for id, z := range a {
		if b[id] != z {
			t.Fatalf("%s: event %s: the copy's stored body differs from the source's", what, id)
		}
	}
	want, plain := storedBodies(t, src)
	got, plainCopy := storedBodies(t, dst)
	if plain != 0 || plainCopy != 0 {
		t.Errorf("%s: %d plain bodies on the source, %d on the copy; want every body compressed", what, plain, plainCopy)
	}
	sameBodies(t, what, want, got)
}

func maxKey(t *testing.T, dsn, table string) int64 {
	t.Helper()
	db, _ := rawDB(t, dsn)
	var k sql.NullInt64
	if err := db.QueryRow(`SELECT MAX(k) FROM ` + table).Scan(&k); err != nil {
		t.Fatal(err)
	}
	return k.Int64
}

func TestCopyToPostgresKeepsEveryReportByteForByte(t *testing.T) {
	ctx := context.Background()
	before, after := demoMonth(t)
	litePath, lite := embeddedStore(t, before)
	// Legs deleted at the top of the key range: their keys were handed out
	// and must not come back on the copy.
	srcRaw, _ := rawDB(t, litePath)
	if _, err := srcRaw.Exec(`UPDATE sqlite_sequence SET seq = seq + 1000 WHERE name = 'legs'`); err != nil {
		t.Fatal(err)
	}
	var legsHigh int64
	if err := srcRaw.QueryRow(`SELECT seq FROM sqlite_sequence WHERE name = 'legs'`).Scan(&legsHigh); err != nil {
		t.Fatal(err)
	}

	pgDSN := storetest.PostgresDSN(t)
	if err := runCopy(t, litePath, pgDSN); err != nil {
		t.Fatal(err)
	}
	pg := openStoreT(t, pgDSN)
	sameCounts(t, "sqlite → postgres", rowCounts(t, litePath), rowCounts(t, pgDSN))
	sameExports(t, "sqlite → postgres", exports(t, lite), exports(t, pg))
	pgRaw, _ := rawDB(t, pgDSN)
	sameStoredBodies(t, "sqlite → postgres", srcRaw, pgRaw)
	var reltuples float64
	var stats int
	if err := pgRaw.QueryRow(`SELECT c.reltuples, (SELECT COUNT(*) FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = 'legs')
		FROM pg_class c WHERE c.oid = 'legs'::regclass`).Scan(&reltuples, &stats); err != nil {
		t.Fatal(err)
	}
	if reltuples < 100 || stats == 0 {
		t.Errorf("legs after the copy: reltuples %v, %d column statistics; want the copy ANALYZEd", reltuples, stats)
	}

	// Life goes on on the copy: the next batch of events gets fresh leg
	// keys, and the audit log its next entries.
	copied := maxKey(t, pgDSN, "legs")
	ingestEvents(t, lite, after)
	ingestEvents(t, pg, after)
	var newLegs, lowest int64
	if err := pgRaw.QueryRow(`SELECT COUNT(*), COALESCE(MIN(k), 0) FROM legs WHERE k > $1`, copied).Scan(&newLegs, &lowest); err != nil {
		t.Fatal(err)
	}
	if newLegs == 0 || lowest <= legsHigh {
		t.Fatalf("after the copy, %d new legs starting at key %d; want some, above the source's last key %d", newLegs, lowest, legsHigh)
	}
	if err := pg.Audit(ctx, store.AuditEntry{Tenant: copyTenant, Actor: "cli", Action: "export"}); err != nil {
		t.Fatalf("audit on the copy: %v", err)
	}
	if err := lite.Audit(ctx, store.AuditEntry{Tenant: copyTenant, Actor: "cli", Action: "export"}); err != nil {
		t.Fatal(err)
	}
	sameCounts(t, "after the next batch", rowCounts(t, litePath), rowCounts(t, pgDSN))
	sameExports(t, "after the next batch", exports(t, lite), exports(t, pg))
}

func TestCopyFromPostgresBackToANewEmbeddedStoreKeepsEveryReport(t *testing.T) {
	before, after := demoMonth(t)
	litePath, lite := embeddedStore(t, before)
	// The last leg keys handed out belonged to legs since deleted.
	srcRaw, _ := rawDB(t, litePath)
	if _, err := srcRaw.Exec(`UPDATE sqlite_sequence SET seq = seq + 1000 WHERE name = 'legs'`); err != nil {
		t.Fatal(err)
	}
	pgDSN := storetest.PostgresDSN(t)
	if err := runCopy(t, litePath, pgDSN); err != nil {
		t.Fatal(err)
	}
	backPath := filepath.Join(t.TempDir(), "offline.db")
	if err := runCopy(t, pgDSN, backPath); err != nil {
		t.Fatal(err)
	}
	back := openStoreT(t, backPath)
	sameCounts(t, "sqlite → postgres → sqlite", rowCounts(t, litePath), rowCounts(t, backPath))
	sameExports(t, "sqlite → postgres → sqlite", exports(t, lite), exports(t, back))
	backRaw, _ := rawDB(t, backPath)
	sameStoredBodies(t, "sqlite → postgres → sqlite", srcRaw, backRaw)
	var want, got int64
	if err := srcRaw.QueryRow(`SELECT seq FROM sqlite_sequence WHERE name = 'legs'`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if err := backRaw.QueryRow(`SELECT seq FROM sqlite_sequence WHERE name = 'legs'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("last leg key handed out: %d on the offline copy, %d on the original", got, want)
	}

	high := maxKey(t, backPath, "legs")
	ingestEvents(t, lite, after)
	ingestEvents(t, back, after)
	if got := maxKey(t, backPath, "legs"); got <= want || got <= high {
		t.Fatalf("new leg keys on the offline copy up to %d; want fresh ones, above %d", got, want)
	}
	sameExports(t, "after the next batch", exports(t, lite), exports(t, back))
}

func TestCopyRefusesADestinationThatAlreadyHoldsData(t *testing.T) {
	before, _ := demoMonth(t)
	litePath, _ := embeddedStore(t, before[:2000])
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		if err := s.DB.CreateUser(ctx, "admin", "another long password", store.Grant{Tenant: "other", Role: model.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		want := rowCounts(t, s.DSN)
		err := runCopy(t, litePath, s.DSN)
		if !errors.Is(err, store.ErrDestinationNotEmpty) || !strings.Contains(err.Error(), "accounts") {
			t.Fatalf("copy into a store with a login: %v; want it refused, naming accounts", err)
		}
		got := rowCounts(t, s.DSN)
		for name, n := range want {
			if got[name] != n {
				t.Errorf("refused copy changed %s: %d rows, was %d", name, got[name], n)
			}
		}
	})
}

func TestFailedCopyLeavesThePostgresDestinationEmpty(t *testing.T) {
	before, _ := demoMonth(t)
	litePath, _ := embeddedStore(t, before[:3000])
	// A value PostgreSQL cannot take, in a table copied after the big ones.
	srcRaw, _ := rawDB(t, litePath)
	if _, err := srcRaw.Exec(`UPDATE users SET at = 'yesterday' WHERE rowid = (SELECT MIN(rowid) FROM users)`); err != nil {
		t.Fatal(err)
	}
	pgDSN := storetest.PostgresDSN(t)
	openStoreT(t, pgDSN)
	fresh := rowCounts(t, pgDSN) // after Open: only the seeded media
	indexes := indexCount(t, pgDSN)
	err := runCopy(t, litePath, pgDSN)
	if err == nil || !strings.Contains(err.Error(), "users") || !strings.Contains(err.Error(), "column at") {
		t.Fatalf("copy of a bad users.at: %v; want an error naming the table and column", err)
	}
	got := rowCounts(t, pgDSN)
	for name, n := range fresh {
		if got[name] != n {
			t.Errorf("failed copy left %s with %d rows, want %d", name, got[name], n)
		}
	}
	if got["events"] != 0 || got["media"] == 0 {
		t.Errorf("failed copy: %d events, %d media; want none and the seeded media", got["events"], got["media"])
	}
	if n := indexCount(t, pgDSN); n != indexes {
		t.Errorf("failed copy left %d indexes, want %d", n, indexes)
	}
	// As the error says: fix the cause, run it again.
	if _, err := srcRaw.Exec(`UPDATE users SET at = 0 WHERE typeof(at) <> 'integer'`); err != nil {
		t.Fatal(err)
	}
	if err := runCopy(t, litePath, pgDSN); err != nil {
		t.Fatalf("copy again after the fix: %v", err)
	}
	sameCounts(t, "copy after a failed one", rowCounts(t, litePath), rowCounts(t, pgDSN))
	if n := indexCount(t, pgDSN); n != indexes {
		t.Errorf("after the copy: %d indexes, want %d", n, indexes)
	}
}

func indexCount(t *testing.T, dsn string) int {
	t.Helper()
	db, _ := rawDB(t, dsn)
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema()`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCopyRefusesStoresWhoseSchemasDiffer(t *testing.T) {
	litePath := filepath.Join(t.TempDir(), "rastro.db")
	openStoreT(t, litePath)
	srcRaw, _ := rawDB(t, litePath)
	for _, q := range []string{`ALTER TABLE legs ADD COLUMN sentiment TEXT`, `CREATE TABLE hourly_rollup (tenant TEXT)`} {
		if _, err := srcRaw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	err := runCopy(t, litePath, storetest.PostgresDSN(t))
	if err == nil || !strings.Contains(err.Error(), "legs.sentiment is missing on the destination") || !strings.Contains(err.Error(), "hourly_rollup is missing on the destination") {
		t.Fatalf("copy between different schemas: %v; want both differences named", err)
	}
}
