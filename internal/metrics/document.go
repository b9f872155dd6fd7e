package metrics

import (
	"errors"
	"strings"
	"unicode"
)

// Document validation errors (NormalizeDocument).
var (
	ErrDocumentEmpty      = errors.New("empty document")
	ErrDocumentCharacters = errors.New("invalid character in document")
	ErrDocumentLength     = errors.New("a document has 11 (CPF) or 14 (CNPJ) characters")
	ErrCPFDigits          = errors.New("invalid CPF check digits")
	ErrCPFRepeated        = errors.New("invalid CPF: all digits equal")
	ErrCNPJDigits         = errors.New("invalid CNPJ check digits")
	ErrCNPJRepeated       = errors.New("invalid CNPJ: all characters equal")
	ErrCNPJFormat         = errors.New("invalid CNPJ: 12 characters 0-9/A-Z then 2 digits")
	ErrCPFFormat          = errors.New("invalid CPF: 11 digits")
)

// stripDocument removes the punctuation people type in documents (. - /
// and spaces) and upper-cases letters; other characters are kept.
func stripDocument(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '.' || r == '-' || r == '/' || unicode.IsSpace(r):
		default:
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// NormalizeDocument strips punctuation (. - / spaces), upper-cases letters
// and validates a CPF (11 digits, both check digits, not all digits equal) or
// a CNPJ (14 characters: the 2026 alphanumeric CNPJ has 12 characters [0-9A-Z]
// then 2 check digits; each character is worth its ASCII code − 48 and the
// check digits use the Receita Federal weights 5..2,9..2 and 6..2,9..2,
// mod 11). It returns the stripped document or an error with the reason.
func NormalizeDocument(s string) (string, error) {
	d := stripDocument(s)
	if d == "" {
		return "", ErrDocumentEmpty
	}
	for i := 0; i < len(d); i++ {
		if !isDigit(d[i]) && !(d[i] >= 'A' && d[i] <= 'Z') {
			return "", ErrDocumentCharacters
		}
	}
	switch len(d) {
	case 11:
		if !allDigits(d) {
			return "", ErrCPFFormat
		}
		if allSame(d) {
			return "", ErrCPFRepeated
		}
		if cpfDV(d[:9]) != int(d[9]-'0') || cpfDV(d[:10]) != int(d[10]-'0') {
			return "", ErrCPFDigits
		}
		return d, nil
	case 14:
		if !allDigits(d[12:]) {
			return "", ErrCNPJFormat
		}
		if allSame(d) {
			return "", ErrCNPJRepeated
		}
		if cnpjDV(d[:12]) != int(d[12]-'0') || cnpjDV(d[:13]) != int(d[13]-'0') {
			return "", ErrCNPJDigits
		}
		return d, nil
	}
	return "", ErrDocumentLength
}

// cpfDV is the check digit of the 9 or 10 leading digits of a CPF.
func cpfDV(digits string) int {
	sum, w := 0, len(digits)+1
	for i := 0; i < len(digits); i++ {
		sum += int(digits[i]-'0') * w
		w--
	}
	if r := sum % 11; r >= 2 {
		return 11 - r
	}
	return 0
}

// cnpjDV is the check digit of the 12 or 13 leading characters of a CNPJ;
// a character is worth its ASCII code − 48 (digits 0–9, A = 17 … Z = 42).
func cnpjDV(chars string) int {
	sum, w := 0, len(chars)-7 // 12 → weights 5,4,3,2,9..2; 13 → 6,5,4,3,2,9..2
	for i := 0; i < len(chars); i++ {
		sum += int(chars[i]-'0') * w
		if w--; w < 2 {
			w = 9
		}
	}
	if r := sum % 11; r >= 2 {
		return 11 - r
	}
	return 0
}

// FormatDocument prints a CPF as 000.000.000-00 and a CNPJ as
// 00.000.000/0000-00 (punctuation in the input is ignored); anything else is
// returned as is.
func FormatDocument(doc string) string {
	d := stripDocument(doc)
	switch {
	case len(d) == 11 && allDigits(d):
		return d[:3] + "." + d[3:6] + "." + d[6:9] + "-" + d[9:]
	case len(d) == 14 && allAlnum(d[:12]) && allDigits(d[12:]):
		return d[:2] + "." + d[2:5] + "." + d[5:8] + "/" + d[8:12] + "-" + d[12:]
	}
	return doc
}

// DigitsOnly keeps the ASCII digits of s.
func DigitsOnly(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// documentCell is the DOCUMENTO cell: the document without punctuation,
// digits only except the letters of an alphanumeric CNPJ. Decision: an
// invalid document is still printed (stripped of every character that is
// not a digit or a letter), not hidden.
func documentCell(s string) string {
	if d, err := NormalizeDocument(s); err == nil {
		return d
	}
	var b strings.Builder
	for _, r := range stripDocument(s) {
		if r < 128 && (isDigit(byte(r)) || (r >= 'A' && r <= 'Z')) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func allAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && !(s[i] >= 'A' && s[i] <= 'Z') {
			return false
		}
	}
	return true
}

func allSame(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}
