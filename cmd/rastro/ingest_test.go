package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/storetest"
)

// writeEvents writes n valid agent.login events (ids ev-FROM…) as NDJSON.
func writeEvents(t *testing.T, path string, from, n int, extra ...string) {
	t.Helper()
	var b strings.Builder
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, `{"id":"ev-%d","type":"agent.login","at":"2026-10-01T10:%02d:%02dZ","agent_id":"ag-%d"}`+"\n", i, (i/60)%60, i%60, i%50)
	}
	for _, l := range extra {
		b.WriteString(l + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

func runRastro(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(rastroBinary(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestIngestStoresNothingWhenAnyFileHasABadLine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		dir := t.TempDir()
		good, bad := filepath.Join(dir, "good.ndjson"), filepath.Join(dir, "bad.ndjson")
		writeEvents(t, good, 0, 100)
		writeEvents(t, bad, 100, 10, `{"id":"x","type":"agent.login","at":"9999-01-01T00:00:00Z","agent_id":"a"}`)
		_, stderr, code := runRastro(t, "", "ingest", "--db", s.DSN, "--tenant", "acme", "--create-tenant", good, bad)
		if code != 1 || !strings.Contains(stderr, bad+":11:") || !strings.Contains(stderr, "nothing was stored") {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		if n, err := s.DB.EventCount(context.Background(), "acme"); err != nil || n != 0 {
			t.Fatalf("%d events stored (%v)", n, err)
		}
		stdout, stderr, code := runRastro(t, "", "ingest", "--db", s.DSN, "--tenant", "acme", good)
		if code != 0 || !strings.Contains(stdout, `{"accepted":100,"duplicates":0}`) {
			t.Fatalf("exit %d: %s %s", code, stdout, stderr)
		}
	})
}

func TestIngestRefusesAnUnknownTenantUnlessAskedToCreateIt(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "rastro.db")
	if _, stderr, code := runRastro(t, `{"id":"e0","type":"agent.login","at":"2026-10-01T10:00:00Z","agent_id":"a"}`, "ingest", "--db", dsn, "--tenant", "acme", "--create-tenant", "-"); code != 0 {
		t.Fatalf("first tenant: exit %d: %s", code, stderr)
	}
	_, stderr, code := runRastro(t, `{"id":"e","type":"agent.login","at":"2026-10-01T10:00:00Z","agent_id":"a"}`, "ingest", "--db", dsn, "--tenant", "typo", "-")
	if code != 1 || !strings.Contains(stderr, `tenant "typo" does not exist`) {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	stdout, stderr, code := runRastro(t, `{"id":"e","type":"agent.login","at":"2026-10-01T10:00:00Z","agent_id":"a"}`, "ingest", "--db", dsn, "--tenant", "typo", "--create-tenant", "-")
	if code != 0 || !strings.Contains(stdout, `"accepted":1`) {
		t.Fatalf("stdin: exit %d: %s %s", code, stdout, stderr)
	}
}

// TestInterruptedIngestSaysWhatItStoredAndARerunCompletesIt: SIGTERM in
// the middle of a large file stops between transactions; running the same
// command again stores the rest, each event once.
func TestInterruptedIngestSaysWhatItStoredAndARerunCompletesIt(t *testing.T) {
	dir := t.TempDir()
	dsn, file := filepath.Join(dir, "rastro.db"), filepath.Join(dir, "big.ndjson")
	const total = 40_000
	writeEvents(t, file, 0, total)
	bin := rastroBinary(t)
	cmd := exec.Command(bin, "ingest", "--db", dsn, "--tenant", "acme", "--create-tenant", "--batch", "200", file)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	db := openStoreT(t, dsn)
	// Wait until some transactions are stored, then stop it.
	deadline := time.Now().Add(60 * time.Second)
	for {
		n, _ := db.EventCount(context.Background(), "acme")
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no event stored within 60 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	n, _ := db.EventCount(context.Background(), "acme")
	if n == total {
		t.Skipf("the ingest finished before SIGTERM arrived (%v); nothing to check", err)
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(errb.String(), "interrupted") || !strings.Contains(errb.String(), "run the same command again") {
		t.Fatalf("after SIGTERM: %v, stderr: %s", err, errb.String())
	}
	if n%200 != 0 {
		t.Errorf("%d events stored: not whole transactions of 200", n)
	}
	stdout, stderr, code := runRastro(t, "", "ingest", "--db", dsn, "--tenant", "acme", file)
	if code != 0 {
		t.Fatalf("rerun: exit %d: %s", code, stderr)
	}
	if want := fmt.Sprintf(`{"accepted":%d,"duplicates":%d}`, total-n, n); !strings.Contains(stdout, want) {
		t.Errorf("rerun printed %s, want %s", stdout, want)
	}
	if m, _ := db.EventCount(context.Background(), "acme"); m != total {
		t.Errorf("%d events after the rerun, want %d", m, total)
	}
}

func TestEveryCommandHelpGoesToStdoutWithExitZero(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"help"}, {"ingest", "--help"}, {"serve", "-h"}, {"demo", "--help"},
		{"rebuild", "--help"}, {"backup", "--help"}, {"copy", "--help"}, {"bench", "--help"},
		{"token", "create", "--help"}, {"user", "add", "--help"}, {"contact", "anonymize", "--help"},
		{"report", "ivr", "--help"}, {"report", "interactions", "-h"},
	} {
		stdout, stderr, code := runRastro(t, "", args...)
		if code != 0 || stdout == "" {
			t.Errorf("rastro %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, stdout, stderr)
		}
	}
}
