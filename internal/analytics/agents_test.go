package analytics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
)

// renderAgents writes everything a Relatório de Agentes query answers: the
// table (rows, totals, drill-down links) as JSON, the chart, the CSV and
// XLSX exports.
func renderAgents(t *testing.T, r *report.Reports, p model.Principal, v url.Values) []byte {
	t.Helper()
	ctx := context.Background()
	q, err := r.ParseAgents(ctx, p, v)
	if err != nil {
		t.Fatalf("%s: %v", v.Encode(), err)
	}
	var buf bytes.Buffer
	tab, err := r.Agents(ctx, p, q)
	if err != nil {
		t.Fatal(err)
	}
	chart, err := r.AgentsChart(ctx, p, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []any{tab, chart} {
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	for _, format := range []string{"csv", "xlsx"} {
		fm, _ := report.ParseFormat(format, "")
		cols, src := q.Columns(), r.AgentsRows(ctx, p, q)
		var out bytes.Buffer
		st, err := report.Write(&out, fm, cols, src)
		if err != nil {
			t.Fatal(err)
		}
		if format == "csv" {
			buf.Write(out.Bytes())
		} else {
			fmt.Fprintf(&buf, "xlsx rows %d sha256 %s\n", st.Rows, st.SHA256)
		}
	}
	return buf.Bytes()
}

// agentQueries are the Relatório de Agentes searches compared: the whole
// history, a period, one day (hourly chart), with and without media (one,
// two) and hour filters (the store's hourly and day-grain tables), and
// each filter with a value taken from the data.
func agentQueries(t *testing.T, db *store.DB, tenant string) []url.Values {
	t.Helper()
	ctx := context.Background()
	period := func(kv ...string) url.Values {
		v := url.Values{"from": {"2026-10-03"}, "to": {"2026-10-20"}}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	qs := []url.Values{
		{},
		period(),
		{"from": {"2026-10-07"}, "to": {"2026-10-07"}},
		period("media", "voice"),
		period("media", "chat", "media", "whatsapp"),
		period("hour_from", "09:00", "hour_to", "17:59"),
		period("hour_from", "10:00", "media", "voice"),
		{"hour_to": {"11:59"}},
		period("user_status", "ativo"),
	}
	p := admin(tenant)
	figs, err := db.AgentFigures(ctx, p, store.AgentFilter{})
	if err != nil || len(figs.Legs) == 0 || len(figs.Times) == 0 || len(figs.Tags) == 0 {
		t.Fatalf("the demo month has %d agents with legs, %d activity rows, %d tag counts (%v): the test would test nothing",
			len(figs.Legs), len(figs.Times), len(figs.Tags), err)
	}
	svcs, err := db.Services(ctx, p)
	if err != nil || len(svcs) == 0 {
		t.Fatalf("services: %v %v", svcs, err)
	}
	qs = append(qs,
		period("agents", figs.Legs[0].Key+","+figs.Legs[len(figs.Legs)-1].Key),
		period("services", svcs[0].ID),
		period("services", svcs[0].ID, "hour_from", "08:00", "hour_to", "20:59"),
	)
	if ut, _ := db.UserTags(ctx, p); len(ut) > 0 {
		qs = append(qs, period("user_tags", ut[0].ID))
	}
	return qs
}

// compareAgents checks every Agentes query for every principal, store
// against engine, after checking that the engine itself answers.
func compareAgents(t *testing.T, f *fixture, tenant string) {
	t.Helper()
	figs, err := f.rastreo.AgentFigures(context.Background(), admin(tenant), store.AgentFilter{})
	if err != nil || len(figs.Legs) == 0 || len(figs.Times) == 0 {
		t.Fatalf("ClickHouse answers the Agentes report with %d agents with legs, %d activity rows, %v", len(figs.Legs), len(figs.Times), err)
	}
	qs := agentQueries(t, f.db, tenant)
	for i, p := range principals(t, f.db, tenant) {
		for j, v := range qs {
			if i > 0 && j%2 != 0 {
				continue // the other principals: half of the queries (the machine is shared)
			}
			a := renderAgents(t, f.plain, p, v)
			b := renderAgents(t, f.fromCH, p, v)
			if !bytes.Equal(a, b) {
				t.Fatalf("Agentes %s as %+v: store and ClickHouse differ:\n%s", v.Encode(), p, firstDiff(a, b))
			}
		}
	}
}
