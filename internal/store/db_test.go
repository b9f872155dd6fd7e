package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// TestTenantLockOfOneSchemaDoesNotHoldBackAnother: PostgreSQL advisory locks
// belong to the database; the tenant write lock names the schema too, so a
// store in another schema writes the same tenant while the first holds it.
func TestTenantLockOfOneSchemaDoesNotHoldBackAnother(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		if s.Name != "postgres" {
			return // one SQLite file is one store
		}
		ctx := context.Background()
		other, err := store.Open(ctx, storetest.PostgresDSN(t))
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		held, release := make(chan struct{}), make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- s.DB.WithTenantTx(ctx, "acme", func(*store.Tx) error {
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		// A liveness bound, not a timing: blocked, this would wait forever.
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		err = other.WithTenantTx(wctx, "acme", func(*store.Tx) error { return nil })
		close(release)
		if err != nil {
			t.Fatalf("the other schema's store waited on acme's lock: %v", err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
