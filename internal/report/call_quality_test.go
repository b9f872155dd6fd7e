package report_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// qualityCall is one hand-built voice call: its RTCP figures and the
// QUALIDADE DE CHAMADA it prints (the worse of the jitter and loss classes).
type qualityCall struct {
	id, stats, class string
}

var qualityCalls = []qualityCall{
	{"q-alta", `,"jitter_ms":20,"packet_loss_pct":0.5`, "Alta"},
	{"q-media-j", `,"jitter_ms":80,"packet_loss_pct":0.5`, "Média"}, // jitter Média, loss Alta
	{"q-media-l", `,"jitter_ms":10,"packet_loss_pct":3`, "Média"},   // jitter Alta, loss Média
	{"q-baixa", `,"jitter_ms":80,"packet_loss_pct":8`, "Baixa"},     // jitter Média, loss Baixa
	{"q-none", ``, ""}, // no RTCP figures: unknown
}

func qualityEvents() string {
	var b strings.Builder
	b.WriteString(handDirectory)
	for i, c := range qualityCalls {
		at := func(s int) string { return fmt.Sprintf("2025-06-04T1%d:00:%02d-03:00", i, s) }
		fmt.Fprintf(&b, `{"id":"%[1]s-1","type":"interaction.created","at":"%[2]s","interaction":"%[1]s","media":"voice","direction":"inbound","from":"11912345678","to":"1133334444"}
{"id":"%[1]s-2","type":"leg.queued","at":"%[3]s","interaction":"%[1]s","leg":"L1","service_id":"svc-sac"}
{"id":"%[1]s-3","type":"leg.delivered","at":"%[4]s","interaction":"%[1]s","leg":"L1","agent_id":"ag-carla"}
{"id":"%[1]s-4","type":"call.updated","at":"%[5]s","interaction":"%[1]s","leg":"L1","answered_at":"%[5]s","voice_status":"answered"%[6]s}
{"id":"%[1]s-5","type":"leg.finished","at":"%[7]s","interaction":"%[1]s","leg":"L1","status":"service completed"}
`, c.id, at(0), at(1), at(2), at(3), c.stats, at(30))
	}
	// A chat leg: call_quality does not apply to it.
	b.WriteString(`{"id":"c-1","type":"interaction.created","at":"2025-06-04T09:00:00-03:00","interaction":"c","media":"chat","from":"11912345678"}
{"id":"c-2","type":"leg.queued","at":"2025-06-04T09:00:01-03:00","interaction":"c","leg":"L1","service_id":"svc-sac"}
{"id":"c-3","type":"leg.finished","at":"2025-06-04T09:00:30-03:00","interaction":"c","leg":"L1","status":"abandoned"}
`)
	return b.String()
}

// TestCallQualityFilterSelectsTheLegsPrintingThatClass: on both stores,
// call_quality (one value or a comma list) lists exactly the voice legs
// whose QUALIDADE DE CHAMADA cell prints the class; unknown quality matches
// no class.
func TestCallQualityFilterSelectsTheLegsPrintingThatClass(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		if err := s.DB.EnsureTenant(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.New(s.DB).IngestBody(ctx, "acme", []byte(qualityEvents())); err != nil {
			t.Fatal(err)
		}
		r := report.New(s.DB)
		p := model.Principal{Tenant: "acme", Role: model.RoleAdmin, PersonalData: true}
		// rows answers the QUALIDADE DE CHAMADA cells of a voice query, sorted.
		rows := func(cq []string) []string {
			v := url.Values{"media": {"voice"}, "from": {"2025-06-01"}, "to": {"2025-06-30"}}
			if cq != nil {
				v["call_quality"] = cq
			}
			q, err := r.ParseInteractions(ctx, p, v)
			if err != nil {
				t.Fatal(err)
			}
			tab, err := r.Interactions(ctx, p, q)
			if err != nil {
				t.Fatal(err)
			}
			col := -1
			for i, c := range tab.Columns {
				if c == "QUALIDADE DE CHAMADA" {
					col = i
				}
			}
			out := []string{}
			for _, row := range tab.Rows {
				out = append(out, row[col])
			}
			sort.Strings(out)
			n, err := s.DB.CountLegs(ctx, p, q.Filter)
			if err != nil || n != int64(len(out)) {
				t.Fatalf("call_quality=%v: count %d (%v), page %d rows", cq, n, err, len(out))
			}
			return out
		}
		for _, c := range []struct {
			cq   []string
			want []string
		}{
			{nil, []string{"", "Alta", "Baixa", "Média", "Média"}},
			{[]string{"alta"}, []string{"Alta"}},
			{[]string{"media"}, []string{"Média", "Média"}},
			{[]string{"baixa"}, []string{"Baixa"}},
			{[]string{"alta,baixa"}, []string{"Alta", "Baixa"}},
			{[]string{"media", "baixa"}, []string{"Baixa", "Média", "Média"}},
		} {
			if got := rows(c.cq); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("call_quality=%v: QUALIDADE DE CHAMADA %q, want %q", c.cq, got, c.want)
			}
		}
	})
}

// TestCallQualityIsRefusedWhereItDoesNotApply: a media without the filter
// and a value outside alta|media|baixa are parameter errors (400).
func TestCallQualityIsRefusedWhereItDoesNotApply(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		if err := s.DB.EnsureTenant(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		r := report.New(s.DB)
		p := model.Principal{Tenant: "acme", Role: model.RoleAdmin}
		for _, m := range model.DefaultMedia {
			_, err := r.ParseInteractions(ctx, p, url.Values{"media": {m.ID}, "call_quality": {"alta"}})
			if m.ID == model.MediaVoice {
				if err != nil {
					t.Errorf("voice: %v", err)
				}
				continue
			}
			pe := paramError(t, err)
			if len(pe.Problems) != 1 || pe.Problems[0].Param != "call_quality" || !strings.Contains(pe.Problems[0].Reason, "does not apply") {
				t.Errorf("%s: %v, want call_quality: does not apply", m.ID, pe)
			}
		}
		_, err := r.ParseInteractions(ctx, p, url.Values{"media": {"voice"}, "call_quality": {"alta,otima"}})
		if pe := paramError(t, err); len(pe.Problems) != 1 || pe.Problems[0].Param != "call_quality" || !strings.Contains(pe.Problems[0].Reason, `"otima"`) {
			t.Errorf("call_quality=alta,otima: %v", pe)
		}
	})
}

// TestMigration0009FillsCallQualityOfStoredLegs: a store as a release
// before migration 0009 left it (no legs.call_quality, the voice media
// without the filter) gains the column, filled in place from each stored
// row's QUALIDADE DE CHAMADA cell, and the voice media accepts call_quality,
// when it is opened again.
func TestMigration0009FillsCallQualityOfStoredLegs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		if err := s.DB.EnsureTenant(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.New(s.DB).IngestBody(ctx, "acme", []byte(qualityEvents())); err != nil {
			t.Fatal(err)
		}
		s.DB.Close()
		var raw *sql.DB
		var err error
		if s.Name == "sqlite" {
			raw, err = sql.Open("sqlite3", "file:"+s.DSN)
		} else {
			raw, err = sql.Open("pgx", s.DSN)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`ALTER TABLE legs DROP COLUMN call_quality`,
			`DELETE FROM schema_migrations WHERE version = '0009_legs_call_quality.sql'`,
			`UPDATE media SET filters = 'voice_status,phone' WHERE id = 'voice'`,
		} {
			if _, err := raw.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		raw.Close()
		db, err := store.Open(ctx, s.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		legs, err := db.AnalyticsLegs(ctx, "acme", []string{"q-alta", "q-media-j", "q-media-l", "q-baixa", "q-none", "c"})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, l := range legs {
			got[l.InteractionID] = l.CallQuality
		}
		want := map[string]string{"q-alta": "alta", "q-media-j": "media", "q-media-l": "media", "q-baixa": "baixa", "q-none": "", "c": ""}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("call_quality after migration 0009: %v, want %v", got, want)
		}
		r := report.New(db)
		p := model.Principal{Tenant: "acme", Role: model.RoleAdmin}
		q, err := r.ParseInteractions(ctx, p, url.Values{"media": {"voice"}, "call_quality": {"media"}})
		if err != nil {
			t.Fatalf("voice call_quality after migration 0009: %v", err)
		}
		if n, err := db.CountLegs(ctx, p, q.Filter); err != nil || n != 2 {
			t.Fatalf("call_quality=media after migration 0009: %d legs (%v), want 2", n, err)
		}
	})
}
