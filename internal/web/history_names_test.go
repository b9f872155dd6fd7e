package web_test

import (
	"encoding/json"
	"html"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/storetest"
)

// TestHistoryNamesUnnamedQueueAndAgentByTheirIDs: a PBX's queue and agent
// that no directory names (queue_log gives "suporte" and "PJSIP/1001", no
// service.upserted or user.upserted) show their ids in Ver Histórico, in the
// API and on the page, as the Rastreio's SERVIÇO and AGENTE cells do; a
// named queue keeps its name.
func TestHistoryNamesUnnamedQueueAndAgentByTheirIDs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newAPIEnv(t, s)
		body := ndjson(
			`{"id":"hn-0","type":"service.upserted","at":"2026-10-05T09:00:00-03:00","service":{"id":"vendas","name":"Vendas"}}`,
			`{"id":"hn-1","type":"interaction.created","at":"2026-10-05T10:00:00-03:00","interaction":"1791205200.7","media":"voice","protocol":"PBX-1791205200","direction":"inbound","from":"11987654321","to":"551130001000"}`,
			`{"id":"hn-2","type":"leg.queued","at":"2026-10-05T10:00:20-03:00","interaction":"1791205200.7","leg":"l1","service_id":"suporte"}`,
			`{"id":"hn-3","type":"leg.delivered","at":"2026-10-05T10:00:30-03:00","interaction":"1791205200.7","leg":"l1","agent_id":"PJSIP/1001"}`,
			`{"id":"hn-4","type":"leg.transferred","at":"2026-10-05T10:02:00-03:00","interaction":"1791205200.7","leg":"l1","new_leg":"l2","to_service_id":"vendas"}`,
			`{"id":"hn-5","type":"leg.queued","at":"2026-10-05T10:02:01-03:00","interaction":"1791205200.7","leg":"l2","service_id":"vendas"}`,
			`{"id":"hn-6","type":"leg.delivered","at":"2026-10-05T10:02:10-03:00","interaction":"1791205200.7","leg":"l2","agent_id":"PJSIP/1003"}`,
			`{"id":"hn-7","type":"leg.finished","at":"2026-10-05T10:04:10-03:00","interaction":"1791205200.7","leg":"l2","status":"service completed"}`,
		)
		if r := e.as(t, "admin", "POST", "/api/v1/events", body, "Content-Type", "application/x-ndjson"); r.Code != 200 {
			t.Fatalf("ingest: %s", r)
		}

		r := e.get(t, "viewer", "/api/v1/interactions/PBX-1791205200/history")
		mustOK(t, "history", r)
		var h metrics.History
		if err := json.Unmarshal(r.Body, &h); err != nil {
			t.Fatalf("history json: %v", err)
		}
		if len(h.Legs) != 2 {
			t.Fatalf("legs %+v", h.Legs)
		}
		for i, want := range [][2]string{{"suporte", "PJSIP/1001"}, {"Vendas", "PJSIP/1003"}} {
			if l := h.Legs[i]; l.ServiceName != want[0] || l.AgentName != want[1] {
				t.Errorf("leg %d: service %q agent %q, want %q %q", i+1, l.ServiceName, l.AgentName, want[0], want[1])
			}
		}
		delivered := 0
		for _, en := range h.Entries {
			if en.ServiceID != "" && en.ServiceName == "" {
				t.Errorf("entry %s at %s: service %q has no name", en.Kind, en.At, en.ServiceID)
			}
			if en.Kind == metrics.EntryDelivered {
				delivered++
				if en.AgentName != en.AgentID || en.AgentID == "" {
					t.Errorf("delivered at %s: agent name %q, id %q", en.At, en.AgentName, en.AgentID)
				}
			}
			if en.Kind == metrics.EntryTransfer && en.AgentName != "PJSIP/1001" {
				t.Errorf("transfer: agent name %q, want PJSIP/1001", en.AgentName)
			}
		}
		if delivered != 2 {
			t.Errorf("%d delivered entries, want 2", delivered)
		}

		page := e.ui(t, "viewer", "GET", "/historico/PBX-1791205200", nil)
		mustOK(t, "history page", page)
		text := html.UnescapeString(string(page.Body))
		for _, want := range []string{"<strong>suporte</strong>", "PJSIP/1001", "<strong>Vendas</strong>", "PJSIP/1003"} {
			if !strings.Contains(text, want) {
				t.Errorf("history page lacks %q", want)
			}
		}
	})
}
