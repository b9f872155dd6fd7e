package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// postChatwootConversation posts the Chatwoot fixture conversation and the
// statuses of its business messages (1003 delivered, 1005 read, 1007
// failed) as webhooks to a connector of the demo tenant, and returns the
// conversation's protocol as the Rastreio shows it.
func postChatwootConversation(t *testing.T, site *testSite) string {
	t.Helper()
	ctx := context.Background()
	_, key, err := site.DB.CreateConnector(ctx, demoTenant, store.ConnectorChatwoot, store.ConnectorSettings{ChatwootURL: "https://chat.loja.example"})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "connectors", "chatwoot", "testdata")
	var files []string
	for _, sub := range []string{"conversation", "statuses"} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range ents {
			names = append(names, filepath.Join(dir, sub, e.Name()))
		}
		sort.Strings(names)
		files = append(files, names...)
	}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.Post(site.URL+"/hooks/chatwoot/"+key, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !bytes.Contains(answer, []byte(`"stored":true`)) {
			t.Fatalf("%s: %d %s", filepath.Base(f), res.StatusCode, answer)
		}
	}
	_, token, err := site.DB.CreateToken(ctx, store.Grant{Tenant: demoTenant, Role: model.RoleAdmin}, "browser test")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", site.URL+"/api/v1/reports/interactions?media=whatsapp&from=2026-03-02&to=2026-03-02&service_status=completed", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var rep struct {
		Rows []map[string]string `json:"rows"`
	}
	if err := json.NewDecoder(res.Body).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Rows {
		if r["ORIGEM"] == "Chatwoot" {
			return r["PROTOCOLO"]
		}
	}
	t.Fatalf("no Chatwoot row in the Rastreio: %v", rep.Rows)
	return ""
}

func TestBrowserChatwootHistoryShowsTheTicksAndTheLinkBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		site := startSite(t, s)
		protocol := postChatwootConversation(t, site)
		ctx, problems := adminTab(t, site)
		if st := navigate(t, ctx, site.URL+"/historico/"+protocol); st != 200 {
			t.Fatalf("GET /historico/%s = %d", protocol, st)
		}
		do(t, ctx, "the history with its ticks", chromedp.WaitVisible(chromedp.CSS(`.ticks.tick-failed`)))
		screenshot(t, ctx, "chatwoot-history-ticks")

		// Each business message with its furthest status, as the reader
		// sees it; the client's messages have none.
		ticks := eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('li.msg')].
			filter(li => li.querySelector('.ticks')).
			map(li => [li.querySelector('.text').textContent.trim(), li.querySelector('.ticks').textContent.trim()]))`)
		want := map[string]string{
			"Oi Maria, vou verificar.":                                 "✓✓ Entregue",
			"Seu pedido foi localizado, vou passar para o financeiro.": "✓✓ Lida",
			"Olá Maria, o estorno foi aprovado.":                       "⚠ Falhou: (#131047) Re-engagement message",
		}
		if len(ticks) != len(want) {
			t.Errorf("ticks on %d messages, want %d: %v", len(ticks), len(want), ticks)
		}
		for text, w := range want {
			if ticks[text] != w {
				t.Errorf("%q shows %q, want %q", text, ticks[text], w)
			}
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('li.msg-client .ticks').length`); n != 0 {
			t.Errorf("%d client messages show ticks", n)
		}
		// Read stands out from delivered (WhatsApp's blue ticks).
		if eval[string](t, ctx, `getComputedStyle(document.querySelector('.tick-read')).color`) == eval[string](t, ctx, `getComputedStyle(document.querySelector('.tick-delivered')).color`) {
			t.Error("read ticks look like delivered ones")
		}
		link := eval[[]string](t, ctx, `(() => { const a = document.getElementById('h-chatwoot'); return a ? [a.href, a.rel, a.target] : []; })()`)
		if len(link) != 3 || link[0] != "https://chat.loja.example/app/accounts/1/conversations/42" || !strings.Contains(link[1], "noopener") {
			t.Errorf("link back to Chatwoot: %q", link)
		}
		if p := problems(); len(p) > 0 {
			t.Errorf("the page reported problems: %v", p)
		}
	})
}
