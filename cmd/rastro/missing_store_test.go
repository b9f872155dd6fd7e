package main

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/rastro/rastro/internal/storetest"
)

// readCommands are the commands that read or maintain a store: with a
// --db that holds none (a typo) they refuse instead of creating an empty
// store.
var readCommands = [][]string{
	{"report", "interactions", "--tenant", "acme", "--format", "csv"},
	{"bench", "--mixes", "1"},
	{"backup", "BACKUP"},
	{"rebuild"},
	{"token", "list", "--tenant", "acme"},
	{"token", "revoke", "tok-1"},
	{"contact", "anonymize", "--tenant", "acme", "c-1"},
	{"analytics", "sync", "--analytics", "clickhouse://127.0.0.1:1/x"},
	{"tenant", "set", "--tenant", "acme", "--sl-seconds", "30"},
	{"ingest", "--tenant", "acme", "-"},
	{"connector", "list"},
	{"connector", "revoke", "cn_1"},
	{"connector", "errors", "--tenant", "acme"},
	{"connector", "replay", "--tenant", "acme"},
}

func TestReadingCommandsRefuseAStoreThatDoesNotExist(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		dsn := filepath.Join(dir, "typo.db")
		for _, c := range readCommands {
			args := withDB(c, dsn, dir)
			_, stderr, code := runRastro(t, "", args...)
			if code == 0 || !strings.Contains(stderr, "no rastro store at "+dsn) {
				t.Errorf("rastro %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr)
			}
			if _, err := os.Stat(dsn); !os.IsNotExist(err) {
				t.Fatalf("rastro %s created %s", strings.Join(args, " "), dsn)
			}
		}
		src := filepath.Join(dir, "missing.db")
		_, stderr, code := runRastro(t, "", "copy", "--from", src, "--to", filepath.Join(dir, "out.db"))
		if code == 0 || !strings.Contains(stderr, "no rastro store at "+src) {
			t.Errorf("copy --from a missing store: exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.PostgresDSN(t) // an empty schema: no rastro tables
		dir := t.TempDir()
		for _, c := range readCommands {
			args := withDB(c, dsn, dir)
			_, stderr, code := runRastro(t, "", args...)
			if code == 0 || !strings.Contains(stderr, "no rastro store at") {
				t.Errorf("rastro %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr)
			}
		}
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()`).Scan(&n); err != nil || n != 0 {
			t.Errorf("the refused commands left %d tables in the schema (%v)", n, err)
		}
	})
}

func TestCreatingCommandsStillMakeANewStore(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "new.db")
	stdout, stderr, code := runRastro(t, `{"id":"e","type":"agent.login","at":"2026-10-01T10:00:00Z","agent_id":"a"}`, "ingest", "--db", dsn, "--tenant", "acme", "--create-tenant", "-")
	if code != 0 || !strings.Contains(stdout, `"accepted":1`) {
		t.Fatalf("ingest --create-tenant into a new store: exit %d: %s %s", code, stdout, stderr)
	}
	if _, stderr, code := runRastro(t, "", "token", "list", "--db", dsn, "--tenant", "acme"); code != 0 {
		t.Fatalf("token list on the new store: exit %d: %s", code, stderr)
	}
}

// withDB adds --db (and puts a BACKUP target in dir).
func withDB(c []string, dsn, dir string) []string {
	args := make([]string, 0, len(c)+2)
	for _, a := range c {
		if a == "BACKUP" {
			a = filepath.Join(dir, "backup.db")
		}
		args = append(args, a)
	}
	n := 1
	switch c[0] {
	case "report", "token", "contact", "analytics", "tenant", "connector":
		n = 2 // a subcommand or report name comes before the flags
	}
	out := append([]string{}, args[:n]...)
	out = append(out, "--db", dsn)
	return append(out, args[n:]...)
}

func TestServingAStoreWithoutLoginsSaysHowToCreateTheFirst(t *testing.T) {
	bin := rastroBinary(t)
	dsn := filepath.Join(t.TempDir(), "empty.db")
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--db", dsn, "--addr", addr)
	stderr := &syncBuffer{seen: "rastro user add --db " + dsn, signal: make(chan struct{})}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	select {
	case <-stderr.signal:
	case <-time.After(30 * time.Second):
	}
	if !strings.Contains(stderr.String(), "this store has no login yet") || !strings.Contains(stderr.String(), "rastro user add --db "+dsn+" --tenant TENANT --username admin --role admin") {
		t.Fatalf("serve on a store without logins said: %q", stderr.String())
	}
}
