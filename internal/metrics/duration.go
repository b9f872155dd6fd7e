package metrics

import (
	"fmt"
	"math"
	"time"
)

// FormatDuration prints seconds as HH:MM:SS, rounded to the nearest second
// (halves up) and with hours that do not wrap at 24 (25:59:50). A negative
// value keeps its sign ("-00:00:05"); NaN and ±Inf print "".
func FormatDuration(seconds float64) string {
	if math.IsNaN(seconds) || math.IsInf(seconds, 0) {
		return ""
	}
	neg := seconds < 0
	if neg {
		seconds = -seconds
	}
	s := int64(math.Floor(seconds + 0.5))
	out := fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
	if neg && s > 0 {
		out = "-" + out
	}
	return out
}

// formatSeconds is FormatDuration of an optional metric ("" when nil).
func formatSeconds(p *float64) string {
	if p == nil {
		return ""
	}
	return FormatDuration(*p)
}

// FormatDateTime prints t as AAAA-MM-DD HH:MM:SS in loc (nil: America/Sao_Paulo).
// The zero time prints "".
func FormatDateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(orDefaultTZ(loc)).Format("2006-01-02 15:04:05")
}

// FormatDayFirst prints t as DD-MM-AAAA HH:MM:SS in loc (the order the page
// uses for DATA FINALIZAÇÃO CLIENTE/AGENTE). The zero time prints "".
func FormatDayFirst(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(orDefaultTZ(loc)).Format("02-01-2006 15:04:05")
}

// FormatDate prints the local date AAAA-MM-DD ("" for the zero time).
func FormatDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(orDefaultTZ(loc)).Format("2006-01-02")
}

// FormatTime prints the local time of day HH:MM:SS ("" for the zero time).
func FormatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(orDefaultTZ(loc)).Format("15:04:05")
}

// HourBucket is the rollup grain: the local hour "AAAA-MM-DD HH".
func HourBucket(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(orDefaultTZ(loc)).Format("2006-01-02 15")
}

func ptrDateTime(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return FormatDateTime(*t, loc)
}

func ptrDayFirst(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return FormatDayFirst(*t, loc)
}

// secondsBetween is b − a in seconds, never negative.
func secondsBetween(a, b time.Time) float64 {
	if b.Before(a) {
		return 0
	}
	return b.Sub(a).Seconds()
}

func f64(v float64) *float64 { return &v }

func timePtr(t time.Time) *time.Time { return &t }
