package store

import (
	"context"
	"embed"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// dialectTypes fills the type placeholders of migration files.
var dialectTypes = map[string]*strings.Replacer{
	SQLite:   strings.NewReplacer("{{serial}}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{{float}}", "REAL", "{{bigint}}", "INTEGER", "{{blob}}", "BLOB"),
	Postgres: strings.NewReplacer("{{serial}}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "{{float}}", "DOUBLE PRECISION", "{{bigint}}", "BIGINT", "{{blob}}", "BYTEA"),
}

// migrate applies, in order and each in its own transaction, the migration
// files not yet recorded in schema_migrations. On PostgreSQL an advisory lock
// keeps two starting servers from migrating at once.
//
// progress (when not nil) follows each statement of the migrations applied
// to a store that already had a schema.
func (db *DB) migrate(ctx context.Context, progress io.Writer) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied int
	if err := db.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&applied); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	if applied == 0 {
		progress = nil // a new store
	}
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		return err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.applyMigration(ctx, name, progress); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	// Migration 0012's data part: its own batched transactions, after the
	// schema change (a store of 15 M events takes minutes).
	if err := db.compressPlainBodies(ctx, progress); err != nil {
		return err
	}
	return db.seedMedia(ctx)
}

func (db *DB) applyMigration(ctx context.Context, name string, progress io.Writer) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if db.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7263001)`); err != nil {
			return err
		}
	}
	var n int
	if err := db.queryRow(ctx, tx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrationFS.ReadFile("migrations/" + name)
	if err != nil {
		return err
	}
	stmts := splitSQL(dialectTypes[db.dialect].Replace(string(body)))
	start := time.Now()
	for i, stmt := range stmts {
		t0 := time.Now()
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%w\n%s", err, stmt)
		}
		if progress != nil {
			fmt.Fprintf(progress, "migration %s: %d/%d %s (%s)\n", name, i+1, len(stmts), firstLine(stmt), time.Since(t0).Round(time.Millisecond))
		}
	}
	if fill := db.backfills(progress)[name]; fill != nil {
		t0 := time.Now()
		if err := fill(ctx, tx); err != nil {
			return err
		}
		if progress != nil {
			fmt.Fprintf(progress, "migration %s: backfill of the stored rows (%s)\n", name, time.Since(t0).Round(time.Millisecond))
		}
	}
	if _, err := db.exec(ctx, tx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, name, time.Now().UnixMilli()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if progress != nil {
		fmt.Fprintf(progress, "migration %s: done in %s\n", name, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// firstLine is a statement's first line, for progress lines.
func firstLine(stmt string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(stmt), "\n")
	return strings.TrimSpace(line)
}

// backfills fill, in Go, what a migration's new tables derive from rows
// already stored, inside the migration's transaction (its SQL lives with the
// code that maintains those tables afterwards). progress follows the long
// ones.
func (db *DB) backfills(progress io.Writer) map[string]func(context.Context, querier) error {
	return map[string]func(context.Context, querier) error{
		"0006_agent_days.sql":            db.backfillAgentDays,
		"0009_legs_call_quality.sql":     db.backfillCallQuality,
		"0013_agent_pauses_by_media.sql": db.backfillAgentPausesByMedia,
		"0015_ivr_options_flows.sql":     db.backfillLabels,
		"0018_bot_rows.sql":              db.backfillBotRows(progress),
		"0019_leg_tags_in_order.sql":     db.analyzeLegTags,
		"0023_agent_hour_totals.sql":     db.backfillAgentHourTotals,
	}
}

// splitSQL splits a migration on ";" at line ends, dropping comments.
func splitSQL(s string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}

// seededTables are the tables Open fills by itself (seedMedia): a freshly
// opened store has rows there and nowhere else. CopyStore accepts a
// destination whose only rows are these, and replaces them.
var seededTables = map[string]bool{"media": true}

// seedMedia inserts the default media list where missing; rows added by an
// operator are left alone.
func (db *DB) seedMedia(ctx context.Context) error {
	for i, m := range model.DefaultMedia {
		_, err := db.exec(ctx, db.w, `INSERT INTO media (id, label, label_en, filters, window_hours, position) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			m.ID, m.Label, m.LabelEN, strings.Join(m.Filters, ","), m.ExpirationWindowHours, i)
		if err != nil {
			return fmt.Errorf("seed media: %w", err)
		}
	}
	return nil
}

// Media lists the media of the store, in display order.
func (db *DB) Media(ctx context.Context) ([]model.Media, error) {
	return db.media(ctx, db.r)
}

// Media lists the media inside a write transaction.
func (t *Tx) Media(ctx context.Context) ([]model.Media, error) {
	return t.db.media(ctx, t.tx)
}

func (db *DB) media(ctx context.Context, q querier) ([]model.Media, error) {
	rows, err := db.query(ctx, q, `SELECT id, label, label_en, filters, window_hours FROM media ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("list media: %w", err)
	}
	defer rows.Close()
	var out []model.Media
	for rows.Next() {
		var m model.Media
		var filters string
		if err := rows.Scan(&m.ID, &m.Label, &m.LabelEN, &filters, &m.ExpirationWindowHours); err != nil {
			return nil, err
		}
		if filters != "" {
			m.Filters = strings.Split(filters, ",")
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// hasSchema reports whether the store was ever migrated by rastro (it has
// its schema_migrations table).
func (db *DB) hasSchema(ctx context.Context) (bool, error) {
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if db.dialect == Postgres {
		q = `SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations'`
	}
	var n int
	if err := db.w.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return false, fmt.Errorf("look for rastro's tables: %w", err)
	}
	return n > 0, nil
}
