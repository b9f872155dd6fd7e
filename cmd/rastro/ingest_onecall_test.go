package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/storetest"
)

// One call (uniqueid = linkedid 1791205200.7, 2026-10-05 10:00:00 in São
// Paulo = 13:00:00Z = epoch 1791205200), told by both its queue_log and its
// CDR: an IVR, the DID, queue suporte answered by PJSIP/1001 (PJSIP/1002
// rang and did not answer), a blind transfer into queue vendas answered by
// PJSIP/1003, the caller hangs up at +250 s.
const oneCallQueueLog = `1791205205|1791205200.7|NONE|NONE|DID|551130001000
1791205220|1791205200.7|suporte|NONE|ENTERQUEUE||11987654321|1
1791205230|1791205200.7|suporte|PJSIP/1001|CONNECT|10|1791205220.9|8
1791205320|1791205200.7|suporte|PJSIP/1001|BLINDTRANSFER|2000|from-queues|10|90|1
1791205321|1791205200.7|vendas|NONE|ENTERQUEUE||11987654321|1
1791205330|1791205200.7|vendas|PJSIP/1003|CONNECT|9|1791205321.12|7
1791205450|1791205200.7|vendas|PJSIP/1003|COMPLETECALLER|9|120|1
`

// Its cdr_csv Master.csv (21 columns), local time: the IVR row, the
// answered and the unanswered rows of queue suporte, the row of queue
// vendas; RTPAUDIOQOS of each answered row in the userfield.
const oneCallCDR = `"","11987654321","s","ivr-main","""Maria"" <11987654321>","PJSIP/trunk-00000001","","BackGround","menu","2026-10-05 10:00:00","2026-10-05 10:00:00","2026-10-05 10:00:20",20,20,"ANSWERED","DOCUMENTATION","1791205200.7","","","1791205200.7",1
"","11987654321","551130001000","from-external","""Maria"" <11987654321>","PJSIP/trunk-00000001","PJSIP/1001-00000002","Queue","suporte,t","2026-10-05 10:00:20","2026-10-05 10:00:30","2026-10-05 10:02:00",100,90,"ANSWERED","DOCUMENTATION","1791205200.7","ssrc=1;themssrc=2;lp=12;rxjitter=0.002125;rxcount=1188;txjitter=0.084000;txcount=970;rlp=30;rtt=0.050000","","1791205200.7",2
"","11987654321","551130001000","from-external","""Maria"" <11987654321>","PJSIP/trunk-00000001","PJSIP/1002-00000003","Queue","suporte,t","2026-10-05 10:00:20","","2026-10-05 10:00:30",10,0,"NO ANSWER","DOCUMENTATION","1791205200.7","","","1791205200.7",3
"","11987654321","2000","from-queues","""Maria"" <11987654321>","PJSIP/trunk-00000001","PJSIP/1003-00000005","Queue","vendas,t","2026-10-05 10:02:01","2026-10-05 10:02:10","2026-10-05 10:04:10",129,120,"ANSWERED","DOCUMENTATION","1791205200.7","ssrc=3;themssrc=4;lp=0;rxjitter=0.001000;rxcount=6000;txjitter=0.002000;txcount=6000;rlp=0;rtt=0.020000","","1791205200.7",4
`

// Its CEL (cel_custom.conf.sample's legacy Master.csv mapping, 21
// columns), dumped newest first: the caller's channel, the three member
// channels the queues rang, the blind transfer, the hang-ups with their
// source (the caller hung up on PJSIP/1003), LINKEDID_END.
const oneCallCEL = `"LINKEDID_END","My Literal","1791205450.002000","Maria","11987654321","11987654321","","551130001000","2000","from-queues","PJSIP/trunk-00000001","","","3","","1791205200.7","1791205200.7","","","",""
"HANGUP","My Literal","1791205450.001000","Ramal 1003","1003","1003","","","1003","from-queue","PJSIP/1003-00000005","","","3","","1791205321.11","1791205200.7","","","","{""hangupcause"":16,""hangupsource"":""PJSIP/trunk-00000001"",""dialstatus"":""""}"
"HANGUP","My Literal","1791205450.000000","Maria","11987654321","11987654321","","551130001000","2000","from-queues","PJSIP/trunk-00000001","","","3","","1791205200.7","1791205200.7","","","","{""hangupcause"":16,""hangupsource"":""PJSIP/trunk-00000001"",""dialstatus"":""""}"
"ANSWER","My Literal","1791205330.000000","Ramal 1003","1003","1003","","","1003","from-queue","PJSIP/1003-00000005","AppQueue","(Outgoing Line)","3","","1791205321.11","1791205200.7","","","",""
"CHAN_START","My Literal","1791205321.001000","Ramal 1003","1003","1003","","","1003","from-queue","PJSIP/1003-00000005","","","3","","1791205321.11","1791205200.7","","","",""
"APP_START","My Literal","1791205321.000000","Maria","11987654321","11987654321","","551130001000","2000","from-queues","PJSIP/trunk-00000001","Queue","vendas,t","3","","1791205200.7","1791205200.7","","","",""
"HANGUP","My Literal","1791205320.001000","Ramal 1001","1001","1001","","","1001","from-queue","PJSIP/1001-00000002","","","3","","1791205220.8","1791205200.7","","","","{""hangupcause"":16,""hangupsource"":""PJSIP/1001-00000002"",""dialstatus"":""""}"
"BLINDTRANSFER","My Literal","1791205320.000000","Ramal 1001","1001","1001","","","1001","from-queue","PJSIP/1001-00000002","AppQueue","(Outgoing Line)","3","","1791205220.8","1791205200.7","","","","{""extension"":""2000"",""context"":""from-queues"",""bridge_id"":""5d1c1f5e-0c52-4b7e-a7a4-3c2a1f0e9b11"",""transferee_channel_name"":""PJSIP/trunk-00000001"",""transferee_channel_uniqueid"":""1791205200.7""}"
"HANGUP","My Literal","1791205230.001000","Ramal 1002","1002","1002","","","1002","from-queue","PJSIP/1002-00000003","","","3","","1791205220.9","1791205200.7","","","","{""hangupcause"":19,""hangupsource"":"""",""dialstatus"":""""}"
"ANSWER","My Literal","1791205230.000000","Ramal 1001","1001","1001","","","1001","from-queue","PJSIP/1001-00000002","AppQueue","(Outgoing Line)","3","","1791205220.8","1791205200.7","","","",""
"CHAN_START","My Literal","1791205220.002000","Ramal 1002","1002","1002","","","1002","from-queue","PJSIP/1002-00000003","","","3","","1791205220.9","1791205200.7","","","",""
"CHAN_START","My Literal","1791205220.001000","Ramal 1001","1001","1001","","","1001","from-queue","PJSIP/1001-00000002","","","3","","1791205220.8","1791205200.7","","","",""
"APP_START","My Literal","1791205220.000000","Maria","11987654321","11987654321","","551130001000","551130001000","from-external","PJSIP/trunk-00000001","Queue","suporte,t","3","","1791205200.7","1791205200.7","","","",""
"CHAN_START","My Literal","1791205200.000000","Maria","11987654321","11987654321","","551130001000","s","ivr-main","PJSIP/trunk-00000001","","","3","","1791205200.7","1791205200.7","","","",""
`

// voiceRows runs `rastro report interactions` for tenant on 2026-10-05 and
// returns every row (all columns) by column name.
func voiceRows(t *testing.T, dsn, tenant string) []map[string]string {
	t.Helper()
	stdout, stderr, code := runRastro(t, "", "report", "interactions", "--db", dsn, "--tenant", tenant, "--media", "voice", "--from", "2026-10-05", "--to", "2026-10-05")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(stdout, "\uFEFF")))
	cr.Comma = ';'
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

type voiceInput struct{ format, path string }

// ingestInOrder stores the inputs, one `rastro ingest` each, in tenant.
func ingestInOrder(t *testing.T, dsn, tenant string, inputs []voiceInput, extra ...string) {
	t.Helper()
	for _, in := range inputs {
		args := append([]string{"ingest", "--db", dsn, "--tenant", tenant, "--create-tenant", "--format", in.format}, extra...)
		if _, stderr, code := runRastro(t, "", append(args, in.path)...); code != 0 {
			t.Fatalf("ingest %s: exit %d: %s", in.path, code, stderr)
		}
	}
}

// rowsInEveryReadOrder stores inputs in every order, each order into its
// own tenant (prefix and the order's number), fails unless every order
// gives the same voice rows, and returns them (PROTOCOLO, per tenant, left
// out).
func rowsInEveryReadOrder(t *testing.T, dsn, prefix string, inputs []voiceInput, extra ...string) []map[string]string {
	t.Helper()
	var first []map[string]string
	for k, order := range permutations(len(inputs)) {
		tenant := fmt.Sprintf("%s%d", prefix, k)
		var in []voiceInput
		for _, i := range order {
			in = append(in, inputs[i])
		}
		ingestInOrder(t, dsn, tenant, in, extra...)
		rows := voiceRows(t, dsn, tenant)
		for _, r := range rows {
			delete(r, "PROTOCOLO")
		}
		if k == 0 {
			first = rows
		} else if !reflect.DeepEqual(rows, first) {
			t.Fatalf("order %v:\n got %v\nwant %v", order, rows, first)
		}
	}
	return first
}

func permutations(n int) [][]int {
	if n == 1 {
		return [][]int{{0}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int(nil), p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

// TestQueueCallToldByQueueLogCDRAndCELAppearsOnceInEveryReadOrder is the
// hand-checked call of issue 16: its two Rastreio rows (the queue_log's
// legs) are the same in all six read orders, and every voice column is
// checked against the files by hand (see the comments).
func TestQueueCallToldByQueueLogCDRAndCELAppearsOnceInEveryReadOrder(t *testing.T) {
	dir := t.TempDir()
	ql, cdr, cel := filepath.Join(dir, "queue_log"), filepath.Join(dir, "Master.csv"), filepath.Join(dir, "cel.csv")
	for p, s := range map[string]string{ql: oneCallQueueLog, cdr: oneCallCDR, cel: oneCallCEL} {
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	inputs := []voiceInput{{"asterisk-queue-log", ql}, {"asterisk-cdr", cdr}, {"asterisk-cel", cel}}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		first := rowsInEveryReadOrder(t, s.DSN, "order", inputs, "--voice-server", "pbx-sp-01")
		if len(first) != 2 {
			t.Fatalf("want the queue_log's two legs, got %d rows: %v", len(first), first)
		}
		// Checked by hand against the files (local time = UTC-3); the
		// columns no Asterisk file fills are checked empty too.
		checkVoiceRows(t, first, []map[string]string{{
			// Leg 1: ENTERQUEUE suporte 1791205220 = 10:00:20, CONNECT
			// PJSIP/1001 1791205230 = 10:00:30 (the first "Alô"), ended by
			// the BLINDTRANSFER 1791205320 = 10:02:00; the CEL's HANGUP of
			// PJSIP/1001-00000002 (1791205320.001, hangupsource itself) is
			// the agent leaving: DATA FINALIZAÇÃO AGENTE; the caller stays.
			"DATA": "2026-10-05", "HORA": "10:00:20", "SERVIÇO": "suporte", "AGENTE": "PJSIP/1001",
			"STATUS": "service transferred", "TIPO": "inbound", "A PARTIR DE": "11987654321", "PARA": "551130001000",
			"DATA HORA ENTREGUE EM FILA": "2026-10-05 10:00:20", "DATA ATENDIDA": "2026-10-05 10:00:30",
			"DATA PRIMEIRA MENSAGEM": "2026-10-05 10:00:30", "DATA FINALIZADA": "2026-10-05 10:02:00",
			"DURAÇÃO": "00:01:30",
			// DID line; --voice-server; CDR row 2 / CEL channels.
			"NÚMERO DISCADO": "551130001000", "SERVIDOR DE VOZ": "pbx-sp-01",
			"NOME DO CANAL EXTERNO": "PJSIP/trunk-00000001", "NOME DO CANAL INTERNO": "PJSIP/1001-00000002",
			// RTPAUDIOQOS of CDR row 2: jitter max(2.125, 84) = 84 ms,
			// loss max(12/1200, 30/1000) = 3 %, rtt 50 ms.
			"JITTER": "Média", "PERDA DE PACOTE": "Média", "QUALIDADE DE CHAMADA": "Média", "MOS ESTIMADO": "3,9",
			"DATA FINALIZAÇÃO CLIENTE": "", "DATA FINALIZAÇÃO AGENTE": "05-10-2026 10:02:00",
		}, {
			// Leg 2: opened by the transfer at 10:02:00, ENTERQUEUE vendas
			// 1791205321 = 10:02:01, CONNECT PJSIP/1003 1791205330 =
			// 10:02:10, COMPLETECALLER 1791205450 = 10:04:10 (the CEL's
			// hangupsource is the caller's channel too).
			"DATA": "2026-10-05", "HORA": "10:02:00", "SERVIÇO": "vendas", "AGENTE": "PJSIP/1003",
			"STATUS": "service completed", "TIPO": "inbound", "A PARTIR DE": "11987654321", "PARA": "551130001000",
			"DATA HORA ENTREGUE EM FILA": "2026-10-05 10:02:01", "DATA ATENDIDA": "2026-10-05 10:02:10",
			"DATA PRIMEIRA MENSAGEM": "2026-10-05 10:02:10", "DATA FINALIZADA": "2026-10-05 10:04:10",
			"DURAÇÃO":        "00:02:00",
			"NÚMERO DISCADO": "551130001000", "SERVIDOR DE VOZ": "pbx-sp-01",
			"NOME DO CANAL EXTERNO": "PJSIP/trunk-00000001", "NOME DO CANAL INTERNO": "PJSIP/1003-00000005",
			// RTPAUDIOQOS of CDR row 4: jitter 2 ms, loss 0 %, rtt 20 ms.
			"JITTER": "Alta", "PERDA DE PACOTE": "Alta", "QUALIDADE DE CHAMADA": "Alta", "MOS ESTIMADO": "4,4",
			"DATA FINALIZAÇÃO CLIENTE": "05-10-2026 10:04:10", "DATA FINALIZAÇÃO AGENTE": "",
		}})
	})
}

// The CDR of the CEL fixture's first call (direct dial to PJSIP/1001, blind
// transfer to PJSIP/1003), cdr_csv 21 columns, local time.
const directCallCDR = `"","11987654321","551130002000","from-external","""Maria"" <11987654321>","PJSIP/trunk-00000010","PJSIP/1001-00000011","Dial","PJSIP/1001,30","2026-10-05 11:00:00","2026-10-05 11:00:05","2026-10-05 11:01:00",60,55,"ANSWERED","DOCUMENTATION","1791208800.20","","","1791208800.20",1
"","11987654321","1003","from-internal","""Maria"" <11987654321>","PJSIP/trunk-00000010","PJSIP/1003-00000013","Dial","PJSIP/1003,30","2026-10-05 11:01:01","2026-10-05 11:01:04","2026-10-05 11:03:00",119,116,"ANSWERED","DOCUMENTATION","1791208800.20","","","1791208800.20",2
`

// A call that never touches a queue, told by its CDR and its CEL: both name
// each leg by the channel it reached, so the call has its two legs once, in
// either read order; the CEL's transfer and hang-up source complete them.
func TestDirectCallToldByCDRAndCELHasEachLegOnce(t *testing.T) {
	dir := t.TempDir()
	cdr := filepath.Join(dir, "Master.csv")
	if err := os.WriteFile(cdr, []byte(directCallCDR), 0o600); err != nil {
		t.Fatal(err)
	}
	cel, err := filepath.Abs("../../internal/connectors/asterisk/testdata/cel_custom_legacy.csv")
	if err != nil {
		t.Fatal(err)
	}
	inputs := []voiceInput{{"asterisk-cdr", cdr}, {"asterisk-cel", cel}}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		first := rowsInEveryReadOrder(t, s.DSN, "order", inputs)
		// Two legs of the direct call, one of the CEL's unanswered call.
		if len(first) != 3 {
			t.Fatalf("%d rows: %v", len(first), first)
		}
		byChannel := map[string]map[string]string{}
		for _, r := range first {
			byChannel[r["NOME DO CANAL INTERNO"]] = r
		}
		a, b := byChannel["PJSIP/1001-00000011"], byChannel["PJSIP/1003-00000013"]
		if a == nil || b == nil {
			t.Fatalf("rows by internal channel: %v", byChannel)
		}
		// PJSIP/1001 blind-transferred at 11:01:00 and its channel hung
		// itself up then (CEL): the agent left, the caller did not — the
		// CDR's trunk row goes on at 11:01:01, so the CDR leaves who hung
		// up to the CEL, read before or after it.
		if a["STATUS"] != "service transferred" || a["AGENTE"] != "PJSIP/1001" || a["DATA ATENDIDA"] != "2026-10-05 11:00:05" ||
			a["DATA FINALIZADA"] != "2026-10-05 11:01:00" || a["DATA FINALIZAÇÃO AGENTE"] != "05-10-2026 11:01:00" ||
			a["DATA FINALIZAÇÃO CLIENTE"] != "" {
			t.Errorf("first leg %v", a)
		}
		if b["STATUS"] != "service completed" || b["AGENTE"] != "PJSIP/1003" || b["DATA FINALIZAÇÃO AGENTE"] != "" ||
			b["DATA FINALIZAÇÃO CLIENTE"] == "" || b["JITTER"] != "Alta" {
			t.Errorf("second leg %v", b)
		}
	})
}
