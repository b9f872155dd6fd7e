package inbox_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/connectors/inbox"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// platform is the platform rastro sits in front of: it refuses the first
// attempts (refuse), then takes what comes while up.
type platform struct {
	mu       sync.Mutex
	refuse   int  // attempts still to answer 503
	down     bool // answer 503 to everything
	upFor    int  // when > 0, go down once this many were taken
	attempts int
	got      []received
}

type received struct {
	body      []byte
	signature string
}

func (p *platform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.attempts++
	if p.refuse > 0 || p.down {
		p.refuse--
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	p.got = append(p.got, received{body, r.Header.Get("X-Hub-Signature-256")})
	p.down = p.upFor > 0 && len(p.got) == p.upFor
}

func (p *platform) snapshot() (int, []received) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.attempts, append([]received(nil), p.got...)
}

func metaSignature(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// waitFor polls cond for at most 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestForwardRelaysEveryDeliveryOnceInOrderAcrossARestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		plat := &platform{refuse: 3, upFor: 2}
		srv := httptest.NewServer(plat) // 127.0.0.1
		defer srv.Close()
		const secret = "meta-app-secret"
		c, _, err := s.DB.CreateConnector(ctx, "loja", store.ConnectorWhatsApp, store.ConnectorSettings{VerifyToken: "v", AppSecret: secret, ForwardTo: srv.URL + "/webhook"})
		if err != nil {
			t.Fatal(err)
		}
		ib := inbox.New(s.DB, ingest.New(s.DB))
		var sent []received
		accept := func(name string) {
			t.Helper()
			body, err := os.ReadFile(filepath.Join("..", "whatsapp", "testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			sig := metaSignature(secret, body)
			_, stored, err := ib.Accept(ctx, c, "", sig, body)
			if err != nil || !stored {
				t.Fatalf("Accept %s: stored %v, %v", name, stored, err)
			}
			sent = append(sent, received{body, sig})
		}
		for _, name := range []string{"batch.json", "statuses_out_of_order.json", "status_failed.json"} {
			accept(name)
		}
		pending := func() int {
			p, err := s.DB.NextForwards(ctx, c.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			return len(p)
		}
		run := func() (stop func()) {
			rctx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			f := &inbox.Forwarder{DB: s.DB, Client: srv.Client(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				Idle: 5 * time.Millisecond, MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond}
			go func() { f.Run(rctx); close(done) }()
			return func() { cancel(); <-done }
		}

		// First run: three refusals, then the platform takes two deliveries
		// and goes down; rastro stops (a restart) with one still pending.
		stop := run()
		waitFor(t, "two deliveries marked relayed", func() bool { return pending() == 1 })
		stop()
		// One more arrives while rastro is down, then a new process runs.
		accept("status_unknown.json")
		plat.mu.Lock()
		plat.down, plat.upFor = false, 0
		plat.mu.Unlock()
		stop = run()
		waitFor(t, "every delivery relayed", func() bool { return pending() == 0 })
		stop()

		attempts, got := plat.snapshot()
		if len(got) != len(sent) {
			t.Fatalf("the platform took %d deliveries, want %d (each once)", len(got), len(sent))
		}
		for i := range sent {
			if string(got[i].body) != string(sent[i].body) || got[i].signature != sent[i].signature {
				t.Errorf("delivery %d relayed as %.60q / %q, want the bytes and header Meta sent: %.60q / %q", i, got[i].body, got[i].signature, sent[i].body, sent[i].signature)
			}
		}
		if attempts < len(sent)+3 {
			t.Errorf("%d attempts: the three refusals were not retried", attempts)
		}
	})
}
