package web_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// TestLimitedSupervisorWritesOnlyInsideItsScope: over HTTP, a supervisor
// token limited to one service is answered 403 with the 422's shape
// ({"errors":[{line,id,field,reason}]}) when a batch reaches outside its
// service, and nothing of the batch is stored; inside its service it
// writes as before.
func TestLimitedSupervisorWritesOnlyInsideItsScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newBareEnv(t, s)
		e.mustToken(t, "admin", store.Grant{Tenant: contractTenant, Role: model.RoleAdmin})
		e.mustToken(t, "sup-sac", store.Grant{Tenant: contractTenant, Role: model.RoleSupervisor, Services: []string{"svc-1"}})
		world := ndjson(append(goodLines,
			`{"id":"w-1","type":"service.upserted","at":"2026-10-01T10:00:00-03:00","service":{"id":"svc-2","name":"Cobrança"}}`,
			`{"id":"w-2","type":"interaction.created","at":"2026-10-01T10:01:00-03:00","interaction":"i-2","media":"chat"}`,
			`{"id":"w-3","type":"leg.queued","at":"2026-10-01T10:01:01-03:00","interaction":"i-2","leg":"l-1","service_id":"svc-2"}`,
		)...)
		if r := e.as(t, "admin", "POST", "/api/v1/events", world); r.Code != http.StatusOK {
			t.Fatalf("admin stores the world: %s", r)
		}
		before := e.eventCount(t)

		// Line 1 is blank: lines count as in a 422.
		bad := []byte("\n" +
			`{"id":"x-1","type":"leg.finished","at":"2026-10-01T10:05:00-03:00","interaction":"i-1","leg":"l-1","status":"service completed"}` + "\n" +
			`{"id":"x-2","type":"leg.queued","at":"2026-10-01T10:05:01-03:00","interaction":"i-2","leg":"l-9","service_id":"svc-1"}` + "\n" +
			`{"id":"x-3","type":"service.upserted","at":"2026-10-01T10:05:02-03:00","service":{"id":"svc-2","name":"Hacked"}}` + "\n")
		r := e.as(t, "sup-sac", "POST", "/api/v1/events", bad, "Content-Type", "application/x-ndjson")
		if r.Code != http.StatusForbidden {
			t.Fatalf("want 403, got %s", r)
		}
		var raw map[string][]map[string]any
		if err := json.Unmarshal(r.Body, &raw); err != nil || len(raw["errors"]) != 2 {
			t.Fatalf("want {\"errors\":[two problems]}, got %s", r)
		}
		for _, p := range raw["errors"] {
			for _, k := range []string{"line", "id", "field", "reason"} {
				if _, ok := p[k]; !ok {
					t.Errorf("problem without %q: %v", k, p)
				}
			}
		}
		var be batchError
		if err := json.Unmarshal(r.Body, &be); err != nil {
			t.Fatal(err)
		}
		want := []struct {
			line      int
			id, field string
		}{{3, "x-2", "interaction"}, {4, "x-3", "type"}}
		for i, w := range want {
			if g := be.Errors[i]; g.Line != w.line || g.ID != w.id || g.Field != w.field || g.Reason == "" {
				t.Errorf("problem %d: want line %d id %s field %s, got %+v", i, w.line, w.id, w.field, g)
			}
		}
		if n := e.eventCount(t); n != before {
			t.Errorf("a 403 batch stored %d events", n-before)
		}

		// Validation first: an invalid batch is a 422 even out of scope.
		invalid := ndjson(`{"id":"x-4","type":"service.upserted","at":"2026-10-01T10:05:02-03:00"}`)
		if r := e.as(t, "sup-sac", "POST", "/api/v1/events", invalid); r.Code != http.StatusUnprocessableEntity {
			t.Errorf("invalid and out of scope: want 422, got %s", r)
		}

		// Inside its service: accepted.
		ok := ndjson(`{"id":"x-1","type":"leg.finished","at":"2026-10-01T10:05:00-03:00","interaction":"i-1","leg":"l-1","status":"service completed"}`)
		if r := e.as(t, "sup-sac", "POST", "/api/v1/events", ok); r.Code != http.StatusOK {
			t.Errorf("own leg: want 200, got %s", r)
		}
		if n := e.eventCount(t); n != before+1 {
			t.Errorf("want 1 event stored, got %d", n-before)
		}
	})
}
