package recordings_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/recordings"
)

func synthBytes(t *testing.T, d recordings.DemoRecording) []byte {
	t.Helper()
	s, err := recordings.NewSynth(d)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != s.Size() {
		t.Fatalf("read %d bytes, Size says %d", len(b), s.Size())
	}
	return b
}

func TestSynthesisedRecordingIsAWAVOfExactlyItsSeconds(t *testing.T) {
	for _, d := range []recordings.DemoRecording{
		{Kind: recordings.SynthTalk, Seconds: 1, Seed: 1},
		{Kind: recordings.SynthTalk, Seconds: 312, Seed: 8841},
		{Kind: recordings.SynthMessage, Seconds: 20, Seed: 77},
	} {
		b := synthBytes(t, d)
		le := binary.LittleEndian
		if string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" || string(b[12:16]) != "fmt " || string(b[36:40]) != "data" {
			t.Fatalf("%s: not a RIFF/WAVE file: % x", d.Ref(), b[:44])
		}
		if le.Uint16(b[20:]) != 1 || le.Uint16(b[22:]) != 1 || le.Uint32(b[24:]) != 8000 || le.Uint32(b[28:]) != 16000 || le.Uint16(b[32:]) != 2 || le.Uint16(b[34:]) != 16 {
			t.Fatalf("%s: not 8 kHz mono 16-bit PCM: % x", d.Ref(), b[:44])
		}
		if got, want := int(le.Uint32(b[40:])), d.Seconds*16000; got != want || len(b) != 44+want {
			t.Fatalf("%s: data chunk %d bytes, file %d; want %d of data (%d s)", d.Ref(), got, len(b), want, d.Seconds)
		}
		if int(le.Uint32(b[4:])) != len(b)-8 {
			t.Fatalf("%s: RIFF size %d, file %d", d.Ref(), le.Uint32(b[4:]), len(b))
		}
		peak := 0
		for i := 44; i+1 < len(b); i += 2 {
			v := int(int16(le.Uint16(b[i:])))
			peak = max(peak, v, -v)
		}
		if peak < 3000 {
			t.Fatalf("%s: silent (peak %d)", d.Ref(), peak)
		}
	}
}

func TestSynthesisedRecordingIsTheSameForTheSameSeed(t *testing.T) {
	d := recordings.DemoRecording{Kind: recordings.SynthTalk, Seconds: 30, Seed: 8841}
	a, b := synthBytes(t, d), synthBytes(t, d)
	if !bytes.Equal(a, b) {
		t.Fatal("two syntheses of the same (seed, seconds) differ")
	}
	d.Seed++
	if c := synthBytes(t, d); bytes.Equal(a[44:], c[44:]) {
		t.Fatal("another seed gives the same samples")
	}
}

func TestSynthesisedRecordingReadAfterSeekIsThatSliceOfTheFile(t *testing.T) {
	d := recordings.DemoRecording{Kind: recordings.SynthTalk, Seconds: 7, Seed: 42}
	full := synthBytes(t, d)
	s, err := recordings.NewSynth(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		off    int64
		whence int
		n      int
	}{
		{0, io.SeekStart, 10},      // inside the header
		{40, io.SeekStart, 9},      // header into samples
		{101, io.SeekStart, 333},   // odd offset: half a sample
		{50_000, io.SeekStart, 1},  // one byte
		{-100, io.SeekEnd, 100},    // the end
		{-1000, io.SeekCurrent, 7}, // relative
	} {
		pos, err := s.Seek(c.off, c.whence)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, c.n)
		if _, err := io.ReadFull(s, got); err != nil {
			t.Fatalf("read %d at %d: %v", c.n, pos, err)
		}
		if !bytes.Equal(got, full[pos:pos+int64(c.n)]) {
			t.Fatalf("%d bytes at %d differ from the full read", c.n, pos)
		}
	}
	if _, err := s.Seek(0, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Fatalf("read at the end: %d, %v; want 0, EOF", n, err)
	}
	if _, err := s.Seek(-1, io.SeekStart); err == nil {
		t.Fatal("seek before the start accepted")
	}
}

func TestSynthesisedRecordingLengthIsBounded(t *testing.T) {
	for _, secs := range []int{0, -5, recordings.MaxSynthSeconds + 1} {
		if _, err := recordings.NewSynth(recordings.DemoRecording{Kind: recordings.SynthTalk, Seconds: secs, Seed: 1}); err == nil {
			t.Fatalf("%d s accepted", secs)
		}
	}
	if _, err := recordings.NewSynth(recordings.DemoRecording{Kind: recordings.SynthTalk, Seconds: recordings.MaxSynthSeconds, Seed: 1}); err != nil {
		t.Fatalf("%d s: %v", recordings.MaxSynthSeconds, err)
	}
}

func TestDemoRecordingReferenceIsCheckedAtIngest(t *testing.T) {
	ok := []string{
		"demo:talk?seconds=312&seed=8841",
		"demo:message?seconds=20&seed=0",
		"rec/atendimento-01.wav",      // real files as before
		"https://gravacoes.example/1", // allowed host as before
	}
	for _, ref := range ok {
		if err := recordings.Check(ref, []string{"gravacoes.example"}); err != nil {
			t.Errorf("%q refused: %v", ref, err)
		}
	}
	bad := map[string]string{
		"demo:talk?seconds=0&seed=1":       "seconds",
		"demo:talk?seconds=14401&seed=1":   "seconds",
		"demo:talk?seconds=10":             "seed",
		"demo:talk?seconds=10&seed=-1":     "seed",
		"demo:song?seconds=10&seed=1":      "demo:talk",
		"demo:talk?seed=1&seconds=10":      "written demo:talk?seconds=10&seed=1",
		"demo:talk?seconds=010&seed=1":     "written",
		"ftp://gravacoes.example/1.wav":    "http(s)",
		"https://outro.example/1.wav":      "not among",
		"demo:talk?seconds=10&seed=1&x=..": "written",
	}
	for ref, reason := range bad {
		err := recordings.Check(ref, []string{"gravacoes.example"})
		if err == nil || !strings.Contains(err.Error(), reason) {
			t.Errorf("%q: %v; want a refusal saying %q", ref, err, reason)
		}
	}
	d, isDemo, err := recordings.ParseDemo("demo:talk?seconds=312&seed=8841")
	if !isDemo || err != nil || d != (recordings.DemoRecording{Kind: recordings.SynthTalk, Seconds: 312, Seed: 8841}) {
		t.Fatalf("parse: %+v %v %v", d, isDemo, err)
	}
	if _, isDemo, _ := recordings.ParseDemo("demo/talk.wav"); isDemo {
		t.Fatal("a relative path taken for a demo recording")
	}
}

// BenchmarkSynthesisedMinute reads one minute of a synthesised recording
// through a 32 KiB buffer, as http.ServeContent does.
func BenchmarkSynthesisedMinute(b *testing.B) {
	buf := make([]byte, 32<<10)
	for b.Loop() {
		s, err := recordings.NewSynth(recordings.DemoRecording{Kind: recordings.SynthTalk, Seconds: 60, Seed: 7})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{s}, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(44 + 60*16000)
}
