package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

func TestBatchOfMoreThanTenThousandEventsIsTooLarge(t *testing.T) {
	var b strings.Builder
	for i := 0; i < MaxBatchEvents; i++ {
		b.WriteString(event(fmt.Sprint("e", i), "agent.logout", `"agent_id":"a"`) + "\n")
	}
	evs, _, err := Decode([]byte(b.String()), Options{})
	if err != nil || len(evs) != MaxBatchEvents {
		t.Fatalf("10,000 events: %v, %d decoded", err, len(evs))
	}
	b.WriteString(event("one-more", "agent.logout", `"agent_id":"a"`))
	_, _, err = Decode([]byte(b.String()), Options{})
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Max != MaxBatchEvents {
		t.Fatalf("10,001 events: want *TooLargeError, got %v", err)
	}
	// A JSON array counts its elements the same way.
	arr := "[" + strings.Repeat(event("x", "agent.logout", `"agent_id":"a"`)+",", MaxBatchEvents) + event("y", "agent.logout", `"agent_id":"a"`) + "]"
	if _, _, err := Decode([]byte(arr), Options{}); !errors.As(err, &tl) {
		t.Fatalf("array of 10,001: want *TooLargeError, got %v", err)
	}
}

func TestRejectedBatchListsAThousandProblemsAndCountsTheRest(t *testing.T) {
	body := strings.Repeat("not json\n", 2500)
	_, _, err := Decode([]byte(body), Options{})
	var be *BatchError
	if !errors.As(err, &be) {
		t.Fatalf("want *BatchError, got %v", err)
	}
	if len(be.Errors) != MaxErrors || be.Omitted != 1500 {
		t.Fatalf("%d listed, %d omitted", len(be.Errors), be.Omitted)
	}
	b, _ := json.Marshal(be)
	if !strings.HasSuffix(string(b), `],"omitted":1500}`) {
		t.Errorf("422 body ends %s", b[len(b)-40:])
	}
	if len(b) > 200*MaxErrors {
		t.Errorf("422 body of %d bytes", len(b))
	}
	if !strings.HasPrefix(be.Error(), "invalid batch: 2500 problem(s)") {
		t.Errorf("Error() = %.60s", be.Error())
	}
}

func TestErrorsNeverEchoHugeValues(t *testing.T) {
	long := strings.Repeat("é", 100_000)
	body := fmt.Sprintf(`{"id":%q,"type":%q,"at":"2025-06-02T15:00:00Z"}`, long, long)
	_, _, err := Decode([]byte(body), Options{})
	b, _ := json.Marshal(err)
	if len(b) > 2000 {
		t.Fatalf("422 body of %d bytes for one event: %.200s", len(b), b)
	}
}

func TestTimestampsMustLieBetween2000AndADayAfterReceipt(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		at, field, reason string
	}{
		{"0000-01-01T00:00:00Z", "at", "must not be before 2000-01-01T00:00:00Z"},
		{"1999-12-31T23:59:59.999Z", "at", "must not be before 2000-01-01T00:00:00Z"},
		{"9999-12-31T23:59:59Z", "at", "must not be more than 24 h after the batch is received (2026-12-07T12:00:00Z)"},
		{"2026-12-07T12:00:01Z", "at", "must not be more than 24 h after the batch is received (2026-12-07T12:00:00Z)"},
		{"2000-01-01T00:00:00Z", "", ""},
		{"2026-12-07T09:00:00-03:00", "", ""},
	}
	for _, c := range cases {
		body := fmt.Sprintf(`{"id":"e","type":"agent.logout","at":%q,"agent_id":"a"}`, c.at)
		_, _, err := Decode([]byte(body), Options{Now: now})
		if c.reason == "" {
			if err != nil {
				t.Errorf("%s: %v", c.at, err)
			}
			continue
		}
		want := []FieldError{{1, "e", c.field, c.reason}}
		if got := problems(t, err); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v", c.at, got)
		}
	}
	// Timestamps inside events too.
	body := `{"id":"c","type":"call.updated","at":"2026-10-01T10:00:00Z","interaction":"i","answered_at":"2099-01-01T00:00:00Z"}`
	_, _, err := Decode([]byte(body), Options{Now: now})
	if got := problems(t, err); len(got) != 1 || got[0].Field != "answered_at" {
		t.Errorf("%+v", got)
	}
}

func TestTextIDsAndListsAreBounded(t *testing.T) {
	cases := []struct {
		name, rest, field, reason string
	}{
		{"comment over 64 KiB", `"interaction":"i","leg":"l","status":"abandoned","comments":"` + strings.Repeat("a", MaxTextBytes+1) + `"`, "comments", "must be at most 65536 bytes"},
		{"NUL in text", `"interaction":"i","leg":"l","status":"abandoned","comments":"a\u0000b"`, "comments", "must not contain NUL"},
		{"NUL in an id", `"interaction":"i\u0000","leg":"l","status":"abandoned"`, "interaction", "must not contain NUL"},
		{"bidi override in an id", `"interaction":"i\u202Egnp.exe","leg":"l","status":"abandoned"`, "interaction", "must not contain the bidirectional control character U+202E"},
		{"bidi isolate in a tag id", `"interaction":"i","leg":"l","status":"abandoned","tags":["t\u2066x"]}`, "tags[0]", "must not contain the bidirectional control character U+2066"},
		{"long id", `"interaction":"` + strings.Repeat("i", 129) + `","leg":"l","status":"abandoned"`, "interaction", "must be at most 128 characters"},
		{"long protocol", `"interaction":"i","leg":"l","status":"abandoned","external_protocol":"` + strings.Repeat("9", 257) + `"`, "external_protocol", "must be at most 256 characters"},
		{"too many tags", `"interaction":"i","leg":"l","status":"abandoned","tags":[` + strings.TrimSuffix(strings.Repeat(`"t",`, 1001), ",") + `]`, "tags", "must have at most 1000 items"},
	}
	for _, c := range cases {
		body := strings.TrimSuffix(event("e", "leg.finished", c.rest), "}}") + "}"
		if !strings.HasSuffix(c.rest, "}") {
			body = event("e", "leg.finished", c.rest)
		} else {
			body = event("e", "leg.finished", strings.TrimSuffix(c.rest, "}"))
		}
		_, _, err := Decode([]byte(body), Options{})
		want := []FieldError{{1, "e", c.field, c.reason}}
		if got := problems(t, err); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v", c.name, got)
		}
	}
	// Free text may carry a bidi character (it is stripped on display); a
	// 64 KiB message is accepted.
	ok := event("m", "message", `"interaction":"i","message_id":"m","sender":"client","text":"`+strings.Repeat("b", MaxTextBytes-3)+`\u202E"`)
	if _, _, err := Decode([]byte(ok), Options{}); err != nil {
		t.Errorf("64 KiB message: %v", err)
	}
}

func TestInvalidUTF8IsRefusedNotReplaced(t *testing.T) {
	body := event("e", "agent.pause_started", `"agent_id":"a","reason":"caf`+"\xe9"+`"`)
	_, _, err := Decode([]byte(body), Options{})
	want := []FieldError{{1, "", "", "not valid UTF-8"}}
	if got := problems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("%+v", got)
	}
}

func TestArrayElementLongerThanOneMiBStopsTheArrayWithoutHoldingIt(t *testing.T) {
	body := "[" + event("e1", "agent.logout", `"agent_id":"a"`) + `,{"id":"` + strings.Repeat("x", 3<<20) + `"}]`
	_, _, err := Decode([]byte(body), Options{})
	got := problems(t, err)
	if len(got) != 1 || got[0].Line != 2 || !strings.HasPrefix(got[0].Reason, "element longer than 1 MiB") {
		t.Errorf("%+v", got)
	}
}

func TestDecoderStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := Decoder{}
	n, err := d.Each(ctx, endless{}, func(model.Event, []byte) error { return nil })
	if !errors.Is(err, context.Canceled) || n > 1024 {
		t.Fatalf("after %d events: %v", n, err)
	}
}

// endless is an input that never ends, one valid line after another.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	line := []byte(`{"id":"e","type":"agent.logout","at":"2025-06-02T15:00:00Z","agent_id":"a"}` + "\n")
	n := 0
	for n+len(line) <= len(p) {
		n += copy(p[n:], line)
	}
	return n, nil
}
