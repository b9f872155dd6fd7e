package asterisk

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
)

// TestConnectorShortensLongTextInsteadOfRefusingIt: a CDR whose channel
// and dialed number are longer than the contract's 256 characters is
// imported with those fields cut and marked, and every event passes the
// ingest validation (which would refuse the whole file otherwise).
func TestConnectorShortensLongTextInsteadOfRefusingIt(t *testing.T) {
	long := strings.Repeat("ç", 400)
	row := `"","11987654321","` + long + `","from-external","""Maria"" <11987654321>","PJSIP/` + long + `","PJSIP/1001-00000002","Queue","suporte,t,,,300","2026-10-05 10:00:00","2026-10-05 10:00:12","2026-10-05 10:03:12",192,180,"ANSWERED","DOCUMENTATION","1759669200.1","","","1759669200.1",1` + "\n"
	var body strings.Builder
	err := TranslateCDR(strings.NewReader(row), CDROptions{Call: CallOptions{QueueLegs: true}}, func(_ int, ev model.Event) error {
		for _, s := range []string{ev.DialedNumber, ev.ExternalChannel, ev.From, ev.To} {
			if utf8.RuneCountInString(s) > maxLabelRunes {
				t.Errorf("%s: %d characters", ev.Type, utf8.RuneCountInString(s))
			}
		}
		if ev.Type == model.TypeCallUpdated && ev.DialedNumber != "" && !strings.HasSuffix(ev.DialedNumber, truncMarker) {
			t.Errorf("dialed number cut without the marker: %.40q…", ev.DialedNumber)
		}
		b, err := ev.MarshalJSON()
		body.Write(append(b, '\n'))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ingest.Decode([]byte(body.String()), ingest.Options{}); err != nil {
		t.Fatalf("translated events refused: %v", err)
	}
	if got := fitText(strings.Repeat("é", 40_000)); len(got) > maxTextBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, truncMarker) {
		t.Errorf("fitText: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
}
