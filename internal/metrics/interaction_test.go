package metrics

import (
	"math/rand"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

func derive(b *tb, cfg Config) Interaction {
	return DeriveInteraction(b.evs, "", stdDir(), cfg)
}

func oneLeg(t *testing.T, ix Interaction) model.LegRow {
	t.Helper()
	if len(ix.Legs) != 1 {
		t.Fatalf("legs = %d, want 1", len(ix.Legs))
	}
	return ix.Legs[0]
}

// chatBase is a delivered chat leg: created 10:00, queued 10:00:05,
// delivered 10:01:00.

func chatBase(media string) *tb {
	return newTB("ix-1").
		created("10:00:00", media, func(e *model.Event) { e.ContactID = "ct-ze" }).
		omni("10:00:02").
		queued("10:00:05", "L1", "svc-sac").
		delivered("10:01:00", "L1", "ag-carla")
}

func TestMessageWithoutLegGoesToCurrentAgentLeg(t *testing.T) {
	b := newTB("ix-2").
		created("10:00:00", "chat", nil).
		msg("10:00:01", "", "client"). // before any leg: first leg
		queued("10:00:05", "L1", "svc-sac").
		msg("10:00:30", "", "client"). // before the first delivery: first leg
		delivered("10:01:00", "L1", "ag-carla").
		msg("10:01:10", "", "agent"). // Carla's leg
		transfer("10:02:00", "L1", "L2", "svc-fin", "").
		msg("10:02:30", "", "client"). // after the transfer: the new leg
		delivered("10:03:00", "L2", "ag-bruno").
		msg("10:03:20", "", "agent"). // Bruno's leg
		finished("10:04:00", "L2", "service completed", nil)
	ix := derive(b, Config{})
	if len(ix.Legs) != 2 {
		t.Fatalf("legs = %d", len(ix.Legs))
	}
	l1, l2 := ix.Legs[0], ix.Legs[1]
	if secs(l1.TM1R) != 10 || cell(t, l1, "ÚLTIMA RESPOSTA") != "agente" {
		t.Errorf("L1 TM1R %v last %q", secs(l1.TM1R), cell(t, l1, "ÚLTIMA RESPOSTA"))
	}
	// L2: delivered 10:03:00, the 10:02:30 client message is unanswered → 20 s.
	if secs(l2.TM1R) != 20 || secs(l2.TMR) != 20 || cell(t, l2, "AGENTE") != "Bruno Lima" {
		t.Errorf("L2 TM1R %v TMR %v agent %q", secs(l2.TM1R), secs(l2.TMR), cell(t, l2, "AGENTE"))
	}
	// A client message of L2 ended nothing in L1: L1's last message is Carla's.
}

func TestTransferEndsLegAndOpensNext(t *testing.T) {
	b := newTB("ix-3").
		created("10:00:00", "whatsapp", func(e *model.Event) { e.StartedBy = "cliente"; e.ContactID = "ct-ze" }).
		omni("10:00:01").
		queued("10:00:02", "L1", "svc-sac").
		delivered("10:00:10", "L1", "ag-carla").
		msg("10:00:20", "L1", "client").
		transfer("10:05:00", "L1", "L2", "svc-fin", "").
		queued("10:05:00", "L2", "svc-fin").
		delivered("10:06:00", "L2", "ag-bruno").
		finished("10:10:00", "L2", "service completed", func(e *model.Event) { e.Tags = []string{"t1"} }).
		transfer("10:20:00", "L3-never", "", "", "") // unknown leg, no new leg: still a finished leg row
	ix := derive(b, Config{})
	if len(ix.Legs) != 3 {
		t.Fatalf("legs = %d", len(ix.Legs))
	}
	l1, l2 := ix.Legs[0], ix.Legs[1]
	if l1.Status != "service transferred" || cell(t, l1, "STATUS") != "service transferred" {
		t.Errorf("L1 status %q", l1.Status)
	}
	if cell(t, l1, "DATA FINALIZADA") != "2025-06-02 10:05:00" || secs(l1.Duration) != 290 {
		t.Errorf("L1 fin %q dur %v", cell(t, l1, "DATA FINALIZADA"), secs(l1.Duration))
	}
	if cell(t, l1, "HORA") != "10:00:01" || cell(t, l2, "HORA") != "10:05:00" || l2.EnteredAt != b.at("10:05:00") {
		t.Errorf("HORA L1 %q L2 %q", cell(t, l1, "HORA"), cell(t, l2, "HORA"))
	}
	if l1.Seq != 1 || l2.Seq != 2 || cell(t, l2, "SERVIÇO") != "Financeiro" || cell(t, l1, "SERVIÇO") != "SAC" {
		t.Errorf("seq %d %d service %q %q", l1.Seq, l2.Seq, cell(t, l1, "SERVIÇO"), cell(t, l2, "SERVIÇO"))
	}
	if l2.Status != "service completed" || len(l2.Tags) != 1 || cell(t, l2, "ORIGEM DA CONVERSA") != "Cliente" {
		t.Errorf("L2 %+v", l2)
	}
	if cell(t, l1, "CONTATO") != "José Silva" {
		t.Errorf("CONTATO = %q", cell(t, l1, "CONTATO"))
	}
}

func TestTransferToAgentKeepsServiceAndNamesAgent(t *testing.T) {
	b := newTB("ix-4").
		created("10:00:00", "chat", nil).
		queued("10:00:02", "L1", "svc-sac").
		delivered("10:00:10", "L1", "ag-carla").
		transfer("10:05:00", "L1", "L2", "", "ag-bruno").
		finished("10:06:00", "L2", "abandoned", nil) // never delivered
	ix := derive(b, Config{})
	l2 := ix.Legs[1]
	if l2.ServiceID != "svc-sac" || l2.AgentID != "ag-bruno" {
		t.Errorf("L2 service %q agent %q", l2.ServiceID, l2.AgentID)
	}
	// Not delivered: no DATA ATENDIDA, so every time metric is empty, never 0.
	for _, h := range []string{"DURAÇÃO", "TMP", "TMI", "TM1R", "TMR", "DATA ATENDIDA", "HORA ENTREGUE AO AGENTE", "DATA HORA ENTREGUE EM FILA"} {
		if got := cell(t, l2, h); got != "" {
			t.Errorf("%s = %q, want empty", h, got)
		}
	}
	if l2.Duration != nil || l2.TMP != nil || l2.TMI != nil {
		t.Error("typed metrics must be nil")
	}
}

func TestUnfinishedLegHasNoRow(t *testing.T) {
	b := chatBase("chat").msg("10:02:00", "L1", "agent")
	ix := derive(b, Config{})
	if len(ix.Legs) != 0 {
		t.Errorf("legs = %d, want 0", len(ix.Legs))
	}
}

func TestContactAndDocumentFromTabulation(t *testing.T) {
	for _, tc := range []struct {
		name                        string
		ixContact, legContact, doc  string
		contato, documento, portfol string
		extID                       string
	}{
		{"interaction contact", "ct-ze", "", "", "José Silva", "39053344705", "Não", "ext-9"},
		{"tabulated contact wins", "ct-ze", "ct-acme", "", "ACME Ltda", "12ABC34501DE35", "Sim", ""},
		{"document of the finalization wins", "ct-ze", "", "529.982.247-25", "José Silva", "52998224725", "Não", "ext-9"},
		{"no contact", "", "", "", "", "", "Não", ""},
		{"unknown contact", "ct-nobody", "", "", "", "", "Não", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newTB("ix-ct").
				created("10:00:00", "sms", func(e *model.Event) { e.ContactID = tc.ixContact; e.Origin = "Zendesk" }).
				delivered("10:00:05", "L1", "ag-carla").
				finished("10:01:05", "L1", "service completed", func(e *model.Event) {
					e.ContactID, e.Document, e.Comments, e.ExternalProtocol = tc.legContact, tc.doc, "URA: 1>2", "ZD-77"
				})
			r := oneLeg(t, derive(b, Config{}))
			got := []string{cell(t, r, "CONTATO"), cell(t, r, "DOCUMENTO"), cell(t, r, "PORTFOLIO"), cell(t, r, "ID EXTERNO")}
			want := []string{tc.contato, tc.documento, tc.portfol, tc.extID}
			if !equalStrings(got, want) {
				t.Errorf("CONTATO/DOCUMENTO/PORTFOLIO/ID EXTERNO = %q, want %q", got, want)
			}
			if cell(t, r, "ORIGEM") != "Zendesk" || cell(t, r, "COMENTÁRIOS INTERNOS") != "URA: 1>2" || cell(t, r, "PROTOCOLO EXTERNO") != "ZD-77" || r.ExtProtocol != "ZD-77" {
				t.Errorf("ORIGEM/COMENTÁRIOS/PROTOCOLO EXTERNO wrong: %v", r.Cells)
			}
		})
	}
}

func TestDataHoraIsEntryIntoOmni(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    *tb
		want string
	}{
		{"entered_omni", newTB("a").created("09:00:00", "chat", nil).omni("09:30:00").queued("09:31:00", "L1", "s"), "09:30:00"},
		{"first queued when no entered_omni", newTB("a").created("09:00:00", "chat", nil).queued("09:31:00", "L1", "s"), "09:31:00"},
		{"created when neither", newTB("a").created("09:00:00", "chat", nil), "09:00:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.b.delivered("09:40:00", "L1", "ag-carla").finished("09:50:00", "L1", "service completed", nil)
			r := oneLeg(t, derive(tc.b, Config{}))
			if cell(t, r, "HORA") != tc.want || cell(t, r, "DATA") != "2025-06-02" || r.Bucket != "2025-06-02 "+tc.want[:2] {
				t.Errorf("HORA = %q bucket %q, want %q", cell(t, r, "HORA"), r.Bucket, tc.want)
			}
		})
	}
}

func TestLocalDateFollowsTenantZone(t *testing.T) {
	b := newTB("tz").created("23:30:00", "email", nil).delivered("23:40:00", "L1", "ag-carla").
		finished("23:50:00", "L1", "service completed", nil)
	r := oneLeg(t, DeriveInteraction(b.evs, "", stdDir(), Config{TZ: time.UTC}))
	if r.LocalDate != "2025-06-03" || r.LocalTime != "02:30:00" || cell(t, r, "DATA ATENDIDA") != "2025-06-03 02:40:00" {
		t.Errorf("UTC tenant: %s %s %s", r.LocalDate, r.LocalTime, cell(t, r, "DATA ATENDIDA"))
	}
}

func TestConversationOrigin(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fill  func(e *model.Event)
		first string
		want  string
	}{
		{"started by empresa", func(e *model.Event) { e.StartedBy = "empresa" }, "client", "Empresa"},
		{"started by cliente", func(e *model.Event) { e.StartedBy = "cliente" }, "agent", "Cliente"},
		{"outbound", func(e *model.Event) { e.Direction = "outbound" }, "client", "Empresa"},
		{"first message by the client", nil, "client", "Cliente"},
		{"first message by the agent", nil, "agent", "Empresa"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newTB("wa").created("10:00:00", "whatsapp", tc.fill).msg("10:00:01", "", tc.first).
				delivered("10:00:05", "L1", "ag-carla").finished("10:01:00", "L1", "service completed", nil)
			if got := cell(t, oneLeg(t, derive(b, Config{})), "ORIGEM DA CONVERSA"); got != tc.want {
				t.Errorf("ORIGEM DA CONVERSA = %q, want %q", got, tc.want)
			}
		})
	}
}

// WhatsApp's conversation.origin.type comes on a status, after the
// interaction was created by an inbound message: the later
// interaction.created carrying started_by decides.
func TestConversationOriginFromALaterStartedByWinsOverDirection(t *testing.T) {
	b := newTB("wa").created("10:00:00", "whatsapp", func(e *model.Event) { e.Direction = "inbound" }).
		msg("10:00:01", "", "client").
		created("10:00:30", "whatsapp", func(e *model.Event) { e.StartedBy = "empresa" }).
		delivered("10:00:35", "L1", "ag-carla").finished("10:01:00", "L1", "service completed", nil)
	if got := cell(t, oneLeg(t, derive(b, Config{})), "ORIGEM DA CONVERSA"); got != "Empresa" {
		t.Errorf("ORIGEM DA CONVERSA = %q, want Empresa (origin.type marketing)", got)
	}
}

func TestProtocolChoice(t *testing.T) {
	mk := func(given string) *tb {
		return newTB("p").created("15:00:00", "voice", func(e *model.Event) { e.Protocol = given }).
			delivered("15:00:05", "L1", "ag-carla").finished("15:01:00", "L1", "service completed", nil)
	}
	ix := DeriveInteraction(mk("").evs, "", nil, Config{})
	if ix.ProtocolBase != "20250602180000" || ix.Legs[0].Protocol != "20250602180000" || ix.ProtocolGiven != "" {
		t.Errorf("generated: %+v", ix)
	}
	ix = DeriveInteraction(mk("ABC-1").evs, "", nil, Config{})
	if ix.ProtocolGiven != "ABC-1" || ix.Legs[0].Protocol != "ABC-1" {
		t.Errorf("given: %+v", ix)
	}
	ix = DeriveInteraction(mk("").evs, "20250602180000-2", nil, Config{})
	if ix.Legs[0].Protocol != "20250602180000-2" || ix.Legs[0].Cells[2] != "20250602180000-2" {
		t.Errorf("resolved by caller: %+v", ix.Legs[0].Protocol)
	}
}

func TestDuplicateEventIsIgnored(t *testing.T) {
	b := chatBase("chat").msg("10:01:10", "L1", "agent").finished("10:05:00", "L1", "service completed", nil)
	dup := b.evs[len(b.evs)-2] // the agent message, sent again later
	dup.Seq = 99
	evs := append(append([]model.Event(nil), b.evs...), dup)
	a, c := DeriveInteraction(b.evs, "", stdDir(), Config{}), DeriveInteraction(evs, "", stdDir(), Config{})
	if !equalStrings(a.Legs[0].Cells, c.Legs[0].Cells) {
		t.Errorf("duplicate changed the row")
	}
}

func TestArrivalOrderIrrelevantWithTransfersAndCalls(t *testing.T) {
	hang := time.Date(2025, 6, 2, 10, 9, 0, 0, DefaultTZ)
	b := newTB("ord").
		created("10:00:00", "voice", func(e *model.Event) { e.Direction = "outbound" }).
		add(model.TypeIVREntered, "10:00:01", func(e *model.Event) { e.IVRID = "ura" }).
		add(model.TypeIVROption, "10:00:02", func(e *model.Event) { e.IVRID, e.Option = "ura", "1" }).
		add(model.TypeIVRLeft, "10:00:03", func(e *model.Event) { e.IVRID, e.Outcome = "ura", "transferred" }).
		queued("10:00:03", "L1", "svc-sac").
		delivered("10:00:05", "L1", "ag-carla").
		transfer("10:03:00", "L1", "L2", "svc-fin", "").
		queued("10:03:00", "L2", "svc-fin").
		delivered("10:04:00", "L2", "ag-bruno").
		call("10:04:01", "", func(e *model.Event) { e.JitterMs = fp(200) }).
		finished("10:08:00", "L2", "service completed", nil).
		call("10:09:30", "", func(e *model.Event) { e.AgentHangupAt = &hang })
	base := derive(b, Config{})
	rng := rand.New(rand.NewSource(3))
	for i := 0; i < 50; i++ {
		sh := append([]model.Event(nil), b.evs...)
		rng.Shuffle(len(sh), func(a, c int) { sh[a], sh[c] = sh[c], sh[a] })
		for j := range sh {
			sh[j].Seq = int64(j + 1) // arrival order is the shuffled order
		}
		got := DeriveInteraction(sh, "", stdDir(), Config{})
		if len(got.Legs) != len(base.Legs) {
			t.Fatalf("legs %d vs %d", len(got.Legs), len(base.Legs))
		}
		for j := range got.Legs {
			if !equalStrings(got.Legs[j].Cells, base.Legs[j].Cells) {
				t.Fatalf("shuffle %d leg %d:\n%q\n%q", i, j, got.Legs[j].Cells, base.Legs[j].Cells)
			}
		}
		if len(got.IVRVisits) != 1 || got.IVRVisits[0].Path != "1" || got.IVRVisits[0].AgentID != "ag-carla" ||
			secs(got.IVRVisits[0].TalkSeconds) != secs(base.IVRVisits[0].TalkSeconds) {
			t.Fatalf("IVR visits differ: %+v", got.IVRVisits)
		}
	}
}
