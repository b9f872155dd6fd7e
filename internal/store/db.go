// Package store keeps rastro's data: the append-only raw events, the
// directory, and everything derived from events (finished legs, IVR visits,
// bot conversations, agent activity, rollups), plus credentials and the audit
// log. One code base serves SQLite (embedded, default) and PostgreSQL: plain
// SQL written once with "?" placeholders, rebound per dialect, and a few
// dialect-specific statements kept side by side.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver ("pgx")
	_ "github.com/mattn/go-sqlite3"  // SQLite driver ("sqlite3")
)

// Dialect names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is an open store. For SQLite it holds a single-connection writer pool
// (SQLite allows one writer; queuing in Go is cheaper than busy retries) and
// a read pool; for PostgreSQL both are the same pool.
//
// Requests read through r only (reports, and the authentication of every
// request: tokens, sessions, accounts, tenants, media), so on SQLite no
// request waits behind another tenant's write transaction on w. The small
// writes a request would otherwise make on its way (a token's last use) go
// to a background writer (see lastuse.go).
type DB struct {
	dialect string
	w       *sql.DB // writes and read-your-writes transactions
	r       *sql.DB // report queries and the request's authentication
	dsn     string

	// analyticsOn caches a true AnalyticsEnabled (it never turns off).
	analyticsOn atomic.Bool

	clock atomic.Pointer[func() time.Time] // nil = time.Now
	uses  *lastUse                         // token last-use writer

	closeOnce sync.Once
}

// now is the store's clock: time.Now unless a test set another.
func (db *DB) now() time.Time {
	if f := db.clock.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

// SetClock replaces the clock the login throttle reads (nil restores
// time.Now). For tests: lock-outs can then be crossed without sleeping.
func (db *DB) SetClock(now func() time.Time) {
	if now == nil {
		db.clock.Store(nil)
		return
	}
	db.clock.Store(&now)
}

// IsPostgresDSN tells a PostgreSQL URL from a file path.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Options tune how a store is opened.
type Options struct {
	// Bulk turns off fsync on the embedded store for an initial import
	// (`rastro demo --bulk`): fast, but not durable until it finishes.
	// Servers never set it.
	Bulk bool
	// MustExist refuses to create a store: a missing SQLite file or a
	// PostgreSQL database without rastro's tables is ErrNoStore. Commands
	// that only read or maintain a store set it, so a typo in --db is an
	// error instead of a new empty store.
	MustExist bool
	// Progress, when not nil, receives what migrations applied to a store
	// that already had a schema print (a new store stays silent): a line
	// per statement, and the compression of every stored event body
	// (migration 0012): converting a large store in place takes minutes.
	Progress io.Writer
}

// ErrNoStore is returned by OpenWith with MustExist when dsn holds no store.
var ErrNoStore = errors.New("no rastro store there")

// pgConfig parses a PostgreSQL DSN. pgx prepares and caches every
// statement; after five runs on a connection PostgreSQL may switch a
// prepared report query to a generic plan, blind to the IN lists and date
// ranges it was given: at 1M legs the Agentes report went from 0.4 s to 7 s
// on the sixth run. So report queries are planned every time
// (plan_cache_mode=force_custom_plan) unless the DSN says otherwise.
func pgConfig(dsn string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	if _, ok := cfg.RuntimeParams["plan_cache_mode"]; !ok {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	return cfg, nil
}

// Open opens (creating if needed) the store at dsn and applies pending
// migrations: a file path for SQLite, a postgres:// URL for PostgreSQL.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, opt Options) (*DB, error) {
	db := &DB{dsn: dsn}
	if IsPostgresDSN(dsn) {
		db.dialect = Postgres
		cfg, err := pgConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		p := sql.OpenDB(stdlib.GetConnector(*cfg))
		p.SetMaxOpenConns(16)
		p.SetMaxIdleConns(16)
		p.SetConnMaxIdleTime(5 * time.Minute)
		db.w, db.r = p, p
	} else {
		db.dialect = SQLite
		if opt.MustExist && !strings.HasPrefix(dsn, ":memory:") && !strings.HasPrefix(dsn, "file:") {
			if st, err := os.Stat(dsn); err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
				return nil, fmt.Errorf("open sqlite %s: %w", dsn, ErrNoStore)
			}
		}
		if err := createPrivate(dsn); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		// synchronous=FULL: an acknowledged batch survives power loss, not
		// only a process crash (WAL+NORMAL may lose the last commits).
		q := url.Values{}
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "FULL")
		q.Set("_cache_size", "-65536")
		if opt.Bulk {
			// A bulk import or rebuild writes one huge transaction: no
			// fsync, and a 1 GiB page cache so index pages stay in memory.
			q.Set("_synchronous", "OFF")
			q.Set("_cache_size", "-1048576")
		}
		q.Set("_busy_timeout", "30000")
		q.Set("_txlock", "immediate")
		w, err := sql.Open("sqlite3", "file:"+dsn+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		w.SetMaxOpenConns(1)
		w.SetConnMaxIdleTime(0)
		rq := url.Values{}
		rq.Set("_busy_timeout", "30000")
		rq.Set("_cache_size", "-65536")
		rq.Set("mode", "ro")
		r, err := sql.Open("sqlite3", "file:"+dsn+"?"+rq.Encode())
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		r.SetMaxOpenConns(8)
		r.SetMaxIdleConns(8)
		db.w, db.r = w, r
	}
	if err := db.w.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect %s store: %w", db.dialect, err)
	}
	if opt.MustExist {
		if ok, err := db.hasSchema(ctx); err != nil || !ok {
			db.Close()
			if err == nil {
				err = ErrNoStore
			}
			return nil, fmt.Errorf("open %s store: %w", db.dialect, err)
		}
	}
	if err := db.migrate(ctx, opt.Progress); err != nil {
		db.Close()
		return nil, err
	}
	if db.dialect == SQLite {
		// The journal files exist now (WAL mode): they hold the same data
		// as the store, so they get its mode whatever the umask.
		for _, suffix := range []string{"-wal", "-shm"} {
			if err := os.Chmod(dsn+suffix, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
				db.Close()
				return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
			}
		}
	}
	db.uses = startLastUse(db)
	return db, nil
}

// createPrivate creates the SQLite file with mode 0600 when it does not
// exist yet (SQLite would create it with 0644 less the umask): the store
// holds personal data and password hashes.
func createPrivate(path string) error {
	if strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// Close writes the pending token last-use times and releases the pools.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() {
		if db.uses != nil {
			db.uses.stop()
		}
		err = db.w.Close()
		if db.r != db.w {
			err = errors.Join(err, db.r.Close())
		}
	})
	return err
}

// Dialect returns SQLite or Postgres.
func (db *DB) Dialect() string { return db.dialect }

// rebind turns "?" placeholders into "$n" for PostgreSQL. Our SQL never has
// a literal "?" inside strings.
func (db *DB) rebind(q string) string {
	if db.dialect != Postgres {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (db *DB) exec(ctx context.Context, q querier, query string, args ...any) (sql.Result, error) {
	return q.ExecContext(ctx, db.rebind(query), args...)
}

func (db *DB) query(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	return q.QueryContext(ctx, db.rebind(query), args...)
}

func (db *DB) queryRow(ctx context.Context, q querier, query string, args ...any) *sql.Row {
	return q.QueryRowContext(ctx, db.rebind(query), args...)
}

// appendColumn appends the one string column of rows to out and closes
// rows. Callers pass nil, or []string{} where an empty list must not read
// as no list (a filter's values).
func appendColumn(out []string, rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Analyze refreshes the planner statistics of the store's tables on
// PostgreSQL after a rebuild or bulk import changed most rows at once
// (autovacuum would get there later; until then plans are guessed from
// empty-table statistics). Only the store's schema: a bare ANALYZE would
// sample every schema of the database — other applications', other
// stores' — and wait for each table's lock. SQLite keeps no statistics on
// purpose: its indexes are designed for the heuristics.
func (db *DB) Analyze(ctx context.Context) error {
	if db.dialect != Postgres {
		return nil
	}
	rows, err := db.w.QueryContext(ctx, `SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`)
	if err != nil {
		return wrap(err, "analyze: list the store's tables")
	}
	tables, err := appendColumn(nil, rows)
	if err != nil {
		return wrap(err, "analyze: list the store's tables")
	}
	if len(tables) == 0 {
		return nil
	}
	return db.analyze(ctx, db.w, tables...)
}

// Analyze refreshes, inside the transaction, the PostgreSQL statistics of
// tables it has just filled and is about to read: PostgreSQL samples the
// transaction's own uncommitted rows, and its planner then plans with
// them. Without it a rebuild of a tenant the statistics do not know yet
// looked up each interaction's protocol (tenant, id) through
// interactions_contact, walking every row of the tenant — 28,068 buffers
// and 12.8 ms per look-up with 28,000 rows, against 3 buffers and 0.03 ms
// through the primary key once analysed (EXPLAIN (ANALYZE, BUFFERS) on a
// scratch schema; the 30,000-leg demo staffing test ran 16 minutes). The
// tables stay locked against other ANALYZEs and VACUUMs (SHARE UPDATE
// EXCLUSIVE) until the transaction ends; writes and reads are not blocked.
func (t *Tx) Analyze(ctx context.Context, tables ...string) error {
	return t.db.analyze(ctx, t.tx, tables...)
}

// analyze is the one ANALYZE of the store, of the named tables; nothing on
// SQLite.
func (db *DB) analyze(ctx context.Context, q querier, tables ...string) error {
	if db.dialect != Postgres || len(tables) == 0 {
		return nil
	}
	stmt := "ANALYZE " + strings.Join(tables, ", ")
	_, err := db.exec(ctx, q, stmt)
	return wrap(err, strings.ToLower(stmt))
}
