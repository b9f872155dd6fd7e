package demo

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/model"
)

// line is where a text of texts.go sits: its topic and turn.
type line struct {
	topic string
	turn  int // -1: an active contact's template
}

// threadLines indexes every line of the topics: the client's (and the
// e-mails) by text, the agent's to be found inside the agent's messages.
func threadLines(t *testing.T) (client map[string]line, agent map[string]line) {
	t.Helper()
	client, agent = map[string]line{}, map[string]line{}
	put := func(m map[string]line, text string, l line) {
		if old, ok := m[text]; ok {
			t.Fatalf("line %q is in %v and %v: a line must name one topic and turn", text, old, l)
		}
		m[text] = l
	}
	for svc, ts := range topics {
		for i, tp := range ts {
			key := fmt.Sprintf("%s/%d", services[svc].id, i)
			put(client, tp.email, line{key, 0})
			for k, tu := range tp.turns {
				put(client, tu.client, line{key, k})
				put(agent, tu.agent, line{key, k})
			}
		}
	}
	for svc, a := range activeTopics {
		key := services[svc].id + "/active"
		put(agent, a.template, line{key, -1})
		for k, tu := range a.turns {
			put(client, tu.client, line{key, k})
			put(agent, tu.agent, line{key, k})
		}
	}
	return client, agent
}

// Every chat and e-mail conversation follows one topic: the client's lines
// come in order, and each agent line answers the client line just before
// it (in between only greetings, hold and queue notes, bot and system
// messages), so messages alternate client, agent, client, agent.
func TestConversationsFollowOneTopic(t *testing.T) {
	clientLines, agentLines := threadLines(t)
	msgs := map[string][]model.Event{}
	media := map[string]string{}
	for _, e := range defaultSet(t) {
		switch e.Type {
		case model.TypeInteractionCreated:
			media[e.Interaction] = e.Media
		case model.TypeMessage:
			msgs[e.Interaction] = append(msgs[e.Interaction], e)
		}
	}
	answeredTurns := map[string]int{} // media → agent answers checked
	long := 0                         // conversations with 3 answered turns or more
	for id, ms := range msgs {
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].At.Before(ms[j].At) })
		topic := ""
		pending := -1 // the client's turn waiting for its answer
		next := 0     // the client's next turn
		answers := 0
		same := func(l line, m model.Event) {
			t.Helper()
			if topic == "" {
				topic = l.topic
			}
			if l.topic != topic {
				t.Fatalf("%s: %s message %q is of topic %s, the conversation's is %s", id, m.Sender, m.Text, l.topic, topic)
			}
		}
		for _, m := range ms {
			switch m.Sender {
			case "client":
				l, ok := clientLines[m.Text]
				if !ok {
					continue // a greeting, a menu option, a nudge, a closing
				}
				same(l, m)
				if pending >= 0 {
					t.Fatalf("%s: client turn %d %q before turn %d was answered", id, l.turn, m.Text, pending)
				}
				if l.turn != next {
					t.Fatalf("%s: client turn %d %q, expected turn %d", id, l.turn, m.Text, next)
				}
				pending, next = l.turn, l.turn+1
			case "agent":
				var l line
				found := 0
				for text, at := range agentLines {
					if strings.Contains(m.Text, text) {
						l = at
						found++
					}
				}
				if found == 0 {
					continue // a greeting, a hold note, a closing
				}
				if found > 1 {
					t.Fatalf("%s: agent message %q holds %d topic lines", id, m.Text, found)
				}
				same(l, m)
				if l.turn == -1 { // the active contact's template opens it
					if next != 0 || pending >= 0 {
						t.Fatalf("%s: template %q after the client wrote", id, m.Text)
					}
					continue
				}
				if pending != l.turn {
					t.Fatalf("%s: agent answer %q is of turn %d, the client's waiting turn is %d", id, m.Text, l.turn, pending)
				}
				pending = -1
				answers++
				answeredTurns[media[id]]++
			}
		}
		if answers >= 3 {
			long++
		}
	}
	for _, m := range []string{model.MediaChat, model.MediaWhatsApp, model.MediaEmail, model.MediaSMS, model.MediaInstagram, model.MediaReclameAqui} {
		if answeredTurns[m] < 50 {
			t.Errorf("%s: %d answers to the client checked, want ≥ 50", m, answeredTurns[m])
		}
	}
	if long < 200 {
		t.Errorf("%d conversations with 3 answered turns or more, want ≥ 200", long)
	}
	t.Logf("answers checked per media %v; %d conversations of 3 turns or more", answeredTurns, long)
}
