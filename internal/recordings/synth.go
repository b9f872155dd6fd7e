package recordings

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// Synthesised recordings: the demo's recording_url values name no file but
// a recording computed on request, "demo:talk?seconds=312&seed=8841" (a
// conversation) or "demo:message?seconds=20&seed=77" (a message left by one
// voice). A month of real WAV files would be gigabytes; these cost nothing
// on disk and, computed from (seed, offset), a few kilobytes per request
// whatever the length. The "demo:" scheme is neither a relative path nor an
// http(s) URL, so it collides with no real recording reference.

const (
	// DemoScheme is the scheme of a synthesised recording reference.
	DemoScheme = "demo"
	// SynthRate is the sample rate of a synthesised recording: 8 kHz mono
	// 16-bit PCM, the quality of a phone call.
	SynthRate = 8000
	// MaxSynthSeconds bounds a synthesised recording (4 h, 230 MB of WAV):
	// the longest call the demo makes is under one hour.
	MaxSynthSeconds = 4 * 3600

	wavHeader = 44
	// block is one "syllable" of the synthesised speech: 250 ms.
	block = SynthRate / 4
)

// Synth kinds.
const (
	SynthTalk    = "talk"    // two voices taking turns
	SynthMessage = "message" // one voice
)

// DemoRecording is a parsed synthesised recording reference.
type DemoRecording struct {
	Kind    string // SynthTalk or SynthMessage
	Seconds int    // 1 … MaxSynthSeconds
	Seed    uint64
}

// Ref is the recording_url naming d.
func (d DemoRecording) Ref() string {
	return DemoScheme + ":" + d.Kind + "?seconds=" + strconv.Itoa(d.Seconds) + "&seed=" + strconv.FormatUint(d.Seed, 10)
}

// ParseDemo tells whether ref is a synthesised recording reference (its
// scheme is "demo") and, if so, parses it. Only the form Ref writes is
// accepted; err says why another is not.
func ParseDemo(ref string) (d DemoRecording, ok bool, err error) {
	scheme, rest, found := strings.Cut(ref, ":")
	if !found || !hasScheme(ref) || !strings.EqualFold(scheme, DemoScheme) {
		return DemoRecording{}, false, nil
	}
	kind, query, _ := strings.Cut(rest, "?")
	if kind != SynthTalk && kind != SynthMessage {
		return DemoRecording{}, true, fmt.Errorf("a demo recording must be demo:%s or demo:%s, not demo:%s", SynthTalk, SynthMessage, kind)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return DemoRecording{}, true, fmt.Errorf("a demo recording's query: %v", err)
	}
	secs, err := strconv.Atoi(q.Get("seconds"))
	if err != nil || secs < 1 || secs > MaxSynthSeconds {
		return DemoRecording{}, true, fmt.Errorf("a demo recording's seconds must be 1-%d", MaxSynthSeconds)
	}
	seed, err := strconv.ParseUint(q.Get("seed"), 10, 64)
	if err != nil {
		return DemoRecording{}, true, errors.New("a demo recording's seed must be an unsigned integer")
	}
	d = DemoRecording{Kind: kind, Seconds: secs, Seed: seed}
	if d.Ref() != ref {
		return DemoRecording{}, true, fmt.Errorf("a demo recording must be written %s", d.Ref())
	}
	return d, true, nil
}

// Synth is a synthesised recording as a WAV file: an io.ReadSeeker whose
// bytes are computed from (seed, offset) as they are read.
type Synth struct {
	d    DemoRecording
	hdr  [wavHeader]byte
	size int64
	off  int64
	blk  syllable // the last block computed
}

// NewSynth returns the WAV file of d, positioned at its start.
func NewSynth(d DemoRecording) (*Synth, error) {
	if d.Seconds < 1 || d.Seconds > MaxSynthSeconds {
		return nil, fmt.Errorf("synthesised recording of %d s: must be 1-%d", d.Seconds, MaxSynthSeconds)
	}
	if d.Kind != SynthTalk && d.Kind != SynthMessage {
		return nil, fmt.Errorf("synthesised recording kind %q: must be %s or %s", d.Kind, SynthTalk, SynthMessage)
	}
	data := uint32(d.Seconds) * SynthRate * 2
	s := &Synth{d: d, size: wavHeader + int64(data)}
	b := s.hdr[:]
	le := binary.LittleEndian
	copy(b[0:], "RIFF")
	le.PutUint32(b[4:], 36+data)
	copy(b[8:], "WAVE")
	copy(b[12:], "fmt ")
	le.PutUint32(b[16:], 16)
	le.PutUint16(b[20:], 1) // PCM
	le.PutUint16(b[22:], 1) // mono
	le.PutUint32(b[24:], SynthRate)
	le.PutUint32(b[28:], SynthRate*2) // byte rate
	le.PutUint16(b[32:], 2)           // block align
	le.PutUint16(b[34:], 16)          // bits per sample
	copy(b[36:], "data")
	le.PutUint32(b[40:], data)
	return s, nil
}

// Size is the length of the WAV file in bytes.
func (s *Synth) Size() int64 { return s.size }

// Name is a file name for the recording (Content-Disposition, type sniffing).
func (s *Synth) Name() string {
	return "demo-" + s.d.Kind + "-" + strconv.FormatUint(s.d.Seed, 10) + ".wav"
}

// Seek implements io.Seeker.
func (s *Synth) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = s.off + offset
	case io.SeekEnd:
		abs = s.size + offset
	default:
		return 0, errors.New("synthesised recording: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("synthesised recording: negative position")
	}
	s.off = abs
	return abs, nil
}

// Read implements io.Reader.
func (s *Synth) Read(p []byte) (int, error) {
	if s.off >= s.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), s.size-s.off))
	for i := 0; i < n; {
		off := s.off + int64(i)
		if off < wavHeader {
			i += copy(p[i:n], s.hdr[off:])
			continue
		}
		var b [2]byte
		binary.LittleEndian.PutUint16(b[:], uint16(s.sample((off-wavHeader)/2)))
		i += copy(p[i:n], b[(off-wavHeader)%2:])
	}
	s.off += int64(n)
	return n, nil
}

// sample computes sample k from the seed alone: speech-like 250 ms
// syllables (a glottal pitch with a few formant-ish harmonics under a
// raised-sine envelope) in 3 s turns, a pause at each turn and now and
// then, and a faint line hiss throughout. In a talk each turn is one of two
// voices (≈120 Hz and ≈210 Hz); a message has one. The harmonic recurrence
// and the per-block cache took a minute of audio from 121 ms to 38 ms of
// one core (BenchmarkSynthesisedMinute, measured on a busy 2-core machine):
// a 50-minute demo call downloads whole in about 2 s of CPU.
func (s *Synth) sample(k int64) int16 {
	blk := k / block
	if blk != s.blk.n || !s.blk.set {
		s.blk = s.syllable(blk)
	}
	var v float64
	if b := s.blk; b.voiced {
		pos := float64(k%block) / block
		env := math.Sin(math.Pi * pos)
		env *= env
		// Harmonics h·θ by the angle-addition recurrence: one Sincos per
		// sample instead of six Sin calls.
		s1, c1 := math.Sincos(2 * math.Pi * b.f0 * float64(k) / SynthRate)
		sh, ch := s1, c1
		for h := 1.0; h <= 6; h++ {
			v += sh / (1 + (h-b.formant)*(h-b.formant))
			sh, ch = sh*c1+ch*s1, ch*c1-sh*s1
		}
		v *= 0.22 * env
	}
	v += 0.015 * (unit(hash(s.d.Seed, 5, uint64(k))) - 0.5) // line hiss
	// Fade in and out over 50 ms at the ends of the file.
	n := int64(s.d.Seconds) * SynthRate
	edge := math.Min(1, float64(min(k, n-1-k))/400)
	return int16(math.Round(math.Max(-1, math.Min(1, v*edge)) * 32767))
}

// syllable is what block n of the recording is, from the seed alone.
func (s *Synth) syllable(n int64) syllable {
	seed, blk := s.d.Seed, uint64(n)
	b := syllable{n: n, set: true}
	// The first block of a 3 s turn and one block in six are silent: pauses.
	if blk%12 == 0 || hash(seed, 2, blk)%6 == 0 {
		return b
	}
	voice := 0
	if s.d.Kind == SynthTalk {
		voice = int(hash(seed, 1, blk/12) % 2)
	}
	b.voiced = true
	b.f0 = []float64{118, 205}[voice] * (0.9 + 0.2*unit(hash(seed, 3, blk))) // intonation per syllable
	b.formant = 2 + float64(hash(seed, 4, blk)%4)                            // which harmonic is loud (vowel)
	return b
}

// syllable: the parameters of one block (a cache of the last one used;
// a pure function of the seed and the block number).
type syllable struct {
	n           int64
	set, voiced bool
	f0, formant float64
}

// hash mixes its arguments (splitmix64 steps): the same inputs give the
// same output on every platform.
func hash(xs ...uint64) uint64 {
	h := uint64(0x9E3779B97F4A7C15)
	for _, x := range xs {
		h ^= x
		h += 0x9E3779B97F4A7C15
		h = (h ^ h>>30) * 0xBF58476D1CE4E5B9
		h = (h ^ h>>27) * 0x94D049BB133111EB
		h ^= h >> 31
	}
	return h
}

// unit maps h to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }
