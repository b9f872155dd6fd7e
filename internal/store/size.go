package store

import (
	"context"
	"fmt"
)

// SizeBytes is what the store takes: on SQLite the database pages (free
// ones included) and the write-ahead log's pages not yet checkpointed are
// counted from the file's page count; on PostgreSQL every table of the
// store's schema with its indexes and TOAST (pg_total_relation_size).
func (db *DB) SizeBytes(ctx context.Context) (int64, error) {
	var n int64
	var err error
	if db.dialect == Postgres {
		err = db.queryRow(ctx, db.w, `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint
			FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
			WHERE s.nspname = current_schema() AND c.relkind IN ('r', 'm')`).Scan(&n)
	} else {
		err = db.queryRow(ctx, db.w, `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("store size: %w", err)
	}
	return n, nil
}

// LegTotal counts the finished legs of every tenant and media (the
// denominator of the store size per leg).
func (db *DB) LegTotal(ctx context.Context) (int64, error) {
	var n int64
	if err := db.queryRow(ctx, db.w, `SELECT COUNT(*) FROM legs`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count legs: %w", err)
	}
	return n, nil
}
