package httpserve

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/reqinfo"
)

// start serves h with cfg on 127.0.0.1 and returns its address.
func start(t *testing.T, h http.Handler, cfg Config) (*Server, string) {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := New(h, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return s, ln.Addr().String()
}

// dialFrom opens a TCP connection to addr from the loopback address src
// (Linux routes all of 127/8 on lo).
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// refusedWithin dials addr from src and reports whether the server closed
// the connection within d (it may be reset before the dial returns).
func refusedWithin(t *testing.T, src, addr string, d time.Duration) bool {
	t.Helper()
	dl := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := dl.Dial("tcp", addr)
	if err != nil {
		return true
	}
	defer c.Close()
	return closedWithin(c, d)
}

// readResponse reads one answer off c.
func readResponse(t *testing.T, c net.Conn, within time.Duration) (*http.Response, []byte) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(within))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, body
}

// closedWithin reports whether the server closed c (EOF or reset) within d.
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// readAll answers the size of the body it read, or 400 on a read error.
type readAll struct {
	mu     sync.Mutex
	errs   []error
	ctxErr []error
}

func (h *readAll) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n, err := io.Copy(io.Discard, r.Body)
	h.mu.Lock()
	h.errs = append(h.errs, err)
	h.ctxErr = append(h.ctxErr, r.Context().Err())
	h.mu.Unlock()
	if err != nil {
		http.Error(w, "could not read body", http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, "%d", n)
}

func TestStalledBodyIsAnswered408AndClosed(t *testing.T) {
	h := &readAll{}
	m := NewMetrics()
	s, addr := start(t, h, Config{BodyWindow: 300 * time.Millisecond, BodyMinBytes: 1024, Metrics: m})
	c := dialFrom(t, "127.0.0.1", addr)
	fmt.Fprintf(c, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nusername=a")
	began := time.Now()
	res, body := readResponse(t, c, 5*time.Second)
	if res.StatusCode != http.StatusRequestTimeout || !res.Close {
		t.Errorf("stalled body: status %d, close %v, body %q; want 408 and Connection: close", res.StatusCode, res.Close, body)
	}
	if waited := time.Since(began); waited > 3*time.Second {
		t.Errorf("408 after %v, window is 300ms", waited)
	}
	if !closedWithin(c, 3*time.Second) {
		t.Error("connection left open after the 408")
	}
	h.mu.Lock()
	if len(h.errs) != 1 || h.errs[0] == nil || h.ctxErr[0] == nil {
		t.Errorf("handler saw read errors %v and context errors %v; want a read error and a cancelled context", h.errs, h.ctxErr)
	}
	h.mu.Unlock()
	if m.bodyTimeouts.Load() != 1 {
		t.Errorf("body timeouts = %d, want 1", m.bodyTimeouts.Load())
	}
	waitConns(t, s, 0, 0)
}

func TestSlowMovingBodyIsRead(t *testing.T) {
	h := &readAll{}
	// 1 KiB every 100 ms: 20 KiB take 2 s, nearly seven windows of 300 ms,
	// each of which sees at least the 1 KiB minimum.
	_, addr := start(t, h, Config{BodyWindow: 300 * time.Millisecond, BodyMinBytes: 1024})
	c := dialFrom(t, "127.0.0.1", addr)
	const size = 20 << 10
	fmt.Fprintf(c, "POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", size)
	chunk := bytes.Repeat([]byte("x"), 1024)
	for sent := 0; sent < size; sent += len(chunk) {
		time.Sleep(100 * time.Millisecond)
		if _, err := c.Write(chunk); err != nil {
			t.Fatalf("after %d bytes: %v", sent, err)
		}
	}
	res, body := readResponse(t, c, 5*time.Second)
	if res.StatusCode != http.StatusOK || string(body) != fmt.Sprint(size) {
		t.Errorf("slow moving body: status %d, body %q; want 200 %d", res.StatusCode, body, size)
	}
	// The connection stays usable (keep-alive) and its deadline is lifted:
	// a second request after more than a window still works.
	time.Sleep(500 * time.Millisecond)
	fmt.Fprintf(c, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok")
	res, body = readResponse(t, c, 5*time.Second)
	if res.StatusCode != http.StatusOK || string(body) != "2" {
		t.Errorf("second request: status %d, body %q", res.StatusCode, body)
	}
}

// A handler that answers for longer than the body window after reading its
// body must not be cut by the read deadline (the server's background read).
func TestLongAnswerAfterBodyIsNotCut(t *testing.T) {
	var ctxErr error
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(800 * time.Millisecond)
		ctxErr = r.Context().Err()
		fmt.Fprint(w, "done")
	})
	_, addr := start(t, h, Config{BodyWindow: 200 * time.Millisecond, BodyMinBytes: 1024})
	res, err := http.Post("http://"+addr+"/x", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "done" || ctxErr != nil {
		t.Errorf("status %d, body %q, handler context %v", res.StatusCode, body, ctxErr)
	}
}

// waitConns waits until the server counts open and pending connections.
func waitConns(t *testing.T, s *Server, open, pending int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		o, p := s.Conns()
		if o == open && p == pending {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("connections: %d open, %d pending; want %d and %d", o, p, open, pending)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPerAddressCapClosesExcessConnectionsFromThatAddressOnly(t *testing.T) {
	m := NewMetrics()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	s, addr := start(t, h, Config{MaxPendingPerAddr: 3, Metrics: m})

	// Three connections from 127.0.0.2 that send nothing fill its cap.
	var held []net.Conn
	for i := 0; i < 3; i++ {
		held = append(held, dialFrom(t, "127.0.0.2", addr))
	}
	waitConns(t, s, 3, 3)
	// A fourth from the same address is closed at once.
	if !refusedWithin(t, "127.0.0.2", addr, 2*time.Second) {
		t.Error("a fourth pending connection from 127.0.0.2 was kept")
	}
	// Another address is not affected.
	other := dialFrom(t, "127.0.0.3", addr)
	fmt.Fprint(other, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if res, body := readResponse(t, other, 5*time.Second); res.StatusCode != 200 || string(body) != "ok" {
		t.Errorf("127.0.0.3: status %d, body %q", res.StatusCode, body)
	}
	// A connection that delivered its request no longer counts: once one of
	// the three held ones did, 127.0.0.2 may open another.
	fmt.Fprint(held[0], "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if res, _ := readResponse(t, held[0], 5*time.Second); res.StatusCode != 200 {
		t.Errorf("held connection: status %d", res.StatusCode)
	}
	waitConns(t, s, 4, 2) // three held (one idle now) and the 127.0.0.3 one, idle
	again := dialFrom(t, "127.0.0.2", addr)
	fmt.Fprint(again, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if res, _ := readResponse(t, again, 5*time.Second); res.StatusCode != 200 {
		t.Errorf("new 127.0.0.2 connection after one completed: status %d", res.StatusCode)
	}
	m.mu.Lock()
	refused := m.refused["per_address"]
	m.mu.Unlock()
	if refused != 1 {
		t.Errorf("refused per address = %d, want 1", refused)
	}
}

func TestGlobalPendingCap(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	s, addr := start(t, h, Config{MaxPendingPerAddr: 10, MaxPending: 2})
	dialFrom(t, "127.0.0.2", addr)
	dialFrom(t, "127.0.0.3", addr)
	waitConns(t, s, 2, 2)
	if !refusedWithin(t, "127.0.0.4", addr, 2*time.Second) {
		t.Error("a third pending connection was kept over the global cap of 2")
	}
}

func TestStalledReaderIsCutAndHandlerContextCancelled(t *testing.T) {
	type outcome struct {
		written int64
		err     error
		ctxErr  error
		took    time.Duration
	}
	got := make(chan outcome, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now()
		chunk := bytes.Repeat([]byte("row,row,row\n"), 8<<10)
		var n int64
		for {
			k, err := w.Write(chunk)
			n += int64(k)
			if err != nil {
				// What an export does: its row source runs on the request
				// context, which must be cancelled by now.
				select {
				case <-r.Context().Done():
				case <-time.After(time.Second):
				}
				got <- outcome{n, err, r.Context().Err(), time.Since(began)}
				return
			}
			if time.Since(began) > 20*time.Second {
				got <- outcome{n, errors.New("never cut"), nil, time.Since(began)}
				return
			}
		}
	})
	m := NewMetrics()
	_, addr := start(t, h, Config{WriteIdle: 300 * time.Millisecond, Metrics: m})
	c := dialFrom(t, "127.0.0.1", addr)
	c.(*net.TCPConn).SetReadBuffer(4 << 10)
	fmt.Fprint(c, "GET /export HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case o := <-got:
		if !errors.Is(o.err, os.ErrDeadlineExceeded) || o.ctxErr == nil {
			t.Errorf("after %d bytes in %v: write error %v, context error %v; want a deadline error and a cancelled context", o.written, o.took, o.err, o.ctxErr)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("handler still writing")
	}
	if m.writeTimeouts.Load() != 1 {
		t.Errorf("write timeouts = %d, want 1", m.writeTimeouts.Load())
	}
}

// A slow reader that keeps reading gets the whole answer, however long it
// takes: the write deadline moves with every write.
func TestSlowReaderThatKeepsReadingGetsEverything(t *testing.T) {
	const chunks, size = 12, 256 << 10
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), size)
		for i := 0; i < chunks; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	_, addr := start(t, h, Config{WriteIdle: 300 * time.Millisecond})
	c := dialFrom(t, "127.0.0.1", addr)
	c.(*net.TCPConn).SetReadBuffer(16 << 10)
	fmt.Fprint(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	buf := make([]byte, 64<<10)
	began := time.Now()
	for {
		k, err := res.Body.Read(buf)
		n += int64(k)
		if err != nil {
			break
		}
		time.Sleep(40 * time.Millisecond) // ≈ 1.6 MB/s: the 3 MB take ≥ 2 s, several WriteIdle
	}
	if n != chunks*size {
		t.Errorf("read %d bytes in %v, want %d", n, time.Since(began), chunks*size)
	}
}

// Flush, ReadFrom (http.ServeContent) and http.ResponseController work
// through the guard.
func TestFlushReadFromAndResponseController(t *testing.T) {
	dir := t.TempDir()
	data := bytes.Repeat([]byte("0123456789abcdef"), 70000) // 1.1 MB: several ReadFrom chunks
	path := filepath.Join(dir, "rec.wav")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /file", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(io.ReaderFrom); !ok {
			t.Error("the writer lost io.ReaderFrom")
		}
		f, _ := os.Open(path)
		defer f.Close()
		st, _ := f.Stat()
		http.ServeContent(w, r, "rec.wav", st.ModTime(), f)
	})
	mux.HandleFunc("GET /flush", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(http.Flusher); !ok {
			t.Error("the writer lost http.Flusher")
		}
		rc := http.NewResponseController(w)
		fmt.Fprint(w, "first")
		if err := rc.Flush(); err != nil {
			t.Errorf("ResponseController.Flush: %v", err)
		}
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("ResponseController.SetWriteDeadline: %v", err)
		}
		fmt.Fprint(w, " second")
	})
	_, addr := start(t, mux, Config{})
	res, err := http.Get("http://" + addr + "/file")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(body, data) {
		t.Errorf("file: %d bytes, want %d", len(body), len(data))
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/file", nil)
	req.Header.Set("Range", "bytes=1000-1999")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusPartialContent || !bytes.Equal(body, data[1000:2000]) {
		t.Errorf("range: status %d, %d bytes", res.StatusCode, len(body))
	}
	res, err = http.Get("http://" + addr + "/flush")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "first second" {
		t.Errorf("flush: %q", body)
	}
}

// The request log line and the metrics: route pattern (never the path),
// status, bytes, the principal a handler recorded, a generated request id.
func TestRequestLogAndMetrics(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &logs}, nil))
	m := NewMetrics()
	m.SetStore("sqlite")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/interactions/{protocol}/history", func(w http.ResponseWriter, r *http.Request) {
		info := reqinfo.From(r.Context())
		info.SetPrincipal("token:7", "acme")
		info.SetExport("interactions", 12)
		info.AddIngest(3, 1, 0)
		fmt.Fprint(w, "hello")
	})
	_, addr := start(t, mux, Config{Metrics: m, Logger: logger})
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/interactions/SECRET123/history", nil)
	req.Header.Set(RequestIDHeader, "client-chosen")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	id := res.Header.Get(RequestIDHeader)
	if len(id) != 16 || id == "client-chosen" {
		t.Errorf("request id %q: want a generated one", id)
	}
	res, err = http.Get("http://" + addr + "/nowhere/SECRET456")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	var out bytes.Buffer
	if _, err := m.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		`rastro_http_requests_total{route="GET /api/v1/interactions/{protocol}/history",code="200"} 1`,
		`rastro_http_requests_total{route="unmatched",code="404"} 1`,
		`rastro_http_request_duration_seconds_count{route="GET /api/v1/interactions/{protocol}/history"} 1`,
		`rastro_http_request_duration_seconds_bucket{route="unmatched",le="+Inf"} 1`,
		`rastro_export_rows_total{report="interactions"} 12`,
		`rastro_ingest_events_total{result="accepted"} 3`,
		`rastro_ingest_events_total{result="duplicate"} 1`,
		`rastro_ingest_events_total{result="rejected"} 0`,
		`rastro_store_info{kind="sqlite"} 1`,
		`rastro_connections_refused_total{reason="per_address"} 0`,
		"# TYPE rastro_http_request_duration_seconds histogram",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, "SECRET") || strings.Contains(text, "acme") {
		t.Error("metrics carry a raw path or a tenant")
	}

	mu.Lock()
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	mu.Unlock()
	if len(lines) != 2 {
		t.Fatalf("log lines: %q", lines)
	}
	for _, want := range []string{`"id":"` + id + `"`, `"method":"GET"`, `"route":"GET /api/v1/interactions/{protocol}/history"`, `"status":200`, `"bytes":5`, `"actor":"token:7"`, `"tenant":"acme"`, `"ms":`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line %s lacks %s", lines[0], want)
		}
	}
	if !strings.Contains(lines[1], `"status":404`) || strings.Contains(lines[1], "actor") {
		t.Errorf("unmatched request's log line: %s", lines[1])
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
