package asterisk

import (
	"unicode/utf8"

	"github.com/rastro/rastro/internal/model"
)

// Text limits of the event contract (README "Limits"): a connector does not
// refuse a platform's long text, it shortens it with a visible marker, so
// one odd CDR field never blocks a whole file.
const (
	maxLabelRunes = 256      // labels: numbers, channels, names, reasons
	maxTextBytes  = 64 << 10 // free text
	truncMarker   = "…[cortado]"
)

// fitLabel shortens s to at most maxLabelRunes characters, marker included.
func fitLabel(s string) string {
	if utf8.RuneCountInString(s) <= maxLabelRunes {
		return s
	}
	keep := maxLabelRunes - utf8.RuneCountInString(truncMarker)
	i, n := 0, 0
	for j := range s {
		if n == keep {
			i = j
			break
		}
		n++
	}
	return s[:i] + truncMarker
}

// fitText shortens free text to at most maxTextBytes, on a rune boundary.
func fitText(s string) string {
	if len(s) <= maxTextBytes {
		return s
	}
	cut := maxTextBytes - len(truncMarker)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + truncMarker
}

// fitEvent applies the limits to every text field a translator fills.
func fitEvent(ev *model.Event) {
	for _, p := range []*string{&ev.Protocol, &ev.Origin, &ev.From, &ev.To, &ev.ExternalProtocol, &ev.Document,
		&ev.DialedNumber, &ev.VoiceServer, &ev.ExternalChannel, &ev.InternalChannel, &ev.Reason, &ev.Option} {
		*p = fitLabel(*p)
	}
	ev.Text, ev.Comments, ev.RecordingURL = fitText(ev.Text), fitText(ev.Comments), fitText(ev.RecordingURL)
	for _, n := range []*model.Named{ev.Service, ev.Tag, ev.IVR, ev.Client} {
		if n != nil {
			n.Name = fitLabel(n.Name)
		}
	}
	if ev.User != nil {
		ev.User.Name = fitLabel(ev.User.Name)
	}
}

// fitting wraps an emit callback so every event it receives fits the limits.
func fitting(emit func(int, model.Event) error) func(int, model.Event) error {
	return func(line int, ev model.Event) error {
		fitEvent(&ev)
		return emit(line, ev)
	}
}
