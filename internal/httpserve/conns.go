package httpserve

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// tracker follows every connection of the listener and how many of them
// have no complete request yet ("pending": just accepted, or reading a
// request's headers or body), per remote IP and in all. A connection that
// is answering or waiting idle between keep-alive requests has delivered
// its request and is not pending.
type tracker struct {
	perAddr, pendingMax, openMax int
	m                            *Metrics
	log                          *slog.Logger

	mu        sync.Mutex
	conns     map[net.Conn]*connEntry
	pendingIP map[string]int
	pending   int

	lastLog atomic.Int64 // unix nanoseconds of the last "refusing" log line
}

type connEntry struct {
	ip      string
	pending bool
}

func newTracker(cfg Config) *tracker {
	return &tracker{
		perAddr: cfg.MaxPendingPerAddr, pendingMax: cfg.MaxPending, openMax: cfg.MaxOpen,
		m: cfg.Metrics, log: cfg.Logger,
		conns: map[net.Conn]*connEntry{}, pendingIP: map[string]int{},
	}
}

func remoteIP(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

// admit registers a freshly accepted connection as pending, or answers the
// reason to refuse it ("" = admitted).
func (t *tracker) admit(c net.Conn) string {
	ip := remoteIP(c)
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.openMax > 0 && len(t.conns) >= t.openMax:
		return "open"
	case t.pendingMax > 0 && t.pending >= t.pendingMax:
		return "pending"
	case t.perAddr > 0 && t.pendingIP[ip] >= t.perAddr:
		return "per_address"
	}
	t.conns[c] = &connEntry{ip: ip, pending: true}
	t.pendingIP[ip]++
	t.pending++
	t.m.connOpened(1)
	t.m.pendingDelta(1)
	return ""
}

// setPending marks a connection as waiting for (part of) a request or not.
func (t *tracker) setPending(c net.Conn, pending bool) {
	if c == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.conns[c]; e != nil {
		t.setLocked(e, pending)
	}
}

func (t *tracker) setLocked(e *connEntry, pending bool) {
	if e.pending == pending {
		return
	}
	e.pending = pending
	d := 1
	if !pending {
		d = -1
	}
	t.pending += d
	t.pendingIP[e.ip] += d
	if t.pendingIP[e.ip] == 0 {
		delete(t.pendingIP, e.ip)
	}
	t.m.pendingDelta(int64(d))
}

// forget drops a closed or hijacked connection.
func (t *tracker) forget(c net.Conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.conns[c]
	if e == nil {
		return
	}
	t.setLocked(e, false)
	delete(t.conns, c)
	t.m.connOpened(-1)
}

// connState is the http.Server hook: the request line and headers of a
// keep-alive connection's next request make it pending again (until its
// body is read: see the middleware); between requests it is not.
func (t *tracker) connState(c net.Conn, st http.ConnState) {
	switch st {
	case http.StateActive:
		t.setPending(c, true)
	case http.StateIdle:
		t.setPending(c, false)
	case http.StateHijacked, http.StateClosed:
		t.forget(c)
	}
}

// counts returns the open and pending connections (tests).
func (t *tracker) counts() (open, pending int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns), t.pending
}

// refused logs, at most every 10 seconds, that connections are refused.
func (t *tracker) refused(c net.Conn, reason string) {
	t.m.refuse(reason)
	now := time.Now().UnixNano()
	last := t.lastLog.Load()
	if now-last > int64(10*time.Second) && t.lastLog.CompareAndSwap(last, now) {
		open, pending := t.counts()
		t.log.Warn("refusing connections", "reason", reason, "remote", remoteIP(c), "open", open, "pending", pending)
	}
}

// listener closes, as soon as they are accepted, the connections the
// tracker refuses (with a reset: no TIME_WAIT kept for them).
type listener struct {
	net.Listener
	t *tracker
}

func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		reason := l.t.admit(c)
		if reason == "" {
			return c, nil
		}
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = c.Close()
		l.t.refused(c, reason)
	}
}

type connKey struct{}

// connContext puts the connection in its requests' context, for the
// middleware to tell the tracker when a request body is complete.
func connContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

func connFrom(ctx context.Context) net.Conn {
	c, _ := ctx.Value(connKey{}).(net.Conn)
	return c
}
