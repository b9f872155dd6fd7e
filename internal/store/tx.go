package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Tx is a write transaction of one tenant. Every ingestion and rebuild step
// runs inside one, so a batch is all-or-nothing.
type Tx struct {
	db     *DB
	tx     *sql.Tx
	conn   *sql.Conn // PostgreSQL: the connection tx runs on (for COPY)
	tenant string
	dir    *txDirectory
	ctx    context.Context // for directory look-ups made through metrics.Directory
	// stmts caches prepared statements for the transaction: a batch runs
	// the same few statements thousands of times.
	stmts map[string]*sql.Stmt
	// analytics: 0 not read yet, 1 derived legs are announced in the
	// analytics outbox, -1 they are not.
	analytics int8
}

// Tenant is the tenant the transaction writes for.
func (t *Tx) Tenant() string { return t.tenant }

// WithTenantTx runs fn in a transaction that holds the tenant's write lock:
// on SQLite the single writer connection (BEGIN IMMEDIATE), on PostgreSQL a
// transaction-scoped advisory lock on the tenant. Writers of one tenant are
// therefore serialised on every store, which is what makes derived rows and
// rollups (shared by many aggregates) safe with several rastro servers on one
// database. Deadlocks and serialisation failures are retried.
func (db *DB) WithTenantTx(ctx context.Context, tenant string, fn func(*Tx) error) error {
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		err = classifyFull(db.tenantTxOnce(ctx, tenant, fn))
		if err == nil || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 50 * time.Millisecond):
		}
	}
	return err
}

func (db *DB) tenantTxOnce(ctx context.Context, tenant string, fn func(*Tx) error) error {
	var conn *sql.Conn
	var sqlTx *sql.Tx
	var err error
	if db.dialect == Postgres {
		// The transaction runs on a connection of its own so that bulk
		// paths can reach pgx's COPY on it (Tx.AppendEvents).
		if conn, err = db.w.Conn(ctx); err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		defer conn.Close()
		sqlTx, err = conn.BeginTx(ctx, nil)
	} else {
		sqlTx, err = db.w.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	if db.dialect == Postgres {
		// Advisory locks belong to the database, not the schema: the key
		// names the schema too, so two stores in one database (the test
		// suite's, or two deployments) never wait on each other's tenants.
		if _, err := sqlTx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(current_schema() || '/rastro-tenant:' || $1))`, tenant); err != nil {
			return fmt.Errorf("lock tenant %s: %w", tenant, err)
		}
	}
	t := &Tx{db: db, tx: sqlTx, conn: conn, tenant: tenant, ctx: ctx}
	t.dir = newTxDirectory(t)
	if err := fn(t); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func retryable(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "40P01") || strings.Contains(s, "40001") ||
		strings.Contains(s, "database is locked") || strings.Contains(s, "SQLITE_BUSY")
}

// stmt returns the cached prepared statement of q.
func (t *Tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := t.stmts[q]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(ctx, t.db.rebind(q))
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[q] = st
	return st, nil
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (t *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, q)
	if err != nil {
		// Let the error surface at Scan, as QueryRowContext would.
		return t.tx.QueryRowContext(ctx, t.db.rebind(q), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// ErrUnknownTenant is returned when a tenant does not exist.
var ErrUnknownTenant = errors.New("unknown tenant")

// Savepoint runs fn inside a savepoint of the transaction, so that several
// batches can share one transaction (group commit) and still be atomic one
// by one. When fn fails with an error of its own writes, what fn wrote is
// rolled back, the transaction goes on as if fn had never run, and the
// error is returned as local. A conflict WithTenantTx retries, a full disk
// or an ended context ends the whole transaction instead: returned as
// fatal, as is a savepoint that cannot be rolled back.
func (t *Tx) Savepoint(ctx context.Context, fn func() error) (local, fatal error) {
	if _, err := t.tx.ExecContext(ctx, `SAVEPOINT batch`); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	err := classifyFull(fn())
	if err == nil {
		if _, err := t.tx.ExecContext(ctx, `RELEASE SAVEPOINT batch`); err != nil {
			return nil, fmt.Errorf("release savepoint: %w", err)
		}
		return nil, nil
	}
	if retryable(err) || errors.Is(err, ErrStorageFull) || ctx.Err() != nil {
		return nil, err
	}
	if _, rerr := t.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT batch`); rerr != nil {
		return nil, errors.Join(err, fmt.Errorf("roll back to savepoint: %w", rerr))
	}
	if _, rerr := t.tx.ExecContext(ctx, `RELEASE SAVEPOINT batch`); rerr != nil {
		return nil, errors.Join(err, fmt.Errorf("release savepoint: %w", rerr))
	}
	// The name cache may hold what fn wrote to the directory.
	t.dir = newTxDirectory(t)
	return err, nil
}
