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

// renderIVR writes everything a Relatório IVR query answers: the table
// (rows, totals, drill-down links) as JSON, the chart, the CSV and XLSX
// exports.
func renderIVR(t *testing.T, r *report.Reports, p model.Principal, v url.Values) []byte {
	t.Helper()
	ctx := context.Background()
	q, err := r.ParseIVR(ctx, p, v)
	if err != nil {
		t.Fatalf("%s: %v", v.Encode(), err)
	}
	var buf bytes.Buffer
	tab, err := r.IVR(ctx, p, q)
	if err != nil {
		t.Fatal(err)
	}
	chart, err := r.IVRChart(ctx, p, q)
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
		cols, src := q.Columns(), r.IVRRows(ctx, p, q)
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

// ivrQueries are the Relatório IVR searches compared: every group_by, a
// period, a single day (hourly chart), and each filter with a value taken
// from the data.
func ivrQueries(t *testing.T, db *store.DB, tenant string) []url.Values {
	t.Helper()
	ctx := context.Background()
	var qs []url.Values
	for _, by := range []string{"", store.ByIVR, store.ByService, store.ByAgent, store.ByHour, store.ByDay} {
		qs = append(qs, url.Values{"group_by": {by}})
		qs = append(qs, url.Values{"group_by": {by}, "from": {"2026-10-03"}, "to": {"2026-10-20"}})
	}
	qs = append(qs, url.Values{"group_by": {store.ByService}, "from": {"2026-10-07"}, "to": {"2026-10-07"}})
	p := admin(tenant)
	pick := func(by string) string {
		gs, err := db.IVRGroups(ctx, p, store.IVRFilter{}, by)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gs {
			if g.Key != "" {
				return g.Key
			}
		}
		t.Fatalf("the demo month has no IVR visit with a %s", by)
		return ""
	}
	ivr, svc, agent := pick(store.ByIVR), pick(store.ByService), pick(store.ByAgent)
	qs = append(qs,
		url.Values{"group_by": {store.ByHour}, "ivrs": {ivr}},
		url.Values{"group_by": {store.ByAgent}, "services": {svc + ",nao-existe"}},
		url.Values{"group_by": {store.ByDay}, "agents": {agent}},
		url.Values{"group_by": {store.ByIVR}, "ivrs": {"nao-existe"}},
	)
	if ut, _ := db.UserTags(ctx, p); len(ut) > 0 {
		qs = append(qs, url.Values{"group_by": {store.ByService}, "user_tags": {ut[0].ID}})
	}
	return qs
}

// compareIVR checks every IVR query for every principal, store against
// engine, after checking that the engine itself answers (a fallback to the
// store would make the comparison empty).
func compareIVR(t *testing.T, f *fixture, tenant string) {
	t.Helper()
	gs, err := f.rastreo.IVRGroups(context.Background(), admin(tenant), store.IVRFilter{}, store.ByIVR)
	if err != nil || len(gs) == 0 {
		t.Fatalf("ClickHouse answers the IVR report with %d groups, %v", len(gs), err)
	}
	qs := ivrQueries(t, f.db, tenant)
	for i, p := range principals(t, f.db, tenant) {
		for j, v := range qs {
			if i > 0 && j%2 != 0 {
				continue // the other principals: half of the queries (the machine is shared)
			}
			a := renderIVR(t, f.plain, p, v)
			b := renderIVR(t, f.fromCH, p, v)
			if !bytes.Equal(a, b) {
				t.Fatalf("IVR %s as %+v: store and ClickHouse differ:\n%s", v.Encode(), p, firstDiff(a, b))
			}
		}
	}
}

// ivrReceived is the tenant's Recebidas from the store and from the engine.
func ivrReceived(t *testing.T, f *fixture, tenant string) (int64, int64) {
	t.Helper()
	sum := func(gs []store.IVRGroup, err error) int64 {
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, g := range gs {
			n += g.Received
		}
		return n
	}
	ctx := context.Background()
	return sum(f.db.IVRGroups(ctx, admin(tenant), store.IVRFilter{}, store.ByDay)),
		sum(f.rastreo.IVRGroups(ctx, admin(tenant), store.IVRFilter{}, store.ByDay))
}
