package web

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
)

// screenHeaders are the column names the Rastreio screen shows for a media.
func screenHeaders(media string, cfg metrics.Config) []string {
	cols := model.ColumnsFor(media)
	var out []string
	for _, i := range newScreenColumns(media, cfg).Order(cols) {
		out = append(out, cols[i])
	}
	return out
}

func TestRastreioScreenHidesColumnsThatNeverApplyToTheMedia(t *testing.T) {
	voiceOnly := []string{"TIPO", "PARA", "JITTER", "PERDA DE PACOTE", "QUALIDADE DE CHAMADA", "SERVIDOR DE VOZ",
		"DATA FINALIZAÇÃO CLIENTE", "DATA FINALIZAÇÃO AGENTE", "MOS ESTIMADO"}
	messagingOnly := []string{"TM1R", "TMR", "ÚLTIMA RESPOSTA"}
	for _, m := range model.DefaultMedia {
		got := screenHeaders(m.ID, metrics.Config{})
		for _, c := range got {
			if model.CSVOnlyColumns[c] {
				t.Errorf("%s: CSV-only column %s on screen", m.ID, c)
			}
		}
		has := func(c string) bool { return slices.Contains(got, c) }
		for _, c := range voiceOnly {
			if has(c) != (m.ID == model.MediaVoice && !model.CSVOnlyColumns[c]) && slices.Contains(model.ColumnsFor(m.ID), c) {
				t.Errorf("%s: voice-only column %s shown = %v", m.ID, c, has(c))
			}
		}
		for _, c := range messagingOnly {
			if has(c) == (m.ID == model.MediaVoice) {
				t.Errorf("%s: messaging-only column %s shown = %v", m.ID, c, has(c))
			}
		}
		for _, c := range []string{"TMP", "TMI"} {
			if has(c) != model.IsHoldMedia(m.ID) {
				t.Errorf("%s: hold column %s shown = %v", m.ID, c, has(c))
			}
		}
		if has("STATUS DE EXPIRAÇÃO") != (m.ExpirationWindowHours > 0) {
			t.Errorf("%s: STATUS DE EXPIRAÇÃO shown = %v", m.ID, has("STATUS DE EXPIRAÇÃO"))
		}
		// Columns that apply to every media stay.
		for _, c := range []string{"SERVIÇO", "CONTATO", "DURAÇÃO", "DOCUMENTO", "DATA PRIMEIRA MENSAGEM"} {
			if !has(c) {
				t.Errorf("%s: column %s missing on screen", m.ID, c)
			}
		}
	}
	// A tenant that gives SMS an expiration window sees the column there.
	cfg := metrics.Config{ExpirationWindow: map[string]time.Duration{model.MediaSMS: 48 * time.Hour}}
	if !slices.Contains(screenHeaders(model.MediaSMS, cfg), "STATUS DE EXPIRAÇÃO") {
		t.Error("SMS with a 48 h window: STATUS DE EXPIRAÇÃO not on screen")
	}
}

func TestRastreioScreenPutsProtocolAnsweredAgentAndStatusFirst(t *testing.T) {
	for _, m := range model.DefaultMedia {
		got := screenHeaders(m.ID, metrics.Config{})
		if want := strings.Join(pinnedColumns, "|"); strings.Join(got[:4], "|") != want {
			t.Errorf("%s: first screen columns %q, want %s", m.ID, got[:4], want)
		}
		// The others keep the CSV order.
		rest, csv := got[4:], model.ColumnsFor(m.ID)
		last := -1
		for _, c := range rest {
			i := slices.Index(csv, c)
			if i < last {
				t.Errorf("%s: %s out of CSV order on screen", m.ID, c)
			}
			last = i
		}
	}
}
