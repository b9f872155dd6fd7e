package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/report"
)

// TestExportCutShortIsNeverSavedAsComplete: an export whose rows stop with
// an error either answers the error (nothing sent yet) or breaks the
// connection (rows already sent), never a clean end of a cut file; both are
// audited with the error.
func TestExportCutShortIsNeverSavedAsComplete(t *testing.T) {
	ctx := context.Background()
	db, s := newExportServer(t)
	broken := errors.New("store went away")
	rowsThenFail := func(n int) report.RowSource {
		return func(emit func([]string) error) error {
			for i := 0; i < n; i++ {
				if err := emit([]string{strings.Repeat("x", 100)}); err != nil {
					return err
				}
			}
			return broken
		}
	}
	f, _ := report.ParseFormat("csv", "")
	var rows int
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = asAcmeAdmin(r)
		s.export(w, r, "test", f, "test", []string{"A"}, int64(rows), rowsThenFail(rows))
	}))
	defer ts.Close()

	// Fails before the first byte: an error answer, no file.
	rows = 0
	res, err := http.Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusInternalServerError || res.Header.Get("Content-Disposition") != "" {
		t.Errorf("early failure: status %d, disposition %q, body %q", res.StatusCode, res.Header.Get("Content-Disposition"), body)
	}

	// Fails after megabytes went out: the body must not end cleanly.
	rows = 20000
	res, err = http.Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || err == nil {
		t.Errorf("late failure: status %d, read %d bytes, read error %v: want 200 and a broken body", res.StatusCode, n, err)
	}

	log, err := db.AuditLog(ctx, "acme", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0].Error == "" || log[1].Error == "" {
		t.Errorf("audit = %+v, want two exports with their error", log)
	}
}
