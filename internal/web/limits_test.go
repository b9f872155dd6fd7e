package web_test

// Limits of what one request may carry (issue 11): every refusal is a
// clear 4xx naming what is wrong, never a 500, and leaves the store as it
// was.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/storetest"
)

func TestRequestLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newAPIEnv(t, s)

		t.Run("MoreThanTenThousandEventsIs413AndStoresNothing", func(t *testing.T) {
			before := e.eventCount(t)
			var b strings.Builder
			for i := 0; i <= 10_000; i++ {
				fmt.Fprintf(&b, `{"id":"big-%d","type":"agent.login","at":"2026-10-01T10:00:00Z","agent_id":"a"}`+"\n", i)
			}
			r := e.as(t, "admin", "POST", "/api/v1/events", []byte(b.String()))
			if r.Code != http.StatusRequestEntityTooLarge || !strings.Contains(string(r.Body), "10000 events") {
				t.Fatalf("want 413 naming the limit, got %s", r)
			}
			if n := e.eventCount(t); n != before {
				t.Errorf("%d events stored by a refused batch", n-before)
			}
		})

		t.Run("BodyOver32MBIs413", func(t *testing.T) {
			body := []byte(strings.Repeat(" ", 32<<20+1))
			r := e.as(t, "admin", "POST", "/api/v1/events", body)
			if r.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("want 413, got %s", r)
			}
		})

		t.Run("A422ListsAThousandProblemsAndCountsTheRest", func(t *testing.T) {
			r := e.as(t, "admin", "POST", "/api/v1/events", []byte(strings.Repeat("{bad\n", 3000)))
			if r.Code != http.StatusUnprocessableEntity {
				t.Fatalf("want 422, got %s", r)
			}
			var be struct {
				Errors  []json.RawMessage `json:"errors"`
				Omitted int               `json:"omitted"`
			}
			if err := json.Unmarshal(r.Body, &be); err != nil || len(be.Errors) != 1000 || be.Omitted != 2000 {
				t.Fatalf("%d errors, omitted %d (%v)", len(be.Errors), be.Omitted, err)
			}
		})

		t.Run("YearsZeroAndNineThousandAre422NotA500", func(t *testing.T) {
			before := e.eventCount(t)
			for _, at := range []string{"0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2099-01-01T00:00:00Z"} {
				body := ndjson(goodLines[0], `{"id":"y-`+at[:4]+`","type":"service.upserted","at":"`+at+`","service":{"id":"svc-1","name":"Renamed"}}`)
				r := e.as(t, "admin", "POST", "/api/v1/events", body)
				if r.Code != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"at"`) {
					t.Errorf("%s: want 422 naming at, got %s", at, r)
				}
			}
			if n := e.eventCount(t); n != before {
				t.Errorf("%d events stored", n-before)
			}
		})

		t.Run("NULAndBidiInIdsAre422", func(t *testing.T) {
			for name, line := range map[string]string{
				"nul":  `{"id":"n-1","type":"service.upserted","at":"2026-10-01T10:00:00Z","service":{"id":"s\u0000","name":"S"}}`,
				"bidi": `{"id":"n-2\u202e","type":"service.upserted","at":"2026-10-01T10:00:00Z","service":{"id":"s","name":"S"}}`,
				"utf8": "{\"id\":\"n-3\",\"type\":\"service.upserted\",\"at\":\"2026-10-01T10:00:00Z\",\"service\":{\"id\":\"s\",\"name\":\"\xff\"}}",
			} {
				r := e.as(t, "admin", "POST", "/api/v1/events", ndjson(line))
				if r.Code != http.StatusUnprocessableEntity {
					t.Errorf("%s: want 422, got %s", name, r)
				}
			}
		})

		t.Run("ListsOfMoreThan5000ItemsAre400", func(t *testing.T) {
			ids := make([]string, 5001)
			for i := range ids {
				ids[i] = fmt.Sprint("a", i)
			}
			for _, path := range []string{
				"/api/v1/reports/interactions?media=chat&agents=" + strings.Join(ids, ","),
				"/api/v1/reports/agents?agents=" + strings.Join(ids, ","),
				"/api/v1/reports/ivr?services=" + strings.Join(ids, ","),
			} {
				r := e.get(t, "admin", path)
				if r.Code != http.StatusBadRequest || !strings.Contains(string(r.Body), "at most 5000 items") {
					t.Errorf("%.60s…: want 400, got %d %.200s", path, r.Code, r.Body)
				}
			}
			r := e.get(t, "admin", "/api/v1/reports/interactions?media=chat&agents="+strings.Join(ids[:5000], ","))
			if r.Code != http.StatusOK {
				t.Errorf("5000 items: %s", r)
			}
		})

		t.Run("LongSearchesAre400", func(t *testing.T) {
			long := url.QueryEscape(strings.Repeat("ã", 50_000))
			for _, path := range []string{
				"/api/v1/contacts?q=" + long[:201*6],
				"/api/v1/reports/interactions?media=email&email=" + long,
				"/api/v1/reports/interactions?media=voice&phone=" + long,
			} {
				r := e.get(t, "admin", path)
				if r.Code != http.StatusBadRequest || !strings.Contains(string(r.Body), "at most 200 characters") {
					t.Errorf("%.50s…: want 400, got %d %.200s", path, r.Code, r.Body)
				}
			}
			if r := e.get(t, "admin", "/api/v1/contacts?q="+long[:200*6]); r.Code != http.StatusOK {
				t.Errorf("200 characters: %s", r)
			}
		})
	})
}
