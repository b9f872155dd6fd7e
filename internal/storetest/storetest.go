// Package storetest runs a test against every store rastro supports: a fresh
// SQLite file and a fresh schema of the PostgreSQL server named by
// RASTRO_TEST_PG (which `make test` starts). PostgreSQL is never skipped
// silently: without RASTRO_TEST_PG the test fails and says how to run it,
// unless RASTRO_TEST_PG=skip is set on purpose (then it is skipped loudly).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/rastro/rastro/internal/store"
)

// Store is one store under test.
type Store struct {
	Name string
	DSN  string
	DB   *store.DB
}

// Each runs fn once per store, as subtests named "sqlite" and "postgres".
func Each(t *testing.T, fn func(t *testing.T, s Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		dsn := filepath.Join(t.TempDir(), "rastro.db")
		fn(t, open(t, "sqlite", dsn))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := PostgresDSN(t)
		fn(t, open(t, "postgres", dsn))
	})
}

func open(t *testing.T, name, dsn string) Store {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s store: %v", name, err)
	}
	t.Cleanup(func() { db.Close() })
	return Store{Name: name, DSN: dsn, DB: db}
}

// PostgresDSN creates a fresh schema on the test server and returns a DSN
// whose search_path points at it; the schema is dropped after the test.
func PostgresDSN(t *testing.T) string {
	t.Helper()
	base := os.Getenv("RASTRO_TEST_PG")
	switch base {
	case "":
		t.Fatal("RASTRO_TEST_PG is not set: PostgreSQL tests need a server. Run `make test` (it starts a private cluster), or set RASTRO_TEST_PG=postgres://… (RASTRO_TEST_PG=skip skips them on purpose)")
	case "skip":
		t.Skip("PostgreSQL skipped on purpose: RASTRO_TEST_PG=skip")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema on %s: %v", base, err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
