package web

import (
	"testing"

	"github.com/rastro/rastro/internal/metrics"
)

func TestScreenPhoneWritesBrazilianNumbersOneWay(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"5511988887777", "+55 (11) 98888-7777"},
		{"+55 11 98888-7777", "+55 (11) 98888-7777"},
		{"+55 (11) 98888-7777", "+55 (11) 98888-7777"},
		{"11988887777", "+55 (11) 98888-7777"},
		{"(21) 99876.5432", "+55 (21) 99876-5432"},
		{"551133334444", "+55 (11) 3333-4444"},
		{"1133334444", "+55 (11) 3333-4444"},
		{" 55 48 3222-1100 ", "+55 (48) 3222-1100"},
		// Kept as received: other countries, no valid area code, a trunk
		// prefix, numbers that are neither a mobile nor a landline,
		// extensions, text.
		{"+1 415 555 0100", "+1 415 555 0100"},
		{"+351912345678", "+351912345678"},
		{"+11988887777", "+11988887777"},
		{"011988887777", "011988887777"},
		{"0988887777", "0988887777"},
		{"1088887777", "1088887777"},
		{"11888887777", "11888887777"},
		{"1193334444", "1193334444"},
		{"440033334444", "440033334444"},
		{"1005", "1005"},
		{"PJSIP/1001", "PJSIP/1001"},
		{"11 98888-7777 ramal 3", "11 98888-7777 ramal 3"},
		{"", ""},
	} {
		if got := screenPhone(c.in); got != c.want {
			t.Errorf("screenPhone(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestScreenPhoneKeepsMaskedNumbersMasked: a phone masked for a role
// without personal data keeps only its last four digits; the formatter never
// turns it back into something that looks like a whole number.
func TestScreenPhoneKeepsMaskedNumbersMasked(t *testing.T) {
	for _, in := range []string{"5511988887777", "+55 (11) 3333-4444", "11988887777", "1005"} {
		masked := metrics.MaskPhone(in)
		if got := screenPhone(masked); got != masked {
			t.Errorf("screenPhone(MaskPhone(%q)) = %q, want the mask %q as is", in, got, masked)
		}
	}
}
