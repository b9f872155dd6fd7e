package store

import (
	"context"
	"sync"
	"time"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
)

// TenantContext is what the rules, the reports and the pages need of a
// tenant: its settings (service-level threshold, expiration windows,
// recording hosts), its time zone, the media list, and the metric settings
// built from them. It is resolved here and nowhere else, with one fallback
// (Zone), and read once per request or transaction.
type TenantContext struct {
	Tenant
	// Zone is the tenant's time zone.
	Zone *time.Location
	// Media is every media, with its filters and default windows.
	Media []model.Media
	// Config is the metric settings (zone and expiration windows) the
	// derivation uses.
	Config metrics.Config
}

// NewTenantContext resolves a tenant's context from its settings and the
// media list.
func NewTenantContext(t Tenant, media []model.Media) TenantContext {
	loc := Zone(t.TZ)
	win := make(map[string]time.Duration, len(media))
	for _, m := range media {
		h := m.ExpirationWindowHours
		if v, ok := t.ExpirationHours[m.ID]; ok {
			h = v
		}
		win[m.ID] = time.Duration(h) * time.Hour
	}
	return TenantContext{Tenant: t, Zone: loc, Media: media, Config: metrics.Config{TZ: loc, ExpirationWindow: win}}
}

// Zone is the location of a tenant's zone name. The one fallback: a name
// the zone database does not know (`rastro tenant set` refuses such names,
// so only a store written elsewhere holds one) is metrics.DefaultTZ, the
// zone the derivation has always used for it, so pages and reports print
// the same hours the derived rows were bucketed in.
func Zone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return metrics.DefaultTZ
}

// MediaByID finds a media of the context.
func (c TenantContext) MediaByID(id string) (model.Media, bool) {
	for _, m := range c.Media {
		if m.ID == id {
			return m, true
		}
	}
	return model.Media{}, false
}

// MediaIDs lists the ids of the context's media, in order.
func (c TenantContext) MediaIDs() []string {
	ids := make([]string, len(c.Media))
	for i, m := range c.Media {
		ids[i] = m.ID
	}
	return ids
}

type tenantMemoKey struct{}

// tenantMemo holds the tenant contexts a request read.
type tenantMemo struct {
	mu   sync.Mutex
	byID map[string]TenantContext
}

// WithTenantMemo returns ctx carrying a memo of tenant contexts: under it
// DB.TenantContext reads each tenant once, so a request's parse, report,
// history and page share one read (the web server wraps every request).
func WithTenantMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, tenantMemoKey{}, &tenantMemo{byID: map[string]TenantContext{}})
}

// TenantContext reads a tenant's context through the reader pool (once per
// request under WithTenantMemo).
func (db *DB) TenantContext(ctx context.Context, id string) (TenantContext, error) {
	m, _ := ctx.Value(tenantMemoKey{}).(*tenantMemo)
	if m != nil {
		m.mu.Lock()
		defer m.mu.Unlock()
		if tc, ok := m.byID[id]; ok {
			return tc, nil
		}
	}
	t, err := db.Tenant(ctx, id)
	if err != nil {
		return TenantContext{}, err
	}
	media, err := db.Media(ctx)
	if err != nil {
		return TenantContext{}, err
	}
	tc := NewTenantContext(t, media)
	if m != nil {
		m.byID[id] = tc
	}
	return tc, nil
}

// TenantContext reads the transaction's tenant context.
func (t *Tx) TenantContext(ctx context.Context) (TenantContext, error) {
	ts, err := t.TenantSettings(ctx)
	if err != nil {
		return TenantContext{}, err
	}
	media, err := t.Media(ctx)
	if err != nil {
		return TenantContext{}, err
	}
	return NewTenantContext(ts, media), nil
}
