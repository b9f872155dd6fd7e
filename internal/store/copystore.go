package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// ErrDestinationNotEmpty is returned by CopyStore when the destination holds
// rows beyond what Open seeds.
var ErrDestinationNotEmpty = errors.New("destination store is not empty")

// CopyStore copies every row of src into dst, which must be freshly created
// (opened with Open, nothing stored yet): the way from the embedded store to
// PostgreSQL, and back for an offline copy. It is generic over the schema:
// the destination's tables (but schema_migrations) are listed from the
// catalog and every column is copied by name, so tables added by later
// migrations need nothing here. Both stores must be at the same migration.
//
// Into PostgreSQL rows stream from the source into binary COPY (constant
// memory), converted to the destination's column types, each table's
// secondary indexes dropped before and built again after; identity sequences
// are then set past the copied keys (and past the source's own high-water
// mark, so no key is ever handed out twice) and the tables are ANALYZEd.
// Into SQLite rows go through multi-row prepared INSERTs. Either way the
// whole copy is one destination transaction: a failed copy leaves the
// destination as it was. The source is read in one read-only
// transaction, a consistent snapshot even while it is being written to.
//
// progress, when not nil, is called after each table.
func CopyStore(ctx context.Context, src, dst *DB, progress func(table string, rows int64, elapsed time.Duration)) error {
	if progress == nil {
		progress = func(string, int64, time.Duration) {}
	}
	if err := sameMigrations(ctx, src, dst); err != nil {
		return err
	}
	srcTables, err := src.copyTables(ctx, src.r)
	if err != nil {
		return fmt.Errorf("read the source's tables: %w", err)
	}
	dstTables, err := dst.copyTables(ctx, dst.w)
	if err != nil {
		return fmt.Errorf("read the destination's tables: %w", err)
	}
	plan, err := planCopy(srcTables, dstTables)
	if err != nil {
		return err
	}

	opts := &sql.TxOptions{ReadOnly: true}
	if src.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	stx, err := src.r.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin reading the source: %w", err)
	}
	defer stx.Rollback()
	highs, err := src.sequenceHighs(ctx, stx, plan)
	if err != nil {
		return err
	}
	failed := func(err error) error {
		if errors.Is(err, ErrDestinationNotEmpty) {
			return err
		}
		return fmt.Errorf("%w; the destination was left as it was (the copy is one transaction): fix the cause and run the copy again", err)
	}
	if dst.dialect != Postgres {
		if err := copyIntoSQLite(ctx, stx, dst, plan, highs, progress); err != nil {
			return failed(err)
		}
		return nil
	}
	if err := copyIntoPostgres(ctx, stx, dst, plan, highs, progress); err != nil {
		return failed(err)
	}
	return nil
}

// copyTable is a table as the catalog describes it.
type copyTable struct {
	name string
	cols []copyColumn
}

type copyColumn struct {
	name string
	typ  string // declared (SQLite) or information_schema data_type (PostgreSQL), lower case
	// seq: the column's values come from a sequence: a PostgreSQL identity
	// or serial column, SQLite's INTEGER PRIMARY KEY AUTOINCREMENT.
	seq bool
}

// tablePair is one table to copy, its columns matched by name.
type tablePair struct {
	src, dst copyTable
	srcCols  []string // source column names, in destination column order
}

// copyTables lists the store's tables (the current schema on PostgreSQL) and
// their columns, in column order, keyed by lower-cased name.
func (db *DB) copyTables(ctx context.Context, q querier) (map[string]*copyTable, error) {
	var rows *sql.Rows
	var err error
	if db.dialect == Postgres {
		rows, err = q.QueryContext(ctx, `
SELECT c.table_name, c.column_name, lower(c.data_type),
       c.is_identity = 'YES' OR COALESCE(c.column_default, '') LIKE 'nextval(%'
FROM information_schema.columns c
JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.is_generated = 'NEVER'
ORDER BY c.table_name, c.ordinal_position`)
	} else {
		// Only an INTEGER PRIMARY KEY can be AUTOINCREMENT.
		rows, err = q.QueryContext(ctx, `
SELECT m.name, p.name, lower(p.type),
       p.pk = 1 AND upper(p.type) = 'INTEGER' AND upper(m.sql) LIKE '%AUTOINCREMENT%'
FROM sqlite_master AS m, pragma_table_info(m.name) AS p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY m.name, p.cid`)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*copyTable{}
	for rows.Next() {
		var table string
		var c copyColumn
		if err := rows.Scan(&table, &c.name, &c.typ, &c.seq); err != nil {
			return nil, err
		}
		t := out[strings.ToLower(table)]
		if t == nil {
			t = &copyTable{name: table}
			out[strings.ToLower(table)] = t
		}
		t.cols = append(t.cols, c)
	}
	return out, rows.Err()
}

// sameMigrations refuses stores at different schema versions (a source
// migrated by a newer rastro than the one copying, say).
func sameMigrations(ctx context.Context, src, dst *DB) error {
	read := func(q querier) (map[string]bool, error) {
		rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		set := map[string]bool{}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return nil, err
			}
			set[v] = true
		}
		return set, rows.Err()
	}
	a, err := read(src.r)
	if err != nil {
		return fmt.Errorf("read the source's migrations: %w", err)
	}
	b, err := read(dst.w)
	if err != nil {
		return fmt.Errorf("read the destination's migrations: %w", err)
	}
	var onlySrc, onlyDst []string
	for v := range a {
		if !b[v] {
			onlySrc = append(onlySrc, v)
		}
	}
	for v := range b {
		if !a[v] {
			onlyDst = append(onlyDst, v)
		}
	}
	if len(onlySrc)+len(onlyDst) == 0 {
		return nil
	}
	sort.Strings(onlySrc)
	sort.Strings(onlyDst)
	return fmt.Errorf("source and destination are at different schema versions (only the source has migrations [%s], only the destination [%s]): copy with the rastro release that created the newer one",
		strings.Join(onlySrc, " "), strings.Join(onlyDst, " "))
}

// planCopy matches the destination's tables and columns with the source's,
// by name, and reports every one missing on either side.
func planCopy(src, dst map[string]*copyTable) ([]tablePair, error) {
	var problems []string
	var plan []tablePair
	for key, d := range dst {
		if key == "schema_migrations" {
			continue
		}
		s := src[key]
		if s == nil {
			problems = append(problems, "table "+d.name+" is missing on the source")
			continue
		}
		p := tablePair{src: *s, dst: *d}
		srcCol := map[string]string{}
		for _, c := range s.cols {
			srcCol[strings.ToLower(c.name)] = c.name
		}
		for _, c := range d.cols {
			name, ok := srcCol[strings.ToLower(c.name)]
			if !ok {
				problems = append(problems, "column "+d.name+"."+c.name+" is missing on the source")
				continue
			}
			delete(srcCol, strings.ToLower(c.name))
			p.srcCols = append(p.srcCols, name)
		}
		for _, name := range srcCol {
			problems = append(problems, "column "+d.name+"."+name+" is missing on the destination")
		}
		plan = append(plan, p)
	}
	for key, s := range src {
		if key != "schema_migrations" && dst[key] == nil {
			problems = append(problems, "table "+s.name+" is missing on the destination")
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("source and destination schemas differ: %s", strings.Join(problems, "; "))
	}
	sort.Slice(plan, func(i, j int) bool { return plan[i].dst.name < plan[j].dst.name })
	return plan, nil
}

// refuseNonEmpty fails unless the destination's only rows are the ones Open
// seeds (which the copy replaces). It runs inside the destination's
// transaction, with its tables locked, so nothing slips in after the check.
func refuseNonEmpty(plan []tablePair, hasRows func(table string) (bool, error)) error {
	var full []string
	for _, p := range plan {
		if seededTables[strings.ToLower(p.dst.name)] {
			continue
		}
		has, err := hasRows(`SELECT 1 FROM ` + quoteIdent(p.dst.name) + ` LIMIT 1`)
		if err != nil {
			return fmt.Errorf("check that destination table %s is empty: %w", p.dst.name, err)
		}
		if has {
			full = append(full, p.dst.name)
		}
	}
	if len(full) > 0 {
		return fmt.Errorf("%w: %s already hold rows; copy only into a freshly created store (a new file, or an empty PostgreSQL database or schema), nothing was changed",
			ErrDestinationNotEmpty, strings.Join(full, ", "))
	}
	return nil
}

func seqKey(table, col string) string { return strings.ToLower(table + "." + col) }

// sequenceHighs reads, per sequence-filled source column, the last value its
// sequence handed out: keys of deleted rows are above the copied maximum and
// must not be reused either.
func (db *DB) sequenceHighs(ctx context.Context, stx *sql.Tx, plan []tablePair) (map[string]int64, error) {
	highs := map[string]int64{}
	for _, p := range plan {
		for _, c := range p.src.cols {
			if !c.seq {
				continue
			}
			var high sql.NullInt64
			var err error
			if db.dialect == Postgres {
				err = stx.QueryRowContext(ctx, `SELECT pg_sequence_last_value(pg_get_serial_sequence($1, $2)::regclass)`, quoteIdent(p.src.name), c.name).Scan(&high)
			} else {
				err = stx.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = ?`, p.src.name).Scan(&high)
				if errors.Is(err, sql.ErrNoRows) {
					err = nil
				}
			}
			if err != nil {
				return nil, fmt.Errorf("read the source's key sequence of %s.%s: %w", p.src.name, c.name, err)
			}
			highs[seqKey(p.src.name, c.name)] = high.Int64
		}
	}
	return highs, nil
}

func (p tablePair) selectSQL() string {
	cols := make([]string, len(p.srcCols))
	for i, c := range p.srcCols {
		cols[i] = quoteIdent(c)
	}
	return `SELECT ` + strings.Join(cols, ", ") + ` FROM ` + quoteIdent(p.src.name)
}

// copyIntoPostgres runs the whole copy in one transaction on one connection
// of dst, with pgx's binary COPY per table.
func copyIntoPostgres(ctx context.Context, stx *sql.Tx, dst *DB, plan []tablePair, highs map[string]int64, progress func(string, int64, time.Duration)) error {
	conn, err := dst.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect to the destination: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer tx.Rollback(context.Background()) // no-op after Commit
		names := make([]string, len(plan))
		for i, p := range plan {
			names[i] = quoteIdent(p.dst.name)
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE `+strings.Join(names, ", ")+` IN ACCESS EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock the destination's tables: %w", err)
		}
		err = refuseNonEmpty(plan, func(q string) (bool, error) {
			var one int
			err := tx.QueryRow(ctx, q).Scan(&one)
			if errors.Is(err, pgx.ErrNoRows) {
				return false, nil
			}
			return err == nil, err
		})
		if err != nil {
			return err
		}
		// Only seeded rows are left. TRUNCATE rather than DELETE: with
		// wal_level=minimal, COPY into a table truncated in the same
		// transaction skips the WAL.
		if _, err := tx.Exec(ctx, `TRUNCATE `+strings.Join(names, ", ")); err != nil {
			return fmt.Errorf("empty the destination's tables: %w", err)
		}
		for _, p := range plan {
			start := time.Now()
			n, err := copyTableIntoPostgres(ctx, stx, tx, p)
			if err != nil {
				return fmt.Errorf("copy table %s: %w", p.dst.name, err)
			}
			progress(p.dst.name, n, time.Since(start))
		}
		// COPY writes the given values into identity columns (even
		// GENERATED ALWAYS ones) without advancing their sequences.
		for _, p := range plan {
			for i, c := range p.dst.cols {
				if !c.seq {
					continue
				}
				// Marked as called, so that the high-water mark reads back
				// (pg_sequence_last_value) when this store is copied in turn.
				// Nothing to do when no key was ever handed out.
				high := highs[seqKey(p.src.name, p.srcCols[i])]
				_, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), v) FROM (SELECT GREATEST(MAX(`+quoteIdent(c.name)+`), $3::bigint, 0) AS v FROM `+quoteIdent(p.dst.name)+`) m WHERE v > 0`,
					quoteIdent(p.dst.name), c.name, high)
				if err != nil {
					return fmt.Errorf("set the key sequence of %s.%s: %w", p.dst.name, c.name, err)
				}
			}
		}
		// Every table went from empty to full at once: without fresh
		// statistics the planner would plan for empty tables. In the
		// transaction, so the copy is never visible without them (ANALYZE
		// counts the transaction's own rows).
		if _, err := tx.Exec(ctx, `ANALYZE `+strings.Join(names, ", ")); err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	})
}

// copyTableIntoPostgres fills one table. Its secondary indexes (those no
// constraint owns) are dropped first and built again afterwards, in the same
// transaction: one sort per index instead of millions of B-tree insertions.
func copyTableIntoPostgres(ctx context.Context, stx *sql.Tx, tx pgx.Tx, p tablePair) (int64, error) {
	type index struct{ name, def string }
	var indexes []index
	irows, err := tx.Query(ctx, `
SELECT ic.relname, pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class tc ON tc.oid = i.indrelid
WHERE tc.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND tc.relname = $1
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY ic.relname`, p.dst.name)
	if err != nil {
		return 0, fmt.Errorf("list indexes: %w", err)
	}
	for irows.Next() {
		var ix index
		if err := irows.Scan(&ix.name, &ix.def); err != nil {
			irows.Close()
			return 0, err
		}
		indexes = append(indexes, ix)
	}
	irows.Close()
	if err := irows.Err(); err != nil {
		return 0, fmt.Errorf("list indexes: %w", err)
	}
	for _, ix := range indexes {
		if _, err := tx.Exec(ctx, `DROP INDEX `+quoteIdent(ix.name)); err != nil {
			return 0, fmt.Errorf("drop index %s before the copy: %w", ix.name, err)
		}
	}
	n, err := copyRowsIntoPostgres(ctx, stx, tx, p)
	if err != nil {
		return n, err
	}
	for _, ix := range indexes {
		if _, err := tx.Exec(ctx, ix.def); err != nil {
			return n, fmt.Errorf("build index %s: %w", ix.name, err)
		}
	}
	return n, nil
}

func copyRowsIntoPostgres(ctx context.Context, stx *sql.Tx, tx pgx.Tx, p tablePair) (int64, error) {
	rows, err := stx.QueryContext(ctx, p.selectSQL())
	if err != nil {
		return 0, fmt.Errorf("read the source: %w", err)
	}
	defer rows.Close()
	names := make([]string, len(p.dst.cols))
	conv := make([]func(any) (any, error), len(p.dst.cols))
	for i, c := range p.dst.cols {
		names[i] = c.name
		conv[i] = pgConverter(c.typ)
	}
	s := &rowSource{rows: rows, p: p, conv: conv}
	s.raw = make([]any, len(names))
	s.ptrs = make([]any, len(names))
	for i := range s.raw {
		s.ptrs[i] = &s.raw[i]
	}
	s.out = make([]any, len(names))
	n, err := tx.CopyFrom(ctx, pgx.Identifier{p.dst.name}, names, s)
	if s.err != nil {
		// The source's own error reads better than the COPY it aborted.
		return n, s.err
	}
	if err == nil && n != s.n {
		err = fmt.Errorf("COPY stored %d rows of %d read", n, s.n)
	}
	return n, err
}

// rowSource streams source rows into pgx's COPY, converted per column.
type rowSource struct {
	rows           *sql.Rows
	p              tablePair
	conv           []func(any) (any, error)
	raw, ptrs, out []any
	n              int64
	err            error
}

func (s *rowSource) Next() bool {
	if !s.rows.Next() {
		return false
	}
	if err := s.rows.Scan(s.ptrs...); err != nil {
		s.err = fmt.Errorf("read row %d: %w", s.n+1, err)
		return false
	}
	s.n++
	return true
}

func (s *rowSource) Values() ([]any, error) {
	for i, v := range s.raw {
		out, err := s.conv[i](v)
		if err != nil {
			s.err = fmt.Errorf("row %d, column %s: %w", s.n, s.p.dst.cols[i].name, err)
			return nil, s.err
		}
		s.out[i] = out
	}
	return s.out, nil
}

func (s *rowSource) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}

// pgConverter turns a source value (SQLite's int64, float64, string or
// []byte, whatever the declared type; or a PostgreSQL value) into what the
// destination column's type takes. NULL stays NULL.
func pgConverter(typ string) func(any) (any, error) {
	switch typ {
	case "bigint", "integer", "smallint":
		return func(v any) (any, error) {
			switch x := v.(type) {
			case nil, int64:
				return v, nil
			case float64:
				if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
					return int64(x), nil
				}
			case bool:
				return int64(b2i(x)), nil
			}
			return nil, fmt.Errorf("%#v does not fit a %s column", v, typ)
		}
	case "double precision", "real", "numeric":
		return func(v any) (any, error) {
			switch x := v.(type) {
			case nil, float64:
				return v, nil
			case int64:
				return float64(x), nil
			}
			return nil, fmt.Errorf("%#v does not fit a %s column", v, typ)
		}
	case "text", "character varying", "character":
		return func(v any) (any, error) {
			switch x := v.(type) {
			case nil, string:
				return v, nil
			case []byte:
				return string(x), nil
			}
			return nil, fmt.Errorf("%#v does not fit a %s column", v, typ)
		}
	case "boolean":
		return func(v any) (any, error) {
			switch x := v.(type) {
			case nil, bool:
				return v, nil
			case int64:
				return x != 0, nil
			}
			return nil, fmt.Errorf("%#v does not fit a boolean column", v)
		}
	}
	// Anything else is left to pgx's encoders.
	return func(v any) (any, error) { return v, nil }
}

// copyIntoSQLite runs the whole copy in one transaction of dst's writer.
func copyIntoSQLite(ctx context.Context, stx *sql.Tx, dst *DB, plan []tablePair, highs map[string]int64, progress func(string, int64, time.Duration)) error {
	tx, err := dst.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	// The writer's transactions begin IMMEDIATE: the store is locked.
	err = refuseNonEmpty(plan, func(q string) (bool, error) {
		var one int
		err := tx.QueryRowContext(ctx, q).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return err
	}
	for _, p := range plan {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(p.dst.name)); err != nil {
			return fmt.Errorf("empty %s: %w", p.dst.name, err)
		}
	}
	for _, p := range plan {
		start := time.Now()
		n, err := copyTableIntoSQLite(ctx, stx, tx, p)
		if err != nil {
			return fmt.Errorf("copy table %s: %w", p.dst.name, err)
		}
		progress(p.dst.name, n, time.Since(start))
	}
	// Explicit keys already moved sqlite_sequence to the copied maximum;
	// the source's high-water mark may be above it.
	for _, p := range plan {
		for i, c := range p.dst.cols {
			high := highs[seqKey(p.src.name, p.srcCols[i])]
			if !c.seq || high == 0 {
				continue
			}
			res, err := tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?`, high, p.dst.name)
			if err == nil {
				var n int64
				if n, err = res.RowsAffected(); err == nil && n == 0 {
					_, err = tx.ExecContext(ctx, `INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)`, p.dst.name, high)
				}
			}
			if err != nil {
				return fmt.Errorf("set the key sequence of %s: %w", p.dst.name, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func copyTableIntoSQLite(ctx context.Context, stx, tx *sql.Tx, p tablePair) (int64, error) {
	ncol := len(p.dst.cols)
	cols := make([]string, ncol)
	for i, c := range p.dst.cols {
		cols[i] = quoteIdent(c.name)
	}
	row := "(" + placeholders(ncol) + ")"
	insert := func(n int) string {
		return `INSERT INTO ` + quoteIdent(p.dst.name) + ` (` + strings.Join(cols, ", ") + `) VALUES ` + strings.Repeat(row+",", n-1) + row
	}
	per := max(1, 900/ncol) // rows per INSERT, well below SQLite's bound on parameters
	full, err := tx.PrepareContext(ctx, insert(per))
	if err != nil {
		return 0, err
	}
	defer full.Close()
	rows, err := stx.QueryContext(ctx, p.selectSQL())
	if err != nil {
		return 0, fmt.Errorf("read the source: %w", err)
	}
	defer rows.Close()
	raw := make([]any, ncol)
	ptrs := make([]any, ncol)
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	args := make([]any, 0, per*ncol)
	var n int64
	pending := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		args = append(args, raw...)
		n++
		if pending++; pending == per {
			if _, err := full.ExecContext(ctx, args...); err != nil {
				return n, err
			}
			args, pending = args[:0], 0
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if pending > 0 {
		if _, err := tx.ExecContext(ctx, insert(pending), args...); err != nil {
			return n, err
		}
	}
	return n, nil
}
