package report

import (
	"context"
	"encoding/json"

	"github.com/rastro/rastro/internal/model"
)

// InteractionSummary is the summary strip of a Rastreio search: totals of
// the whole filtered set (every page), for the same parameters as the page.
//
// Semantics:
//   - Legs counts the legs the search matches; ByStatus splits them by
//     STATUS (stored values: "service completed", "abandoned", …).
//   - ByVoiceStatus (Voz only: media with the voice_status filter) splits
//     them by Status de voz, keyed by the voice_status values of the API
//     ("answered", "no_answer", …); a call without a Status de voz is left
//     out. Absent from the JSON for the other media.
//   - MeanDuration, MeanTMR, MeanTM1R are the means of DURAÇÃO, TMR and TM1R
//     over the legs that have the value, printed as the report prints
//     durations (HH:MM:SS, halves up, hours past 24); "" when no leg has it —
//     an empty set, or a figure that does not apply to the media (TM1R and
//     TMR of a call), as the CSV leaves the cell empty.
//   - ExpiredPct is the share of Expirado among the legs that have a STATUS
//     DE EXPIRAÇÃO (Chat, WhatsApp), as the IVR and Agentes reports print
//     percentages ("12,5%"); "" when no leg has one.
//
// Maps are never null: an empty set answers {"legs":0,"by_status":{},…}.
type InteractionSummary struct {
	Legs          int64
	ByStatus      map[string]int64
	ByVoiceStatus map[string]int64 // nil for media other than Voz
	MeanDuration  string
	MeanTMR       string
	MeanTM1R      string
	ExpiredPct    string
}

// MarshalJSON writes the summary with by_voice_status only for Voz (an
// empty {} there, absent elsewhere).
func (s InteractionSummary) MarshalJSON() ([]byte, error) {
	var voice any
	if s.ByVoiceStatus != nil {
		voice = s.ByVoiceStatus
	}
	return json.Marshal(struct {
		Legs          int64            `json:"legs"`
		ByStatus      map[string]int64 `json:"by_status"`
		ByVoiceStatus any              `json:"by_voice_status,omitempty"`
		MeanDuration  string           `json:"mean_duration"`
		MeanTMR       string           `json:"mean_tmr"`
		MeanTM1R      string           `json:"mean_tm1r"`
		ExpiredPct    string           `json:"expired_pct"`
	}{s.Legs, s.ByStatus, voice, s.MeanDuration, s.MeanTMR, s.MeanTM1R, s.ExpiredPct})
}

// InteractionsSummary totals a Rastreio query (q's paging is ignored): one
// aggregate query over the same scoped filter as the page (see
// store.SummarizeLegs), from wherever the page reads (the analytics engine
// when it answers).
func (r *Reports) InteractionsSummary(ctx context.Context, p model.Principal, q InteractionQuery) (InteractionSummary, error) {
	st, err := r.summarizeLegs(ctx, p, q.Filter)
	if err != nil {
		return InteractionSummary{}, err
	}
	s := InteractionSummary{
		Legs:         st.Legs,
		ByStatus:     st.ByStatus,
		MeanDuration: fmtAvgDuration(st.DurationSum, st.DurationN),
		MeanTMR:      fmtAvgDuration(st.TMRSum, st.TMRN),
		MeanTM1R:     fmtAvgDuration(st.TM1RSum, st.TM1RN),
		ExpiredPct:   fmtRatio(float64(st.Expired), float64(st.ExpiredN)),
	}
	if q.Media.HasFilter("voice_status") {
		s.ByVoiceStatus = st.ByVoiceStatus
	}
	return s, nil
}
