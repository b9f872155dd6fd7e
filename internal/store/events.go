package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/rastro/rastro/internal/model"
)

// AllocSeq reserves n arrival sequence numbers for the tenant and returns the
// first one.
func (t *Tx) AllocSeq(ctx context.Context, n int) (int64, error) {
	var last int64
	if err := t.queryRow(ctx, `SELECT last_seq FROM tenants WHERE id = ?`, t.tenant).Scan(&last); err != nil {
		return 0, fmt.Errorf("%w %q: %v", ErrUnknownTenant, t.tenant, err)
	}
	if _, err := t.exec(ctx, `UPDATE tenants SET last_seq = ? WHERE id = ?`, last+int64(n), t.tenant); err != nil {
		return 0, fmt.Errorf("reserve seq: %w", err)
	}
	return last + 1, nil
}

// InsertEvent appends a raw event. It reports false when the tenant already
// has an event with that id (a duplicate, ignored).
func (t *Tx) InsertEvent(ctx context.Context, ev *model.Event, raw []byte) (bool, error) {
	kind, key := ev.Aggregate()
	z, err := EncodeBody(raw)
	if err != nil {
		return false, fmt.Errorf("store event %s: %w", ev.ID, err)
	}
	res, err := t.exec(ctx, `INSERT INTO events (tenant, id, seq, type, at, agg_kind, agg_key, body, zbody, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?) ON CONFLICT (tenant, id) DO NOTHING`,
		t.tenant, ev.ID, ev.Seq, ev.Type, ms(ev.At), kind, key, z, time.Now().UnixMilli())
	if err != nil {
		return false, fmt.Errorf("store event %s: %w", ev.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// AppendEvents appends raw events (their Seq already set) and reports how
// many were new; the others are duplicates of an event id the tenant
// already has, or of an earlier event of the same call, and are ignored
// exactly as InsertEvent ignores them. Nothing is derived.
//
// On PostgreSQL the events go through pgx's binary COPY into a temporary
// table and one INSERT … SELECT … ON CONFLICT DO NOTHING moves them into
// events: one round trip per batch instead of one per event, which is what
// bounded the bulk append (≈ 5.2k events/s at 5,000-event batches, the
// server mostly waiting for the next statement). SQLite has no round trips
// to save and keeps the prepared single-row insert.
func (t *Tx) AppendEvents(ctx context.Context, events []model.Event, raw [][]byte) (int, error) {
	if t.conn == nil || len(events) == 0 {
		accepted := 0
		for i := range events {
			ok, err := t.InsertEvent(ctx, &events[i], raw[i])
			if err != nil {
				return 0, err
			}
			if ok {
				accepted++
			}
		}
		return accepted, nil
	}
	// The temporary table lives until the transaction ends (ON COMMIT
	// DROP), so a retried or failed batch leaves nothing behind on the
	// pooled connection.
	if _, err := t.tx.ExecContext(ctx, `CREATE TEMPORARY TABLE events_in (LIKE events) ON COMMIT DROP`); err != nil {
		return 0, fmt.Errorf("append events: temporary table: %w", err)
	}
	cols := []string{"tenant", "id", "seq", "type", "at", "agg_kind", "agg_key", "body", "zbody", "received_at"}
	received := time.Now().UnixMilli()
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(events) {
			return nil, nil
		}
		ev := &events[i]
		kind, key := ev.Aggregate()
		z, err := EncodeBody(raw[i])
		if err != nil {
			return nil, fmt.Errorf("event %s: %w", ev.ID, err)
		}
		row := []any{t.tenant, ev.ID, ev.Seq, ev.Type, ms(ev.At), kind, key, "", z, received}
		i++
		return row, nil
	})
	err := t.conn.Raw(func(dc any) error {
		_, err := dc.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{"events_in"}, cols, src)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("append events: copy: %w", err)
	}
	// In seq order, so that of two events with one id in the batch the
	// first is kept, as the row-by-row insert kept it.
	res, err := t.tx.ExecContext(ctx, `INSERT INTO events (tenant, id, seq, type, at, agg_kind, agg_key, body, zbody, received_at)
		SELECT tenant, id, seq, type, at, agg_kind, agg_key, body, zbody, received_at FROM events_in ORDER BY seq
		ON CONFLICT (tenant, id) DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("append events: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("append events: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `DROP TABLE events_in`); err != nil {
		return 0, fmt.Errorf("append events: drop temporary table: %w", err)
	}
	return int(n), nil
}

// AggregateEvents loads every stored event of one aggregate, in arrival order.
func (t *Tx) AggregateEvents(ctx context.Context, kind, key string) ([]model.Event, error) {
	rows, err := t.query(ctx, `SELECT seq, body, zbody FROM events WHERE tenant = ? AND agg_kind = ? AND agg_key = ? ORDER BY seq`, t.tenant, kind, key)
	if err != nil {
		return nil, fmt.Errorf("load %s %s: %w", kind, key, err)
	}
	defer rows.Close()
	return scanEvents(rows)
}

// scanEvents reads rows of (seq, body, zbody) into events.
func scanEvents(rows *sql.Rows) ([]model.Event, error) {
	var out []model.Event
	for rows.Next() {
		var seq int64
		var body string
		var z []byte
		if err := rows.Scan(&seq, &body, &z); err != nil {
			return nil, err
		}
		ev, err := decodeEvent(seq, body, z)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// decodeEvent turns a stored row's body columns into its event.
func decodeEvent(seq int64, body string, z []byte) (model.Event, error) {
	var ev model.Event
	raw, err := DecodeBody(body, z)
	if err != nil {
		return ev, fmt.Errorf("stored event (seq %d): %w", seq, err)
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return ev, fmt.Errorf("decode stored event (seq %d): %w", seq, err)
	}
	ev.Seq = seq
	return ev, nil
}

// AggregateKeys lists the distinct keys of one aggregate kind (for rebuild).
func (t *Tx) AggregateKeys(ctx context.Context, kind string) ([]string, error) {
	rows, err := t.query(ctx, `SELECT DISTINCT agg_key FROM events WHERE tenant = ? AND agg_kind = ? ORDER BY agg_key`, t.tenant, kind)
	if err != nil {
		return nil, fmt.Errorf("list %s aggregates: %w", kind, err)
	}
	return appendColumn(nil, rows)
}

// EventCount counts a tenant's stored events.
func (db *DB) EventCount(ctx context.Context, tenant string) (int64, error) {
	var n int64
	err := db.queryRow(ctx, db.w, `SELECT COUNT(*) FROM events WHERE tenant = ?`, tenant).Scan(&n)
	return n, err
}

// EventIDs lists a tenant's event ids (tests and audits of durability).
func (db *DB) EventIDs(ctx context.Context, tenant string) (map[string]bool, error) {
	rows, err := db.query(ctx, db.w, `SELECT id FROM events WHERE tenant = ?`, tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// AggregateRange loads the events of every aggregate of a kind whose key is
// in [from, to], grouped by key, each in arrival order (rebuild).
func (t *Tx) AggregateRange(ctx context.Context, kind, from, to string) (map[string][]model.Event, error) {
	rows, err := t.query(ctx, `SELECT agg_key, seq, body, zbody FROM events WHERE tenant = ? AND agg_kind = ? AND agg_key >= ? AND agg_key <= ? ORDER BY agg_key, seq`,
		t.tenant, kind, from, to)
	if err != nil {
		return nil, fmt.Errorf("load %s %s…%s: %w", kind, from, to, err)
	}
	defer rows.Close()
	out := map[string][]model.Event{}
	for rows.Next() {
		var key, body string
		var seq int64
		var z []byte
		if err := rows.Scan(&key, &seq, &body, &z); err != nil {
			return nil, err
		}
		ev, err := decodeEvent(seq, body, z)
		if err != nil {
			return nil, err
		}
		out[key] = append(out[key], ev)
	}
	return out, rows.Err()
}

// StoredEvent is a stored interaction event as the inbox reads it back.
type StoredEvent struct {
	Interaction string // the aggregate holding it
	Body        []byte
}

// InteractionEvents reads stored events of interactions by id (ids not
// stored are absent from the map): how a webhook feed finds what another
// feed stored under the same deterministic id.
func (db *DB) InteractionEvents(ctx context.Context, tenant string, ids []string) (map[string]StoredEvent, error) {
	out := map[string]StoredEvent{}
	for _, id := range ids {
		var agg, plain string
		var z []byte
		err := db.queryRow(ctx, db.r, `SELECT agg_key, body, zbody FROM events WHERE tenant = ? AND id = ? AND agg_kind = ?`, tenant, id, model.AggInteraction).Scan(&agg, &plain, &z)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read event %s: %w", id, err)
		}
		body, err := DecodeBody(plain, z)
		if err != nil {
			return nil, fmt.Errorf("read event %s: %w", id, err)
		}
		out[id] = StoredEvent{Interaction: agg, Body: body}
	}
	return out, nil
}

// MoveEvent puts a stored interaction event into another interaction with
// its new body (same id), returning the interaction it left ("" when the
// event is not stored). Raw events are append-only but for this and
// anonymisation: a message two webhook feeds saw belongs to the
// conversation of the feed that knows who handled it (see the inbox).
func (t *Tx) MoveEvent(ctx context.Context, id, interaction string, body []byte) (string, error) {
	var from string
	err := t.queryRow(ctx, `SELECT agg_key FROM events WHERE tenant = ? AND id = ? AND agg_kind = ?`, t.tenant, id, model.AggInteraction).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("move event %s: %w", id, err)
	}
	z, err := EncodeBody(body)
	if err != nil {
		return "", fmt.Errorf("move event %s: %w", id, err)
	}
	_, err = t.exec(ctx, `UPDATE events SET agg_key = ?, body = '', zbody = ? WHERE tenant = ? AND id = ?`, interaction, z, t.tenant, id)
	return from, wrap(err, "move event "+id)
}
