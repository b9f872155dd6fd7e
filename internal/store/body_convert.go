package store

import (
	"context"
	"fmt"
	"io"
	"time"
)

// bodyBatch is how many plain bodies one conversion transaction
// compresses: small enough that an interrupted conversion loses little
// and a concurrent writer waits little, large enough that commits are a
// small share of the time.
const bodyBatch = 5000

// compressPlainBodies compresses, in place, the raw event bodies stored
// before migration 0012 (zbody NULL), bodyBatch rows per committed
// transaction, printing progress to w about every five seconds. Stopped at
// any point, it goes on where it was at the next Open: each row is
// converted whole in its batch's transaction, and plain and compressed
// rows are both read by DecodeBody meanwhile.
func (db *DB) compressPlainBodies(ctx context.Context, w io.Writer) error {
	if w == nil {
		w = io.Discard
	}
	var left int64
	if err := db.queryRow(ctx, db.w, `SELECT COUNT(*) FROM events WHERE zbody IS NULL`).Scan(&left); err != nil {
		return fmt.Errorf("count plain event bodies: %w", err)
	}
	if left == 0 {
		return nil
	}
	start := time.Now()
	fmt.Fprintf(w, "rastro: compressing %d stored event bodies (migration 0012), %d per transaction; safe to interrupt: the next start goes on\n", left, bodyBatch)
	done, last := int64(0), start
	var after [2]string // the last (tenant, id) converted
	for {
		n, err := db.compressBodyBatch(ctx, &after)
		if err != nil {
			return fmt.Errorf("compress stored event bodies (%d of %d done): %w", done, left, err)
		}
		done += int64(n)
		if n < bodyBatch {
			break
		}
		if time.Since(last) >= 5*time.Second {
			last = time.Now()
			fmt.Fprintf(w, "rastro: compressed %d of %d event bodies (%d %%), %s\n", done, left, 100*done/max(left, 1), time.Since(start).Round(time.Second))
		}
	}
	el := time.Since(start)
	fmt.Fprintf(w, "rastro: compressed %d event bodies in %s (%.0f/s)\n", done, el.Round(time.Millisecond), float64(done)/max(el.Seconds(), 1e-3))
	if db.dialect == SQLite {
		fmt.Fprintf(w, "rastro: the freed pages are reused by new rows; the file itself shrinks only with VACUUM (or `rastro backup`, which writes a compacted copy)\n")
	} else {
		fmt.Fprintf(w, "rastro: the freed space is reused by new rows; VACUUM FULL events returns it to the operating system\n")
	}
	return nil
}

// compressBodyBatch converts up to bodyBatch plain bodies after the key
// *after in one transaction, reports how many, and moves *after to the
// last. On PostgreSQL the rows just converted stay in events_plain as
// dead entries until VACUUM; starting after the previous batch keeps a
// batch from walking them again (at 50k legs no gain was measurable:
// 3,390 rows/s against 3,472 without, load 20–31; it bounds the worst case).
func (db *DB) compressBodyBatch(ctx context.Context, after *[2]string) (int, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	type plainRow struct{ tenant, id, body string }
	rows, err := db.query(ctx, tx, `SELECT tenant, id, body FROM events WHERE zbody IS NULL AND (tenant, id) > (?, ?) ORDER BY tenant, id LIMIT ?`,
		after[0], after[1], bodyBatch)
	if err != nil {
		return 0, err
	}
	var batch []plainRow
	for rows.Next() {
		var r plainRow
		if err := rows.Scan(&r.tenant, &r.id, &r.body); err != nil {
			rows.Close()
			return 0, err
		}
		batch = append(batch, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(batch) > 0 {
		*after = [2]string{batch[len(batch)-1].tenant, batch[len(batch)-1].id}
	}
	tenants, ids, frames := make([]string, len(batch)), make([]string, len(batch)), make([][]byte, len(batch))
	for i, r := range batch {
		z, err := EncodeBody([]byte(r.body))
		if err != nil {
			return 0, err
		}
		tenants[i], ids[i], frames[i] = r.tenant, r.id, z
	}
	if db.dialect == Postgres {
		// One statement for the batch: row by row (a round trip each) the
		// loaded shared dev server converted 1,319 rows/s at 50k legs,
		// this way 3,472 (BENCHMARKS.md).
		if _, err := tx.ExecContext(ctx, `UPDATE events AS e SET body = '', zbody = v.z
			FROM unnest($1::text[], $2::text[], $3::bytea[]) AS v(tenant, id, z)
			WHERE e.tenant = v.tenant AND e.id = v.id AND e.zbody IS NULL`, tenants, ids, frames); err != nil {
			return 0, err
		}
		return len(batch), tx.Commit()
	}
	for i := range batch {
		if _, err := db.exec(ctx, tx, `UPDATE events SET body = '', zbody = ? WHERE tenant = ? AND id = ? AND zbody IS NULL`, frames[i], tenants[i], ids[i]); err != nil {
			return 0, fmt.Errorf("event %s of tenant %s: %w", ids[i], tenants[i], err)
		}
	}
	return len(batch), tx.Commit()
}
