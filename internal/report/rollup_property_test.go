package report_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// propZone is the tenants' default zone, America/Sao_Paulo (no DST since 2019).
var propZone = time.FixedZone("-03", -3*3600)

// genEvents builds a random but valid event set: directory (with later
// re-upserts), Fluxo Ágil conversations (genBotEvents), n interactions of voice (most through an IVR, some abandoned
// or finished there, some left open), chat and WhatsApp with messages and
// holds, transfers (also before delivery), unfinished legs, missing
// interaction.created, and agents' logins (per media and all-media), pauses
// and logouts, some left open. Times are whole seconds.
func genEvents(r *rand.Rand, n int) []model.Event {
	var evs []model.Event
	seq := 0
	add := func(e model.Event) {
		seq++
		e.ID = "e" + strconv.Itoa(seq)
		evs = append(evs, e)
	}
	day0 := time.Date(2025, 6, 1, 0, 0, 0, 0, propZone)
	services := []string{"s1", "s2", "s3"}
	agents := []string{"a1", "a2", "a3", "a4", "a5", "a6"}
	tags := []string{"g1", "g2", "g3"}
	ivrs := []string{"i1", "i2"}
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	for i, s := range services {
		add(model.Event{Type: model.TypeServiceUpserted, At: day0, Service: &model.Named{ID: s, Name: "Serviço " + strconv.Itoa(i+1)}})
	}
	userTags := [][]string{{"senior"}, {"junior"}, {"senior", "noite"}, {}, {"junior"}, {"noite"}}
	for i, a := range agents {
		st := "ativo"
		if i == 4 {
			st = "inativo"
		}
		add(model.Event{Type: model.TypeUserUpserted, At: day0, User: &model.User{ID: a, Name: "Agente " + strconv.Itoa(i+1), Tags: userTags[i], Status: st}})
	}
	// A rename arriving later re-derives the legs that print the name.
	add(model.Event{Type: model.TypeUserUpserted, At: day0.Add(48 * time.Hour), User: &model.User{ID: "a2", Name: "Agente 2b", Tags: []string{"junior"}, Status: "ativo"}})
	for i, g := range tags {
		add(model.Event{Type: model.TypeTagUpserted, At: day0, Tag: &model.Named{ID: g, Name: "Tag " + strconv.Itoa(i+1)}})
	}
	for i, v := range ivrs {
		add(model.Event{Type: model.TypeIVRUpserted, At: day0, IVR: &model.Named{ID: v, Name: "URA " + strconv.Itoa(i+1)}})
	}
	sec := func(lo, hi int) time.Duration { return time.Duration(lo+r.IntN(hi-lo+1)) * time.Second }
	tp := func(t time.Time) *time.Time { return &t }

	for k := 0; k < n; k++ {
		ix := "ix" + strconv.Itoa(k)
		t := day0.Add(time.Duration(r.IntN(3*24*3600)) * time.Second)
		media := []string{"voice", "voice", "voice", "voice", "voice", "chat", "chat", "chat", "whatsapp", "whatsapp"}[r.IntN(10)]
		voice := media == "voice"
		if r.Float64() > 0.05 {
			add(model.Event{Type: model.TypeInteractionCreated, At: t, Interaction: ix, Media: media, Direction: map[bool]string{true: "inbound"}[voice]})
		}
		svc := pick(services)
		if voice && r.Float64() < 0.7 {
			ivr := pick(ivrs)
			t = t.Add(time.Second)
			add(model.Event{Type: model.TypeIVREntered, At: t, Interaction: ix, IVRID: ivr})
			for o := r.IntN(4); o > 0; o-- {
				t = t.Add(sec(2, 15))
				add(model.Event{Type: model.TypeIVROption, At: t, Interaction: ix, IVRID: ivr, Option: strconv.Itoa(1 + r.IntN(3))})
			}
			t = t.Add(sec(1, 10))
			switch p := r.Float64(); {
			case p < 0.15:
				add(model.Event{Type: model.TypeIVRLeft, At: t, Interaction: ix, IVRID: ivr, Outcome: "abandoned"})
				add(model.Event{Type: model.TypeCallUpdated, At: t, Interaction: ix, ClientHangupAt: tp(t), VoiceStatus: "abandoned"})
				continue
			case p < 0.25:
				add(model.Event{Type: model.TypeIVRLeft, At: t, Interaction: ix, IVRID: ivr, Outcome: "finished"})
				continue
			case p < 0.30:
				continue // still in the IVR
			}
			add(model.Event{Type: model.TypeIVRLeft, At: t, Interaction: ix, IVRID: ivr, Outcome: "transferred", ServiceID: svc})
		} else if r.Float64() < 0.6 {
			add(model.Event{Type: model.TypeEnteredOmni, At: t, Interaction: ix})
		}
		if !voice {
			add(model.Event{Type: model.TypeMessage, At: t, Interaction: ix, Leg: "L1", MessageID: "m0", Sender: "client", Text: "oi"})
		}
		msg := 0
		for leg := 1; ; leg++ {
			lid := "L" + strconv.Itoa(leg)
			if leg == 1 || r.Float64() < 0.5 {
				add(model.Event{Type: model.TypeLegQueued, At: t, Interaction: ix, Leg: lid, ServiceID: svc})
			}
			t = t.Add(sec(1, 90))
			if r.Float64() < 0.2 {
				// Never delivered: abandoned / dequeued, overflow, or still queued.
				switch p := r.Float64(); {
				case p < 0.6:
					if voice {
						add(model.Event{Type: model.TypeCallUpdated, At: t, Interaction: ix, Leg: lid, ClientHangupAt: tp(t), VoiceStatus: pick([]string{"abandoned", "no_answer", "message_left"})})
					}
					add(model.Event{Type: model.TypeLegFinished, At: t.Add(time.Second), Interaction: ix, Leg: lid, Status: pick([]string{"abandoned", "dequeued"})})
				case p < 0.8 && leg < 3:
					svc = pick(services)
					add(model.Event{Type: model.TypeLegTransferred, At: t, Interaction: ix, Leg: lid, NewLeg: "L" + strconv.Itoa(leg+1), ToServiceID: svc})
					continue
				}
				break
			}
			agent := pick(agents)
			add(model.Event{Type: model.TypeLegDelivered, At: t, Interaction: ix, Leg: lid, AgentID: agent})
			if voice {
				t = t.Add(sec(1, 10))
				add(model.Event{Type: model.TypeCallUpdated, At: t, Interaction: ix, Leg: lid, AnsweredAt: tp(t), VoiceStatus: "answered"})
			}
			for m := r.IntN(6); m > 0; m-- {
				t = t.Add(sec(5, 120))
				msg++
				if r.Float64() < 0.5 {
					add(model.Event{Type: model.TypeMessage, At: t, Interaction: ix, Leg: lid, MessageID: "m" + strconv.Itoa(msg), Sender: "client", Text: "?"})
				} else {
					add(model.Event{Type: model.TypeMessage, At: t, Interaction: ix, Leg: lid, MessageID: "m" + strconv.Itoa(msg), Sender: "agent", AgentID: agent, Text: "!"})
				}
				if !voice && r.Float64() < 0.15 {
					add(model.Event{Type: model.TypeHoldStarted, At: t.Add(time.Second), Interaction: ix, Leg: lid, Kind: pick(model.HoldKinds)})
					t = t.Add(sec(30, 600))
					add(model.Event{Type: model.TypeHoldEnded, At: t, Interaction: ix, Leg: lid})
				}
			}
			t = t.Add(sec(10, 900))
			if leg < 3 && r.Float64() < 0.2 {
				e := model.Event{Type: model.TypeLegTransferred, At: t, Interaction: ix, Leg: lid, NewLeg: "L" + strconv.Itoa(leg+1)}
				if r.Float64() < 0.5 {
					svc = pick(services)
					e.ToServiceID = svc
				} else {
					e.ToAgentID = pick(agents)
				}
				add(e)
				continue
			}
			if r.Float64() < 0.05 {
				break // left open
			}
			if voice {
				add(model.Event{Type: model.TypeCallUpdated, At: t, Interaction: ix, Leg: lid, ClientHangupAt: tp(t)})
			}
			var tg []string
			for _, g := range tags {
				if r.Float64() < 0.3 {
					tg = append(tg, g)
				}
			}
			add(model.Event{Type: model.TypeLegFinished, At: t.Add(sec(0, 30)), Interaction: ix, Leg: lid,
				Status: pick([]string{"service completed", "service completed", "service completed", "abandoned", "bad phone"}), Tags: tg})
			break
		}
	}

	// Agents' days: logins (all media, or one or two media), pauses, logouts.
	for d := 0; d < 3; d++ {
		for _, a := range agents {
			if r.Float64() < 0.25 {
				continue
			}
			in := day0.AddDate(0, 0, d).Add(7*time.Hour + time.Duration(r.IntN(3*3600))*time.Second)
			out := in.Add(4*time.Hour + time.Duration(r.IntN(5*3600))*time.Second)
			medias := [][]string{{""}, {"voice"}, {"chat"}, {"voice", "chat"}, {"whatsapp", "chat"}}[r.IntN(5)]
			for _, m := range medias {
				add(model.Event{Type: model.TypeAgentLogin, At: in.Add(time.Duration(r.IntN(120)) * time.Second), AgentID: a, Media: m})
			}
			p := in.Add(30 * time.Minute)
			for k := r.IntN(4); k > 0 && p.Before(out); k-- {
				add(model.Event{Type: model.TypeAgentPauseStart, At: p, AgentID: a, Reason: pick([]string{"Almoço", "Banheiro", "Feedback"})})
				p = p.Add(time.Duration(60+r.IntN(3600)) * time.Second)
				if r.Float64() < 0.9 {
					add(model.Event{Type: model.TypeAgentPauseEnd, At: p, AgentID: a})
				}
				p = p.Add(time.Duration(600+r.IntN(3600)) * time.Second)
			}
			if r.Float64() < 0.9 {
				add(model.Event{Type: model.TypeAgentLogout, At: out, AgentID: a})
			}
		}
	}
	// Fluxo Ágil conversations last: the events above stay as they were.
	return append(evs, genBotEvents(r, max(10, n/4))...)
}

// ingestShuffled sends evs in a random order, in random batches, re-sending
// some events (duplicates) on the way.
func ingestShuffled(t *testing.T, in *ingest.Ingester, tenant string, evs []model.Event, r *rand.Rand) {
	t.Helper()
	ctx := context.Background()
	order := r.Perm(len(evs))
	for i := 0; i < len(order); {
		size := 1 + r.IntN(120)
		var b bytes.Buffer
		for j := i; j < i+size && j < len(order); j++ {
			line, err := json.Marshal(evs[order[j]])
			if err != nil {
				t.Fatal(err)
			}
			b.Write(line)
			b.WriteByte('\n')
			if r.Float64() < 0.03 && j > 0 { // a duplicate of an earlier event
				line, _ = json.Marshal(evs[order[r.IntN(j)]])
				b.Write(line)
				b.WriteByte('\n')
			}
		}
		if _, err := in.IngestBody(ctx, tenant, b.Bytes()); err != nil {
			t.Fatalf("batch at %d: %v", i, err)
		}
		i += size
	}
}

// derivedTables are compared whole; k (a serial), leg_k (the leg's k) and
// tenant are left out (leg_tags: each leg's tags with the leg's media and
// entered_at, migration 0019).
var derivedTables = []string{"agent_rollup", "agent_tag_rollup", "ivr_rollup", "ivr_path_rollup", "agent_spans", "ivr_visits", "legs",
	"leg_tags", "agent_day_rollup", "agent_day_tag_rollup", "agent_day_total", "agent_day_tag_total", "agent_day_times", "bot_conversations", "bot_rows",
	"agent_hour_total", "agent_hour_tag_total"}

// snapshot reads every derived table of a tenant as sorted text rows
// (numbers rounded to 1e-6 s: sums in another order may differ in the last
// bits).
func snapshot(t *testing.T, db *sql.DB, dialect, tenant string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range derivedTables {
		q := `SELECT * FROM ` + table + ` WHERE tenant = ?`
		if dialect == "postgres" {
			q = strings.Replace(q, "?", "$1", 1)
		}
		rows, err := db.Query(q, tenant)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for i, c := range cols {
				if c == "tenant" || c == "k" || c == "leg_k" {
					continue
				}
				parts = append(parts, c+"="+cellText(vals[i]))
			}
			out[table] = append(out[table], strings.Join(parts, " "))
		}
		rows.Close()
		sort.Strings(out[table])
	}
	return out
}

func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatFloat(float64(x), 'f', 6, 64)
	case float64:
		return strconv.FormatFloat(math.Round(x*1e6)/1e6, 'f', 6, 64)
	case []byte:
		return string(x)
	default:
		return fmt.Sprint(x)
	}
}

func sameSnapshot(t *testing.T, what string, got, want map[string][]string) {
	t.Helper()
	for _, table := range derivedTables {
		g, w := got[table], want[table]
		if len(w) == 0 && !strings.Contains(table, "tag") {
			t.Errorf("%s: %s is empty: the generator did not exercise it", what, table)
		}
		if reflect.DeepEqual(g, w) {
			continue
		}
		t.Errorf("%s: %s differs (%d rows vs %d)", what, table, len(g), len(w))
		seen := map[string]int{}
		for _, r := range w {
			seen[r]++
		}
		shown := 0
		for _, r := range g {
			if seen[r] > 0 {
				seen[r]--
				continue
			}
			if shown++; shown <= 5 {
				t.Errorf("  only in %s: %s", what, r)
			}
		}
		for r, n := range seen {
			if n > 0 {
				if shown++; shown <= 10 {
					t.Errorf("  missing in %s: %s", what, r)
				}
			}
		}
	}
}

func openRaw(t *testing.T, s storetest.Store) (*sql.DB, string) {
	t.Helper()
	driver, dsn := "sqlite3", "file:"+s.DSN+"?mode=ro&_busy_timeout=30000"
	if s.Name == "postgres" {
		driver, dsn = "pgx", s.DSN
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, s.Name
}

func TestRollupsAreTheSameWhateverTheArrivalOrderAndEqualAFullRebuild(t *testing.T) {
	const seed = 20250602
	evs := genEvents(rand.New(rand.NewPCG(seed, 1)), 300)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		for _, tn := range []string{"one", "two"} {
			if err := s.DB.EnsureTenant(ctx, tn); err != nil {
				t.Fatal(err)
			}
		}
		in := ingest.New(s.DB)
		ingestShuffled(t, in, "one", evs, rand.New(rand.NewPCG(seed, 2)))
		ingestShuffled(t, in, "two", evs, rand.New(rand.NewPCG(seed, 3)))
		raw, dialect := openRaw(t, s)
		one := snapshot(t, raw, dialect, "one")
		two := snapshot(t, raw, dialect, "two")
		sameSnapshot(t, "another arrival order", two, one)
		if err := in.Rebuild(ctx, "one"); err != nil {
			t.Fatal(err)
		}
		rebuilt := snapshot(t, raw, dialect, "one")
		sameSnapshot(t, "rebuilt from the raw events", rebuilt, one)
		t.Logf("%d events; %d legs, %d ivr visits, %d agent_rollup rows, %d ivr_rollup rows, %d spans",
			len(evs), len(one["legs"]), len(one["ivr_visits"]), len(one["agent_rollup"]), len(one["ivr_rollup"]), len(one["agent_spans"]))

		r := report.New(s.DB)
		checkIVRAgainstVisits(t, r, raw, dialect, "one")
		checkAgentsAgainstLegs(t, r, raw, dialect, "one", "", "")
		checkAgentsAgainstLegs(t, r, raw, dialect, "one", "08", "12")
		checkAgentsAgainstLegs(t, r, raw, dialect, "one", "14", "23")
		checkAgentChunksChangeNothing(t, r)
		checkAgentDaysEqualHours(t, r)
		checkMigration0013DerivesThePausesByMedia(t, s, r, raw, dialect, map[string]map[string][]string{"one": one, "two": two})
		checkMigration0018SumsUpTheStoredConversations(t, s, raw, dialect, map[string]map[string][]string{"one": one, "two": two})
		checkFluxoRowsEqualConversations(t, s.DB, in, evs)
		checkAnonymizedContactRowsEqualARebuild(t, in, r, raw, dialect)
	})
}

// checkAgentDaysEqualHours reads the Agentes report from the day-grain
// tables (no hour filter) and from the hourly ones (hours 00–23, the same
// legs and time): every cell must match, logged-in time of one media, of
// every media and of a set of media included.
func checkAgentDaysEqualHours(t *testing.T, r *report.Reports) {
	t.Helper()
	for _, c := range []struct {
		p     model.Principal
		query string
	}{
		{admin("one"), ""},
		{admin("one"), "media=chat"},
		{admin("one"), "media=voice&from=2025-06-02&to=2025-06-03"},
		{admin("one"), "media=whatsapp"},
		{admin("one"), "media=voice,chat"},
		{admin("one"), "services=s1&user_tags=senior"},
		{admin("one", "s2"), "media=chat"},
		{admin("one"), "agents=a2,a5&user_status=ativo"},
	} {
		days := agentsTable(t, r, c.p, c.query)
		hours := agentsTable(t, r, c.p, c.query+"&hour_from=00:00&hour_to=23:59")
		if len(days.Rows) == 0 {
			t.Errorf("Agentes %q: no rows, nothing compared", c.query)
		}
		if !reflect.DeepEqual(days.Rows, hours.Rows) {
			t.Errorf("Agentes %q differs between day and hour rollups:\n days  %q\n hours %q", c.query, days.Rows, hours.Rows)
		}
	}
}

// checkAgentChunksChangeNothing reads the Agentes report in one query per
// kind and split into concurrent chunks of agents: same tables.
func checkAgentChunksChangeNothing(t *testing.T, r *report.Reports) {
	t.Helper()
	defer func(n int) { store.AgentChunkMin = n }(store.AgentChunkMin)
	for _, c := range []struct {
		p     model.Principal
		query string
	}{
		{admin("one"), ""},
		{admin("one"), "media=chat&from=2025-06-02"},
		{admin("one"), "services=s1,s2&user_tags=senior,junior"},
		{admin("one", "s2"), "hour_from=09:00&hour_to=15:00"},
		{admin("one"), "agents=a6,a1,a3&user_status=ativo"},
	} {
		store.AgentChunkMin = 1 << 20
		whole := agentsTable(t, r, c.p, c.query)
		store.AgentChunkMin = 1
		split := agentsTable(t, r, c.p, c.query)
		if len(whole.Rows) == 0 {
			t.Errorf("Agentes %q: no rows, nothing compared", c.query)
		}
		if !reflect.DeepEqual(whole, split) {
			t.Errorf("Agentes %q differs when split into chunks:\n whole %q\n split %q", c.query, whole.Rows, split.Rows)
		}
	}
}

// visitRow is one ivr_visits row as the direct aggregation reads it.
type visitRow struct {
	bucket, ivr, service, agent, outcome, path string
	answered, abandonedQ                       bool
	ivrS                                       float64
	wait, talk                                 *float64
}

type ivrAcc struct {
	n, fin, tr, ab, ans, abq, waitN, talkN, sl int64
	ivrS, wait, talk                           float64
	paths                                      map[string]int64
}

// checkIVRAgainstVisits recomputes every grouping of the Relatório IVR
// straight from ivr_visits (not the rollups) and compares every cell.
func checkIVRAgainstVisits(t *testing.T, r *report.Reports, db *sql.DB, dialect, tenant string) {
	t.Helper()
	q := `SELECT bucket, ivr_id, service_id, agent_id, outcome, path, answered, abandoned_q, ivr_s, wait_s, talk_s FROM ivr_visits WHERE tenant = ?`
	if dialect == "postgres" {
		q = strings.Replace(q, "?", "$1", 1)
	}
	rows, err := db.Query(q, tenant)
	if err != nil {
		t.Fatal(err)
	}
	var visits []visitRow
	for rows.Next() {
		var v visitRow
		var ans, abq int64
		if err := rows.Scan(&v.bucket, &v.ivr, &v.service, &v.agent, &v.outcome, &v.path, &ans, &abq, &v.ivrS, &v.wait, &v.talk); err != nil {
			t.Fatal(err)
		}
		v.answered, v.abandonedQ = ans == 1, abq == 1
		visits = append(visits, v)
	}
	rows.Close()
	names := map[string]string{"": ""}
	for i := 1; i <= 6; i++ {
		names["a"+strconv.Itoa(i)] = "Agente " + strconv.Itoa(i)
	}
	names["a2"] = "Agente 2b"
	for i := 1; i <= 3; i++ {
		names["s"+strconv.Itoa(i)] = "Serviço " + strconv.Itoa(i)
	}
	names["i1"], names["i2"] = "URA 1", "URA 2"
	keyOf := map[string]func(v visitRow) string{
		"ivr": func(v visitRow) string { return v.ivr }, "service": func(v visitRow) string { return v.service },
		"agent": func(v visitRow) string { return v.agent }, "hour": func(v visitRow) string { return v.bucket[11:13] },
		"day": func(v visitRow) string { return v.bucket[:10] },
	}
	for by, key := range keyOf {
		acc := map[string]*ivrAcc{}
		for _, v := range visits {
			k := key(v)
			a := acc[k]
			if a == nil {
				a = &ivrAcc{paths: map[string]int64{}}
				acc[k] = a
			}
			a.n++
			switch v.outcome {
			case "finished":
				a.fin++
			case "transferred":
				a.tr++
			case "abandoned":
				a.ab++
			}
			if v.answered {
				a.ans++
				if v.wait != nil && *v.wait <= 20 {
					a.sl++
				}
			}
			if v.abandonedQ {
				a.abq++
			}
			a.ivrS += v.ivrS
			if v.wait != nil {
				a.wait += *v.wait
				a.waitN++
			}
			if v.talk != nil {
				a.talk += *v.talk
				a.talkN++
			}
			if v.path != "" {
				a.paths[v.path]++
			}
		}
		want := map[string][]string{}
		for k, a := range acc {
			label := k
			if by == "ivr" || by == "service" || by == "agent" {
				label = names[k]
				if k == "" {
					label = map[string]string{"service": report.NoService, "agent": report.NoAgent}[by]
				}
			}
			avg := func(s float64, n int64) string {
				if n == 0 {
					return ""
				}
				return metrics.FormatDuration(s / float64(n))
			}
			sl := ""
			if a.ans+a.abq > 0 {
				sl = report.FormatPercent(100 * float64(a.sl) / float64(a.ans+a.abq))
			}
			type pc struct {
				p string
				n int64
			}
			var ps []pc
			for p, n := range a.paths {
				ps = append(ps, pc{p, n})
			}
			sort.Slice(ps, func(i, j int) bool {
				if ps[i].n != ps[j].n {
					return ps[i].n > ps[j].n
				}
				return ps[i].p < ps[j].p
			})
			var top []string
			for i := 0; i < len(ps) && i < 3; i++ {
				top = append(top, ps[i].p+" ("+strconv.FormatInt(ps[i].n, 10)+")")
			}
			want[label] = []string{label, i64(a.n), i64(a.fin), i64(a.tr), i64(a.ab), i64(a.ans), i64(a.abq),
				avg(a.ivrS, a.fin+a.tr+a.ab), avg(a.wait, a.waitN), avg(a.talk, a.talkN), sl, strings.Join(top, "; ")}
		}
		tb := ivrTable(t, r, admin(tenant), "group_by="+by)
		if len(tb.Rows) != len(want) {
			t.Errorf("IVR by %s: %d rows, direct aggregation has %d", by, len(tb.Rows), len(want))
		}
		for _, row := range tb.Rows {
			if w := want[row[0]]; !reflect.DeepEqual(row, w) {
				t.Errorf("IVR by %s, %s:\n report %q\n direct %q", by, row[0], row, w)
			}
		}
	}
}

type legAcc struct {
	fin, tr, other int64
	sums           [5]float64 // duration, tm1r, tmr, tmp, tmi
	ns             [5]int64
	tags           map[string]int64
}

// checkAgentsAgainstLegs recomputes the leg columns of the Relatório de
// Agentes (counts, totals and averages, tags) and its day chart straight
// from legs and leg_tags, and compares them: every hour, or the legs whose
// local hour is hourFrom..hourTo ("HH", the report's hour_from/hour_to).
func checkAgentsAgainstLegs(t *testing.T, r *report.Reports, db *sql.DB, dialect, tenant, hourFrom, hourTo string) {
	t.Helper()
	query, hours := "", " AND SUBSTR(l.bucket, 12, 2) BETWEEN '00' AND '23'"
	if hourFrom != "" {
		query = "hour_from=" + hourFrom + ":00&hour_to=" + hourTo + ":59"
		hours = " AND SUBSTR(l.bucket, 12, 2) BETWEEN '" + hourFrom + "' AND '" + hourTo + "'"
	}
	q := `SELECT agent_id, local_date, status, duration, tm1r, tmr, tmp, tmi FROM legs l WHERE tenant = ? AND agent_id <> ''` + hours
	tq := `SELECT l.agent_id, tg.name FROM legs l JOIN leg_tags lt ON lt.tenant = l.tenant AND lt.leg_k = l.k JOIN tags tg ON tg.tenant = l.tenant AND tg.id = lt.tag_id WHERE l.tenant = ? AND l.agent_id <> ''` + hours
	if dialect == "postgres" {
		q, tq = strings.Replace(q, "?", "$1", 1), strings.Replace(tq, "?", "$1", 1)
	}
	rows, err := db.Query(q, tenant)
	if err != nil {
		t.Fatal(err)
	}
	acc := map[string]*legAcc{}
	days := map[string][3]float64{}
	for rows.Next() {
		var agent, day, status string
		var m [5]*float64
		if err := rows.Scan(&agent, &day, &status, &m[0], &m[1], &m[2], &m[3], &m[4]); err != nil {
			t.Fatal(err)
		}
		a := acc[agent]
		if a == nil {
			a = &legAcc{tags: map[string]int64{}}
			acc[agent] = a
		}
		d := days[day]
		switch status {
		case "service completed":
			a.fin++
			d[0]++
		case "service transferred":
			a.tr++
			d[1]++
		default:
			a.other++
			d[2]++
		}
		days[day] = d
		for i, v := range m {
			if v != nil {
				a.sums[i] += *v
				a.ns[i]++
			}
		}
	}
	rows.Close()
	rows, err = db.Query(tq, tenant)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var agent, tag string
		if err := rows.Scan(&agent, &tag); err != nil {
			t.Fatal(err)
		}
		acc[agent].tags[tag]++
	}
	rows.Close()
	tb := agentsTable(t, r, admin(tenant), query)
	seen := 0
	for _, row := range tb.Rows {
		id := map[string]string{"Agente 1": "a1", "Agente 2b": "a2", "Agente 3": "a3", "Agente 4": "a4", "Agente 5": "a5", "Agente 6": "a6"}[row[0]]
		a := acc[id]
		if a == nil {
			continue // only logged-in time
		}
		seen++
		want := []string{row[0], i64(a.fin), i64(a.tr), i64(a.other)}
		if a.ns[0] > 0 {
			want = append(want, metrics.FormatDuration(a.sums[0]))
		} else {
			want = append(want, "")
		}
		for i := range a.sums {
			if a.ns[i] > 0 {
				want = append(want, metrics.FormatDuration(a.sums[i]/float64(a.ns[i])))
			} else {
				want = append(want, "")
			}
		}
		type tc struct {
			name string
			n    int64
		}
		var tcs []tc
		for name, n := range a.tags {
			tcs = append(tcs, tc{name, n})
		}
		// Tag ids g1..g3 are named Tag 1..3 in the same order.
		sort.Slice(tcs, func(i, j int) bool {
			if tcs[i].n != tcs[j].n {
				return tcs[i].n > tcs[j].n
			}
			return tcs[i].name < tcs[j].name
		})
		var tags []string
		for _, c := range tcs {
			tags = append(tags, c.name+" ("+i64(c.n)+")")
		}
		got := append(append([]string(nil), row[:10]...), row[14])
		want = append(want, strings.Join(tags, "; "))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Agentes %q %s:\n report %q\n direct %q", query, row[0], got, want)
		}
	}
	if seen != len(acc) || seen == 0 {
		t.Errorf("Agentes %q shows %d agents with legs, legs have %d", query, seen, len(acc))
	}
	v, _ := url.ParseQuery(query)
	ctx := context.Background()
	aq, err := r.ParseAgents(ctx, admin(tenant), v)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.AgentsChart(ctx, admin(tenant), aq)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range c.Labels {
		for k := 0; k < 3; k++ {
			if c.Series[k].Values[i] != days[l][k] {
				t.Errorf("Agentes chart %s %s = %v, legs say %v", l, c.Series[k].Name, c.Series[k].Values[i], days[l][k])
			}
		}
	}
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

// checkMigration0013DerivesThePausesByMedia turns the store into one
// derived before migration 0013 (no pause_in rows, the migration not
// applied) and opens it again: the migration must derive the same rows the
// ingestion did, table by table, and the Agentes report with a media
// chosen must not change.
func checkMigration0013DerivesThePausesByMedia(t *testing.T, s storetest.Store, r *report.Reports, raw *sql.DB, dialect string, want map[string]map[string][]string) {
	t.Helper()
	ctx := context.Background()
	queries := []string{"media=chat", "media=voice&from=2025-06-02&to=2025-06-03", "media=voice,chat", "media=whatsapp&hour_from=08:00&hour_to=12:00"}
	before := map[string]report.Table{}
	for _, q := range queries {
		before[q] = agentsTable(t, r, admin("one"), q)
	}
	w := raw // read-only on SQLite
	if dialect == "sqlite" {
		var err error
		if w, err = sql.Open("sqlite3", "file:"+s.DSN+"?_busy_timeout=30000"); err != nil {
			t.Fatal(err)
		}
		defer w.Close()
	}
	for _, q := range []string{
		`DELETE FROM agent_spans WHERE kind = 'pause_in'`,
		`DELETE FROM agent_day_times WHERE kind = 'pause_in'`,
		`DELETE FROM schema_migrations WHERE version = '0013_agent_pauses_by_media.sql'`,
	} {
		res, err := w.ExecContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s: no rows, the migration would be checked on nothing", q)
		}
	}
	db, err := store.Open(ctx, s.DSN)
	if err != nil {
		t.Fatalf("open the store again (migration 0013): %v", err)
	}
	defer db.Close()
	for tenant, w := range want {
		sameSnapshot(t, "migrated by 0013 ("+tenant+")", snapshot(t, raw, dialect, tenant), w)
	}
	migrated := report.New(db)
	for _, q := range queries {
		if got := agentsTable(t, migrated, admin("one"), q); !reflect.DeepEqual(got.Rows, before[q].Rows) {
			t.Errorf("Agentes %q after migration 0013:\n got  %q\n want %q", q, got.Rows, before[q].Rows)
		}
	}
}
