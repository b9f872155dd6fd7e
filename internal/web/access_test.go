package web_test

// The access matrix: for every registered route (web.Server.Routes), every
// role and scope gets exactly the answer and the rows it may have — on both
// stores. A route added without an entry here fails TestAccessMatrix.
//
// Principals (tenant acme): admin, supervisor, analyst, viewer (unscoped);
// sup-svc and view-svc (one service, env.svc); sup-cli and view-cli (one
// Fluxo Ágil client, env.client); analyst-personal (analyst allowed personal
// data) and sup-nopersonal (supervisor denied it). globex-admin is another
// tenant's admin.
//
// The reference for every report is acme's admin answer to the same request,
// narrowed to the principal's scope (rows of its service / of its client's
// batches): the scoped answer must be exactly that (no row more, no row
// less), with personal cells masked when the principal may not see them.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
	"github.com/rastro/rastro/internal/web"
)

// ---- expectations -----------------------------------------------------------------

// expect gives the status a principal must get.
type expect func(p model.Principal) int

func status(code int) expect { return func(model.Principal) int { return code } }

var (
	okAll = status(http.StatusOK)
	// ingestRoles: only admin and supervisor credentials may send events.
	ingestRoles expect = func(p model.Principal) int {
		if p.Role == model.RoleAdmin || p.Role == model.RoleSupervisor {
			return http.StatusOK
		}
		return http.StatusForbidden
	}
	// ingestTenantWide: a directory upsert (tenant-wide) needs an admin or
	// supervisor without service or client limits (issue 11).
	ingestTenantWide expect = func(p model.Principal) int {
		if ingestRoles(p) == http.StatusOK && p.Services == nil && p.Clients == nil {
			return http.StatusOK
		}
		return http.StatusForbidden
	}
	adminRole expect = func(p model.Principal) int {
		if p.Role == model.RoleAdmin {
			return http.StatusOK
		}
		return http.StatusForbidden
	}
	// svcHidden: 404 for a principal limited to services (the object is
	// outside them), 200 for the others.
	svcHidden expect = func(p model.Principal) int {
		if p.Services != nil {
			return http.StatusNotFound
		}
		return http.StatusOK
	}
	// cliHidden: the same for a principal limited to clients.
	cliHidden expect = func(p model.Principal) int {
		if p.Clients != nil {
			return http.StatusNotFound
		}
		return http.StatusOK
	}
	// cliParam: a client outside the principal's clients is a bad parameter.
	cliParam expect = func(p model.Principal) int {
		if p.Clients != nil {
			return http.StatusBadRequest
		}
		return http.StatusOK
	}
)

// checkFn inspects a 200 answer of who.
type checkFn func(t *testing.T, e *env, who string, r resp)

// apiCase is one concrete request of a route.
type apiCase struct {
	name   string
	method string
	path   string
	body   []byte
	hdr    []string
	want   expect
	check  checkFn
}

// apiEntry is the matrix row of one API route: the role the server must
// declare for it and the requests that exercise it.
type apiEntry struct {
	role  string
	cases func(e *env) []apiCase
}

func get(name, path string, want expect, check checkFn) apiCase {
	return apiCase{name: name, method: http.MethodGet, path: path, want: want, check: check}
}

// publicRoutes are the only routes that may answer without a credential.
var publicRoutes = map[string]func(t *testing.T, e *env){
	"GET /healthz": func(t *testing.T, e *env) {
		r := e.req(t, "GET", "/healthz", "", nil)
		if r.Code != 200 || !strings.Contains(string(r.Body), `"ok"`) {
			t.Errorf("GET /healthz without token: %s", r)
		}
	},
	"GET /static/": func(t *testing.T, e *env) {
		if r := e.req(t, "GET", "/static/app.css", "", nil); r.Code != 200 {
			t.Errorf("GET /static/app.css: %s", r)
		}
		if r := e.req(t, "GET", "/static/../go.mod", "", nil); r.Code == 200 && bytes.Contains(r.Body, []byte("module ")) {
			t.Errorf("static handler escapes its directory: %s", r)
		}
	},
	"POST /hooks/chatwoot/{key}": func(t *testing.T, e *env) {
		// The key is the credential: without a valid one, 404, whatever
		// bearer token comes along (hooks_test.go tests the valid ones).
		if r := e.req(t, "POST", "/hooks/chatwoot/no-such-key", "", []byte(`{"event":"conversation_created","id":1}`)); r.Code != http.StatusNotFound {
			t.Errorf("POST /hooks/chatwoot with an unknown key: want 404, got %s", r)
		}
		if r := e.req(t, "POST", "/hooks/chatwoot/no-such-key", e.tokens["admin"], []byte(`{"event":"conversation_created","id":1}`)); r.Code != http.StatusNotFound {
			t.Errorf("POST /hooks/chatwoot with an unknown key and an admin token: want 404, got %s", r)
		}
	},
	"GET /hooks/whatsapp/{key}": func(t *testing.T, e *env) {
		// Meta's handshake: the key and the verify token are the
		// credential (hooks_whatsapp_test.go tests the valid ones).
		if r := e.req(t, "GET", "/hooks/whatsapp/no-such-key?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1", e.tokens["admin"], nil); r.Code != http.StatusNotFound {
			t.Errorf("GET /hooks/whatsapp with an unknown key and an admin token: want 404, got %s", r)
		}
	},
	"POST /hooks/whatsapp/{key}": func(t *testing.T, e *env) {
		if r := e.req(t, "POST", "/hooks/whatsapp/no-such-key", e.tokens["admin"], []byte(`{"object":"whatsapp_business_account","entry":[]}`)); r.Code != http.StatusNotFound {
			t.Errorf("POST /hooks/whatsapp with an unknown key and an admin token: want 404, got %s", r)
		}
	},
	"GET /login": func(t *testing.T, e *env) {
		if r := e.req(t, "GET", "/login", "", nil); r.Code != 200 {
			t.Errorf("GET /login: %s", r)
		}
	},
	"POST /login": func(t *testing.T, e *env) {
		// A form posted from elsewhere (no token, or a token without its
		// cookie) is refused before the password is even looked at.
		body := []byte(url.Values{"username": {"u-viewer"}, "password": {"wrong-password"}}.Encode())
		if r := e.req(t, "POST", "/login", "", body, "Content-Type", "application/x-www-form-urlencoded"); r.Code != http.StatusForbidden {
			t.Errorf("POST /login without the form's token: want 403, got %s", r)
		}
		page := e.req(t, "GET", "/login", "", nil)
		m := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindSubmatch(page.Body)
		var cookie string
		for _, c := range page.Hdr.Values("Set-Cookie") {
			if strings.HasPrefix(c, "rastro_login=") {
				cookie = strings.SplitN(c, ";", 2)[0]
			}
		}
		if m == nil || cookie != "rastro_login="+string(m[1]) {
			t.Fatalf("GET /login: token %q, cookie %q", m, cookie)
		}
		body = []byte(url.Values{"username": {"u-viewer"}, "password": {"wrong-password"}, "csrf": {string(m[1])}}.Encode())
		if r := e.req(t, "POST", "/login", "", body, "Content-Type", "application/x-www-form-urlencoded"); r.Code != http.StatusForbidden {
			t.Errorf("POST /login with the token but not its cookie: want 403, got %s", r)
		}
		r := e.req(t, "POST", "/login", "", body, "Content-Type", "application/x-www-form-urlencoded", "Cookie", cookie)
		if r.Code != http.StatusUnauthorized {
			t.Errorf("POST /login with a wrong password: want 401, got %s", r)
		}
		if c := r.Hdr.Get("Set-Cookie"); strings.Contains(c, web.SessionCookie+"=") && !strings.Contains(c, web.SessionCookie+"=;") {
			t.Errorf("a failed login set a session cookie: %s", c)
		}
	},
	"GET /lang": func(t *testing.T, e *env) {
		r := e.req(t, "GET", "/lang?lang=en&next=//evil.example/x", "", nil)
		if r.Code != http.StatusSeeOther || r.Hdr.Get("Location") != "/" {
			t.Errorf("GET /lang with an off-site next: want 303 to /, got %d to %q", r.Code, r.Hdr.Get("Location"))
		}
	},
}

// apiMatrix is the expectation of every API route.
func apiMatrix() map[string]apiEntry {
	return map[string]apiEntry{
		"POST /api/v1/events": {role: "ingest", cases: func(e *env) []apiCase {
			// A duplicate of acme's first event (a directory upsert):
			// accepted, stores nothing new; refused to limited principals,
			// as tenant-wide.
			return []apiCase{{name: "duplicate", method: "POST", path: "/api/v1/events", body: e.raw[tenantA][0], want: ingestTenantWide,
				check: func(t *testing.T, e *env, who string, r resp) {
					var res struct{ Accepted, Duplicates int }
					if err := json.Unmarshal(r.Body, &res); err != nil || res.Accepted != 0 || res.Duplicates != 1 {
						t.Errorf("%s: want {accepted:0, duplicates:1}, got %s", who, r)
					}
				}}}
		}},
		"GET /api/v1/media": {cases: func(e *env) []apiCase {
			return []apiCase{get("list", "/api/v1/media", okAll, func(t *testing.T, e *env, who string, r resp) {
				var m []model.Media
				if err := json.Unmarshal(r.Body, &m); err != nil || len(m) != len(model.DefaultMedia) {
					t.Errorf("%s: media list: %s", who, r)
				}
			})}
		}},
		"GET /api/v1/directory/{kind}": {cases: directoryCases},
		"GET /api/v1/contacts": {cases: func(e *env) []apiCase {
			return []apiCase{get("search", "/api/v1/contacts?q=silva", okAll, func(t *testing.T, e *env, who string, r resp) {
				var list []store.Option
				if err := json.Unmarshal(r.Body, &list); err != nil {
					t.Errorf("%s: contacts: %s", who, r)
				}
				// Service- or client-limited principals see only contacts of
				// their scope (possibly none); the others see the directory.
				scoped := strings.HasSuffix(who, "-svc") || strings.HasSuffix(who, "-cli")
				if !scoped && len(list) == 0 {
					t.Errorf("%s: contacts: want the tenant's matches, got none", who)
				}
			})}
		}},
		"GET /api/v1/reports/interactions":         {cases: interactionCases},
		"GET /api/v1/reports/interactions/export":  {cases: interactionExportCases},
		"GET /api/v1/reports/interactions/summary": {cases: interactionSummaryCases},
		"GET /api/v1/interactions/{protocol}/history": {cases: func(e *env) []apiCase {
			h := func(p string) string { return "/api/v1/interactions/" + url.PathEscape(p) + "/history" }
			cs := []apiCase{
				get("in-scope", h(e.protoIn), okAll, checkHistory(e.protoIn)),
				get("in-scope-desc", h(e.protoIn)+"?order=desc", okAll, checkHistory(e.protoIn)),
				get("out-of-scope", h(e.protoOut), svcHidden, checkHistory(e.protoOut)),
				get("globex", h(e.globexProto), status(404), nil),
				get("unknown", h("19990101000000"), status(404), nil),
			}
			if e.protoMixed != "" {
				cs = append(cs, get("transferred", h(e.protoMixed), okAll, checkHistory(e.protoMixed)))
			}
			return cs
		}},
		"GET /api/v1/agents/{agent}/day": {cases: func(e *env) []apiCase {
			day := func(agent, d string) string {
				return "/api/v1/agents/" + url.PathEscape(agent) + "/day?" + url.Values{"day": {d}}.Encode()
			}
			cs := []apiCase{
				get("in-scope", day(e.agentIn, e.agentDay), okAll, checkAgentDay),
				get("bad-day", day(e.agentIn, "05/10/2026"), status(http.StatusBadRequest), func(t *testing.T, e *env, who string, r resp) {
					if !strings.Contains(string(r.Body), `"day"`) {
						t.Errorf("%s: the 400 does not name day: %s", who, r)
					}
				}),
			}
			if e.agentOut != "" {
				cs = append(cs, get("out-of-scope", day(e.agentOut, e.agentDay), svcHidden, checkAgentDay))
			}
			return cs
		}},
		"GET /api/v1/interactions/{protocol}/recording": {cases: func(e *env) []apiCase {
			rec := func(p string) string { return "/api/v1/interactions/" + url.PathEscape(p) + "/recording" }
			return []apiCase{
				get("in-scope", rec(e.protoIn), okAll, checkRecording),
				{name: "in-scope-range", method: "GET", path: rec(e.protoIn), hdr: []string{"Range", "bytes=100-199"}, want: status(http.StatusPartialContent),
					check: func(t *testing.T, e *env, who string, r resp) {
						if len(r.Body) != 100 || !strings.HasPrefix(r.Hdr.Get("Content-Range"), "bytes 100-199/") {
							t.Errorf("%s: range answer: %d bytes, Content-Range %q", who, len(r.Body), r.Hdr.Get("Content-Range"))
						}
					}},
				get("out-of-scope", rec(e.protoOut), svcHidden, checkRecording),
				get("globex", rec(e.globexProto), status(404), nil),
				get("unknown", rec("19990101000000"), status(404), nil),
			}
		}},
		"GET /api/v1/reports/fluxo-agil": {cases: func(e *env) []apiCase {
			other := e.otherClient()
			return []apiCase{
				get("all", "/api/v1/reports/fluxo-agil?limit=1000", okAll, checkFluxo),
				get("by-name", "/api/v1/reports/fluxo-agil?limit=1000&sort=name", okAll, checkFluxo),
				get("own-client", "/api/v1/reports/fluxo-agil?limit=1000&client="+e.client, okAll, checkFluxo),
				// Asking for a client outside the scope names the parameter
				// (as an unknown client would: existence does not leak).
				get("other-client", "/api/v1/reports/fluxo-agil?limit=1000&client="+other, cliParam, checkFluxo),
			}
		}},
		"GET /api/v1/reports/fluxo-agil/export": {cases: func(e *env) []apiCase {
			return []apiCase{
				get("csv", "/api/v1/reports/fluxo-agil/export?format=csv", okAll, checkFluxoExport("csv")),
				get("xlsx", "/api/v1/reports/fluxo-agil/export?format=xlsx", okAll, checkFluxoExport("xlsx")),
				get("other-client", "/api/v1/reports/fluxo-agil/export?format=csv&client="+e.otherClient(), cliParam, checkFluxoExport("csv")),
			}
		}},
		"GET /api/v1/reports/fluxo-agil/dropoff": {cases: func(e *env) []apiCase {
			return []apiCase{get("all", "/api/v1/reports/fluxo-agil/dropoff", okAll, func(t *testing.T, e *env, who string, r resp) {
				ref := "/api/v1/reports/fluxo-agil/dropoff"
				if e.princ[who].Clients != nil {
					ref += "?client=" + e.client
				}
				want := e.get(t, "admin", ref)
				mustOK(t, "admin "+ref, want)
				if !bytes.Equal(r.Body, want.Body) {
					t.Errorf("%s: dropoff differs from admin's %s:\n got %s\nwant %s", who, ref, r.Body, want.Body)
				}
				if e.princ[who].Clients != nil {
					all := e.get(t, "admin", "/api/v1/reports/fluxo-agil/dropoff")
					if bytes.Equal(all.Body, r.Body) {
						t.Errorf("%s: client-limited dropoff equals the whole tenant's", who)
					}
				}
			})}
		}},
		"GET /api/v1/fluxo-agil/{batch}/{contact}/history": {cases: func(e *env) []apiCase {
			h := func(k string) string { return "/api/v1/fluxo-agil/" + k + "/history" }
			return []apiCase{
				get("in-scope", h(e.fluxoIn), okAll, checkFluxoHistory(e.fluxoIn)),
				get("out-of-scope", h(e.fluxoOut), cliHidden, checkFluxoHistory(e.fluxoOut)),
				get("globex", h(e.globexFluxo), status(404), nil),
				get("unknown", h("lote-001/ct-999999"), status(404), nil),
			}
		}},
		"GET /api/v1/reports/ivr": {cases: func(e *env) []apiCase {
			var cs []apiCase
			for _, g := range []string{"ivr", "service", "agent", "hour", "day"} {
				cs = append(cs, get("group_by="+g, "/api/v1/reports/ivr?group_by="+g, okAll, checkAggregate("Serviço")))
			}
			cs = append(cs, get("other-service", "/api/v1/reports/ivr?group_by=service&services="+e.otherService(), okAll, checkAggregate("Serviço")))
			return cs
		}},
		"GET /api/v1/reports/ivr/export": {cases: func(e *env) []apiCase {
			return []apiCase{
				get("csv", "/api/v1/reports/ivr/export?group_by=service&format=csv", okAll, checkAggregateExport("/api/v1/reports/ivr?group_by=service", "csv")),
				get("xlsx", "/api/v1/reports/ivr/export?group_by=service&format=xlsx", okAll, checkAggregateExport("/api/v1/reports/ivr?group_by=service", "xlsx")),
			}
		}},
		"GET /api/v1/reports/agents": {cases: func(e *env) []apiCase {
			return []apiCase{
				get("all-media", "/api/v1/reports/agents", okAll, checkAggregate("")),
				get("whatsapp", "/api/v1/reports/agents?media=whatsapp", okAll, checkAggregate("")),
				get("voice", "/api/v1/reports/agents?media=voice", okAll, checkAggregate("")),
				get("other-service", "/api/v1/reports/agents?media=voice&services="+e.otherService(), okAll, checkAggregate("")),
			}
		}},
		"GET /api/v1/reports/agents/export": {cases: func(e *env) []apiCase {
			return []apiCase{
				get("csv", "/api/v1/reports/agents/export?media=whatsapp&format=csv", okAll, checkAggregateExport("/api/v1/reports/agents?media=whatsapp", "csv")),
				get("xlsx", "/api/v1/reports/agents/export?media=whatsapp&format=xlsx", okAll, checkAggregateExport("/api/v1/reports/agents?media=whatsapp", "xlsx")),
			}
		}},
		"GET /api/v1/audit": {role: "admin", cases: func(e *env) []apiCase {
			return []apiCase{get("list", "/api/v1/audit", adminRole, func(t *testing.T, e *env, who string, r resp) {
				var list []store.AuditEntry
				if err := json.Unmarshal(r.Body, &list); err != nil {
					t.Fatalf("%s: audit: %v: %s", who, err, r)
				}
				for _, a := range list {
					if a.Tenant != tenantA {
						t.Errorf("%s: audit entry of tenant %q: %+v", who, a.Tenant, a)
					}
				}
			})}
		}},
		"GET /api/v1/status": {role: "admin", cases: func(e *env) []apiCase {
			return []apiCase{get("status", "/api/v1/status", adminRole, func(t *testing.T, e *env, who string, r resp) {
				var st struct {
					Analytics struct {
						Engine  string  `json:"engine"`
						Pending *int64  `json:"pending"`
						Oldest  *string `json:"oldest_pending_at"`
					} `json:"analytics"`
				}
				if err := json.Unmarshal(r.Body, &st); err != nil {
					t.Fatalf("%s: status: %v: %s", who, err, r)
				}
				if st.Analytics.Engine != e.engine || st.Analytics.Pending == nil || *st.Analytics.Pending != 0 || st.Analytics.Oldest != nil {
					t.Errorf("%s: status (engine %s, nothing pending): %s", who, e.engine, r.Body)
				}
			})}
		}},
		"GET /api/v1/audit/export": {role: "admin", cases: func(e *env) []apiCase {
			return []apiCase{get("csv", "/api/v1/audit/export?format=csv", adminRole, func(t *testing.T, e *env, who string, r resp) {
				g := parseCSV(t, who+" audit export", r.Body)
				if !slices.Equal(g.Columns, web.AuditColumns) {
					t.Errorf("%s: audit export header %v", who, g.Columns)
				}
			})}
		}},
	}
}

// ---- directory ---------------------------------------------------------------------

func directoryCases(e *env) []apiCase {
	list := func(t *testing.T, who string, r resp) []store.Option {
		var out []store.Option
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatalf("%s: %v: %s", who, err, r)
		}
		return out
	}
	plain := func(name string) apiCase {
		return get(name, "/api/v1/directory/"+name, okAll, nil)
	}
	return []apiCase{
		get("services", "/api/v1/directory/services", okAll, func(t *testing.T, e *env, who string, r resp) {
			got := list(t, who, r)
			if e.princ[who].Services != nil {
				if len(got) != 1 || got[0].ID != e.svc {
					t.Errorf("%s: services %+v, want only %s", who, got, e.svc)
				}
			} else if len(got) != len(e.serviceNames) {
				t.Errorf("%s: %d services, want %d", who, len(got), len(e.serviceNames))
			}
		}),
		get("clients", "/api/v1/directory/clients", okAll, func(t *testing.T, e *env, who string, r resp) {
			got := list(t, who, r)
			if e.princ[who].Clients != nil && (len(got) != 1 || got[0].ID != e.client) {
				t.Errorf("%s: clients %+v, want only %s", who, got, e.client)
			}
			if e.princ[who].Clients == nil && len(got) < 2 {
				t.Errorf("%s: clients %+v", who, got)
			}
		}),
		get("campaigns", "/api/v1/directory/campaigns", okAll, func(t *testing.T, e *env, who string, r resp) {
			got := list(t, who, r)
			if len(got) == 0 {
				t.Errorf("%s: no campaigns", who)
			}
			for _, c := range got {
				if e.princ[who].Clients != nil && c.Parent != e.client {
					t.Errorf("%s: campaign %s of client %s", who, c.ID, c.Parent)
				}
			}
		}),
		get("campaigns-of-other-client", "/api/v1/directory/campaigns?client="+e.otherClient(), okAll, func(t *testing.T, e *env, who string, r resp) {
			if got := list(t, who, r); e.princ[who].Clients != nil && len(got) != 0 {
				t.Errorf("%s: campaigns of another client: %+v", who, got)
			}
		}),
		get("batches", "/api/v1/directory/batches", okAll, func(t *testing.T, e *env, who string, r resp) {
			got := list(t, who, r)
			if len(got) == 0 {
				t.Errorf("%s: no batches", who)
			}
			for _, b := range got {
				if e.princ[who].Clients != nil && !e.clientBatches[b.ID] {
					t.Errorf("%s: batch %s of another client", who, b.ID)
				}
			}
		}),
		get("agents", "/api/v1/directory/agents", okAll, func(t *testing.T, e *env, who string, r resp) {
			// Limited to services: only the agents of legs in them, fewer
			// than the tenant's.
			var got []store.Agent
			if err := json.Unmarshal(r.Body, &got); err != nil {
				t.Fatalf("%s: %v: %s", who, err, r)
			}
			all := e.adminAgents(t)
			if e.princ[who].Services == nil {
				if len(got) != all {
					t.Errorf("%s: %d agents, want all %d", who, len(got), all)
				}
			} else if len(got) == 0 || len(got) >= all {
				t.Errorf("%s (limited to %s): %d agents of %d, want only those of its service", who, e.svc, len(got), all)
			}
		}),
		plain("tags"), plain("ivrs"), plain("user_tags"),
		get("unknown", "/api/v1/directory/tokens", status(404), nil),
	}
}

// adminAgents counts the tenant's directory agents.
func (e *env) adminAgents(t *testing.T) int {
	t.Helper()
	r := e.get(t, "admin", "/api/v1/directory/agents")
	var all []store.Agent
	if err := json.Unmarshal(r.Body, &all); err != nil {
		t.Fatalf("admin agents: %v: %s", err, r)
	}
	return len(all)
}

// ---- Rastreio de Interações ------------------------------------------------------------

func interactionCases(e *env) []apiCase {
	var cs []apiCase
	for _, m := range e.media {
		cs = append(cs, get(m.ID, interactionsPath(m), okAll, checkInteractions))
	}
	voice, _ := model.MediaByID(model.MediaVoice)
	whatsapp, _ := model.MediaByID(model.MediaWhatsApp)
	cs = append(cs,
		// A filter cannot widen the scope: another service gives nothing.
		get("voice-other-service", interactionsPath(voice, "services", e.otherService()), okAll, checkInteractions),
		get("voice-own-service", interactionsPath(voice, "services", e.svc), okAll, checkInteractions),
		get("voice-protocol-out", interactionsPath(voice, "protocol", e.protoOut), okAll, checkInteractions),
		get("whatsapp-asc", interactionsPath(whatsapp, "order", "asc"), okAll, checkInteractions),
	)
	return cs
}

func interactionExportCases(e *env) []apiCase {
	var cs []apiCase
	for _, id := range []string{model.MediaWhatsApp, model.MediaVoice, model.MediaEmail} {
		m, _ := model.MediaByID(id)
		for _, f := range []string{"csv", "xlsx"} {
			p := strings.Replace(interactionsPath(m, "order", "desc", "format", f), "/interactions?", "/interactions/export?", 1)
			p = strings.Replace(p, "limit=1000&", "", 1)
			cs = append(cs, get(id+"-"+f, p, okAll, checkInteractionExport(m, f)))
		}
	}
	return cs
}

// summaryPath is the summary of the Rastreio page path.
func summaryPath(page string) string {
	return strings.Replace(page, "/interactions?", "/interactions/summary?", 1)
}

func interactionSummaryCases(e *env) []apiCase {
	var cs []apiCase
	for _, m := range e.media {
		cs = append(cs, get(m.ID, summaryPath(interactionsPath(m)), okAll, checkInteractionSummary))
	}
	voice, _ := model.MediaByID(model.MediaVoice)
	cs = append(cs,
		get("voice-other-service", summaryPath(interactionsPath(voice, "services", e.otherService())), okAll, checkInteractionSummary),
		get("voice-own-service", summaryPath(interactionsPath(voice, "services", e.svc)), okAll, checkInteractionSummary),
		get("voice-protocol-out", summaryPath(interactionsPath(voice, "protocol", e.protoOut)), okAll, checkInteractionSummary),
	)
	return cs
}

// checkInteractionSummary: the totals are those of the rows the same
// principal's Rastreio page lists (admin's page narrowed to its scope):
// legs, by status, and the Expirado share (STATUS DE EXPIRAÇÃO); Status de
// voz only for Voz; unscoped principals get exactly admin's answer.
func checkInteractionSummary(t *testing.T, e *env, who string, r resp) {
	t.Helper()
	var got struct {
		Legs          int64             `json:"legs"`
		ByStatus      map[string]int64  `json:"by_status"`
		ByVoiceStatus *map[string]int64 `json:"by_voice_status"`
		MeanDuration  *string           `json:"mean_duration"`
		MeanTMR       *string           `json:"mean_tmr"`
		MeanTM1R      *string           `json:"mean_tm1r"`
		ExpiredPct    *string           `json:"expired_pct"`
	}
	if err := json.Unmarshal(r.Body, &got); err != nil || got.ByStatus == nil || got.MeanDuration == nil || got.MeanTMR == nil || got.MeanTM1R == nil || got.ExpiredPct == nil {
		t.Fatalf("%s: summary %v: %s", who, err, r)
	}
	page := strings.Replace(e.lastPath, "/interactions/summary?", "/interactions?", 1)
	p := e.princ[who]
	rows := e.scopeRows(p, e.adminRef(t, page).grid())
	if got.Legs != int64(len(rows.Rows)) {
		t.Errorf("%s %s: legs %d, the page lists %d", who, e.lastPath, got.Legs, len(rows.Rows))
	}
	want := map[string]int64{}
	var expired, withExp int
	st, ex := rows.col("STATUS"), rows.col("STATUS DE EXPIRAÇÃO")
	for _, row := range rows.Rows {
		want[row[st]]++
		if ex >= 0 && row[ex] != "" {
			withExp++
			if row[ex] == "Expirado" {
				expired++
			}
		}
	}
	if !reflect.DeepEqual(got.ByStatus, want) {
		t.Errorf("%s %s: by_status %v, the page's %v", who, e.lastPath, got.ByStatus, want)
	}
	wantPct := ""
	if withExp > 0 {
		wantPct = report.FormatPercent(100 * float64(expired) / float64(withExp))
	}
	if *got.ExpiredPct != wantPct {
		t.Errorf("%s %s: expired_pct %q, the page's %q", who, e.lastPath, *got.ExpiredPct, wantPct)
	}
	isVoice := strings.Contains(e.lastPath, "media=voice")
	if isVoice != (got.ByVoiceStatus != nil) {
		t.Errorf("%s %s: by_voice_status %v (want it for voice only)", who, e.lastPath, got.ByVoiceStatus)
	}
	if isVoice {
		var n int64
		for _, c := range *got.ByVoiceStatus {
			n += c
		}
		if n > got.Legs || *got.MeanTMR != "" || *got.MeanTM1R != "" {
			t.Errorf("%s %s: voice summary: %s", who, e.lastPath, r)
		}
	}
	if p.Services == nil {
		ref := e.get(t, "admin", e.lastPath)
		mustOK(t, "admin "+e.lastPath, ref)
		if !bytes.Equal(ref.Body, r.Body) {
			t.Errorf("%s %s: summary differs from admin's:\n got %s\nwant %s", who, e.lastPath, r.Body, ref.Body)
		}
	}
}

// adminRef is acme's admin answer to path (cached: the data does not change).
func (e *env) adminRef(t *testing.T, path string) jsonTable {
	t.Helper()
	if e.refs == nil {
		e.refs = map[string]jsonTable{}
	}
	if tb, ok := e.refs[path]; ok {
		return tb
	}
	tb := decodeTable(t, "admin "+path, e.get(t, "admin", path))
	e.refs[path] = tb
	return tb
}

// scopeRows keeps the rows of g that p may see: its services (column
// SERVIÇO) or, for Fluxo Ágil, its clients' batches (column Lote).
func (e *env) scopeRows(p model.Principal, g grid) grid {
	out := grid{Columns: g.Columns}
	svc, lote := g.col("SERVIÇO"), g.col("Lote")
	allowed := map[string]bool{}
	for _, s := range p.Services {
		allowed[e.serviceNames[s]] = true
	}
	for _, r := range g.Rows {
		if svc >= 0 && p.Services != nil && !allowed[r[svc]] {
			continue
		}
		if lote >= 0 && p.Clients != nil && !e.clientBatchNames[r[lote]] {
			continue
		}
		out.Rows = append(out.Rows, r)
	}
	return out
}

func checkInteractions(t *testing.T, e *env, who string, r resp) {
	t.Helper()
	got := decodeTable(t, who, r).grid()
	ref := e.adminRef(t, e.lastPath).grid()
	p := e.princ[who]
	want := e.scopeRows(p, ref)
	if p.Services != nil {
		i := got.col("SERVIÇO")
		for _, row := range got.Rows {
			if row[i] != e.svcName {
				t.Errorf("%s: row of service %q (scope %s)", who, row[i], e.svcName)
				break
			}
		}
	}
	e.checkTenantRows(t, who, got)
	compareMasked(t, who+" "+e.lastPath, p, want, got)
}

// checkTenantRows: every protocol is acme's, none is globex's.
func (e *env) checkTenantRows(t *testing.T, who string, g grid) {
	t.Helper()
	i := g.col("PROTOCOLO")
	for _, r := range g.Rows {
		if !e.protocols[tenantA][r[i]] {
			t.Errorf("%s: protocol %s is not acme's", who, r[i])
		}
		if d := r[g.col("DATA")]; !strings.HasPrefix(d, "2026-10") && !strings.HasPrefix(d, "2026-11") {
			t.Errorf("%s: row dated %s: acme's month is October 2026 (globex is August)", who, d)
		}
	}
}

func checkInteractionExport(m model.Media, format string) checkFn {
	return func(t *testing.T, e *env, who string, r resp) {
		t.Helper()
		got := parseExport(t, who+" "+e.lastPath, format, r)
		if !slices.Equal(got.Columns, model.ColumnsFor(m.ID)) {
			t.Errorf("%s: export header %v, want %v", who, got.Columns, model.ColumnsFor(m.ID))
		}
		p := e.princ[who]
		want := e.scopeRows(p, e.adminRef(t, interactionsPath(m, "order", "desc")).grid())
		if len(want.Rows) == 0 && p.Services == nil {
			t.Fatalf("%s: the fixture has no %s rows", who, m.ID)
		}
		e.checkTenantRows(t, who, got)
		compareMasked(t, who+" "+e.lastPath, p, want, got)
	}
}

// compareMasked checks got against want (admin's rows narrowed to p's
// scope) row by row: cells equal, except personal ones when p may not see
// personal data: then masked (CPF "***.456.789-**", phones "*…1234",
// e-mails "j***@host"), and no cell of the row may carry the raw value.
func compareMasked(t *testing.T, what string, p model.Principal, want, got grid) {
	t.Helper()
	if !slices.Equal(got.Columns, want.Columns) {
		t.Fatalf("%s: columns %v, want %v", what, got.Columns, want.Columns)
	}
	if len(got.Rows) != len(want.Rows) {
		t.Fatalf("%s: %d rows, want %d (admin's narrowed to the scope)", what, len(got.Rows), len(want.Rows))
	}
	errs := 0
	fail := func(format string, args ...any) {
		if errs++; errs <= 5 {
			t.Errorf(what+": "+format, args...)
		}
	}
	for i := range want.Rows {
		w, g := want.Rows[i], got.Rows[i]
		for j, c := range want.Columns {
			kind, personal := model.PersonalColumns[c]
			if !personal || p.PersonalData || w[j] == "" {
				if g[j] != w[j] {
					fail("row %d %s = %q, want %q", i, c, g[j], w[j])
				}
				continue
			}
			if g[j] == w[j] || !strings.Contains(g[j], "*") {
				fail("row %d %s = %q: personal data not masked", i, c, g[j])
				continue
			}
			if kind == "document" {
				if d := digitsOnly(w[j]); len(d) == 11 && g[j] != "***."+d[3:6]+"."+d[6:9]+"-**" {
					fail("row %d %s = %q, want the CPF mask ***.%s.%s-**", i, c, g[j], d[3:6], d[6:9])
				}
			}
			// The raw value must not be anywhere else in the row either.
			for _, needle := range secretsOf(kind, w[j]) {
				for k, cell := range g {
					if strings.Contains(digitsOnly(cell), needle) || strings.Contains(strings.ToLower(cell), needle) {
						fail("row %d: column %s = %q carries the unmasked %s %q of %s", i, got.Columns[k], cell, kind, w[j], c)
					}
				}
			}
		}
	}
}

// secretsOf returns what of a personal value must never appear unmasked:
// a document's digits; a phone's digits but the last four (which the mask
// keeps), without a country code; an e-mail's local part.
func secretsOf(kind, v string) []string {
	switch kind {
	case "document":
		if d := digitsOnly(v); len(d) >= 8 {
			return []string{d}
		}
	case "phone":
		d := digitsOnly(v)
		if len(d) >= 10 {
			return []string{d[2 : len(d)-4]}
		}
	case "email":
		if at := strings.LastIndexByte(v, '@'); at > 2 {
			return []string{strings.ToLower(v[:at+1])}
		}
	}
	return nil
}

// ---- history and recordings ----------------------------------------------------------------

func checkHistory(protocol string) checkFn {
	return func(t *testing.T, e *env, who string, r resp) {
		t.Helper()
		var h metrics.History
		if err := json.Unmarshal(r.Body, &h); err != nil {
			t.Fatalf("%s: history: %v: %s", who, err, r)
		}
		p := e.princ[who]
		if h.Protocol != protocol {
			t.Errorf("%s: history of %q, asked %q", who, h.Protocol, protocol)
		}
		if len(h.Legs) == 0 {
			t.Errorf("%s: history of %s without legs", who, protocol)
		}
		visible := map[string]bool{}
		for _, l := range h.Legs {
			visible[l.LegID] = true
			if p.Services != nil && !slices.Contains(p.Services, l.ServiceID) {
				t.Errorf("%s: history of %s shows leg %s of service %s", who, protocol, l.LegID, l.ServiceID)
			}
		}
		for _, en := range h.Entries {
			if en.LegID != "" && !visible[en.LegID] {
				t.Errorf("%s: history of %s shows %s entry %q of hidden leg %s", who, protocol, en.Kind, en.Text+en.Detail, en.LegID)
			}
		}
		if c := h.Call; c != nil && !p.PersonalData {
			for _, v := range []string{c.From, c.To} {
				if v != "" && !strings.Contains(v, "*") {
					t.Errorf("%s: call number %q unmasked in the history", who, v)
				}
			}
		}
		if p.Services == nil && h.Call != nil && p.PersonalData && h.Call.To != "" && strings.Contains(h.Call.To, "*") {
			t.Errorf("%s: call number %q masked for a principal with personal data", who, h.Call.To)
		}
	}
}

func checkRecording(t *testing.T, e *env, who string, r resp) {
	t.Helper()
	if ct := r.Hdr.Get("Content-Type"); ct != "audio/wav" || !bytes.HasPrefix(r.Body, []byte("RIFF")) {
		t.Errorf("%s: recording: Content-Type %q, %d bytes", who, ct, len(r.Body))
	}
	if r.Hdr.Get("Accept-Ranges") != "bytes" {
		t.Errorf("%s: recording without Accept-Ranges: bytes", who)
	}
}

// ---- Fluxo Ágil -------------------------------------------------------------------------------

func (e *env) otherClient() string {
	ctx := context.Background()
	cls, _ := e.DB.Clients(ctx, e.princ["admin"])
	for _, c := range cls {
		if c.ID != e.client {
			return c.ID
		}
	}
	return "cli-none"
}

func (e *env) otherService() string {
	for _, id := range sortedKeys(e.serviceNames) {
		if id != e.svc {
			return id
		}
	}
	return "svc-none"
}

func checkFluxo(t *testing.T, e *env, who string, r resp) {
	t.Helper()
	got := decodeTable(t, who, r).grid()
	// EVENTS.md's row keys come first; more columns may follow.
	if len(got.Columns) < len(model.FluxoColumns) || !slices.Equal(got.Columns[:len(model.FluxoColumns)], model.FluxoColumns) {
		t.Errorf("%s: Fluxo Ágil columns %v", who, got.Columns)
	}
	p := e.princ[who]
	want := e.scopeRows(p, e.adminRef(t, e.lastPath).grid())
	if p.Clients != nil {
		i := got.col("Lote")
		for _, row := range got.Rows {
			if !e.clientBatchNames[row[i]] {
				t.Errorf("%s: Fluxo Ágil row of batch %q, not of client %s", who, row[i], e.client)
				break
			}
		}
	}
	if len(got.Rows) == 0 {
		t.Errorf("%s: no Fluxo Ágil rows", who)
	}
	compareMasked(t, who+" "+e.lastPath, p, want, got)
}

func checkFluxoExport(format string) checkFn {
	return func(t *testing.T, e *env, who string, r resp) {
		t.Helper()
		got := parseExport(t, who+" "+e.lastPath, format, r)
		// The export is the screen's table (same columns, same order).
		ref := "/api/v1/reports/fluxo-agil?limit=1000"
		if c := e.lastQuery().Get("client"); c != "" {
			ref += "&client=" + c
		}
		p := e.princ[who]
		compareMasked(t, who+" "+e.lastPath, p, e.scopeRows(p, e.adminRef(t, ref).grid()), got)
	}
}

func checkFluxoHistory(key string) checkFn {
	return func(t *testing.T, e *env, who string, r resp) {
		t.Helper()
		var h report.FluxoHistory
		if err := json.Unmarshal(r.Body, &h); err != nil {
			t.Fatalf("%s: %v: %s", who, err, r)
		}
		if h.BatchID+"/"+h.ContactID != key || len(h.Conversations) == 0 {
			t.Errorf("%s: Fluxo Ágil history of %s/%s with %d conversations, asked %s", who, h.BatchID, h.ContactID, len(h.Conversations), key)
		}
		var ref report.FluxoHistory
		ra := e.get(t, "admin", "/api/v1/fluxo-agil/"+key+"/history")
		mustOK(t, "admin history", ra)
		_ = json.Unmarshal(ra.Body, &ref)
		for _, f := range []struct{ kind, got, raw string }{{"document", h.Document, ref.Document}, {"phone", h.Phone, ref.Phone}, {"email", h.Email, ref.Email}} {
			switch {
			case f.raw == "":
			case e.princ[who].PersonalData && f.got != f.raw:
				t.Errorf("%s: %s %q, want %q", who, f.kind, f.got, f.raw)
			case !e.princ[who].PersonalData && (f.got == f.raw || !strings.Contains(f.got, "*")):
				t.Errorf("%s: %s %q not masked", who, f.kind, f.got)
			}
		}
	}
}

// ---- IVR and Agentes ---------------------------------------------------------------------------

// checkAggregate: an unscoped principal gets admin's table; one limited to
// a service gets admin's table filtered by that service (services=svc, or
// nothing when the request names another service) — and not the whole
// tenant's. groupCol, when the table is grouped by service, must name only
// the allowed service.
func checkAggregate(groupCol string) checkFn {
	return func(t *testing.T, e *env, who string, r resp) {
		t.Helper()
		got := decodeTable(t, who, r)
		p := e.princ[who]
		path := e.lastPath
		if p.Services != nil {
			v := e.lastQuery()
			if s := v.Get("services"); s != "" && s != e.svc {
				// Another service than the scope's: nothing.
				if len(got.Rows) != 0 {
					t.Errorf("%s: %s widened the scope: %d rows", who, path, len(got.Rows))
				}
				return
			}
			v.Set("services", e.svc)
			path = strings.SplitN(path, "?", 2)[0] + "?" + v.Encode()
		}
		want := e.adminRef(t, path)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %s differs from admin's %s:\n got %+v\nwant %+v", who, e.lastPath, path, got, want)
		}
		if p.Services != nil {
			all := e.adminRef(t, e.lastPath)
			if len(all.Rows) > 0 && reflect.DeepEqual(all, got) {
				t.Errorf("%s: %s limited to %s equals the whole tenant's", who, e.lastPath, e.svc)
			}
			if groupCol != "" && e.lastQuery().Get("group_by") == "service" {
				for _, row := range got.Rows {
					if row[groupCol] != e.svcName {
						t.Errorf("%s: IVR group %q outside the scope", who, row[groupCol])
					}
				}
			}
		}
	}
}

// checkAggregateExport: the export is the principal's own JSON table (rows,
// then the totals row).
func checkAggregateExport(jsonPath, format string) checkFn {
	return func(t *testing.T, e *env, who string, r resp) {
		t.Helper()
		got := parseExport(t, who+" "+e.lastPath, format, r)
		own := decodeTable(t, who+" "+jsonPath, e.get(t, who, jsonPath))
		want := own.grid()
		if own.Totals != nil {
			row := make([]string, len(own.Columns))
			for i, c := range own.Columns {
				row[i] = own.Totals[c]
			}
			want.Rows = append(want.Rows, row)
		}
		if !slices.Equal(got.Columns, want.Columns) || !reflect.DeepEqual(rowKeys(got.Rows), rowKeys(want.Rows)) {
			t.Errorf("%s: %s differs from the JSON report:\n got %v\nwant %v", who, e.lastPath, got, want)
		}
	}
}

// ---- UI ------------------------------------------------------------------------------------------

type uiCase struct {
	name string
	path string
	want func(user string, p model.Principal) int
	// has must appear in a 200 page.
	has string
}

type uiEntry struct {
	role  string
	cases func(e *env) []uiCase
	// run replaces the generic walk (routes with side effects).
	run func(t *testing.T, e *env)
}

func uiStatus(code int) func(string, model.Principal) int {
	return func(string, model.Principal) int { return code }
}

func uiMatrix() map[string]uiEntry {
	ok := uiStatus(200)
	return map[string]uiEntry{
		"GET /{$}": {cases: func(e *env) []uiCase {
			return []uiCase{{name: "root", path: "/", want: uiStatus(http.StatusSeeOther)}}
		}},
		"GET /rastreio": {cases: func(e *env) []uiCase {
			return []uiCase{
				{name: "form", path: "/rastreio", want: ok},
				{name: "out-of-scope-protocol", path: "/rastreio?media=voice&protocol=" + e.protoOut, want: ok},
			}
		}},
		"GET /historico/{protocol}": {cases: func(e *env) []uiCase {
			return []uiCase{
				{name: "in-scope", path: "/historico/" + e.protoIn, want: ok, has: e.protoIn},
				{name: "out-of-scope", path: "/historico/" + e.protoOut, want: func(_ string, p model.Principal) int { return svcHidden(p) }},
				{name: "globex", path: "/historico/" + e.globexProto, want: uiStatus(404)},
			}
		}},
		"GET /fluxo-agil": {cases: func(e *env) []uiCase {
			return []uiCase{{name: "page", path: "/fluxo-agil", want: ok}}
		}},
		"GET /fluxo-agil/{batch}/{contact}": {cases: func(e *env) []uiCase {
			return []uiCase{
				{name: "in-scope", path: "/fluxo-agil/" + e.fluxoIn, want: ok},
				{name: "out-of-scope", path: "/fluxo-agil/" + e.fluxoOut, want: func(_ string, p model.Principal) int { return cliHidden(p) }},
				{name: "globex", path: "/fluxo-agil/" + e.globexFluxo, want: uiStatus(404)},
			}
		}},
		"GET /ivr": {cases: func(e *env) []uiCase {
			return []uiCase{{name: "page", path: "/ivr", want: ok}, {name: "by-service", path: "/ivr?group_by=service", want: ok}}
		}},
		"GET /agentes": {cases: func(e *env) []uiCase {
			return []uiCase{{name: "page", path: "/agentes", want: ok}, {name: "whatsapp", path: "/agentes?media=whatsapp", want: ok}}
		}},
		"GET /agentes/{agent}/dia": {cases: func(e *env) []uiCase {
			cs := []uiCase{
				{name: "in-scope", path: "/agentes/" + url.PathEscape(e.agentIn) + "/dia?day=" + e.agentDay, want: ok, has: e.protoIn},
				{name: "bad-day", path: "/agentes/" + url.PathEscape(e.agentIn) + "/dia?day=ontem", want: uiStatus(http.StatusBadRequest)},
			}
			if e.agentOut != "" {
				cs = append(cs, uiCase{name: "out-of-scope", path: "/agentes/" + url.PathEscape(e.agentOut) + "/dia?day=" + e.agentDay,
					want: func(_ string, p model.Principal) int { return svcHidden(p) }})
			}
			return cs
		}},
		"GET /auditoria": {role: "admin", cases: func(e *env) []uiCase {
			return []uiCase{{name: "page", path: "/auditoria", want: func(_ string, p model.Principal) int { return adminRole(p) }}}
		}},
		"POST /logout": {run: func(t *testing.T, e *env) {
			ctx := context.Background()
			if r := e.req(t, "POST", "/logout", "", nil); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Hdr.Get("Location"), "/login") {
				t.Errorf("POST /logout without a session: %d %q", r.Code, r.Hdr.Get("Location"))
			}
			id, err := e.DB.CreateSession(ctx, "u-viewer", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			sess, err := e.DB.SessionByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			cookie := web.SessionCookie + "=" + id
			if r := e.req(t, "POST", "/logout", "", nil, "Cookie", cookie); r.Code != http.StatusForbidden {
				t.Errorf("POST /logout without the CSRF token: want 403, got %s", r)
			}
			if r := e.req(t, "POST", "/logout", "", []byte("csrf=wrong"), "Cookie", cookie, "Content-Type", "application/x-www-form-urlencoded"); r.Code != http.StatusForbidden {
				t.Errorf("POST /logout with a wrong CSRF token: want 403, got %s", r)
			}
			r := e.req(t, "POST", "/logout", "", []byte("csrf="+sess.CSRF), "Cookie", cookie, "Content-Type", "application/x-www-form-urlencoded")
			if r.Code != http.StatusSeeOther {
				t.Errorf("POST /logout: want 303, got %s", r)
			}
			if _, err := e.DB.SessionByID(ctx, id); err == nil {
				t.Errorf("the session still works after logout")
			}
			if r := e.req(t, "GET", "/rastreio", "", nil, "Cookie", cookie); r.Code != http.StatusSeeOther {
				t.Errorf("GET /rastreio after logout: want 303 to login, got %d", r.Code)
			}
		}},
	}
}

// ---- the test ------------------------------------------------------------------------------------

func TestAccessMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) { runAccessMatrix(t, newEnv(t, s)) })
}

// runAccessMatrix checks every route of e's server against the matrices,
// then masking, drill-down, cross-tenant isolation and the audit.
func runAccessMatrix(t *testing.T, e *env) {
	{
		api, ui := apiMatrix(), uiMatrix()
		routes := e.Srv.Routes()
		seen := map[string]bool{}
		for _, rt := range routes {
			key := rt.Method + " " + rt.Pattern
			seen[key] = true
			switch rt.Auth {
			case "none":
				if publicRoutes[key] == nil {
					t.Errorf("route %s answers without authentication but is not in publicRoutes: add it there (and decide whether it should be public at all)", key)
				}
			case "api":
				if _, ok := api[key]; !ok {
					t.Errorf("API route %s has no entry in apiMatrix (access_test.go): add its expectations per role and scope", key)
				} else if api[key].role != rt.Role {
					t.Errorf("API route %s declares role %q, the matrix expects %q", key, rt.Role, api[key].role)
				}
			case "ui":
				if _, ok := ui[key]; !ok {
					t.Errorf("UI route %s has no entry in uiMatrix (access_test.go)", key)
				} else if ui[key].role != rt.Role {
					t.Errorf("UI route %s declares role %q, the matrix expects %q", key, rt.Role, ui[key].role)
				}
			default:
				t.Errorf("route %s: unknown auth %q", key, rt.Auth)
			}
		}
		for _, m := range []map[string]bool{keysOf(api), keysOf(ui), keysOf(publicRoutes)} {
			for k := range m {
				if !seen[k] {
					t.Errorf("matrix entry %s matches no registered route (renamed or removed?)", k)
				}
			}
		}

		for _, rt := range routes {
			key := rt.Method + " " + rt.Pattern
			switch {
			case rt.Auth == "none" && publicRoutes[key] != nil:
				t.Run("public "+key, func(t *testing.T) { publicRoutes[key](t, e) })
			case rt.Auth == "api" && api[key].cases != nil:
				t.Run(key, func(t *testing.T) { e.runAPI(t, api[key].cases(e)) })
			case rt.Auth == "ui":
				entry, ok := ui[key]
				if !ok {
					continue
				}
				t.Run("ui "+key, func(t *testing.T) {
					if entry.run != nil {
						entry.run(t, e)
						return
					}
					e.runUI(t, entry.cases(e))
				})
			}
		}

		t.Run("Masking", func(t *testing.T) { testMasking(t, e) })
		t.Run("DrillDown", func(t *testing.T) { testDrillDown(t, e) })
		t.Run("CrossTenant", func(t *testing.T) { testCrossTenant(t, e) })
		t.Run("Audit", func(t *testing.T) { testAudit(t, e) })
	}
}

func keysOf[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// runAPI runs each case without a credential (401) and for every principal.
func (e *env) runAPI(t *testing.T, cases []apiCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.req(t, c.method, c.path, "", c.body, c.hdr...)
			if r.Code != http.StatusUnauthorized || r.Hdr.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s without a token: want 401 with WWW-Authenticate, got %s", c.method, c.path, r)
			}
			for _, who := range matrixWho {
				e.lastPath = c.path
				r := e.as(t, who, c.method, c.path, c.body, c.hdr...)
				want := c.want(e.princ[who])
				if r.Code != want {
					t.Errorf("%s (%s, services %v, clients %v): %s %s: want %d, got %s", who, e.princ[who].Role, e.princ[who].Services, e.princ[who].Clients, c.method, c.path, want, r)
					continue
				}
				if (r.Code == http.StatusOK || r.Code == http.StatusPartialContent) && c.check != nil {
					c.check(t, e, who, r)
				}
				if r.Code >= 400 && !json.Valid(r.Body) {
					t.Errorf("%s: %s answered %d without a JSON body: %s", who, c.path, r.Code, r)
				}
			}
		})
	}
}

// runUI runs each case without a session (redirect to login) and for every
// UI user.
func (e *env) runUI(t *testing.T, cases []uiCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.ui(t, "", "GET", c.path, nil)
			if loc := r.Hdr.Get("Location"); r.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
				t.Errorf("GET %s without a session: want 303 to /login?next=…, got %d %q", c.path, r.Code, loc)
			}
			for _, u := range uiUsers {
				sess, err := e.DB.SessionByID(context.Background(), e.cookies[u])
				if err != nil {
					t.Fatal(err)
				}
				r := e.ui(t, u, "GET", c.path, nil)
				if want := c.want(u, sess.Principal); r.Code != want {
					t.Errorf("UI user %s (%s, services %v, clients %v): GET %s: want %d, got %d", u, sess.Principal.Role, sess.Principal.Services, sess.Principal.Clients, c.path, want, r.Code)
					continue
				}
				if r.Code == 200 && c.has != "" && !bytes.Contains(r.Body, []byte(c.has)) {
					t.Errorf("UI user %s: GET %s does not show %q", u, c.path, c.has)
				}
				// A page limited to a service never shows the other
				// service's protocol.
				if r.Code == 200 && sess.Principal.Services != nil && bytes.Contains(r.Body, []byte(e.protoOut)) && !strings.Contains(c.path, e.protoOut) {
					t.Errorf("UI user %s: GET %s shows protocol %s outside the scope", u, c.path, e.protoOut)
				}
				if r.Code == 200 && sess.Principal.Services != nil && strings.Contains(c.path, "protocol="+e.protoOut) && bytes.Contains(r.Body, []byte("/historico/"+e.protoOut)) {
					t.Errorf("UI user %s: GET %s lists protocol %s outside the scope", u, c.path, e.protoOut)
				}
			}
		})
	}
}

// lastQuery is the query of the request being checked.
func (e *env) lastQuery() url.Values {
	_, raw, _ := strings.Cut(e.lastPath, "?")
	v, _ := url.ParseQuery(raw)
	return v
}

// ---- masking --------------------------------------------------------------------------------------

var (
	rawDocument  = regexp.MustCompile(`^[0-9A-Z]{11,14}$`) // after removing . - / (Fluxo Ágil prints 123.456.789-09)
	maskedCPF    = regexp.MustCompile(`^\*\*\*\.\d{3}\.\d{3}-\*\*$`)
	maskedCNPJ   = regexp.MustCompile(`^\*\*\.\*\*\*\.\*\*\*/[0-9A-Z]{4}-\*\*$`)
	maskedPhone  = regexp.MustCompile(`^\*+\d{0,4}$`)
	personalDocs = map[string]string{"interactions": "DOCUMENTO", "fluxo-agil": "CPF/CNPJ"}
)

// testMasking states the masking rule on its own, for the screen JSON, the
// CSV and the XLSX of the Rastreio (WhatsApp, Voz) and of Fluxo Ágil: admin,
// supervisor and an analyst allowed personal data read raw documents;
// analyst, viewer and a supervisor denied it read "***.456.789-**".
func testMasking(t *testing.T, e *env) {
	raw := map[string]bool{"admin": true, "supervisor": true, "analyst-personal": true, "analyst": false, "viewer": false, "sup-nopersonal": false}
	for _, report := range []string{"interactions", "fluxo-agil"} {
		for _, media := range []string{"whatsapp", "voice"} {
			if report == "fluxo-agil" && media == "voice" {
				continue
			}
			for _, format := range []string{"json", "csv", "xlsx"} {
				path := "/api/v1/reports/" + report
				v := url.Values{}
				if report == "interactions" {
					v.Set("media", media)
				}
				if format == "json" {
					v.Set("limit", "1000")
				} else {
					path += "/export"
					v.Set("format", format)
				}
				path += "?" + v.Encode()
				for who, wantRaw := range raw {
					r := e.get(t, who, path)
					var g grid
					if format == "json" {
						g = decodeTable(t, who+" "+path, r).grid()
					} else {
						g = parseExport(t, who+" "+path, format, r)
					}
					col := personalDocs[report]
					docs := 0
					for _, row := range g.Rows {
						d := row[g.col(col)]
						if d == "" {
							continue
						}
						docs++
						switch {
						case wantRaw && !rawDocument.MatchString(strings.NewReplacer(".", "", "-", "", "/", "").Replace(d)):
							t.Errorf("%s %s: %s %q, want the raw document", who, path, col, d)
						case !wantRaw && !maskedCPF.MatchString(d) && !maskedCNPJ.MatchString(d):
							t.Errorf("%s %s: %s %q, want ***.NNN.NNN-** or **.***.***/NNNN-**", who, path, col, d)
						}
						for _, pc := range []string{"PARA", "A PARTIR DE", "NÚMERO DISCADO", "Telefone"} {
							if i := g.col(pc); i >= 0 && !wantRaw && row[i] != "" && !strings.Contains(row[i], "*") {
								t.Errorf("%s %s: %s %q unmasked", who, path, pc, row[i])
							} else if i >= 0 && !wantRaw && pc == "Telefone" && row[i] != "" && !maskedPhone.MatchString(row[i]) {
								t.Errorf("%s %s: %s %q, want *…NNNN", who, path, pc, row[i])
							}
						}
						if i := g.col("Email"); i >= 0 && row[i] != "" && wantRaw == strings.Contains(row[i], "***@") {
							t.Errorf("%s %s: Email %q (raw allowed: %v)", who, path, row[i], wantRaw)
						}
					}
					if docs == 0 {
						t.Errorf("%s %s: no document to check: the fixture should have some", who, path)
					}
				}
			}
		}
	}
}

// ---- drill-down ------------------------------------------------------------------------------------

var drillHref = regexp.MustCompile(`href="/rastreio\?([^"]+)"`)

// testDrillDown follows the IVR and Agentes drill-down links of a
// service-limited principal (from the report package and from the UI
// pages) with its own token: the Rastreio rows behind them are only of its
// service, and the Agentes counts match the rows.
func testDrillDown(t *testing.T, e *env) {
	ctx := context.Background()
	follow := func(t *testing.T, who, link string) grid {
		t.Helper()
		v, err := url.ParseQuery(link)
		if err != nil {
			t.Fatalf("bad link %q: %v", link, err)
		}
		v.Set("limit", "1000")
		path := "/api/v1/reports/interactions?" + v.Encode()
		g := decodeTable(t, who+" drill-down "+path, e.get(t, who, path)).grid()
		p := e.princ[who]
		if p.Services != nil {
			i := g.col("SERVIÇO")
			for _, row := range g.Rows {
				if row[i] != e.svcName {
					t.Errorf("%s: drill-down %s shows a row of service %q", who, link, row[i])
					break
				}
			}
		}
		e.checkTenantRows(t, who, g)
		return g
	}
	for _, who := range []string{"view-svc", "sup-svc", "viewer"} {
		p := e.princ[who]
		t.Run(who, func(t *testing.T) {
			followed := 0
			groups := []string{"ivr", "service", "agent", "hour", "day"}
			if p.Services == nil {
				groups = []string{"service"}
			}
			for _, g := range groups {
				iq, err := e.Rep.ParseIVR(ctx, p, url.Values{"group_by": {g}})
				if err != nil {
					t.Fatal(err)
				}
				tb, err := e.Rep.IVR(ctx, p, iq)
				if err != nil {
					t.Fatal(err)
				}
				for _, links := range append(tb.Links, tb.TotalsLinks) {
					for _, l := range links {
						if l != "" {
							follow(t, who, l)
							followed++
						}
					}
				}
			}
			for _, media := range []string{model.MediaWhatsApp, model.MediaVoice} {
				aq, err := e.Rep.ParseAgents(ctx, p, url.Values{"media": {media}})
				if err != nil {
					t.Fatal(err)
				}
				tb, err := e.Rep.Agents(ctx, p, aq)
				if err != nil {
					t.Fatal(err)
				}
				for i, row := range tb.Rows {
					links := tb.Links[i]
					if media == model.MediaWhatsApp {
						// Atendimentos finalizados and Transferidos link to
						// exactly the legs they count.
						for j := 1; j <= 2; j++ {
							if links[j] == "" {
								continue
							}
							g := follow(t, who, links[j])
							followed++
							if n, _ := strconv.Atoi(row[j]); n != len(g.Rows) {
								t.Errorf("%s: Agentes %s %s = %s, its drill-down has %d rows", who, row[0], tb.Columns[j], row[j], len(g.Rows))
							}
						}
						continue
					}
					// Voz has no Status de Serviço: each count links to all
					// the agent's legs.
					if links[1] != "" {
						g := follow(t, who, links[1])
						followed++
						sum := 0
						for j := 1; j <= 3; j++ {
							n, _ := strconv.Atoi(row[j])
							sum += n
						}
						if sum != len(g.Rows) {
							t.Errorf("%s: Agentes %s voice legs %d, drill-down rows %d", who, row[0], sum, len(g.Rows))
						}
					}
				}
			}
			if followed == 0 {
				t.Errorf("%s: no drill-down link to follow", who)
			}
			t.Logf("%s: followed %d report drill-downs", who, followed)
		})
	}
	t.Run("ui-view-svc", func(t *testing.T) {
		n := 0
		for _, page := range []string{"/ivr?group_by=service", "/ivr?group_by=agent", "/agentes?media=whatsapp", "/agentes?media=voice"} {
			r := e.ui(t, "view-svc", "GET", page, nil)
			mustOK(t, page, r)
			for _, m := range drillHref.FindAllSubmatch(r.Body, -1) {
				follow(t, "view-svc", html.UnescapeString(string(m[1])))
				n++
			}
		}
		if n == 0 {
			t.Errorf("the IVR and Agentes pages of view-svc have no drill-down link")
		}
	})
}

// ---- cross-tenant ------------------------------------------------------------------------------------

func testCrossTenant(t *testing.T, e *env) {
	// globex's admin sees globex only.
	for _, m := range e.allMedia(t) {
		g := decodeTable(t, "globex-admin", e.get(t, "globex-admin", interactionsPath(m))).grid()
		i := g.col("PROTOCOLO")
		for _, row := range g.Rows {
			if !e.protocols[tenantB][row[i]] {
				t.Errorf("globex-admin sees protocol %s", row[i])
			}
			if !strings.HasPrefix(row[g.col("DATA")], "2026-08") {
				t.Errorf("globex-admin sees a row dated %s", row[g.col("DATA")])
			}
		}
	}
	// acme's protocols do not exist for globex.
	for _, path := range []string{
		"/api/v1/interactions/" + e.protoIn + "/history",
		"/api/v1/interactions/" + e.protoIn + "/recording",
		"/api/v1/interactions/" + e.protoOut + "/history",
	} {
		if r := e.get(t, "globex-admin", path); r.Code != http.StatusNotFound {
			t.Errorf("globex-admin GET %s: want 404, got %s", path, r)
		}
	}
	if r := e.get(t, "admin", "/api/v1/fluxo-agil/"+e.globexFluxo+"/history"); r.Code != http.StatusNotFound {
		t.Errorf("acme admin reads globex's Fluxo Ágil history: %s", r)
	}
	// acme's tokens cannot write into globex.
	ev := `{"id":"xt-1","type":"service.upserted","at":"2026-10-01T10:00:00-03:00","tenant":"globex","service":{"id":"svc-x","name":"X"}}`
	r := e.as(t, "admin", "POST", "/api/v1/events", []byte(ev))
	if r.Code != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"tenant"`) {
		t.Errorf("acme admin sending a globex event: want 422 naming tenant, got %s", r)
	}
	// Fluxo Ágil: batch names carry the batch's first day (acme's are in
	// October, globex's in August), so a row of the other tenant shows.
	for who, month := range map[string]string{"admin": "/10", "globex-admin": "/08"} {
		g := decodeTable(t, who+" fluxo", e.get(t, who, "/api/v1/reports/fluxo-agil?limit=1000")).grid()
		if len(g.Rows) == 0 {
			t.Errorf("%s: no Fluxo Ágil rows", who)
		}
		for _, row := range g.Rows {
			if l := row[g.col("Lote")]; !strings.HasSuffix(l, month) {
				t.Errorf("%s sees batch %q of another tenant", who, l)
			}
		}
	}
	// Event ids are unique per tenant: both demo sets use demo-1, demo-2, …
	// and each tenant stored all of its own.
	for _, tenant := range []string{tenantA, tenantB} {
		n, err := e.DB.EventCount(context.Background(), tenant)
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(len(e.raw[tenant])) {
			t.Errorf("tenant %s stored %d events of %d", tenant, n, len(e.raw[tenant]))
		}
	}
	// Audit logs are per tenant.
	r = e.get(t, "globex-admin", "/api/v1/audit")
	mustOK(t, "globex audit", r)
	var list []store.AuditEntry
	_ = json.Unmarshal(r.Body, &list)
	for _, a := range list {
		if a.Tenant != tenantB {
			t.Errorf("globex-admin sees an audit entry of %q: %+v", a.Tenant, a)
		}
	}
}

// ---- audit ------------------------------------------------------------------------------------------

func testAudit(t *testing.T, e *env) {
	latest := func(t *testing.T, who, action string) *store.AuditEntry {
		t.Helper()
		r := e.get(t, "admin", "/api/v1/audit")
		mustOK(t, "audit", r)
		var list []store.AuditEntry
		if err := json.Unmarshal(r.Body, &list); err != nil {
			t.Fatal(err)
		}
		for i := range list { // newest first
			if list[i].Actor == "token:"+e.tokenIDs[who] && list[i].Action == action {
				return &list[i]
			}
		}
		return nil
	}
	for _, format := range []string{"csv", "xlsx"} {
		t.Run("export-"+format, func(t *testing.T) {
			path := "/api/v1/reports/interactions/export?media=voice&format=" + format
			r := e.get(t, "view-svc", path)
			g := parseExport(t, path, format, r)
			a := latest(t, "view-svc", "export")
			if a == nil {
				t.Fatalf("no export audit entry for view-svc")
			}
			if a.Rows == nil || *a.Rows != int64(len(g.Rows)) {
				t.Errorf("audit rows %v, the file has %d", a.Rows, len(g.Rows))
			}
			if a.Bytes == nil || *a.Bytes != int64(len(r.Body)) {
				t.Errorf("audit bytes %v, the file has %d", a.Bytes, len(r.Body))
			}
			if a.SHA256 != sha256Hex(r.Body) {
				t.Errorf("audit sha256 %s, the file's is %s", a.SHA256, sha256Hex(r.Body))
			}
			if a.Detail["report"] != "interactions" || a.Detail["format"] != format || a.Tenant != tenantA {
				t.Errorf("audit detail %+v (tenant %s)", a.Detail, a.Tenant)
			}
		})
	}
	t.Run("history", func(t *testing.T) {
		mustOK(t, "history", e.get(t, "sup-svc", "/api/v1/interactions/"+e.protoIn+"/history"))
		a := latest(t, "sup-svc", "history.view")
		if a == nil || a.Detail["protocol"] != e.protoIn {
			t.Fatalf("history view not audited: %+v", a)
		}
		// A refused history is not a view.
		if r := e.get(t, "view-svc", "/api/v1/interactions/"+e.protoOut+"/history"); r.Code != 404 {
			t.Fatalf("view-svc history of %s: %s", e.protoOut, r)
		}
		if a := latest(t, "view-svc", "history.view"); a != nil && a.Detail["protocol"] == e.protoOut {
			t.Errorf("a refused history was audited as a view: %+v", a)
		}
		mustOK(t, "fluxo history", e.get(t, "view-cli", "/api/v1/fluxo-agil/"+e.fluxoIn+"/history"))
		if a := latest(t, "view-cli", "history.view"); a == nil || fmt.Sprint(a.Detail["batch"], "/", a.Detail["contact"]) != e.fluxoIn {
			t.Errorf("Fluxo Ágil history view not audited: %+v", a)
		}
	})
	t.Run("recording", func(t *testing.T) {
		// A principal that has not played it yet (the matrix's viewer did,
		// and one playback is audited once within 10 minutes).
		e.mustToken(t, "viewer-audit", store.Grant{Tenant: tenantA, Role: model.RoleViewer})
		r := e.get(t, "viewer-audit", "/api/v1/interactions/"+e.protoIn+"/recording")
		mustOK(t, "recording", r)
		a := latest(t, "viewer-audit", "recording.play")
		if a == nil || a.Detail["protocol"] != e.protoIn {
			t.Fatalf("recording play not audited: %+v", a)
		}
	})
}

// checkAgentDay: an agent's day shows only legs p may see — for a
// principal limited to svc, only legs of svc —, and protoIn on its day.
func checkAgentDay(t *testing.T, e *env, who string, r resp) {
	t.Helper()
	var d report.AgentDay
	if err := json.Unmarshal(r.Body, &d); err != nil {
		t.Fatalf("%s: %v: %s", who, err, r)
	}
	sawIn := false
	for _, en := range d.Entries {
		if en.Kind != report.AgentDayLeg {
			continue
		}
		if e.princ[who].Services != nil && en.Service != e.svcName {
			t.Errorf("%s: leg %s of service %q outside %q", who, en.Protocol, en.Service, e.svcName)
		}
		sawIn = sawIn || en.Protocol == e.protoIn
	}
	if d.AgentID == e.agentIn && d.Day == e.agentDay && !sawIn {
		t.Errorf("%s: the day of %s does not list %s: %s", who, e.agentIn, e.protoIn, r)
	}
}
