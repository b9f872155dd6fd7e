package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/demo"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// `rastro user add` for an existing user (a new password) ends the user's
// sessions: whoever had the old password is logged out.
func TestSavingAUserAgainEndsItsSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		g := store.Grant{Tenant: "acme", Role: model.RoleAnalyst}
		if err := s.DB.CreateUser(ctx, "ana", "old password", g); err != nil {
			t.Fatal(err)
		}
		if err := s.DB.CreateUser(ctx, "bia", "bia's password", g); err != nil {
			t.Fatal(err)
		}
		ana, err := s.DB.CreateSession(ctx, "ana", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		bia, err := s.DB.CreateSession(ctx, "bia", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DB.CreateUser(ctx, "ana", "a new password", g); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB.SessionByID(ctx, ana); !errors.Is(err, store.ErrBadCredentials) {
			t.Errorf("ana's session after a new password: %v, want it ended", err)
		}
		if _, err := s.DB.SessionByID(ctx, bia); err != nil {
			t.Errorf("another user's session ended too: %v", err)
		}
		if _, err := s.DB.CheckPassword(ctx, "ana", "old password"); err == nil {
			t.Error("the old password still logs in")
		}
		if _, err := s.DB.CheckPassword(ctx, "ana", "a new password"); err != nil {
			t.Errorf("the new password: %v", err)
		}
	})
}

// A username belongs to one tenant: saving it for another is refused with
// a clear error, and the account and its sessions stay as they were.
func TestAUsernameCannotMoveToAnotherTenant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		if err := s.DB.CreateUser(ctx, "ana", "acme password", store.Grant{Tenant: "acme", Role: model.RoleViewer}); err != nil {
			t.Fatal(err)
		}
		sess, err := s.DB.CreateSession(ctx, "ana", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		err = s.DB.CreateUser(ctx, "ana", "globex password", store.Grant{Tenant: "globex", Role: model.RoleAdmin})
		if !errors.Is(err, store.ErrUserOtherTenant) || !strings.Contains(err.Error(), `"acme"`) || !strings.Contains(err.Error(), `"globex"`) {
			t.Fatalf("moving ana to globex: %v, want ErrUserOtherTenant naming both tenants", err)
		}
		p, err := s.DB.CheckPassword(ctx, "ana", "acme password")
		if err != nil || p.Tenant != "acme" || p.Role != model.RoleViewer {
			t.Errorf("ana after the refused move: %+v, %v", p, err)
		}
		if got, err := s.DB.SessionByID(ctx, sess); err != nil || got.Principal.Tenant != "acme" {
			t.Errorf("ana's session after the refused move: %+v, %v", got, err)
		}
	})
}

// A principal limited to services lists only the agents of legs in those
// services (GET /api/v1/directory/agents and the filter lists).
func TestServiceLimitedPrincipalListsOnlyAgentsOfItsServices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		var events []model.Event
		var raw [][]byte
		err := demo.Generate(ctx, demo.Options{Tenant: "acme", Legs: 60, Days: 3, Seed: 3}, func(ev model.Event) error {
			b, err := json.Marshal(ev)
			events, raw = append(events, ev), append(raw, b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DB.EnsureTenant(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.New(s.DB).Store(ctx, "acme", events, raw); err != nil {
			t.Fatal(err)
		}
		all, err := s.DB.Agents(ctx, model.Principal{Tenant: "acme", Role: model.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		services, err := s.DB.Services(ctx, model.Principal{Tenant: "acme", Role: model.RoleAdmin})
		if err != nil || len(services) < 2 {
			t.Fatalf("services %v, %v", services, err)
		}
		// What the legs say, read straight from the store.
		conn := rawConn(t, s)
		narrower := false
		for _, svc := range services {
			rows, err := conn.Query(rebind(s, `SELECT DISTINCT agent_id FROM legs WHERE tenant = ? AND service_id = ? AND agent_id <> ''`), "acme", svc.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				want[id] = true
			}
			rows.Close()
			got, err := s.DB.Agents(ctx, model.Principal{Tenant: "acme", Role: model.RoleViewer, Services: []string{svc.ID}})
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs, wantIDs []string
			for _, a := range got {
				gotIDs = append(gotIDs, a.ID)
			}
			for _, a := range all {
				if want[a.ID] {
					wantIDs = append(wantIDs, a.ID)
				}
			}
			sort.Strings(gotIDs)
			sort.Strings(wantIDs)
			if strings.Join(gotIDs, ",") != strings.Join(wantIDs, ",") {
				t.Errorf("service %s: agents %v, want those of its legs %v", svc.ID, gotIDs, wantIDs)
			}
			if len(gotIDs) < len(all) {
				narrower = true
			}
		}
		if !narrower {
			t.Errorf("every service lists all %d agents: the data does not test the scope", len(all))
		}
		none, err := s.DB.Agents(ctx, model.Principal{Tenant: "acme", Role: model.RoleViewer, Services: []string{}})
		if err != nil || len(none) != 0 {
			t.Errorf("principal limited to no service: %d agents, %v", len(none), err)
		}
	})
}

func rawConn(t *testing.T, s storetest.Store) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite3", "file:"+s.DSN+"?mode=ro"
	if s.Name == "postgres" {
		driver, dsn = "pgx", s.DSN
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func rebind(s storetest.Store, q string) string {
	if s.Name != "postgres" {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + string(rune('0'+n)))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// A token's look-up does not wait for another tenant's write transaction,
// and its last use is written once the writer is free.
func TestTokenLookupDoesNotWaitForAnotherTenantsWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		if err := s.DB.EnsureTenant(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		id, tok, err := s.DB.CreateToken(ctx, store.Grant{Tenant: "globex", Role: model.RoleViewer}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DB.CreateUser(ctx, "gil", "gil's password", store.Grant{Tenant: "globex", Role: model.RoleViewer}); err != nil {
			t.Fatal(err)
		}
		sess, err := s.DB.CreateSession(ctx, "gil", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- s.DB.WithTenantTx(ctx, "acme", func(*store.Tx) error { close(held); <-release; return nil })
		}()
		<-held
		lookups := make(chan error, 1)
		go func() {
			_, err := s.DB.AuthenticateToken(ctx, tok)
			if err == nil {
				_, err = s.DB.SessionByID(ctx, sess)
			}
			if err == nil {
				_, err = s.DB.Media(ctx)
			}
			if err == nil {
				_, err = s.DB.Tenant(ctx, "globex")
			}
			lookups <- err
		}()
		select {
		case err := <-lookups:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(20 * time.Second):
			t.Error("token, session, media and tenant look-ups of globex still wait after 20 s while acme writes")
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		s.DB.FlushLastUse(ctx)
		list, err := s.DB.Tokens(ctx, "globex")
		if err != nil || len(list) != 1 || list[0].ID != id || list[0].LastUsedAt == nil {
			t.Errorf("tokens after the write: %+v, %v; want the last use recorded", list, err)
		}
	})
}

// The embedded store, its journal files and its backups are readable by
// the owner only, whatever the process umask.
func TestStoreFilesAndBackupsAreOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "rastro.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.EnsureTenant(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm", backup} {
		st, err := os.Stat(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if m := st.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %#o, want 0600", filepath.Base(f), m)
		}
	}
	if err := db.Backup(ctx, backup); err == nil {
		t.Error("a backup over an existing store file succeeded")
	} else if _, err := os.Stat(backup); err != nil {
		t.Errorf("a refused backup removed the existing file: %v", err)
	}
}
