package metrics

import (
	"math"
	"testing"
	"time"
)

func TestDurationRoundsHalfUp(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "00:00:00"},
		{0.49, "00:00:00"},
		{0.5, "00:00:01"},
		{1.5, "00:00:02"},
		{2.5, "00:00:03"},
		{59.5, "00:01:00"},
		{3599.5, "01:00:00"},
		{536, "00:08:56"},
		{67, "00:01:07"},
		{-5, "-00:00:05"},
		{-0.2, "00:00:00"},
	} {
		if got := FormatDuration(tc.in); got != tc.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDurationHoursDoNotWrap(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{25*3600 + 59*60 + 50, "25:59:50"},
		{24 * 3600, "24:00:00"},
		{100*3600 + 1, "100:00:01"},
	} {
		if got := FormatDuration(tc.in); got != tc.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDurationNotANumberIsEmpty(t *testing.T) {
	if FormatDuration(math.NaN()) != "" || FormatDuration(math.Inf(1)) != "" {
		t.Error("NaN/Inf must print empty")
	}
}

func TestDateFormatsUseTenantZone(t *testing.T) {
	at := time.Date(2025, 6, 2, 18, 0, 4, 900_000_000, time.UTC) // 15:00:04.9 in São Paulo
	if got := FormatDateTime(at, nil); got != "2025-06-02 15:00:04" {
		t.Errorf("FormatDateTime = %q", got)
	}
	if got := FormatDayFirst(at, nil); got != "02-06-2025 15:00:04" {
		t.Errorf("FormatDayFirst = %q", got)
	}
	tokyo := time.FixedZone("JST", 9*3600)
	if got := FormatDateTime(at, tokyo); got != "2025-06-03 03:00:04" {
		t.Errorf("FormatDateTime(Tokyo) = %q", got)
	}
	if FormatDateTime(time.Time{}, nil) != "" || FormatDayFirst(time.Time{}, nil) != "" {
		t.Error("zero time must print empty")
	}
	if got := HourBucket(at, nil); got != "2025-06-02 15" {
		t.Errorf("HourBucket = %q", got)
	}
}

func TestJitterClassBoundaries(t *testing.T) {
	for _, tc := range []struct {
		ms   float64
		want string
	}{
		{0, "Alta"}, {69.999, "Alta"}, {70, "Média"}, {150.999, "Média"}, {151, "Baixa"}, {400, "Baixa"},
	} {
		if got := JitterClass(tc.ms); got != tc.want {
			t.Errorf("JitterClass(%v) = %q, want %q", tc.ms, got, tc.want)
		}
	}
}

func TestPacketLossBoundaries(t *testing.T) {
	for _, tc := range []struct {
		pct  float64
		want string
	}{
		{0, "Alta"}, {1, "Alta"}, {1.0001, "Média"}, {5, "Média"}, {5.0001, "Baixa"}, {30, "Baixa"},
	} {
		if got := PacketLossClass(tc.pct); got != tc.want {
			t.Errorf("PacketLossClass(%v) = %q, want %q", tc.pct, got, tc.want)
		}
	}
}

func TestCallQualityIsTheWorseClass(t *testing.T) {
	for _, tc := range []struct {
		name         string
		jitter, loss *float64
		want         string
	}{
		{"neither known", nil, nil, ""},
		{"jitter only", fp(30), nil, "Alta"},
		{"loss only", nil, fp(3), "Média"},
		{"both high", fp(30), fp(0.5), "Alta"},
		{"jitter medium wins", fp(100), fp(0.5), "Média"},
		{"loss low wins", fp(30), fp(7), "Baixa"},
		{"jitter low wins", fp(200), fp(2), "Baixa"},
	} {
		if got := CallQuality(tc.jitter, tc.loss); got != tc.want {
			t.Errorf("%s: CallQuality = %q, want %q", tc.name, got, tc.want)
		}
	}
}
