package metrics

import (
	"fmt"
	"strconv"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// ProtocolBase generates the protocol of SPEC.md §3.1 from the interaction's
// start (interaction.created at); the zero time gives "".
//
//   - voice and every media but WhatsApp and Chat: AAAAMMDDHHMMSS in UTC.
//   - whatsapp: the same followed by the ticks of that second, 4 digits.
//     Decision: 10 ticks = 1 ms, so a tick is 100 µs and a second has 10 000
//     of them: ticks = nanoseconds-of-the-second / 100 000 (truncated),
//     0000–9999. E.g. 18:00:00.1234567 → "1234".
//   - chat: AAAAMMDDHHMMSS (UTC) followed by the epoch in milliseconds, the
//     whole string reversed, cut to 30 characters.
func ProtocolBase(media string, created time.Time) string {
	if created.IsZero() {
		return ""
	}
	u := created.UTC()
	stamp := u.Format("20060102150405")
	switch media {
	case model.MediaWhatsApp:
		return stamp + fmt.Sprintf("%04d", u.Nanosecond()/100_000)
	case model.MediaChat:
		s := reverse(stamp + strconv.FormatInt(u.UnixMilli(), 10))
		if len(s) > 30 {
			s = s[:30]
		}
		return s
	default:
		return stamp
	}
}

// WithCollisionSuffix gives the protocol of the rank-th interaction that
// generated the same base: rank 1 → base; rank n ≥ 2 → base + "-" + n.
func WithCollisionSuffix(base string, rank int) string {
	if rank <= 1 {
		return base
	}
	return base + "-" + strconv.Itoa(rank)
}

// reverse reverses an ASCII string (protocol stamps are digits only).
func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
