package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/rastro/rastro/internal/connectors/asterisk"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/storetest"
)

// TestQueueCallAttendedTransferGivesEachLegItsOwnBridgeInEveryReadOrder is
// a queue call that its member attended-transfers, told by its queue_log,
// its CDR and its CEL (internal/connectors/asterisk/testdata/
// queue_attended_transfer.*, sources in that folder's README): PJSIP/1001
// answers the caller from queue suporte, consults PJSIP/1003 through a
// Local pair (answered at 13:01:06, 24 s before the transfer) and
// completes the transfer at 13:01:30; the caller hangs up at 13:04:00.
// Each leg gets the channels, hang-up side and RTPAUDIOQOS quality of its
// own bridge with the caller — not the consultation's — in all six read
// orders, on SQLite and PostgreSQL; every voice column of both rows is
// checked against the files by hand.
func TestQueueCallAttendedTransferGivesEachLegItsOwnBridgeInEveryReadOrder(t *testing.T) {
	dir, err := filepath.Abs("../../internal/connectors/asterisk/testdata")
	if err != nil {
		t.Fatal(err)
	}
	inputs := []voiceInput{
		{"asterisk-queue-log", filepath.Join(dir, "queue_attended_transfer.queue_log")},
		{"asterisk-cdr", filepath.Join(dir, "queue_attended_transfer.cdr.csv")},
		{"asterisk-cel", filepath.Join(dir, "queue_attended_transfer.cel.csv")},
	}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		first := rowsInEveryReadOrder(t, s.DSN, "xfer", inputs, "--voice-server", "pbx-sp-01")
		checkVoiceRows(t, first, queueAttendedTransferRows())
	})
}

// queueAttendedTransferRows are the Rastreio rows of the queue call of
// queue_attended_transfer.* told by its three files, checked by hand
// against them (local time = UTC-3; the epoch 1791216000 is 13:00:00).
func queueAttendedTransferRows() []map[string]string {
	return []map[string]string{{
		// Leg 1 (queue_log): ENTERQUEUE suporte at +2 s = 13:00:02,
		// CONNECT PJSIP/1001 at +8 s = 13:00:08 (the first "Alô"),
		// ended by ATTENDEDTRANSFER at +90 s = 13:01:30.
		"DATA": "2026-10-05", "HORA": "13:00:02", "SERVIÇO": "suporte", "AGENTE": "PJSIP/1001",
		"STATUS": "service transferred", "TIPO": "inbound", "A PARTIR DE": "11987654321", "PARA": "551130003000",
		"DATA HORA ENTREGUE EM FILA": "2026-10-05 13:00:02", "DATA ATENDIDA": "2026-10-05 13:00:08",
		"DATA PRIMEIRA MENSAGEM": "2026-10-05 13:00:08",
		// The CEL's HANGUP of PJSIP/1001-00000061 at +90.004 s
		// (hangupsource itself, after its ATTENDEDTRANSFER): the agent
		// left; the caller stayed, so no client hang-up. It ends the
		// conversation: 13:00:08 → 13:01:30 is 82 s.
		"DATA FINALIZADA": "2026-10-05 13:01:30", "DURAÇÃO": "00:01:22",
		"DATA FINALIZAÇÃO CLIENTE": "", "DATA FINALIZAÇÃO AGENTE": "05-10-2026 13:01:30",
		// DID line; --voice-server; the caller's bridge with 1001
		// (CDR sequence 11, the CEL's BRIDGE_ENTER peers) — not the
		// consultation rows of PJSIP/1001 and the Local pair.
		"NÚMERO DISCADO": "551130003000", "SERVIDOR DE VOZ": "pbx-sp-01",
		"NOME DO CANAL EXTERNO": "PJSIP/trunk-00000060", "NOME DO CANAL INTERNO": "PJSIP/1001-00000061",
		// PJSIP/1001's RTPAUDIOQOS: jitter max(2.125, 84) = 84 ms,
		// loss max(12/1200, 30/1000) = 3 %, rtt 50 ms.
		"JITTER": "Média", "PERDA DE PACOTE": "Média", "QUALIDADE DE CHAMADA": "Média", "MOS ESTIMADO": "3,9",
	}, {
		// Leg 2: opened by the transfer at 13:01:30 into the bridge
		// ATTENDEDTRANSFER|BRIDGE names; the queue_log logs nothing
		// more of the call (app_queue's attended-transfer handler ends
		// its tracking), so the CEL tells the rest under that bridge's
		// leg: the caller joins PJSIP/1003's bridge at +90.003 s
		// (BRIDGE_ENTER) = DATA ATENDIDA, agent PJSIP/1003 (no
		// directory: the device), the caller's HANGUP at +240.001 s =
		// 13:04:00 with hangupsource = the trunk: DATA FINALIZAÇÃO
		// CLIENTE, service completed (the CDR's leg-less finish at the
		// end of sequence 15, 13:04:00, ends it first; the same second).
		// No queue of its own: suporte, the leg it came from.
		"DATA": "2026-10-05", "HORA": "13:01:30", "SERVIÇO": "suporte", "AGENTE": "PJSIP/1003",
		"STATUS": "service completed", "TIPO": "inbound", "A PARTIR DE": "11987654321", "PARA": "551130003000",
		"DATA HORA ENTREGUE EM FILA": "", "DATA ATENDIDA": "2026-10-05 13:01:30",
		"DATA PRIMEIRA MENSAGEM": "2026-10-05 13:01:30",
		"DATA FINALIZADA":        "2026-10-05 13:04:00", "DURAÇÃO": "00:02:30",
		"DATA FINALIZAÇÃO CLIENTE": "05-10-2026 13:04:00", "DATA FINALIZAÇÃO AGENTE": "",
		// The caller's bridge with 1003 (CDR sequence 15, the CEL's
		// transfer target).
		"NÚMERO DISCADO": "551130003000", "SERVIDOR DE VOZ": "pbx-sp-01",
		"NOME DO CANAL EXTERNO": "PJSIP/trunk-00000060", "NOME DO CANAL INTERNO": "PJSIP/1003-00000064",
		// PJSIP/1003's RTPAUDIOQOS (a newer Asterisk's, with rxmes/
		// txmes): jitter 2 ms, loss 0 %, rtt 20 ms.
		"JITTER": "Alta", "PERDA DE PACOTE": "Alta", "QUALIDADE DE CHAMADA": "Alta", "MOS ESTIMADO": "4,4",
	}}
}

// TestQueueCallAttendedTransferWithoutCELIsFinishedByTheCDRInEveryReadOrder
// is the same queue call told by its queue_log and CDR only: app_queue
// logs nothing after ATTENDEDTRANSFER|BRIDGE and the CDR cannot name the
// bridge, yet the leg the transfer opened is finished — by the end of the
// caller's last CDR row, a leg.finished without leg — and so shows in the
// Rastreio, in both read orders, on SQLite and PostgreSQL. What only the
// CEL knows stays empty: who hung up (DATA FINALIZAÇÃO CLIENTE/AGENTE of
// both legs) and the agent of the second (the consulted party answered
// the transferer; nothing names its agent for the caller's leg).
func TestQueueCallAttendedTransferWithoutCELIsFinishedByTheCDRInEveryReadOrder(t *testing.T) {
	dir, err := filepath.Abs("../../internal/connectors/asterisk/testdata")
	if err != nil {
		t.Fatal(err)
	}
	inputs := []voiceInput{
		{"asterisk-queue-log", filepath.Join(dir, "queue_attended_transfer.queue_log")},
		{"asterisk-cdr", filepath.Join(dir, "queue_attended_transfer.cdr.csv")},
	}
	want := queueAttendedTransferRows()
	// Leg 1: PJSIP/1001's hang-up after its transfer is the CEL's.
	want[0]["DATA FINALIZAÇÃO AGENTE"] = ""
	// Leg 2: CDR sequence 15, the caller bridged with PJSIP/1003 from
	// 13:01:30 (its answer: DATA ATENDIDA, the first "Alô") to 13:04:00
	// (its end: DATA FINALIZADA, 150 s); ANSWERED → service completed.
	// No hang-up side (a CDR has none), no agent (only the CEL's
	// BRIDGE_ENTER delivers the leg to PJSIP/1003).
	want[1]["DATA FINALIZAÇÃO CLIENTE"] = ""
	want[1]["AGENTE"] = ""
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		first := rowsInEveryReadOrder(t, s.DSN, "xfernocel", inputs, "--voice-server", "pbx-sp-01")
		checkVoiceRows(t, first, want)
	})
}

// checkVoiceRows checks every column of the voice rows got against want;
// the columns no Asterisk file fills (chat timings, contact, tabulation)
// are added to want empty, so every column of each row is checked.
func checkVoiceRows(t *testing.T, got, want []map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("want %d legs, got %d rows: %v", len(want), len(got), got)
	}
	for i, w := range want {
		for col, v := range map[string]string{"CONTATO": "", "ORIGEM": "Portal", "PORTFOLIO": "Não",
			"ID EXTERNO": "", "DOCUMENTO": "", "COMENTÁRIOS INTERNOS": "", "PROTOCOLO EXTERNO": "",
			"STATUS DE EXPIRAÇÃO": "", "TMP": "", "TMI": "", "TM1R": "", "TMR": "", "ÚLTIMA RESPOSTA": "indefinido"} {
			w[col] = v
		}
		if len(got[i]) != len(w) {
			t.Errorf("row %d has %d columns, %d checked: %v", i+1, len(got[i]), len(w), got[i])
		}
		for col, v := range w {
			if g, ok := got[i][col]; !ok || g != v {
				t.Errorf("row %d %s = %q, want %q", i+1, col, g, v)
			}
		}
	}
}

// The CDR of the CEL fixture cel_attended_transfer.csv (a direct call to
// PJSIP/1001, which attended-transfers it to 1003 through a Local pair),
// cdr_csv 21 columns, local time, rows as the Asterisk 12+ CDR
// specification makes them: the caller with 1001 until the transfer (21),
// the transferer's consultation with Local;1 (22) and, once the pair
// optimised away, with 1003 (24), the Local half ;2 dialling 1003 (23), the
// caller with 1003 from the transfer (25).
const directAttendedCDR = `"","11987654321","551130002000","from-external","""Maria"" <11987654321>","PJSIP/trunk-00000030","PJSIP/1001-00000031","Dial","PJSIP/1001,30","2026-10-05 12:00:00","2026-10-05 12:00:05","2026-10-05 12:01:10",70,65,"ANSWERED","DOCUMENTATION","1791212400.50","","","1791212400.50",21
"","1001","1001","from-internal","""Ramal 1001"" <1001>","PJSIP/1001-00000031","Local/1003@from-internal-00000001;1","AppDial","(Outgoing Line)","2026-10-05 12:00:40","2026-10-05 12:00:46","2026-10-05 12:00:47",7,1,"ANSWERED","DOCUMENTATION","1791212400.51","","","1791212400.50",22
"","1001","1003","from-internal","""Ramal 1001"" <1001>","Local/1003@from-internal-00000001;2","PJSIP/1003-00000032","Dial","PJSIP/1003,30","2026-10-05 12:00:40","2026-10-05 12:00:46","2026-10-05 12:00:47",7,1,"ANSWERED","DOCUMENTATION","1791212400.53","","","1791212400.50",23
"","1001","1001","from-internal","""Ramal 1001"" <1001>","PJSIP/1001-00000031","PJSIP/1003-00000032","AppDial","(Outgoing Line)","2026-10-05 12:00:47","2026-10-05 12:00:47","2026-10-05 12:01:10",23,23,"ANSWERED","DOCUMENTATION","1791212400.51","","","1791212400.50",24
"","11987654321","551130002000","from-external","""Maria"" <11987654321>","PJSIP/trunk-00000030","PJSIP/1003-00000032","Dial","PJSIP/1001,30","2026-10-05 12:01:10","2026-10-05 12:01:10","2026-10-05 12:03:20",130,130,"ANSWERED","DOCUMENTATION","1791212400.50","","","1791212400.50",25
`

// A direct call attended-transferred, told by its CDR and its CEL: the
// consultation rows make no leg, so the call has the two legs the CEL
// names (PJSIP/1001's, transferred, and PJSIP/1003's) in either read order,
// and the transferer's leg says the agent hung up (the CEL's hangupsource)
// and not the client (the CDR's caller went on to 1003).
func TestDirectCallAttendedTransferToldByCDRAndCELHasTheCallersTwoLegs(t *testing.T) {
	dir := t.TempDir()
	cdr := filepath.Join(dir, "Master.csv")
	if err := os.WriteFile(cdr, []byte(directAttendedCDR), 0o600); err != nil {
		t.Fatal(err)
	}
	cel, err := filepath.Abs("../../internal/connectors/asterisk/testdata/cel_attended_transfer.csv")
	if err != nil {
		t.Fatal(err)
	}
	inputs := []voiceInput{{"asterisk-cdr", cdr}, {"asterisk-cel", cel}}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		first := rowsInEveryReadOrder(t, s.DSN, "direct", inputs)
		if len(first) != 2 {
			t.Fatalf("want the caller's two legs, got %d rows: %v", len(first), first)
		}
		// Local time = UTC-3: the epoch 1791212400 is 12:00:00.
		for i, want := range []map[string]string{{
			// Answered at +5 s; ATTENDEDTRANSFER at +70 s; PJSIP/1001's
			// HANGUP at +70.003 s with hangupsource itself.
			"HORA": "12:00:00", "AGENTE": "PJSIP/1001", "STATUS": "service transferred",
			"DATA ATENDIDA": "2026-10-05 12:00:05", "DATA FINALIZADA": "2026-10-05 12:01:10", "DURAÇÃO": "00:01:05",
			"NOME DO CANAL EXTERNO": "PJSIP/trunk-00000030", "NOME DO CANAL INTERNO": "PJSIP/1001-00000031",
			"DATA FINALIZAÇÃO CLIENTE": "", "DATA FINALIZAÇÃO AGENTE": "05-10-2026 12:01:10",
		}, {
			// Opened and answered for the caller at the transfer; the
			// caller hangs up at +200 s (CDR end; CEL hangupsource trunk).
			"HORA": "12:01:10", "AGENTE": "PJSIP/1003", "STATUS": "service completed",
			"DATA ATENDIDA": "2026-10-05 12:01:10", "DATA FINALIZADA": "2026-10-05 12:03:20", "DURAÇÃO": "00:02:10",
			"NOME DO CANAL EXTERNO": "PJSIP/trunk-00000030", "NOME DO CANAL INTERNO": "PJSIP/1003-00000032",
			"DATA FINALIZAÇÃO CLIENTE": "05-10-2026 12:03:20", "DATA FINALIZAÇÃO AGENTE": "",
		}} {
			for col, v := range want {
				if got := first[i][col]; got != v {
					t.Errorf("row %d %s = %q, want %q", i+1, col, got, v)
				}
			}
		}
	})
}

// queueBlindTransferRows are the Rastreio rows of the queue call of
// queue_blind_transfer.* (internal/connectors/asterisk/testdata, sources
// in its README) told by its three files, checked by hand against them
// (local time = UTC-3; the epoch 1791219600 is 14:00:00): PJSIP/1001
// answers the caller from queue suporte and blind-transfers it out of the
// queues to extension 1003, which answers; the caller hangs up.
func queueBlindTransferRows() []map[string]string {
	return []map[string]string{{
		// Leg 1 (queue_log): ENTERQUEUE at +2 s, CONNECT PJSIP/1001 at
		// +8 s, BLINDTRANSFER at +90 s = 13:01:30 + 1 h; PJSIP/1001's
		// own HANGUP after it (CEL, +90.003 s): the agent's hang-up.
		"DATA": "2026-10-05", "HORA": "14:00:02", "SERVIÇO": "suporte", "AGENTE": "PJSIP/1001",
		"STATUS": "service transferred", "TIPO": "inbound", "A PARTIR DE": "11987654321", "PARA": "551130003000",
		"DATA HORA ENTREGUE EM FILA": "2026-10-05 14:00:02", "DATA ATENDIDA": "2026-10-05 14:00:08",
		"DATA PRIMEIRA MENSAGEM": "2026-10-05 14:00:08",
		"DATA FINALIZADA":        "2026-10-05 14:01:30", "DURAÇÃO": "00:01:22",
		"DATA FINALIZAÇÃO CLIENTE": "", "DATA FINALIZAÇÃO AGENTE": "05-10-2026 14:01:30",
		// DID; --voice-server; CDR sequence 21 and the CEL's 1001
		// channel; 1001's RTPAUDIOQOS (84 ms, 3 %, 50 ms).
		"NÚMERO DISCADO": "551130003000", "SERVIDOR DE VOZ": "pbx-sp-01",
		"NOME DO CANAL EXTERNO": "PJSIP/trunk-00000070", "NOME DO CANAL INTERNO": "PJSIP/1001-00000071",
		"JITTER": "Média", "PERDA DE PACOTE": "Média", "QUALIDADE DE CHAMADA": "Média", "MOS ESTIMADO": "3,9",
	}, {
		// Leg 2, <callid>-2: opened by the BLINDTRANSFER at 14:01:30;
		// app_queue logs nothing more (the caller left the queues for
		// 1003@from-internal). CDR sequence 22, the caller's Dial of
		// PJSIP/1003: answered at 14:01:35 (DATA ATENDIDA, the first
		// "Alô"), ended at 14:04:00 — its leg-less finish ends the leg
		// (service completed, ANSWERED), the same second as the CEL's
		// end of the call (the caller's HANGUP at +240.001 s). 145 s of
		// conversation. No agent (nothing
		// delivers a leg the CDR and CEL cannot name) and no hang-up
		// side (the CEL knows the caller hung up, but not which leg that
		// is). SERVIÇO: suporte, the leg it came from.
		"DATA": "2026-10-05", "HORA": "14:01:30", "SERVIÇO": "suporte", "AGENTE": "",
		"STATUS": "service completed", "TIPO": "inbound", "A PARTIR DE": "11987654321", "PARA": "551130003000",
		"DATA HORA ENTREGUE EM FILA": "", "DATA ATENDIDA": "2026-10-05 14:01:35",
		"DATA PRIMEIRA MENSAGEM": "2026-10-05 14:01:35",
		"DATA FINALIZADA":        "2026-10-05 14:04:00", "DURAÇÃO": "00:02:25",
		"DATA FINALIZAÇÃO CLIENTE": "", "DATA FINALIZAÇÃO AGENTE": "",
		// The DID repeated on the new leg; CDR sequence 22 and the CEL's
		// 1003 channel; 1003's RTPAUDIOQOS (2 ms, 0 %, 20 ms).
		"NÚMERO DISCADO": "551130003000", "SERVIDOR DE VOZ": "pbx-sp-01",
		"NOME DO CANAL EXTERNO": "PJSIP/trunk-00000070", "NOME DO CANAL INTERNO": "PJSIP/1003-00000072",
		"JITTER": "Alta", "PERDA DE PACOTE": "Alta", "QUALIDADE DE CHAMADA": "Alta", "MOS ESTIMADO": "4,4",
	}}
}

// TestQueueCallBlindTransferredOutOfTheQueuesIsFinishedAtTheCallsEndInEveryReadOrder:
// after BLINDTRANSFER to an extension app_queue logs nothing more, so the
// queue_log's second leg stayed open and out of the Rastreio. Told by the
// queue_log with the CDR, the CEL or both, in every read order, on SQLite
// and PostgreSQL, that leg is finished by the call's end: the end of the
// caller's last CDR row, else the CEL's first hang-up of the caller's
// last bridge.
func TestQueueCallBlindTransferredOutOfTheQueuesIsFinishedAtTheCallsEndInEveryReadOrder(t *testing.T) {
	dir, err := filepath.Abs("../../internal/connectors/asterisk/testdata")
	if err != nil {
		t.Fatal(err)
	}
	ql := voiceInput{"asterisk-queue-log", filepath.Join(dir, "queue_blind_transfer.queue_log")}
	cdr := voiceInput{"asterisk-cdr", filepath.Join(dir, "queue_blind_transfer.cdr.csv")}
	cel := voiceInput{"asterisk-cel", filepath.Join(dir, "queue_blind_transfer.cel.csv")}
	withCEL := queueBlindTransferRows()
	// Without the CEL: PJSIP/1001's hang-up after its transfer is unknown.
	withoutCEL := queueBlindTransferRows()
	withoutCEL[0]["DATA FINALIZAÇÃO AGENTE"] = ""
	// Without the CDR: the CEL gives leg 2 1003's channel, quality and
	// answer (+95 s = 14:01:35) at 1003's ANSWER, after the transfer, and
	// ends it at the caller's HANGUP (+240.001 s, 14:04:00): the same row.
	withoutCDR := queueBlindTransferRows()
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		checkVoiceRows(t, rowsInEveryReadOrder(t, s.DSN, "blind", []voiceInput{ql, cdr, cel}, "--voice-server", "pbx-sp-01"), withCEL)
		checkVoiceRows(t, rowsInEveryReadOrder(t, s.DSN, "blindcdr", []voiceInput{ql, cdr}, "--voice-server", "pbx-sp-01"), withoutCEL)
		checkVoiceRows(t, rowsInEveryReadOrder(t, s.DSN, "blindcel", []voiceInput{ql, cel}, "--voice-server", "pbx-sp-01"), withoutCDR)
	})
}

// TestAStoreOfTheOldAttendedTransferKeepsItsNumberedLegThroughReimportAndRebuild
// is a store that imported queue_attended_transfer.queue_log before the
// bridge's leg existed: its ATTENDEDTRANSFER|BRIDGE line was translated
// into a leg.transferred to <callid>-2, with the DID repeated on that leg,
// under the ids today's translation gives the same line (ids come from
// the line). Importing the three files again stores only what is new, so
// the old transfer stays: the bridge's leg shows (delivered by the CEL,
// finished) but without the transfer that opened it — no SERVIÇO, no
// dialled number — while <callid>-2 stays an open leg, out of the
// Rastreio; rebuild changes nothing. A new tenant gets the rows of
// TestQueueCallAttendedTransferGivesEachLegItsOwnBridgeInEveryReadOrder.
func TestAStoreOfTheOldAttendedTransferKeepsItsNumberedLegThroughReimportAndRebuild(t *testing.T) {
	dir, err := filepath.Abs("../../internal/connectors/asterisk/testdata")
	if err != nil {
		t.Fatal(err)
	}
	inputs := []voiceInput{
		{"asterisk-queue-log", filepath.Join(dir, "queue_attended_transfer.queue_log")},
		{"asterisk-cdr", filepath.Join(dir, "queue_attended_transfer.cdr.csv")},
		{"asterisk-cel", filepath.Join(dir, "queue_attended_transfer.cel.csv")},
	}
	const callid = "1791216000.60"
	bridgeLeg := "ast:" + callid + ":bridge:6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d"
	in, err := os.Open(inputs[0].path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var old bytes.Buffer
	enc := json.NewEncoder(&old)
	err = asterisk.Translate(in, asterisk.Options{}, func(_ int, ev model.Event) error {
		if ev.Leg == bridgeLeg {
			ev.Leg = callid + "-2"
		}
		if ev.NewLeg == bridgeLeg {
			ev.NewLeg = callid + "-2"
		}
		return enc.Encode(ev)
	})
	if err != nil {
		t.Fatal(err)
	}
	oldPath := filepath.Join(t.TempDir(), "old-translation.ndjson")
	if err := os.WriteFile(oldPath, old.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	want := queueAttendedTransferRows()
	want[1]["SERVIÇO"], want[1]["NÚMERO DISCADO"] = "", ""
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ingestInOrder(t, s.DSN, "oldstore", append([]voiceInput{{"ndjson", oldPath}}, inputs...), "--voice-server", "pbx-sp-01")
		reimported := voiceRows(t, s.DSN, "oldstore")
		if _, stderr, code := runRastro(t, "", "rebuild", "--db", s.DSN, "--tenant", "oldstore"); code != 0 {
			t.Fatalf("rebuild: exit %d: %s", code, stderr)
		}
		rebuilt := voiceRows(t, s.DSN, "oldstore")
		if !reflect.DeepEqual(rebuilt, reimported) {
			t.Errorf("rebuild changed the rows:\n got %v\nwant %v", rebuilt, reimported)
		}
		for _, r := range rebuilt {
			delete(r, "PROTOCOLO")
		}
		checkVoiceRows(t, rebuilt, want)
		ingestInOrder(t, s.DSN, "newstore", inputs, "--voice-server", "pbx-sp-01")
		fresh := voiceRows(t, s.DSN, "newstore")
		for _, r := range fresh {
			delete(r, "PROTOCOLO")
		}
		checkVoiceRows(t, fresh, queueAttendedTransferRows())
	})
}

// TestQueueCallOfAsterisk11TransferredOutOfTheQueuesIsFinishedAtTheCallsEndInEveryReadOrder
// is the blind transfer of queue_blind_transfer.* as Asterisk 1.8 to 11
// tell it (internal/connectors/asterisk/testdata/queue_transfer_ast11.*,
// sources in its README): chan_sip's channels, the queue_log's TRANSFER
// line (app_queue's try_calling when the caller's extension changed), a
// cdr_csv Master.csv of 18 columns (no linkedid: grouped by uniqueid) in
// the old CDR model, and a CEL with BRIDGE_START/BRIDGE_END, a plain
// BLINDTRANSFER extra and comma-separated HANGUP extras. The caller hangs
// up on 1003 at 14:03:59.9997. The rows are the 12+ call's but for the
// channels, PJSIP/1001's hang-up (Asterisk 11 sets no hang-up source on a
// transferer it hangs up itself) and the second the call ended in, which
// every set of files now tells alike: the CEL's end is the first hang-up
// of the caller's last bridge (1003's HANGUP, 14:03:59.9997), the instant
// the CDR's end truncates (14:03:59), no longer its LINKEDID_END
// (14:04:00.0003), which made DATA FINALIZADA one second later with the
// CEL alone than with the CDR.
func TestQueueCallOfAsterisk11TransferredOutOfTheQueuesIsFinishedAtTheCallsEndInEveryReadOrder(t *testing.T) {
	dir, err := filepath.Abs("../../internal/connectors/asterisk/testdata")
	if err != nil {
		t.Fatal(err)
	}
	ql := voiceInput{"asterisk-queue-log", filepath.Join(dir, "queue_transfer_ast11.queue_log")}
	cdr := voiceInput{"asterisk-cdr", filepath.Join(dir, "queue_transfer_ast11.cdr.csv")}
	cel := voiceInput{"asterisk-cel", filepath.Join(dir, "queue_transfer_ast11.cel.csv")}
	want := queueBlindTransferRows()
	want[0]["AGENTE"], want[0]["DATA FINALIZAÇÃO AGENTE"] = "SIP/1001", ""
	want[0]["NOME DO CANAL EXTERNO"], want[0]["NOME DO CANAL INTERNO"] = "SIP/trunk-00000070", "SIP/1001-00000071"
	want[1]["NOME DO CANAL EXTERNO"], want[1]["NOME DO CANAL INTERNO"] = "SIP/trunk-00000070", "SIP/1003-00000072"
	// The CDR's second row ends at 14:03:59 (billsec 144 from the answer
	// at 14:01:35); read with it, its whole-second end is the earliest
	// finish of the leg and so DATA FINALIZADA.
	want[1]["DATA FINALIZADA"], want[1]["DURAÇÃO"] = "2026-10-05 14:03:59", "00:02:24"
	// The CEL alone: the same second, 1003's HANGUP at 14:03:59.9997;
	// DURAÇÃO rounds the exact 144.9997 s the CDR truncated.
	withoutCDR := queueBlindTransferRows()
	for i := range want {
		for k, v := range want[i] {
			withoutCDR[i][k] = v
		}
	}
	withoutCDR[1]["DURAÇÃO"] = "00:02:25"
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		checkVoiceRows(t, rowsInEveryReadOrder(t, s.DSN, "ast11", []voiceInput{ql, cdr, cel}, "--voice-server", "pbx-sp-01"), want)
		checkVoiceRows(t, rowsInEveryReadOrder(t, s.DSN, "ast11cdr", []voiceInput{ql, cdr}, "--voice-server", "pbx-sp-01"), want)
		checkVoiceRows(t, rowsInEveryReadOrder(t, s.DSN, "ast11cel", []voiceInput{ql, cel}, "--voice-server", "pbx-sp-01"), withoutCDR)
	})
}

// TestQueueCallAttendedTransferredIntoAnApplicationIsFinishedAtTheCallsEndInEveryReadOrder
// is a queue call its member attended-transfers from the phone (a SIP
// REFER with Replaces) into the voicemail its consultation call reached:
// Asterisk 12+'s ast_bridge_transfer_attended moves the caller into that
// unbridged channel's place and app_queue logs
// ATTENDEDTRANSFER|APP|VoiceMail (internal/connectors/asterisk/testdata/
// queue_attended_app.*, sources in its README). PJSIP/1001 answers at
// 15:00:08 and transfers at 15:01:30; the caller leaves a message and
// hangs up at 15:02:30. Nobody took the call after the transfer, so the
// numbered leg the queue_log opened is finished "dequeued", unanswered,
// at the caller's hang-up — by the end of the caller's last CDR row (the
// VoiceMail row, answered by the application, bridged to nobody) or by
// the CEL's HANGUP — in every read order of queue_log + CDR, queue_log +
// CEL and all three, on SQLite and PostgreSQL.
func TestQueueCallAttendedTransferredIntoAnApplicationIsFinishedAtTheCallsEndInEveryReadOrder(t *testing.T) {
	dir, err := filepath.Abs("../../internal/connectors/asterisk/testdata")
	if err != nil {
		t.Fatal(err)
	}
	ql := voiceInput{"asterisk-queue-log", filepath.Join(dir, "queue_attended_app.queue_log")}
	cdr := voiceInput{"asterisk-cdr", filepath.Join(dir, "queue_attended_app.cdr.csv")}
	cel := voiceInput{"asterisk-cel", filepath.Join(dir, "queue_attended_app.cel.csv")}
	// Local time = UTC-3: the epoch 1791223200 is 15:00:00.
	rows := func() []map[string]string {
		return []map[string]string{{
			// Leg 1 (queue_log): ENTERQUEUE at +2 s, CONNECT PJSIP/1001
			// at +8 s (the first "Alô"), ATTENDEDTRANSFER|APP at +90 s;
			// PJSIP/1001's own HANGUP at +90.004 s after it (CEL,
			// hangupsource itself: the phone's BYE once the REFER
			// succeeded).
			"DATA": "2026-10-05", "HORA": "15:00:02", "SERVIÇO": "suporte", "AGENTE": "PJSIP/1001",
			"STATUS": "service transferred", "TIPO": "inbound", "A PARTIR DE": "11987654321", "PARA": "551130003000",
			"DATA HORA ENTREGUE EM FILA": "2026-10-05 15:00:02", "DATA ATENDIDA": "2026-10-05 15:00:08",
			"DATA PRIMEIRA MENSAGEM": "2026-10-05 15:00:08",
			"DATA FINALIZADA":        "2026-10-05 15:01:30", "DURAÇÃO": "00:01:22",
			"DATA FINALIZAÇÃO CLIENTE": "", "DATA FINALIZAÇÃO AGENTE": "05-10-2026 15:01:30",
			// DID; --voice-server; CDR sequence 31 and the CEL's 1001
			// channel; 1001's RTPAUDIOQOS (84 ms, 3 %, 50 ms).
			"NÚMERO DISCADO": "551130003000", "SERVIDOR DE VOZ": "pbx-sp-01",
			"NOME DO CANAL EXTERNO": "PJSIP/trunk-00000080", "NOME DO CANAL INTERNO": "PJSIP/1001-00000081",
			"JITTER": "Média", "PERDA DE PACOTE": "Média", "QUALIDADE DE CHAMADA": "Média", "MOS ESTIMADO": "3,9",
		}, {
			// Leg 2, <callid>-2: opened by the transfer at 15:01:30;
			// the caller is alone with VoiceMail (CDR sequence 32, no
			// dstchannel; no BRIDGE_ENTER in the CEL), so no answer, no
			// channels, no quality, no agent; its hang-up at 15:02:30
			// finishes it, dequeued. No hang-up side (the leg's other
			// party is an application). SERVIÇO: suporte, the leg it came
			// from; the DID repeated on the new leg.
			"DATA": "2026-10-05", "HORA": "15:01:30", "SERVIÇO": "suporte", "AGENTE": "",
			"STATUS": "dequeued", "TIPO": "inbound", "A PARTIR DE": "11987654321", "PARA": "551130003000",
			"DATA HORA ENTREGUE EM FILA": "", "DATA ATENDIDA": "", "DATA PRIMEIRA MENSAGEM": "",
			"DATA FINALIZADA": "2026-10-05 15:02:30", "DURAÇÃO": "",
			"DATA FINALIZAÇÃO CLIENTE": "", "DATA FINALIZAÇÃO AGENTE": "",
			"NÚMERO DISCADO": "551130003000", "SERVIDOR DE VOZ": "",
			"NOME DO CANAL EXTERNO": "", "NOME DO CANAL INTERNO": "",
			"JITTER": "", "PERDA DE PACOTE": "", "QUALIDADE DE CHAMADA": "", "MOS ESTIMADO": "",
		}}
	}
	withoutCEL := rows()
	// Without the CEL: PJSIP/1001's hang-up after its transfer is unknown.
	withoutCEL[0]["DATA FINALIZAÇÃO AGENTE"] = ""
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		checkVoiceRows(t, rowsInEveryReadOrder(t, s.DSN, "app", []voiceInput{ql, cdr, cel}, "--voice-server", "pbx-sp-01"), rows())
		checkVoiceRows(t, rowsInEveryReadOrder(t, s.DSN, "appcdr", []voiceInput{ql, cdr}, "--voice-server", "pbx-sp-01"), withoutCEL)
		checkVoiceRows(t, rowsInEveryReadOrder(t, s.DSN, "appcel", []voiceInput{ql, cel}, "--voice-server", "pbx-sp-01"), rows())
	})
}
