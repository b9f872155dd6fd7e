package ingest

import (
	"fmt"
	"reflect"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// kind is the wire type (and rule) of one field of an event.
type kind uint8

const (
	kString     kind = iota // string; non-empty when required
	kID                     // string naming something; non-empty whenever given
	kEnum                   // string, one of field.enum
	kMedia                  // string, one of Options.Media
	kDocument               // string; Options.ValidateDocument when non-empty
	kTime                   // string, RFC 3339 with offset
	kBool                   // true | false
	kNumber                 // finite number ≥ 0
	kPercent                // finite number, 0..100
	kIDList                 // array of non-empty strings
	kStringList             // array of strings
	kObject                 // object with the fields of field.sub
	kLabels                 // object of string labels {key: label} (ivr options, flow steps)
)

// field is one field of an event schema. Its name is the JSON tag of the
// matching field of model.Event (or of the nested struct for objects).
type field struct {
	name string
	kind kind
	req  bool
	enum []string
	sub  []field
	// target is the struct field's JSON (or schema) tag when it differs
	// from name (flow.upserted's "flow" lands in Event.FlowDef).
	target string
	// long marks free text (messages, comments, URLs): up to MaxTextBytes.
	// Every other string is a short label of at most maxShortRunes, as most
	// are keys of store indexes (PostgreSQL refuses index rows over ~2.7 KB).
	long bool
}

// key is the struct field the value lands in.
func (f field) key() string {
	if f.target != "" {
		return f.target
	}
	return f.name
}

func req(name string, k kind) field { return field{name: name, kind: k, req: true} }
func opt(name string, k kind) field { return field{name: name, kind: k} }
func optLong(name string) field     { return field{name: name, kind: kString, long: true} }
func reqEnum(name string, vals []string) field {
	return field{name: name, kind: kEnum, req: true, enum: vals}
}
func optEnum(name string, vals []string) field { return field{name: name, kind: kEnum, enum: vals} }
func reqObject(name string, sub ...field) field {
	return field{name: name, kind: kObject, req: true, sub: sub}
}
func optObject(name string, sub ...field) field { return field{name: name, kind: kObject, sub: sub} }
func named(name string) field                   { return reqObject(name, req("id", kID), opt("name", kString)) }
func ids(names ...string) (fs []field) {
	for _, n := range names {
		fs = append(fs, req(n, kID))
	}
	return fs
}

// callFields are the optional fields of call.updated, at least one of which
// must be given.
var callFields = []field{
	opt("dialed_number", kString),
	opt("voice_server", kString),
	opt("external_channel", kString),
	opt("internal_channel", kString),
	opt("answered_at", kTime),
	opt("client_hangup_at", kTime),
	opt("agent_hangup_at", kTime),
	optEnum("voice_status", model.VoiceStatuses),
	opt("jitter_ms", kNumber),
	opt("packet_loss_pct", kPercent),
	opt("rtt_ms", kNumber),
	optLong("recording_url"),
}

// schemas holds, per event type of EVENTS.md, the fields besides the common
// id, type, at and tenant. Fields not listed are accepted and ignored.
var schemas = map[string][]field{
	model.TypeServiceUpserted: {named("service")},
	// Upserts may carry only some fields (EVENTS.md): only the id is
	// required; an absent field keeps its stored value, null clears it.
	model.TypeUserUpserted: {reqObject("user",
		req("id", kID), opt("name", kString), opt("tags", kIDList),
		optEnum("status", model.UserStatuses), opt("extension", kString))},
	model.TypeTagUpserted: {named("tag")},
	model.TypeIVRUpserted: {reqObject("ivr", req("id", kID), opt("name", kString), opt("options", kLabels))},
	model.TypeFlowUpserted: {field{name: "flow", target: "flow_def", kind: kObject, req: true,
		sub: []field{req("id", kID), opt("name", kString), opt("steps", kLabels)}}},
	model.TypeClientUpserted: {named("client")},
	model.TypeCampaignUpserted: {reqObject("campaign",
		req("id", kID), opt("name", kString), opt("client_id", kID))},
	model.TypeBatchUpserted: {reqObject("batch",
		req("id", kID), opt("name", kString), opt("campaign_id", kID))},
	model.TypeContactUpserted: {reqObject("contact",
		req("id", kID), opt("name", kString), opt("document", kDocument),
		opt("phones", kStringList), opt("emails", kStringList),
		opt("external_id", kString), opt("portfolio", kBool), opt("batch_id", kID))},

	model.TypeInteractionCreated: {
		req("interaction", kID), req("media", kMedia), opt("protocol", kString),
		opt("origin", kString), optEnum("direction", model.Directions),
		opt("from", kString), opt("to", kString), opt("contact_id", kID),
		optEnum("started_by", model.StartedBy)},
	model.TypeEnteredOmni:  ids("interaction"),
	model.TypeLegQueued:    ids("interaction", "leg", "service_id"),
	model.TypeLegDelivered: ids("interaction", "leg", "agent_id"),
	model.TypeMessage: {
		req("interaction", kID), opt("leg", kID), req("message_id", kID),
		reqEnum("sender", model.Senders), opt("agent_id", kID), optLong("text"),
		optObject("attachment", req("name", kString), req("mime", kString), field{name: "url", kind: kString, req: true, long: true})},
	model.TypeMessageStatus: {
		req("interaction", kID), req("message_id", kID),
		reqEnum("status", model.MessageStatuses), optLong("error"), opt("expires_at", kTime)},
	model.TypeHoldStarted: append(ids("interaction", "leg"), reqEnum("kind", model.HoldKinds)),
	model.TypeHoldEnded:   ids("interaction", "leg"),
	model.TypeLegTransferred: append(ids("interaction", "leg", "new_leg"),
		opt("to_service_id", kID), opt("to_agent_id", kID)),
	// leg is optional (rastro's extension, EVENTS.md): without it the
	// event ends the leg current at its time, if that leg is still open.
	model.TypeLegFinished: append([]field{req("interaction", kID), opt("leg", kID)},
		reqEnum("status", model.LegStatuses), opt("tags", kIDList),
		opt("external_protocol", kString), opt("contact_id", kID),
		optLong("comments"), opt("document", kDocument)),
	model.TypeCallUpdated: append([]field{req("interaction", kID), opt("leg", kID)}, callFields...),

	model.TypeIVREntered: ids("interaction", "ivr_id"),
	model.TypeIVROption:  append(ids("interaction", "ivr_id"), req("option", kString)),
	model.TypeIVRLeft: append(ids("interaction", "ivr_id"),
		reqEnum("outcome", model.IVROutcomes), opt("service_id", kID)),

	model.TypeBotStarted: append(ids("conversation", "flow", "client_id", "campaign_id", "batch_id", "contact_id"),
		opt("channel", kString)),
	model.TypeBotMessage: append(ids("conversation", "message_id"),
		reqEnum("sender", model.BotSenders), optLong("text")),
	model.TypeBotStep: append(ids("conversation"), req("step", kString)),
	model.TypeBotEnded: append(ids("conversation"),
		reqEnum("outcome", model.BotOutcomes), opt("interaction", kID)),

	model.TypeAgentLogin:      {req("agent_id", kID), opt("media", kMedia)},
	model.TypeAgentLogout:     {req("agent_id", kID), opt("media", kMedia)},
	model.TypeAgentPauseStart: {req("agent_id", kID), req("reason", kString)},
	model.TypeAgentPauseEnd:   ids("agent_id"),
}

// types lists every event type of EVENTS.md, in the order it names them,
// and rastro's one extension, message.status (README, WhatsApp webhooks).
var types = []string{
	model.TypeServiceUpserted, model.TypeUserUpserted, model.TypeTagUpserted, model.TypeIVRUpserted, model.TypeFlowUpserted,
	model.TypeClientUpserted, model.TypeCampaignUpserted, model.TypeBatchUpserted, model.TypeContactUpserted,
	model.TypeInteractionCreated, model.TypeEnteredOmni, model.TypeLegQueued, model.TypeLegDelivered,
	model.TypeMessage, model.TypeHoldStarted, model.TypeHoldEnded, model.TypeLegTransferred,
	model.TypeLegFinished, model.TypeCallUpdated, model.TypeMessageStatus,
	model.TypeIVREntered, model.TypeIVROption, model.TypeIVRLeft,
	model.TypeBotStarted, model.TypeBotMessage, model.TypeBotStep, model.TypeBotEnded,
	model.TypeAgentLogin, model.TypeAgentLogout, model.TypeAgentPauseStart, model.TypeAgentPauseEnd,
}

// jsonFields maps a struct type to its fields by exact JSON name.
var jsonFields = map[reflect.Type]map[string]int{}

func fieldsOf(t reflect.Type) map[string]int {
	if m, ok := jsonFields[t]; ok {
		return m
	}
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("json")
		if st := t.Field(i).Tag.Get("schema"); st != "" {
			tag = st
		}
		for j := 0; j < len(tag); j++ {
			if tag[j] == ',' {
				tag = tag[:j]
				break
			}
		}
		if tag != "" && tag != "-" {
			m[tag] = i
		}
	}
	jsonFields[t] = m
	return m
}

var (
	timeType   = reflect.TypeOf(time.Time{})
	stringType = reflect.TypeOf("")
	boolPtr    = reflect.TypeOf((*bool)(nil))
	floatPtr   = reflect.TypeOf((*float64)(nil))
	stringsTyp = reflect.TypeOf([]string(nil))
	labelsType = reflect.TypeOf(map[string]string(nil))
)

// checkSchema verifies that every schema field lands on a model field of a
// fitting Go type; it also fills jsonFields, which is read-only afterwards.
func checkSchema(t reflect.Type, fs []field, path string) error {
	idx := fieldsOf(t)
	for _, f := range fs {
		i, ok := idx[f.key()]
		if !ok {
			return fmt.Errorf("ingest: %s%s has no field in %s", path, f.name, t)
		}
		ft := t.Field(i).Type
		var good bool
		switch f.kind {
		case kString, kID, kEnum, kMedia, kDocument:
			good = ft == stringType
		case kTime:
			good = ft == timeType || ft == reflect.PointerTo(timeType)
		case kBool:
			good = ft == boolPtr
		case kNumber, kPercent:
			good = ft == floatPtr
		case kIDList, kStringList:
			good = ft == stringsTyp
		case kLabels:
			good = ft == labelsType
		case kObject:
			good = ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct
			if good {
				if err := checkSchema(ft.Elem(), f.sub, path+f.name+"."); err != nil {
					return err
				}
			}
		}
		if !good {
			return fmt.Errorf("ingest: %s%s: kind %d does not fit %s", path, f.name, f.kind, ft)
		}
	}
	return nil
}

func init() {
	et := reflect.TypeOf(model.Event{})
	for _, name := range []string{"id", "type", "at", "tenant"} {
		if _, ok := fieldsOf(et)[name]; !ok {
			panic("ingest: model.Event has no " + name)
		}
	}
	if len(types) != len(schemas) {
		panic("ingest: types and schemas disagree")
	}
	for _, typ := range types {
		fs, ok := schemas[typ]
		if !ok {
			panic("ingest: no schema for " + typ)
		}
		if err := checkSchema(et, fs, ""); err != nil {
			panic(err)
		}
	}
}
