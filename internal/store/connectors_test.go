package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

func TestConnectorKeyResolvesUntilRevoked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		c, key, err := s.DB.CreateConnector(ctx, "acme", store.ConnectorChatwoot, store.ConnectorSettings{Secret: "s3"})
		if err != nil {
			t.Fatal(err)
		}
		if len(key) != 43 || strings.ContainsAny(key, "+/=") {
			t.Errorf("key %q is not 32 bytes of URL-safe base64", key)
		}
		got, err := s.DB.ConnectorByKey(ctx, store.ConnectorChatwoot, key)
		if err != nil || got.ID != c.ID || got.Tenant != "acme" || got.Settings.Secret != "s3" {
			t.Fatalf("ConnectorByKey = %+v, %v", got, err)
		}
		if _, err := s.DB.ConnectorByKey(ctx, store.ConnectorWhatsApp, key); !errors.Is(err, store.ErrUnknownConnector) {
			t.Errorf("a chatwoot key used on the whatsapp route: %v, want ErrUnknownConnector", err)
		}
		if _, err := s.DB.ConnectorByKey(ctx, store.ConnectorChatwoot, key+"x"); !errors.Is(err, store.ErrUnknownConnector) {
			t.Errorf("unknown key: %v", err)
		}
		if err := s.DB.RevokeConnector(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB.ConnectorByKey(ctx, store.ConnectorChatwoot, key); !errors.Is(err, store.ErrUnknownConnector) {
			t.Errorf("revoked key: %v, want ErrUnknownConnector", err)
		}
		list, err := s.DB.Connectors(ctx, "acme")
		if err != nil || len(list) != 1 || list[0].RevokedAt == nil {
			t.Errorf("Connectors = %+v, %v; want the one revoked connector", list, err)
		}
	})
}

func TestDeliveryIsStoredOnceByDeliveryIDOrBody(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		c, _, err := s.DB.CreateConnector(ctx, "acme", store.ConnectorChatwoot, store.ConnectorSettings{})
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
		put := func(deliveryID, body string) bool {
			t.Helper()
			ok, err := s.DB.InsertDelivery(ctx, &store.Delivery{ConnectorID: c.ID, Tenant: "acme", DeliveryID: deliveryID, Event: "message_created", Thread: "7", EventAt: at, Payload: []byte(body)})
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !put("d1", `{"a":1}`) {
			t.Fatal("first delivery not stored")
		}
		if put("d1", `{"a":2}`) {
			t.Error("same delivery id stored twice")
		}
		if put("", `{"a":1}`) {
			t.Error("same body without delivery id stored twice")
		}
		if !put("", `{"a":3}`) || !put("", `{"a":4}`) {
			t.Error("two different bodies without delivery id: both must be stored")
		}
		th, err := s.DB.ThreadDeliveries(ctx, c.ID, "7")
		if err != nil || len(th) != 3 {
			t.Fatalf("thread has %d deliveries (%v), want 3", len(th), err)
		}
		if err := s.DB.MarkDelivery(ctx, th[1].ID, "no conversation id"); err != nil {
			t.Fatal(err)
		}
		failed, err := s.DB.Deliveries(ctx, "acme", store.DeliveryFailed, 0)
		if err != nil || len(failed) != 1 || failed[0].Error != "no conversation id" || string(failed[0].Payload) != `{"a":3}` {
			t.Errorf("failed deliveries = %+v, %v", failed, err)
		}
	})
}
