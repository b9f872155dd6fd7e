package inbox_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/connectors/inbox"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// The fixtures of both feeds name different wamids; here they are the same
// messages, as when Chatwoot's WhatsApp Cloud inbox and rastro receive
// Meta's webhooks: Chatwoot's message 1001 (the client's first) has the
// batch's first wamid as source_id, and its reply 1003 the wamid of the
// statuses of statuses_out_of_order.json (Chatwoot stores the wamid Meta
// returned for a message it sent).
const (
	inboundWAMID  = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFDNBMDFBQkMxMjM0NTY3ODkwQUIA"
	outboundWAMID = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjgxQkVFRDVBQTVDODFDOTg3MQA="
	mariaWA       = "wa-106540352242922-5511987654321-20260302"
)

func crossFeedFixtures(t *testing.T) (chatwoot, whatsapp [][]byte) {
	t.Helper()
	for _, b := range readFixtures(t, filepath.Join("..", "chatwoot", "testdata", "conversation")) {
		switch {
		case bytes.Contains(b, []byte(`"id": 1001,`)):
			b = bytes.Replace(b, []byte(`"wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjBDMEJFRjM4QzQ1QjU1MjFFAA=="`), []byte(`"`+inboundWAMID+`"`), 1)
		case bytes.Contains(b, []byte(`"id": 1003,`)):
			b = bytes.Replace(b, []byte(`"source_id": null`), []byte(`"source_id": "`+outboundWAMID+`"`), 1)
		}
		chatwoot = append(chatwoot, b)
	}
	for _, name := range []string{"batch.json", "statuses_out_of_order.json"} {
		b, err := os.ReadFile(filepath.Join("..", "whatsapp", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		whatsapp = append(whatsapp, b)
	}
	if !bytes.Contains(chatwoot[1], []byte(inboundWAMID)) || !bytes.Contains(whatsapp[0], []byte(inboundWAMID)) {
		t.Fatal("the fixtures changed: the shared wamid is not in both feeds")
	}
	return chatwoot, whatsapp
}

func TestMessageSeenThroughChatwootAndWhatsAppIsStoredOnceWithItsTicks(t *testing.T) {
	for _, order := range []string{"chatwoot first", "whatsapp first"} {
		t.Run(strings.ReplaceAll(order, " ", "-"), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s storetest.Store) {
				ctx := context.Background()
				ib := inbox.New(s.DB, ingest.New(s.DB))
				cw, _, err := s.DB.CreateConnector(ctx, "loja", store.ConnectorChatwoot, store.ConnectorSettings{})
				if err != nil {
					t.Fatal(err)
				}
				wa, _, err := s.DB.CreateConnector(ctx, "loja", store.ConnectorWhatsApp, store.ConnectorSettings{VerifyToken: "v", AppSecret: "a"})
				if err != nil {
					t.Fatal(err)
				}
				post := func(c store.Connector, bodies [][]byte) {
					t.Helper()
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
				cwBodies, waBodies := crossFeedFixtures(t)
				if order == "chatwoot first" {
					post(cw, cwBodies)
					post(wa, waBodies)
				} else {
					post(wa, waBodies)
					post(cw, cwBodies)
				}

				history := func(interaction string) metrics.History {
					t.Helper()
					evs, err := s.DB.Events(ctx, "loja", model.AggInteraction, interaction)
					if err != nil {
						t.Fatal(err)
					}
					return metrics.BuildHistory(evs, "", nil, metrics.Config{}, false)
				}
				conv, waHist := history("chatwoot-42"), history(mariaWA)
				count := func(h metrics.History, text string) int {
					n := 0
					for _, e := range h.Entries {
						if e.Kind == metrics.EntryMessage && e.Text == text {
							n++
						}
					}
					return n
				}
				const first = "Olá, meu pedido 123 não chegou"
				if c, w := count(conv, first), count(waHist, first); c != 1 || w != 0 {
					t.Errorf("the client's first message: %d in the conversation, %d in the WhatsApp interaction; want it once, in the conversation", c, w)
				}
				if count(waHist, "Foto da nota fiscal") != 1 {
					t.Errorf("the message only WhatsApp saw left Maria's WhatsApp interaction: %+v", waHist.Entries)
				}
				var reply *metrics.HistoryEntry
				for i, e := range conv.Entries {
					if e.Text == "Oi Maria, vou verificar." {
						reply = &conv.Entries[i]
					}
					if e.Detail == "Mensagem da empresa" {
						t.Errorf("the conversation shows a separate business message: %+v", e)
					}
				}
				if reply == nil || reply.Status != "read" || reply.AgentName != "Ana Lima" && reply.AgentID != "chatwoot-user-5" {
					t.Errorf("Ana's reply in the conversation: %+v, want it read (WhatsApp's statuses)", reply)
				}
				for _, e := range waHist.Entries {
					if e.Status != "" {
						t.Errorf("Maria's WhatsApp interaction keeps a status of a Chatwoot message: %+v", e)
					}
				}
			})
		})
	}
}
