package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cdrFile is a hand-written cdr_csv Master.csv (21 columns) in the PBX's
// local time (America/Sao_Paulo, the tenant's default zone): an answered
// inbound call with RTPAUDIOQOS in the userfield (jitter 84 ms, loss 3 %)
// and an unanswered one.
const cdrFile = `"","11987654321","551130001000","from-external","""Maria"" <11987654321>","PJSIP/trunk-00000001","PJSIP/1001-00000002","Queue","suporte,t,,,300","2026-10-05 10:00:00","2026-10-05 10:00:12","2026-10-05 10:03:12",192,180,"ANSWERED","DOCUMENTATION","1759669200.1","ssrc=1;themssrc=2;lp=12;rxjitter=0.002125;rxcount=1188;txjitter=0.084000;txcount=970;rlp=30;rtt=0.050000","","1759669200.1",1
"","1133334444","551130001000","from-external","""Jo` + "\xe3" + `o"" <1133334444>","PJSIP/trunk-00000003","","Queue","suporte,t,,,60","2026-10-05 10:05:00","","2026-10-05 10:06:00",60,0,"NO ANSWER","DOCUMENTATION","1759669500.3","","","1759669500.3",4
`

// reportRows runs `rastro report interactions` and returns its rows as
// maps by column name.
func reportRows(t *testing.T, dsn string, params ...string) []map[string]string {
	t.Helper()
	args := append([]string{"report", "interactions", "--db", dsn, "--tenant", "acme", "--media", "voice", "--from", "2026-10-05", "--to", "2026-10-05"}, params...)
	stdout, stderr, code := runRastro(t, "", args...)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(stdout, "\uFEFF")))
	cr.Comma = ';' // the export's default separator
	recs, err := cr.ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("report csv: %v\n%s", err, stdout)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, c := range recs[0] {
			m[c] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func TestIngestAsteriskCDRIsIdempotentAndFillsTheVoiceColumns(t *testing.T) {
	dir := t.TempDir()
	dsn, csvPath := filepath.Join(dir, "rastro.db"), filepath.Join(dir, "Master.csv")
	if err := os.WriteFile(csvPath, []byte(cdrFile), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runRastro(t, "", "ingest", "--db", dsn, "--tenant", "acme", "--create-tenant", "--format", "asterisk-cdr", "--cdr-queue-legs", csvPath)
	if code != 0 || !strings.Contains(stdout, `{"accepted":11,"duplicates":0}`) {
		t.Fatalf("first import: exit %d: %s %s", code, stdout, stderr)
	}
	stdout, stderr, code = runRastro(t, "", "ingest", "--db", dsn, "--tenant", "acme", "--format", "asterisk-cdr", "--cdr-queue-legs", csvPath)
	if code != 0 || !strings.Contains(stdout, `{"accepted":0,"duplicates":11}`) {
		t.Fatalf("re-import: exit %d: %s %s", code, stdout, stderr)
	}

	rows := reportRows(t, dsn, "--voice-status", "answered")
	if len(rows) != 1 {
		t.Fatalf("answered rows: %v", rows)
	}
	r := rows[0]
	t.Logf("row: %v", r)
	for col, want := range map[string]string{
		"NÚMERO DISCADO":          "551130001000",
		"NOME DO CANAL EXTERNO":   "PJSIP/trunk-00000001",
		"NOME DO CANAL INTERNO":   "PJSIP/1001-00000002",
		"JITTER":                  "Média", // 84 ms
		"PERDA DE PACOTE":         "Média", // 3 %
		"QUALIDADE DE CHAMADA":    "Média",
		"TIPO":                    "inbound",
		"A PARTIR DE":             "11987654321",
		"STATUS":                  "service completed",
		"SERVIDOR DE VOZ":         "",
		"DATA FINALIZAÇÃO AGENTE": "",
	} {
		if r[col] != want {
			t.Errorf("%s = %q, want %q", col, r[col], want)
		}
	}
	// SERVIÇO and AGENTE show the ids until the directory names them.
	if r["SERVIÇO"] != "suporte" || r["AGENTE"] != "PJSIP/1001" {
		t.Errorf("SERVIÇO %q, AGENTE %q: want the ids of the unnamed queue and agent", r["SERVIÇO"], r["AGENTE"])
	}
	// Local dates in the tenant's zone come back as written.
	if !strings.Contains(r["DATA ATENDIDA"], "10:00:12") || !strings.Contains(r["DATA FINALIZAÇÃO CLIENTE"], "10:03:12") {
		t.Errorf("dates: atendida %q, finalização cliente %q", r["DATA ATENDIDA"], r["DATA FINALIZAÇÃO CLIENTE"])
	}

	rows = reportRows(t, dsn, "--voice-status", "no_answer")
	if len(rows) != 1 || rows[0]["NÚMERO DISCADO"] != "551130001000" || rows[0]["NOME DO CANAL INTERNO"] != "" || rows[0]["JITTER"] != "" {
		t.Fatalf("no_answer rows: %v", rows)
	}
}

func TestIngestAsteriskCDRReportsBadLinesAndStoresNothing(t *testing.T) {
	dir := t.TempDir()
	dsn, csvPath := filepath.Join(dir, "rastro.db"), filepath.Join(dir, "Master.csv")
	bad := cdrFile + `"","1","2","ctx","x","PJSIP/a-1","","Dial","","yesterday","","",0,0,"NO ANSWER","DOCUMENTATION","99.1","","","99.1",1` + "\n"
	if err := os.WriteFile(csvPath, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runRastro(t, "", "ingest", "--db", dsn, "--tenant", "acme", "--create-tenant", "--format", "asterisk-cdr", "--timezone", "UTC", csvPath)
	if code != 1 || !strings.Contains(stderr, csvPath+`:3: bad start date "yesterday"`) || !strings.Contains(stderr, "nothing was stored") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n, err := openStoreT(t, dsn).EventCount(context.Background(), "acme"); err != nil || n != 0 {
		t.Fatalf("%d events stored (%v)", n, err)
	}
	stdout, stderr, code := runRastro(t, "", "ingest", "--db", dsn, "--tenant", "acme", "--format", "asterisk-cdr", "--cdr-columns", "start,uniqueid", csvPath)
	if code != 1 || !strings.Contains(stderr, "expected 2 columns") {
		t.Fatalf("custom map: exit %d: %s %s", code, stdout, stderr)
	}
	_, stderr, code = runRastro(t, "", "ingest", "--db", dsn, "--tenant", "acme", "--format", "asterisk-cdr", "--timezone", "Nowhere/Atlantis", csvPath)
	if code == 0 || !strings.Contains(stderr, "--timezone") {
		t.Fatalf("bad zone: exit %d: %s", code, stderr)
	}
}
