package asterisk

import (
	"bytes"
	"errors"
	"testing"

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
