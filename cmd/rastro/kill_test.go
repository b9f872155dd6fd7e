package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// buildBinary compiles rastro once per test binary.
var buildOnce sync.Once
var binPath string
var buildErr error

func rastroBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rastro-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "rastro")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// createToken runs `rastro token create` and returns the last line.
func createToken(t *testing.T, bin, dsn string) string {
	t.Helper()
	out, err := exec.Command(bin, "token", "create", "--db", dsn, "--tenant", "acme", "--role", "supervisor").CombinedOutput()
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

func startServer(t *testing.T, bin, dsn, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", dsn, "--addr", addr)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Kill()
	t.Fatal("server did not become healthy")
	return nil
}

// batchBody makes n client messages of one interaction with unique ids.
func batchBody(b, n int) ([]byte, []string) {
	var buf bytes.Buffer
	ids := make([]string, n)
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("k-%d-%d", b, i)
		ids[i] = id
		ev := map[string]any{"id": id, "type": "message", "at": time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC).Add(time.Duration(b*n+i) * time.Second).Format(time.RFC3339),
			"interaction": fmt.Sprintf("i-%d", b), "message_id": id, "sender": "client", "text": "olá"}
		line, _ := json.Marshal(ev)
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), ids
}

func TestKilledServerKeepsEveryAcknowledgedEvent(t *testing.T) {
	bin := rastroBinary(t)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		s.DB.Close() // the server owns the store now
		token := createToken(t, bin, s.DSN)
		addr := freeAddr(t)
		srv := startServer(t, bin, s.DSN, addr)
		var mu sync.Mutex
		var acked []string
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var wg sync.WaitGroup
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for b := w; ctx.Err() == nil && b < 3000; b += 3 {
					body, ids := batchBody(b, 50)
					req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/api/v1/events", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+token)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						return // the server is gone
					}
					ok := resp.StatusCode == 200
					resp.Body.Close()
					if ok {
						mu.Lock()
						acked = append(acked, ids...)
						mu.Unlock()
					}
				}
			}(w)
		}
		// Kill once a fair number of batches were acknowledged.
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			n := len(acked)
			mu.Unlock()
			if n >= 2000 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = srv.Wait()
		cancel()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		if len(acked) < 2000 {
			t.Fatalf("only %d events acknowledged before the kill", len(acked))
		}
		db, err := store.Open(context.Background(), s.DSN)
		if err != nil {
			t.Fatalf("reopen after kill: %v", err)
		}
		defer db.Close()
		have, err := db.EventIDs(context.Background(), "acme")
		if err != nil {
			t.Fatal(err)
		}
		missing := 0
		for _, id := range acked {
			if !have[id] {
				missing++
			}
		}
		if missing > 0 {
			t.Fatalf("%d of %d acknowledged events lost after SIGKILL", missing, len(acked))
		}
		t.Logf("%d acknowledged events all present after SIGKILL (%d stored)", len(acked), len(have))
	})
}
