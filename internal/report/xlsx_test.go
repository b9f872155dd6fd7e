package report

import (
	"bytes"
	"math"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestXLSXExportTypesDurationsDatesAndCountsButKeepsIdentifiersText opens
// the file as a spreadsheet would and checks each cell's type, number
// format and the text it shows, which must be the CSV's.
func TestXLSXExportTypesDurationsDatesAndCountsButKeepsIdentifiersText(t *testing.T) {
	cols := []string{"PROTOCOLO", "DURAÇÃO", "DATA ATENDIDA", "HORA", "Atendimentos finalizados", "PARA", "Ocupação", "CONTATO", "DATA", "DATA FINALIZAÇÃO CLIENTE", "TMR"}
	row := []string{"202503171300001234", "125:04:05", "2026-10-01 14:05:33", "09:07:00", "42", "11988887777", "72,5%", "0123", "2026-10-31", "31-10-2026 23:59:59", ""}
	f, err := ParseFormat("xlsx", "")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	st, err := Write(&buf, f, cols, func(emit func([]string) error) error { return emit(append([]string(nil), row...)) })
	if err != nil || st.Rows != 1 {
		t.Fatalf("write: rows %d, %v", st.Rows, err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetList()[0]
	want := []struct {
		cell   string
		typ    excelize.CellType
		numFmt string // "" = no custom format
		raw    string
	}{
		{"A2", excelize.CellTypeInlineString, "", "202503171300001234"}, // 18 digits: text, no digit lost
		{"B2", excelize.CellTypeUnset, "[hh]:mm:ss", "5.2111689814814815"},
		{"C2", excelize.CellTypeUnset, "yyyy-mm-dd hh:mm:ss", "46296.58718750000"},
		{"D2", excelize.CellTypeUnset, "hh:mm:ss", "0.3798611111111111"},
		{"E2", excelize.CellTypeUnset, "", "42"},
		{"F2", excelize.CellTypeInlineString, "", "11988887777"}, // a phone is text
		{"G2", excelize.CellTypeInlineString, "", "72,5%"},       // locale-dependent decimals stay text
		{"H2", excelize.CellTypeInlineString, "", "0123"},
		{"I2", excelize.CellTypeUnset, "yyyy-mm-dd", "46326"},
		{"J2", excelize.CellTypeUnset, "dd-mm-yyyy hh:mm:ss", "46326.99998842592"},
	}
	for _, w := range want {
		typ, err := x.GetCellType(sheet, w.cell)
		if err != nil {
			t.Fatal(err)
		}
		if typ != w.typ {
			t.Errorf("%s: type %v, want %v", w.cell, typ, w.typ)
		}
		raw, _ := x.GetCellValue(sheet, w.cell, excelize.Options{RawCellValue: true})
		if w.typ == excelize.CellTypeUnset {
			got, err1 := strconv.ParseFloat(raw, 64)
			exp, _ := strconv.ParseFloat(w.raw, 64)
			if err1 != nil || math.Abs(got-exp) > 1e-6 {
				t.Errorf("%s: raw value %q, want %s", w.cell, raw, w.raw)
			}
		} else if raw != w.raw {
			t.Errorf("%s: raw %q, want %q", w.cell, raw, w.raw)
		}
		style, _ := x.GetCellStyle(sheet, w.cell)
		s, err := x.GetStyle(style)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if s.CustomNumFmt != nil {
			got = *s.CustomNumFmt
		}
		if got != w.numFmt {
			t.Errorf("%s: number format %q, want %q", w.cell, got, w.numFmt)
		}
	}
	// What the spreadsheet shows is the CSV's text, typed or not.
	shown, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range row {
		if v == "" {
			continue
		}
		if shown[1][i] != v {
			t.Errorf("%s shows %q, the CSV has %q", cols[i], shown[1][i], v)
		}
	}
	// A bold header frozen above an autofilter.
	hs, _ := x.GetCellStyle(sheet, "A1")
	if s, _ := x.GetStyle(hs); s.Font == nil || !s.Font.Bold {
		t.Error("header is not bold")
	}
	panes, err := x.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	if dn := x.GetDefinedName(); len(dn) == 0 || dn[0].Name != "_xlnm._FilterDatabase" {
		t.Errorf("no autofilter: %+v", dn)
	}
}
