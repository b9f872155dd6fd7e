package metrics

import (
	"testing"
	"time"
)

func TestChatProtocolMatchesSpecReading(t *testing.T) {
	at := time.Date(2025, 3, 17, 13, 20, 45, 0, time.UTC)
	if at.UnixMilli() != 1742217645000 {
		t.Fatalf("epoch = %d", at.UnixMilli())
	}
	if got := ProtocolBase("chat", at); got != "000546712247154023171305202" {
		t.Errorf("chat protocol = %q", got)
	}
	// The worked example: 2025-06-02 15:00:00-03:00.
	ex := time.Date(2025, 6, 2, 15, 0, 0, 0, DefaultTZ)
	if got := ProtocolBase("chat", ex); got != "000002788847100008120605202" {
		t.Errorf("worked example protocol = %q", got)
	}
	// Milliseconds reach the protocol (reversed, so at the front).
	ms := time.Date(2025, 3, 17, 13, 20, 45, 123_000_000, time.UTC)
	if got := ProtocolBase("chat", ms); got != "321546712247154023171305202" {
		t.Errorf("chat protocol with ms = %q", got)
	}
	if len(ProtocolBase("chat", ms)) > 30 {
		t.Error("chat protocol longer than 30")
	}
}

func TestChatProtocolIsAtMost30(t *testing.T) {
	// Year 9999 has a 15-digit epoch: 14 + 15 = 29 characters, under the cut.
	far := time.Date(9999, 12, 31, 23, 59, 59, 999_000_000, time.UTC)
	got := ProtocolBase("chat", far)
	if want := reverse("99991231235959" + "253402300799999"); got != want || len(got) > 30 {
		t.Errorf("got %q (%d), want %q", got, len(got), want)
	}
}

func TestVoiceProtocolIsUTCStamp(t *testing.T) {
	at := time.Date(2025, 6, 2, 21, 30, 5, 999_000_000, DefaultTZ) // 00:30:05 UTC next day
	for _, media := range []string{"voice", "email", "sms", "instagram", "reclameaqui", "unknown"} {
		if got := ProtocolBase(media, at); got != "20250603003005" {
			t.Errorf("%s protocol = %q", media, got)
		}
	}
	if ProtocolBase("voice", time.Time{}) != "" {
		t.Error("zero time must give empty protocol")
	}
}

func TestWhatsAppProtocolHasFourTickDigits(t *testing.T) {
	for _, tc := range []struct {
		nanos int
		want  string
	}{
		{0, "202506021800000000"},
		{100_000, "202506021800000001"},     // 1 tick = 100 µs
		{1_000_000, "202506021800000010"},   // 1 ms = 10 ticks
		{123_456_789, "202506021800001234"}, // 123.4 ms → 1234 ticks (truncated)
		{999_999_999, "202506021800009999"}, // last tick of the second
		{500_000_000, "202506021800005000"}, // half a second
	} {
		at := time.Date(2025, 6, 2, 18, 0, 0, tc.nanos, time.UTC)
		got := ProtocolBase("whatsapp", at)
		if got != tc.want || len(got) != 18 {
			t.Errorf("nanos %d: %q, want %q", tc.nanos, got, tc.want)
		}
	}
}

func TestCollisionSuffix(t *testing.T) {
	for _, tc := range []struct {
		rank int
		want string
	}{{0, "P"}, {1, "P"}, {2, "P-2"}, {11, "P-11"}} {
		if got := WithCollisionSuffix("P", tc.rank); got != tc.want {
			t.Errorf("rank %d: %q", tc.rank, got)
		}
	}
}
