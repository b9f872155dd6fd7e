package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// samples holds one valid event of every type of EVENTS.md, with every
// optional field given, as the body after the common fields.
var samples = map[string]string{
	"service.upserted":  `"service":{"id":"s1","name":"SAC"}`,
	"user.upserted":     `"user":{"id":"u1","name":"Ana","tags":["pleno"],"status":"ativo","extension":"2001"}`,
	"tag.upserted":      `"tag":{"id":"t1","name":"Venda"}`,
	"ivr.upserted":      `"ivr":{"id":"ivr1","name":"Principal","options":{"1":"Financeiro","2":"Suporte"}}`,
	"flow.upserted":     `"flow":{"id":"fl-cobranca","name":"Cobrança","steps":{"s1":"Boas-vindas","s2":"Oferta"}}`,
	"client.upserted":   `"client":{"id":"c1","name":"Acme"}`,
	"campaign.upserted": `"campaign":{"id":"cp1","name":"Junho","client_id":"c1"}`,
	"batch.upserted":    `"batch":{"id":"b1","name":"Lote 1","campaign_id":"cp1"}`,
	"contact.upserted": `"contact":{"id":"ct1","name":"Zé","document":"390.533.447-05","phones":["+55 11 99999-0000"],` +
		`"emails":["ze@x.org"],"external_id":"X1","portfolio":true,"batch_id":"b1"}`,
	"interaction.created": `"interaction":"i1","media":"voice","protocol":"P1","origin":"Zendesk","direction":"inbound",` +
		`"from":"1100","to":"2200","contact_id":"ct1","started_by":"cliente"`,
	"interaction.entered_omni": `"interaction":"i1"`,
	"leg.queued":               `"interaction":"i1","leg":"l1","service_id":"s1"`,
	"leg.delivered":            `"interaction":"i1","leg":"l1","agent_id":"u1"`,
	"message": `"interaction":"i1","leg":"l1","message_id":"m1","sender":"agent","agent_id":"u1","text":"oi",` +
		`"attachment":{"name":"a.pdf","mime":"application/pdf","url":"https://x/a.pdf"}`,
	"leg.hold_started": `"interaction":"i1","leg":"l1","kind":"personal_queue"`,
	"leg.hold_ended":   `"interaction":"i1","leg":"l1"`,
	"leg.transferred":  `"interaction":"i1","leg":"l1","new_leg":"l2","to_service_id":"s2","to_agent_id":"u2"`,
	"leg.finished": `"interaction":"i1","leg":"l2","status":"service completed","tags":["t1"],"external_protocol":"EXT",` +
		`"contact_id":"ct1","comments":"ok","document":"39053344705"`,
	"call.updated": `"interaction":"i1","leg":"l1","dialed_number":"1133334444","voice_server":"ast1",` +
		`"external_channel":"SIP/trunk-01","internal_channel":"SIP/2001-02","answered_at":"2025-06-02T15:00:05.5-03:00",` +
		`"client_hangup_at":"2025-06-02T18:05:00Z","agent_hangup_at":"2025-06-02T15:05:01-03:00","voice_status":"answered",` +
		`"jitter_ms":12.5,"packet_loss_pct":0,"rtt_ms":40,"recording_url":"https://rec/1.wav"`,
	"ivr.entered": `"interaction":"i1","ivr_id":"ivr1"`,
	"ivr.option":  `"interaction":"i1","ivr_id":"ivr1","option":"1"`,
	"ivr.left":    `"interaction":"i1","ivr_id":"ivr1","outcome":"transferred","service_id":"s1"`,
	"bot.conversation_started": `"conversation":"cv1","flow":"f1","client_id":"c1","campaign_id":"cp1","batch_id":"b1",` +
		`"contact_id":"ct1","channel":"whatsapp"`,
	"message.status":         `"interaction":"i1","message_id":"m1","status":"failed","error":"131047 Re-engagement message","expires_at":"2026-03-03T12:01:30Z"`,
	"bot.message":            `"conversation":"cv1","message_id":"bm1","sender":"bot","text":"Olá"`,
	"bot.step":               `"conversation":"cv1","step":"inicio"`,
	"bot.conversation_ended": `"conversation":"cv1","outcome":"handed_off","interaction":"i1"`,
	"agent.login":            `"agent_id":"u1","media":"chat"`,
	"agent.logout":           `"agent_id":"u1"`,
	"agent.pause_started":    `"agent_id":"u1","reason":"almoço"`,
	"agent.pause_ended":      `"agent_id":"u1"`,
}

func event(id, typ, rest string) string {
	s := fmt.Sprintf(`{"id":%q,"type":%q,"at":"2025-06-02T15:00:00-03:00"`, id, typ)
	if rest != "" {
		s += "," + rest
	}
	return s + "}"
}

func problems(t *testing.T, err error) []FieldError {
	t.Helper()
	var be *BatchError
	if !errors.As(err, &be) {
		t.Fatalf("want *BatchError, got %v", err)
	}
	return be.Errors
}

func TestValidEventOfEveryTypeDecodes(t *testing.T) {
	if len(samples) != len(types) {
		t.Fatalf("%d samples for %d types", len(samples), len(types))
	}
	for _, typ := range types {
		line := event("e-"+typ, typ, samples[typ])
		evs, raw, err := Decode([]byte(line), Options{ValidateDocument: func(s string) (string, error) { return s, nil }})
		if err != nil || len(evs) != 1 {
			t.Fatalf("%s: %v", typ, err)
		}
		// Every field lands where encoding/json would put it.
		var want map[string]any
		var got map[string]any
		json.Unmarshal([]byte(line), &want)
		b, _ := json.Marshal(evs[0])
		json.Unmarshal(b, &got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", typ, got, want)
		}
		if string(raw[0]) != line {
			t.Errorf("%s raw = %s", typ, raw[0])
		}
	}
}

func TestMissingRequiredFieldOfEveryType(t *testing.T) {
	for _, typ := range types {
		for _, f := range schemas[typ] {
			if !f.req {
				continue
			}
			var m map[string]json.RawMessage
			json.Unmarshal([]byte(event("x", typ, samples[typ])), &m)
			delete(m, f.name)
			b, _ := json.Marshal(m)
			_, _, err := Decode(b, Options{})
			want := []FieldError{{Line: 1, ID: "x", Field: f.name, Reason: "required"}}
			if got := problems(t, err); !reflect.DeepEqual(got, want) {
				t.Errorf("%s without %s: %+v", typ, f.name, got)
			}
		}
	}
}

// One case per kind of 422 answer; every case is the first line of a batch.
func TestRejects(t *testing.T) {
	badDoc := func(s string) (string, error) {
		if s == "123" {
			return "", errors.New("invalid CPF/CNPJ")
		}
		return s, nil
	}
	media := "not one of: whatsapp, voice, chat, email, sms, reclameaqui, instagram"
	cases := []struct {
		name, line string
		want       []FieldError // Reason ending in "…" is a prefix
	}{
		{"missing required field", event("e1", "leg.queued", `"interaction":"i1","leg":"l1"`),
			[]FieldError{{1, "e1", "service_id", "required"}}},
		// Upserts may carry only some fields (EVENTS.md), never without the id.
		{"missing nested field", event("e1", "campaign.upserted", `"campaign":{"name":"J","client_id":"c1"}`),
			[]FieldError{{1, "e1", "campaign.id", "required"}}},
		{"missing common fields", `{"foo":1}`,
			[]FieldError{{1, "", "id", "required"}, {1, "", "type", "required"}, {1, "", "at", "required"}}},
		{"null is absent", event("e1", "leg.hold_ended", `"interaction":"i1","leg":null`),
			[]FieldError{{1, "e1", "leg", "required"}}},
		{"wrong type string", event("e1", "leg.hold_ended", `"interaction":5,"leg":"l1"`),
			[]FieldError{{1, "e1", "interaction", "must be a string"}}},
		{"wrong type id", `{"id":7,"type":"leg.hold_ended","at":"2025-06-02T15:00:00Z","interaction":"i","leg":"l"}`,
			[]FieldError{{1, "", "id", "must be a string"}}},
		{"wrong type boolean", event("e1", "contact.upserted", `"contact":{"id":"c","portfolio":"yes"}`),
			[]FieldError{{1, "e1", "contact.portfolio", "must be a boolean"}}},
		{"wrong type array element", event("e1", "contact.upserted", `"contact":{"id":"c","phones":["1",2]}`),
			[]FieldError{{1, "e1", "contact.phones[1]", "must be a string"}}},
		{"wrong type array", event("e1", "leg.finished", `"interaction":"i","leg":"l","status":"dequeued","tags":"t1"`),
			[]FieldError{{1, "e1", "tags", "must be an array of strings"}}},
		{"wrong type number", event("e1", "call.updated", `"interaction":"i","jitter_ms":"10"`),
			[]FieldError{{1, "e1", "jitter_ms", "must be a number"}}},
		{"wrong type object", event("e1", "service.upserted", `"service":"s1"`),
			[]FieldError{{1, "e1", "service", "must be an object"}}},
		{"empty id", event("", "leg.hold_ended", `"interaction":"","leg":"l"`),
			[]FieldError{{1, "", "id", "must not be empty"}, {1, "", "interaction", "must not be empty"}}},
		{"id too long", event(strings.Repeat("x", 129), "agent.pause_ended", `"agent_id":"a"`),
			[]FieldError{{1, strings.Repeat("x", 129), "id", "must be at most 128 characters"}}},
		{"unknown type", event("e1", "foo", ""),
			[]FieldError{{1, "e1", "type", `unknown type "foo"`}}},
		{"unknown enum value", event("e1", "leg.finished", `"interaction":"i","leg":"l","status":"done"`),
			[]FieldError{{1, "e1", "status", "not one of: abandoned, bad phone, bad number, dequeued, service completed"}}},
		{"unknown media", event("e1", "interaction.created", `"interaction":"i","media":"fax"`),
			[]FieldError{{1, "e1", "media", media}}},
		{"unknown nested enum", event("e1", "user.upserted", `"user":{"id":"u","name":"A","tags":[],"status":"off"}`),
			[]FieldError{{1, "e1", "user.status", "not one of: ativo, inativo"}}},
		{"bot sender is bot or client", event("e1", "bot.message", `"conversation":"c","message_id":"m","sender":"agent"`),
			[]FieldError{{1, "e1", "sender", "not one of: bot, client"}}},
		{"bad timestamp without T", `{"id":"e1","type":"agent.pause_ended","at":"2025-06-02 15:00:00","agent_id":"a"}`,
			[]FieldError{{1, "e1", "at", "must be RFC 3339 with offset"}}},
		{"bad timestamp without offset", `{"id":"e1","type":"agent.pause_ended","at":"2025-06-02T15:00:00","agent_id":"a"}`,
			[]FieldError{{1, "e1", "at", "must be RFC 3339 with offset"}}},
		{"bad timestamp out of range", `{"id":"e1","type":"agent.pause_ended","at":"2025-02-30T15:00:00+24:00","agent_id":"a"}`,
			[]FieldError{{1, "e1", "at", "must be RFC 3339 with offset"}}},
		{"bad nested timestamp", event("e1", "call.updated", `"interaction":"i","answered_at":"15:00"`),
			[]FieldError{{1, "e1", "answered_at", "must be RFC 3339 with offset"}}},
		{"tenant mismatch", event("e1", "agent.logout", `"agent_id":"a","tenant":"other"`),
			[]FieldError{{1, "e1", "tenant", `does not match the credential's tenant "acme"`}}},
		{"malformed JSON line", `{"id":"e1","type":`,
			[]FieldError{{1, "", "", "malformed JSON: …"}}},
		{"not an object", `["e1"]`, []FieldError{{1, "", "", "must be a JSON object"}}},
		{"null line", `null`, []FieldError{{1, "", "", "must be a JSON object"}}},
		{"negative number", event("e1", "call.updated", `"interaction":"i","jitter_ms":-1`),
			[]FieldError{{1, "e1", "jitter_ms", "must not be negative"}}},
		{"packet loss above 100", event("e1", "call.updated", `"interaction":"i","packet_loss_pct":100.5`),
			[]FieldError{{1, "e1", "packet_loss_pct", "must be at most 100"}}},
		{"infinite number", event("e1", "call.updated", `"interaction":"i","rtt_ms":1e999`),
			[]FieldError{{1, "e1", "rtt_ms", "must be a finite number"}}},
		{"call.updated with no call field", event("e1", "call.updated", `"interaction":"i","leg":"l","voice_status":null`),
			[]FieldError{{1, "e1", "", "needs at least one call field"}}},
		{"bad document", event("e1", "contact.upserted", `"contact":{"id":"c","document":"123"}`),
			[]FieldError{{1, "e1", "contact.document", "invalid CPF/CNPJ"}}},
		{"bad leg document", event("e1", "leg.finished", `"interaction":"i","leg":"l","status":"dequeued","document":"123"`),
			[]FieldError{{1, "e1", "document", "invalid CPF/CNPJ"}}},
		{"every problem of one event", `{"id":"e1","type":"message","at":"x","interaction":"i","sender":"ghost","attachment":{"name":"a"}}`,
			[]FieldError{{1, "e1", "at", "must be RFC 3339 with offset"}, {1, "e1", "message_id", "required"},
				{1, "e1", "sender", "not one of: client, agent, bot, system"},
				{1, "e1", "attachment.mime", "required"}, {1, "e1", "attachment.url", "required"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, _, err := Decode([]byte(c.line), Options{Tenant: "acme", ValidateDocument: badDoc})
			if len(evs) != 0 {
				t.Errorf("decoded %d events", len(evs))
			}
			got := problems(t, err)
			if len(got) == len(c.want) {
				for i, w := range c.want {
					if p, ok := strings.CutSuffix(w.Reason, "…"); ok && strings.HasPrefix(got[i].Reason, p) && len(got[i].Reason) > len(p) {
						got[i].Reason = w.Reason
					}
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestTenantMayBeOmittedOrEqual(t *testing.T) {
	body := event("e1", "agent.logout", `"agent_id":"a"`) + "\n" + event("e2", "agent.logout", `"agent_id":"a","tenant":"acme"`)
	evs, _, err := Decode([]byte(body), Options{Tenant: "acme"})
	if err != nil || len(evs) != 2 || evs[0].Tenant != "" || evs[1].Tenant != "acme" {
		t.Fatalf("%v %+v", err, evs)
	}
}

func TestCustomMediaList(t *testing.T) {
	opt := Options{Media: map[string]bool{"telegram": true, "voice": true}}
	_, _, err := Decode([]byte(event("e1", "interaction.created", `"interaction":"i","media":"telegram"`)), opt)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Decode([]byte(event("e1", "agent.login", `"agent_id":"a","media":"chat"`)), opt)
	want := []FieldError{{1, "e1", "media", "not one of: telegram, voice"}}
	if got := problems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("%+v", got)
	}
}

func TestUnknownExtraFieldsAreAccepted(t *testing.T) {
	line := event("e1", "leg.queued", `"interaction":"i1","leg":"l1","service_id":"s1","priority":3,"Service_ID":5,"meta":{"a":[1]}`)
	evs, raw, err := Decode([]byte(line), Options{})
	if err != nil || len(evs) != 1 || evs[0].ServiceID != "s1" {
		t.Fatalf("%v %+v", err, evs)
	}
	if string(raw[0]) != line {
		t.Errorf("raw = %s", raw[0])
	}
	line = event("e2", "contact.upserted", `"contact":{"id":"c","Name":7,"extra":true}`)
	if evs, _, err = Decode([]byte(line), Options{}); err != nil || evs[0].Contact.Name != "" {
		t.Fatalf("%v %+v", err, evs)
	}
}

// A leg.finished may omit its leg (rastro's extension, EVENTS.md): a
// source that sees a call end but cannot name the leg finishes whatever
// leg is open then. Its interaction and status stay required.
func TestLegFinishedMayOmitItsLeg(t *testing.T) {
	evs, _, err := Decode([]byte(event("x", "leg.finished", `"interaction":"i","status":"dequeued"`)), Options{})
	if err != nil || len(evs) != 1 || evs[0].Leg != "" || evs[0].Status != "dequeued" {
		t.Fatalf("leg-less leg.finished: %v %+v", err, evs)
	}
	_, _, err = Decode([]byte(event("x", "leg.finished", `"status":"dequeued"`)), Options{})
	want := []FieldError{{Line: 1, ID: "x", Field: "interaction", Reason: "required"}}
	if got := problems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("without interaction: %+v", got)
	}
}
