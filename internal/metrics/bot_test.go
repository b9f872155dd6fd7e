package metrics

import (
	"math/rand"
	"reflect"
	"testing"

	"github.com/rastro/rastro/internal/model"
)

func botEvents() []model.Event {
	b := newTB("")
	conv := func(e *model.Event) { e.Interaction = ""; e.Conversation = "cv-1" }
	b.add(model.TypeBotStarted, "09:00:00", func(e *model.Event) {
		conv(e)
		e.Flow, e.ClientID, e.CampaignID, e.BatchID, e.ContactID, e.Channel = "flow-7", "cli", "camp", "lote-3", "ct-ze", "whatsapp"
	})
	for _, s := range []struct{ at, sender, id string }{
		{"09:00:01", "bot", "b1"}, {"09:00:20", "client", "c1"}, {"09:00:21", "bot", "b2"},
		{"09:01:00", "client", "c2"}, {"09:01:00", "client", "c2"}, // re-sent with another event id
	} {
		b.add(model.TypeBotMessage, s.at, func(e *model.Event) { conv(e); e.Sender, e.MessageID = s.sender, s.id })
	}
	for _, st := range []struct{ at, step string }{
		{"09:00:01", "menu"}, {"09:00:21", "cpf"}, {"09:00:30", "cpf"}, {"09:01:01", "menu"}, {"09:01:02", "boleto"},
	} {
		b.add(model.TypeBotStep, st.at, func(e *model.Event) { conv(e); e.Step = st.step })
	}
	b.add(model.TypeBotEnded, "09:02:00", func(e *model.Event) { conv(e); e.Outcome, e.Interaction = "handed_off", "wa-9" })
	return b.evs
}

func TestBotConversation(t *testing.T) {
	c := DeriveBotConversation(botEvents(), Config{})
	if c.Conversation != "cv-1" || c.Flow != "flow-7" || c.BatchID != "lote-3" || c.ContactID != "ct-ze" || c.Channel != "whatsapp" || c.ClientID != "cli" || c.CampaignID != "camp" {
		t.Errorf("ids = %+v", c)
	}
	if c.Messages != 4 {
		t.Errorf("Messages = %d, want 4 (one message id sent twice)", c.Messages)
	}
	if want := []string{"menu", "cpf", "menu", "boleto"}; !reflect.DeepEqual(c.Steps, want) || c.LastStep != "boleto" {
		t.Errorf("Steps = %v last %q", c.Steps, c.LastStep)
	}
	if c.Outcome != "handed_off" || c.Interaction != "wa-9" || c.EndedAt == nil || c.LocalDate != "2025-06-02" || !ReachedHuman(c) {
		t.Errorf("end = %+v", c)
	}
	// Arrival order does not matter.
	evs := botEvents()
	rand.New(rand.NewSource(1)).Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	if got := DeriveBotConversation(evs, Config{}); !reflect.DeepEqual(got, c) {
		t.Errorf("shuffled = %+v\nwant %+v", got, c)
	}
}

func TestBotConversationStillOpen(t *testing.T) {
	evs := botEvents()[:3] // started + two messages
	c := DeriveBotConversation(evs, Config{})
	if c.Outcome != "" || c.EndedAt != nil || c.Messages != 2 || c.LastStep != "" || ReachedHuman(c) {
		t.Errorf("open = %+v", c)
	}
}
