package web_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/storetest"
)

// Every report page turns its Exportar buttons off when the search found
// no rows (a file would hold the header alone) and on when it found some;
// each button says what its format is for, in the page's language.
func TestExportButtonsAreOffWhenASearchFindsNoRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		e := newAPIEnv(t, s)
		events, err := os.ReadFile("../../docs/examples/chat-hold-and-personal-queue.ndjson")
		if err != nil {
			t.Fatal(err)
		}
		mustOK(t, "ingest the chat example", e.as(t, "admin", "POST", "/api/v1/events", events, "Content-Type", "application/x-ndjson"))

		off := regexp.MustCompile(`<button type="button" class="button" id="export-(csv|xlsx)" disabled`)
		on := regexp.MustCompile(`<a class="button" id="export-(csv|xlsx)" href="[^"]+"[^>]* data-export`)
		june := "from=2025-06-01&to=2025-06-30"
		empty := "from=2024-01-01&to=2024-01-02"
		for _, c := range []struct {
			path string
			rows bool
		}{
			{"/rastreio?media=chat&" + june, true},
			{"/rastreio?media=chat&" + empty, false},
			{"/agentes?" + june, true},
			{"/agentes?" + empty, false},
			{"/ivr?" + june, false}, // a chat has no IVR visit
			{"/fluxo-agil?" + empty, false},
		} {
			r := e.ui(t, "admin", "GET", c.path, nil)
			mustOK(t, c.path, r)
			nOff, nOn := len(off.FindAll(r.Body, -1)), len(on.FindAll(r.Body, -1))
			if c.rows && (nOn != 2 || nOff != 0) {
				t.Errorf("%s found rows: %d export buttons on, %d off; want CSV and XLSX on", c.path, nOn, nOff)
			}
			if !c.rows && (nOff != 2 || nOn != 0 || strings.Contains(string(r.Body), "data-export")) {
				t.Errorf("%s found nothing: %d export buttons off, %d on; want CSV and XLSX off", c.path, nOff, nOn)
			}
			for _, hint := range []string{"Texto separado por ponto e vírgula", "Planilha com colunas tipadas para Excel/LibreOffice"} {
				if !strings.Contains(string(r.Body), `title="`+hint) {
					t.Errorf("%s: no export button says %q", c.path, hint)
				}
			}
		}
		en := string(e.ui(t, "admin", "GET", "/rastreio?lang=en&media=chat&"+june, nil).Body)
		for _, hint := range []string{"Semicolon-separated text", "Spreadsheet with typed columns for Excel/LibreOffice", "1 leg<"} {
			if !strings.Contains(en, hint) {
				t.Errorf("the English Rastreio does not say %q", hint)
			}
		}
	})
}
