package ingest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/storetest"
)

func TestWorkedExampleIsStoredAndDerived(t *testing.T) {
	body, err := os.ReadFile("testdata/chat-hold-and-personal-queue.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		in := tenantIngester(t, s.DB, "acme")
		res, err := in.IngestBody(ctx, "acme", body)
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 19 || res.Duplicates != 0 {
			t.Fatalf("first send = %+v, want 19 accepted", res)
		}
		res, err = in.IngestBody(ctx, "acme", body)
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 0 || res.Duplicates != 19 {
			t.Fatalf("second send = %+v, want 19 duplicates", res)
		}
		// The stored row, read back through the report, matches the hand-worked cells.
		var want map[string]string
		raw, err := os.ReadFile("testdata/chat-hold-and-personal-queue.expected.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		r := report.New(s.DB)
		p := model.Principal{Tenant: "acme", Role: model.RoleAdmin, PersonalData: true}
		q, err := r.ParseInteractions(ctx, p, url.Values{"media": {"chat"}})
		if err != nil {
			t.Fatal(err)
		}
		tab, err := r.Interactions(ctx, p, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Rows) != 1 {
			t.Fatalf("%d rows, want 1", len(tab.Rows))
		}
		got := map[string]string{}
		for i, c := range tab.Columns {
			got[c] = tab.Rows[0][i]
		}
		for col, v := range want {
			if got[col] != v {
				t.Errorf("%s = %q, want %q", col, got[col], v)
			}
		}
	})
}

func TestBadBatchStoresNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		in := tenantIngester(t, s.DB, "acme")
		body := `{"id":"a","type":"service.upserted","at":"2025-06-01T00:00:00-03:00","service":{"id":"s","name":"SAC"}}
{"id":"b","type":"service.upserted","at":"2025-06-01T00:00:00-03:00","service":{"name":"sem id"}}`
		_, err := in.IngestBody(ctx, "acme", []byte(body))
		var be *ingest.BatchError
		if !errors.As(err, &be) || len(be.Errors) != 1 || be.Errors[0].Field != "service.id" {
			t.Fatalf("err = %v", err)
		}
		n, err := s.DB.EventCount(ctx, "acme")
		if err != nil || n != 0 {
			t.Fatalf("stored %d events (%v), want 0", n, err)
		}
		_ = strings.TrimSpace
	})
}
