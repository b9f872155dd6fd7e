package ingest_test

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// TestAnonymizationRemovesPersonalDataFromCompressedBodies: the raw event
// bodies are stored compressed; anonymising a contact rewrites them, and
// expanding every stored body afterwards finds none of the contact's
// personal data, and no plain copy of a body is left beside its frame.
func TestAnonymizationRemovesPersonalDataFromCompressedBodies(t *testing.T) {
	body, err := os.ReadFile("testdata/chat-hold-and-personal-queue.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	personal := []string{"José Silva", "390.533.447-05", "ze@example.org", "Minha fatura veio errada", "Olá, José", "Ainda está aí?"}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		if err := s.DB.EnsureTenant(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		in := ingest.New(s.DB)
		if _, err := in.IngestBody(ctx, "acme", body); err != nil {
			t.Fatal(err)
		}
		driver := "sqlite3"
		if s.Name == "postgres" {
			driver = "pgx"
		}
		raw, err := sql.Open(driver, s.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		stored := func() string {
			t.Helper()
			rows, err := raw.Query(`SELECT id, body, zbody FROM events`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var all strings.Builder
			n := 0
			for rows.Next() {
				var id, plain string
				var z []byte
				if err := rows.Scan(&id, &plain, &z); err != nil {
					t.Fatal(err)
				}
				if z == nil || plain != "" {
					t.Fatalf("event %s: stored plain (%q), want only its compressed frame", id, plain)
				}
				b, err := store.DecodeBody(plain, z)
				if err != nil {
					t.Fatalf("event %s: %v", id, err)
				}
				all.Write(b)
				all.WriteByte('\n')
				n++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n != 19 {
				t.Fatalf("%d stored events, want 19", n)
			}
			return all.String()
		}
		before := stored()
		for _, p := range personal {
			if !strings.Contains(before, p) {
				t.Fatalf("before anonymisation the stored bodies lack %q: the test proves nothing", p)
			}
		}
		n, err := in.AnonymizeContact(ctx, "acme", "ct-ze")
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatal("anonymisation rewrote no event")
		}
		after := stored()
		for _, p := range personal {
			if strings.Contains(after, p) {
				t.Errorf("after anonymisation a stored body still holds %q", p)
			}
		}
		if !strings.Contains(after, ingest.AnonymizedName) {
			t.Errorf("after anonymisation no stored body names the contact %q", ingest.AnonymizedName)
		}
	})
}
