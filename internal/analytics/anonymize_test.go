package analytics_test

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/rastro/rastro/internal/analytics"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// hostRows returns, per host of the engine's URL, the text of every row
// version its local legs table physically holds for some interactions of a
// tenant (queried on the host itself, without FINAL): the string columns
// joined by tabs.
func hostRows(t *testing.T, ch *analytics.Engine, tenant string, interactionIDs map[string]bool) [][]string {
	t.Helper()
	cfg := ch.Config()
	table := cfg.Database + ".legs"
	if cfg.Cluster != "" {
		table += "_local"
	}
	var out [][]string
	for _, h := range cfg.Hosts {
		conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{h}, DialTimeout: 3 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := conn.Query(context.Background(), `SELECT interaction_id, concat(leg_id, '\t', protocol, '\t', contact_id, '\t',
			external_id, '\t', ext_protocol, '\t', recording_url, '\t', arrayStringConcat(tags, ','), '\t',
			arrayStringConcat(rphones, ','), '\t', arrayStringConcat(ivrs, ','), '\t', cells)
			FROM `+table+` WHERE tenant = ?`, tenant)
		if err != nil {
			t.Fatalf("rows on %s: %v", h, err)
		}
		var texts []string
		for rows.Next() {
			var id, text string
			if err := rows.Scan(&id, &text); err != nil {
				t.Fatal(err)
			}
			if interactionIDs[id] {
				texts = append(texts, text)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		conn.Close()
		out = append(out, texts)
	}
	return out
}

// found lists the needles some host's rows contain ("host N: needle").
func found(rows [][]string, needles []string) []string {
	var out []string
	for h, texts := range rows {
		for _, n := range needles {
			for _, s := range texts {
				if strings.Contains(s, n) {
					out = append(out, "host "+strconv.Itoa(h+1)+": "+n)
					break
				}
			}
		}
	}
	return out
}

// TestAnonymizeErasesPersonalDataOnEveryShard: a contact whose legs were
// shipped is anonymised (while one of the two servers is stopped, when the
// cluster's PIDs are known: the entry is kept and retried); once the
// shipper drains the outbox, no row version on any host's local table
// (queried directly, without FINAL) holds its name, document, phones,
// e-mails or external id; the Rastreio from ClickHouse still answers the
// store's bytes and the counts are unchanged.
func TestAnonymizeErasesPersonalDataOnEveryShard(t *testing.T) {
	evs := demoEvents(t, 200)
	var pid int
	if pids := strings.Fields(os.Getenv("RASTRO_TEST_CLICKHOUSE_PIDS")); len(pids) == 2 {
		pid, _ = strconv.Atoi(pids[1])
	}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		ingestAll(t, f.db, "acme", evs)
		f.sync(t)

		// A contact with legs that carry phones; its interactions.
		legs, err := f.db.AnalyticsLegs(ctx, "acme", interactionIDs(t, f.db, "acme"))
		if err != nil {
			t.Fatal(err)
		}
		legsOf := map[string]int{}
		for _, l := range legs {
			if l.ContactID != "" && len(l.RPhones) > 0 {
				legsOf[l.ContactID]++
			}
		}
		var contactID string
		for id, n := range legsOf {
			if n >= 2 && (contactID == "" || id < contactID) {
				contactID = id
			}
		}
		if contactID == "" {
			t.Fatal("the demo month has no contact with two legs carrying phones")
		}
		mine := map[string]bool{}
		var rphones []string
		for _, l := range legs {
			if l.ContactID == contactID {
				mine[l.InteractionID] = true
				rphones = append(rphones, l.RPhones...)
			}
		}
		// Its personal data, as the events gave it.
		seen := map[string]bool{}
		var needles []string
		add := func(v string) {
			if len(v) >= 4 && !seen[v] {
				seen[v] = true
				needles = append(needles, v)
			}
		}
		var name, doc string
		for _, e := range evs {
			if c := e.Contact; c != nil && c.ID == contactID {
				if c.Name != "" {
					name = c.Name
				}
				if c.Document != "" {
					doc = c.Document
				}
				add(c.Name)
				add(c.Document)
				add(c.ExternalID)
				for _, p := range c.Phones {
					add(p)
				}
				for _, m := range c.Emails {
					add(m)
				}
			}
		}
		for _, r := range rphones {
			add(r)
		}
		sort.Strings(needles)
		before := found(hostRows(t, f.ch, "acme", mine), needles)
		t.Logf("contact %s (%d interactions): personal data on the shards before: %v", contactID, len(mine), before)
		for _, must := range []string{name, doc} {
			if must == "" {
				t.Fatalf("contact %s has no name or document in the demo events", contactID)
			}
			if !strings.Contains(strings.Join(before, "\n"), ": "+must) {
				t.Fatalf("%q is on no shard before the anonymisation: the test would test nothing (found %v)", must, before)
			}
		}
		counts := map[string]int64{}
		for _, m := range model.DefaultMedia {
			a, b := countCH(t, f, "acme", m.ID)
			if a != b {
				t.Fatalf("%s before: store %d, ClickHouse %d", m.ID, a, b)
			}
			counts[m.ID] = a
		}

		if _, err := ingest.New(f.db).AnonymizeContact(ctx, "acme", contactID); err != nil {
			t.Fatal(err)
		}
		entries, err := f.db.OutboxBatch(ctx, 10000)
		if err != nil {
			t.Fatal(err)
		}
		var anon []store.OutboxEntry
		for _, e := range entries {
			if e.Kind == store.OutboxAnonymize {
				anon = append(anon, e)
			}
		}
		if len(anon) != 1 {
			t.Fatalf("anonymisation queued %d anonymize entries, want 1: %+v", len(anon), entries)
		}
		for _, n := range needles {
			if strings.Contains(anon[0].Key, n) {
				t.Fatalf("the outbox entry holds personal data %q: %s", n, anon[0].Key)
			}
		}

		if pid != 0 {
			// One server stopped: shipping fails, the entry stays.
			if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
				t.Fatal(err)
			}
			sctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
			_, err := f.ship.ShipOnce(sctx)
			cancel()
			if cerr := syscall.Kill(pid, syscall.SIGCONT); cerr != nil {
				t.Fatal(cerr)
			}
			if err == nil {
				t.Fatal("shipping succeeded with a server stopped")
			}
			pending, _, _ := f.db.OutboxStats(ctx, "acme")
			if pending < 1 {
				t.Fatal("the anonymize entry was dropped while a server was down")
			}
			t.Logf("server stopped: shipping failed (%v), %d entries kept", err, pending)
		} else {
			t.Log("RASTRO_TEST_CLICKHOUSE_PIDS not set: the server-down retry is not exercised")
		}
		deadline := time.Now().Add(time.Minute)
		for {
			_, err := f.ship.Drain(ctx)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the outbox does not drain: %v", err)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if n, _, _ := f.db.OutboxStats(ctx, "acme"); n != 0 {
			t.Fatalf("%d entries left after draining", n)
		}

		rows := hostRows(t, f.ch, "acme", mine)
		if left := found(rows, needles); len(left) > 0 {
			t.Fatalf("personal data left on the shards after the anonymisation: %v", left)
		}
		var all []string
		for _, r := range rows {
			all = append(all, r...)
		}
		if len(all) == 0 {
			t.Fatal("the contact's legs vanished from the shards")
		}
		if !strings.Contains(strings.Join(all, "\n"), ingest.AnonymizedName) {
			t.Fatalf("the new versions do not carry %q", ingest.AnonymizedName)
		}
		for _, m := range model.DefaultMedia {
			a, b := countCH(t, f, "acme", m.ID)
			if a != b || a != counts[m.ID] {
				t.Fatalf("%s after: store %d, ClickHouse %d, before %d", m.ID, a, b, counts[m.ID])
			}
		}
		masked := model.Principal{Tenant: "acme", Role: model.RoleViewer}
		for _, p := range []model.Principal{admin("acme"), masked} {
			for _, m := range model.DefaultMedia {
				for _, v := range []url.Values{{"media": {m.ID}}, {"media": {m.ID}, "contacts": {contactID}}} {
					if m.HasFilter("service_status") {
						v.Set("service_status", "all")
					}
					a, b := render(t, f.plain, p, v), render(t, f.fromCH, p, v)
					if !bytes.Equal(a, b) {
						t.Fatalf("%s as %s after the anonymisation: %s", v.Encode(), p.Role, firstDiff(a, b))
					}
				}
			}
		}

		// Anonymised again, then a rebuild before shipping: the rebuild's
		// re-backfill supersedes the interaction entries but not the
		// anonymisation's, which still erases every older version.
		if _, err := ingest.New(f.db).AnonymizeContact(ctx, "acme", contactID); err != nil {
			t.Fatal(err)
		}
		if err := ingest.New(f.db).Rebuild(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		entries, err = f.db.OutboxBatch(ctx, 10000)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		var below int64
		for _, e := range entries {
			kinds[e.Kind]++
			if e.Kind == store.OutboxAnonymize {
				below = e.ID
			}
		}
		if len(entries) != 2 || kinds[store.OutboxTenant] != 1 || kinds[store.OutboxAnonymize] != 1 {
			t.Fatalf("after anonymise + rebuild the outbox holds %v, want one tenant and one anonymize entry", kinds)
		}
		if _, err := f.ship.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		for h, n := range versionsBelow(t, f.ch, "acme", mine, below) {
			if n != 0 {
				t.Fatalf("host %d still holds %d versions older than the second anonymisation", h+1, n)
			}
		}
		if left := found(hostRows(t, f.ch, "acme", mine), needles); len(left) > 0 {
			t.Fatalf("personal data on the shards after anonymise + rebuild: %v", left)
		}
		for _, m := range model.DefaultMedia {
			v := url.Values{"media": {m.ID}, "contacts": {contactID}}
			if m.HasFilter("service_status") {
				v.Set("service_status", "all")
			}
			if a, b := render(t, f.plain, admin("acme"), v), render(t, f.fromCH, admin("acme"), v); !bytes.Equal(a, b) {
				t.Fatalf("%s after anonymise + rebuild: %s", v.Encode(), firstDiff(a, b))
			}
			if a, b := countCH(t, f, "acme", m.ID); a != b || a != counts[m.ID] {
				t.Fatalf("%s after anonymise + rebuild: store %d, ClickHouse %d, before %d", m.ID, a, b, counts[m.ID])
			}
		}
	})
}

// versionsBelow counts, per host, the row versions of some interactions
// shipped before outbox entry below on its local legs table (no FINAL).
func versionsBelow(t *testing.T, ch *analytics.Engine, tenant string, interactionIDs map[string]bool, below int64) []uint64 {
	t.Helper()
	cfg := ch.Config()
	table := cfg.Database + ".legs"
	if cfg.Cluster != "" {
		table += "_local"
	}
	args := []any{tenant, analytics.FirstVersion(uint64(below))}
	marks := make([]string, 0, len(interactionIDs))
	for id := range interactionIDs {
		args = append(args, id)
		marks = append(marks, "?")
	}
	var out []uint64
	for _, h := range cfg.Hosts {
		conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{h}, DialTimeout: 3 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		var n uint64
		err = conn.QueryRow(context.Background(), `SELECT count() FROM `+table+` WHERE tenant = ? AND version < ? AND interaction_id IN (`+strings.Join(marks, ",")+`)`, args...).Scan(&n)
		conn.Close()
		if err != nil {
			t.Fatalf("count on %s: %v", h, err)
		}
		out = append(out, n)
	}
	return out
}
