// Package httpserve runs rastro's HTTP listener around a handler (the web
// package): it bounds how long a client may take to send its headers and
// its body and to read the answer, caps the connections that have not
// delivered a request yet (per remote address and in all), logs one line
// per request and counts requests, ingested events, exported rows and
// connections in a Metrics registry.
//
// Timeouts are progress-based: a 32 MB batch on a slow link that keeps
// moving is read to the end, and an export streams for as long as the
// client reads it; only a peer that stops (or trickles below the minimum
// rate) is cut.
package httpserve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/rastro/rastro/internal/reqinfo"
)

// Config holds the limits. Zero fields take the defaults of Defaults; a
// negative cap disables that cap.
type Config struct {
	// HeaderTimeout bounds reading a request's line and headers (default 10 s).
	HeaderTimeout time.Duration
	// BodyWindow and BodyMinBytes: a request body that delivers less than
	// BodyMinBytes in a BodyWindow is answered 408 and its connection closed
	// (defaults 30 s and 16 KiB). A body smaller than BodyMinBytes must
	// arrive whole within one window.
	BodyWindow   time.Duration
	BodyMinBytes int64
	// WriteIdle cuts an answer the client has not read anything of for that
	// long (default 60 s); the handler's context is cancelled.
	WriteIdle time.Duration
	// IdleTimeout closes keep-alive connections idle that long (default 120 s).
	IdleTimeout time.Duration
	// MaxPendingPerAddr caps the connections of one remote IP that have no
	// complete request yet (new, or reading headers or body); more are
	// closed as soon as accepted (default 64).
	MaxPendingPerAddr int
	// MaxPending caps such connections from every address together
	// (default 4096; ApplyFileLimit lowers it to fit the file limit).
	MaxPending int
	// MaxOpen caps every open connection (default: none; ApplyFileLimit
	// sets it below the file limit).
	MaxOpen int

	// Metrics receives the counters (nil: none kept).
	Metrics *Metrics
	// Logger gets one line per request and the warnings (nil: slog.Default()).
	Logger *slog.Logger
}

// Defaults returns the limits of rastro serve.
func Defaults() Config {
	return Config{
		HeaderTimeout:     10 * time.Second,
		BodyWindow:        30 * time.Second,
		BodyMinBytes:      16 << 10,
		WriteIdle:         60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxPendingPerAddr: 64,
		MaxPending:        4096,
	}
}

func (c Config) withDefaults() Config {
	d := Defaults()
	if c.HeaderTimeout <= 0 {
		c.HeaderTimeout = d.HeaderTimeout
	}
	if c.BodyWindow <= 0 {
		c.BodyWindow = d.BodyWindow
	}
	if c.BodyMinBytes <= 0 {
		c.BodyMinBytes = d.BodyMinBytes
	}
	if c.WriteIdle <= 0 {
		c.WriteIdle = d.WriteIdle
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = d.IdleTimeout
	}
	if c.MaxPendingPerAddr == 0 {
		c.MaxPendingPerAddr = d.MaxPendingPerAddr
	}
	if c.MaxPending == 0 {
		c.MaxPending = d.MaxPending
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// ApplyFileLimit raises the soft limit of open files to the hard one (Go
// already does at start on Linux; this also reports it) and fits the
// connection caps below it: MaxOpen leaves 256 descriptors for the store,
// recordings and the metrics listener, and MaxPending is at most half of
// MaxOpen. It returns the limit in force (0 when unknown).
func ApplyFileLimit(c *Config) (uint64, error) {
	n, err := raiseFileLimit()
	if err != nil || n == 0 {
		return n, err
	}
	open := int64(n) - 256
	if open < 64 {
		open = 64
	}
	if c.MaxOpen == 0 || int64(c.MaxOpen) > open {
		c.MaxOpen = int(open)
	}
	pending := c.MaxPending
	if pending == 0 {
		pending = Defaults().MaxPending
	}
	if pending > c.MaxOpen/2 {
		pending = c.MaxOpen / 2
	}
	c.MaxPending = pending
	return n, nil
}

// Server is an http.Server with rastro's limits, log and metrics around a
// handler.
type Server struct {
	cfg     Config
	tr      *tracker
	hs      *http.Server
	handler http.Handler
}

// New wraps h.
func New(h http.Handler, cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, tr: newTracker(cfg), handler: h}
	s.hs = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: cfg.HeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ConnState:         s.tr.connState,
		ConnContext:       connContext,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	return s
}

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	return s.hs.Serve(&listener{Listener: ln, t: s.tr})
}

// Shutdown stops accepting and waits for the requests in flight (see
// http.Server.Shutdown).
func (s *Server) Shutdown(ctx context.Context) error { return s.hs.Shutdown(ctx) }

// Close closes the listener and every connection at once.
func (s *Server) Close() error { return s.hs.Close() }

// Conns returns the open connections and those without a complete request.
func (s *Server) Conns() (open, pending int) { return s.tr.counts() }

// MetricsServer serves m's GET /metrics (for a separate listener).
func MetricsServer(m *Metrics) *http.Server {
	return &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second}
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// RequestIDHeader carries the id of the request's log line in the answer.
const RequestIDHeader = "X-Request-Id"

// serveHTTP is the middleware: body and write guards, request context with
// a reqinfo.Info and a cancel of its own, then the log line and metrics.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	conn := connFrom(r.Context())
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	info := &reqinfo.Info{}
	ctx = reqinfo.NewContext(ctx, info)
	id := newRequestID()

	ctl := http.NewResponseController(w)
	gw := &guardWriter{w: w, ctl: ctl, idle: s.cfg.WriteIdle, cancel: cancel, metrics: s.cfg.Metrics}
	w.Header().Set(RequestIDHeader, id)
	_ = ctl.SetWriteDeadline(start.Add(s.cfg.WriteIdle)) // covers "100 Continue"

	done := func() { s.tr.setPending(conn, false) }
	var body *bodyGuard
	if r.Body == nil || r.Body == http.NoBody {
		done()
	} else {
		_ = ctl.SetReadDeadline(start.Add(s.cfg.BodyWindow))
		body = &bodyGuard{rc: r.Body, ctl: ctl, gw: gw, window: s.cfg.BodyWindow, minBytes: s.cfg.BodyMinBytes, done: done}
		r.Body = body
	}
	r2 := r.WithContext(ctx)

	defer func() {
		p := recover()
		if body != nil {
			// The handler did not read its body to the end: it no longer
			// waits for it. The server discards what remains (bounded by
			// the read deadline still in force) or closes the connection.
			body.once.Do(done)
		}
		// The server flushes what the handler left buffered after it
		// returns: give that write its own WriteIdle.
		_ = ctl.SetWriteDeadline(time.Now().Add(s.cfg.WriteIdle))
		s.finish(r2, gw, info, id, start, p != nil)
		if p != nil {
			panic(p)
		}
	}()
	s.handler.ServeHTTP(gw, r2)
}

// finish logs the request and counts it.
func (s *Server) finish(r *http.Request, gw *guardWriter, info *reqinfo.Info, id string, start time.Time, panicked bool) {
	d := time.Since(start)
	status, bytes := gw.result()
	if status == 0 {
		status = http.StatusOK // what net/http sends for a handler that wrote nothing
		if panicked {
			status = http.StatusInternalServerError
		}
	}
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	m := s.cfg.Metrics
	m.observeRequest(route, status, d)
	ing := info.Ingested()
	m.addIngest(ing.Accepted, ing.Duplicates, ing.Rejected)
	report, rows := info.Export()
	m.addExport(report, rows)

	actor, tenant := info.Principal()
	attrs := make([]slog.Attr, 0, 12)
	attrs = append(attrs,
		slog.String("id", id),
		slog.String("method", r.Method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Int64("bytes", bytes),
		slog.Float64("ms", float64(d.Microseconds())/1000),
		slog.String("ip", remoteHost(r.RemoteAddr)),
	)
	if actor != "" {
		attrs = append(attrs, slog.String("actor", actor), slog.String("tenant", tenant))
	}
	if report != "" {
		attrs = append(attrs, slog.String("export", report), slog.Int64("rows", rows))
	}
	if ing != (reqinfo.Ingest{}) {
		attrs = append(attrs, slog.Int64("accepted", ing.Accepted), slog.Int64("duplicates", ing.Duplicates), slog.Int64("rejected", ing.Rejected))
	}
	gw.mu.Lock()
	cut, timedOut := gw.failed || panicked, gw.timedOut
	gw.mu.Unlock()
	if cut {
		attrs = append(attrs, slog.Bool("aborted", true))
	}
	if timedOut {
		attrs = append(attrs, slog.Bool("write_timeout", true))
	}
	s.cfg.Logger.LogAttrs(context.Background(), slog.LevelInfo, "request", attrs...)
}

func remoteHost(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
