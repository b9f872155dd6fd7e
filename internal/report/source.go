package report

import (
	"context"
	"sync"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// Source records where one request's report reads were answered: by the
// analytics engine, or by the store because the engine was unreachable. A
// page states it (with the engine's lag): see DataSource. Reads of a
// context without one (WithSource) record nothing.
type Source struct {
	mu            sync.Mutex
	engine, store bool
}

type sourceKey struct{}

// WithSource returns ctx recording where its report reads are answered.
func WithSource(ctx context.Context) context.Context {
	return context.WithValue(ctx, sourceKey{}, &Source{})
}

// SourceOf returns ctx's recorder (nil: none; its methods accept nil).
func SourceOf(ctx context.Context) *Source {
	s, _ := ctx.Value(sourceKey{}).(*Source)
	return s
}

func (s *Source) mark(engine bool) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if engine {
		s.engine = true
	} else {
		s.store = true
	}
}

// DataSource is what a report page says about its numbers.
type DataSource struct {
	// Engine: a read was answered by the analytics engine; Fallback: the
	// engine was unreachable and the store answered (slower).
	Engine, Fallback bool
	// Pending is the tenant's outbox entries not yet in the engine (when
	// Engine); Until the creation of the oldest, in the tenant's zone: the
	// engine's numbers hold everything derived before it.
	Pending int64
	Until   *time.Time
}

// DataSource says where the report reads of ctx were answered and, when
// the engine answered, its lag for p's tenant.
func (r *Reports) DataSource(ctx context.Context, p model.Principal) (DataSource, error) {
	var ds DataSource
	if s := SourceOf(ctx); s != nil {
		s.mu.Lock()
		ds.Engine, ds.Fallback = s.engine, s.store
		s.mu.Unlock()
	}
	if !ds.Engine || ds.Fallback {
		return ds, nil
	}
	n, oldest, err := r.DB.OutboxStats(ctx, p.Tenant)
	if err != nil || n == 0 {
		return ds, err
	}
	tc, err := r.tenant(ctx, p)
	if err != nil {
		return ds, err
	}
	until := oldest.In(tc.Zone)
	ds.Pending, ds.Until = n, &until
	return ds, nil
}
