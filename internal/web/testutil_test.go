package web_test

// Shared fixture of the API contract tests (api_test.go) and the access
// matrix (access_test.go): a rastro server over a store of storetest.Each,
// seeded once per store with a small demo month for two tenants, and a token
// (and a UI session) for every role and scope. The package is web_test on
// purpose: the browser tests of package web keep their own helpers, and the
// matrix sees the server only as the outside world does (web.New, Routes).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/rastro/rastro/internal/demo"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
	"github.com/rastro/rastro/internal/web"
)

// Tenants of the fixture.
const (
	tenantA = "acme"
	tenantB = "globex"
)

// uiPassword is the password of every fixture UI user.
const uiPassword = "senha-bem-forte-1"

// Principals of the matrix (tenant acme unless the name says otherwise).
// Each is a token; the scoped ones are limited to env.svc or env.client.
var matrixWho = []string{
	"admin", "supervisor", "analyst", "viewer",
	"sup-svc", "view-svc", // one service
	"sup-cli", "view-cli", // one client (Fluxo Ágil)
	"analyst-personal", // analyst who may see personal data
	"sup-nopersonal",   // supervisor who may not
}

// uiUsers are the UI logins (username → grant builder key, as matrixWho).
var uiUsers = []string{"admin", "supervisor", "analyst", "viewer", "view-svc", "view-cli"}

// resp is an HTTP answer read whole.
type resp struct {
	Code int
	Hdr  http.Header
	Body []byte
}

func (r resp) String() string {
	if !utf8.Valid(r.Body) {
		return http.StatusText(r.Code) + " <" + strconv.Itoa(len(r.Body)) + " bytes of " + r.Hdr.Get("Content-Type") + ">"
	}
	b := string(r.Body)
	if len(b) > 400 {
		b = b[:400] + "…"
	}
	return http.StatusText(r.Code) + " " + b
}

// env is a running server over a seeded store.
type env struct {
	Store  string
	DB     *store.DB
	Srv    *web.Server
	URL    string
	Rep    *report.Reports
	RecDir string
	hc     *http.Client

	tokens   map[string]string          // who → bearer token
	tokenIDs map[string]string          // who → token id (audit actor "token:ID")
	princ    map[string]model.Principal // who → principal
	cookies  map[string]string          // UI user → session cookie
	csrf     map[string]string          // UI user → CSRF token

	// raw events of each tenant, as ingested.
	raw map[string][][]byte

	// The scoped service and client of acme, chosen from the data.
	svc, svcName       string
	client, clientName string
	clientBatches      map[string]bool // batch ids of client
	clientBatchNames   map[string]bool // batch names of client
	serviceNames       map[string]string

	// Protocols of acme: voice, with a recording, legs only in svc / none in svc.
	protoIn, protoOut string
	// A protocol of acme with legs in svc and in another service (transfer); "" if none.
	protoMixed string
	// The agent of protoIn's leg and its local day (the agent's timeline);
	// an acme agent with no legs in svc, "" if every agent has some.
	agentIn, agentDay, agentOut string
	// Fluxo Ágil "batch/contact" keys of acme: of client / of another client.
	fluxoIn, fluxoOut string
	// Globex protocol and Fluxo key that acme does not have.
	globexProto, globexFluxo string
	// Every protocol of each tenant (all media).
	protocols map[string]map[string]bool
	media     []model.Media

	// refs caches admin answers; lastPath is the request being checked.
	refs     map[string]jsonTable
	lastPath string

	// engine is what /api/v1/status names: "none", or "clickhouse" when
	// the server reads the analytics engine (newEnvWith).
	engine string
}

// newEnv seeds acme and globex into s (about 250 legs each: acme in
// October 2026, globex in August 2026 with another seed, so that no
// protocol is shared), creates the principals and serves.
func newEnv(t *testing.T, s storetest.Store) *env {
	t.Helper()
	return newEnvWith(t, s, nil)
}

// newEnvWith is newEnv whose server reads the reports from the analytics
// reader engineOf returns once the tenants are seeded (nil: the store
// only); e.Rep, the tests' reference, still reads the store.
func newEnvWith(t *testing.T, s storetest.Store, engineOf func(t *testing.T, db *store.DB) report.AnalyticsReader) *env {
	t.Helper()
	start := time.Now()
	e := emptyEnv(t, s.Name, s.DB)
	e.engine = "none"
	seed := map[string]demo.Options{
		tenantA: {Tenant: tenantA, Legs: 250, Seed: 1},
		// globex only has to exist and differ: a small week keeps the
		// fixture fast on PostgreSQL.
		tenantB: {Tenant: tenantB, Legs: 40, Days: 3, Seed: 7, Start: time.Date(2026, 8, 1, 0, 0, 0, 0, demo.Zone)},
	}
	for _, tenant := range []string{tenantA, tenantB} {
		t0 := time.Now()
		e.raw[tenant] = seedTenant(t, s.DB, tenant, seed[tenant])
		t.Logf("%s: seeded %s (%d events) in %s", s.Name, tenant, len(e.raw[tenant]), time.Since(t0).Round(time.Millisecond))
	}
	var engine report.AnalyticsReader
	if engineOf != nil {
		engine, e.engine = engineOf(t, s.DB), "clickhouse"
	}
	e.serve(t, engine)
	e.media = e.allMedia(t)
	e.mustToken(t, "admin", store.Grant{Tenant: tenantA, Role: model.RoleAdmin})
	e.mustToken(t, "globex-admin", store.Grant{Tenant: tenantB, Role: model.RoleAdmin})
	e.discover(t)
	yes, no := true, false
	grants := map[string]store.Grant{
		"supervisor":       {Role: model.RoleSupervisor},
		"analyst":          {Role: model.RoleAnalyst},
		"viewer":           {Role: model.RoleViewer},
		"sup-svc":          {Role: model.RoleSupervisor, Services: []string{e.svc}},
		"view-svc":         {Role: model.RoleViewer, Services: []string{e.svc}},
		"sup-cli":          {Role: model.RoleSupervisor, Clients: []string{e.client}},
		"view-cli":         {Role: model.RoleViewer, Clients: []string{e.client}},
		"analyst-personal": {Role: model.RoleAnalyst, Personal: &yes},
		"sup-nopersonal":   {Role: model.RoleSupervisor, Personal: &no},
	}
	for who, g := range grants {
		g.Tenant = tenantA
		e.mustToken(t, who, g)
	}
	for _, u := range uiUsers {
		g := grants[u]
		if u == "admin" {
			g = store.Grant{Role: model.RoleAdmin}
		}
		g.Tenant = tenantA
		e.mustSession(t, u, g)
	}
	t.Logf("%s: fixture ready in %s (svc %s %q, client %s, protoIn %s, protoOut %s, protoMixed %q, fluxoIn %s, fluxoOut %s)",
		s.Name, time.Since(start).Round(time.Millisecond), e.svc, e.svcName, e.client, e.protoIn, e.protoOut, e.protoMixed, e.fluxoIn, e.fluxoOut)
	return e
}

// newBareEnv serves an empty store (no demo data): tenants appear with the
// tokens created on them.
func newBareEnv(t *testing.T, s storetest.Store) *env {
	t.Helper()
	e := emptyEnv(t, s.Name, s.DB)
	e.serve(t, nil)
	return e
}

// emptyEnv is an env of store db (named name) with no principals, data or
// server yet.
func emptyEnv(t *testing.T, name string, db *store.DB) *env {
	return &env{
		Store: name, DB: db, Rep: report.New(db), RecDir: t.TempDir(),
		tokens: map[string]string{}, tokenIDs: map[string]string{}, princ: map[string]model.Principal{},
		cookies: map[string]string{}, csrf: map[string]string{}, raw: map[string][][]byte{},
		protocols: map[string]map[string]bool{},
	}
}

// serve starts the server over e's store, reading the reports from engine
// when it is not nil, and the client that does not follow redirects.
func (e *env) serve(t *testing.T, engine report.AnalyticsReader) {
	t.Helper()
	srv, err := web.New(e.DB, web.Config{RecordingsDir: e.RecDir, Logger: testLogger(t), Analytics: engine})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	e.Srv = srv
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	e.URL = ts.URL
	e.hc = &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// seedTenant generates a demo month and stores it for tenant through
// ingest.Store, returning the raw events.
func seedTenant(t *testing.T, db *store.DB, tenant string, opt demo.Options) [][]byte {
	t.Helper()
	ctx := context.Background()
	var events []model.Event
	var raw [][]byte
	first := demo.DefaultStart
	if !opt.Start.IsZero() {
		first = opt.Start
	}
	err := demo.Generate(ctx, opt, func(ev model.Event) error {
		// Agent activity is most of a demo month's events and the slowest
		// to derive on PostgreSQL; it matters to no access rule, so only the
		// first week's is kept (Tempo logado and pauses still have data).
		if strings.HasPrefix(ev.Type, "agent.") && ev.At.Sub(first) > 7*24*time.Hour {
			return nil
		}
		b, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		events = append(events, ev)
		raw = append(raw, b)
		return nil
	})
	if err != nil {
		t.Fatalf("demo %s: %v", tenant, err)
	}
	if err := db.EnsureTenant(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	in := ingest.New(db)
	const batch = 2500
	for i := 0; i < len(events); i += batch {
		j := min(i+batch, len(events))
		if _, err := in.Store(ctx, tenant, events[i:j], raw[i:j]); err != nil {
			t.Fatalf("seed %s batch %d: %v", tenant, i/batch, err)
		}
	}
	return raw
}

func (e *env) mustToken(t *testing.T, who string, g store.Grant) {
	t.Helper()
	ctx := context.Background()
	id, tok, err := e.DB.CreateToken(ctx, g, "test "+who)
	if err != nil {
		t.Fatalf("token %s: %v", who, err)
	}
	p, err := e.DB.AuthenticateToken(ctx, tok)
	if err != nil {
		t.Fatalf("authenticate %s: %v", who, err)
	}
	e.tokens[who], e.tokenIDs[who], e.princ[who] = tok, id, p
}

func (e *env) mustSession(t *testing.T, user string, g store.Grant) {
	t.Helper()
	ctx := context.Background()
	name := "u-" + user
	if err := e.DB.CreateUser(ctx, name, uiPassword, g); err != nil {
		t.Fatalf("user %s: %v", name, err)
	}
	id, err := e.DB.CreateSession(ctx, name, time.Hour)
	if err != nil {
		t.Fatalf("session %s: %v", name, err)
	}
	sess, err := e.DB.SessionByID(ctx, id)
	if err != nil {
		t.Fatalf("session %s: %v", name, err)
	}
	e.cookies[user], e.csrf[user] = id, sess.CSRF
}

// testLogger sends the server's error logs to the test log (a 500 then
// says why).
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelError}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// ---- HTTP ---------------------------------------------------------------------

// req sends a request; auth is a bearer token ("" = none). hdr are
// name/value pairs.
func (e *env) req(t testing.TB, method, path, auth string, body []byte, hdr ...string) resp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if auth != "" {
		r.Header.Set("Authorization", "Bearer "+auth)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := e.hc.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp{Code: res.StatusCode, Hdr: res.Header, Body: b}
}

// as sends a request with who's token.
func (e *env) as(t testing.TB, who, method, path string, body []byte, hdr ...string) resp {
	t.Helper()
	tok, ok := e.tokens[who]
	if !ok {
		t.Fatalf("no token %q", who)
	}
	return e.req(t, method, path, tok, body, hdr...)
}

// get is as(GET).
func (e *env) get(t testing.TB, who, path string) resp {
	t.Helper()
	return e.as(t, who, http.MethodGet, path, nil)
}

// ui sends a request with a UI user's session cookie ("" = no cookie).
func (e *env) ui(t testing.TB, user, method, path string, body []byte, hdr ...string) resp {
	t.Helper()
	if user != "" {
		hdr = append(hdr, "Cookie", web.SessionCookie+"="+e.cookies[user])
	}
	return e.req(t, method, path, "", body, hdr...)
}

// mustOK fails unless r is 200.
func mustOK(t testing.TB, what string, r resp) {
	t.Helper()
	if r.Code != http.StatusOK {
		t.Fatalf("%s: want 200, got %d: %s", what, r.Code, r)
	}
}

// ---- decoding -------------------------------------------------------------------

// jsonTable is a JSON report answer.
type jsonTable struct {
	Columns    []string            `json:"columns"`
	Rows       []map[string]string `json:"rows"`
	NextCursor *string             `json:"next_cursor"`
	Totals     map[string]string   `json:"totals"`
}

func decodeTable(t testing.TB, what string, r resp) jsonTable {
	t.Helper()
	mustOK(t, what, r)
	var tb jsonTable
	if err := json.Unmarshal(r.Body, &tb); err != nil {
		t.Fatalf("%s: decode table: %v: %s", what, err, r)
	}
	if tb.NextCursor != nil {
		t.Fatalf("%s: the fixture expects one page (limit=1000), got next_cursor", what)
	}
	return tb
}

// grid is a table as rows of cells in column order (exports).
type grid struct {
	Columns []string
	Rows    [][]string
}

// col is the index of a column, -1 when absent.
func (g grid) col(name string) int {
	for i, c := range g.Columns {
		if c == name {
			return i
		}
	}
	return -1
}

// toGrid turns a JSON table into a grid in its column order.
func (tb jsonTable) grid() grid {
	g := grid{Columns: tb.Columns}
	for _, m := range tb.Rows {
		row := make([]string, len(tb.Columns))
		for i, c := range tb.Columns {
			row[i] = m[c]
		}
		g.Rows = append(g.Rows, row)
	}
	return g
}

// parseCSV reads an export (UTF-8 BOM and ";" by default).
func parseCSV(t testing.TB, what string, body []byte) grid {
	t.Helper()
	if !bytes.HasPrefix(body, []byte("\uFEFF")) {
		t.Fatalf("%s: CSV export without UTF-8 BOM", what)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF"))))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: parse CSV: %v", what, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: empty CSV", what)
	}
	return grid{Columns: recs[0], Rows: recs[1:]}
}

// parseXLSX reads the first sheet of an XLSX export.
func parseXLSX(t testing.TB, what string, body []byte) grid {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: open XLSX: %v", what, err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		t.Fatalf("%s: XLSX without sheets", what)
	}
	rows, err := x.GetRows(sheets[0])
	if err != nil {
		t.Fatalf("%s: read XLSX: %v", what, err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: empty XLSX", what)
	}
	g := grid{Columns: rows[0]}
	for i, r := range rows[1:] {
		// GetRows drops trailing empty cells: pad to the header.
		for len(r) < len(g.Columns) {
			r = append(r, "")
		}
		// excelize renders [hh] without its padding ("0:08:21"); a
		// spreadsheet shows "00:08:21", the CSV's text: read durations from
		// their values.
		for j := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			styleID, err := x.GetCellStyle(sheets[0], cell)
			if err != nil || styleID == 0 {
				continue
			}
			st, err := x.GetStyle(styleID)
			if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "[hh]:mm:ss" {
				continue
			}
			raw, _ := x.GetCellValue(sheets[0], cell, excelize.Options{RawCellValue: true})
			days, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				t.Fatalf("%s: duration cell %s holds %q", what, cell, raw)
			}
			r[j] = metrics.FormatDuration(days * 86400)
		}
		g.Rows = append(g.Rows, r)
	}
	return g
}

// parseExport reads a CSV or XLSX export; a row count announced in
// X-Rastro-Rows must be the file's.
func parseExport(t testing.TB, what, format string, r resp) grid {
	t.Helper()
	mustOK(t, what, r)
	var g grid
	if format == "xlsx" {
		if ct := r.Hdr.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
			t.Errorf("%s: Content-Type %q", what, ct)
		}
		g = parseXLSX(t, what, r.Body)
	} else {
		if ct := r.Hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("%s: Content-Type %q", what, ct)
		}
		g = parseCSV(t, what, r.Body)
	}
	if h := r.Hdr.Get(web.RowsHeader); h != "" && h != strconv.Itoa(len(g.Rows)) {
		t.Errorf("%s: %s = %q, the file has %d data rows", what, web.RowsHeader, h, len(g.Rows))
	}
	return g
}

// rowKeys renders rows as sorted strings, for order-free comparisons.
func rowKeys(rows [][]string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Join(r, "\x1f")
	}
	sort.Strings(out)
	return out
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func q(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

// ---- discovery --------------------------------------------------------------------

// adminRows runs a JSON report as who (a tenant's admin) through the API.
func (e *env) adminRows(t *testing.T, who, path string) jsonTable {
	t.Helper()
	return decodeTable(t, who+" "+path, e.get(t, who, path))
}

// allMedia are the media of the store.
func (e *env) allMedia(t testing.TB) []model.Media {
	t.Helper()
	m, err := e.DB.Media(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// interactionsPath is the Rastreio query for every finished leg of a media
// the report can show (both service statuses where the filter applies).
func interactionsPath(m model.Media, extra ...string) string {
	kv := []string{"media", m.ID, "limit", "1000"}
	if m.HasFilter("service_status") {
		kv = append(kv, "service_status", "completed,transferred")
	}
	return "/api/v1/reports/interactions?" + q(append(kv, extra...)...)
}

// discover picks, from the seeded data, the service and client the scoped
// principals get and the protocols and Fluxo keys the matrix asks for.
func (e *env) discover(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	admin := e.princ["admin"]
	svcs, err := e.DB.Services(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	e.serviceNames = map[string]string{}
	for _, s := range svcs {
		e.serviceNames[s.ID] = s.Label
	}
	// Protocols of both tenants, and each acme protocol's services.
	protoSvcs := map[string]map[string]bool{}
	var voiceProtos []string
	for _, tenant := range []string{tenantA, tenantB} {
		who := map[string]string{tenantA: "admin", tenantB: "globex-admin"}[tenant]
		e.protocols[tenant] = map[string]bool{}
		for _, m := range e.allMedia(t) {
			tb := e.adminRows(t, who, interactionsPath(m))
			for _, r := range tb.Rows {
				p := r["PROTOCOLO"]
				e.protocols[tenant][p] = true
				if tenant != tenantA {
					continue
				}
				if protoSvcs[p] == nil {
					protoSvcs[p] = map[string]bool{}
					if m.ID == model.MediaVoice {
						voiceProtos = append(voiceProtos, p)
					}
				}
				protoSvcs[p][r["SERVIÇO"]] = true
			}
		}
	}
	sort.Strings(voiceProtos)
	recorded := func(p string) bool {
		_, ok, err := e.DB.LegRecording(ctx, admin, p)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	// The service: the one with most voice protocols entirely inside it
	// that have a recording, given some recorded protocol lies outside it.
	ids := make([]string, 0, len(e.serviceNames))
	for id := range e.serviceNames {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var recProtos []string
	for _, p := range voiceProtos {
		if recorded(p) {
			recProtos = append(recProtos, p)
		}
	}
	mixed := func(name string) string {
		for _, p := range sortedKeys(protoSvcs) {
			if s := protoSvcs[p]; len(s) > 1 && s[name] {
				return p
			}
		}
		return ""
	}
	best := 0
	for _, id := range ids {
		name := e.serviceNames[id]
		in, out := "", ""
		n := 0
		for _, p := range recProtos {
			s := protoSvcs[p]
			switch {
			case len(s) == 1 && s[name]:
				n++
				if in == "" {
					in = p
				}
			case !s[name] && out == "":
				out = p
			}
		}
		if out == "" || n == 0 {
			continue
		}
		// Prefer a service with a transferred protocol (legs in and out of
		// it), then the most recorded protocols.
		score := n
		if mixed(name) != "" {
			score += 1000
		}
		if score > best {
			best, e.svc, e.svcName, e.protoIn, e.protoOut = score, id, name, in, out
		}
	}
	if e.svc == "" {
		t.Fatalf("demo data has no service with a recorded voice protocol (and one outside it): %d recorded of %d voice protocols", len(recProtos), len(voiceProtos))
	}
	e.protoMixed = mixed(e.svcName)
	e.discoverAgents(t)
	for p := range e.protocols[tenantB] {
		if !e.protocols[tenantA][p] && (e.globexProto == "" || p < e.globexProto) {
			e.globexProto = p
		}
	}
	if e.globexProto == "" {
		t.Fatal("globex has no protocol that acme lacks")
	}

	// The client: the first (by id) with Fluxo Ágil rows, given another
	// client has rows too.
	camps, err := e.DB.Campaigns(ctx, admin, "")
	if err != nil {
		t.Fatal(err)
	}
	campClient := map[string]string{}
	for _, c := range camps {
		campClient[c.ID] = c.Parent
	}
	batches, err := e.DB.Batches(ctx, admin, "")
	if err != nil {
		t.Fatal(err)
	}
	batchClient, batchName := map[string]string{}, map[string]string{}
	for _, b := range batches {
		batchClient[b.ID], batchName[b.ID] = campClient[b.Parent], b.Label
	}
	keys := e.fluxoKeys(t, admin)
	byClient := map[string][]string{}
	for _, k := range keys {
		b, _, _ := strings.Cut(k, "/")
		byClient[batchClient[b]] = append(byClient[batchClient[b]], k)
	}
	clients := sortedKeys(byClient)
	if len(clients) < 2 {
		t.Fatalf("Fluxo Ágil rows of %d clients; the matrix needs 2", len(clients))
	}
	e.client = clients[0]
	e.fluxoIn, e.fluxoOut = byClient[clients[0]][0], byClient[clients[1]][0]
	cls, _ := e.DB.Clients(ctx, admin)
	for _, c := range cls {
		if c.ID == e.client {
			e.clientName = c.Label
		}
	}
	e.clientBatches, e.clientBatchNames = map[string]bool{}, map[string]bool{}
	for id, c := range batchClient {
		if c == e.client {
			e.clientBatches[id], e.clientBatchNames[batchName[id]] = true, true
		}
	}
	acmeKeys := map[string]bool{}
	for _, k := range keys {
		acmeKeys[k] = true
	}
	gp := e.princ["globex-admin"]
	for _, k := range e.fluxoKeys(t, gp) {
		if !acmeKeys[k] {
			e.globexFluxo = k
			break
		}
	}
	if e.globexFluxo == "" {
		t.Fatal("globex has no Fluxo Ágil batch/contact that acme lacks")
	}
}

// fluxoKeys lists the "batch/contact" keys of the Fluxo Ágil rows p sees
// (the JSON rows carry names only, so this asks the report package).
func (e *env) fluxoKeys(t testing.TB, p model.Principal) []string {
	t.Helper()
	ctx := context.Background()
	fq, err := e.Rep.ParseFluxo(ctx, p, url.Values{"limit": {"1000"}})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := e.Rep.Fluxo(ctx, p, fq)
	if err != nil {
		t.Fatal(err)
	}
	if tb.NextCursor != "" {
		t.Fatal("more than 1000 Fluxo Ágil rows in the fixture")
	}
	return tb.Keys
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// discoverAgents finds the agent of protoIn (and its day) and an agent the
// principals limited to svc may not see.
func (e *env) discoverAgents(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	voice, _ := model.MediaByID(model.MediaVoice)
	rows := e.adminRows(t, "admin", interactionsPath(voice, "protocol", e.protoIn)).Rows
	if len(rows) == 0 {
		t.Fatalf("no Rastreio row of %s", e.protoIn)
	}
	name := rows[0]["AGENTE"]
	e.agentDay = rows[0]["DATA"]
	all, err := e.DB.Agents(ctx, e.princ["admin"])
	if err != nil {
		t.Fatal(err)
	}
	limited := model.Principal{Tenant: tenantA, Role: model.RoleSupervisor, Services: []string{e.svc}}
	seen, err := e.DB.Agents(ctx, limited)
	if err != nil {
		t.Fatal(err)
	}
	inSvc := map[string]bool{}
	for _, a := range seen {
		inSvc[a.ID] = true
	}
	for _, a := range all {
		if a.Name == name && inSvc[a.ID] {
			e.agentIn = a.ID
		}
		if !inSvc[a.ID] && e.agentOut == "" {
			e.agentOut = a.ID
		}
	}
	if e.agentIn == "" || e.agentDay == "" {
		t.Fatalf("no directory agent named %q (the agent of %s) in %s", name, e.protoIn, e.svc)
	}
}
