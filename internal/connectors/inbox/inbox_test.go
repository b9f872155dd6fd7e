package inbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/connectors/inbox"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

func TestRefusedEventsLeaveTheDeliveryStoredAndFailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		c, _, err := s.DB.CreateConnector(ctx, "loja", store.ConnectorChatwoot, store.ConnectorSettings{})
		if err != nil {
			t.Fatal(err)
		}
		ib := inbox.New(s.DB, ingest.New(s.DB))
		// A message dated two days ahead: the event contract refuses
		// timestamps more than 24 h after receipt.
		d, stored, err := ib.Accept(ctx, c, "", "", messageAt(t, 1, time.Now().Add(48*time.Hour)))
		if err != nil || !stored {
			t.Fatalf("Accept: %v, stored %v", err, stored)
		}
		if err := ib.Translate(ctx, c, d); err == nil {
			t.Fatal("Translate accepted events dated two days ahead")
		}
		failed, err := s.DB.Deliveries(ctx, "loja", store.DeliveryFailed, 0)
		if err != nil || len(failed) != 1 || failed[0].ID != d.ID || !strings.HasPrefix(failed[0].Error, "events refused:") {
			t.Fatalf("failed deliveries: %+v, %v", failed, err)
		}
		if n, err := s.DB.EventCount(ctx, "loja"); err != nil || n != 0 {
			t.Errorf("%d events stored (%v), want none", n, err)
		}
	})
}

func TestReplayTranslatesEachConversationOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		c, _, err := s.DB.CreateConnector(ctx, "loja", store.ConnectorChatwoot, store.ConnectorSettings{})
		if err != nil {
			t.Fatal(err)
		}
		ib := inbox.New(s.DB, ingest.New(s.DB))
		start := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
		// Stored, never translated (a crash between the answer and the
		// translation leaves them pending).
		for i := 0; i < 3; i++ {
			if _, _, err := ib.Accept(ctx, c, "", "", messageAt(t, 100+i, start.Add(time.Duration(i)*time.Minute))); err != nil {
				t.Fatal(err)
			}
		}
		res, err := ib.Replay(ctx, "loja")
		if err != nil || res != (inbox.ReplayResult{Threads: 1, Translated: 1}) {
			t.Fatalf("Replay = %+v, %v; want one conversation translated", res, err)
		}
		pending, err := s.DB.Deliveries(ctx, "loja", store.DeliveryPending, 0)
		if err != nil || len(pending) != 0 {
			t.Errorf("%d deliveries still pending (%v)", len(pending), err)
		}
		n, err := s.DB.EventCount(ctx, "loja")
		if err != nil || n == 0 {
			t.Fatalf("no events after replay (%v)", err)
		}
		if res, err := ib.Replay(ctx, "loja"); err != nil || res.Threads != 0 {
			t.Errorf("second Replay = %+v, %v; want nothing to do", res, err)
		}
	})
}
