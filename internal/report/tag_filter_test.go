package report_test

import (
	"context"
	"database/sql"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// tagSearches are Rastreio searches by tag over genEvents (tags g1–g3 on
// voice, chat and WhatsApp legs of 2025-06-01..03): one tag (driven by the
// tag's leg_tags rows, migration 0019) and several (a set of their slices),
// with a period, an hour range, agents, a principal limited to a service.
var tagSearches = []exportCase{
	{admin("one"), "media=voice&tags=g1"},
	{admin("one"), "media=chat&tags=g2&from=2025-06-02&to=2025-06-03"},
	{admin("one"), "media=whatsapp&tags=g3&to=2025-06-02"},
	{admin("one"), "media=voice&tags=g1,g3&from=2025-06-02"},
	{admin("one"), "media=voice&tags=g2&hour_from=08:00&hour_to=17:59"},
	{admin("one"), "media=voice&tags=g2&agents=a1,a3,a5"},
	{admin("one", "s2"), "media=voice&tags=g3"},
	{admin("one", "s1", "s3"), "media=chat&tags=g1,g2&from=2025-06-01&to=2025-06-02&service_status=all"},
}

// legsCarryingTags is the oracle: the keys, in (entered_at, k) order, of the
// legs of f's media, period, agents, statuses and p's services that carry
// one of f's tags, by a plain join of legs with leg_tags' (leg, tag) pairs (the
// columns migration 0019 added are not read). Hour filters are not
// supported here.
func legsCarryingTags(t *testing.T, raw *sql.DB, dialect string, p model.Principal, f store.LegFilter) []int64 {
	t.Helper()
	q := `SELECT l.k FROM legs l WHERE l.tenant = ? AND l.media = ?`
	args := []any{p.Tenant, f.Media}
	in := func(col string, values []string) {
		q += " AND " + col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ") + ")"
		for _, v := range values {
			args = append(args, v)
		}
	}
	if f.FromMS != 0 {
		q += " AND l.entered_at >= ?"
		args = append(args, f.FromMS)
	}
	if f.ToMS != 0 {
		q += " AND l.entered_at < ?"
		args = append(args, f.ToMS)
	}
	if p.Services != nil {
		in("l.service_id", p.Services)
	}
	if f.Agents != nil {
		in("l.agent_id", f.Agents)
	}
	if f.Statuses != nil {
		in("l.status", f.Statuses) // chat's default SERVICE STATUS: completed
	}
	q += " AND EXISTS (SELECT 1 FROM leg_tags x WHERE x.leg_k = l.k"
	in("x.tag_id", f.Tags)
	q += ") ORDER BY l.entered_at, l.k"
	if dialect == "postgres" {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(i), 1)
		}
	}
	rows, err := raw.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTagSearchListsExactlyTheLegsCarryingTheTags: every path of a Rastreio
// search by tag — the page (one page, and keyset pages both ways), the
// export stream, the count, the summary and, on PostgreSQL, the COPY
// ceiling — reads exactly the legs of the media and period that carry one
// of the tags, in order, as a plain join of legs and leg_tags finds them.
func TestTagSearchListsExactlyTheLegsCarryingTheTags(t *testing.T) {
	const seed = 20261207
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		seededTenant(t, s, seed)
		raw, dialect := openRaw(t, s)
		r := report.New(s.DB)
		for _, c := range tagSearches {
			v, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			q, err := r.ParseInteractions(ctx, c.p, v)
			if err != nil {
				t.Fatalf("%s: %v", c.query, err)
			}
			f := q.Filter
			all, err := s.DB.Legs(ctx, c.p, f, false, nil, 100000)
			if err != nil {
				t.Fatalf("%s: %v", c.query, err)
			}
			var got []int64
			for _, row := range all.Rows {
				got = append(got, row.K)
			}
			if f.HourFrom == "" {
				if want := legsCarryingTags(t, raw, dialect, c.p, f); !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: legs %v, want %v", c.query, got, want)
				}
			} else if len(got) == 0 || len(got) >= len(legsCarryingTags(t, raw, dialect, c.p, store.LegFilter{Media: f.Media, Tags: f.Tags})) {
				t.Fatalf("%s: %d legs: the hour range should keep some of the tag's legs, not all", c.query, len(got))
			}
			if len(got) < 3 {
				t.Fatalf("%s: only %d legs: too few to page", c.query, len(got))
			}
			for _, desc := range []bool{false, true} {
				want := append([]string(nil), cellsOf(all.Rows)...)
				if desc {
					for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
						want[i], want[j] = want[j], want[i]
					}
				}
				var paged, streamed []string
				var after *store.Cursor
				for {
					page, err := s.DB.Legs(ctx, c.p, f, desc, after, 4)
					if err != nil {
						t.Fatal(err)
					}
					paged = append(paged, cellsOf(page.Rows)...)
					if after = page.Next; after == nil {
						break
					}
				}
				if err := s.DB.EachLeg(ctx, c.p, f, desc, 4, func(cells string) error {
					streamed = append(streamed, cells)
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(paged, want) || !reflect.DeepEqual(streamed, want) {
					t.Fatalf("%s desc=%v: pages of 4 give %d legs, the stream %d, want %d in the same order", c.query, desc, len(paged), len(streamed), len(want))
				}
			}
			n, err := s.DB.CountLegs(ctx, c.p, f)
			if err != nil || n != int64(len(got)) {
				t.Fatalf("%s: count %d (%v), want %d", c.query, n, err, len(got))
			}
			sum, err := s.DB.SummarizeLegs(ctx, c.p, f)
			if err != nil || sum.Legs != int64(len(got)) {
				t.Fatalf("%s: summary of %d legs (%v), want %d", c.query, sum.Legs, err, len(got))
			}
			if s.Name == "postgres" {
				var out strings.Builder
				n, err := s.DB.CopyLegCells(ctx, c.p, f, &out)
				if err != nil || n != int64(len(got)) {
					t.Fatalf("%s: COPY ceiling read %d legs (%v), want %d", c.query, n, err, len(got))
				}
			}
		}
	})
}

func cellsOf(rows []store.LegCells) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Join(r.Cells, "\x1f")
	}
	return out
}

// TestMigration0019GivesTheRastreioBytesOfAFreshStore: a store as the
// release before migration 0019 left it (leg_tags without media and
// entered_at, indexed (tenant, tag_id, leg_k)) is converted in place when
// opened, reporting its progress; its leg_tags rows are then those a fresh
// derivation writes, and every Rastreio export by tag is byte for byte the
// one of the store made by this release from the same events.
func TestMigration0019GivesTheRastreioBytesOfAFreshStore(t *testing.T) {
	const seed = 20261208
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		seededTenant(t, s, seed)
		fresh := exportsOf(t, s.DB, "interactions", tagSearches, 3)
		raw, dialect := openRaw(t, s)
		freshTags := snapshot(t, raw, dialect, "one")["leg_tags"]
		if len(freshTags) == 0 {
			t.Fatal("no leg_tags rows: nothing to convert")
		}
		s.DB.Close()

		db, progress := revertAndReopen(t, s,
			// 0001_schema.sql's leg_tags, as the previous release left it.
			`CREATE TABLE leg_tags_old (tenant TEXT NOT NULL, leg_k BIGINT NOT NULL, tag_id TEXT NOT NULL, PRIMARY KEY (leg_k, tag_id))`,
			`INSERT INTO leg_tags_old (tenant, leg_k, tag_id) SELECT tenant, leg_k, tag_id FROM leg_tags`,
			`DROP TABLE leg_tags`,
			`ALTER TABLE leg_tags_old RENAME TO leg_tags`,
			`CREATE INDEX leg_tags_tag ON leg_tags (tenant, tag_id, leg_k)`,
			`DELETE FROM schema_migrations WHERE version = '0019_leg_tags_in_order.sql'`,
		)
		lines := strings.Split(strings.TrimSpace(progress), "\n")
		// Five statements, the statistics (PostgreSQL; nothing on SQLite),
		// the end.
		if len(lines) != 7 || !strings.HasPrefix(lines[0], "migration 0019_leg_tags_in_order.sql: 1/5 CREATE TABLE leg_tags_0019") ||
			!strings.HasPrefix(lines[1], "migration 0019_leg_tags_in_order.sql: 2/5 INSERT INTO leg_tags_0019") ||
			!strings.HasPrefix(lines[6], "migration 0019_leg_tags_in_order.sql: done in") {
			t.Errorf("progress of the conversion:\n%s", progress)
		}
		if s.Name == "postgres" {
			var analyzed int
			if err := raw.QueryRow(`SELECT COUNT(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'leg_tags'`).Scan(&analyzed); err != nil || analyzed == 0 {
				t.Errorf("leg_tags after migration 0019: %d column statistics (%v); want it ANALYZEd", analyzed, err)
			}
		}
		if got := snapshot(t, raw, dialect, "one")["leg_tags"]; !reflect.DeepEqual(got, freshTags) {
			t.Errorf("leg_tags after migration 0019: %d rows, a fresh derivation %d (or they differ)", len(got), len(freshTags))
		}
		r := report.New(db)
		for _, c := range tagSearches {
			if got := exportCSV(t, r, "interactions", c.p, c.query, 3); got != fresh[c.query] {
				t.Errorf("Rastreio %q after migration 0019:\n%s\nfresh store:\n%s", c.query, got, fresh[c.query])
			}
		}
	})
}
