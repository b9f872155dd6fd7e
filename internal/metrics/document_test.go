package metrics

import (
	"errors"
	"testing"
)

func TestCPFCheckDigits(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{"390.533.447-05", "39053344705", nil},
		{"39053344705", "39053344705", nil},
		{" 390 533 447 05 ", "39053344705", nil},
		{"529.982.247-25", "52998224725", nil},
		{"390.533.447-06", "", ErrCPFDigits},
		{"390.533.447-15", "", ErrCPFDigits},
		{"111.111.111-11", "", ErrCPFRepeated},
		{"000.000.000-00", "", ErrCPFRepeated},
		{"3905334470", "", ErrDocumentLength},
		{"3905334470A", "", ErrCPFFormat},
		{"", "", ErrDocumentEmpty},
		{"390_533_447_05", "", ErrDocumentCharacters},
	} {
		got, err := NormalizeDocument(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("NormalizeDocument(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestCNPJCheckDigits(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{"11.222.333/0001-81", "11222333000181", nil},
		{"11222333000181", "11222333000181", nil},
		{"00.000.000/0001-91", "00000000000191", nil}, // Banco do Brasil
		{"00.001.025/0001-00", "00001025000100", nil}, // remainders < 2 give 0
		{"11.222.333/0001-82", "", ErrCNPJDigits},
		{"00.000.000/0000-00", "", ErrCNPJRepeated},
	} {
		got, err := NormalizeDocument(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("NormalizeDocument(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// TestAlphanumericCNPJ uses the Receita Federal's published example.
func TestAlphanumericCNPJ(t *testing.T) {
	if dv1, dv2 := cnpjDV("12ABC34501DE"), cnpjDV("12ABC34501DE3"); dv1 != 3 || dv2 != 5 {
		t.Fatalf("check digits = %d%d, want 35", dv1, dv2)
	}
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{"12.ABC.345/01DE-35", "12ABC34501DE35", nil},
		{"12.abc.345/01de-35", "12ABC34501DE35", nil}, // letters upper-cased
		{"12ABC34501DE36", "", ErrCNPJDigits},
		{"12ABC34501DEX5", "", ErrCNPJFormat}, // check digits are digits
		{"12.ÁBC.345/01DE-35", "", ErrDocumentCharacters},
	} {
		got, err := NormalizeDocument(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("NormalizeDocument(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestFormatDocument(t *testing.T) {
	for in, want := range map[string]string{
		"39053344705":       "390.533.447-05",
		"390.533.447-05":    "390.533.447-05",
		"11222333000181":    "11.222.333/0001-81",
		"12ABC34501DE35":    "12.ABC.345/01DE-35",
		"12345":             "12345",
		"":                  "",
		"not a document at": "not a document at",
	} {
		if got := FormatDocument(in); got != want {
			t.Errorf("FormatDocument(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDigitsOnly(t *testing.T) {
	if got := DigitsOnly("+55 (11) 98765-1234"); got != "5511987651234" {
		t.Errorf("DigitsOnly = %q", got)
	}
	if DigitsOnly("abc") != "" {
		t.Error("no digits must give empty")
	}
}

func TestDocumentCellKeepsLettersOfAlphanumericCNPJ(t *testing.T) {
	for in, want := range map[string]string{
		"390.533.447-05":     "39053344705",
		"12.abc.345/01de-35": "12ABC34501DE35",
		"123.456.789-00":     "12345678900", // invalid, still printed stripped
		"":                   "",
	} {
		if got := documentCell(in); got != want {
			t.Errorf("documentCell(%q) = %q, want %q", in, got, want)
		}
	}
}
