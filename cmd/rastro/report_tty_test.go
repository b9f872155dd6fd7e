package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestXLSXIsNeverWrittenToATerminal runs `rastro report … --format xlsx`
// with its output on a pseudo-terminal (script(1) gives it one): it refuses
// and says how to get the file; with --out it writes the file.
func TestXLSXIsNeverWrittenToATerminal(t *testing.T) {
	bin := rastroBinary(t)
	dir := t.TempDir()
	dsn := filepath.Join(dir, "r.db")
	if _, stderr, code := runRastro(t, `{"id":"e","type":"agent.login","at":"2026-10-01T10:00:00Z","agent_id":"a"}`, "ingest", "--db", dsn, "--tenant", "acme", "--create-tenant", "-"); code != 0 {
		t.Fatalf("ingest: %s", stderr)
	}
	script, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("script(1) (util-linux) is needed to give the command a terminal: %v", err)
	}
	cmdline := bin + " report agents --db " + dsn + " --tenant acme --format xlsx"
	out, _ := exec.Command(script, "-qec", cmdline, "/dev/null").CombinedOutput()
	if !strings.Contains(string(out), "not written to a terminal") || strings.Contains(string(out), "PK\x03\x04") {
		t.Fatalf("xlsx on a terminal: %q", out)
	}
	file := filepath.Join(dir, "agents.xlsx")
	if out, err := exec.Command(script, "-qec", cmdline+" --out "+file, "/dev/null").CombinedOutput(); err != nil {
		t.Fatalf("xlsx with --out: %v %s", err, out)
	}
	b, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(b), "PK\x03\x04") {
		t.Fatalf("--out file is not an XLSX (zip): %v", err)
	}
}
