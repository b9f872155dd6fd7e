package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// SetPlayClock replaces the clock of the playback memory (tests move it
// past the window).
func SetPlayClock(s *Server, now func() time.Time) { s.plays.now = now }

// newExportServer is a Server logging nowhere over a new SQLite store that
// holds tenant acme (the export tests run s.export as asAcmeAdmin).
func newExportServer(t *testing.T) (*store.DB, *Server) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "rastro.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.EnsureTenant(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	s, err := New(db, Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return db, s
}

// asAcmeAdmin is r made by an admin of acme (actor "tester").
func asAcmeAdmin(r *http.Request) *http.Request {
	return withPrincipal(r, model.Principal{Tenant: "acme", Role: model.RoleAdmin, Actor: "tester"})
}
