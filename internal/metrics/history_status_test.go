package metrics

import (
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

func TestHistoryTicksShowTheFurthestStatusWhateverTheOrder(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	ev := func(id, typ string, s int, f func(*model.Event)) model.Event {
		e := model.Event{ID: id, Type: typ, At: at(s), Interaction: "i1"}
		f(&e)
		return e
	}
	status := func(id, msg, st string, s int) model.Event {
		return ev(id, model.TypeMessageStatus, s, func(e *model.Event) { e.MessageID, e.Status = msg, st })
	}
	events := []model.Event{
		ev("c", model.TypeInteractionCreated, 0, func(e *model.Event) { e.Media = model.MediaWhatsApp }),
		ev("m1", model.TypeMessage, 0, func(e *model.Event) { e.MessageID, e.Sender, e.Text = "wamid.1", "client", "oi" }),
		// The business's reply (only its statuses are known), read
		// arriving before sent and delivered.
		status("s1", "wamid.2", "read", 40),
		status("s2", "wamid.2", "sent", 30),
		status("s3", "wamid.2", "delivered", 31),
		// Delivered on one device, failed on another: delivered.
		status("s4", "wamid.3", "failed", 60),
		status("s5", "wamid.3", "delivered", 61),
		// Failed alone keeps its reason.
		ev("s6", model.TypeMessageStatus, 90, func(e *model.Event) {
			e.MessageID, e.Status, e.Error = "wamid.4", "failed", "131047 Re-engagement message"
		}),
		// A client message's own status (Chatwoot's message_updated).
		status("s7", "wamid.1", "read", 5),
	}
	h := BuildHistory(events, "", nil, Config{}, false)
	type tick struct{ msg, sender, status, err string }
	var got []tick
	for _, e := range h.Entries {
		if e.Kind == EntryMessage {
			got = append(got, tick{e.MessageID, e.Sender, e.Status, e.StatusError})
		}
	}
	want := []tick{
		{"wamid.1", "client", "read", ""},
		{"wamid.2", "system", "read", ""},
		{"wamid.3", "system", "delivered", ""},
		{"wamid.4", "system", "failed", "131047 Re-engagement message"},
	}
	if len(got) != len(want) {
		t.Fatalf("message entries %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if h.Entries[1].At != at(30) {
		t.Errorf("the business's message shows at %v, want its first status's time %v", h.Entries[1].At, at(30))
	}
}
