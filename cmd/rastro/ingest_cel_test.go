package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A cel_custom.conf mapping of an installation's own (time first, a
// literal, no ANI or AMA flags): a call dialled to PJSIP/1001 and
// answered, the caller hangs up.
const celCustomColumns = "eventtime,eventtype,-,linkedid,uniqueid,channame,cidnum,ciddnid,exten,context,appname,appdata,extra"

const celCustomFile = `"1791210000.000000","CHAN_START","pbx-sp","1791210000.40","1791210000.40","PJSIP/trunk-00000020","21955556666","551130003000","551130003000","from-external","","",""
"1791210000.100000","APP_START","pbx-sp","1791210000.40","1791210000.40","PJSIP/trunk-00000020","21955556666","551130003000","551130003000","from-external","Dial","PJSIP/1001,30",""
"1791210000.200000","CHAN_START","pbx-sp","1791210000.40","1791210000.41","PJSIP/1001-00000021","1001","","1001","from-internal","","",""
"1791210004.000000","ANSWER","pbx-sp","1791210000.40","1791210000.41","PJSIP/1001-00000021","1001","","1001","from-internal","AppDial","(Outgoing Line)",""
"1791210060.000000","HANGUP","pbx-sp","1791210000.40","1791210000.40","PJSIP/trunk-00000020","21955556666","551130003000","551130003000","from-external","","","{""hangupcause"":16,""hangupsource"":""PJSIP/trunk-00000020"",""dialstatus"":""ANSWER""}"
"1791210060.001000","HANGUP","pbx-sp","1791210000.40","1791210000.41","PJSIP/1001-00000021","1001","","1001","from-internal","","","{""hangupcause"":16,""hangupsource"":""PJSIP/trunk-00000020"",""dialstatus"":""""}"
`

// --cel-columns names a custom CEL layout: the call is read into its one
// leg; a line of another width is reported with file and line and nothing
// is stored; the flag is refused for another format or with an unknown
// field.
func TestIngestAsteriskCELWithCustomColumns(t *testing.T) {
	dir := t.TempDir()
	dsn, path := filepath.Join(dir, "rastro.db"), filepath.Join(dir, "cel.csv")
	bad := celCustomFile + `"1791210070.000000","HANGUP","pbx-sp","1.1"` + "\n"
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"ingest", "--db", dsn, "--tenant", "acme", "--create-tenant", "--format", "asterisk-cel", "--cel-columns", celCustomColumns}
	_, stderr, code := runRastro(t, "", append(args, path)...)
	if code != 1 || !strings.Contains(stderr, path+":7: expected 13 columns (--cel-columns), got 4") || !strings.Contains(stderr, "nothing was stored") {
		t.Fatalf("bad line: exit %d: %s", code, stderr)
	}
	if n, err := openStoreT(t, dsn).EventCount(context.Background(), "acme"); err != nil || n != 0 {
		t.Fatalf("%d events stored (%v)", n, err)
	}

	if err := os.WriteFile(path, []byte(celCustomFile), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runRastro(t, "", append(args, path)...); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, stderr)
	}
	rows := voiceRows(t, dsn, "acme")
	if len(rows) != 1 {
		t.Fatalf("%d rows: %v", len(rows), rows)
	}
	// 1791210000 = 11:20:00 in São Paulo; answered at +4 s, the caller
	// (hangupsource = the trunk) hangs up at +60 s.
	r := rows[0]
	for col, want := range map[string]string{
		"HORA": "11:20:00", "AGENTE": "PJSIP/1001", "STATUS": "service completed", "A PARTIR DE": "21955556666",
		"NÚMERO DISCADO": "551130003000", "NOME DO CANAL EXTERNO": "PJSIP/trunk-00000020", "NOME DO CANAL INTERNO": "PJSIP/1001-00000021",
		"DATA ATENDIDA": "2026-10-05 11:20:04", "DATA FINALIZAÇÃO CLIENTE": "05-10-2026 11:21:00", "DATA FINALIZAÇÃO AGENTE": "",
	} {
		if r[col] != want {
			t.Errorf("%s = %q, want %q", col, r[col], want)
		}
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "asterisk-cdr", "--cel-columns", celCustomColumns}, "--cel-columns applies to --format asterisk-cel only"},
		{[]string{"--format", "asterisk-cel", "--cel-columns", "eventtype,eventtime,uniqueid,linkedid,channame,hangupcause"}, `--cel-columns: column 6: unknown CEL field "hangupcause"`},
	} {
		a := append([]string{"ingest", "--db", dsn, "--tenant", "acme"}, c.args...)
		if _, stderr, code := runRastro(t, "", append(a, path)...); code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d: %s", c.args, code, stderr)
		}
	}
}
