package ingest

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

func TestBatchWithSeveralBadEventsReportsAll(t *testing.T) {
	body := strings.Join([]string{
		event("e1", "agent.logout", `"agent_id":"a"`),
		event("e2", "leg.queued", `"interaction":"i"`),
		`{"id":"e3",`,
		event("e4", "nope", ""),
		event("e5", "agent.logout", `"agent_id":"a"`),
		event("e6", "leg.hold_started", `"interaction":"i","leg":"l","kind":"pause"`),
	}, "\n")
	evs, raw, err := Decode([]byte(body), Options{})
	got := problems(t, err)
	want := []FieldError{
		{2, "e2", "leg", "required"}, {2, "e2", "service_id", "required"},
		{3, "", "", got[2].Reason},
		{4, "e4", "type", `unknown type "nope"`},
		{6, "e6", "kind", "not one of: hold, personal_queue"},
	}
	if !reflect.DeepEqual(got, want) || !strings.HasPrefix(got[2].Reason, "malformed JSON: ") {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
	// The valid events come back too, aligned with their raw JSON.
	if len(evs) != 2 || len(raw) != 2 || evs[1].ID != "e5" {
		t.Errorf("%d events, %d raw", len(evs), len(raw))
	}
	// The 422 body of EVENTS.md.
	b, _ := json.Marshal(err)
	if !strings.HasPrefix(string(b), `{"errors":[{"line":2,"id":"e2","field":"leg","reason":"required"},`) {
		t.Errorf("json = %s", b)
	}
	if !strings.Contains(err.Error(), `line 2 (id "e2") leg: required`) {
		t.Errorf("Error() = %s", err)
	}
}

func TestNDJSONBlankLinesKeepLineNumbers(t *testing.T) {
	body := "\n" + event("e1", "agent.logout", `"agent_id":"a"`) + "\r\n  \r\n\t\n" +
		event("e2", "agent.logout", `"agent_id":""`) + "\n\n"
	evs, _, err := Decode([]byte(body), Options{})
	want := []FieldError{{5, "e2", "agent_id", "must not be empty"}}
	if got := problems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("%+v", got)
	}
	if len(evs) != 1 || evs[0].ID != "e1" {
		t.Errorf("%+v", evs)
	}
}

func TestEmptyBatch(t *testing.T) {
	for _, body := range []string{"", "\n\n", "[]", " [ ] \n"} {
		evs, raw, err := Decode([]byte(body), Options{})
		if err != nil || len(evs) != 0 || len(raw) != 0 {
			t.Errorf("%q: %v %d", body, err, len(evs))
		}
	}
}

func TestJSONArrayInput(t *testing.T) {
	body := "\n [\n" + event("e1", "agent.logout", `"agent_id":"a"`) + ",\n" +
		`{ "id" : "e2", "type":"agent.login", "at":"2025-06-02T15:00:00Z", "agent_id": "b" }` + "]\n"
	evs, raw, err := Decode([]byte(body), Options{})
	if err != nil || len(evs) != 2 || evs[1].AgentID != "b" {
		t.Fatalf("%v %+v", err, evs)
	}
	if want := `{"id":"e2","type":"agent.login","at":"2025-06-02T15:00:00Z","agent_id":"b"}`; string(raw[1]) != want {
		t.Errorf("raw = %s", raw[1])
	}

	// Line is the 1-based element index.
	body = "[" + event("e1", "agent.logout", `"agent_id":"a"`) + `, 5, ` + event("e3", "agent.logout", "") + "]"
	_, _, err = Decode([]byte(body), Options{})
	want := []FieldError{{2, "", "", "must be a JSON object"}, {3, "e3", "agent_id", "required"}}
	if got := problems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("%+v", got)
	}

	// A syntax error stops the array at the element it is in.
	for body, line := range map[string]int{
		"[" + event("e1", "agent.logout", `"agent_id":"a"`) + `, {"id": }]`:   2,
		"[" + event("e1", "agent.logout", `"agent_id":"a"`):                   1 + 1,
		"[" + event("e1", "agent.logout", `"agent_id":"a"`) + ` {"id":"e2"}]`: 2,
		"[] []": 1,
	} {
		_, _, err = Decode([]byte(body), Options{})
		got := problems(t, err)
		if len(got) != 1 || got[0].Line != line || !strings.HasPrefix(got[0].Reason, "malformed JSON: ") {
			t.Errorf("%s: %+v", body, got)
		}
	}
}

func TestWorkedExampleDecodes(t *testing.T) {
	body, err := os.ReadFile("testdata/chat-hold-and-personal-queue.ndjson")
	if err != nil {
		t.Skip(err)
	}
	evs, raw, err := Decode(body, Options{Tenant: "acme"})
	if err != nil || len(evs) != 19 || len(raw) != 19 {
		t.Fatalf("%v: %d events", err, len(evs))
	}
	e := evs[18]
	at := time.Date(2025, 6, 2, 18, 10, 0, 0, time.UTC)
	if e.ID != "e19" || e.Type != model.TypeLegFinished || !e.At.Equal(at) || e.Status != "service completed" || e.ContactID != "ct-ze" {
		t.Errorf("%+v", e)
	}
	if c := evs[2].Contact; c == nil || c.Portfolio == nil || *c.Portfolio || c.Emails[0] != "ze@example.org" {
		t.Errorf("%+v", c)
	}
}

func TestLineLongerThanOneMiBIsAProblemAndTheRestIsRead(t *testing.T) {
	text := strings.Repeat("x", 2<<20)
	body := "\xEF\xBB\xBF" + event("e1", "message", `"interaction":"i","message_id":"m","sender":"client","text":"`+text+`"`) +
		"\n" + event("e2", "agent.logout", "") + "\n" + event("e3", "agent.logout", `"agent_id":"a"`) + "\n"
	evs, _, err := Decode([]byte(body), Options{})
	want := []FieldError{{1, "", "", "line longer than 1 MiB"}, {2, "e2", "agent_id", "required"}}
	if got := problems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("%+v", got)
	}
	if len(evs) != 1 || evs[0].ID != "e3" {
		t.Errorf("%d events", len(evs))
	}
}
