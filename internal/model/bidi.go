package model

import "strings"

// IsBidiControl reports whether r is a Unicode bidirectional control
// character (embeddings, overrides, isolates and marks). In an id they make
// one value display as another ("Trojan Source"); ingestion refuses them in
// ids and display strips them from text.
func IsBidiControl(r rune) bool {
	switch {
	case r >= '\u202A' && r <= '\u202E', // LRE, RLE, PDF, LRO, RLO
		r >= '\u2066' && r <= '\u2069',              // LRI, RLI, FSI, PDI
		r == '\u200E', r == '\u200F', r == '\u061C': // LRM, RLM, ALM
		return true
	}
	return false
}

// StripBidi removes bidirectional control characters from s, so stored
// text cannot reorder what is shown around it in a page, a CSV or a sheet.
func StripBidi(s string) string {
	if strings.IndexFunc(s, IsBidiControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if IsBidiControl(r) {
			return -1
		}
		return r
	}, s)
}
