package web_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
	"github.com/rastro/rastro/internal/web"
)

// hookEnv is a server with one Chatwoot connector of tenant "loja".
type hookEnv struct {
	db     *store.DB
	url    string
	key    string
	secret string
	token  string // admin API token of loja
}

func newHookEnv(t *testing.T, s storetest.Store) *hookEnv {
	t.Helper()
	ctx := context.Background()
	srv, err := web.New(s.DB, web.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	h := &hookEnv{db: s.DB, url: ts.URL, secret: "segredo-do-webhook"}
	if _, h.key, err = s.DB.CreateConnector(ctx, "loja", store.ConnectorChatwoot, store.ConnectorSettings{Secret: h.secret}); err != nil {
		t.Fatal(err)
	}
	if _, h.token, err = s.DB.CreateToken(ctx, store.Grant{Tenant: "loja", Role: model.RoleAdmin}, "test"); err != nil {
		t.Fatal(err)
	}
	return h
}

// sign is Chatwoot's signature of body at Unix second ts.
func sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.", ts)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// post sends a webhook with the given headers.
func (h *hookEnv) post(t *testing.T, key string, body []byte, hdr map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", h.url+"/hooks/chatwoot/"+key, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return send(t, req)
}

// send sends req and returns the answer's status and body.
func send(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// signed are the headers of a delivery signed now.
func (h *hookEnv) signed(body []byte, delivery string) map[string]string {
	ts := time.Now().Unix()
	return map[string]string{"X-Chatwoot-Timestamp": strconv.FormatInt(ts, 10), "X-Chatwoot-Signature": sign(h.secret, ts, body), "X-Chatwoot-Delivery": delivery}
}

func (h *hookEnv) get(t *testing.T, path string, v any) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", h.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+h.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return b
}

// page GETs a UI page with session sid and returns its status and body.
func (h *hookEnv) page(t *testing.T, sid, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", h.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", web.SessionCookie+"="+sid)
	return send(t, req)
}

// adminSession signs an admin of loja in and returns the session id.
func adminSession(t *testing.T, s storetest.Store) string {
	t.Helper()
	ctx := context.Background()
	if err := s.DB.CreateUser(ctx, "u-admin", "senha-longa-de-teste-1", store.Grant{Tenant: "loja", Role: model.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	sid, err := s.DB.CreateSession(ctx, "u-admin", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return sid
}

// connectorFixture reads a file of a connector's testdata
// (internal/connectors/NAME/testdata/PATH…).
func connectorFixture(t *testing.T, connector string, path ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"..", "connectors", connector, "testdata"}, path...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// conversationFixtures are the Chatwoot fixture conversation's deliveries,
// in file name order.
func conversationFixtures(t *testing.T) [][]byte {
	t.Helper()
	dir := filepath.Join("..", "connectors", "chatwoot", "testdata", "conversation")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	var out [][]byte
	for _, n := range names {
		out = append(out, connectorFixture(t, "chatwoot", "conversation", n))
	}
	return out
}

type rastreio struct {
	Rows []map[string]string `json:"rows"`
}

// The hand computation of the fixture conversation (times UTC; the tenant's
// zone is America/Sao_Paulo, UTC−3):
//
//	leg 1 (team Suporte, Ana Lima): queued 12:00:00, delivered 12:01:00,
//	  transferred 12:03:00 → DURAÇÃO 00:02:00; first agent message 12:01:30
//	  → TM1R 00:00:30; replies 12:01:30 (from the delivery, later than the
//	  client's 12:00:05) 30 s and 12:02:40 (from the client's 12:02:00) 40 s
//	  → TMR 00:00:35; STATUS service transferred; the private note of
//	  12:02:50 is its COMENTÁRIOS INTERNOS.
//	leg 2 (team Financeiro, Bruno Costa): entered and delivered 12:03:00,
//	  resolved 12:06:00 → DURAÇÃO 00:03:00; first message 12:04:00 → TM1R
//	  00:01:00; replies 60 s (from the delivery) and 20 s (12:05:00 →
//	  12:05:20) → TMR 00:00:40; STATUS service completed.
var wantLegs = []map[string]string{
	{"SERVIÇO": "Suporte", "AGENTE": "Ana Lima", "ORIGEM": "Chatwoot", "HORA": "09:00:00", "DATA ATENDIDA": "2026-03-02 09:01:00", "DATA FINALIZADA": "2026-03-02 09:03:00",
		"DURAÇÃO": "00:02:00", "TM1R": "00:00:30", "TMR": "00:00:35", "STATUS": "service transferred", "COMENTÁRIOS INTERNOS": "Cliente pediu estorno do pedido 123",
		"CONTATO": "Maria Souza", "ID EXTERNO": "crm-881", "ORIGEM DA CONVERSA": "Cliente", "ÚLTIMA RESPOSTA": "agente"},
	{"SERVIÇO": "Financeiro", "AGENTE": "Bruno Costa", "ORIGEM": "Chatwoot", "HORA": "09:03:00", "DATA ATENDIDA": "2026-03-02 09:03:00", "DATA FINALIZADA": "2026-03-02 09:06:00",
		"DURAÇÃO": "00:03:00", "TM1R": "00:01:00", "TMR": "00:00:40", "STATUS": "service completed",
		"CONTATO": "Maria Souza", "ID EXTERNO": "crm-881", "ORIGEM DA CONVERSA": "Cliente", "ÚLTIMA RESPOSTA": "agente"},
}

func (h *hookEnv) legs(t *testing.T) ([]map[string]string, []byte) {
	t.Helper()
	var all []map[string]string
	var raw []byte
	for _, st := range []string{"transferred", "completed"} {
		var r rastreio
		raw = append(raw, h.get(t, "/api/v1/reports/interactions?media=whatsapp&from=2026-03-02&to=2026-03-02&service_status="+st, &r)...)
		all = append(all, r.Rows...)
	}
	return all, raw
}

func (h *hookEnv) deliveries(t *testing.T) int {
	t.Helper()
	d, err := h.db.Deliveries(context.Background(), "loja", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(d)
}

func TestChatwootConversationPostedAsWebhooksFillsTheRastreio(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		h := newHookEnv(t, s)
		bodies := conversationFixtures(t)

		// Refused before anything is stored.
		first := bodies[0]
		stale := time.Now().Add(-6 * time.Minute).Unix()
		refusals := []struct {
			name string
			key  string
			hdr  map[string]string
			code int
		}{
			{"unknown key", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", h.signed(first, "x1"), http.StatusNotFound},
			{"no signature", h.key, nil, http.StatusUnauthorized},
			{"signature of another secret", h.key, map[string]string{"X-Chatwoot-Timestamp": strconv.FormatInt(time.Now().Unix(), 10), "X-Chatwoot-Signature": sign("outro", time.Now().Unix(), first)}, http.StatusUnauthorized},
			{"signature of another body", h.key, h.signed(append([]byte(" "), first...), "x2"), http.StatusUnauthorized},
			{"unsigned, signature header only", h.key, map[string]string{"X-Chatwoot-Signature": sign(h.secret, 0, first)}, http.StatusUnauthorized},
			{"timestamp 6 minutes old", h.key, map[string]string{"X-Chatwoot-Timestamp": strconv.FormatInt(stale, 10), "X-Chatwoot-Signature": sign(h.secret, stale, first)}, http.StatusUnauthorized},
		}
		for _, r := range refusals {
			if code, body := h.post(t, r.key, first, r.hdr); code != r.code {
				t.Errorf("%s: %d %s, want %d", r.name, code, body, r.code)
			}
		}
		// A caller trying keys writes one audit entry per window, not one
		// per request.
		for i := 0; i < 3; i++ {
			if code, _ := h.post(t, fmt.Sprintf("guess-%d", i), first, nil); code != http.StatusNotFound {
				t.Errorf("guessed key: %d, want 404", code)
			}
		}
		if n := h.deliveries(t); n != 0 {
			t.Fatalf("refused webhooks stored %d deliveries", n)
		}
		if rows, _ := h.legs(t); len(rows) != 0 {
			t.Fatalf("refused webhooks produced rows: %v", rows)
		}
		audit, err := s.DB.AuditLog(context.Background(), "", 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(audit) != 1 || audit[0].Action != "hook.unknown_key" || strings.Contains(fmt.Sprint(audit[0].Detail), "AAAAAAAA") {
			t.Errorf("unknown key audit: %+v (want one entry, without the key)", audit)
		}

		for i, b := range bodies {
			if code, body := h.post(t, h.key, b, h.signed(b, fmt.Sprintf("d-%02d", i))); code != 200 || !strings.Contains(body, `"stored":true`) {
				t.Fatalf("delivery %d: %d %s", i, code, body)
			}
		}
		rows, before := h.legs(t)
		if len(rows) != len(wantLegs) {
			t.Fatalf("Rastreio has %d rows, want %d: %v", len(rows), len(wantLegs), rows)
		}
		for i, want := range wantLegs {
			for col, v := range want {
				if rows[i][col] != v {
					t.Errorf("leg %d %s = %q, want %q", i+1, col, rows[i][col], v)
				}
			}
		}
		if rows[0]["PROTOCOLO"] == "" || rows[0]["PROTOCOLO"] != rows[1]["PROTOCOLO"] {
			t.Errorf("the two legs must share one protocol: %q, %q", rows[0]["PROTOCOLO"], rows[1]["PROTOCOLO"])
		}
		var hist map[string]any
		histRaw := h.get(t, "/api/v1/interactions/"+rows[0]["PROTOCOLO"]+"/history", &hist)
		for _, text := range []string{"Olá, meu pedido 123 não chegou", "Oi Maria, vou verificar.", "Disponha!", "Ana Lima", "Bruno Costa"} {
			if !strings.Contains(string(histRaw), text) {
				t.Errorf("history lacks %q: %s", text, histRaw)
			}
		}
		for _, text := range []string{"Assigned to Ana Lima by Admin"} {
			if strings.Contains(string(histRaw), text) {
				t.Errorf("history shows the activity message %q", text)
			}
		}

		// Every webhook again: by delivery id, then with new delivery ids
		// (the same bodies): nothing is stored, nothing changes.
		stored := h.deliveries(t)
		for round, prefix := range []string{"d-", "again-"} {
			for i, b := range bodies {
				code, body := h.post(t, h.key, b, h.signed(b, fmt.Sprintf("%s%02d", prefix, i)))
				if code != 200 || !strings.Contains(body, `"duplicate":true`) {
					t.Fatalf("redelivery round %d, delivery %d: %d %s", round, i, code, body)
				}
			}
		}
		if n := h.deliveries(t); n != stored {
			t.Errorf("redeliveries stored %d more deliveries", n-stored)
		}
		if _, after := h.legs(t); !bytes.Equal(before, after) {
			t.Errorf("redeliveries changed the Rastreio:\n%s\nwas:\n%s", after, before)
		}

		// Revoked: the key is unknown from now on.
		c, err := s.DB.ConnectorByKey(context.Background(), store.ConnectorChatwoot, h.key)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DB.RevokeConnector(context.Background(), c.ID); err != nil {
			t.Fatal(err)
		}
		late := []byte(strings.Replace(string(bodies[len(bodies)-1]), `"conversation_status_changed"`, `"conversation_updated"`, 1))
		if code, body := h.post(t, h.key, late, h.signed(late, "late")); code != http.StatusNotFound {
			t.Errorf("revoked key: %d %s, want 404", code, body)
		}
		if n := h.deliveries(t); n != stored {
			t.Errorf("a revoked key stored %d deliveries", n-stored)
		}
	})
}

func TestUnsignedChatwootConnectorTakesTheKeyAsOnlyCredential(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		h := newHookEnv(t, s)
		_, key, err := s.DB.CreateConnector(context.Background(), "loja", store.ConnectorChatwoot, store.ConnectorSettings{})
		if err != nil {
			t.Fatal(err)
		}
		bodies := conversationFixtures(t)
		for i, b := range bodies[:3] {
			if code, body := h.post(t, key, b, nil); code != 200 || !strings.Contains(body, `"stored":true`) {
				t.Fatalf("unsigned delivery %d: %d %s", i, code, body)
			}
		}
		// Unreadable, but stored and listed, never lost.
		if code, body := h.post(t, key, []byte(`{"event":"conversation_created","status":"open"}`), nil); code != 200 || !strings.Contains(body, `"stored":true`) {
			t.Fatalf("unreadable delivery: %d %s", code, body)
		}
		failed, err := s.DB.Deliveries(context.Background(), "loja", store.DeliveryFailed, 0)
		if err != nil || len(failed) != 1 || !strings.Contains(failed[0].Error, "no conversation id") {
			t.Errorf("failed deliveries: %+v, %v", failed, err)
		}
		translated, err := s.DB.Deliveries(context.Background(), "loja", store.DeliveryTranslated, 0)
		if err != nil || len(translated) != 3 {
			t.Errorf("%d translated deliveries (%v), want 3", len(translated), err)
		}
		var r rastreio
		h.get(t, "/api/v1/reports/interactions?media=whatsapp&from=2026-03-02&to=2026-03-02", &r)
		if len(r.Rows) != 0 {
			t.Errorf("an open conversation has rows: %v", r.Rows)
		}
	})
}
