package report_test

import (
	"context"
	"encoding/json"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/rastro/rastro/internal/demo"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
)

// Columns SPEC.md §3 restricts to some media.
var (
	voiceOnly = []string{"TIPO", "PARA", "JITTER", "PERDA DE PACOTE", "QUALIDADE DE CHAMADA", "SERVIDOR DE VOZ",
		"NÚMERO DISCADO", "NOME DO CANAL EXTERNO", "NOME DO CANAL INTERNO", "DATA FINALIZAÇÃO CLIENTE", "DATA FINALIZAÇÃO AGENTE"}
	holdMediaOnly = []string{"TMP", "TMI", "STATUS DE EXPIRAÇÃO"}
	notVoice      = []string{"TM1R", "TMR"}
	everyMedia    = []string{"DATA", "HORA", "PROTOCOLO", "SERVIÇO", "AGENTE", "ORIGEM", "CONTATO", "A PARTIR DE", "DURAÇÃO",
		"STATUS", "PORTFOLIO", "ID EXTERNO", "COMENTÁRIOS INTERNOS", "DOCUMENTO", "DATA ATENDIDA", "DATA FINALIZADA",
		"DATA PRIMEIRA MENSAGEM", "ÚLTIMA RESPOSTA", "PROTOCOLO EXTERNO", "DATA HORA ENTREGUE EM FILA"}
)

// TestDemoMonthFillsEveryColumnWhereItAppliesAndOnlyThere loads the demo
// month and checks, per media, that each column SPEC.md §3 applies to it is
// filled in some row, and each column that does not apply is empty in
// every row (never "0").
func TestDemoMonthFillsEveryColumnWhereItAppliesAndOnlyThere(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.EnsureTenant(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	in := ingest.New(db)
	if _, err := in.IngestBody(ctx, "demo", demoBody(t, 2000)); err != nil {
		t.Fatal(err)
	}
	r := report.New(db)
	p := model.Principal{Tenant: "demo", Role: model.RoleAdmin, PersonalData: true}
	for _, m := range model.DefaultMedia {
		v := url.Values{"media": {m.ID}, "limit": {"1000"}}
		if m.HasFilter("service_status") {
			v["service_status"] = []string{"completed", "transferred"}
		}
		q, err := r.ParseInteractions(ctx, p, v)
		if err != nil {
			t.Fatal(err)
		}
		tab, err := r.Interactions(ctx, p, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Rows) < 20 {
			t.Fatalf("%s: only %d rows", m.ID, len(tab.Rows))
		}
		idx := map[string]int{}
		for i, c := range tab.Columns {
			idx[c] = i
		}
		filled := func(col string) bool {
			for _, row := range tab.Rows {
				if row[idx[col]] != "" {
					return true
				}
			}
			return false
		}
		empty := func(col string) bool {
			for _, row := range tab.Rows {
				if row[idx[col]] != "" {
					return false
				}
			}
			return true
		}
		check := func(cols []string, applies bool) {
			for _, c := range cols {
				if applies && !filled(c) {
					t.Errorf("%s: column %s applies but is empty in every row", m.ID, c)
				}
				if !applies && !empty(c) {
					t.Errorf("%s: column %s does not apply but is filled", m.ID, c)
				}
			}
		}
		check(everyMedia, true)
		check(voiceOnly, m.ID == model.MediaVoice)
		check(holdMediaOnly, model.IsHoldMedia(m.ID))
		check(notVoice, m.ID != model.MediaVoice)
		for _, extra := range model.MediaExtraColumns[m.ID] {
			check([]string{extra}, true)
		}
	}
}

// demoBody is the NDJSON of a deterministic demo month of n legs.
func demoBody(t testing.TB, n int) []byte {
	t.Helper()
	var body []byte
	if err := demo.Generate(context.Background(), demo.Options{Legs: n}, func(e model.Event) error {
		b, err := json.Marshal(e)
		body = append(append(body, b...), '\n')
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return body
}
