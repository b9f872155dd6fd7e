package store

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// ErrStorageFull marks a write refused because the store's disk is full
// (SQLite SQLITE_FULL, PostgreSQL 53100 disk_full). The transaction was
// rolled back: nothing of it is stored, and the same write can be retried
// once space is freed. The API answers it with 503 and Retry-After.
var ErrStorageFull = errors.New("store is out of disk space")

// classifyFull wraps err with ErrStorageFull when the store said its disk
// is full; other errors are returned as they are.
func classifyFull(err error) error {
	if err == nil || errors.Is(err, ErrStorageFull) {
		return err
	}
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrFull || se.Code == sqlite3.ErrIoErr && se.ExtendedCode == sqlite3.ErrIoErrWrite) {
		return fmt.Errorf("%w: %w", ErrStorageFull, err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "53100" {
		return fmt.Errorf("%w: %w", ErrStorageFull, err)
	}
	return err
}
