package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestCSVExportNeutralizesFormulasFromEvents(t *testing.T) {
	var buf bytes.Buffer
	f, _ := ParseFormat("csv", "")
	src := func(emit func([]string) error) error {
		return emit([]string{"=HYPERLINK(\"http://x\")", "+55 11 91234-5678", "@SUM(A1)", "00:01:00", "-3", "+cmd|' /C calc'!A0", "-2+HYPERLINK(1)"})
	}
	if _, err := Write(&buf, f, []string{"A", "B", "C", "D", "E", "F", "G"}, src); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimPrefix(buf.String(), "\uFEFF"), "\n")
	if want := `"'=HYPERLINK(""http://x"")";+55 11 91234-5678;'@SUM(A1);00:01:00;-3;'+cmd|' /C calc'!A0;'-2+HYPERLINK(1)`; lines[1] != want {
		t.Fatalf("row = %s, want %s", lines[1], want)
	}
}

func TestCSVExportDefaultsToSemicolonAndKeepsTheBOMWithCommas(t *testing.T) {
	var buf bytes.Buffer
	f, err := ParseFormat("", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Write(&buf, f, []string{"DATA", "HORA"}, func(emit func([]string) error) error { return emit([]string{"2026-10-01", "10:00:00"}) }); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "\uFEFFDATA;HORA\n2026-10-01;10:00:00\n" {
		t.Fatalf("csv = %q", got)
	}
	buf.Reset()
	f, _ = ParseFormat("csv", ",")
	if _, err := Write(&buf, f, []string{"DATA", "HORA"}, func(emit func([]string) error) error { return emit([]string{"2026-10-01", "10:00:00"}) }); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "\uFEFFDATA,HORA\n2026-10-01,10:00:00\n" {
		t.Fatalf("csv with comma = %q", got)
	}
}
