package web_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

const (
	waVerifyToken = "token-de-verificacao"
	waAppSecret   = "segredo-do-app-meta"
)

// newWhatsAppEnv is a hookEnv whose key is a WhatsApp connector's.
func newWhatsAppEnv(t *testing.T, s storetest.Store) *hookEnv {
	t.Helper()
	h := newHookEnv(t, s)
	var err error
	h.secret = waAppSecret
	if _, h.key, err = s.DB.CreateConnector(context.Background(), "loja", store.ConnectorWhatsApp,
		store.ConnectorSettings{VerifyToken: waVerifyToken, AppSecret: waAppSecret}); err != nil {
		t.Fatal(err)
	}
	return h
}

func waFixture(t *testing.T, name string) []byte {
	t.Helper()
	return connectorFixture(t, "whatsapp", name)
}

// metaSign is Meta's X-Hub-Signature-256 of body.
func metaSign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func (h *hookEnv) postWhatsApp(t *testing.T, key string, body []byte, sig string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", h.url+"/hooks/whatsapp/"+key, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	return send(t, req)
}

func (h *hookEnv) handshake(t *testing.T, key string, q url.Values) (int, string, string) {
	t.Helper()
	res, err := http.Get(h.url + "/hooks/whatsapp/" + key + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

func TestWhatsAppHandshakeEchoesTheChallengeOnlyForTheVerifyToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		h := newWhatsAppEnv(t, s)
		code, ctype, body := h.handshake(t, h.key, url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {waVerifyToken}, "hub.challenge": {"1158201444"}})
		if code != 200 || body != "1158201444" || !strings.HasPrefix(ctype, "text/plain") {
			t.Errorf("handshake: %d %q %q, want 200 text/plain with the challenge", code, ctype, body)
		}
		for name, q := range map[string]url.Values{
			"wrong token":  {"hub.mode": {"subscribe"}, "hub.verify_token": {"outro"}, "hub.challenge": {"1"}},
			"no token":     {"hub.mode": {"subscribe"}, "hub.challenge": {"1"}},
			"wrong mode":   {"hub.mode": {"unsubscribe"}, "hub.verify_token": {waVerifyToken}, "hub.challenge": {"1"}},
			"chatwoot key": nil,
		} {
			key := h.key
			want := 403
			if q == nil {
				// A Chatwoot key is no WhatsApp key: 404.
				_, key, _ = s.DB.CreateConnector(context.Background(), "loja", store.ConnectorChatwoot, store.ConnectorSettings{})
				q, want = url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {waVerifyToken}, "hub.challenge": {"1"}}, 404
			}
			if code, _, body := h.handshake(t, key, q); code != want || body == "1" {
				t.Errorf("%s: %d %q, want %d without the challenge", name, code, body, want)
			}
		}
	})
}

func TestWhatsAppDeliveryWithoutAValidSignatureStoresNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		h := newWhatsAppEnv(t, s)
		body := waFixture(t, "batch.json")
		for name, sig := range map[string]string{
			"no header":       "",
			"other secret":    metaSign("outro-segredo", body),
			"no sha256=":      strings.TrimPrefix(metaSign(waAppSecret, body), "sha256="),
			"not hex":         "sha256=zz",
			"body changed":    metaSign(waAppSecret, append([]byte(" "), body...)),
			"sha1 of old API": "sha1=" + strings.Repeat("0", 40),
		} {
			if code, resp := h.postWhatsApp(t, h.key, body, sig); code != 401 || !strings.Contains(resp, "X-Hub-Signature-256") {
				t.Errorf("%s: %d %s, want 401 naming X-Hub-Signature-256", name, code, resp)
			}
		}
		if code, _ := h.postWhatsApp(t, "chave-desconhecida", body, metaSign(waAppSecret, body)); code != 404 {
			t.Errorf("unknown key: %d, want 404", code)
		}
		if n := h.deliveries(t); n != 0 {
			t.Errorf("%d deliveries stored, want none", n)
		}
	})
}

func TestWhatsAppBatchShowsEachClientMessageOnceInContactSearchAndHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		h := newWhatsAppEnv(t, s)
		batch := waFixture(t, "batch.json")
		for i, want := range []string{`"stored":true`, `"duplicate":true`} {
			// Meta retries a delivery it did not see answered: stored once.
			if code, body := h.postWhatsApp(t, h.key, batch, metaSign(waAppSecret, batch)); code != 200 || !strings.Contains(body, want) {
				t.Fatalf("post %d: %d %s, want %s", i, code, body, want)
			}
		}
		for _, name := range []string{"statuses_out_of_order.json", "status_failed.json", "status_unknown.json"} {
			b := waFixture(t, name)
			if code, body := h.postWhatsApp(t, h.key, b, metaSign(waAppSecret, b)); code != 200 || !strings.Contains(body, `"stored":true`) {
				t.Fatalf("%s: %d %s", name, code, body)
			}
		}
		ctx := context.Background()
		if d, err := s.DB.Deliveries(ctx, "loja", store.DeliveryTranslated, 0); err != nil || len(d) != 4 {
			t.Errorf("%d translated deliveries (%v), want the batch and the three statuses", len(d), err)
		}
		if d, err := s.DB.Deliveries(ctx, "loja", store.DeliveryFailed, 0); err != nil || len(d) != 0 {
			t.Errorf("failed deliveries: %+v, %v", d, err)
		}
		var found []map[string]string
		h.get(t, "/api/v1/contacts?q=maria", &found)
		if len(found) != 1 || found[0]["id"] != "wa-5511987654321" || found[0]["label"] != "Maria Souza" {
			t.Errorf("contact search for maria: %v", found)
		}
		// WhatsApp protocols are the creation time in UTC: Maria's first
		// message came at 12:00:00, João's at 12:01:00. Without legs, the
		// history is there for whoever is not limited to services.
		maria := string(h.get(t, "/api/v1/interactions/202603021200000000/history", nil))
		for _, text := range []string{"Olá, meu pedido 123 não chegou", "Foto da nota fiscal"} {
			if strings.Count(maria, text) != 1 {
				t.Errorf("Maria's history shows %q %d times, want once: %s", text, strings.Count(maria, text), maria)
			}
		}
		if strings.Contains(maria, "Segunda via do boleto") {
			t.Errorf("João's message in Maria's history: %s", maria)
		}
		if joao := string(h.get(t, "/api/v1/interactions/202603021201000000/history", nil)); !strings.Contains(joao, "Segunda via do boleto") {
			t.Errorf("João's history lacks his button reply: %s", joao)
		}
		// The business's replies, known by their statuses: Maria's read
		// (read came before sent and delivered; the later "deleted" is
		// not shown), João's failed with Meta's reason.
		var hist struct{ Entries []map[string]any }
		h.get(t, "/api/v1/interactions/202603021200000000/history", &hist)
		var ticks []string
		for _, e := range hist.Entries {
			if e["Status"] != nil && e["Status"] != "" {
				ticks = append(ticks, e["Sender"].(string)+":"+e["Status"].(string))
			}
		}
		if strings.Join(ticks, ",") != "system:read" {
			t.Errorf("Maria's ticks %v, want the business message read: %+v", ticks, hist.Entries)
		}
		// Meta's pricing window (expiration_timestamp 1772539290, on the
		// sent status only) is shown with the message, nothing more.
		for _, e := range hist.Entries {
			if e["Status"] == "read" && e["PricingWindowEnds"] != "2026-03-03T12:01:30Z" {
				t.Errorf("the business message's pricing window ends %v, want 2026-03-03T12:01:30Z", e["PricingWindowEnds"])
			}
		}
		hist.Entries = nil
		h.get(t, "/api/v1/interactions/202603021201000000/history", &hist)
		failed := false
		for _, e := range hist.Entries {
			failed = failed || (e["Status"] == "failed" && strings.HasPrefix(e["StatusError"].(string), "131047 Re-engagement message: "))
		}
		if !failed {
			t.Errorf("João's history lacks the failed status with its reason: %+v", hist.Entries)
		}
		// The page too (Histórico de Atendimento), for a signed-in admin.
		code, html := h.page(t, adminSession(t, s), "/historico/202603021200000000")
		if code != 200 || !strings.Contains(html, "Foto da nota fiscal") || !strings.Contains(html, "✓✓ Lida") || !strings.Contains(html, "Mensagem da empresa") ||
			!strings.Contains(html, "Janela de cobrança da Meta até") {
			t.Errorf("history page: %d %s", code, html)
		}
		_, limited, err := s.DB.CreateToken(ctx, store.Grant{Tenant: "loja", Role: model.RoleSupervisor, Services: []string{"suporte"}}, "test")
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", h.url+"/api/v1/interactions/202603021200000000/history", nil)
		req.Header.Set("Authorization", "Bearer "+limited)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 404 {
			t.Errorf("a principal limited to services reads a history without legs: %d, want 404", res.StatusCode)
		}
		// Each message once in its interaction: Maria's two, João's one.
		for iid, want := range map[string][]string{
			"wa-106540352242922-5511987654321-20260302": {"Olá, meu pedido 123 não chegou", "Foto da nota fiscal"},
			"wa-106540352242922-5521912345678-20260302": {"Segunda via do boleto"},
		} {
			evs, err := s.DB.Events(ctx, "loja", model.AggInteraction, iid)
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, e := range evs {
				if e.Type == model.TypeMessage {
					texts = append(texts, e.Text)
				}
			}
			if strings.Join(texts, "|") != strings.Join(want, "|") {
				t.Errorf("%s messages %q, want %q", iid, texts, want)
			}
		}
	})
}
