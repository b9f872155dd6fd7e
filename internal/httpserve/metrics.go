package httpserve

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics is the registry behind GET /metrics: a handful of counters and
// histograms written in the Prometheus text exposition format by hand (no
// client library for so few series). One value is made per process and
// passed to Config; it holds no per-tenant labels, so no tenant can read
// another's figures from it. Every method is safe on a nil *Metrics.
type Metrics struct {
	mu        sync.Mutex
	requests  map[routeCode]uint64
	durations map[string]*histogram
	export    map[string]uint64
	refused   map[string]uint64
	storeKind string

	gauges []gauge

	ingestAccepted, ingestDuplicate, ingestRejected atomic.Uint64
	connsOpen, connsPending                         atomic.Int64
	bodyTimeouts, writeTimeouts                     atomic.Uint64
}

// gauge is a value read when /metrics is scraped (e.g. the analytics
// outbox, which lives in the store).
type gauge struct {
	name, help string
	read       func(context.Context) (float64, error)
}

// AddGauge registers a gauge read at each scrape; a read error leaves the
// gauge out of that scrape. Its value must not be one tenant's figure.
func (m *Metrics) AddGauge(name, help string, read func(context.Context) (float64, error)) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.gauges = append(m.gauges, gauge{name, help, read})
	m.mu.Unlock()
}

type routeCode struct {
	route string
	code  int
}

// durationBuckets are the upper bounds (seconds) of the request duration
// histogram: pages and JSON answer in milliseconds, exports take minutes.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	n      uint64
}

// NewMetrics returns an empty registry.
func NewMetrics() *Metrics {
	return &Metrics{
		requests:  map[routeCode]uint64{},
		durations: map[string]*histogram{},
		export:    map[string]uint64{},
		refused:   map[string]uint64{},
	}
}

// SetStore records the store kind ("sqlite", "postgres") for
// rastro_store_info.
func (m *Metrics) SetStore(kind string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.storeKind = kind
	m.mu.Unlock()
}

func (m *Metrics) observeRequest(route string, code int, d time.Duration) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[routeCode{route, code}]++
	h := m.durations[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(durationBuckets)+1)}
		m.durations[route] = h
	}
	s := d.Seconds()
	i := sort.SearchFloat64s(durationBuckets, s) // first bound >= s
	h.counts[i]++
	h.sum += s
	h.n++
}

func (m *Metrics) addIngest(accepted, duplicates, rejected int64) {
	if m == nil {
		return
	}
	m.ingestAccepted.Add(uint64(accepted))
	m.ingestDuplicate.Add(uint64(duplicates))
	m.ingestRejected.Add(uint64(rejected))
}

func (m *Metrics) addExport(report string, rows int64) {
	if m == nil || report == "" {
		return
	}
	m.mu.Lock()
	m.export[report] += uint64(rows)
	m.mu.Unlock()
}

func (m *Metrics) refuse(reason string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.refused[reason]++
	m.mu.Unlock()
}

func (m *Metrics) connOpened(delta int64) {
	if m != nil {
		m.connsOpen.Add(delta)
	}
}

func (m *Metrics) pendingDelta(delta int64) {
	if m != nil {
		m.connsPending.Add(delta)
	}
}

func (m *Metrics) bodyTimeout() {
	if m != nil {
		m.bodyTimeouts.Add(1)
	}
}

func (m *Metrics) writeTimeout() {
	if m != nil {
		m.writeTimeouts.Add(1)
	}
}

// Handler serves the registry (GET /metrics, no authentication: bind it to
// an address only the monitoring network reaches).
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = m.writeTo(r.Context(), w)
	})
	return mux
}

// WriteTo writes every metric in the Prometheus text format, series sorted
// so the output is stable.
func (m *Metrics) WriteTo(out io.Writer) (int64, error) {
	return m.writeTo(context.Background(), out)
}

func (m *Metrics) writeTo(ctx context.Context, out io.Writer) (int64, error) {
	cw := &countWriter{w: out}
	w := bufio.NewWriter(cw)
	m.mu.Lock()
	requests := make([]routeCode, 0, len(m.requests))
	for k := range m.requests {
		requests = append(requests, k)
	}
	sort.Slice(requests, func(i, j int) bool {
		if requests[i].route != requests[j].route {
			return requests[i].route < requests[j].route
		}
		return requests[i].code < requests[j].code
	})
	header(w, "rastro_http_requests_total", "counter", "HTTP requests answered, by route pattern and status code.")
	for _, k := range requests {
		fmt.Fprintf(w, "rastro_http_requests_total{route=%s,code=\"%d\"} %d\n", quote(k.route), k.code, m.requests[k])
	}
	header(w, "rastro_http_request_duration_seconds", "histogram", "Time from the request headers to the handler's return, by route pattern.")
	for _, route := range sortedKeys(m.durations) {
		h := m.durations[route]
		var cum uint64
		for i, le := range durationBuckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "rastro_http_request_duration_seconds_bucket{route=%s,le=\"%s\"} %d\n", quote(route), strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(w, "rastro_http_request_duration_seconds_bucket{route=%s,le=\"+Inf\"} %d\n", quote(route), h.n)
		fmt.Fprintf(w, "rastro_http_request_duration_seconds_sum{route=%s} %s\n", quote(route), strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(w, "rastro_http_request_duration_seconds_count{route=%s} %d\n", quote(route), h.n)
	}
	header(w, "rastro_export_rows_total", "counter", "Data rows written by exports, by report.")
	for _, name := range sortedKeys(m.export) {
		fmt.Fprintf(w, "rastro_export_rows_total{report=%s} %d\n", quote(name), m.export[name])
	}
	header(w, "rastro_connections_refused_total", "counter", "Connections closed at accept: too many from one address without a complete request (per_address), too many such connections in all (pending), or too many open (open).")
	for _, reason := range []string{"open", "pending", "per_address"} {
		fmt.Fprintf(w, "rastro_connections_refused_total{reason=%q} %d\n", reason, m.refused[reason])
	}
	kind := m.storeKind
	gauges := append([]gauge(nil), m.gauges...)
	m.mu.Unlock()
	for _, g := range gauges {
		if v, err := g.read(ctx); err == nil {
			header(w, g.name, "gauge", g.help)
			fmt.Fprintf(w, "%s %s\n", g.name, strconv.FormatFloat(v, 'g', -1, 64))
		}
	}

	header(w, "rastro_ingest_events_total", "counter", "Events received by POST /api/v1/events: stored, already stored, or invalid (their batch was refused).")
	fmt.Fprintf(w, "rastro_ingest_events_total{result=\"accepted\"} %d\n", m.ingestAccepted.Load())
	fmt.Fprintf(w, "rastro_ingest_events_total{result=\"duplicate\"} %d\n", m.ingestDuplicate.Load())
	fmt.Fprintf(w, "rastro_ingest_events_total{result=\"rejected\"} %d\n", m.ingestRejected.Load())
	header(w, "rastro_connections_open", "gauge", "Client connections open on the main listener.")
	fmt.Fprintf(w, "rastro_connections_open %d\n", m.connsOpen.Load())
	header(w, "rastro_connections_pending", "gauge", "Open connections without a complete request yet (new, or reading headers or body).")
	fmt.Fprintf(w, "rastro_connections_pending %d\n", m.connsPending.Load())
	header(w, "rastro_http_body_timeouts_total", "counter", "Requests answered 408 because their body stopped arriving.")
	fmt.Fprintf(w, "rastro_http_body_timeouts_total %d\n", m.bodyTimeouts.Load())
	header(w, "rastro_http_write_timeouts_total", "counter", "Responses cut because the client stopped reading them.")
	fmt.Fprintf(w, "rastro_http_write_timeouts_total %d\n", m.writeTimeouts.Load())
	if kind != "" {
		header(w, "rastro_store_info", "gauge", "The store this process serves (always 1).")
		fmt.Fprintf(w, "rastro_store_info{kind=%s} 1\n", quote(kind))
	}
	err := w.Flush()
	return cw.n, err
}

func header(w io.Writer, name, typ, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

// quote escapes a label value as the text format wants (backslash, double
// quote, newline).
func quote(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v) + `"`
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
