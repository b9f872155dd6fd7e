package report_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// genBotEvents builds a random Fluxo Ágil set: clients c1 and c2, their
// campaigns and batches, contacts (one renamed later, which moves its rows
// in the name sort), and n conversations of two flows started over June
// 1–3, many late in the evening so that a contact's conversations of one
// batch and flow span days; steps repeat, messages are re-sent, some
// conversations never end, some are handed to a human, and a few never get
// their start event (they form the row of no batch and no contact).
func genBotEvents(r *rand.Rand, n int) []model.Event {
	var evs []model.Event
	add := func(e model.Event) {
		e.ID = "bot-e" + strconv.Itoa(len(evs)+1)
		evs = append(evs, e)
	}
	day0 := time.Date(2025, 6, 1, 0, 0, 0, 0, propZone)
	type batch struct{ id, campaign, client string }
	batches := []batch{{"b1", "k1", "c1"}, {"b2", "k1", "c1"}, {"b3", "k2", "c2"}}
	add(model.Event{Type: model.TypeClientUpserted, At: day0, Client: &model.Named{ID: "c1", Name: "Cliente Um"}})
	add(model.Event{Type: model.TypeClientUpserted, At: day0, Client: &model.Named{ID: "c2", Name: "Cliente Dois"}})
	add(model.Event{Type: model.TypeCampaignUpserted, At: day0, Campaign: &model.Campaign{ID: "k1", Name: "Cobrança", ClientID: "c1"}})
	add(model.Event{Type: model.TypeCampaignUpserted, At: day0, Campaign: &model.Campaign{ID: "k2", Name: "Ofertas", ClientID: "c2"}})
	// b3 is never named: its rows sort by its id.
	add(model.Event{Type: model.TypeBatchUpserted, At: day0, Batch: &model.Batch{ID: "b1", Name: "Lote Zeta", CampaignID: "k1"}})
	add(model.Event{Type: model.TypeBatchUpserted, At: day0, Batch: &model.Batch{ID: "b2", Name: "Lote Alfa", CampaignID: "k1"}})
	names := []string{"Ana", "Bruno", "Carla", "Davi", "Érica", "Fábio", "Gil", "Helena"}
	var contacts []string
	for i, name := range names {
		id := "ct" + strconv.Itoa(i+1)
		contacts = append(contacts, id)
		if i == 7 {
			continue // never in the directory
		}
		add(model.Event{Type: model.TypeContactUpserted, At: day0, Contact: &model.Contact{ID: id, Name: name + " Silva",
			Phones: []string{"+55119" + strconv.Itoa(10000000+i)}, Emails: []string{"c" + strconv.Itoa(i) + "@example.org"}}})
	}
	add(model.Event{Type: model.TypeContactUpserted, At: day0.Add(50 * time.Hour), Contact: &model.Contact{ID: "ct2", Name: "Zuleica Bruno"}})
	steps := []string{"inicio", "menu", "cpf", "boleto", "transbordo"}
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	for k := 0; k < n; k++ {
		cv := "cv" + strconv.Itoa(k)
		b := batches[r.IntN(len(batches))]
		hour := 8 + r.IntN(10)
		if r.Float64() < 0.3 {
			hour = 23
		}
		t := day0.AddDate(0, 0, r.IntN(3)).Add(time.Duration(hour)*time.Hour + time.Duration(r.IntN(3600))*time.Second)
		if r.Float64() > 0.05 {
			add(model.Event{Type: model.TypeBotStarted, At: t, Conversation: cv, Flow: pick([]string{"f1", "f2"}),
				ClientID: b.client, CampaignID: b.campaign, BatchID: b.id, ContactID: pick(contacts), Channel: "whatsapp"})
		}
		for s := r.IntN(6); s > 0; s-- {
			t = t.Add(time.Duration(1+r.IntN(60)) * time.Second)
			add(model.Event{Type: model.TypeBotStep, At: t, Conversation: cv, Step: pick(steps)})
		}
		for m := r.IntN(5); m > 0; m-- {
			t = t.Add(time.Duration(1+r.IntN(60)) * time.Second)
			id := "bm" + strconv.Itoa(k) + "-" + strconv.Itoa(m)
			add(model.Event{Type: model.TypeBotMessage, At: t, Conversation: cv, MessageID: id, Sender: pick([]string{"bot", "client"}), Text: "oi"})
			if r.Float64() < 0.1 { // re-sent under another event id
				add(model.Event{Type: model.TypeBotMessage, At: t, Conversation: cv, MessageID: id, Sender: "client", Text: "oi"})
			}
		}
		t = t.Add(time.Duration(10+r.IntN(600)) * time.Second)
		switch p := r.Float64(); {
		case p < 0.2:
			add(model.Event{Type: model.TypeBotEnded, At: t, Conversation: cv, Outcome: "handed_off", Interaction: "ix" + strconv.Itoa(r.IntN(300))})
		case p < 0.8:
			add(model.Event{Type: model.TypeBotEnded, At: t, Conversation: cv, Outcome: pick([]string{"finished", "abandoned", "expired"})})
		}
	}
	return evs
}

// fluxoQueries are Fluxo Ágil searches the property test reads both ways:
// with and without a period, one cutting through rows that span days.
var fluxoQueries = []string{
	"",
	"from=2025-06-01&to=2025-06-30",
	"from=2025-06-01&to=2025-06-30&sort=name",
	"from=2025-06-02",
	"to=2025-06-02&sort=name",
	"client=c1&from=2025-06-01&to=2025-06-30",
	"campaign=k2",
	"client=c1&campaign=k1&batch=b2",
	"step=menu",
	"reached_human=false&from=2025-06-01&to=2025-06-30",
	"reached_human=true&sort=name",
	"step=cpf&reached_human=false",
	"limit=7",
}

// fluxoBytes renders everything the Fluxo Ágil shows for a search: every
// page (cells and cursor), the CSV export, the total and the drop-off; or the 400 of a search outside the principal's clients.
func fluxoBytes(t *testing.T, r *report.Reports, p model.Principal, query string) []byte {
	t.Helper()
	ctx := context.Background()
	v, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	q, err := r.ParseFluxo(ctx, p, v)
	if pe := (*report.ParamError)(nil); errors.As(err, &pe) {
		return []byte(pe.Error())
	}
	if err != nil {
		t.Fatalf("Fluxo %q: %v", query, err)
	}
	var buf bytes.Buffer
	tb, err := r.Fluxo(ctx, p, q)
	if err != nil {
		t.Fatalf("Fluxo %q: %v", query, err)
	}
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(tb); err != nil {
		t.Fatal(err)
	}
	for page := tb; page.NextCursor != ""; {
		v.Set("cursor", page.NextCursor)
		next, err := r.ParseFluxo(ctx, p, v)
		if err != nil {
			t.Fatalf("Fluxo %q next page: %v", query, err)
		}
		if page, err = r.Fluxo(ctx, p, next); err != nil {
			t.Fatalf("Fluxo %q next page: %v", query, err)
		}
		if err := enc.Encode(page); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := report.ParseFormat("csv", "")
	if _, err := report.Write(&buf, f, q.Columns(), r.FluxoRows(ctx, p, q)); err != nil {
		t.Fatalf("Fluxo %q export: %v", query, err)
	}
	n, err := r.FluxoConversations(ctx, p, q)
	if err != nil {
		t.Fatalf("Fluxo %q total: %v", query, err)
	}
	drop, err := r.FluxoDropoff(ctx, p, q)
	if err != nil {
		t.Fatalf("Fluxo %q drop-off: %v", query, err)
	}
	if err := enc.Encode(map[string]any{"total": n, "dropoff": drop}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func clientsOf(tenant string, clients ...string) model.Principal {
	return model.Principal{Tenant: tenant, Actor: "test", Role: model.RoleSupervisor, PersonalData: true, Clients: clients}
}

// ingestMixedTwin stores the bot events of evs in tenant "three" plus one
// batch of two other clients' conversations of one contact and flow: a row
// of mixed clients, which makes that tenant's every search rank
// conversations (the store's query before bot_rows), invisible to
// principals of clients c1 and c2. It is the reference the Fluxo Ágil rows
// of a tenant holding evs are compared with.
func ingestMixedTwin(t *testing.T, db *store.DB, in *ingest.Ingester, evs []model.Event) {
	t.Helper()
	ctx := context.Background()
	if err := db.EnsureTenant(ctx, "three"); err != nil {
		t.Fatal(err)
	}
	var lines bytes.Buffer
	for _, e := range evs {
		if strings.HasPrefix(e.ID, "bot-") {
			line, _ := json.Marshal(e)
			lines.Write(append(line, '\n'))
		}
	}
	day := time.Date(2025, 6, 2, 10, 0, 0, 0, propZone)
	for i, client := range []string{"cx", "cy"} {
		line, _ := json.Marshal(model.Event{ID: "mixed-" + client, Type: model.TypeBotStarted, At: day.Add(time.Duration(i) * time.Hour),
			Conversation: "mixed-" + client, Flow: "f1", ClientID: client, CampaignID: "k-" + client, BatchID: "bx", ContactID: "ct1"})
		lines.Write(append(line, '\n'))
	}
	if _, err := in.IngestBody(ctx, "three", lines.Bytes()); err != nil {
		t.Fatal(err)
	}
}

// checkFluxoRowsEqualConversations reads every fluxoQueries search from the
// Fluxo Ágil rows (tenant one) and from the conversations (tenant three,
// ingestMixedTwin). Every byte must match.
func checkFluxoRowsEqualConversations(t *testing.T, db *store.DB, in *ingest.Ingester, evs []model.Event) {
	t.Helper()
	ingestMixedTwin(t, db, in, evs)
	r := report.New(db)
	for _, clients := range [][]string{{"c1", "c2"}, {"c1"}, {"c2"}} {
		for _, query := range fluxoQueries {
			one, three := clientsOf("one", clients...), clientsOf("three", clients...)
			checkFluxoSources(t, db, r, one, three, query)
			got, want := fluxoBytes(t, r, one, query), fluxoBytes(t, r, three, query)
			if !bytes.Equal(got, want) {
				t.Errorf("Fluxo %q for clients %v: the rows answer\n%s\nthe conversations answer\n%s", query, clients, got, want)
			}
			if bytes.Count(want, []byte("\n")) < 4 && query == "" {
				t.Errorf("Fluxo %q for clients %v: too few rows to compare:\n%s", query, clients, want)
			}
		}
	}
}

// checkFluxoSources checks where a search is answered from: tenant one
// from its rows, its twin three from the conversations. It returns tenant
// one's source (-1 for a search refused with a 400).
func checkFluxoSources(t *testing.T, db *store.DB, r *report.Reports, one, three model.Principal, query string) store.BotSource {
	t.Helper()
	ctx := context.Background()
	src := store.BotSource(-1)
	if f := fluxoFilter(t, r, one, query); f != nil {
		var err error
		if src, err = db.BotSourceOf(ctx, one, *f); err != nil || src == store.BotFromConversations {
			t.Fatalf("tenant one, %q: BotSourceOf = %v, %v; without a mixed row its rows answer", query, src, err)
		}
	}
	if f := fluxoFilter(t, r, three, query); f != nil {
		if got, err := db.BotSourceOf(ctx, three, *f); err != nil || got != store.BotFromConversations {
			t.Fatalf("tenant three, %q: BotSourceOf = %v, %v; its mixed row must send it to the conversations", query, got, err)
		}
	}
	return src
}

// fluxoFilter is the store filter of a search (nil when it has none).
func fluxoFilter(t *testing.T, r *report.Reports, p model.Principal, query string) *store.BotFilter {
	t.Helper()
	v, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	q, err := r.ParseFluxo(context.Background(), p, v)
	if pe := (*report.ParamError)(nil); errors.As(err, &pe) {
		return nil
	}
	if err != nil {
		t.Fatalf("Fluxo %q: %v", query, err)
	}
	return &q.Filter
}

// checkMigration0018SumsUpTheStoredConversations turns the store into one
// at schema 0017 (no bot_rows table, the migration not applied) and opens
// it again: the migration must write the rows the ingestion wrote, say so
// on its progress writer, and every Fluxo Ágil search must print the same
// bytes as the fresh derivation did.
func checkMigration0018SumsUpTheStoredConversations(t *testing.T, s storetest.Store, raw *sql.DB, dialect string, want map[string]map[string][]string) {
	t.Helper()
	ctx := context.Background()
	before := map[string][]byte{}
	r := report.New(s.DB)
	for _, query := range fluxoQueries {
		before[query] = fluxoBytes(t, r, admin("one"), query)
	}
	var rows int
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM bot_rows`).Scan(&rows); err != nil || rows == 0 {
		t.Fatalf("bot_rows holds %d rows (%v): the migration would be checked on nothing", rows, err)
	}
	db, progress := revertAndReopen(t, s, `DROP TABLE bot_rows`, `DELETE FROM schema_migrations WHERE version = '0018_bot_rows.sql'`)
	if !strings.Contains(progress, "migration 0018_bot_rows.sql: backfill") || !strings.Contains(progress, "Fluxo Ágil conversations into rows") {
		t.Errorf("migration 0018 progress:\n%s", progress)
	}
	for tenant, w := range want {
		sameSnapshot(t, "migrated by 0018 ("+tenant+")", snapshot(t, raw, dialect, tenant), w)
	}
	migrated := report.New(db)
	for _, query := range fluxoQueries {
		if got := fluxoBytes(t, migrated, admin("one"), query); !bytes.Equal(got, before[query]) {
			t.Errorf("Fluxo %q after migration 0018:\n got  %s\n want %s", query, got, before[query])
		}
	}
}

// checkAnonymizedContactRowsEqualARebuild anonymises a contact of tenant
// two (its conversations are derived again) and checks that every derived
// table equals a rebuild from the rewritten events, and that its Fluxo Ágil
// rows and counts stay.
func checkAnonymizedContactRowsEqualARebuild(t *testing.T, in *ingest.Ingester, r *report.Reports, raw *sql.DB, dialect string) {
	t.Helper()
	ctx := context.Background()
	query := "from=2025-06-01&to=2025-06-30"
	countsOf := func() []string {
		tb := fluxoTableOf(t, r, admin("two"), query)
		var out []string
		for _, row := range tb.Rows {
			out = append(out, row[0]+"|"+row[5]+"|"+row[6]+"|"+row[7]+"|"+row[8]+"|"+row[9])
		}
		return out
	}
	before := countsOf()
	if _, err := in.AnonymizeContact(ctx, "two", "ct3"); err != nil {
		t.Fatal(err)
	}
	if after := countsOf(); !reflect.DeepEqual(after, before) {
		t.Errorf("Fluxo %q after anonymising ct3: counts changed\n got  %q\n want %q", query, after, before)
	}
	anonymized := snapshot(t, raw, dialect, "two")
	if err := in.Rebuild(ctx, "two"); err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, "anonymised, then rebuilt", snapshot(t, raw, dialect, "two"), anonymized)
}

func fluxoTableOf(t *testing.T, r *report.Reports, p model.Principal, query string) report.Table {
	t.Helper()
	v, _ := url.ParseQuery(query + "&limit=1000")
	q, err := r.ParseFluxo(context.Background(), p, v)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := r.Fluxo(context.Background(), p, q)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// TestFluxoRowsCutByAPeriodAnswerAsTheConversations reads random Fluxo Ágil
// searches (periods of whole days cutting rows at one end, at both, a
// single day, no day with conversations; the other filters, sorts and page
// sizes at random) from the rows of tenant one, whose rows a period cuts are
// recomputed from their conversations, and from the conversations of its
// twin (ingestMixedTwin): every page, the export, the total and the
// drop-off must print the same bytes. The Fluxo Ágil period has no hours:
// a single day is its narrowest.
func TestFluxoRowsCutByAPeriodAnswerAsTheConversations(t *testing.T) {
	const seed = 20250617
	evs := genBotEvents(rand.New(rand.NewPCG(seed, 1)), 160)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		if err := s.DB.EnsureTenant(ctx, "one"); err != nil {
			t.Fatal(err)
		}
		in := ingest.New(s.DB)
		ingestShuffled(t, in, "one", evs, rand.New(rand.NewPCG(seed, 2)))
		ingestMixedTwin(t, s.DB, in, evs)
		raw, _ := openRaw(t, s)
		r := report.New(s.DB)
		rnd := rand.New(rand.NewPCG(seed, 3))
		days := []string{"", "2025-05-31", "2025-06-01", "2025-06-02", "2025-06-03", "2025-06-04"}
		seen := map[string]int{}
		for i := 0; i < 60; i++ {
			v := url.Values{}
			from := rnd.IntN(len(days))
			to := from + rnd.IntN(len(days)-from)
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
				v.Set("step", []string{"inicio", "menu", "cpf", "boleto", "transbordo"}[rnd.IntN(5)])
			}
			if rnd.IntN(3) == 0 {
				v.Set("reached_human", strconv.FormatBool(rnd.IntN(2) == 0))
			}
			switch rnd.IntN(6) {
			case 0:
				v.Set("client", "c1")
			case 1:
				v.Set("batch", "b3")
			}
			v.Set("limit", []string{"2", "5", "50"}[rnd.IntN(3)])
			query := v.Encode()
			clients := [][]string{{"c1", "c2"}, {"c1"}, {"c2"}}[rnd.IntN(3)]
			switch checkFluxoSources(t, s.DB, r, clientsOf("one", clients...), clientsOf("three", clients...), query) {
			case store.BotFromRows:
				seen["from the rows alone"]++
			case store.BotFromCutRows:
				seen["from the rows, cut ones recomputed"]++
			}
			got, want := fluxoBytes(t, r, clientsOf("one", clients...), query), fluxoBytes(t, r, clientsOf("three", clients...), query)
			if !bytes.Equal(got, want) {
				t.Errorf("Fluxo %q for clients %v: the rows answer\n%s\nthe conversations answer\n%s", query, clients, got, want)
			}
			f, tf := v.Get("from"), v.Get("to")
			cutFrom, cutTo := cutRows(t, raw, "one", f, "last_date >= ? AND first_date < ?"), cutRows(t, raw, "one", tf, "last_date > ? AND first_date <= ?")
			switch {
			case cutFrom > 0 && cutTo > 0:
				seen["cut at both ends"]++
			case cutFrom > 0 || cutTo > 0:
				seen["cut at one end"]++
			}
			if f != "" && f == tf {
				seen["a single day"]++
			}
			if bytes.Contains(want, []byte(`"total":0}`)) {
				seen["no row"]++
			}
		}
		for _, kind := range []string{"cut at both ends", "cut at one end", "a single day", "no row", "from the rows alone", "from the rows, cut ones recomputed"} {
			if seen[kind] == 0 {
				t.Errorf("no search %s among the random ones: %v", kind, seen)
			}
		}
		t.Logf("searches: %v", seen)
		checkMigration0021KeysConversationsByRow(t, s, r)
	})
}

// checkMigration0021KeysConversationsByRow turns the store's
// bot_conv_contact back into the previous release's (tenant, contact_id,
// batch_id) and opens the store again: migration 0021 must say so on its
// progress writer, and a search cutting rows must print the same bytes.
func checkMigration0021KeysConversationsByRow(t *testing.T, s storetest.Store, r *report.Reports) {
	t.Helper()
	query := "from=2025-06-02&to=2025-06-02&limit=5"
	before := fluxoBytes(t, r, admin("one"), query)
	db, progress := revertAndReopen(t, s, `DROP INDEX bot_conv_contact`,
		`CREATE INDEX bot_conv_contact ON bot_conversations (tenant, contact_id, batch_id)`,
		`DELETE FROM schema_migrations WHERE version = '0021_bot_conv_row_index.sql'`)
	if !strings.Contains(progress, "migration 0021_bot_conv_row_index.sql: done") {
		t.Errorf("migration 0021 progress:\n%s", progress)
	}
	if got := fluxoBytes(t, report.New(db), admin("one"), query); !bytes.Equal(got, before) {
		t.Errorf("Fluxo %q after migration 0021:\n got  %s\n want %s", query, got, before)
	}
}

// cutRows counts the Fluxo Ágil rows of tenant whose first and last
// conversation dates a period bound (date, "" for none) separates, as cond
// over bot_rows states it (placeholders ?: date twice).
func cutRows(t *testing.T, raw *sql.DB, tenant, date, cond string) int {
	t.Helper()
	if date == "" {
		return 0
	}
	var n int
	q := "SELECT COUNT(*) FROM bot_rows WHERE tenant = '" + tenant + "' AND " + strings.ReplaceAll(cond, "?", "'"+date+"'")
	if err := raw.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
