package store

import (
	"context"
	"sync"
	"time"
)

// lastUse records the last-use time of API tokens off the request path. A
// request that authenticates a token whose stored last use is more than a
// minute old only notes it here; a background goroutine writes the noted
// times through the writer when it can. On SQLite the writer may be held by
// another tenant's batch for a minute: the request does not wait for it.
//
// Notes are coalesced per token (a token noted again before the write keeps
// one entry, with the latest time) and bounded: when maxPendingUses tokens
// are already waiting, the note of another token is dropped (its last use
// is then older than it should be, nothing else). Close writes what is
// pending, for at most closeFlushTimeout.
type lastUse struct {
	db      *DB
	mu      sync.Mutex
	pending map[string]int64 // token id → last use (Unix ms)
	// flushing is held while a flush writes, so FlushLastUse returns only
	// once what was noted before it is stored.
	flushing sync.Mutex
	kick     chan struct{}
	done     chan struct{}
	exited   chan struct{}
}

const (
	maxPendingUses    = 4096
	closeFlushTimeout = 5 * time.Second
)

func startLastUse(db *DB) *lastUse {
	u := &lastUse{db: db, pending: map[string]int64{}, kick: make(chan struct{}, 1), done: make(chan struct{}), exited: make(chan struct{})}
	go u.run()
	return u
}

// note records that token id was used at ms; it never blocks.
func (u *lastUse) note(id string, at int64) {
	u.mu.Lock()
	if _, ok := u.pending[id]; ok || len(u.pending) < maxPendingUses {
		u.pending[id] = max(u.pending[id], at)
	}
	u.mu.Unlock()
	select {
	case u.kick <- struct{}{}:
	default:
	}
}

func (u *lastUse) take() map[string]int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.pending) == 0 {
		return nil
	}
	p := u.pending
	u.pending = map[string]int64{}
	return p
}

func (u *lastUse) run() {
	defer close(u.exited)
	for {
		select {
		case <-u.kick:
			u.flush(context.Background())
		case <-u.done:
			ctx, cancel := context.WithTimeout(context.Background(), closeFlushTimeout)
			u.flush(ctx)
			cancel()
			return
		}
	}
}

// flush writes the pending times, one short transaction for all of them.
// A failed write is not retried: last use is advisory.
func (u *lastUse) flush(ctx context.Context) {
	u.flushing.Lock()
	defer u.flushing.Unlock()
	p := u.take()
	if len(p) == 0 {
		return
	}
	db := u.db
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return
	}
	defer tx.Rollback()
	for id, at := range p {
		// Never move a last use backwards (another server may have
		// written a later one).
		if _, err := db.exec(ctx, tx, `UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`, at, id, at); err != nil {
			return
		}
	}
	_ = tx.Commit()
}

func (u *lastUse) stop() {
	close(u.done)
	<-u.exited
}

// FlushLastUse writes the pending token last-use times now, after any
// write already under way (tests, and commands that list tokens right
// after using them).
func (db *DB) FlushLastUse(ctx context.Context) {
	if db.uses != nil {
		db.uses.flush(ctx)
	}
}
