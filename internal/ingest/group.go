package ingest

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/rastro/rastro/internal/model"
)

// maxGroupEvents bounds the events one shared transaction takes (its
// duration and the memory of the batches it answers); a batch larger than
// that still goes, alone.
const maxGroupEvents = 20_000

// group is the group commit of an Ingester: the batches of a tenant that
// arrive while one of its write transactions is in flight wait, and the
// next transaction stores them all, each in its own savepoint, with one
// commit (one fsync on SQLite) and one derivation of what they touched.
// Every caller is answered when the transaction that holds its batch has
// committed, so an acknowledged batch is durable as before.
//
// Used on SQLite only (see Ingester.store). Writers of a tenant were
// serialised anyway (WithTenantTx), so the waiting costs nothing; its
// effect is measured in BENCHMARKS.md ("Ingest side of issue 17").
type group struct {
	mu      sync.Mutex
	waiting map[string][]*pending // per tenant, in arrival order
	busy    map[string]bool       // a caller of the tenant is committing
}

func newGroup() *group {
	return &group{waiting: map[string][]*pending{}, busy: map[string]bool{}}
}

// pending is one caller's batch and, once done is closed, its answer.
type pending struct {
	ctx    context.Context
	lim    Limits
	events []model.Event
	raw    [][]byte
	lines  []int

	res Result
	err error

	lead chan struct{} // this caller is to commit the next group
	done chan struct{} // res and err are final
}

// commitFunc stores batches in one transaction and sets each one's answer.
type commitFunc func(ctx context.Context, tenant string, batches []*pending)

// run stores b, alone or with the batches waiting beside it, and returns
// when its answer is final. The caller that finds no transaction of the
// tenant in flight commits one; the others wait. After its transaction a
// committing caller hands the next group to the first waiting caller and
// returns, so nobody commits for others longer than one transaction.
func (g *group) run(tenant string, b *pending, commit commitFunc) {
	b.lead, b.done = make(chan struct{}, 1), make(chan struct{})
	g.mu.Lock()
	g.waiting[tenant] = append(g.waiting[tenant], b)
	if g.busy[tenant] {
		g.mu.Unlock()
		select {
		case <-b.done:
			return
		case <-b.lead:
		}
		g.mu.Lock()
	}
	g.busy[tenant] = true
	// b is first in line: it was alone, or it was handed the lead.
	queue := g.waiting[tenant]
	n, events := 0, 0
	for n < len(queue) && (n == 0 || events+len(queue[n].events) <= maxGroupEvents) {
		events += len(queue[n].events)
		n++
	}
	batches := append([]*pending(nil), queue[:n]...)
	g.waiting[tenant] = queue[n:]
	g.mu.Unlock()

	ctx, release := sharedContext(batches)
	commit(ctx, tenant, batches)
	release()
	for _, o := range batches {
		close(o.done)
	}

	g.mu.Lock()
	if next := g.waiting[tenant]; len(next) > 0 {
		next[0].lead <- struct{}{}
	} else {
		delete(g.waiting, tenant)
		delete(g.busy, tenant)
	}
	g.mu.Unlock()
}

// sharedContext is the context of a shared transaction: it carries the
// values of the first caller's and ends only when every caller's context
// has ended (one client going away does not cancel the others' batches).
// release frees it.
func sharedContext(batches []*pending) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(batches[0].ctx))
	var left atomic.Int64
	left.Store(int64(len(batches)))
	stops := make([]func() bool, len(batches))
	for i, b := range batches {
		stops[i] = context.AfterFunc(b.ctx, func() {
			if left.Add(-1) == 0 {
				cancel()
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}
