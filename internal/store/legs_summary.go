package store

import (
	"context"
	"fmt"

	"github.com/rastro/rastro/internal/model"
)

// LegSummary is the totals of a Rastreio search: counts and the sums the
// summary strip divides into means. A sum covers only the legs that have
// the value (its N); a NULL metric (TM1R of a call, the expiration status of
// an e-mail) is neither summed nor counted.
type LegSummary struct {
	Legs          int64
	ByStatus      map[string]int64 // leg status → legs
	ByVoiceStatus map[string]int64 // voice_status → legs; legs without one are left out
	DurationSum   float64
	DurationN     int64
	TMRSum        float64
	TMRN          int64
	TM1RSum       float64
	TM1RN         int64
	Expired       int64 // legs whose STATUS DE EXPIRAÇÃO is Expirado
	ExpiredN      int64 // legs that have a STATUS DE EXPIRAÇÃO
}

// SummarizeLegs totals the legs a Rastreio search matches, in one aggregate
// query over the same scoped WHERE as Legs and CountLegs (legWhere): the
// summary cannot count a leg the page would not list, nor miss one.
func (db *DB) SummarizeLegs(ctx context.Context, p model.Principal, f LegFilter) (LegSummary, error) {
	where, args := db.legWhere(p, f).Where()
	from, _, _ := legsFrom(f)
	rows, err := db.query(ctx, db.r, `SELECT l.status, l.voice_status, COUNT(*),
	COALESCE(SUM(l.duration), 0), COUNT(l.duration),
	COALESCE(SUM(l.tmr), 0), COUNT(l.tmr),
	COALESCE(SUM(l.tm1r), 0), COUNT(l.tm1r),
	COALESCE(SUM(l.expired), 0), COUNT(l.expired)
FROM `+from+` WHERE `+where+` GROUP BY l.status, l.voice_status`, args...)
	if err != nil {
		return LegSummary{}, fmt.Errorf("summarize legs: %w", err)
	}
	defer rows.Close()
	s, err := ScanLegSummary(rows)
	if err != nil {
		return LegSummary{}, fmt.Errorf("summarize legs: %w", err)
	}
	return s, nil
}

// SummaryRows is what ScanLegSummary reads: *sql.Rows, or the analytics
// engine's rows.
type SummaryRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ScanLegSummary adds up the rows of a summary query — per (status,
// voice_status): legs, then sum and count of DURAÇÃO, TMR, TM1R and
// expired — the store's and the analytics engine's alike.
func ScanLegSummary(rows SummaryRows) (LegSummary, error) {
	s := LegSummary{ByStatus: map[string]int64{}, ByVoiceStatus: map[string]int64{}}
	for rows.Next() {
		var status, voice string
		var n, durN, tmrN, tm1rN, exp, expN int64
		var dur, tmr, tm1r float64
		if err := rows.Scan(&status, &voice, &n, &dur, &durN, &tmr, &tmrN, &tm1r, &tm1rN, &exp, &expN); err != nil {
			return LegSummary{}, err
		}
		s.Legs += n
		s.ByStatus[status] += n
		if voice != "" {
			s.ByVoiceStatus[voice] += n
		}
		s.DurationSum, s.DurationN = s.DurationSum+dur, s.DurationN+durN
		s.TMRSum, s.TMRN = s.TMRSum+tmr, s.TMRN+tmrN
		s.TM1RSum, s.TM1RN = s.TM1RSum+tm1r, s.TM1RN+tm1rN
		s.Expired, s.ExpiredN = s.Expired+exp, s.ExpiredN+expN
	}
	return s, rows.Err()
}
