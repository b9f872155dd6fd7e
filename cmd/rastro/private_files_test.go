//go:build unix

package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Whatever umask it is started with, rastro creates its files for its
// owner only: the store and a backup. The demo writes no recordings (they
// are synthesised on request).
func TestRastroCreatesItsFilesForItsOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022) // the usual umask, inherited by the command
	defer syscall.Umask(old)
	dir := t.TempDir()
	dsn := filepath.Join(dir, "rastro.db")
	recs := filepath.Join(dir, "gravacoes")
	if _, stderr, code := runRastro(t, "", "demo", "--db", dsn, "--legs", "20", "--days", "1", "--recordings", recs); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	backup := filepath.Join(dir, "copia.db")
	if _, stderr, code := runRastro(t, "", "backup", "--db", dsn, backup); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, stderr)
	}
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if st.IsDir() {
			want = 0o700
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s: mode %#o, want %#o", strings.TrimPrefix(path, dir), got, want)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(backup); err != nil || n < 2 {
		t.Fatalf("%d files written (backup: %v)", n, err)
	}
	if _, err := os.Stat(recs); err == nil {
		t.Errorf("demo created the recordings folder %s: its recordings are synthesised, not written", recs)
	}
}

// rastro user add: a username of one tenant cannot be saved for another.
func TestUserAddRefusesToMoveAUsernameToAnotherTenant(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "rastro.db")
	if _, stderr, code := runRastro(t, "", "user", "add", "--db", dsn, "--tenant", "acme", "--username", "ana", "--role", "viewer", "--password", "first password"); code != 0 {
		t.Fatalf("user add: exit %d: %s", code, stderr)
	}
	_, stderr, code := runRastro(t, "", "user", "add", "--db", dsn, "--tenant", "globex", "--username", "ana", "--role", "admin", "--password", "other password")
	if code == 0 || !strings.Contains(stderr, "another tenant") {
		t.Fatalf("moving ana to globex: exit %d, stderr %q; want a refusal naming the tenants", code, stderr)
	}
	t.Logf("refused: %s", strings.TrimSpace(stderr))
}
