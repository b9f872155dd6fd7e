package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/connectors/inbox"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

func TestConnectorAddPrintsTheWebhookPathOfAKeyThatResolvesUntilRevoked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		stdout, stderr, code := runRastro(t, "", "connector", "add", "chatwoot", "--db", s.DSN, "--tenant", "loja", "--secret", "s3", "--api-inbox-media", "sms")
		if code != 0 {
			t.Fatalf("exit %d: %s %s", code, stdout, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		path := lines[len(lines)-1]
		key, ok := strings.CutPrefix(path, "/hooks/chatwoot/")
		if !ok || len(key) != 43 {
			t.Fatalf("last line %q is not /hooks/chatwoot/KEY", path)
		}
		c, err := s.DB.ConnectorByKey(ctx, store.ConnectorChatwoot, key)
		if err != nil || c.Tenant != "loja" || c.Settings.Secret != "s3" || c.Settings.APIInboxMedia != "sms" {
			t.Fatalf("the printed key resolves to %+v, %v", c, err)
		}
		if out, _, _ := runRastro(t, "", "connector", "list", "--db", s.DSN, "--tenant", "loja"); !strings.Contains(out, c.ID) || !strings.Contains(out, "signed") || !strings.Contains(out, "active") {
			t.Errorf("connector list: %q", out)
		}
		if _, _, code := runRastro(t, "", "connector", "revoke", "--db", s.DSN, c.ID); code != 0 {
			t.Errorf("revoke: exit %d", code)
		}
		if _, err := s.DB.ConnectorByKey(ctx, store.ConnectorChatwoot, key); !errors.Is(err, store.ErrUnknownConnector) {
			t.Errorf("revoked key still resolves: %v", err)
		}
		if _, stderr, code := runRastro(t, "", "connector", "revoke", "--db", s.DSN, c.ID); code != 1 || !strings.Contains(stderr, "already revoked") {
			t.Errorf("revoking twice: exit %d, %q", code, stderr)
		}
	})
}

func TestConnectorAddWhatsAppKeepsVerifyTokenAndAppSecretBehindThePrintedPath(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		stdout, stderr, code := runRastro(t, "", "connector", "add", "whatsapp", "--db", s.DSN, "--tenant", "loja", "--verify-token", "vt-1", "--app-secret", "as-1")
		if code != 0 {
			t.Fatalf("exit %d: %s %s", code, stdout, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		key, ok := strings.CutPrefix(lines[len(lines)-1], "/hooks/whatsapp/")
		if !ok || len(key) != 43 {
			t.Fatalf("last line %q is not /hooks/whatsapp/KEY", lines[len(lines)-1])
		}
		c, err := s.DB.ConnectorByKey(context.Background(), store.ConnectorWhatsApp, key)
		if err != nil || c.Tenant != "loja" || c.Settings.VerifyToken != "vt-1" || c.Settings.AppSecret != "as-1" {
			t.Fatalf("the printed key resolves to %+v, %v", c, err)
		}
		if _, err := s.DB.ConnectorByKey(context.Background(), store.ConnectorChatwoot, key); !errors.Is(err, store.ErrUnknownConnector) {
			t.Errorf("a WhatsApp key resolves as Chatwoot's: %v", err)
		}
		if out, _, _ := runRastro(t, "", "connector", "list", "--db", s.DSN, "--tenant", "loja"); !strings.Contains(out, "whatsapp") || !strings.Contains(out, "signed") {
			t.Errorf("connector list: %q", out)
		}
	})
}

func TestConnectorAddRefusesBadFlagsNamingThem(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "rastro.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"connector", "add", "chatwoot", "--db", dsn, "--tenant", "loja", "--api-inbox-media", "fax"}, `--api-inbox-media "fax"`},
		{[]string{"connector", "add", "chatwoot", "--db", dsn}, "--tenant is required"},
		{[]string{"connector", "add", "zendesk", "--db", dsn, "--tenant", "loja"}, `unknown platform "zendesk"`},
		{[]string{"connector", "errors", "--db", dsn}, "--tenant is required"},
		{[]string{"connector", "add", "whatsapp", "--db", dsn, "--tenant", "loja", "--verify-token", "v"}, "--verify-token and --app-secret are required"},
		{[]string{"connector", "add", "whatsapp", "--db", dsn, "--tenant", "loja", "--verify-token", "v", "--app-secret", "s", "--secret", "x"}, "--api-inbox-media and --chatwoot-url are Chatwoot's"},
		{[]string{"connector", "add", "chatwoot", "--db", dsn, "--tenant", "loja", "--app-secret", "s"}, "are WhatsApp's"},
	} {
		_, stderr, code := runRastro(t, "", c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("rastro %s: exit %d, stderr %q, want 2 and %q", strings.Join(c.args, " "), code, stderr, c.want)
		}
	}
	for _, args := range [][]string{{"connector", "add", "--help"}, {"connector", "add", "chatwoot", "--help"}, {"connector", "list", "--help"}, {"connector", "replay", "--help"}} {
		if stdout, _, code := runRastro(t, "", args...); code != 0 || stdout == "" {
			t.Errorf("rastro %s: exit %d, stdout %q", strings.Join(args, " "), code, stdout)
		}
	}
}

func TestConnectorErrorsListsUntranslatedDeliveriesAndReplayTranslatesThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		c, _, err := s.DB.CreateConnector(ctx, "loja", store.ConnectorChatwoot, store.ConnectorSettings{})
		if err != nil {
			t.Fatal(err)
		}
		ib := inbox.New(s.DB, ingest.New(s.DB))
		good, err := os.ReadFile("../../internal/connectors/chatwoot/testdata/conversation/01_conversation_created.json")
		if err != nil {
			t.Fatal(err)
		}
		// A payload an older rastro could not translate (simulated by
		// marking it failed) and one no version reads.
		d, _, err := ib.Accept(ctx, c, "", "", good)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DB.MarkDelivery(ctx, d.ID, "translator of an older version"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ib.Accept(ctx, c, "", "", []byte(`{"event":"conversation_created"}`)); err != nil {
			t.Fatal(err)
		}
		out, _, code := runRastro(t, "", "connector", "errors", "--db", s.DSN, "--tenant", "loja")
		if code != 0 || !strings.Contains(out, "translator of an older version") || !strings.Contains(out, "has no conversation id") {
			t.Fatalf("connector errors: exit %d\n%s", code, out)
		}
		out, stderr, code := runRastro(t, "", "connector", "replay", "--db", s.DSN, "--tenant", "loja")
		if code != 0 || !strings.Contains(out, "1 translated, 1 still failing") {
			t.Fatalf("connector replay: exit %d\n%s%s", code, out, stderr)
		}
		if n, err := s.DB.EventCount(ctx, "loja"); err != nil || n == 0 {
			t.Errorf("replay stored %d events (%v)", n, err)
		}
		out, _, _ = runRastro(t, "", "connector", "errors", "--db", s.DSN, "--tenant", "loja")
		if strings.Contains(out, "older version") || !strings.Contains(out, "has no conversation id") {
			t.Errorf("after replay, connector errors:\n%s", out)
		}
	})
}

func TestConnectorURLsAreStoredOnlyWhenHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		for _, bad := range []struct{ args []string }{
			{[]string{"chatwoot", "--chatwoot-url", "javascript:alert(1)"}},
			{[]string{"chatwoot", "--chatwoot-url", "ftp://chat.loja.example"}},
			{[]string{"whatsapp", "--verify-token", "v", "--app-secret", "a", "--forward-to", "/relative"}},
			{[]string{"whatsapp", "--verify-token", "v", "--app-secret", "a", "--chatwoot-url", "https://chat.loja.example"}},
			{[]string{"chatwoot", "--forward-to", "https://chatwoot.loja.example/webhooks/whatsapp/+5511"}},
		} {
			args := append([]string{"connector", "add"}, bad.args...)
			args = append(args, "--db", s.DSN, "--tenant", "loja")
			if _, stderr, code := runRastro(t, "", args...); code != 2 || !strings.Contains(stderr, "--") {
				t.Errorf("%v: exit %d %q, want a usage error naming the flag", bad.args, code, stderr)
			}
		}
		if list, err := s.DB.Connectors(ctx, "loja"); err != nil || len(list) != 0 {
			t.Fatalf("refused adds stored %+v, %v", list, err)
		}
		for _, good := range [][]string{
			{"chatwoot", "--chatwoot-url", "https://chat.loja.example/"},
			{"whatsapp", "--verify-token", "v", "--app-secret", "a", "--forward-to", "https://chatwoot.loja.example/webhooks/whatsapp/+5511"},
		} {
			args := append(append([]string{"connector", "add"}, good...), "--db", s.DSN, "--tenant", "loja")
			if stdout, stderr, code := runRastro(t, "", args...); code != 0 {
				t.Fatalf("%v: exit %d %s %s", good, code, stdout, stderr)
			}
		}
		list, err := s.DB.Connectors(ctx, "loja")
		if err != nil || len(list) != 2 || list[0].Settings.ChatwootURL != "https://chat.loja.example" ||
			list[1].Settings.ForwardTo != "https://chatwoot.loja.example/webhooks/whatsapp/+5511" {
			t.Fatalf("stored connectors %+v, %v", list, err)
		}
		if out, _, _ := runRastro(t, "", "connector", "list", "--db", s.DSN); !strings.Contains(out, "chatwoot-url=https://chat.loja.example") || !strings.Contains(out, "forward-to=https://chatwoot.loja.example") {
			t.Errorf("connector list: %q", out)
		}
	})
}
