// Package textfit shortens a platform's text to the limits of the event
// contract (README "Limits") with a visible marker, so that a webhook with
// one long field is stored shortened instead of refused: the platforms do
// not read rastro's 422 and would only retry the same payload.
package textfit

import "unicode/utf8"

// Limits of EVENTS.md as rastro enforces them.
const (
	MaxLabelRunes = 256      // names, phones, e-mails, protocols, reasons
	MaxTextBytes  = 64 << 10 // free text (message text, comments)
	Marker        = "…[cortado]"
)

// Label shortens s to at most MaxLabelRunes characters, marker included.
func Label(s string) string {
	if utf8.RuneCountInString(s) <= MaxLabelRunes {
		return s
	}
	keep := MaxLabelRunes - utf8.RuneCountInString(Marker)
	n := 0
	for i := range s {
		if n == keep {
			return s[:i] + Marker
		}
		n++
	}
	return s
}

// Text shortens free text to at most MaxTextBytes, on a rune boundary,
// marker included.
func Text(s string) string {
	if len(s) <= MaxTextBytes {
		return s
	}
	cut := MaxTextBytes - len(Marker)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + Marker
}
