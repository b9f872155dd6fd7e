// Package reqinfo carries what a request's handler learns about it (who the
// principal is, how many events it ingested, how many rows it exported) back
// to the middleware that logs the request and counts it in the metrics.
//
// The middleware (internal/httpserve) puts an *Info in the request context;
// handlers fill it through From(ctx). Every method is safe on a nil *Info,
// so handlers served without the middleware (tests) need no checks.
package reqinfo

import (
	"context"
	"sync"
)

// Info is the mutable record of one request.
type Info struct {
	mu         sync.Mutex
	actor      string
	tenant     string
	ingest     Ingest
	exportName string
	exportRows int64
}

// Ingest counts the events of POST /api/v1/events.
type Ingest struct {
	Accepted, Duplicates, Rejected int64
}

type key struct{}

// NewContext returns ctx carrying info.
func NewContext(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the request's Info, or nil when there is none.
func From(ctx context.Context) *Info {
	i, _ := ctx.Value(key{}).(*Info)
	return i
}

// SetPrincipal records the authenticated actor ("user:NAME", "token:ID")
// and tenant.
func (i *Info) SetPrincipal(actor, tenant string) {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.actor, i.tenant = actor, tenant
	i.mu.Unlock()
}

// AddIngest adds the outcome of an ingested batch.
func (i *Info) AddIngest(accepted, duplicates, rejected int) {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.ingest.Accepted += int64(accepted)
	i.ingest.Duplicates += int64(duplicates)
	i.ingest.Rejected += int64(rejected)
	i.mu.Unlock()
}

// SetExport records the data rows an export of report wrote.
func (i *Info) SetExport(report string, rows int64) {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.exportName, i.exportRows = report, rows
	i.mu.Unlock()
}

// Principal returns what SetPrincipal recorded.
func (i *Info) Principal() (actor, tenant string) {
	if i == nil {
		return "", ""
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.actor, i.tenant
}

// Ingested returns the batch outcome recorded by AddIngest.
func (i *Info) Ingested() Ingest {
	if i == nil {
		return Ingest{}
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.ingest
}

// Export returns what SetExport recorded ("" when the request exported
// nothing).
func (i *Info) Export() (report string, rows int64) {
	if i == nil {
		return "", 0
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.exportName, i.exportRows
}
