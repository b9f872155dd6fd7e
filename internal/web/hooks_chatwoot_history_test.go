package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// chatwootStatusFixtures are message_updated deliveries of the business's
// messages of the fixture conversation: 1003 delivered, 1005 read, 1007
// failed.
var chatwootStatusFixtures = []string{"message_updated_delivered.json", "message_updated_read_push_data.json", "message_updated_failed.json"}

// postChatwootStory posts the fixture conversation and its statuses to an
// unsigned Chatwoot connector with --chatwoot-url base, and returns the
// conversation's protocol.
func postChatwootStory(t *testing.T, h *hookEnv, s storetest.Store, base string) string {
	t.Helper()
	_, key, err := s.DB.CreateConnector(context.Background(), "loja", store.ConnectorChatwoot, store.ConnectorSettings{ChatwootURL: base})
	if err != nil {
		t.Fatal(err)
	}
	bodies := conversationFixtures(t)
	for _, name := range chatwootStatusFixtures {
		bodies = append(bodies, connectorFixture(t, "chatwoot", "statuses", name))
	}
	for i, b := range bodies {
		if code, resp := h.post(t, key, b, nil); code != 200 || !strings.Contains(resp, `"stored":true`) {
			t.Fatalf("delivery %d: %d %s", i, code, resp)
		}
	}
	rows, _ := h.legs(t)
	if len(rows) != 2 || rows[0]["PROTOCOLO"] == "" {
		t.Fatalf("Rastreio rows %v, want the conversation's two legs", rows)
	}
	return rows[0]["PROTOCOLO"]
}

func TestChatwootHistoryShowsTicksAndLinksBackToTheConversation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		h := newHookEnv(t, s)
		protocol := postChatwootStory(t, h, s, "https://chat.loja.example")
		var hist struct{ Entries []map[string]any }
		h.get(t, "/api/v1/interactions/"+protocol+"/history", &hist)
		ticks := map[string]string{}
		for _, e := range hist.Entries {
			if st, _ := e["Status"].(string); st != "" {
				ticks[e["Text"].(string)] = st + " " + e["StatusError"].(string)
			}
		}
		want := map[string]string{
			"Oi Maria, vou verificar.":                                 "delivered ",
			"Seu pedido foi localizado, vou passar para o financeiro.": "read ",
			"Olá Maria, o estorno foi aprovado.":                       "failed (#131047) Re-engagement message",
		}
		for text, w := range want {
			if ticks[text] != w {
				t.Errorf("%q: ticks %q, want %q", text, ticks[text], w)
			}
		}
		if len(ticks) != 3 {
			t.Errorf("ticks on %d messages, want the three the statuses name: %v", len(ticks), ticks)
		}

		code, page := h.page(t, adminSession(t, s), "/historico/"+protocol)
		link := `href="https://chat.loja.example/app/accounts/1/conversations/42" rel="noopener noreferrer"`
		if code != 200 || !strings.Contains(page, link) || !strings.Contains(page, "Abrir no Chatwoot") {
			t.Errorf("history page lacks the Chatwoot link %s: %d", link, code)
		}
		for _, tick := range []string{"✓✓ Entregue", "✓✓ Lida", "⚠ Falhou: (#131047) Re-engagement message"} {
			if !strings.Contains(page, tick) {
				t.Errorf("history page lacks %q", tick)
			}
		}
	})
}

func TestChatwootLinkNeedsAnHTTPBase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		h := newHookEnv(t, s)
		// A base written past the CLI's check (an older store, a hand
		// edit) is never linked.
		protocol := postChatwootStory(t, h, s, "javascript:alert(1)//")
		code, page := h.page(t, adminSession(t, s), "/historico/"+protocol)
		if code != 200 || strings.Contains(page, "h-chatwoot") || strings.Contains(page, "javascript:") {
			t.Errorf("history page with a javascript: base: %d, link shown", code)
		}
	})
}
