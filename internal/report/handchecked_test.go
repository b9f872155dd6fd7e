package report_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/storetest"
)

// handDirectory is shared by the hand-checked legs.
const handDirectory = `{"id":"d1","type":"service.upserted","at":"2025-06-01T00:00:00-03:00","service":{"id":"svc-sac","name":"SAC"}}
{"id":"d2","type":"service.upserted","at":"2025-06-01T00:00:00-03:00","service":{"id":"svc-fin","name":"Financeiro"}}
{"id":"d3","type":"user.upserted","at":"2025-06-01T00:00:00-03:00","user":{"id":"ag-carla","name":"Carla Dias","tags":["pleno"],"status":"ativo"}}
{"id":"d4","type":"user.upserted","at":"2025-06-01T00:00:00-03:00","user":{"id":"ag-bruno","name":"Bruno Lima","tags":["senior"],"status":"ativo"}}
{"id":"d5","type":"contact.upserted","at":"2025-06-01T00:00:00-03:00","contact":{"id":"ct-1","name":"José Silva","document":"390.533.447-05","emails":["ze@example.org"],"external_id":"CRM-1","portfolio":false}}
{"id":"d6","type":"tag.upserted","at":"2025-06-01T00:00:00-03:00","tag":{"id":"tg-ok","name":"Resolvido"}}
`

// handLegs: one leg per media, worked out by hand from SPEC.md §3 (the
// chat leg is the worked example, checked in internal/ingest).
var handLegs = []struct {
	media, events string
	want          []map[string]string // one map per expected row (chronological)
}{
	{media: "voice", events: `{"id":"v1","type":"interaction.created","at":"2025-06-03T10:00:00-03:00","interaction":"v","media":"voice","direction":"inbound","from":"+55 11 91234-5678","to":"1133334444","contact_id":"ct-1"}
{"id":"v2","type":"interaction.entered_omni","at":"2025-06-03T10:00:05-03:00","interaction":"v"}
{"id":"v3","type":"leg.queued","at":"2025-06-03T10:00:06-03:00","interaction":"v","leg":"v-1","service_id":"svc-sac"}
{"id":"v4","type":"leg.delivered","at":"2025-06-03T10:00:20-03:00","interaction":"v","leg":"v-1","agent_id":"ag-carla"}
{"id":"v5","type":"call.updated","at":"2025-06-03T10:00:25-03:00","interaction":"v","leg":"v-1","answered_at":"2025-06-03T10:00:25-03:00","dialed_number":"5511333344440","voice_server":"voz-1","external_channel":"PJSIP/trunk-1","internal_channel":"PJSIP/7001-1","jitter_ms":80,"packet_loss_pct":0.5,"voice_status":"answered"}
{"id":"v6","type":"call.updated","at":"2025-06-03T10:05:25-03:00","interaction":"v","client_hangup_at":"2025-06-03T10:05:25-03:00"}
{"id":"v7","type":"leg.finished","at":"2025-06-03T10:06:00-03:00","interaction":"v","leg":"v-1","status":"service completed","tags":["tg-ok"],"external_protocol":"EXT-1","comments":"ok"}`,
		want: []map[string]string{{
			"DATA": "2025-06-03", "HORA": "10:00:05", "PROTOCOLO": "20250603130000", "SERVIÇO": "SAC", "AGENTE": "Carla Dias",
			"ORIGEM": "Portal", "TIPO": "inbound", "PARA": "1133334444", "CONTATO": "José Silva", "A PARTIR DE": "+55 11 91234-5678",
			// Voice: answered 10:00:25 → first hang-up 10:05:25.
			"DURAÇÃO": "00:05:00", "TMP": "", "TMI": "", "TM1R": "", "TMR": "", "STATUS": "service completed", "PORTFOLIO": "Não",
			"ID EXTERNO": "CRM-1", "COMENTÁRIOS INTERNOS": "ok", "DOCUMENTO": "39053344705", "DATA ATENDIDA": "2025-06-03 10:00:25",
			// A call's first "Alô" is its answer (SPEC.md §3).
			"DATA FINALIZADA": "2025-06-03 10:05:25", "DATA PRIMEIRA MENSAGEM": "2025-06-03 10:00:25", "ÚLTIMA RESPOSTA": "indefinido",
			"PROTOCOLO EXTERNO": "EXT-1", "DATA HORA ENTREGUE EM FILA": "2025-06-03 10:00:06", "STATUS DE EXPIRAÇÃO": "",
			"JITTER": "Média", "PERDA DE PACOTE": "Alta", "QUALIDADE DE CHAMADA": "Média", "SERVIDOR DE VOZ": "voz-1",
			"NÚMERO DISCADO": "5511333344440", "NOME DO CANAL EXTERNO": "PJSIP/trunk-1", "NOME DO CANAL INTERNO": "PJSIP/7001-1",
			"DATA FINALIZAÇÃO CLIENTE": "03-06-2025 10:05:25", "DATA FINALIZAÇÃO AGENTE": "",
			// E-model: no RTT, Le = 2×80 + 10 = 170 → R = 93.2 − 5 − 2.5×0.5 = 86.95 → MOS 4.257.
			"MOS ESTIMADO": "4,3",
		}},
	},
	{media: "whatsapp", events: `{"id":"w1","type":"interaction.created","at":"2025-06-03T09:00:00-03:00","interaction":"w","media":"whatsapp","from":"5511912345678","to":"551130039000","started_by":"cliente","contact_id":"ct-1"}
{"id":"w2","type":"message","at":"2025-06-03T09:00:10-03:00","interaction":"w","message_id":"m1","sender":"client","text":"Oi"}
{"id":"w3","type":"interaction.entered_omni","at":"2025-06-03T09:00:30-03:00","interaction":"w"}
{"id":"w4","type":"leg.queued","at":"2025-06-03T09:00:31-03:00","interaction":"w","leg":"w-1","service_id":"svc-sac"}
{"id":"w5","type":"leg.delivered","at":"2025-06-03T09:01:00-03:00","interaction":"w","leg":"w-1","agent_id":"ag-carla"}
{"id":"w6","type":"message","at":"2025-06-03T09:01:30-03:00","interaction":"w","leg":"w-1","message_id":"m2","sender":"agent","agent_id":"ag-carla","text":"Olá"}
{"id":"w7","type":"message","at":"2025-06-03T09:02:00-03:00","interaction":"w","message_id":"m3","sender":"client","text":"Preciso de ajuda"}
{"id":"w8","type":"message","at":"2025-06-03T09:02:20-03:00","interaction":"w","leg":"w-1","message_id":"m4","sender":"agent","agent_id":"ag-carla","text":"Claro"}
{"id":"w9","type":"leg.finished","at":"2025-06-04T09:30:00-03:00","interaction":"w","leg":"w-1","status":"service completed"}`,
		want: []map[string]string{{
			"DATA": "2025-06-03", "HORA": "09:00:30", "PROTOCOLO": "202506031200000000", "SERVIÇO": "SAC", "AGENTE": "Carla Dias",
			"TIPO": "", "PARA": "", "CONTATO": "José Silva", "A PARTIR DE": "5511912345678",
			// 09:01:00 → next day 09:30:00; no hold.
			"DURAÇÃO": "24:29:00", "TMP": "24:29:00", "TMI": "00:00:00",
			// First reply 30 s after delivery; second 20 s after the client's 09:02:00 → mean 25 s.
			"TM1R": "00:00:30", "TMR": "00:00:25", "STATUS": "service completed",
			"DATA ATENDIDA": "2025-06-03 09:01:00", "DATA FINALIZADA": "2025-06-04 09:30:00", "DATA PRIMEIRA MENSAGEM": "2025-06-03 09:01:30",
			"ÚLTIMA RESPOSTA": "agente", "DATA HORA ENTREGUE EM FILA": "2025-06-03 09:00:31",
			// The client's last message (06-03 09:02) is more than 24 h before finalization.
			"STATUS DE EXPIRAÇÃO": "Expirado", "JITTER": "", "QUALIDADE DE CHAMADA": "", "ORIGEM DA CONVERSA": "Cliente",
		}},
	},
	{media: "email", events: `{"id":"e1","type":"interaction.created","at":"2025-06-03T14:00:00-03:00","interaction":"e","media":"email","from":"ze@example.org","contact_id":"ct-1"}
{"id":"e2","type":"interaction.entered_omni","at":"2025-06-03T14:00:00-03:00","interaction":"e"}
{"id":"e3","type":"message","at":"2025-06-03T14:00:00-03:00","interaction":"e","message_id":"m1","sender":"client","text":"Segunda via"}
{"id":"e4","type":"leg.queued","at":"2025-06-03T14:00:01-03:00","interaction":"e","leg":"e-1","service_id":"svc-fin"}
{"id":"e5","type":"leg.delivered","at":"2025-06-03T14:30:00-03:00","interaction":"e","leg":"e-1","agent_id":"ag-bruno"}
{"id":"e6","type":"message","at":"2025-06-03T15:00:00-03:00","interaction":"e","leg":"e-1","message_id":"m2","sender":"agent","agent_id":"ag-bruno","text":"Segue"}
{"id":"e7","type":"leg.finished","at":"2025-06-03T15:10:00-03:00","interaction":"e","leg":"e-1","status":"service completed"}`,
		want: []map[string]string{{
			"DATA": "2025-06-03", "HORA": "14:00:00", "PROTOCOLO": "20250603170000", "SERVIÇO": "Financeiro", "AGENTE": "Bruno Lima",
			"TIPO": "", "PARA": "", "A PARTIR DE": "ze@example.org", "DURAÇÃO": "00:40:00", "TMP": "", "TMI": "",
			"TM1R": "00:30:00", "TMR": "00:30:00", "ÚLTIMA RESPOSTA": "agente", "STATUS DE EXPIRAÇÃO": "",
			"DATA HORA ENTREGUE EM FILA": "2025-06-03 14:00:01", "NÚMERO DISCADO": "",
		}},
	},
	{media: "sms", events: `{"id":"s1","type":"interaction.created","at":"2025-06-03T16:00:00-03:00","interaction":"s","media":"sms","from":"5511988887777","contact_id":"ct-1"}
{"id":"s2","type":"interaction.entered_omni","at":"2025-06-03T16:00:00-03:00","interaction":"s"}
{"id":"s3","type":"leg.queued","at":"2025-06-03T16:00:00-03:00","interaction":"s","leg":"s-1","service_id":"svc-sac"}
{"id":"s4","type":"message","at":"2025-06-03T16:00:30-03:00","interaction":"s","message_id":"m1","sender":"client","text":"Oi"}
{"id":"s5","type":"leg.delivered","at":"2025-06-03T16:01:00-03:00","interaction":"s","leg":"s-1","agent_id":"ag-carla"}
{"id":"s6","type":"message","at":"2025-06-03T16:01:10-03:00","interaction":"s","leg":"s-1","message_id":"m2","sender":"agent","agent_id":"ag-carla","text":"Vou transferir"}
{"id":"s7","type":"leg.transferred","at":"2025-06-03T16:05:00-03:00","interaction":"s","leg":"s-1","new_leg":"s-2","to_service_id":"svc-fin"}
{"id":"s8","type":"leg.queued","at":"2025-06-03T16:05:00-03:00","interaction":"s","leg":"s-2","service_id":"svc-fin"}
{"id":"s9","type":"leg.delivered","at":"2025-06-03T16:06:00-03:00","interaction":"s","leg":"s-2","agent_id":"ag-bruno"}
{"id":"s10","type":"message","at":"2025-06-03T16:06:30-03:00","interaction":"s","leg":"s-2","message_id":"m3","sender":"agent","agent_id":"ag-bruno","text":"Financeiro aqui"}
{"id":"s11","type":"leg.finished","at":"2025-06-03T16:10:00-03:00","interaction":"s","leg":"s-2","status":"service completed","tags":["tg-ok"]}`,
		want: []map[string]string{{
			"DATA": "2025-06-03", "HORA": "16:00:00", "PROTOCOLO": "20250603190000", "SERVIÇO": "SAC", "AGENTE": "Carla Dias",
			"DURAÇÃO": "00:04:00", "TM1R": "00:00:10", "TMR": "00:00:10", "STATUS": "service transferred",
			"DATA HORA ENTREGUE EM FILA": "2025-06-03 16:00:00", "TMP": "", "TMI": "", "STATUS DE EXPIRAÇÃO": "",
		}, {
			// The transferred-in leg enters OMNI at the transfer.
			"DATA": "2025-06-03", "HORA": "16:05:00", "PROTOCOLO": "20250603190000", "SERVIÇO": "Financeiro", "AGENTE": "Bruno Lima",
			"DURAÇÃO": "00:04:00", "TM1R": "00:00:30", "TMR": "00:00:30", "STATUS": "service completed",
			"DATA HORA ENTREGUE EM FILA": "2025-06-03 16:05:00", "ÚLTIMA RESPOSTA": "agente",
		}},
	},
	{media: "instagram", events: `{"id":"i1","type":"interaction.created","at":"2025-06-03T20:00:00-03:00","interaction":"ig","media":"instagram","from":"@ze.silva","contact_id":"ct-1","origin":"Zendesk"}
{"id":"i2","type":"interaction.entered_omni","at":"2025-06-03T20:00:02-03:00","interaction":"ig"}
{"id":"i3","type":"message","at":"2025-06-03T20:00:03-03:00","interaction":"ig","message_id":"m1","sender":"client","text":"Oi"}
{"id":"i4","type":"leg.queued","at":"2025-06-03T20:00:04-03:00","interaction":"ig","leg":"ig-1","service_id":"svc-sac"}
{"id":"i5","type":"leg.delivered","at":"2025-06-03T20:00:10-03:00","interaction":"ig","leg":"ig-1","agent_id":"ag-carla"}
{"id":"i6","type":"message","at":"2025-06-03T20:00:20-03:00","interaction":"ig","leg":"ig-1","message_id":"m2","sender":"agent","agent_id":"ag-carla","text":"Olá!"}
{"id":"i7","type":"message","at":"2025-06-03T20:01:00-03:00","interaction":"ig","message_id":"m3","sender":"client","text":"Obrigado"}
{"id":"i8","type":"leg.finished","at":"2025-06-03T20:02:00-03:00","interaction":"ig","leg":"ig-1","status":"service completed","contact_id":"ct-1","document":"529.982.247-25"}`,
		want: []map[string]string{{
			"DATA": "2025-06-03", "HORA": "20:00:02", "PROTOCOLO": "20250603230000", "ORIGEM": "Zendesk", "A PARTIR DE": "@ze.silva",
			"DURAÇÃO": "00:01:50", "TMP": "", "TMI": "", "TM1R": "00:00:10", "TMR": "00:00:10",
			// The client wrote last; the document given at finalization wins over the contact's.
			"ÚLTIMA RESPOSTA": "cliente", "DOCUMENTO": "52998224725", "STATUS DE EXPIRAÇÃO": "", "PARA": "",
		}},
	},
	{media: "reclameaqui", events: `{"id":"r1","type":"interaction.created","at":"2025-06-03T18:00:00-03:00","interaction":"r","media":"reclameaqui","from":"5511977776666","contact_id":"ct-1"}
{"id":"r2","type":"interaction.entered_omni","at":"2025-06-03T18:00:00-03:00","interaction":"r"}
{"id":"r3","type":"leg.queued","at":"2025-06-03T18:00:01-03:00","interaction":"r","leg":"r-1","service_id":"svc-sac"}
{"id":"r4","type":"leg.finished","at":"2025-06-03T18:20:00-03:00","interaction":"r","leg":"r-1","status":"abandoned"}`,
		want: []map[string]string{{
			// Never delivered: no agent and every time metric empty.
			"DATA": "2025-06-03", "HORA": "18:00:00", "PROTOCOLO": "20250603210000", "SERVIÇO": "SAC", "AGENTE": "",
			"A PARTIR DE": "5511977776666", "DURAÇÃO": "", "TM1R": "", "TMR": "", "STATUS": "abandoned",
			"DATA ATENDIDA": "", "DATA FINALIZADA": "2025-06-03 18:20:00", "ÚLTIMA RESPOSTA": "indefinido",
			"DATA HORA ENTREGUE EM FILA": "2025-06-03 18:00:01",
		}},
	},
}

func TestHandCheckedLegPerMediaMatchesItsRowFieldByField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		if err := s.DB.EnsureTenant(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		in := ingest.New(s.DB)
		var all strings.Builder
		all.WriteString(handDirectory)
		for _, l := range handLegs {
			all.WriteString(l.events + "\n")
		}
		if _, err := in.IngestBody(ctx, "acme", []byte(all.String())); err != nil {
			t.Fatal(err)
		}
		r := report.New(s.DB)
		p := model.Principal{Tenant: "acme", Role: model.RoleAdmin, PersonalData: true}
		for _, l := range handLegs {
			v := url.Values{"media": {l.media}, "order": {"asc"}}
			if m, _ := model.MediaByID(l.media); m.HasFilter("service_status") {
				v.Set("service_status", "all")
			}
			q, err := r.ParseInteractions(ctx, p, v)
			if err != nil {
				t.Fatal(err)
			}
			tab, err := r.Interactions(ctx, p, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(tab.Rows) != len(l.want) {
				t.Fatalf("%s: %d rows, want %d", l.media, len(tab.Rows), len(l.want))
			}
			for i, want := range l.want {
				got := map[string]string{}
				for j, c := range tab.Columns {
					got[c] = tab.Rows[i][j]
				}
				for col, w := range want {
					if got[col] != w {
						t.Errorf("%s row %d: %s = %q, want %q", l.media, i+1, col, got[col], w)
					}
				}
			}
		}
	})
}
