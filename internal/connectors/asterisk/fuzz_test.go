package asterisk

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
)

// FuzzQueueLogNeverPanics: any file handed to `rastro ingest --format
// asterisk-queue-log` is translated or refused line by line, never a panic.
func FuzzQueueLogNeverPanics(f *testing.F) {
	for _, s := range []string{
		"1717340400|1717340400.1|Q1|NONE|ENTERQUEUE||11999990000|1\n1717340410|1717340400.1|Q1|SIP/100|CONNECT|10|1717340410.2|3\n1717340500|1717340400.1|Q1|SIP/100|COMPLETECALLER|10|90|1\n",
		"1717340400|1717340400.1|Q1|NONE|ABANDON|1|1|10\n",
		"x|y|z\n\n||||\n",
		"1717340400|1717340400.1|NONE|SIP/100|ADDMEMBER|\n1717340400|1717340400.1|NONE|SIP/100|PAUSE|almoco\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := Translate(bytes.NewReader(data), Options{}, func(int, model.Event) error { return nil })
		var p Problems
		if err != nil && !errors.As(err, &p) {
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
	})
}

// FuzzCDRNeverPanics: any file handed to `rastro ingest --format
// asterisk-cdr` is translated or refused line by line, never a panic, and
// every event it emits passes rastro's validation (ids, enums, dates from
// 2000, no NUL), except what only the content can break: texts over 256
// characters or with bidirectional controls, left to ingest's own report.
func FuzzCDRNeverPanics(f *testing.F) {
	for _, s := range []string{masterCSV, "\"a\",\"b\n", "\xff\xfe,\"\"\"\n,,,\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var body bytes.Buffer
		n := 0
		err := TranslateCDR(bytes.NewReader(data), CDROptions{}, func(_ int, ev model.Event) error {
			b, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			body.Write(append(b, '\n'))
			n++
			return nil
		})
		var p Problems
		if err != nil && !errors.As(err, &p) {
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
		if n > 0 {
			// Any date up to year 9999 may be "now" for some import.
			opt := ingest.Options{Now: time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC)}
			_, _, err := ingest.Decode(body.Bytes(), opt)
			if err != nil && !strings.Contains(err.Error(), "must be at most") && !strings.Contains(err.Error(), "bidirectional") {
				t.Fatalf("emitted events fail validation: %v\n%s", err, body.String())
			}
		}
	})
}

// TestCDRMutatedInputs runs FuzzCDRNeverPanics's checks on 1000 seeded
// mutations of the sample Master.csv (byte changes, deletions, and
// inserted quotes, commas, newlines and digits), since coverage-guided
// fuzzing of this target is slow on a loaded machine.
func TestCDRMutatedInputs(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	base := []byte(masterCSV)
	now := time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC)
	for n := 0; n < 1000; n++ {
		b := append([]byte(nil), base...)
		for k := rng.Intn(20); k >= 0; k-- {
			i := rng.Intn(len(b))
			switch rng.Intn(3) {
			case 0:
				b[i] = byte(rng.Intn(256))
			case 1:
				b = append(b[:i], b[i+1:]...)
			default:
				b = append(b[:i], append([]byte{"\",\n0-:;="[rng.Intn(8)]}, b[i:]...)...)
			}
		}
		var body bytes.Buffer
		err := TranslateCDR(bytes.NewReader(b), CDROptions{}, func(_ int, ev model.Event) error {
			j, err := json.Marshal(ev)
			body.Write(append(j, '\n'))
			return err
		})
		var p Problems
		if err != nil && !errors.As(err, &p) {
			t.Fatalf("%q: unexpected error %T: %v", b, err, err)
		}
		if body.Len() > 0 {
			if _, _, err := ingest.Decode(body.Bytes(), ingest.Options{Now: now}); err != nil {
				t.Fatalf("%q: emitted events fail validation: %v", b, err)
			}
		}
	}
}
