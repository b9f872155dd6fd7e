package metrics

import "strings"

// LGPD masking of personal data (model.PersonalColumns) for principals who
// may not see it. Empty input stays empty.

// MaskDocument keeps the middle of a document: a CPF prints
// "***.533.447-**", a CNPJ "**.***.***/0001-**" (only the branch number is
// kept); any other value is masked whole, one "*" per character.
func MaskDocument(doc string) string {
	d := stripDocument(doc)
	switch {
	case d == "":
		return ""
	case len(d) == 11:
		return "***." + d[3:6] + "." + d[6:9] + "-**"
	case len(d) == 14:
		return "**.***.***/" + d[8:12] + "-**"
	}
	return strings.Repeat("*", len([]rune(d)))
}

// MaskPhone keeps the last 4 digits and prints one "*" per other digit,
// without punctuation: "5511987651234" → "*********1234". Decision: a
// number of 4 digits or fewer (an extension) is masked whole.
func MaskPhone(p string) string {
	d := DigitsOnly(p)
	if d == "" {
		if strings.TrimSpace(p) == "" {
			return ""
		}
		return "****"
	}
	if len(d) <= 4 {
		return strings.Repeat("*", len(d))
	}
	return strings.Repeat("*", len(d)-4) + d[len(d)-4:]
}

// MaskEmail keeps the first character of the local part and the domain:
// "jose@example.org" → "j***@example.org". Without "@" it prints "***".
func MaskEmail(e string) string {
	e = strings.TrimSpace(e)
	if e == "" {
		return ""
	}
	at := strings.LastIndexByte(e, '@')
	if at <= 0 {
		return "***"
	}
	first := []rune(e[:at])[0]
	return string(first) + "***" + e[at:]
}
