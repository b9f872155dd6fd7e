package metrics

import "testing"

func TestMaskDocumentKeepsTheMiddle(t *testing.T) {
	for in, want := range map[string]string{
		"39053344705":        "***.533.447-**",
		"390.533.447-05":     "***.533.447-**",
		"11.222.333/0001-81": "**.***.***/0001-**",
		"12ABC34501DE35":     "**.***.***/01DE-**",
		"12345":              "*****",
		"":                   "",
	} {
		if got := MaskDocument(in); got != want {
			t.Errorf("MaskDocument(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskPhoneKeepsLastFourDigits(t *testing.T) {
	for in, want := range map[string]string{
		"+55 (11) 98765-1234": "*********1234",
		"11987651234":         "*******1234",
		"1005":                "****",
		"12":                  "**",
		"":                    "",
		"anonymous":           "****",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskEmail(t *testing.T) {
	for in, want := range map[string]string{
		"jose@example.org":  "j***@example.org",
		"Ze@Example.org":    "Z***@Example.org",
		"émile@example.org": "é***@example.org",
		"nope":              "***",
		"@example.org":      "***",
		"":                  "",
	} {
		if got := MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
