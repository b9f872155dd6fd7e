package demo

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
)

const (
	wavRate = 8000
	// RecordingsSubdir is the folder part of every recording_url ("rec/<name>.wav").
	RecordingsSubdir = "rec"
)

// WriteRecordings writes the WAV files the demo's recording_url fields point
// to, so that filepath.Join(dir, recording_url) exists: dir/rec/<name>.wav.
// 8 kHz mono 16-bit PCM, 3–8 s each, a short melody; deterministic; about
// 1.3 MB in all.
func WriteRecordings(dir string) error {
	sub := filepath.Join(dir, RecordingsSubdir)
	if err := os.MkdirAll(sub, 0o700); err != nil {
		return err
	}
	for i, name := range RecordingNames {
		if err := os.WriteFile(filepath.Join(sub, name+".wav"), recordingWAV(i), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// recordingWAV synthesizes recording i: a few notes of a pentatonic scale
// with a soft envelope and a little second harmonic, 3 to 8 seconds long.
func recordingWAV(i int) []byte {
	seconds := 3 + float64(i*5)/float64(len(RecordingNames)-1) // 3 … 8 s
	n := int(seconds * wavRate)
	scale := []float64{261.63, 293.66, 329.63, 392.00, 440.00, 523.25, 587.33, 659.25}
	state := uint32(2166136261 ^ uint32(i+1)*16777619)
	next := func() uint32 { // xorshift: deterministic note choices
		state ^= state << 13
		state ^= state >> 17
		state ^= state << 5
		return state
	}
	pcm := make([]byte, 2*n)
	pos := 0
	for pos < n {
		noteLen := int(wavRate * (0.2 + float64(next()%4)*0.1)) // 200–500 ms
		f := scale[next()%uint32(len(scale))]
		rest := next()%6 == 0
		for k := 0; k < noteLen && pos < n; k, pos = k+1, pos+1 {
			var v float64
			if !rest {
				tt := float64(k) / wavRate
				env := math.Min(1, float64(k)/160) * math.Exp(-3*float64(k)/float64(noteLen))
				v = env * (0.8*math.Sin(2*math.Pi*f*tt) + 0.2*math.Sin(4*math.Pi*f*tt))
			}
			// fade in/out of the whole file
			edge := math.Min(1, math.Min(float64(pos), float64(n-pos))/400)
			s := int16(math.Round(v * edge * 0.35 * 32767))
			binary.LittleEndian.PutUint16(pcm[2*pos:], uint16(s))
		}
	}
	return wavFile(pcm)
}

func wavFile(pcm []byte) []byte {
	b := make([]byte, 44, 44+len(pcm))
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+len(pcm)))
	copy(b[8:], "WAVE")
	copy(b[12:], "fmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], 1) // mono
	binary.LittleEndian.PutUint32(b[24:], wavRate)
	binary.LittleEndian.PutUint32(b[28:], wavRate*2) // byte rate
	binary.LittleEndian.PutUint16(b[32:], 2)         // block align
	binary.LittleEndian.PutUint16(b[34:], 16)        // bits per sample
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(len(pcm)))
	return append(b, pcm...)
}
