package report_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// TestKeysetPagesWithinADateRangeReturnEveryLegOnceInOrder walks the
// demo's WhatsApp legs of a date range in pages of 7, both directions, on
// screen (Legs) and export (EachLeg) paths, and compares them with one page
// holding them all: the cursor bound replaces the date bound on its side,
// and that must neither lose nor repeat a leg.
func TestKeysetPagesWithinADateRangeReturnEveryLegOnceInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		r := seed(t, s, "demo", demoBody(t, 600), nil)
		p := admin("demo")
		q, err := r.ParseInteractions(ctx, p, url.Values{"media": {"whatsapp"}, "from": {"2026-10-03"}, "to": {"2026-10-20"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, desc := range []bool{false, true} {
			all, err := s.DB.Legs(ctx, p, q.Filter, desc, nil, 100000)
			if err != nil {
				t.Fatal(err)
			}
			if len(all.Rows) < 30 {
				t.Fatalf("only %d legs in the range: too few to page", len(all.Rows))
			}
			var want, paged, streamed []string
			for _, row := range all.Rows {
				want = append(want, row.Protocol+" "+row.Cells[0]+" "+row.Cells[1])
			}
			var after *store.Cursor
			for {
				page, err := s.DB.Legs(ctx, p, q.Filter, desc, after, 7)
				if err != nil {
					t.Fatal(err)
				}
				for _, row := range page.Rows {
					paged = append(paged, row.Protocol+" "+row.Cells[0]+" "+row.Cells[1])
				}
				if after = page.Next; after == nil {
					break
				}
			}
			if err := s.DB.EachLeg(ctx, p, q.Filter, desc, 7, func(cells string) error {
				c := store.DecodeCells(cells)
				// Cells hold DATA, HORA, PROTOCOLO first.
				streamed = append(streamed, c[2]+" "+c[0]+" "+c[1])
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			for name, got := range map[string][]string{"Legs pages": paged, "EachLeg pages": streamed} {
				if len(got) != len(want) {
					t.Fatalf("desc=%v %s: %d legs, want %d", desc, name, len(got), len(want))
				}
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("desc=%v %s: row %d = %q, want %q", desc, name, i, got[i], want[i])
					}
				}
			}
		}
	})
}

// TestCopyCeilingReadsTheSameLegsAsTheExport checks that the COPY … TO
// STDOUT the benchmark compares the export with reads the export's own rows.
func TestCopyCeilingReadsTheSameLegsAsTheExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		if s.Name != "postgres" {
			return // COPY is PostgreSQL's
		}
		ctx := context.Background()
		r := seed(t, s, "demo", demoBody(t, 300), nil)
		p := admin("demo")
		q, err := r.ParseInteractions(ctx, p, url.Values{"media": {"whatsapp"}, "from": {"2026-10-02"}, "to": {"2026-10-25"}})
		if err != nil {
			t.Fatal(err)
		}
		var export int64
		if err := s.DB.EachLeg(ctx, p, q.Filter, false, 5000, func(string) error { export++; return nil }); err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		n, err := s.DB.CopyLegCells(ctx, p, q.Filter, &out)
		if err != nil {
			t.Fatal(err)
		}
		if n != export || export == 0 {
			t.Fatalf("COPY read %d legs, the export %d", n, export)
		}
	})
}
