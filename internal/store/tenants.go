package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// Tenant is an account of the operation, with the settings rules depend on.
type Tenant struct {
	ID        string
	Name      string
	TZ        string
	SLSeconds int
	// ExpirationHours overrides the media's expiration window, per media id.
	ExpirationHours map[string]int
	// RecordingHosts are the hosts ("host" or "host:port") an absolute
	// recording_url may point to; none by default.
	RecordingHosts []string
}

type tenantSettings struct {
	ExpirationHours map[string]int `json:"expiration_hours,omitempty"`
	RecordingHosts  []string       `json:"recording_hosts,omitempty"`
}

// EnsureTenant creates the tenant when it does not exist. The id must be
// valid (model.ValidTenantID), also for a tenant that already exists: an
// old id outside the rule is refused here, by name, rather than used.
func (db *DB) EnsureTenant(ctx context.Context, id string) error {
	if err := model.ValidTenantID(id); err != nil {
		return err
	}
	_, err := db.exec(ctx, db.w, `INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`, id, id, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("create tenant %s: %w", id, err)
	}
	return nil
}

// Tenant reads a tenant's settings (through the reader pool: pages read it).
func (db *DB) Tenant(ctx context.Context, id string) (Tenant, error) {
	return db.tenant(ctx, db.r, id)
}

func (db *DB) tenant(ctx context.Context, q querier, id string) (Tenant, error) {
	t := Tenant{ID: id}
	var settings string
	err := db.queryRow(ctx, q, `SELECT name, tz, sl_seconds, settings FROM tenants WHERE id = ?`, id).Scan(&t.Name, &t.TZ, &t.SLSeconds, &settings)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("%w %q", ErrUnknownTenant, id)
	}
	if err != nil {
		return t, fmt.Errorf("read tenant %s: %w", id, err)
	}
	var s tenantSettings
	if err := json.Unmarshal([]byte(settings), &s); err != nil {
		return t, fmt.Errorf("tenant %s settings: %w", id, err)
	}
	t.ExpirationHours, t.RecordingHosts = s.ExpirationHours, s.RecordingHosts
	return t, nil
}

// UpdateTenantSettings changes the zone, the service-level threshold, the
// expiration windows and the allowed recording hosts. Derived rows keep the old values until `rastro rebuild`.
func (db *DB) UpdateTenantSettings(ctx context.Context, t Tenant) error {
	s, _ := json.Marshal(tenantSettings{ExpirationHours: t.ExpirationHours, RecordingHosts: t.RecordingHosts})
	_, err := db.exec(ctx, db.w, `UPDATE tenants SET tz = ?, sl_seconds = ?, settings = ? WHERE id = ?`, t.TZ, t.SLSeconds, string(s), t.ID)
	return err
}

// Tenants lists every tenant id.
func (db *DB) Tenants(ctx context.Context) ([]string, error) {
	rows, err := db.query(ctx, db.r, `SELECT id FROM tenants ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return appendColumn(nil, rows)
}

// Tenant reads the transaction's tenant.
func (t *Tx) TenantSettings(ctx context.Context) (Tenant, error) {
	return t.db.tenant(ctx, t.tx, t.tenant)
}

// RecordingURLs lists the distinct recording_url values of a tenant's legs.
func (db *DB) RecordingURLs(ctx context.Context, tenant string) ([]string, error) {
	rows, err := db.query(ctx, db.r, `SELECT DISTINCT recording_url FROM legs WHERE tenant = ? AND recording_url <> '' ORDER BY recording_url`, tenant)
	if err != nil {
		return nil, err
	}
	return appendColumn(nil, rows)
}
