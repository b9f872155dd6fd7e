package web_test

// The row count an export announces before its first byte (X-Rastro-Rows,
// for the UI's progress bar), on both stores: present and equal to the data
// rows written for the Rastreio (every principal's own scope) and the IVR
// and Agentes tables (totals row included), absent where a count would cost
// a second pass (Fluxo Ágil, audit log) and on errors.

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/storetest"
	"github.com/rastro/rastro/internal/web"
)

func TestExportRowsHeader(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newEnv(t, s)
		voice, _ := model.MediaByID(model.MediaVoice)
		whatsapp, _ := model.MediaByID(model.MediaWhatsApp)
		export := func(m model.Media, extra ...string) string {
			p := strings.Replace(interactionsPath(m, extra...), "/interactions?", "/interactions/export?", 1)
			return strings.Replace(p, "limit=1000&", "", 1)
		}
		cases := []struct {
			name, who, path, format string
			counted                 bool // the header must be there
			wantRows                int  // -1: any (checked against the file)
		}{
			{"rastreio-csv", "admin", export(voice, "format", "csv"), "csv", true, -1},
			{"rastreio-csv-comma", "admin", export(whatsapp, "format", "csv", "sep", "comma"), "csv-comma", true, -1},
			{"rastreio-xlsx", "admin", export(whatsapp, "format", "xlsx", "order", "desc"), "xlsx", true, -1},
			{"rastreio-csv-scoped", "sup-svc", export(voice, "format", "csv"), "csv", true, -1},
			{"rastreio-csv-filtered", "admin", export(voice, "format", "csv", "services", e.svc), "csv", true, -1},
			{"rastreio-csv-empty", "admin", export(voice, "format", "csv", "protocol", "no-such-protocol"), "csv", true, 0},
			{"ivr-csv", "admin", "/api/v1/reports/ivr/export?group_by=service&format=csv", "csv", true, -1},
			{"ivr-xlsx", "view-svc", "/api/v1/reports/ivr/export?group_by=service&format=xlsx", "xlsx", true, -1},
			{"agents-csv", "admin", "/api/v1/reports/agents/export?media=whatsapp&format=csv", "csv", true, -1},
			{"fluxo-csv", "admin", "/api/v1/reports/fluxo-agil/export?format=csv", "csv", false, -1},
			{"audit-csv", "admin", "/api/v1/audit/export?format=csv", "csv", false, -1},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.get(t, c.who, c.path)
				mustOK(t, c.path, r)
				var g grid
				switch c.format {
				case "xlsx":
					g = parseXLSX(t, c.path, r.Body)
				case "csv-comma":
					g = parseCSVComma(t, c.path, r.Body)
				default:
					g = parseCSV(t, c.path, r.Body)
				}
				h, ok := r.Hdr[http.CanonicalHeaderKey(web.RowsHeader)]
				switch {
				case !c.counted && ok:
					t.Errorf("%s %s: %s = %q, want no header (no cheap count)", c.who, c.path, web.RowsHeader, h)
				case c.counted && !ok:
					t.Errorf("%s %s: no %s header", c.who, c.path, web.RowsHeader)
				case c.counted:
					n, err := strconv.Atoi(h[0])
					if err != nil || n != len(g.Rows) {
						t.Errorf("%s %s: %s = %q, the file has %d data rows", c.who, c.path, web.RowsHeader, h[0], len(g.Rows))
					}
					if c.wantRows >= 0 && n != c.wantRows {
						t.Errorf("%s %s: %s = %d, want %d", c.who, c.path, web.RowsHeader, n, c.wantRows)
					}
					if c.wantRows < 0 && n == 0 && c.who == "admin" {
						t.Errorf("%s %s: the fixture has no rows to count", c.who, c.path)
					}
				}
			})
		}
		// The UI's fetch goes with the session cookie: same header.
		t.Run("ui-session", func(t *testing.T) {
			path := export(voice, "format", "csv")
			r := e.ui(t, "admin", http.MethodGet, path, nil)
			mustOK(t, path, r)
			if got, want := r.Hdr.Get(web.RowsHeader), strconv.Itoa(len(parseCSV(t, path, r.Body).Rows)); got != want {
				t.Errorf("UI session %s: %s = %q, want %s", path, web.RowsHeader, got, want)
			}
		})
		// A refused export announces nothing.
		t.Run("bad-params", func(t *testing.T) {
			r := e.get(t, "admin", "/api/v1/reports/interactions/export?media=voice&format=pdf")
			if r.Code != http.StatusBadRequest {
				t.Fatalf("want 400, got %s", r)
			}
			if _, ok := r.Hdr[http.CanonicalHeaderKey(web.RowsHeader)]; ok {
				t.Errorf("400 with %s = %q", web.RowsHeader, r.Hdr.Get(web.RowsHeader))
			}
		})
	})
}

// parseCSVComma reads a sep=comma export (with the UTF-8 BOM too, which
// Excel needs to read UTF-8 whatever the separator).
func parseCSVComma(t testing.TB, what string, body []byte) grid {
	t.Helper()
	if !bytes.HasPrefix(body, []byte("\uFEFF")) {
		t.Errorf("%s: comma CSV without the UTF-8 BOM", what)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF")))).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("%s: parse CSV: %v (%d records)", what, err, len(recs))
	}
	return grid{Columns: recs[0], Rows: recs[1:]}
}
