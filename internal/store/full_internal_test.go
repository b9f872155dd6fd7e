package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestFullDiskIsReportedAsStorageFullAndStoresNothing: SQLite's page limit
// stands in for a full disk (the same SQLITE_FULL a full file system gives).
func TestFullDiskIsReportedAsStorageFullAndStoresNothing(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "rastro.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.EnsureTenant(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	var pages int64
	if err := db.w.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+2)); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 64<<10)
	err = db.WithTenantTx(ctx, "acme", func(tx *Tx) error {
		for i := 0; i < 50; i++ {
			if _, err := tx.exec(ctx, `INSERT INTO audit (tenant, at, actor, action, detail) VALUES (?, 0, 'a', 'x', ?)`, "acme", big); err != nil {
				return err
			}
		}
		return nil
	})
	if !errors.Is(err, ErrStorageFull) {
		t.Fatalf("want ErrStorageFull, got %v", err)
	}
	var n int
	if err := db.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d audit rows stored after a full disk (%v)", n, err)
	}
}
