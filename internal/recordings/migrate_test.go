package recordings_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/recordings"
	"github.com/rastro/rastro/internal/storetest"
)

// call stores one finished voice leg of tenant with a recording_url.
func call(t *testing.T, s storetest.Store, tenant, n, ref string) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 10, 3, 9, 0, 0, 0, time.UTC)
	i, l := "i-"+n, "l-"+n
	evs := []model.Event{
		{ID: n + "-1", Type: model.TypeInteractionCreated, At: at, Interaction: i, Media: model.MediaVoice},
		{ID: n + "-2", Type: model.TypeLegQueued, At: at.Add(time.Second), Interaction: i, Leg: l, ServiceID: "svc"},
		{ID: n + "-3", Type: model.TypeCallUpdated, At: at.Add(2 * time.Second), Interaction: i, Leg: l, RecordingURL: ref},
		{ID: n + "-4", Type: model.TypeLegFinished, At: at.Add(3 * time.Second), Interaction: i, Leg: l, Status: "service completed"},
	}
	raw := make([][]byte, len(evs))
	for k := range evs {
		raw[k], _ = json.Marshal(evs[k])
	}
	if err := s.DB.EnsureTenant(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.New(s.DB).Store(ctx, tenant, evs, raw); err != nil {
		t.Fatal(err)
	}
}

func put(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

func TestRecordingsOfTheSharedFolderMoveIntoTenantFolders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		root := t.TempDir()
		put(t, filepath.Join(root, "rec", "shared.wav"), "SHARED")
		put(t, filepath.Join(root, "rec", "acme.wav"), "ACME")
		put(t, filepath.Join(root, "globex.wav"), "GLOBEX")
		put(t, filepath.Join(root, "unreferenced.wav"), "NOBODY")
		call(t, s, "acme", "a1", "rec/shared.wav")
		call(t, s, "acme", "a2", "rec/acme.wav")
		call(t, s, "acme", "a3", "https://rec.example.com/x.wav")
		call(t, s, "acme", "a4", "rec/missing.wav")
		call(t, s, "globex", "g1", "rec/shared.wav")
		call(t, s, "globex", "g2", "/globex.wav")
		// initech already has its folder: left alone.
		put(t, filepath.Join(root, "initech", "keep.wav"), "KEEP")
		call(t, s, "initech", "i1", "unreferenced.wav")

		n, err := recordings.Migrate(ctx, s.DB, root, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Errorf("placed %d files, want 4", n)
		}
		for path, want := range map[string]string{
			"acme/rec/shared.wav":   "SHARED",
			"globex/rec/shared.wav": "SHARED",
			"acme/rec/acme.wav":     "ACME",
			"globex/globex.wav":     "GLOBEX",
			"initech/keep.wav":      "KEEP",
			"unreferenced.wav":      "NOBODY",
		} {
			if got := read(filepath.Join(root, path)); got != want {
				t.Errorf("%s: %q, want %q", path, got, want)
			}
		}
		for _, gone := range []string{"rec/shared.wav", "rec/acme.wav", "globex.wav", "initech/unreferenced.wav", "globex/rec/acme.wav", "acme/rec/globex.wav"} {
			if _, err := os.Lstat(filepath.Join(root, gone)); err == nil {
				t.Errorf("%s exists", gone)
			}
		}
		// Served from the tenant folders now.
		f, _, err := recordings.Open(root, "acme", "rec/acme.wav")
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		// A second run changes nothing.
		if n, err := recordings.Migrate(ctx, s.DB, root, nil); err != nil || n != 0 {
			t.Errorf("second run: %d files, %v", n, err)
		}
	})
}

func TestTenantIDs(t *testing.T) {
	for _, id := range []string{"acme", "a", "demo_2", "x-y", "0123456789012345678901234567890123456789012345678901234567890123"} {
		if err := model.ValidTenantID(id); err != nil {
			t.Errorf("%q: %v", id, err)
		}
	}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		for _, id := range []string{"", "Acme", "../x", "a/b", ".", "a.b", "a b", "acmé", "01234567890123456789012345678901234567890123456789012345678901234"} {
			if err := s.DB.EnsureTenant(context.Background(), id); err == nil {
				t.Errorf("EnsureTenant(%q) accepted", id)
			}
			if _, err := recordings.TenantDir("/r", id); err == nil {
				t.Errorf("TenantDir(%q) accepted", id)
			}
		}
	})
}
