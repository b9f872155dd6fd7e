package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestBulkOpenGetsTheLargePageCache: the bulk option's 1 GiB SQLite cache
// must not be overwritten by the default one.
func TestBulkOpenGetsTheLargePageCache(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		bulk bool
		want int64
	}{{false, -65536}, {true, -1048576}} {
		db, err := OpenWith(ctx, filepath.Join(t.TempDir(), "rastro.db"), Options{Bulk: c.bulk})
		if err != nil {
			t.Fatal(err)
		}
		var got int64
		if err := db.w.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if got != c.want {
			t.Errorf("bulk=%v: writer cache_size = %d, want %d", c.bulk, got, c.want)
		}
	}
}

// TestPostgresPlansEveryReportQueryForItsOwnArguments: rastro connects with
// plan_cache_mode=force_custom_plan, so a cached prepared statement never
// falls back to a generic plan blind to its IN lists and dates; a DSN that
// names another mode keeps it.
func TestPostgresPlansEveryReportQueryForItsOwnArguments(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://rastro@127.0.0.1:5432/rastro":                      "force_custom_plan",
		"postgres://rastro@127.0.0.1:5432/rastro?plan_cache_mode=auto": "auto",
	} {
		cfg, err := pgConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.RuntimeParams["plan_cache_mode"]; got != want {
			t.Errorf("%s: plan_cache_mode = %q, want %q", dsn, got, want)
		}
	}
}
