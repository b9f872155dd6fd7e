package inbox_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/connectors/inbox"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

func readFixtures(t *testing.T, dir string) [][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestAnonymizeErasesTheContactsRawWebhookPayloads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		ib := inbox.New(s.DB, ingest.New(s.DB))
		accept := func(kind string, settings store.ConnectorSettings, bodies ...[]byte) {
			t.Helper()
			c, _, err := s.DB.CreateConnector(ctx, "loja", kind, settings)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range bodies {
				d, stored, err := ib.Accept(ctx, c, "", "", b)
				if err != nil || !stored {
					t.Fatalf("Accept: stored %v, %v", stored, err)
				}
				if err := ib.Translate(ctx, c, d); err != nil {
					t.Fatalf("Translate: %v", err)
				}
			}
		}
		wa := filepath.Join("..", "whatsapp", "testdata")
		waBody := func(name string) []byte {
			b, err := os.ReadFile(filepath.Join(wa, name))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		// Maria through Chatwoot (contact 17: name, phone, e-mail,
		// identifier) and through WhatsApp (the batch also carries João);
		// a failed status of João's alone.
		accept(store.ConnectorChatwoot, store.ConnectorSettings{}, readFixtures(t, filepath.Join("..", "chatwoot", "testdata", "conversation"))...)
		accept(store.ConnectorWhatsApp, store.ConnectorSettings{VerifyToken: "v", AppSecret: "a"}, waBody("batch.json"), waBody("status_failed.json"))

		maria := []string{"Maria Souza", "5511987654321", "maria.souza@example.com", "crm-881", "Olá, meu pedido 123"}
		if n := countPayloadsWith(t, s.DB, maria...); n == 0 {
			t.Fatal("no stored payload names Maria before anonymisation: the test proves nothing")
		}
		if _, err := ingest.New(s.DB).AnonymizeContact(ctx, "loja", "chatwoot-contact-17"); err != nil {
			t.Fatal(err)
		}
		if n := countPayloadsWith(t, s.DB, maria...); n != 0 {
			t.Errorf("%d stored payloads still name Maria after anonymisation", n)
		}
		if n := countPayloadsWith(t, s.DB, "5521912345678"); n != 1 {
			t.Errorf("%d payloads name João, want his failed status kept (only the batch shared with Maria is erased)", n)
		}
		// Tombstones: kept as rows, skipped by replay.
		all, err := s.DB.Deliveries(ctx, "loja", store.DeliveryAnonymized, 0)
		if err != nil || len(all) != 14 {
			t.Errorf("%d tombstones (%v), want the 13 Chatwoot deliveries and the batch", len(all), err)
		}
		res, err := ib.Replay(ctx, "loja")
		if err != nil || res.Failed != 0 || res.Threads != 0 {
			t.Errorf("replay after anonymisation: %+v, %v; want nothing to translate", res, err)
		}

		// João, a WhatsApp contact: his status's payload goes too.
		if _, err := ingest.New(s.DB).AnonymizeContact(ctx, "loja", "wa-5521912345678"); err != nil {
			t.Fatal(err)
		}
		if n := countPayloadsWith(t, s.DB, "5521912345678"); n != 0 {
			t.Errorf("%d stored payloads still carry João's number", n)
		}
	})
}

// countPayloadsWith counts loja's stored raw payloads holding any of texts.
func countPayloadsWith(t *testing.T, db *store.DB, texts ...string) int {
	t.Helper()
	all, err := db.Deliveries(context.Background(), "loja", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range all {
		for _, x := range texts {
			if strings.Contains(string(d.Payload), x) {
				n++
				break
			}
		}
	}
	return n
}
