package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rastro/rastro/internal/model"
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

// AuditActions are the actions the audit log records (server.go, ui_auth.go,
// hooks.go, the CLI's export, contact anonymize and tenant set): the
// Auditoria page offers them as a filter and names each.
var AuditActions = []string{
	"login", "login.failed", "logout", "export", "history.view", "recording.play",
	"contact.anonymize", "tenant.set", "hook.bad_signature", "hook.bad_verify_token", "hook.unknown_key",
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
// (before = 0 for the first page): SearchAudit without filters, for the
// callers that read the whole log (the CLI, tests).
func (db *DB) AuditLog(ctx context.Context, tenant string, before int64, limit int) ([]AuditEntry, error) {
	return db.SearchAudit(ctx, model.Principal{Tenant: tenant}, AuditFilter{Before: before, Limit: limit})
}

// AuditFilter narrows the audit log (the Auditoria page, the audit API and
// its export). Zero fields do not filter.
type AuditFilter struct {
	Actor  string    // exact actor ("user:ana", "cli", "webhook:whatsapp")
	Action string    // exact action ("export", "login.failed")
	From   time.Time // entries at or after From
	To     time.Time // entries before To
	Before int64     // keyset: entries with k < Before (0 = newest)
	Limit  int       // 1 … MaxAuditPage; out of range is MaxAuditPage
}

// MaxAuditPage bounds one read of the audit log, whatever the caller asks.
const MaxAuditPage = 5000

// SearchAudit lists the entries of p's tenant that f selects, newest first,
// at most f.Limit of them, keyset paged by k (pass the last k as
// f.Before). The audit_tenant index (tenant, k) serves the order and the
// page; the filters are checked on the rows it walks.
func (db *DB) SearchAudit(ctx context.Context, p model.Principal, f AuditFilter) ([]AuditEntry, error) {
	q := NewAuditQuery(p, "a")
	if f.Actor != "" {
		q.And("a.actor = ?", f.Actor)
	}
	if f.Action != "" {
		q.And("a.action = ?", f.Action)
	}
	if !f.From.IsZero() {
		q.And("a.at >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		q.And("a.at < ?", ms(f.To))
	}
	if f.Before > 0 {
		q.And("a.k < ?", f.Before)
	}
	limit := f.Limit
	if limit < 1 || limit > MaxAuditPage {
		limit = MaxAuditPage
	}
	where, args := q.Where()
	rows, err := db.query(ctx, db.r, `SELECT a.k, a.tenant, a.at, a.actor, a.action, a.detail, a.row_count, a.byte_count, a.sha256, a.error FROM audit a WHERE `+where+` ORDER BY a.k DESC LIMIT ?`, append(args, limit)...)
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
			return nil, fmt.Errorf("read audit entry: %w", err)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}
