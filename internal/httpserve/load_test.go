package httpserve_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/httpserve"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/web"
)

// Load test bounds (README "Limits and timeouts", BENCHMARKS.md).
const (
	slowConns  = 500              // slow-body connections held open
	sources    = 8                // from 127.0.0.2 … 127.0.0.9 (62–63 each, under the cap of 64)
	attackFor  = 20 * time.Second // how long the slow bodies go on
	peakRSSMax = 300 << 20        // the test process's VmHWM must stay under this
)

// rastroServer is rastro serve's setup on a temporary SQLite store: a
// tenant, a UI login and an admin token, web behind httpserve with
// serve's limits (Defaults fitted to the file limit), except a body window
// of 5 s instead of 30 s so the slow bodies are answered 408 and
// reconnect within the test.
type rastroServer struct {
	srv     *httpserve.Server
	metrics *httpserve.Metrics
	addr    string
	token   string
}

func startRastro(t *testing.T, bodyWindow time.Duration) *rastroServer {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "rastro.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.EnsureTenant(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	g := store.Grant{Tenant: "acme", Role: model.RoleAdmin}
	if err := db.CreateUser(ctx, "alice", "correct horse", g); err != nil {
		t.Fatal(err)
	}
	_, token, err := db.CreateToken(ctx, g, "load")
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := web.New(db, web.Config{Logger: quiet, RecordingsDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	m := httpserve.NewMetrics()
	m.SetStore(db.Dialect())
	cfg := httpserve.Defaults()
	cfg.Metrics, cfg.Logger = m, quiet
	if _, err := httpserve.ApplyFileLimit(&cfg); err != nil {
		t.Fatal(err)
	}
	cfg.BodyWindow = bodyWindow
	s := httpserve.New(h, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return &rastroServer{srv: s, metrics: m, addr: ln.Addr().String(), token: token}
}

func (rs *rastroServer) client() *http.Client {
	return &http.Client{
		Timeout:       15 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 8},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// login signs alice in through the form (double-submit CSRF cookie).
func (rs *rastroServer) login(c *http.Client) error {
	form := url.Values{"username": {"alice"}, "password": {"correct horse"}, "csrf": {"tok"}, "next": {"/rastreio"}}
	req, _ := http.NewRequest("POST", "http://"+rs.addr+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "rastro_login", Value: "tok"})
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Set-Cookie"), web.SessionCookie+"=") {
		return fmt.Errorf("login: status %d", res.StatusCode)
	}
	return nil
}

// get reads an API path with the token and wants a 200.
func (rs *rastroServer) get(c *http.Client, path string) error {
	req, _ := http.NewRequest("GET", "http://"+rs.addr+path, nil)
	req.Header.Set("Authorization", "Bearer "+rs.token)
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d: %s", path, res.StatusCode, body)
	}
	return nil
}

// slowBody holds one connection from src sending a POST /login body one
// byte every 2 s; when the server answers (408) or closes, it reconnects.
func slowBody(stop <-chan struct{}, src, addr string, answered408, refused *atomic.Int64) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	buf := make([]byte, 512)
	for {
		select {
		case <-stop:
			return
		default:
		}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			refused.Add(1)
			time.Sleep(200 * time.Millisecond)
			continue
		}
		fmt.Fprintf(c, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\n", addr)
	trickle:
		for {
			if _, err := c.Write([]byte("u")); err != nil {
				break
			}
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			n, err := c.Read(buf)
			switch {
			case n > 0:
				if bytes.HasPrefix(buf[:n], []byte("HTTP/1.1 408")) {
					answered408.Add(1)
				}
				break trickle
			case err != nil && !errors.Is(err, os.ErrDeadlineExceeded):
				refused.Add(1) // closed before any answer
				break trickle
			}
			select {
			case <-stop:
				c.Close()
				return
			default:
			}
		}
		c.Close()
	}
}

func peakRSS(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// TestSlowBodiesDoNotStopTheServer is the load test of issue 11: 500
// connections trickle POST /login bodies from 127.0.0.2–9 while, from
// 127.0.0.1, logins and report reads keep succeeding (liveness, no timing
// asserted), and the process's peak RSS stays under 300 MB.
func TestSlowBodiesDoNotStopTheServer(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux: source addresses 127.0.0.2–9 on lo")
	}
	if testing.Short() {
		t.Skip("load test")
	}
	rs := startRastro(t, 5*time.Second)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var answered408, refused atomic.Int64
	for i := 0; i < slowConns; i++ {
		src := fmt.Sprintf("127.0.0.%d", 2+i%sources)
		wg.Add(1)
		go func() {
			defer wg.Done()
			slowBody(stop, src, rs.addr, &answered408, &refused)
		}()
	}
	// Wait until the slow connections are in (every one counts as pending).
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, pending := rs.srv.Conns(); pending >= slowConns*9/10 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, pendingAtStart := rs.srv.Conns()

	// Liveness from 127.0.0.1 while the attack goes on.
	var logins, reads atomic.Int64
	var failMu sync.Mutex
	var failures []string
	fail := func(err error) {
		failMu.Lock()
		if len(failures) < 10 {
			failures = append(failures, err.Error())
		}
		failMu.Unlock()
	}
	end := time.Now().Add(attackFor)
	var live sync.WaitGroup
	maxPending := 0
	var maxMu sync.Mutex
	for w := 0; w < 4; w++ {
		live.Add(1)
		go func() {
			defer live.Done()
			c := rs.client()
			for i := 0; time.Now().Before(end); i++ {
				var err error
				switch {
				case w == 0:
					err = rs.login(c)
					if err == nil {
						logins.Add(1)
					}
				default:
					path := []string{
						"/api/v1/reports/ivr?from=2026-10-01&to=2026-10-31",
						"/api/v1/reports/agents?from=2026-10-01&to=2026-10-31",
						"/api/v1/media",
					}[i%3]
					err = rs.get(c, path)
					if err == nil {
						reads.Add(1)
					}
				}
				if err != nil {
					fail(err)
				}
				_, p := rs.srv.Conns()
				maxMu.Lock()
				maxPending = max(maxPending, p)
				maxMu.Unlock()
			}
		}()
	}
	live.Wait()
	close(stop)
	wg.Wait()

	rss := peakRSS(t)
	t.Logf("%d slow-body connections from %d addresses for %v: %d answered 408, %d closed or refused before an answer; pending at start %d, at most %d; from 127.0.0.1: %d logins, %d report reads, %d failures; peak RSS (VmHWM) %.1f MB",
		slowConns, sources, attackFor, answered408.Load(), refused.Load(), pendingAtStart, maxPending, logins.Load(), reads.Load(), len(failures), float64(rss)/(1<<20))
	if len(failures) > 0 {
		t.Errorf("requests from 127.0.0.1 failed under the slow bodies: %q", failures)
	}
	if logins.Load() == 0 || reads.Load() == 0 {
		t.Errorf("liveness: %d logins and %d reads succeeded", logins.Load(), reads.Load())
	}
	if pendingAtStart < slowConns*9/10 {
		t.Errorf("only %d slow connections were held at once, want ≥ %d (the load did not build up)", pendingAtStart, slowConns*9/10)
	}
	if answered408.Load() == 0 {
		t.Error("no slow body was answered 408")
	}
	if rss > peakRSSMax {
		t.Errorf("peak RSS %d MB, bound %d MB", rss>>20, peakRSSMax>>20)
	}
	var out bytes.Buffer
	rs.metrics.WriteTo(&out)
	if !strings.Contains(out.String(), `rastro_http_requests_total{route="POST /login",code="408"}`) {
		t.Errorf("metrics do not count the 408s:\n%s", grepLines(out.String(), "rastro_http_requests_total"))
	}
}

// TestMetricsThroughWeb: the web hooks reach the metrics (principal-free
// counters of ingested events and exported rows) and the metrics listener
// answers without a token.
func TestMetricsThroughWeb(t *testing.T) {
	rs := startRastro(t, 30*time.Second)
	c := rs.client()
	batch, err := os.ReadFile("../ingest/testdata/chat-hold-and-personal-queue.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Count(bytes.TrimSpace(batch), []byte("\n")) + 1
	post := func(body []byte) int {
		req, _ := http.NewRequest("POST", "http://"+rs.addr+"/api/v1/events", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+rs.token)
		req.Header.Set("Content-Type", "application/x-ndjson")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	if code := post(batch); code != 200 {
		t.Fatalf("batch: %d", code)
	}
	if code := post(batch); code != 200 { // the same again: duplicates
		t.Fatalf("batch again: %d", code)
	}
	if code := post([]byte("{\"id\":\"x\"}\n{\"id\":\"y\",\"type\":\"nope\"}\n")); code != 422 {
		t.Fatalf("invalid batch: %d", code)
	}
	req, _ := http.NewRequest("GET", "http://"+rs.addr+"/api/v1/reports/agents/export?format=csv&from=2025-06-01&to=2025-06-30", nil)
	req.Header.Set("Authorization", "Bearer "+rs.token)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("export: %d %s", res.StatusCode, csv)
	}
	rows := res.Header.Get(web.RowsHeader)

	ms := httptest(t, httpserve.MetricsServer(rs.metrics))
	res, err = http.Get(ms + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	text := string(body)
	for _, want := range []string{
		fmt.Sprintf(`rastro_ingest_events_total{result="accepted"} %d`, lines),
		fmt.Sprintf(`rastro_ingest_events_total{result="duplicate"} %d`, lines),
		`rastro_ingest_events_total{result="rejected"} 2`,
		`rastro_export_rows_total{report="agents"} ` + rows,
		`rastro_http_requests_total{route="POST /api/v1/events",code="200"} 2`,
		`rastro_http_requests_total{route="POST /api/v1/events",code="422"} 1`,
		`rastro_http_requests_total{route="GET /api/v1/reports/agents/export",code="200"} 1`,
		`rastro_store_info{kind="sqlite"} 1`,
		`rastro_connections_open `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(text, "acme") {
		t.Error("metrics name a tenant")
	}
}

// httptest serves hs on a free loopback port and returns its base URL.
func httptest(t *testing.T, hs *http.Server) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String()
}

func grepLines(text, prefix string) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), prefix) {
			b.WriteString(sc.Text() + "\n")
		}
	}
	return b.String()
}
