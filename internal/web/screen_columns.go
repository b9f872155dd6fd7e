package web

import (
	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
)

// Which Rastreio columns the screen shows for a media. The CSV and the API
// keep every column of model.ColumnsFor (SPEC.md §3); the screen leaves out
// the CSV-only ones (model.CSVOnlyColumns) and those that can never hold a
// value for the chosen media, so a supervisor does not scroll past empty
// columns. "Never" is read off the derivation (metrics/interaction.go):
//
//   - voice-only: filled only for media "voice" (the call's details);
//   - messaging-only: TM1R, TMR and ÚLTIMA RESPOSTA are computed from
//     agent/client messages, never for a call;
//   - hold-only: TMP and TMI are computed only for model.IsHoldMedia
//     (Chat, WhatsApp);
//   - expiring-only: STATUS DE EXPIRAÇÃO needs the media's expiration
//     window (metrics.Config.Window > 0: Chat and WhatsApp by default, or
//     a tenant's own window).
//
// Every other column applies to every media. README.md ("Rastreio screen
// columns") shows the resulting table per media.
type columnScope int

const (
	scopeAll columnScope = iota
	scopeVoice
	scopeMessaging
	scopeHold
	scopeExpiring
)

// screenColumnScope is the one table of the rule above.
var screenColumnScope = map[string]columnScope{
	"TIPO": scopeVoice, "PARA": scopeVoice, "JITTER": scopeVoice, "PERDA DE PACOTE": scopeVoice,
	"QUALIDADE DE CHAMADA": scopeVoice, "SERVIDOR DE VOZ": scopeVoice, "NÚMERO DISCADO": scopeVoice,
	"NOME DO CANAL EXTERNO": scopeVoice, "NOME DO CANAL INTERNO": scopeVoice,
	"DATA FINALIZAÇÃO CLIENTE": scopeVoice, "DATA FINALIZAÇÃO AGENTE": scopeVoice, "MOS ESTIMADO": scopeVoice,

	"TM1R": scopeMessaging, "TMR": scopeMessaging, "ÚLTIMA RESPOSTA": scopeMessaging,

	"TMP": scopeHold, "TMI": scopeHold,

	"STATUS DE EXPIRAÇÃO": scopeExpiring,
}

// screenColumns decides, for one media of a tenant, which columns the
// Rastreio screen shows.
type screenColumns struct {
	media    string
	expiring bool
}

func newScreenColumns(media string, cfg metrics.Config) screenColumns {
	return screenColumns{media: media, expiring: cfg.Window(media) > 0}
}

// Shows says whether column c is on screen for the media.
func (sc screenColumns) Shows(c string) bool {
	if model.CSVOnlyColumns[c] {
		return false
	}
	voice := sc.media == model.MediaVoice
	switch screenColumnScope[c] {
	case scopeVoice:
		return voice
	case scopeMessaging:
		return !voice
	case scopeHold:
		return model.IsHoldMedia(sc.media)
	case scopeExpiring:
		return sc.expiring
	}
	return true
}

// pinnedColumns come first on screen, in this order, and stay in view while
// the table scrolls sideways (app.css .pin): what a supervisor reads a row
// by. The CSV keeps its own order.
var pinnedColumns = []string{"PROTOCOLO", "DATA ATENDIDA", "AGENTE", "STATUS"}

// Order returns the indexes of cols shown on screen: the pinned columns
// first, then the others in CSV order.
func (sc screenColumns) Order(cols []string) []int {
	var out []int
	for _, p := range pinnedColumns {
		for i, c := range cols {
			if c == p && sc.Shows(c) {
				out = append(out, i)
			}
		}
	}
	for i, c := range cols {
		if sc.Shows(c) && !isPinned(c) {
			out = append(out, i)
		}
	}
	return out
}

func isPinned(c string) bool {
	for _, p := range pinnedColumns {
		if c == p {
			return true
		}
	}
	return false
}
