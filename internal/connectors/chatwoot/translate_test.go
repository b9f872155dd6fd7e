package chatwoot

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// readInputs reads fixture files, in the order given.
func readInputs(t *testing.T, names ...string) []Input {
	t.Helper()
	var ins []Input
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, Input{Payload: b, ReceivedAt: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)})
	}
	return ins
}

func conversationFiles(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir("testdata/conversation")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, "conversation/"+e.Name())
	}
	sort.Strings(out)
	return out
}

func decodeLines(t *testing.T, lines [][]byte) []model.Event {
	t.Helper()
	var evs []model.Event
	for _, l := range lines {
		var ev model.Event
		if err := json.Unmarshal(l, &ev); err != nil {
			t.Fatalf("line %s: %v", l, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// summary is "type leg agent/service sender" per event, for comparisons.
func summary(evs []model.Event) []string {
	var out []string
	for _, e := range evs {
		s := e.Type
		switch e.Type {
		case model.TypeLegQueued:
			s += " " + e.Leg + " " + e.ServiceID
		case model.TypeLegDelivered:
			s += " " + e.Leg + " " + e.AgentID
		case model.TypeLegTransferred:
			s += " " + e.Leg + "→" + e.NewLeg + " " + e.ToServiceID + " " + e.ToAgentID
		case model.TypeLegFinished:
			s += " " + e.Leg + " " + e.Status + " [" + strings.Join(e.Tags, ",") + "] " + e.Comments
		case model.TypeMessage:
			s += " " + e.Sender + " " + e.AgentID + " " + e.Text
		case model.TypeHoldStarted, model.TypeHoldEnded:
			s += " " + e.Leg
		case model.TypeInteractionCreated:
			s += " " + e.Media + " " + e.ContactID + " " + e.Origin
		case model.TypeServiceUpserted:
			s += " " + e.Service.ID + " " + e.Service.Name
		case model.TypeUserUpserted:
			s += " " + e.User.ID + " " + e.User.Name
		case model.TypeContactUpserted:
			s += " " + e.Contact.ID + " " + e.Contact.Name + " " + strings.Join(e.Contact.Phones, ",") + " " + strings.Join(e.Contact.Emails, ",") + " " + e.Contact.ExternalID
		case model.TypeTagUpserted:
			s += " " + e.Tag.Name
		}
		out = append(out, e.At.Format("15:04:05")+" "+s)
	}
	return out
}

func TestConversationBecomesLegsAndMessages(t *testing.T) {
	lines, bad := Translate(readInputs(t, conversationFiles(t)...), Options{})
	if len(bad) > 0 {
		t.Fatalf("unreadable fixtures: %v", bad)
	}
	got := summary(decodeLines(t, lines))
	want := []string{
		"12:00:00 contact.upserted chatwoot-contact-17 Maria Souza +5511987654321 maria.souza@example.com crm-881",
		"12:00:00 interaction.created whatsapp chatwoot-contact-17 Chatwoot",
		"12:00:00 service.upserted chatwoot-team-2 Suporte",
		"12:00:00 leg.queued chatwoot-42-leg1 chatwoot-team-2",
		"12:00:05 message client  Olá, meu pedido 123 não chegou",
		"12:01:00 user.upserted chatwoot-user-5 Ana Lima",
		"12:01:00 leg.delivered chatwoot-42-leg1 chatwoot-user-5",
		"12:01:30 message agent chatwoot-user-5 Oi Maria, vou verificar.",
		"12:02:00 message client  Obrigada",
		"12:02:40 message agent chatwoot-user-5 Seu pedido foi localizado, vou passar para o financeiro.",
		"12:03:00 service.upserted chatwoot-team-3 Financeiro",
		"12:03:00 user.upserted chatwoot-user-8 Bruno Costa",
		"12:03:00 leg.finished chatwoot-42-leg1 service completed [] Cliente pediu estorno do pedido 123",
		"12:03:00 leg.transferred chatwoot-42-leg1→chatwoot-42-leg2 chatwoot-team-3 chatwoot-user-8",
		"12:03:00 leg.delivered chatwoot-42-leg2 chatwoot-user-8",
		"12:04:00 message agent chatwoot-user-8 Olá Maria, o estorno foi aprovado.",
		"12:05:00 message client  Perfeito, obrigada!",
		"12:05:20 message agent chatwoot-user-8 Disponha!",
		"12:06:00 tag.upserted estorno",
		"12:06:00 leg.finished chatwoot-42-leg2 service completed [chatwoot-label-" + short("estorno") + "] ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestEveryArrivalOrderGivesTheSameEvents(t *testing.T) {
	files := conversationFiles(t)
	inOrder, _ := Translate(readInputs(t, files...), Options{})
	reversed := append([]string(nil), files...)
	sort.Sort(sort.Reverse(sort.StringSlice(reversed)))
	// conversation_updated (assigned) first, conversation_created last, and
	// every delivery twice.
	shuffled := append([]string{files[2], files[8]}, reversed...)
	shuffled = append(shuffled, files...)
	for name, order := range map[string][]string{"reversed": reversed, "updated before created, all twice": shuffled} {
		got, bad := Translate(readInputs(t, order...), Options{})
		if len(bad) > 0 {
			t.Fatal(bad)
		}
		if strings.Join(summary(decodeLines(t, got)), "\n") != strings.Join(summary(decodeLines(t, inOrder)), "\n") {
			t.Errorf("%s: events differ from the in-order translation:\n%s\nwant:\n%s", name, strings.Join(summary(decodeLines(t, got)), "\n"), strings.Join(summary(decodeLines(t, inOrder)), "\n"))
		}
	}
}

func TestReopenedConversationStartsANewLeg(t *testing.T) {
	files := append(conversationFiles(t), "conversation_opened.json", "conversation_resolved.json")
	lines, bad := Translate(readInputs(t, files...), Options{})
	if len(bad) > 0 {
		t.Fatal(bad)
	}
	got := summary(decodeLines(t, lines))
	tail := strings.Join(got[len(got)-3:], "\n")
	want := strings.Join([]string{
		"12:10:00 leg.queued chatwoot-42-leg3 chatwoot-team-3",
		"12:10:00 leg.delivered chatwoot-42-leg3 chatwoot-user-8",
		"12:12:00 leg.finished chatwoot-42-leg3 service completed [chatwoot-label-" + short("estorno") + "] ",
	}, "\n")
	if tail != want {
		t.Errorf("after reopening:\n%s\nwant:\n%s", tail, want)
	}
}

func TestSnoozeIsAPersonalQueueHoldUntilTheConversationMoves(t *testing.T) {
	files := append(conversationFiles(t), "conversation_updated_snoozed.json")
	lines, _ := Translate(readInputs(t, files...), Options{})
	evs := decodeLines(t, lines)
	var holds []string
	for _, e := range evs {
		if e.Type == model.TypeHoldStarted || e.Type == model.TypeHoldEnded {
			holds = append(holds, e.At.Format("15:04:05")+" "+e.Type+" "+e.Kind+" "+e.Leg)
		}
	}
	// Snoozed at 12:03:30; the agent's message at 12:04:00 shows the
	// conversation open again.
	want := "12:03:30 leg.hold_started personal_queue chatwoot-42-leg2\n12:04:00 leg.hold_ended  chatwoot-42-leg2"
	if strings.Join(holds, "\n") != want {
		t.Errorf("holds:\n%s\nwant:\n%s", strings.Join(holds, "\n"), want)
	}
}

func TestMessageUpdatedAddsNoMessage(t *testing.T) {
	base, _ := Translate(readInputs(t, conversationFiles(t)...), Options{})
	with, bad := Translate(readInputs(t, append(conversationFiles(t), "message_updated.json")...), Options{})
	if len(bad) > 0 {
		t.Fatal(bad)
	}
	if len(with) != len(base) {
		t.Errorf("message_updated changed the events: %d, want %d", len(with), len(base))
	}
}

func TestMessageUpdatedStatusesBecomeTicksOfTheBusinessMessages(t *testing.T) {
	files := append(conversationFiles(t), "statuses/message_updated_delivered.json",
		"statuses/message_updated_read_push_data.json", "statuses/message_updated_failed.json", "message_updated.json")
	lines, bad := Translate(readInputs(t, files...), Options{})
	if len(bad) > 0 {
		t.Fatal(bad)
	}
	var got []string
	messages := 0
	for _, e := range decodeLines(t, lines) {
		switch e.Type {
		case model.TypeMessageStatus:
			if e.Interaction != "chatwoot-42" {
				t.Errorf("status %+v outside the conversation's interaction", e)
			}
			got = append(got, e.MessageID+" "+e.Status+" "+e.Error)
		case model.TypeMessage:
			messages++
		}
	}
	sort.Strings(got)
	// 1003 delivered (status in the webhook, PR #15908), 1005 read (only
	// in the conversation's last-message push data), 1007 failed with
	// Chatwoot's external_error; message_updated.json has no status. The
	// client's messages never get ticks.
	want := []string{"chatwoot-1003 delivered ", "chatwoot-1005 read ", "chatwoot-1007 failed (#131047) Re-engagement message"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("statuses:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	base, _ := Translate(readInputs(t, conversationFiles(t)...), Options{})
	baseMessages := 0
	for _, e := range decodeLines(t, base) {
		if e.Type == model.TypeMessage {
			baseMessages++
		}
	}
	if messages != baseMessages {
		t.Errorf("%d messages with the updates, %d without: message_updated added messages", messages, baseMessages)
	}
}

func TestPayloadsOfChatwoot2020AreTranslated(t *testing.T) {
	lines, bad := Translate(readInputs(t, "v2020_message_created_incoming.json", "v2020_message_created_outgoing.json"), Options{})
	if len(bad) > 0 {
		t.Fatal(bad)
	}
	got := strings.Join(summary(decodeLines(t, lines)), "\n")
	want := strings.Join([]string{
		"13:00:00 contact.upserted chatwoot-contact-90 João Pereira   ",
		"13:00:00 interaction.created chat chatwoot-contact-90 Chatwoot",
		"13:00:00 service.upserted chatwoot-inbox-1 Site",
		"13:00:00 leg.queued chatwoot-7-leg1 chatwoot-inbox-1",
		"13:00:00 message client  Bom dia",
		"13:00:40 leg.delivered chatwoot-7-leg1 chatwoot-user-3",
		"13:00:40 user.upserted chatwoot-user-3 Carla Dias",
		"13:00:40 message agent chatwoot-user-3 Bom dia, João! Em que posso ajudar?",
	}, "\n")
	if got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
}

func TestAPIInboxTakesTheConfiguredMedia(t *testing.T) {
	b, err := os.ReadFile("testdata/conversation/01_conversation_created.json")
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), `"Channel::Whatsapp"`, `"Channel::Api"`, 1))
	for opt, want := range map[string]string{"": "chat", "sms": "sms"} {
		lines, _ := Translate([]Input{{Payload: b}}, Options{APIInboxMedia: opt})
		for _, e := range decodeLines(t, lines) {
			if e.Type == model.TypeInteractionCreated && e.Media != want {
				t.Errorf("--api-inbox-media %q: media %q, want %q", opt, e.Media, want)
			}
		}
	}
}

func TestUserUpsertCarriesOnlyIDAndName(t *testing.T) {
	lines, _ := Translate(readInputs(t, conversationFiles(t)...), Options{})
	for _, l := range lines {
		var m map[string]json.RawMessage
		_ = json.Unmarshal(l, &m)
		if string(m["type"]) != `"user.upserted"` {
			continue
		}
		var u map[string]any
		_ = json.Unmarshal(m["user"], &u)
		if len(u) != 2 || u["id"] == nil || u["name"] == nil {
			t.Errorf("user.upserted sends %v: only id and name are Chatwoot's (tags and status of another system must survive)", u)
		}
	}
}

func TestTimestampsAsISOUnixAndUnixText(t *testing.T) {
	want := time.Date(2026, 3, 2, 12, 0, 0, 500_000_000, time.UTC)
	for _, raw := range []string{`"2026-03-02T12:00:00.500Z"`, `"2026-03-02T09:00:00.500-03:00"`, `1772452800.5`, `"1772452800.5"`} {
		var f flexTime
		if err := json.Unmarshal([]byte(raw), &f); err != nil || !f.Equal(want) {
			t.Errorf("%s → %v, %v; want %v", raw, f.Time, err, want)
		}
	}
	var f flexTime
	if err := json.Unmarshal([]byte(`"ontem"`), &f); err == nil {
		t.Error("a word was read as a time")
	}
}

func TestUnreadablePayloadsAreReportedNotDropped(t *testing.T) {
	ins := readInputs(t, "conversation/01_conversation_created.json")
	ins = append(ins, Input{Payload: []byte(`{"event":"contact_created","id":5}`)}, Input{Payload: []byte(`not json`)}, Input{Payload: []byte(`{"event":"message_created","id":9}`)})
	lines, bad := Translate(ins, Options{})
	if len(lines) == 0 {
		t.Error("the good delivery was not translated")
	}
	for i := 1; i <= 3; i++ {
		if bad[i] == nil {
			t.Errorf("delivery %d: no problem reported", i)
		}
	}
	if _, _, _, err := Peek([]byte(`{"event":"contact_created"}`)); err == nil {
		t.Error("Peek accepted an event rastro does not translate")
	}
}

func TestLongTextIsShortenedNotRefused(t *testing.T) {
	b, err := os.ReadFile("testdata/conversation/02_message_created_incoming.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["content"] = strings.Repeat("a", 70<<10)
	b, _ = json.Marshal(m)
	lines, _ := Translate([]Input{{Payload: b}}, Options{})
	for _, e := range decodeLines(t, lines) {
		if e.Type == model.TypeMessage && (len(e.Text) > 64<<10 || !strings.HasSuffix(e.Text, "…[cortado]")) {
			t.Errorf("message text of %d bytes, want ≤ 64 KiB ending with the marker", len(e.Text))
		}
	}
}

func TestRenamedContactIsUpsertedAtTheFirstDeliveryShowingTheNewName(t *testing.T) {
	ins := readInputs(t, conversationFiles(t)...)
	for i := 5; i < len(ins); i++ { // from 06_message_created_incoming (12:02:00) on
		ins[i].Payload = []byte(strings.ReplaceAll(string(ins[i].Payload), `"name": "Maria Souza", "phone_number"`, `"name": "Maria S. Oliveira", "phone_number"`))
	}
	lines, _ := Translate(ins, Options{})
	var got []string
	for _, s := range summary(decodeLines(t, lines)) {
		if strings.Contains(s, "contact.upserted") {
			got = append(got, s)
		}
	}
	want := "12:02:00 contact.upserted chatwoot-contact-17 Maria S. Oliveira +5511987654321 maria.souza@example.com crm-881"
	if strings.Join(got, "\n") != want {
		t.Errorf("contact upserts:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}
