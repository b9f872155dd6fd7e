package whatsapp

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func events(t *testing.T, lines [][]byte) []model.Event {
	t.Helper()
	out := make([]model.Event, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal(l, &out[i]); err != nil {
			t.Fatalf("line %d %s: %v", i, l, err)
		}
	}
	return out
}

var received = time.Date(2026, 3, 2, 12, 5, 0, 0, time.UTC)

func TestBatchOfEntriesGivesEachInboundMessageOnceAsTheClients(t *testing.T) {
	lines, err := Translate(fixture(t, "batch.json"), received)
	if err != nil {
		t.Fatal(err)
	}
	var msgs, created []model.Event
	contacts := map[string]model.Contact{}
	for _, e := range events(t, lines) {
		switch e.Type {
		case model.TypeMessage:
			msgs = append(msgs, e)
		case model.TypeInteractionCreated:
			created = append(created, e)
		case model.TypeContactUpserted:
			contacts[e.Contact.ID] = *e.Contact
		default:
			t.Errorf("unexpected %s event %s", e.Type, e.ID)
		}
	}
	maria := "wa-106540352242922-5511987654321-20260302"
	joao := "wa-106540352242922-5521912345678-20260302"
	want := []struct{ interaction, text, at string }{
		{maria, "Olá, meu pedido 123 não chegou", "2026-03-02T12:00:00Z"},
		{maria, "Foto da nota fiscal", "2026-03-02T12:00:30Z"},
		{joao, "Segunda via do boleto", "2026-03-02T12:01:00Z"},
	}
	if len(msgs) != len(want) {
		t.Fatalf("%d messages, want %d (the repeated wamid once): %+v", len(msgs), len(want), msgs)
	}
	for i, w := range want {
		m := msgs[i]
		if m.Interaction != w.interaction || m.Text != w.text || m.At.Format(time.RFC3339) != w.at || m.Sender != "client" || !strings.HasPrefix(m.MessageID, "wamid.") {
			t.Errorf("message %d = %+v, want %+v from the client", i, m, w)
		}
	}
	if len(created) != 2 || created[0].Interaction != maria || created[1].Interaction != joao {
		t.Fatalf("interactions %+v, want Maria's and João's", created)
	}
	for _, c := range created {
		if c.Media != "whatsapp" || c.Origin != "WhatsApp" || c.Direction != "inbound" || c.To != "15550783881" || c.StartedBy != "" {
			t.Errorf("interaction %+v: want whatsapp, WhatsApp, inbound to the business number, started_by by SPEC's rule", c)
		}
	}
	if c := contacts["wa-5511987654321"]; c.Name != "Maria Souza" || len(c.Phones) != 1 || c.Phones[0] != "+5511987654321" {
		t.Errorf("Maria's contact %+v", c)
	}
	if c := contacts["wa-5521912345678"]; c.Name != "João Pereira" || created[1].ContactID != c.ID {
		t.Errorf("João's contact %+v, interaction's contact %q", c, created[1].ContactID)
	}
	// Translated again (replay, or the same payload from a retry): the same
	// event ids, so the store keeps each once.
	again, _ := Translate(fixture(t, "batch.json"), received.Add(time.Hour))
	if !bytes.Equal(bytes.Join(lines, nil), bytes.Join(again, nil)) {
		t.Error("a second translation differs from the first")
	}
}

func TestStatusesBecomeMessageStatusEventsAndUnknownOnesStayRaw(t *testing.T) {
	for name, want := range map[string][]string{
		// In Meta's order, read first: the history folds them.
		"statuses_out_of_order.json": {"read", "sent", "delivered"},
		"status_failed.json":         {"failed"},
		"status_unknown.json":        nil,
	} {
		ev, thread, at, err := Peek(fixture(t, name))
		if err != nil || ev != "statuses" || thread == "" || at.IsZero() {
			t.Errorf("%s: peek %q %q %v %v", name, ev, thread, at, err)
		}
		lines, err := Translate(fixture(t, name), received)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		var got []string
		for _, e := range events(t, lines) {
			switch e.Type {
			case model.TypeMessageStatus:
				got = append(got, e.Status)
				if !strings.HasPrefix(e.MessageID, "wamid.") || !strings.HasPrefix(e.Interaction, "wa-106540352242922-55") {
					t.Errorf("%s: status %+v", name, e)
				}
				if e.Status == "failed" && e.Error != "131047 Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number." {
					t.Errorf("%s: failed status error %q", name, e.Error)
				}
			case model.TypeInteractionCreated:
				if e.StartedBy != "" {
					continue // ORIGEM DA CONVERSA: TestConversationOriginGivesWhoStartedIt
				}
				if e.Direction != "outbound" || e.To == "" || e.Media != "whatsapp" {
					t.Errorf("%s: interaction started by a status %+v", name, e)
				}
			case model.TypeMessage:
				t.Errorf("%s: a status gave a message %+v", name, e)
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: statuses %v, want %v", name, got, want)
		}
	}
	if _, _, at, _ := Peek(fixture(t, "statuses_out_of_order.json")); !at.Equal(time.Unix(1772452890, 0)) {
		t.Errorf("peek time %v, want the earliest status's", at)
	}
}

func TestPayloadThatIsNotWhatsAppsIsRefusedWithTheReason(t *testing.T) {
	for body, want := range map[string]string{
		`{"event":"message_created"}`: `object is ""`,
		`not json`:                    "not a WhatsApp webhook payload",
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"timestamp":"x"}]}}]}]}`: "not Unix seconds",
	} {
		if _, _, _, err := Peek([]byte(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("peek %s: %v, want %q", body, err, want)
		}
	}
	_, err := Translate([]byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messages":[{"id":"wamid.x","timestamp":"1772452800"}]}}]}]}`), received)
	if err == nil || !strings.Contains(err.Error(), "has no id or from") {
		t.Errorf("message without sender: %v", err)
	}
}

func TestConversationOriginGivesWhoStartedItAndThePricingWindowItsEnd(t *testing.T) {
	for name, want := range map[string]struct {
		startedBy string
		expires   int64 // Unix seconds; 0: none
	}{
		"statuses_out_of_order.json": {"cliente", 1772539290}, // origin.type service, on sent only
		"status_sent_marketing.json": {"empresa", 1772546400},
		"status_failed.json":         {"", 0}, // no conversation object: SPEC's rule
	} {
		lines, err := Translate(fixture(t, name), received)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var origins []string
		var expires []int64
		for _, e := range events(t, lines) {
			switch {
			case e.Type == model.TypeInteractionCreated && e.StartedBy != "":
				origins = append(origins, e.StartedBy)
				if e.Media != "whatsapp" || e.Origin != "WhatsApp" || !strings.HasPrefix(e.Interaction, "wa-106540352242922-55") {
					t.Errorf("%s: origin event %+v", name, e)
				}
			case e.Type == model.TypeMessageStatus && e.ExpiresAt != nil:
				expires = append(expires, e.ExpiresAt.Unix())
			}
		}
		if want.startedBy == "" {
			if len(origins) != 0 || len(expires) != 0 {
				t.Errorf("%s: started_by %v, expires %v; want none", name, origins, expires)
			}
			continue
		}
		for _, o := range origins {
			if o != want.startedBy {
				t.Errorf("%s: started_by %q, want %q", name, o, want.startedBy)
			}
		}
		if len(origins) == 0 || len(expires) != 1 || expires[0] != want.expires {
			t.Errorf("%s: started_by %v, expires %v; want %q and %d once", name, origins, expires, want.startedBy, want.expires)
		}
	}
	for typ, want := range map[string]string{
		"user_initiated": "cliente", "service": "cliente", "referral_conversion": "cliente",
		"business_initiated": "empresa", "marketing": "empresa", "utility": "empresa", "authentication": "empresa",
		"free_entry_point": "",
	} {
		if got := startedBy[typ]; got != want {
			t.Errorf("origin.type %s: started_by %q, want %q", typ, got, want)
		}
	}
}
