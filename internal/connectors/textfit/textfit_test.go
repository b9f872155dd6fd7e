package textfit

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLongLabelIsCutWithMarker(t *testing.T) {
	long := strings.Repeat("ç", 300)
	got := Label(long)
	if utf8.RuneCountInString(got) != MaxLabelRunes || !strings.HasSuffix(got, Marker) {
		t.Errorf("Label(300 runes) = %d runes, suffix marker %v", utf8.RuneCountInString(got), strings.HasSuffix(got, Marker))
	}
	if Label("Maria") != "Maria" {
		t.Error("a short label changed")
	}
}

func TestLongTextIsCutOnRuneBoundary(t *testing.T) {
	long := strings.Repeat("é", MaxTextBytes) // 2 bytes each
	got := Text(long)
	if len(got) > MaxTextBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, Marker) {
		t.Errorf("Text: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
	if Text("oi") != "oi" {
		t.Error("a short text changed")
	}
}
