package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/storetest"
)

// A queue and an agent the directory does not name show their ids; a
// names-only import then names them, and leaves an agent's other fields
// (its extension, from an earlier upsert) alone.
func TestDirectoryImportNamesQueuesAndAgentsAndUnnamedOnesShowTheirIds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		dir := t.TempDir()
		ql := filepath.Join(dir, "queue_log")
		if err := os.WriteFile(ql, []byte(oneCallQueueLog), 0o600); err != nil {
			t.Fatal(err)
		}
		ext := filepath.Join(dir, "users.ndjson")
		if err := os.WriteFile(ext, []byte(`{"id":"u1","type":"user.upserted","at":"2026-10-01T00:00:00Z","user":{"id":"PJSIP/1001","name":"Ramal 1001","tags":["noite"],"status":"ativo","extension":"1001"}}`+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		ingestInOrder(t, s.DSN, "acme", []voiceInput{{"ndjson", ext}, {"asterisk-queue-log", ql}})
		rows := voiceRows(t, s.DSN, "acme")
		if len(rows) != 2 || rows[0]["SERVIÇO"] != "suporte" || rows[0]["AGENTE"] != "Ramal 1001" || rows[1]["AGENTE"] != "PJSIP/1003" {
			t.Fatalf("unnamed: %v", rows)
		}

		bad := filepath.Join(dir, "bad.csv")
		if err := os.WriteFile(bad, []byte("kind,id,name\nqueue,suporte,Suporte\nphone,1001,X\nagent,,Ana\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, stderr, code := runRastro(t, "", "directory", "import", "--db", s.DSN, "--tenant", "acme", bad)
		if code != 1 || !strings.Contains(stderr, bad+`:3: kind: "phone"`) || !strings.Contains(stderr, bad+":4: id: empty") || !strings.Contains(stderr, "nothing was stored") {
			t.Fatalf("bad file: exit %d: %s", code, stderr)
		}

		names := filepath.Join(dir, "names.csv")
		if err := os.WriteFile(names, []byte("kind,id,name\nqueue,suporte,Suporte N1\nagent,PJSIP/1001,Ana Souza\nivr,ura-1,URA principal\ntag,t1,Resolvido\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := runRastro(t, "", "directory", "import", "--db", s.DSN, "--tenant", "acme", names)
		if code != 0 || !strings.Contains(stdout, `"accepted":4`) {
			t.Fatalf("import: exit %d: %s %s", code, stdout, stderr)
		}
		rows = voiceRows(t, s.DSN, "acme")
		if rows[0]["SERVIÇO"] != "Suporte N1" || rows[0]["AGENTE"] != "Ana Souza" || rows[1]["SERVIÇO"] != "vendas" || rows[1]["AGENTE"] != "PJSIP/1003" {
			t.Fatalf("named: %v", rows)
		}
		ext2, err := s.DB.Extensions(t.Context(), "acme")
		if err != nil || ext2["1001"] != "PJSIP/1001" {
			t.Fatalf("the extension of the named agent was touched: %v %v", ext2, err)
		}
	})
}
