package report

import (
	"math"
	"strconv"
	"strings"

	"github.com/rastro/rastro/internal/metrics"
)

// count prints a count as a plain integer (no thousands separator).
func fmtCount(n int64) string { return strconv.FormatInt(n, 10) }

// avgDuration prints sum/n seconds as HH:MM:SS; "" when n is 0.
func fmtAvgDuration(sum float64, n int64) string {
	if n <= 0 {
		return ""
	}
	return fmtSeconds(sum / float64(n))
}

// fmtSeconds prints seconds added up over many rows (a sum, or an average
// of one) as HH:MM:SS. The same values added up in another order — the
// store's rollup rows, SQLite or PostgreSQL, the shards of the analytics
// engine — differ in their last bits, and a sum that is a whole half
// second (averages of millisecond durations often are) would round either
// way; a tiny epsilon (1 µs) absorbs that noise, as FormatPercent's does,
// so every path prints the same.
func fmtSeconds(s float64) string { return metrics.FormatDuration(s + 1e-6) }

// ratio prints num/den as a percentage (FormatPercent); "" when den is 0.
func fmtRatio(num, den float64) string {
	if den <= 0 {
		return ""
	}
	return FormatPercent(100 * num / den)
}

// FormatPercent prints a percentage the pt-BR way: one decimal, rounded half
// up (away from zero), decimal comma, no thousands separator, "%" glued:
// 85 → "85,0%", 72.45 → "72,5%", 1234.5 → "1234,5%". A tiny epsilon absorbs
// binary noise (100×1449/2000 is 72.44999… in floating point).
func FormatPercent(pct float64) string {
	if math.IsNaN(pct) || math.IsInf(pct, 0) {
		return ""
	}
	tenths := math.Floor(math.Abs(pct)*10 + 0.5 + 1e-6)
	if pct < 0 && tenths > 0 {
		tenths = -tenths
	}
	return strings.Replace(strconv.FormatFloat(tenths/10, 'f', 1, 64), ".", ",", 1) + "%"
}
