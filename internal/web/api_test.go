package web_test

// The HTTP contract of EVENTS.md and the API's basic defences, on both
// stores: POST /api/v1/events (atomic batches, 422 with every problem,
// accepted/duplicates), authentication (every route but /healthz needs a
// credential; revoked tokens are refused; sessions need CSRF for writes),
// who may ingest, security headers on every answer, and 400s naming the
// bad parameter.

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
	"github.com/rastro/rastro/internal/web"
)

// contractTenant is the tenant the API tests write to.
const contractTenant = "contrato"

// goodLines is a valid three-event batch.
var goodLines = []string{
	`{"id":"c-1","type":"service.upserted","at":"2026-10-01T10:00:00-03:00","service":{"id":"svc-1","name":"SAC"}}`,
	`{"id":"c-2","type":"interaction.created","at":"2026-10-01T10:00:01.250-03:00","interaction":"i-1","media":"whatsapp"}`,
	`{"id":"c-3","type":"leg.queued","at":"2026-10-01T10:00:02Z","interaction":"i-1","leg":"l-1","service_id":"svc-1"}`,
}

func ndjson(lines ...string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

type batchError struct {
	Errors []struct {
		Line   int    `json:"line"`
		ID     string `json:"id"`
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

type batchResult struct {
	Accepted   *int `json:"accepted"`
	Duplicates *int `json:"duplicates"`
}

// newAPIEnv serves an empty store with an admin, supervisor, analyst and
// viewer token of contractTenant, and UI sessions of an admin and a viewer.
func newAPIEnv(t *testing.T, s storetest.Store) *env {
	e := newBareEnv(t, s)
	for _, r := range []model.Role{model.RoleAdmin, model.RoleSupervisor, model.RoleAnalyst, model.RoleViewer} {
		e.mustToken(t, string(r), store.Grant{Tenant: contractTenant, Role: r})
	}
	e.mustSession(t, "admin", store.Grant{Tenant: contractTenant, Role: model.RoleAdmin})
	e.mustSession(t, "viewer", store.Grant{Tenant: contractTenant, Role: model.RoleViewer})
	return e
}

func (e *env) eventCount(t *testing.T) int64 {
	t.Helper()
	n, err := e.DB.EventCount(context.Background(), contractTenant)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newAPIEnv(t, s)
		t.Run("Events", func(t *testing.T) { testEventsContract(t, e) })
		t.Run("IngestRoles", func(t *testing.T) { testIngestRoles(t, e) })
		t.Run("Auth", func(t *testing.T) { testAuth(t, e) })
		t.Run("Headers", func(t *testing.T) { testHeaders(t, e) })
		t.Run("BadParams", func(t *testing.T) { testBadParams(t, e) })
		t.Run("RecordingPaths", func(t *testing.T) { testRecordingPaths(t, e) })
	})
}

// ---- POST /api/v1/events ------------------------------------------------------------------

func testEventsContract(t *testing.T, e *env) {
	bad := []struct {
		name, line, field, reason string
		id                        string // the id the error names ("" for a malformed line)
	}{
		{"missing-required-field", `{"id":"c-2","type":"leg.queued","at":"2026-10-01T10:00:01-03:00","interaction":"i-1","leg":"l-1"}`, "service_id", "required", "c-2"},
		{"missing-id", `{"type":"service.upserted","at":"2026-10-01T10:00:01-03:00","service":{"id":"s","name":"S"}}`, "id", "required", ""},
		{"wrong-type", `{"id":"c-2","type":"interaction.created","at":"2026-10-01T10:00:01-03:00","interaction":"i-1","media":7}`, "media", "string", "c-2"},
		{"wrong-type-list", `{"id":"c-2","type":"contact.upserted","at":"2026-10-01T10:00:01-03:00","contact":{"id":"ct-1","phones":"5511999990000"}}`, "contact.phones", "array", "c-2"},
		{"unknown-type", `{"id":"c-2","type":"leg.teleported","at":"2026-10-01T10:00:01-03:00","interaction":"i-1"}`, "type", "unknown", "c-2"},
		{"unknown-enum", `{"id":"c-2","type":"leg.finished","at":"2026-10-01T10:00:01-03:00","interaction":"i-1","leg":"l-1","status":"closed"}`, "status", "not one of", "c-2"},
		{"unknown-media", `{"id":"c-2","type":"interaction.created","at":"2026-10-01T10:00:01-03:00","interaction":"i-1","media":"fax"}`, "media", "not one of", "c-2"},
		{"bad-timestamp", `{"id":"c-2","type":"interaction.created","at":"2026-10-01 10:00:01","interaction":"i-1","media":"chat"}`, "at", "RFC 3339", "c-2"},
		{"timestamp-without-offset", `{"id":"c-2","type":"interaction.created","at":"2026-10-01T10:00:01","interaction":"i-1","media":"chat"}`, "at", "RFC 3339", "c-2"},
		{"tenant-mismatch", `{"id":"c-2","type":"service.upserted","at":"2026-10-01T10:00:01-03:00","tenant":"globex","service":{"id":"s","name":"S"}}`, "tenant", "tenant", "c-2"},
		{"malformed-json-line", `{"id":"c-2","type":"service.upserted","at":`, "", "", ""},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			before := e.eventCount(t)
			body := ndjson(goodLines[0], b.line, goodLines[2])
			r := e.as(t, "admin", "POST", "/api/v1/events", body, "Content-Type", "application/x-ndjson")
			if r.Code != http.StatusUnprocessableEntity {
				t.Fatalf("want 422, got %s", r)
			}
			if ct := r.Hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			var be batchError
			if err := json.Unmarshal(r.Body, &be); err != nil {
				t.Fatalf("decode: %v: %s", err, r)
			}
			var raw map[string][]map[string]any
			_ = json.Unmarshal(r.Body, &raw)
			for _, k := range []string{"line", "id", "field", "reason"} {
				if len(raw["errors"]) == 0 {
					break
				}
				if _, ok := raw["errors"][0][k]; !ok {
					t.Errorf("error object without %q: %s", k, r)
				}
			}
			if len(be.Errors) != 1 {
				t.Fatalf("want exactly the one problem of line 2, got %s", r)
			}
			got := be.Errors[0]
			if got.Line != 2 || got.Field != b.field || got.ID != b.id || got.Reason == "" || !strings.Contains(strings.ToLower(got.Reason), strings.ToLower(b.reason)) {
				t.Errorf("error %+v, want line 2, id %q, field %q, reason containing %q", got, b.id, b.field, b.reason)
			}
			if after := e.eventCount(t); after != before {
				t.Errorf("a rejected batch stored %d events", after-before)
			}
		})
	}
	t.Run("every-problem-at-once", func(t *testing.T) {
		body := ndjson(bad[0].line, goodLines[0], bad[5].line, `not json`)
		r := e.as(t, "admin", "POST", "/api/v1/events", body)
		var be batchError
		if r.Code != 422 || json.Unmarshal(r.Body, &be) != nil {
			t.Fatalf("want 422, got %s", r)
		}
		var lines []int
		for _, x := range be.Errors {
			lines = append(lines, x.Line)
		}
		if !slices.Equal(lines, []int{1, 3, 4}) {
			t.Errorf("problems on lines %v, want [1 3 4]: %s", lines, r)
		}
	})
	t.Run("json-array-bad-element", func(t *testing.T) {
		body := []byte("[" + goodLines[0] + "," + bad[2].line + "]")
		r := e.as(t, "admin", "POST", "/api/v1/events", body, "Content-Type", "application/json")
		var be batchError
		if r.Code != 422 || json.Unmarshal(r.Body, &be) != nil || len(be.Errors) != 1 || be.Errors[0].Line != 2 || be.Errors[0].Field != "media" {
			t.Errorf("want 422 naming element 2's media, got %s", r)
		}
	})
	if n := e.eventCount(t); n != 0 {
		t.Fatalf("rejected batches stored %d events", n)
	}
	t.Run("good-batch-and-duplicates", func(t *testing.T) {
		post := func(body []byte) batchResult {
			t.Helper()
			r := e.as(t, "admin", "POST", "/api/v1/events", body)
			var res batchResult
			if r.Code != 200 || json.Unmarshal(r.Body, &res) != nil || res.Accepted == nil || res.Duplicates == nil {
				t.Fatalf("want 200 {accepted, duplicates}, got %s", r)
			}
			return res
		}
		if res := post(ndjson(goodLines...)); *res.Accepted != 3 || *res.Duplicates != 0 {
			t.Errorf("first send: %+v, want accepted 3, duplicates 0", res)
		}
		if res := post(ndjson(goodLines...)); *res.Accepted != 0 || *res.Duplicates != 3 {
			t.Errorf("re-send: accepted %d duplicates %d, want 0 and 3", *res.Accepted, *res.Duplicates)
		}
		fourth := `{"id":"c-4","type":"leg.delivered","at":"2026-10-01T10:00:03-03:00","interaction":"i-1","leg":"l-1","agent_id":"ag-1"}`
		arr := []byte("[" + goodLines[1] + "," + fourth + "]")
		if res := post(arr); *res.Accepted != 1 || *res.Duplicates != 1 {
			t.Errorf("JSON array with one new event: accepted %d duplicates %d, want 1 and 1", *res.Accepted, *res.Duplicates)
		}
		if n := e.eventCount(t); n != 4 {
			t.Errorf("%d events stored, want 4", n)
		}
		// A bad event next to duplicates and new ones still stores nothing.
		fifth := `{"id":"c-5","type":"leg.hold_started","at":"2026-10-01T10:00:04-03:00","interaction":"i-1","leg":"l-1","kind":"hold"}`
		r := e.as(t, "admin", "POST", "/api/v1/events", ndjson(goodLines[0], fifth, bad[5].line))
		if r.Code != 422 {
			t.Errorf("want 422, got %s", r)
		}
		if n := e.eventCount(t); n != 4 {
			t.Errorf("a rejected batch changed the store: %d events, want 4", n)
		}
	})
	t.Run("same-event-twice-in-a-batch", func(t *testing.T) {
		ev := `{"id":"c-6","type":"tag.upserted","at":"2026-10-01T10:00:05-03:00","tag":{"id":"tg-1","name":"Resolvido"}}`
		r := e.as(t, "admin", "POST", "/api/v1/events", ndjson(ev, ev))
		var res batchResult
		if r.Code != 200 || json.Unmarshal(r.Body, &res) != nil || res.Accepted == nil || *res.Accepted != 1 || *res.Duplicates != 1 {
			t.Errorf("an id repeated inside a batch: want accepted 1, duplicates 1, got %s", r)
		}
	})
}

// testIngestRoles: only admin and supervisor tokens (and sessions, with the
// CSRF token) may send events; analyst and viewer are read-only.
func testIngestRoles(t *testing.T, e *env) {
	for _, who := range []string{"admin", "supervisor", "analyst", "viewer"} {
		before := e.eventCount(t)
		ev := `{"id":"role-` + who + `","type":"tag.upserted","at":"2026-10-01T11:00:00-03:00","tag":{"id":"tg-` + who + `","name":"x"}}`
		r := e.as(t, who, "POST", "/api/v1/events", []byte(ev))
		want := http.StatusForbidden
		if who == "admin" || who == "supervisor" {
			want = http.StatusOK
		}
		if r.Code != want {
			t.Errorf("%s token POST /api/v1/events: want %d, got %s", who, want, r)
		}
		if n := e.eventCount(t); (want == 200) != (n == before+1) {
			t.Errorf("%s token: %d events stored", who, n-before)
		}
	}
	ev := []byte(`{"id":"sess-1","type":"tag.upserted","at":"2026-10-01T11:00:00-03:00","tag":{"id":"tg-s","name":"x"}}`)
	if r := e.ui(t, "admin", "POST", "/api/v1/events", ev); r.Code != http.StatusForbidden {
		t.Errorf("admin session POST /api/v1/events without the CSRF token: want 403, got %s", r)
	}
	if r := e.ui(t, "admin", "POST", "/api/v1/events", ev, "X-CSRF-Token", "wrong"); r.Code != http.StatusForbidden {
		t.Errorf("admin session with a wrong CSRF token: want 403, got %s", r)
	}
	if r := e.ui(t, "admin", "POST", "/api/v1/events", ev, "X-CSRF-Token", e.csrf["admin"]); r.Code != http.StatusOK {
		t.Errorf("admin session with the CSRF token: want 200, got %s", r)
	}
	if r := e.ui(t, "viewer", "POST", "/api/v1/events", ev, "X-CSRF-Token", e.csrf["viewer"]); r.Code != http.StatusForbidden {
		t.Errorf("viewer session with the CSRF token: want 403, got %s", r)
	}
}

// ---- authentication -----------------------------------------------------------------------------

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

func testAuth(t *testing.T, e *env) {
	if r := e.req(t, "GET", "/healthz", "", nil); r.Code != 200 {
		t.Errorf("GET /healthz without a token: %s", r)
	}
	badCreds := []struct{ name, header string }{
		{"none", ""},
		{"unknown token", "Bearer rst_000000000000_" + strings.Repeat("0", 48)},
		{"not a token", "Bearer hello"},
		{"basic auth", "Basic YWRtaW46YWRtaW4="},
		{"empty bearer", "Bearer "},
	}
	n := 0
	for _, rt := range e.Srv.Routes() {
		if rt.Auth != "api" {
			continue
		}
		n++
		path := pathParam.ReplaceAllString(rt.Pattern, "x")
		for _, c := range badCreds {
			var hdr []string
			if c.header != "" {
				hdr = []string{"Authorization", c.header}
			}
			r := e.req(t, rt.Method, path, "", []byte("{}"), hdr...)
			if r.Code != http.StatusUnauthorized {
				t.Errorf("%s %s with credential %q: want 401, got %s", rt.Method, path, c.name, r)
				continue
			}
			if r.Hdr.Get("WWW-Authenticate") == "" || !json.Valid(r.Body) {
				t.Errorf("%s %s: 401 without WWW-Authenticate or JSON body: %s", rt.Method, path, r)
			}
		}
		// A session cookie that does not exist is no credential either.
		if r := e.req(t, rt.Method, path, "", nil, "Cookie", web.SessionCookie+"=forged"); r.Code != http.StatusUnauthorized {
			t.Errorf("%s %s with a forged session cookie: want 401, got %s", rt.Method, path, r)
		}
	}
	if n < 10 {
		t.Errorf("only %d API routes registered", n)
	}

	t.Run("revoked-token", func(t *testing.T) {
		ctx := context.Background()
		for _, role := range []model.Role{model.RoleViewer, model.RoleAdmin} {
			id, tok, err := e.DB.CreateToken(ctx, store.Grant{Tenant: contractTenant, Role: role}, "to revoke")
			if err != nil {
				t.Fatal(err)
			}
			if r := e.req(t, "GET", "/api/v1/media", tok, nil); r.Code != 200 {
				t.Fatalf("fresh %s token: %s", role, r)
			}
			if err := e.DB.RevokeToken(ctx, id); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ method, path string }{{"GET", "/api/v1/media"}, {"GET", "/api/v1/reports/interactions?media=voice"}, {"POST", "/api/v1/events"}, {"GET", "/api/v1/audit"}} {
				var body []byte
				if c.method == "POST" {
					body = ndjson(goodLines[0])
				}
				if r := e.req(t, c.method, c.path, tok, body); r.Code != http.StatusUnauthorized {
					t.Errorf("revoked %s token %s %s: want 401, got %s", role, c.method, c.path, r)
				}
			}
		}
	})

	t.Run("audit-admin-only", func(t *testing.T) {
		for _, who := range []string{"admin", "supervisor", "analyst", "viewer"} {
			for _, path := range []string{"/api/v1/audit", "/api/v1/audit/export?format=csv"} {
				want := http.StatusForbidden
				if who == "admin" {
					want = http.StatusOK
				}
				if r := e.get(t, who, path); r.Code != want {
					t.Errorf("%s GET %s: want %d, got %s", who, path, want, r)
				}
			}
		}
		if r := e.ui(t, "viewer", "GET", "/api/v1/audit", nil); r.Code != http.StatusForbidden {
			t.Errorf("viewer session GET /api/v1/audit: want 403, got %s", r)
		}
		if r := e.ui(t, "admin", "GET", "/api/v1/audit", nil); r.Code != http.StatusOK {
			t.Errorf("admin session GET /api/v1/audit: want 200, got %s", r)
		}
	})

	t.Run("session-reads", func(t *testing.T) {
		if r := e.ui(t, "viewer", "GET", "/api/v1/reports/interactions?media=chat", nil); r.Code != http.StatusOK {
			t.Errorf("viewer session GET interactions: %s", r)
		}
		ctx := context.Background()
		expired, err := e.DB.CreateSession(ctx, "u-viewer", -time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if r := e.req(t, "GET", "/api/v1/media", "", nil, "Cookie", web.SessionCookie+"="+expired); r.Code != http.StatusUnauthorized {
			t.Errorf("expired session: want 401, got %s", r)
		}
	})
}

// ---- security headers ------------------------------------------------------------------------------

func testHeaders(t *testing.T, e *env) {
	type probe struct {
		name, method, path, auth string
		session                  string
		body                     []byte
		code                     int
	}
	admin := e.tokens["admin"]
	probes := []probe{
		{"healthz", "GET", "/healthz", "", "", nil, 200},
		{"401", "GET", "/api/v1/media", "", "", nil, 401},
		{"403", "GET", "/api/v1/audit", e.tokens["viewer"], "", nil, 403},
		{"404-unknown-path", "GET", "/nope", admin, "", nil, 404},
		{"404-history", "GET", "/api/v1/interactions/123/history", admin, "", nil, 404},
		{"405", "DELETE", "/api/v1/events", admin, "", nil, 405},
		{"json", "GET", "/api/v1/media", admin, "", nil, 200},
		{"400", "GET", "/api/v1/reports/interactions?media=voice&email=x", admin, "", nil, 400},
		{"422", "POST", "/api/v1/events", admin, "", []byte("{"), 422},
		{"csv-export", "GET", "/api/v1/reports/interactions/export?media=chat", admin, "", nil, 200},
		{"xlsx-export", "GET", "/api/v1/reports/interactions/export?media=chat&format=xlsx", admin, "", nil, 200},
		{"static", "GET", "/static/app.css", "", "", nil, 200},
		{"login-page", "GET", "/login", "", "", nil, 200},
		{"redirect-to-login", "GET", "/rastreio", "", "", nil, 303},
		{"ui-page", "GET", "/rastreio", "", "admin", nil, 200},
		{"ui-403", "GET", "/auditoria", "", "viewer", nil, 403},
	}
	for _, p := range probes {
		var r resp
		if p.session != "" {
			r = e.ui(t, p.session, p.method, p.path, p.body)
		} else {
			r = e.req(t, p.method, p.path, p.auth, p.body)
		}
		if r.Code != p.code {
			t.Errorf("%s: %s %s: want %d, got %s", p.name, p.method, p.path, p.code, r)
		}
		csp := r.Hdr.Get("Content-Security-Policy")
		switch {
		case csp == "":
			t.Errorf("%s: no Content-Security-Policy", p.name)
		case strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval"):
			t.Errorf("%s: CSP allows unsafe-inline/eval: %s", p.name, csp)
		case !strings.Contains(csp, "frame-ancestors 'none'"):
			t.Errorf("%s: CSP without frame-ancestors 'none': %s", p.name, csp)
		case !strings.Contains(csp, "default-src 'self'") && !strings.Contains(csp, "default-src 'none'"):
			t.Errorf("%s: CSP without a restrictive default-src: %s", p.name, csp)
		}
		if v := r.Hdr.Get("X-Content-Type-Options"); v != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", p.name, v)
		}
		if v := r.Hdr.Get("X-Frame-Options"); v != "DENY" {
			t.Errorf("%s: X-Frame-Options %q", p.name, v)
		}
		if strings.HasPrefix(p.path, "/api/") && r.Code >= 400 && r.Code != 405 {
			if ct := r.Hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s: API error with Content-Type %q", p.name, ct)
			}
		}
	}
}

// ---- 400s --------------------------------------------------------------------------------------------

func testBadParams(t *testing.T, e *env) {
	cases := []struct {
		path   string
		params []string // every parameter the answer must name
	}{
		{"/api/v1/reports/interactions?media=voice&email=x", []string{"email"}},
		{"/api/v1/reports/interactions", []string{"media"}},
		{"/api/v1/reports/interactions?media=fax", []string{"media"}},
		{"/api/v1/reports/interactions?media=voice&colour=blue", []string{"colour"}},
		{"/api/v1/reports/interactions?media=whatsapp&voice_status=answered", []string{"voice_status"}},
		{"/api/v1/reports/interactions?media=voice&voice_status=hung", []string{"voice_status"}},
		{"/api/v1/reports/interactions?media=voice&service_status=completed", []string{"service_status"}},
		{"/api/v1/reports/interactions?media=voice&expiration_status=active", []string{"expiration_status"}},
		{"/api/v1/reports/interactions?media=instagram&phone=5511", []string{"phone"}},
		{"/api/v1/reports/interactions?media=chat&service_status=closed", []string{"service_status"}},
		{"/api/v1/reports/interactions?media=chat&from=2026-13-01", []string{"from"}},
		{"/api/v1/reports/interactions?media=chat&from=2026-10-05&to=2026-10-01", []string{"to"}},
		{"/api/v1/reports/interactions?media=chat&hour_from=25:00", []string{"hour_from"}},
		{"/api/v1/reports/interactions?media=chat&portfolio=maybe", []string{"portfolio"}},
		{"/api/v1/reports/interactions?media=chat&limit=0", []string{"limit"}},
		{"/api/v1/reports/interactions?media=chat&cursor=%21%21", []string{"cursor"}},
		{"/api/v1/reports/interactions?media=voice&email=x&colour=blue&portfolio=maybe", []string{"email", "colour", "portfolio"}},
		{"/api/v1/reports/interactions/export?media=voice&email=x", []string{"email"}},
		{"/api/v1/reports/interactions/export?media=voice&format=pdf", []string{"format"}},
		{"/api/v1/reports/interactions/export?media=voice&sep=%7C", []string{"sep"}},
		{"/api/v1/interactions/123/history?order=sideways", []string{"order"}},
		{"/api/v1/reports/fluxo-agil?client=cli-nope", []string{"client"}},
		{"/api/v1/reports/fluxo-agil?sort=price", []string{"sort"}},
		{"/api/v1/reports/fluxo-agil/export?format=pdf", []string{"format"}},
		{"/api/v1/reports/fluxo-agil/dropoff?colour=blue", []string{"colour"}},
		{"/api/v1/reports/ivr?group_by=week", []string{"group_by"}},
		{"/api/v1/reports/ivr?media=voice", []string{"media"}},
		{"/api/v1/reports/ivr/export?format=pdf&group_by=week", []string{"format", "group_by"}},
		{"/api/v1/reports/agents?media=fax", []string{"media"}},
		{"/api/v1/reports/agents?user_status=sleeping", []string{"user_status"}},
		{"/api/v1/reports/agents?hour_from=10:00&hour_to=09:00", []string{"hour_to"}},
		{"/api/v1/reports/agents/export?format=pdf", []string{"format"}},
		{"/api/v1/audit/export?format=pdf", []string{"format"}},
	}
	for _, c := range cases {
		r := e.get(t, "admin", c.path)
		if r.Code != http.StatusBadRequest {
			t.Errorf("GET %s: want 400, got %s", c.path, r)
			continue
		}
		var pe struct {
			Errors []struct {
				Param  string `json:"param"`
				Reason string `json:"reason"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(r.Body, &pe); err != nil {
			t.Errorf("GET %s: 400 body is not {errors:[{param, reason}]}: %s", c.path, r)
			continue
		}
		var named []string
		for _, p := range pe.Errors {
			named = append(named, p.Param)
			if p.Reason == "" {
				t.Errorf("GET %s: problem of %q without a reason", c.path, p.Param)
			}
		}
		for _, want := range c.params {
			if !slices.Contains(named, want) {
				t.Errorf("GET %s: the 400 names %v, not %q: %s", c.path, named, want, r)
			}
		}
		if len(named) != len(c.params) {
			t.Errorf("GET %s: the 400 names %v, want exactly %v", c.path, named, c.params)
		}
	}
	// The same parameters without the bad one are fine.
	for _, path := range []string{
		"/api/v1/reports/interactions?media=email&email=X@Example.com",
		"/api/v1/reports/interactions?media=voice&voice_status=answered,no_answer&phone=11%2099999-0000",
		"/api/v1/reports/interactions?media=chat&service_status=completed&service_status=transferred&expiration_status=expired",
		"/api/v1/reports/ivr?group_by=day&from=2026-10-01&to=2026-10-31",
		"/api/v1/reports/agents?media=voice,chat&hour_from=08:00&hour_to=18:00",
	} {
		if r := e.get(t, "admin", path); r.Code != http.StatusOK {
			t.Errorf("GET %s: want 200, got %s", path, r)
		}
	}
}

// ---- recordings ----------------------------------------------------------------------------------------

// testRecordingPaths: a recording_url (sent by whoever may ingest) can only
// name a file inside the tenant's recordings folder. Paths leaving it are
// refused at ingest (422); stored anyway (before the check existed), they
// answer 404.
func testRecordingPaths(t *testing.T, e *env) {
	tenantDir := filepath.Join(e.RecDir, contractTenant)
	if err := os.MkdirAll(tenantDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(e.RecDir), "secret.wav"), []byte("RIFF-SECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.RecDir, "shared.wav"), []byte("RIFF-SECRET-SHARED"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tenantDir, "ok.wav"), []byte("RIFF-OK-0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		protocol, url string
		accepted      bool // at ingest
		code          int
	}{
		{"REC-OK", "ok.wav", true, 200},
		{"REC-ROOT", "/ok.wav", true, 200},
		{"REC-SHARED", "shared.wav", true, 404}, // the recordings root is no tenant's folder
		{"REC-DOTDOT", "../secret.wav", false, 404},
		{"REC-DEEP", "../../../../../../../../etc/passwd", false, 404},
		{"REC-ABS", "/etc/passwd", true, 404},
		{"REC-MIXED", "rec/../../secret.wav", false, 404},
		{"REC-UP", "../shared.wav", false, 404},
		{"REC-JS", "javascript:alert(1)", false, 404},
		{"REC-FILE", "file:///etc/passwd", false, 404},
	}
	var lines []string
	for i, c := range cases {
		n := strconv.Itoa(i)
		at := func(s int) string { return time.Date(2026, 10, 2, 10, i, s, 0, time.UTC).Format(time.RFC3339) }
		lines = append(lines,
			`{"id":"rec-`+n+`-1","type":"interaction.created","at":"`+at(0)+`","interaction":"i-rec-`+n+`","media":"voice","protocol":"`+c.protocol+`","direction":"inbound","from":"5511999990000","to":"551130000000"}`,
			`{"id":"rec-`+n+`-2","type":"interaction.entered_omni","at":"`+at(1)+`","interaction":"i-rec-`+n+`"}`,
			`{"id":"rec-`+n+`-3","type":"leg.queued","at":"`+at(1)+`","interaction":"i-rec-`+n+`","leg":"l-`+n+`","service_id":"svc-1"}`,
			`{"id":"rec-`+n+`-4","type":"leg.delivered","at":"`+at(2)+`","interaction":"i-rec-`+n+`","leg":"l-`+n+`","agent_id":"ag-1"}`,
			`{"id":"rec-`+n+`-5","type":"call.updated","at":"`+at(3)+`","interaction":"i-rec-`+n+`","leg":"l-`+n+`","recording_url":`+strconv.Quote(c.url)+`}`,
			`{"id":"rec-`+n+`-6","type":"leg.finished","at":"`+at(9)+`","interaction":"i-rec-`+n+`","leg":"l-`+n+`","status":"service completed"}`,
		)
	}
	r := e.as(t, "admin", "POST", "/api/v1/events", ndjson(lines...))
	if r.Code != 422 {
		t.Fatalf("ingest with recording_url values leaving the tenant's folder: want 422, got %s", r)
	}
	var be batchError
	if err := json.Unmarshal(r.Body, &be); err != nil {
		t.Fatal(err)
	}
	refused := map[string]bool{}
	for _, fe := range be.Errors {
		if fe.Field != "recording_url" {
			t.Errorf("unexpected problem %+v", fe)
		}
		refused[fe.ID] = true
	}
	for i, c := range cases {
		if id := "rec-" + strconv.Itoa(i) + "-5"; refused[id] == c.accepted {
			t.Errorf("recording_url %q: accepted at ingest = %v, want %v", c.url, !refused[id], c.accepted)
		}
	}
	// Stored without the check, as before it existed.
	events, raw, err := ingest.Decode(ndjson(lines...), ingest.Options{Tenant: contractTenant})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.New(e.DB).Store(context.Background(), contractTenant, events, raw); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		r := e.get(t, "viewer", "/api/v1/interactions/"+c.protocol+"/recording")
		if r.Code != c.code {
			t.Errorf("recording_url %q: want %d, got %s", c.url, c.code, r)
		}
		if strings.Contains(string(r.Body), "SECRET") || strings.Contains(string(r.Body), "root:") {
			t.Errorf("recording_url %q served a file outside the tenant's recordings folder", c.url)
		}
		if loc := r.Hdr.Get("Location"); loc != "" {
			t.Errorf("recording_url %q redirected to %q", c.url, loc)
		}
	}
	if r := e.get(t, "viewer", "/api/v1/interactions/REC-OK/recording"); r.Code != 200 || string(r.Body) != "RIFF-OK-0123456789" || r.Hdr.Get("Content-Type") != "audio/wav" {
		t.Errorf("REC-OK: %s (%s)", r, r.Hdr.Get("Content-Type"))
	}
}
