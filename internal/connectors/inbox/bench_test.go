package inbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/connectors/inbox"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/store"
)

// messageAt is the fixture's incoming message with another id and time.
func messageAt(t testing.TB, id int, at time.Time) []byte {
	t.Helper()
	b, err := os.ReadFile("../chatwoot/testdata/conversation/02_message_created_incoming.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["id"] = id
	m["created_at"] = at.UTC().Format("2006-01-02T15:04:05.000Z")
	m["content"] = fmt.Sprintf("mensagem %d", id)
	out, _ := json.Marshal(m)
	return out
}

// BenchmarkDeliveryOfALongConversation is one more webhook of a
// conversation that already has 500 stored deliveries (SQLite): its
// translation re-reads the whole conversation.
//
//	go test -run XXX -bench DeliveryOfALongConversation -benchtime 50x ./internal/connectors/inbox/
func BenchmarkDeliveryOfALongConversation(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "rastro.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	c, _, err := db.CreateConnector(ctx, "loja", store.ConnectorChatwoot, store.ConnectorSettings{})
	if err != nil {
		b.Fatal(err)
	}
	ib := inbox.New(db, ingest.New(db))
	start := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 500; i++ {
		d, _, err := ib.Accept(ctx, c, "", "", messageAt(b, 10000+i, start.Add(time.Duration(i)*time.Second)))
		if err != nil {
			b.Fatal(err)
		}
		if i == 499 {
			if err := ib.Translate(ctx, c, d); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, ok, err := ib.Accept(ctx, c, "", "", messageAt(b, 20000+i, start.Add(time.Hour+time.Duration(i)*time.Second)))
		if err != nil || !ok {
			b.Fatal(err, ok)
		}
		if err := ib.Translate(ctx, c, d); err != nil {
			b.Fatal(err)
		}
	}
}
