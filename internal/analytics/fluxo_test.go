package analytics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/rastro/rastro/internal/analytics"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// renderFluxo writes everything a Fluxo Ágil query answers: every page
// walked with its cursor (JSON, as the API sends it, small pages so the
// keyset is exercised), the CSV and XLSX exports, the drop-off and the
// screen's total of conversations.
func renderFluxo(t *testing.T, r *report.Reports, p model.Principal, v url.Values) []byte {
	t.Helper()
	ctx := context.Background()
	var buf bytes.Buffer
	pv := url.Values{}
	for k, vs := range v {
		pv[k] = vs
	}
	pv.Set("limit", "7")
	if _, err := r.ParseFluxo(ctx, p, pv); err != nil {
		// A client, campaign or batch outside p's clients: the refusal
		// (validated against the store on both paths) is the answer.
		var pe *report.ParamError
		if !errors.As(err, &pe) {
			t.Fatalf("%s: %v", pv.Encode(), err)
		}
		return []byte("refused: " + err.Error())
	}
	for pages := 0; ; pages++ {
		q, err := r.ParseFluxo(ctx, p, pv)
		if err != nil {
			t.Fatalf("%s: %v", pv.Encode(), err)
		}
		tab, err := r.Fluxo(ctx, p, q)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(tab)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteString("\n" + strings.Join(tab.Keys, ",") + "\n")
		if tab.NextCursor == "" {
			break
		}
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		pv.Set("cursor", tab.NextCursor)
	}
	q, err := r.ParseFluxo(ctx, p, v)
	if err != nil {
		t.Fatalf("%s: %v", v.Encode(), err)
	}
	for _, format := range []string{"csv", "xlsx"} {
		fm, _ := report.ParseFormat(format, "")
		var out bytes.Buffer
		st, err := report.Write(&out, fm, q.Columns(), r.FluxoRows(ctx, p, q))
		if err != nil {
			t.Fatal(err)
		}
		if format == "csv" {
			buf.Write(out.Bytes())
		} else {
			fmt.Fprintf(&buf, "xlsx rows %d sha256 %s\n", st.Rows, st.SHA256)
		}
	}
	drop, err := r.FluxoDropoff(ctx, p, q)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(drop)
	if err != nil {
		t.Fatal(err)
	}
	buf.Write(b)
	total, err := r.FluxoConversations(ctx, p, q)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&buf, "\nconversations %d\n", total)
	return buf.Bytes()
}

// fluxoIDs are the clients, campaigns, batches and last steps of a
// tenant's conversations (from the store), sorted.
type fluxoIDs struct{ clients, campaigns, batches, steps []string }

func fluxoData(t *testing.T, db *store.DB, tenant string) fluxoIDs {
	t.Helper()
	sets := [4]map[string]bool{{}, {}, {}, {}}
	if err := db.EachAnalyticsBot(context.Background(), tenant, 1000, func(bs []store.AnalyticsBot) error {
		for _, b := range bs {
			for i, v := range []string{b.ClientID, b.CampaignID, b.BatchID, b.LastStep} {
				sets[i][v] = true
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var out [4][]string
	for i, s := range sets {
		for v := range s {
			out[i] = append(out[i], v)
		}
		sort.Strings(out[i])
	}
	if len(out[2]) == 0 {
		t.Fatalf("tenant %s has no bot conversation: the comparison would compare nothing", tenant)
	}
	return fluxoIDs{out[0], out[1], out[2], out[3]}
}

// fluxoQueries are the Fluxo Ágil searches compared: everything, both
// sorts, a period, each client, a campaign, a batch (the drop-off's usual
// scope), a step, reached_human both ways, and combinations.
func fluxoQueries(d fluxoIDs, from, to string) []url.Values {
	qs := []url.Values{
		{},
		{"sort": {"name"}},
		{"from": {from}, "to": {to}},
		{"reached_human": {"true"}},
		{"reached_human": {"false"}, "sort": {"name"}},
		{"campaign": {d.campaigns[0]}},
		{"batch": {d.batches[0]}},
		{"batch": {d.batches[len(d.batches)-1]}, "step": {d.steps[0]}},
		{"step": {d.steps[len(d.steps)-1]}, "reached_human": {"false"}},
		{"from": {from}, "to": {to}, "client": {d.clients[0]}, "reached_human": {"true"}, "sort": {"name"}},
	}
	for _, c := range d.clients {
		qs = append(qs, url.Values{"client": {c}})
	}
	return qs
}

// fluxoPrincipals: admin, a masked viewer, a supervisor limited to one
// client, one limited to none, and an admin of another tenant.
func fluxoPrincipals(tenant string, d fluxoIDs) []model.Principal {
	return []model.Principal{
		admin(tenant),
		{Tenant: tenant, Role: model.RoleViewer},
		{Tenant: tenant, Role: model.RoleSupervisor, PersonalData: true, Clients: []string{d.clients[0]}},
		{Tenant: tenant, Role: model.RoleSupervisor, Clients: []string{}},
		{Tenant: "other", Role: model.RoleAdmin},
	}
}

// compareFluxo checks every Fluxo Ágil query for every principal, store
// against engine, after checking that the engine itself answers (a
// fallback to the store would make the comparison empty).
func compareFluxo(t *testing.T, f *fixture, tenant, from, to string) {
	t.Helper()
	ctx := context.Background()
	want, err := f.db.BotRows(ctx, admin(tenant), store.BotFilter{}, false, nil, 100000)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.rastreo.BotRows(ctx, admin(tenant), store.BotFilter{}, false, nil, 100000)
	if err != nil || len(got.Rows) != len(want.Rows) || len(got.Rows) == 0 {
		t.Fatalf("ClickHouse answers the Fluxo Ágil with %d rows (the store: %d), %v", len(got.Rows), len(want.Rows), err)
	}
	d := fluxoData(t, f.db, tenant)
	for i, p := range fluxoPrincipals(tenant, d) {
		for j, v := range fluxoQueries(d, from, to) {
			if i > 0 && j%2 != 0 {
				continue // the other principals: half of the queries (the machine is shared)
			}
			a := renderFluxo(t, f.plain, p, v)
			b := renderFluxo(t, f.fromCH, p, v)
			if !bytes.Equal(a, b) {
				t.Fatalf("Fluxo %s as %+v: store and ClickHouse differ:\n%s", v.Encode(), p, firstDiff(a, b))
			}
		}
	}
}

// botHostCounts returns, per host of the URL, how many rows (every
// version) of a tenant the local table of bot_conversations or bot_rows
// holds, and how many of them contain needle in a personal column (queried
// on the host, without FINAL).
func botHostCounts(t *testing.T, ch *analytics.Engine, name, tenant, needle string) (rows, with []uint64) {
	t.Helper()
	cfg := ch.Config()
	table := cfg.Database + "." + name
	if cfg.Cluster != "" {
		table += "_local"
	}
	for _, h := range cfg.Hosts {
		conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{h}, DialTimeout: 3 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		var n, m uint64
		err = conn.QueryRow(context.Background(), `SELECT count(), countIf(position(concat(name, '\t', name_key, '\t', document, '\t', phone, '\t', email), ?) > 0)
			FROM `+table+` WHERE tenant = ?`, needle, tenant).Scan(&n, &m)
		conn.Close()
		if err != nil {
			t.Fatalf("bot rows on %s: %v", h, err)
		}
		rows, with = append(rows, n), append(with, m)
	}
	return rows, with
}

func ingestBody(t *testing.T, db *store.DB, tenant, body string) {
	t.Helper()
	ctx := context.Background()
	if err := db.EnsureTenant(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.New(db).IngestBody(ctx, tenant, []byte(body)); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) drain(t *testing.T) {
	t.Helper()
	if _, err := f.ship.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := f.db.OutboxTotals(context.Background()); n != 0 {
		t.Fatalf("%d outbox entries left after draining", n)
	}
}

// TestFluxoFromClickHouseIsByteIdentical: the demo month (its first 70%
// backfilled by the first sync, the rest shipped as late events
// re-deriving conversations already shipped) and the hand-built Fluxo
// fixture of internal/report (testdata/fluxo_month.jsonl); then a contact
// and a batch renamed in the directory; then a rebuild. After each, every
// Fluxo Ágil query (pages, exports, drop-off) answers the same bytes from
// the two-shard cluster as from the store for every principal, and the
// tenant's conversations sit on both shards.
func TestFluxoFromClickHouseIsByteIdentical(t *testing.T) {
	evs := demoEvents(t, 600)
	cut := len(evs) * 7 / 10
	hand, err := os.ReadFile("testdata/fluxo_month.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		if err := f.db.EnsureTenant(ctx, "other"); err != nil {
			t.Fatal(err)
		}
		ingestAll(t, f.db, "acme", evs[:cut])
		ingestBody(t, f.db, "hand", string(hand))
		f.sync(t)
		checkBotRowsEqual(t, f, "acme")
		checkBotRowsEqual(t, f, "hand")
		compareFluxo(t, f, "acme", "2026-10-05", "2026-10-20")
		compareFluxo(t, f, "hand", "2025-06-01", "2025-06-30")

		ingestAll(t, f.db, "acme", evs[cut:])
		entries, err := f.db.OutboxBatch(ctx, 100000)
		if err != nil {
			t.Fatal(err)
		}
		late := 0
		for _, e := range entries {
			if e.Kind == store.OutboxBotConversation {
				late++
			}
		}
		if late == 0 {
			t.Fatal("the late events re-derived no bot conversation: the test does not test re-derivation")
		}
		f.drain(t)
		checkBotRowsEqual(t, f, "acme")
		compareFluxo(t, f, "acme", "2026-10-05", "2026-10-20")

		// The directory renames a contact and a batch already shipped: the
		// engine's rows carry the new names.
		ingestBody(t, f.db, "hand", `{"id":"r1","type":"contact.upserted","at":"2025-07-01T08:00:00-03:00","contact":{"id":"ct-ana","name":"Ana Beatriz Souza"}}
{"id":"r2","type":"batch.upserted","at":"2025-07-01T08:00:00-03:00","batch":{"id":"lote-b","name":"A Lote Beta Renomeado","campaign_id":"camp-b1"}}
`)
		f.drain(t)
		tab, err := f.fromCH.Fluxo(ctx, admin("hand"), report.FluxoQuery{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Rows) == 0 || tab.Rows[0][0] != "A Lote Beta Renomeado" || !strings.Contains(fmt.Sprint(tab.Rows), "Ana Beatriz Souza") {
			t.Fatalf("after renaming, ClickHouse answers %v", tab.Rows)
		}
		checkBotRowsEqual(t, f, "hand")
		compareFluxo(t, f, "hand", "2025-06-01", "2025-06-30")

		if err := ingest.New(f.db).Rebuild(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		f.drain(t)
		checkBotRowsEqual(t, f, "acme")
		compareFluxo(t, f, "acme", "2026-10-05", "2026-10-20")

		for _, table := range []string{"bot_conversations", "bot_rows"} {
			rows, _ := botHostCounts(t, f.ch, table, "acme", "\x00")
			t.Logf("%s rows (all versions) per host: %v", table, rows)
			if len(rows) != 2 || rows[0] == 0 || rows[1] == 0 {
				t.Fatalf("%s rows per host %v: the tenant is not spread over both shards", table, rows)
			}
		}
	})
}

// TestFluxoAnonymizedContactLeavesNoOldVersionOnAnyShard: a contact of the
// hand-built fixture is anonymised after its conversations were shipped;
// once the outbox drains, the Fluxo Ágil from ClickHouse shows
// "Anonimizado" as the store does, and no row version on any host's local
// tables of conversations and of Fluxo Ágil rows (without FINAL) holds its
// name, document, phone or e-mail.
func TestFluxoAnonymizedContactLeavesNoOldVersionOnAnyShard(t *testing.T) {
	hand, err := os.ReadFile("testdata/fluxo_month.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		if err := f.db.EnsureTenant(ctx, "other"); err != nil {
			t.Fatal(err)
		}
		ingestBody(t, f.db, "hand", string(hand))
		f.sync(t)
		needles := []string{"Ana Souza", "52998224725", "98765-4321", "ana@example.org"}
		for _, table := range []string{"bot_conversations", "bot_rows"} {
			for _, n := range needles[:2] {
				if _, with := botHostCounts(t, f.ch, table, "hand", n); with[0]+with[1] == 0 {
					t.Fatalf("%q is on no shard of %s before the anonymisation: the test would test nothing", n, table)
				}
			}
		}
		if _, err := ingest.New(f.db).AnonymizeContact(ctx, "hand", "ct-ana"); err != nil {
			t.Fatal(err)
		}
		entries, err := f.db.OutboxBatch(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		anon := 0
		for _, e := range entries {
			if e.Kind == store.OutboxAnonymizeBot {
				anon++
				for _, n := range needles {
					if strings.Contains(e.Key, n) {
						t.Fatalf("the outbox entry holds personal data %q: %s", n, e.Key)
					}
				}
			}
		}
		if anon != 1 {
			t.Fatalf("anonymisation queued %d anonymize_bot entries, want 1: %+v", anon, entries)
		}
		f.drain(t)
		for _, table := range []string{"bot_conversations", "bot_rows"} {
			for _, n := range needles {
				if rows, with := botHostCounts(t, f.ch, table, "hand", n); with[0]+with[1] != 0 {
					t.Fatalf("%q still on the shards' %s after the anonymisation (rows %v, holding it %v)", n, table, rows, with)
				}
			}
		}
		checkBotRowsEqual(t, f, "hand")
		tab, err := f.fromCH.Fluxo(ctx, admin("hand"), report.FluxoQuery{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(fmt.Sprint(tab.Rows), "Anonimizado") {
			t.Fatalf("ClickHouse rows after the anonymisation: %v", tab.Rows)
		}
		compareFluxo(t, f, "hand", "2025-06-01", "2025-06-30")
	})
}

// TestDirectoryChangeQueuesOnlyContactsWithConversations: with analytics
// on, upserting a contact or batch that has no bot conversation queues
// nothing for the engine (a CRM import of many contacts would otherwise
// fill the outbox with entries that ship nothing); renaming one that has
// conversations queues one entry.
func TestDirectoryChangeQueuesOnlyContactsWithConversations(t *testing.T) {
	hand, err := os.ReadFile("testdata/fluxo_month.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		ingestBody(t, s.DB, "hand", string(hand))
		if _, err := s.DB.EnableAnalytics(ctx, "clickhouse"); err != nil {
			t.Fatal(err)
		}
		pending := func() int64 {
			n, _, err := s.DB.OutboxStats(ctx, "hand")
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := pending()
		ingestBody(t, s.DB, "hand", `{"id":"q1","type":"contact.upserted","at":"2025-07-01T08:00:00-03:00","contact":{"id":"ct-sem-bot","name":"Carla Sem Bot"}}
{"id":"q2","type":"batch.upserted","at":"2025-07-01T08:00:00-03:00","batch":{"id":"lote-vazio","name":"Lote Vazio","campaign_id":"camp-b1"}}
`)
		if got := pending(); got != before {
			t.Fatalf("a contact and a batch without conversations queued %d outbox entries", got-before)
		}
		ingestBody(t, s.DB, "hand", `{"id":"q3","type":"contact.upserted","at":"2025-07-01T08:00:00-03:00","contact":{"id":"ct-ana","name":"Ana B. Souza"}}
`)
		if got := pending(); got != before+1 {
			t.Fatalf("renaming a contact with conversations queued %d outbox entries, want 1", got-before)
		}
	})
}

// checkBotRowsEqual: the engine's current Fluxo Ágil rows of a tenant
// (FINAL, not deleted) are the store's bot_rows with their directory
// values, column for column, and the engine answers the tenant's unbounded
// search from them (no row of the fixtures mixes clients).
func checkBotRowsEqual(t *testing.T, f *fixture, tenant string) {
	t.Helper()
	ctx := context.Background()
	var want []string
	if err := f.db.EachAnalyticsBotRows(ctx, tenant, 1000, func(rs []store.AnalyticsBotRow) error {
		for _, r := range rs {
			want = append(want, fmt.Sprintf("%+v", r))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatalf("tenant %s has no Fluxo Ágil row: the comparison would compare nothing", tenant)
	}
	cfg := f.ch.Config()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: cfg.Hosts[:1], DialTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(ctx, `SELECT batch_id, contact_id, flow, batch_name, name, name_key, document, phone, email,
			client_id, campaign_id, mixed, first_date, last_date, conversations, messages, latest_conversation, last_step, outcome, human,
			step_names, step_pos
		FROM `+cfg.Database+`.bot_rows FINAL WHERE tenant = ? AND deleted = 0 ORDER BY batch_id, contact_id, flow`, tenant)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var r store.AnalyticsBotRow
		var mixed, human uint8
		if err := rows.Scan(&r.Key.Batch, &r.Key.Contact, &r.Key.Flow, &r.BatchName, &r.Name, &r.NameKey, &r.Document, &r.Phone, &r.Email,
			&r.ClientID, &r.CampaignID, &mixed, &r.FirstDate, &r.LastDate, &r.Conversations, &r.Messages, &r.LatestConversation, &r.LastStep,
			&r.Outcome, &human, &r.StepNames, &r.StepPos); err != nil {
			t.Fatal(err)
		}
		r.Mixed, r.Human = mixed == 1, human == 1
		got = append(got, fmt.Sprintf("%+v", r))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the engine's Fluxo Ágil rows of %s differ from the store's:\n%s", tenant, firstDiff([]byte(strings.Join(want, "\n")), []byte(strings.Join(got, "\n"))))
	}
	src, err := f.rastreo.BotSourceOf(ctx, admin(tenant), store.BotFilter{})
	if err != nil || src != store.BotFromRows {
		t.Fatalf("the engine answers %s's unbounded Fluxo Ágil from source %d (want bot_rows, %d): %v", tenant, src, store.BotFromRows, err)
	}
}

// TestFluxoRandomPeriodsFromClickHouseAreByteIdentical reads 60 random
// Fluxo Ágil searches of the demo month (periods of whole days, open at
// either end, a single day; a client, a batch, a step, reached_human, both
// sorts; as admin or a supervisor limited to one client or to none) from
// the store and from the two-shard engine: every page, the CSV and XLSX
// exports, the drop-off and the total must print the same bytes. Some
// searches are answered from the engine's Fluxo Ágil rows alone, some (a
// period cutting rows) from its conversations; both must occur.
func TestFluxoRandomPeriodsFromClickHouseAreByteIdentical(t *testing.T) {
	evs := demoEvents(t, 300)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		ingestAll(t, f.db, "acme", evs)
		f.sync(t)
		checkBotRowsEqual(t, f, "acme")
		d := fluxoData(t, f.db, "acme")
		principals := fluxoPrincipals("acme", d)[:4]
		rnd := rand.New(rand.NewPCG(20261007, 1))
		days := []string{""}
		for day := 1; day <= 31; day++ {
			days = append(days, fmt.Sprintf("2026-10-%02d", day))
		}
		seen := map[string]int{}
		for i := 0; i < 60; i++ {
			v := url.Values{}
			from := rnd.IntN(len(days))
			to := from + rnd.IntN(min(len(days)-from, 8))
			if from > 0 {
				v.Set("from", days[from])
			}
			if to > 0 && rnd.IntN(4) > 0 {
				v.Set("to", days[to])
			}
			if rnd.IntN(2) == 0 {
				v.Set("sort", "name")
			}
			if rnd.IntN(4) == 0 {
				v.Set("step", d.steps[rnd.IntN(len(d.steps))])
			}
			if rnd.IntN(3) == 0 {
				v.Set("reached_human", strconv.FormatBool(rnd.IntN(2) == 0))
			}
			switch rnd.IntN(6) {
			case 0:
				v.Set("client", d.clients[rnd.IntN(len(d.clients))])
			case 1:
				v.Set("batch", d.batches[rnd.IntN(len(d.batches))])
			}
			p := principals[rnd.IntN(len(principals))]
			filter := store.BotFilter{FromDate: v.Get("from"), ToDate: v.Get("to"), ClientID: v.Get("client"), BatchID: v.Get("batch"), Step: v.Get("step")}
			if src, err := f.rastreo.BotSourceOf(ctx, p, filter); err != nil {
				t.Fatal(err)
			} else if src == store.BotFromRows {
				seen["from the engine's rows"]++
			} else {
				seen["from the engine's conversations"]++
			}
			a := renderFluxo(t, f.plain, p, v)
			b := renderFluxo(t, f.fromCH, p, v)
			if !bytes.Equal(a, b) {
				t.Fatalf("Fluxo %s as %+v: store and ClickHouse differ:\n%s", v.Encode(), p, firstDiff(a, b))
			}
		}
		t.Logf("searches: %v", seen)
		if seen["from the engine's rows"] == 0 || seen["from the engine's conversations"] == 0 {
			t.Fatalf("the random searches did not take both of the engine's paths: %v", seen)
		}
	})
}

// TestFluxoRowMovedToAnotherMonthLeavesOneLiveVersion: a late conversation
// of May joins a June row of the hand-built fixture already shipped, so the
// row's first date moves it to another partition of the engine's bot_rows;
// the shipper leaves a tombstone at the old place (the partition of the
// version it replaces), so the engine holds one live version, equal to the
// store's row, and every Fluxo Ágil query (June now cuts that row; the
// unbounded search reads the rows) prints the store's bytes.
func TestFluxoRowMovedToAnotherMonthLeavesOneLiveVersion(t *testing.T) {
	hand, err := os.ReadFile("testdata/fluxo_month.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		if err := f.db.EnsureTenant(ctx, "other"); err != nil {
			t.Fatal(err)
		}
		ingestBody(t, f.db, "hand", string(hand))
		f.sync(t)
		checkBotRowsEqual(t, f, "hand")
		ingestBody(t, f.db, "hand", `{"id":"m1","type":"bot.conversation_started","at":"2025-05-30T10:00:00-03:00","conversation":"cv-maio","flow":"fluxo-7","client_id":"cli-a","campaign_id":"camp-a1","batch_id":"lote-1","contact_id":"ct-ana","channel":"whatsapp"}
{"id":"m2","type":"bot.step","at":"2025-05-30T10:00:05-03:00","conversation":"cv-maio","step":"cpf"}
`)
		f.drain(t)
		checkBotRowsEqual(t, f, "hand")
		cfg := f.ch.Config()
		conn, err := clickhouse.Open(&clickhouse.Options{Addr: cfg.Hosts[:1], DialTimeout: 3 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		rows, err := conn.Query(ctx, `SELECT substring(first_date, 1, 7) AS fm, substring(last_date, 1, 7) AS lm, argMax(deleted, version)
			FROM `+cfg.Database+`.bot_rows WHERE tenant = 'hand' AND batch_id = 'lote-1' AND contact_id = 'ct-ana' AND flow = 'fluxo-7'
			GROUP BY fm, lm ORDER BY fm, lm`)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var fm, lm string
			var deleted uint8
			if err := rows.Scan(&fm, &lm, &deleted); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%s..%s deleted=%d", fm, lm, deleted))
		}
		rows.Close()
		if want := "2025-05..2025-06 deleted=0, 2025-06..2025-06 deleted=1"; strings.Join(got, ", ") != want {
			t.Fatalf("the moved row's latest version per partition: %v, want %s", got, want)
		}
		compareFluxo(t, f, "hand", "2025-06-01", "2025-06-30")
	})
}
