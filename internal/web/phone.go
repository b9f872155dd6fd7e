package web

import (
	"strings"

	"github.com/rastro/rastro/internal/model"
)

// screenPhone writes a Brazilian phone number the one way every screen
// shows phones: "+55 (11) 98888-7777" (a mobile: 9 digits starting with 9)
// or "+55 (11) 3333-4444" (a landline: 8 digits starting with 2–5, the
// fixed-line ranges), with or without the 55 as received. Anything else —
// another country ("+1 …"), a trunk prefix ("011…"), an extension, letters,
// a masked number ("*********7777": its area code did not survive the mask)
// — is shown as received. Exports never use it: the CSV and XLSX keep the
// stored text (SPEC.md).
func screenPhone(s string) string {
	t := strings.TrimSpace(s)
	if t == "" {
		return s
	}
	var d []byte
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			d = append(d, c)
		case c == '+' && i == 0, c == ' ', c == '(', c == ')', c == '-', c == '.':
		default:
			return s
		}
	}
	switch {
	case t[0] == '+' && (len(d) < 2 || string(d[:2]) != "55"):
		return s // another country: its own format
	case len(d) == 12 || len(d) == 13:
		if string(d[:2]) != "55" {
			return s
		}
		d = d[2:]
	case t[0] == '+':
		return s
	}
	if len(d) != 10 && len(d) != 11 || d[0] == '0' || d[1] == '0' {
		return s // no valid area code (DDD 11–99)
	}
	area, num := string(d[:2]), string(d[2:])
	switch {
	case len(num) == 9 && num[0] == '9':
		return "+55 (" + area + ") " + num[:5] + "-" + num[5:]
	case len(num) == 8 && num[0] >= '2' && num[0] <= '5':
		return "+55 (" + area + ") " + num[:4] + "-" + num[4:]
	}
	return s
}

// screenCell is the on-screen text of a report cell: phone columns
// (model.PersonalColumns of kind "phone": PARA, A PARTIR DE, NÚMERO DISCADO,
// Telefone) in screenPhone's format, every other cell as the report gives it.
func screenCell(column, text string) string {
	if model.PersonalColumns[column] == "phone" {
		return screenPhone(text)
	}
	return text
}
