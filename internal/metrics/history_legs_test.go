package metrics

import (
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// TestHistoryKeepsEachLegsOwnAnswerAndHangup: a call answered by Carla,
// transferred to Financeiro and answered there by Bruno shows, per leg, that
// leg's own answer and hang-up: the first leg's agent hang-up (the
// transferer leaving) never sits beside the second leg's answer, and the
// client's hang-up belongs to the second leg only.
func TestHistoryKeepsEachLegsOwnAnswerAndHangup(t *testing.T) {
	at := func(hms string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05", "2025-06-02 "+hms, DefaultTZ)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ans1, agentUp1 := at("10:00:10"), at("10:02:00")
	ans2, clientUp2 := at("10:02:15"), at("10:05:00")
	b := newTB("call-2").
		created("10:00:00", "voice", func(e *model.Event) {
			e.Direction, e.From, e.To, e.ContactID = "inbound", "5511987651234", "1005", "ct-1"
		})
	ivrEnter(b, "10:00:01", "ura-1")
	ivrLeft(b, "10:00:04", "ura-1", "transferred", "svc-sac")
	b.queued("10:00:04", "L1", "svc-sac").delivered("10:00:08", "L1", "ag-carla").
		call("10:00:10", "L1", func(e *model.Event) { e.AnsweredAt = &ans1 }).
		transfer("10:02:00", "L1", "L2", "svc-fin", "").
		call("10:02:00", "L1", func(e *model.Event) { e.AgentHangupAt = &agentUp1 }).
		queued("10:02:01", "L2", "svc-fin").delivered("10:02:12", "L2", "ag-bruno").
		call("10:02:15", "L2", func(e *model.Event) { e.AnsweredAt = &ans2 }).
		call("10:05:00", "L2", func(e *model.Event) { e.ClientHangupAt = &clientUp2 }).
		finished("10:05:02", "L2", "service completed", func(e *model.Event) { e.Tags = []string{"tg-ok", "tg-x"} })
	dir := stdDir()
	dir.tags["tg-ok"] = "Resolvido"
	dir.ivrs["ura-1"] = "URA Principal"
	dir.contacts["ct-1"] = model.Contact{ID: "ct-1", Name: "Ana Souza", Document: "529.982.247-25", Phones: []string{"11 98888-7777"}}
	h := BuildHistory(b.evs, "", dir, Config{}, false)

	if len(h.Legs) != 2 {
		t.Fatalf("legs = %+v", h.Legs)
	}
	eq := func(name string, got *time.Time, want time.Time) {
		t.Helper()
		if got == nil || !got.Equal(want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	l1, l2 := h.Legs[0], h.Legs[1]
	eq("leg 1 answered", l1.AnsweredAt, ans1)
	eq("leg 1 agent hang-up", l1.AgentHangupAt, agentUp1)
	eq("leg 1 transferred", l1.TransferredAt, at("10:02:00"))
	if l1.ClientHangupAt != nil || l1.TransferToService != "Financeiro" || l1.TransferToAgent != "" {
		t.Errorf("leg 1 = %+v", l1)
	}
	eq("leg 2 answered", l2.AnsweredAt, ans2)
	eq("leg 2 client hang-up", l2.ClientHangupAt, clientUp2)
	if l2.AgentHangupAt != nil || l2.TransferredAt != nil || l2.AgentName != "Bruno Lima" {
		t.Errorf("leg 2 = %+v", l2)
	}

	if c := h.Contact; c == nil || *c != (HistoryContact{ID: "ct-1", Name: "Ana Souza", Document: "52998224725", Phone: "11 98888-7777"}) {
		t.Errorf("contact = %+v", h.Contact)
	}
	if h.ServiceName != "Financeiro" || len(h.Tags) != 2 || h.Tags[0] != "Resolvido" || h.Tags[1] != "tg-x" {
		t.Errorf("service %q tags %q", h.ServiceName, h.Tags)
	}
	var ivr []string
	for _, e := range h.Entries {
		if e.Kind == EntryIVR {
			ivr = append(ivr, e.Detail)
		}
	}
	if len(ivr) != 2 || ivr[0] != "Entrou na URA URA Principal" || ivr[1] != "Saiu da URA URA Principal: transferido para o serviço SAC" {
		t.Errorf("IVR steps = %q", ivr)
	}
}

// TestHistoryContactFallsBackToTheCallersNumber: without a directory
// contact, the contact block has the client's side of the call (From on an
// inbound call, To on an outbound one) and an unknown IVR shows its id.
func TestHistoryContactFallsBackToTheCallersNumber(t *testing.T) {
	for _, c := range []struct{ direction, want string }{{"inbound", "5511987651234"}, {"outbound", "551133334444"}} {
		b := newTB("call-3").
			created("10:00:00", "voice", func(e *model.Event) { e.Direction, e.From, e.To = c.direction, "5511987651234", "551133334444" })
		ivrEnter(b, "10:00:01", "ura-9")
		h := BuildHistory(b.evs, "", stdDir(), Config{}, false)
		if h.Contact == nil || h.Contact.Phone != c.want || h.Contact.Name != "" {
			t.Errorf("%s: contact = %+v, want phone %s", c.direction, h.Contact, c.want)
		}
		if len(h.Entries) != 1 || h.Entries[0].Detail != "Entrou na URA ura-9" {
			t.Errorf("%s: entries = %+v", c.direction, h.Entries)
		}
	}
}
