package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEntry is one audited action: a login, an export (with its rows, size
// and hash, or its error), a history view, a recording playback.
type AuditEntry struct {
	K      int64          `json:"k"`
	Tenant string         `json:"tenant"`
	At     time.Time      `json:"at"`
	Actor  string         `json:"actor"`
	Action string         `json:"action"`
	Detail map[string]any `json:"detail"`
	Rows   *int64         `json:"rows,omitempty"`
	Bytes  *int64         `json:"bytes,omitempty"`
	SHA256 string         `json:"sha256,omitempty"`
	Error  string         `json:"error,omitempty"`
}

// Audit appends an entry. Audit writes go through the writer pool so they
// are durable like events.
func (db *DB) Audit(ctx context.Context, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	detail, err := json.Marshal(e.Detail)
	if err != nil {
		return fmt.Errorf("audit detail: %w", err)
	}
	var sha, errText any
	if e.SHA256 != "" {
		sha = e.SHA256
	}
	if e.Error != "" {
		errText = e.Error
	}
	_, err = db.exec(ctx, db.w, `INSERT INTO audit (tenant, at, actor, action, detail, row_count, byte_count, sha256, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Tenant, ms(e.At), e.Actor, e.Action, string(detail), e.Rows, e.Bytes, sha, errText)
	if err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	return nil
}

// AuditLog lists a tenant's entries, newest first, keyset paged by k
// (before = 0 for the first page).
func (db *DB) AuditLog(ctx context.Context, tenant string, before int64, limit int) ([]AuditEntry, error) {
	q := `SELECT k, tenant, at, actor, action, detail, row_count, byte_count, sha256, error FROM audit WHERE tenant = ?`
	args := []any{tenant}
	if before > 0 {
		q += ` AND k < ?`
		args = append(args, before)
	}
	q += ` ORDER BY k DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.query(ctx, db.r, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		var detail string
		var sha, errText *string
		if err := rows.Scan(&e.K, &e.Tenant, &at, &e.Actor, &e.Action, &detail, &e.Rows, &e.Bytes, &sha, &errText); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		_ = json.Unmarshal([]byte(detail), &e.Detail)
		if sha != nil {
			e.SHA256 = *sha
		}
		if errText != nil {
			e.Error = *errText
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
