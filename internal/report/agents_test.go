package report_test

import (
	"bytes"
	"context"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/storetest"
)

func agentsTable(t *testing.T, r *report.Reports, p model.Principal, query string) report.Table {
	t.Helper()
	ctx := context.Background()
	v, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	q, err := r.ParseAgents(ctx, p, v)
	if err != nil {
		t.Fatalf("ParseAgents(%s): %v", query, err)
	}
	tb, err := r.Agents(ctx, p, q)
	if err != nil {
		t.Fatalf("Agents(%s): %v", query, err)
	}
	return tb
}

// The scenario's agents, worked out by hand (see scenario):
//
//	Ana   legs c1 300, c6 120, x1 600 (tm1r 30, tmr 35, tmp 480, tmi 120), x2/L2 240 (30, 20, 240, 0)
//	      logged 8 h; pauses Banheiro 5+10 min, Feedback 20 min; occupation 1260/28800 = 4,375 %
//	Bruno legs c2 120, x2/L1 transferred 300 (10, 10, 300, 0), c7/L2 120; logged 1h30 (two media at once)
//	Caio  legs c7/L1 transferred 70, x3 abandoned 300 (tmp 300, tmi 0); no activity
//	Dora  no legs; logged 1 h, Almoço 30 min
var agentsAll = [][]string{
	{"Ana", "4", "0", "0", "00:21:00", "00:05:15", "00:00:30", "00:00:28", "00:06:00", "00:01:00", "08:00:00", "00:35:00", "Feedback 00:20:00; Banheiro 00:15:00", "4,4%", "Resolvido (2); Retorno (1)"},
	{"Bruno", "2", "1", "0", "00:09:00", "00:03:00", "00:00:10", "00:00:10", "00:05:00", "00:00:00", "01:30:00", "", "", "10,0%", "Retorno (1)"},
	{"Caio", "0", "1", "1", "00:06:10", "00:03:05", "", "", "00:05:00", "00:00:00", "", "", "", "", ""},
	{"Dora", "0", "0", "0", "", "", "", "", "", "", "01:00:00", "00:30:00", "Almoço 00:30:00", "0,0%", ""},
}

func TestAgentsRowsMatchHandComputedFigures(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		tb := agentsTable(t, r, admin("acme"), "")
		if !reflect.DeepEqual(tb.Columns, report.AgentsColumns) {
			t.Errorf("columns = %q", tb.Columns)
		}
		sameRows(t, "all", tb.Rows, agentsAll)
		// Totals: averages over every leg (TM1R (30+30+10)/3, TMR (35+20+10)/3,
		// TMP 1320/4, TMI 120/4), occupation over the agents with logged-in
		// time ((1260+540+0)/37800 = 4,76 %).
		sameRows(t, "totals", [][]string{tb.Totals}, [][]string{
			{"Total", "6", "2", "1", "00:36:10", "00:04:01", "00:00:23", "00:00:22", "00:05:30", "00:00:30", "10:30:00", "01:05:00",
				"Almoço 00:30:00; Feedback 00:20:00; Banheiro 00:15:00", "4,8%", "Resolvido (2); Retorno (2)"},
		})
		// Several media: the Rastreio takes one, so no links.
		for _, row := range append(tb.Links, tb.TotalsLinks) {
			if strings.Join(row, "") != "" {
				t.Errorf("links without a single media: %q", row)
			}
		}
	})
}

func TestAgentsFilters(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		p := admin("acme")
		for _, c := range []struct {
			name, query string
			rows        [][]string
		}{
			{"media chat: legs of chat, logins of chat or all media", "media=chat", [][]string{
				{"Ana", "2", "0", "0", "00:14:00", "00:07:00", "00:00:30", "00:00:28", "00:06:00", "00:01:00", "08:00:00", "00:35:00", "Feedback 00:20:00; Banheiro 00:15:00", "2,9%", "Resolvido (1); Retorno (1)"},
				{"Bruno", "0", "1", "0", "00:05:00", "00:05:00", "00:00:10", "00:00:10", "00:05:00", "00:00:00", "01:30:00", "", "", "5,6%", ""},
				{"Caio", "0", "0", "1", "00:05:00", "00:05:00", "", "", "00:05:00", "00:00:00", "", "", "", "", ""},
			}},
			{"media list", "media=voice,chat", agentsAll},
			{"user_status inativo", "user_status=inativo", [][]string{agentsAll[2]}},
			{"user_status list", "user_status=ativo,inativo", agentsAll},
			{"user_tags", "user_tags=senior", [][]string{agentsAll[0], agentsAll[2]}},
			{"agents", "agents=ag-dora,ag-bruno", [][]string{agentsAll[1], agentsAll[3]}},
			{"hour range covers whole hours (09:15–09:45 → 09:00–09:59)", "hour_from=09:15&hour_to=09:45", [][]string{
				{"Ana", "2", "0", "0", "00:09:00", "00:04:30", "00:00:30", "00:00:20", "00:04:00", "00:00:00", "01:00:00", "", "", "15,0%", "Resolvido (1); Retorno (1)"},
				{"Bruno", "1", "1", "0", "00:07:00", "00:03:30", "00:00:10", "00:00:10", "00:05:00", "00:00:00", "01:00:00", "", "", "11,7%", "Retorno (1)"},
			}},
			{"dates", "from=2025-06-03&to=2025-06-03", [][]string{
				{"Bruno", "1", "0", "0", "00:02:00", "00:02:00", "", "", "", "", "", "", "", "", ""},
				{"Caio", "0", "1", "0", "00:01:10", "00:01:10", "", "", "", "", "", "", "", "", ""},
			}},
			// Logged-in and pause time stay per agent; only agents with legs
			// in the services are shown.
			{"services limit legs, not activity", "services=svc-fin", [][]string{
				{"Ana", "1", "0", "0", "00:02:00", "00:02:00", "", "", "", "", "08:00:00", "00:35:00", "Feedback 00:20:00; Banheiro 00:15:00", "0,4%", ""},
				{"Bruno", "1", "1", "0", "00:07:00", "00:03:30", "00:00:10", "00:00:10", "00:05:00", "00:00:00", "01:30:00", "", "", "7,8%", ""},
			}},
			{"nothing", "from=2025-07-01", nil},
		} {
			tb := agentsTable(t, r, p, c.query)
			sameRows(t, c.name, tb.Rows, c.rows)
		}
	})
}

func TestAgentsPrincipalLimitedToOneServiceSeesOnlyItsLegsAndAgents(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		p := admin("acme", "svc-sac")
		tb := agentsTable(t, r, p, "")
		// SAC legs: Ana c1 300, x1 600, x2/L2 240; Bruno c2 120; Caio c7/L1 70, x3 300.
		// Dora has no SAC leg: her activity is not shown.
		sameRows(t, "svc-sac", tb.Rows, [][]string{
			{"Ana", "3", "0", "0", "00:19:00", "00:06:20", "00:00:30", "00:00:28", "00:06:00", "00:01:00", "08:00:00", "00:35:00", "Feedback 00:20:00; Banheiro 00:15:00", "4,0%", "Resolvido (2); Retorno (1)"},
			{"Bruno", "1", "0", "0", "00:02:00", "00:02:00", "", "", "", "", "01:30:00", "", "", "2,2%", "Retorno (1)"},
			{"Caio", "0", "1", "1", "00:06:10", "00:03:05", "", "", "00:05:00", "00:00:00", "", "", "", "", ""},
		})
		if tb := agentsTable(t, r, p, "services=svc-fin"); len(tb.Rows) != 0 {
			t.Errorf("asking for another service widened the scope: %q", tb.Rows)
		}
	})
}

func TestAgentsLinksOnlyWithOneMediaAndExactWhereTheRastreioCanSelect(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		p := admin("acme")
		// Chat has Status de Serviço: completed/transferred links are exact;
		// Outros cannot be selected in the Rastreio.
		tb := agentsTable(t, r, p, "media=chat&from=2025-06-02&to=2025-06-02&hour_from=09:15&hour_to=10:45")
		if got, want := tb.Links[0][1], "agents=ag-ana&from=2025-06-02&hour_from=09%3A00&hour_to=10%3A59&media=chat&service_status=completed&to=2025-06-02"; got != want {
			t.Errorf("Ana finalizados link = %q, want %q", got, want)
		}
		if got, want := tb.Links[1][2], "agents=ag-bruno&from=2025-06-02&hour_from=09%3A00&hour_to=10%3A59&media=chat&service_status=transferred&to=2025-06-02"; got != want {
			t.Errorf("Bruno transferidos link = %q, want %q", got, want)
		}
		if tb.Links[1][1] != "" || tb.Links[0][3] != "" {
			t.Errorf("zero counts have links: %q %q", tb.Links[1][1], tb.Links[0][3])
		}
		tb = agentsTable(t, r, p, "media=chat")
		for i, row := range tb.Rows {
			for j, name := range []string{"Atendimentos finalizados", "Transferidos"} {
				if row[1+j] == "0" {
					continue
				}
				n := countLinked(t, r, p, tb.Links[i][1+j])
				if got := count64(n); got != row[1+j] {
					t.Errorf("%s %s = %s, drill-down finds %s legs", row[0], name, row[1+j], got)
				}
			}
		}
		if caio := tb.Links[2]; caio[3] != "" {
			t.Errorf("Outros link for chat = %q (the Rastreio cannot select it)", caio[3])
		}
		// Totals: every agent of the table.
		if got := countLinked(t, r, p, tb.TotalsLinks[1]); got != 2 {
			t.Errorf("totals finalizados drill-down = %d, want 2", got)
		}
		// Voz has no Status de Serviço: the link is every leg of the agent
		// (here Bruno's 2 completed voice legs and nothing else).
		tb = agentsTable(t, r, p, "media=voice")
		bruno := tb.Rows[1]
		if bruno[0] != "Bruno" || tb.Links[1][1] != "agents=ag-bruno&media=voice" {
			t.Fatalf("Bruno voice row %q links %q", bruno, tb.Links[1])
		}
		if n := countLinked(t, r, p, tb.Links[1][1]); count64(n) != bruno[1] {
			t.Errorf("Bruno voice drill-down %d, finalizados %s", n, bruno[1])
		}
		// Logins of voice only (and all-media ones); Bruno's chat login does
		// not add up.
		if bruno[10] != "01:30:00" {
			t.Errorf("Bruno voice logged = %q", bruno[10])
		}
	})
}

func count64(n int64) string { return strconv.FormatInt(n, 10) }

func TestAgentsChartCountsLegsHandledPerHourOrDay(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		p := admin("acme")
		ctx := context.Background()
		chart := func(query string) report.Chart {
			v, _ := url.ParseQuery(query)
			q, err := r.ParseAgents(ctx, p, v)
			if err != nil {
				t.Fatal(err)
			}
			c, err := r.AgentsChart(ctx, p, q)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		c := chart("")
		if !reflect.DeepEqual(c.Labels, []string{"2025-06-02", "2025-06-03"}) ||
			!reflect.DeepEqual(c.Series[0].Values, []float64{5, 1}) ||
			!reflect.DeepEqual(c.Series[1].Values, []float64{1, 1}) ||
			!reflect.DeepEqual(c.Series[2].Values, []float64{1, 0}) {
			t.Errorf("day chart = %+v", c)
		}
		c = chart("from=2025-06-02&to=2025-06-02")
		if len(c.Labels) != 24 {
			t.Fatalf("one-day chart labels = %q", c.Labels)
		}
		// Hour 09: c1 (Ana), c2 (Bruno), x2/L2 (Ana) completed; x2/L1 transferred.
		if c.Series[0].Values[9] != 3 || c.Series[1].Values[9] != 1 || c.Series[2].Values[16] != 1 {
			t.Errorf("hour chart = %+v", c)
		}
	})
}

func TestAgentsExportHasTheScreenColumnsAndATotalsRow(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		p := admin("acme")
		ctx := context.Background()
		q, err := r.ParseAgents(ctx, p, url.Values{"format": {"csv"}}, "format")
		if err != nil {
			t.Fatal(err)
		}
		cols, src := q.Columns(), r.AgentsRows(ctx, p, q)
		f, _ := report.ParseFormat("csv", ",")
		var b bytes.Buffer
		st, err := report.Write(&b, f, cols, src)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(b.String(), "\uFEFF")), "\n")
		if lines[0] != strings.Join(report.AgentsColumns, ",") || st.Rows != 5 || len(lines) != 6 {
			t.Fatalf("export = %q (%d rows)", lines, st.Rows)
		}
		if want := `Ana,4,0,0,00:21:00,00:05:15,00:00:30,00:00:28,00:06:00,00:01:00,08:00:00,00:35:00,Feedback 00:20:00; Banheiro 00:15:00,"4,4%",Resolvido (2); Retorno (1)`; lines[1] != want {
			t.Errorf("Ana = %q, want %q", lines[1], want)
		}
		if !strings.HasPrefix(lines[5], "Total,6,2,1,00:36:10,") {
			t.Errorf("totals = %q", lines[5])
		}
	})
}

// With a media chosen, an agent is listed only with legs or logged-in time
// in it: Dora's Voz login does not list her under Chat, Ana's login without
// media lists her under every media (scenario above).
func TestAgentWithoutTimeOrLegsInMediaIsNotListed(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		for _, c := range []struct {
			media  string
			agents []string
		}{
			{"voice", []string{"Ana", "Bruno", "Caio", "Dora"}},
			{"chat", []string{"Ana", "Bruno", "Caio"}},
			{"email", []string{"Ana"}},
		} {
			tb := agentsTable(t, r, admin("acme"), "media="+c.media)
			var names []string
			for _, row := range tb.Rows {
				names = append(names, row[0])
				legs := row[1] != "0" || row[2] != "0" || row[3] != "0"
				if !legs && row[10] == "" {
					t.Errorf("%s: %s listed without legs or logged-in time: %q", c.media, row[0], row)
				}
			}
			if !reflect.DeepEqual(names, c.agents) {
				t.Errorf("%s: agents %q, want %q", c.media, names, c.agents)
			}
		}
	})
}

// Gil logs in to Chat 08:00–10:00 and to Voz 09:00–11:00, then not at all:
// Café 08:30–08:40 falls in Chat only, Feedback 09:50–10:10 in both then in
// Voz only, Almoço 11:10–11:40 outside every login. Without media every
// pause counts whole; with a media, only its part inside that media's
// logins (per hour the longest part among the selected media).
const pausesByMedia = `
g01 user.upserted 06-01T00:00:00 "user":{"id":"ag-gil","name":"Gil","status":"ativo"}
g02 agent.login 06-02T08:00:00 "agent_id":"ag-gil","media":"chat"
g03 agent.pause_started 06-02T08:30:00 "agent_id":"ag-gil","reason":"Café"
g04 agent.pause_ended 06-02T08:40:00 "agent_id":"ag-gil"
g05 agent.login 06-02T09:00:00 "agent_id":"ag-gil","media":"voice"
g06 agent.pause_started 06-02T09:50:00 "agent_id":"ag-gil","reason":"Feedback"
g07 agent.logout 06-02T10:00:00 "agent_id":"ag-gil","media":"chat"
g08 agent.pause_ended 06-02T10:10:00 "agent_id":"ag-gil"
g09 agent.logout 06-02T11:00:00 "agent_id":"ag-gil","media":"voice"
g10 agent.pause_started 06-02T11:10:00 "agent_id":"ag-gil","reason":"Almoço"
g11 agent.pause_ended 06-02T11:40:00 "agent_id":"ag-gil"
`

func TestPauseTimeOfAMediaCountsOnlyInsideItsLogins(t *testing.T) {
	body := ndjson(t, pausesByMedia)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		for _, c := range []struct {
			query                    string
			logged, paused, byReason string
		}{
			{"", "03:00:00", "01:00:00", "Almoço 00:30:00; Feedback 00:20:00; Café 00:10:00"},
			{"media=voice", "02:00:00", "00:20:00", "Feedback 00:20:00"},
			{"media=chat", "02:00:00", "00:20:00", "Café 00:10:00; Feedback 00:10:00"},
			{"media=voice,chat", "03:00:00", "00:30:00", "Feedback 00:20:00; Café 00:10:00"},
		} {
			// The day tables (no hour filter) and the hourly spans agree.
			for _, q := range []string{c.query, c.query + "&hour_from=00:00&hour_to=23:59"} {
				tb := agentsTable(t, r, admin("acme"), strings.TrimPrefix(q, "&"))
				if len(tb.Rows) != 1 {
					t.Fatalf("%q: rows %q", q, tb.Rows)
				}
				row := tb.Rows[0]
				if row[10] != c.logged || row[11] != c.paused || row[12] != c.byReason {
					t.Errorf("%q: logged %q paused %q (%q), want %q %q (%q)", q, row[10], row[11], row[12], c.logged, c.paused, c.byReason)
				}
			}
		}
		// Logged in to neither: not listed under WhatsApp.
		if tb := agentsTable(t, r, admin("acme"), "media=whatsapp"); len(tb.Rows) != 0 {
			t.Errorf("media=whatsapp: rows %q, want none", tb.Rows)
		}
	})
}
