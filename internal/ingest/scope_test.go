package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// Write scope: a principal limited to services or clients writes only inside
// its scope, judged against the store plus the batch's own earlier events.

const scopeTenant = "bpo"

// scopeWorld is what the tenant's unlimited operator stored before the
// limited principals write:
//   - services svc-sac and svc-cob; clients cli-acme and cli-other;
//   - i-sac: one leg (l1) queued into svc-sac, delivered;
//   - i-cob: one leg (l1) queued into svc-cob, finished;
//   - i-mixed: l1 in svc-sac transferred to l2 in svc-cob;
//   - i-bare: only interaction.created (no leg: in nobody's scope);
//   - i-ivr-cob: l1 in svc-sac, and an IVR visit that left to svc-cob;
//   - conversations c-acme (cli-acme) and c-other (cli-other).
var scopeWorld = []string{
	ev("service.upserted", `"service":{"id":"svc-sac","name":"SAC"}`),
	ev("service.upserted", `"service":{"id":"svc-cob","name":"Cobrança"}`),
	ev("client.upserted", `"client":{"id":"cli-acme","name":"Acme"}`),
	ev("client.upserted", `"client":{"id":"cli-other","name":"Other"}`),
	ev("interaction.created", `"interaction":"i-sac","media":"whatsapp"`),
	ev("leg.queued", `"interaction":"i-sac","leg":"l1","service_id":"svc-sac"`),
	ev("leg.delivered", `"interaction":"i-sac","leg":"l1","agent_id":"ag-1"`),
	ev("interaction.created", `"interaction":"i-cob","media":"whatsapp"`),
	ev("leg.queued", `"interaction":"i-cob","leg":"l1","service_id":"svc-cob"`),
	ev("leg.finished", `"interaction":"i-cob","leg":"l1","status":"service completed"`),
	ev("leg.queued", `"interaction":"i-mixed","leg":"l1","service_id":"svc-sac"`),
	ev("leg.transferred", `"interaction":"i-mixed","leg":"l1","new_leg":"l2","to_service_id":"svc-cob"`),
	ev("interaction.created", `"interaction":"i-bare","media":"chat"`),
	ev("leg.queued", `"interaction":"i-ivr-cob","leg":"l1","service_id":"svc-sac"`),
	ev("ivr.left", `"interaction":"i-ivr-cob","ivr_id":"ura","outcome":"transferred","service_id":"svc-cob"`),
	ev("bot.conversation_started", `"conversation":"c-acme","flow":"f","client_id":"cli-acme","campaign_id":"cp","batch_id":"b","contact_id":"ct"`),
	ev("bot.conversation_started", `"conversation":"c-other","flow":"f","client_id":"cli-other","campaign_id":"cp","batch_id":"b","contact_id":"ct"`),
}

var evSeq int

// ev writes an event line of type typ with a fresh id.
func ev(typ, fields string) string {
	evSeq++
	return fmt.Sprintf(`{"id":"sc-%d","type":%q,"at":"2026-10-01T10:%02d:%02d-03:00",%s}`, evSeq, typ, evSeq/60%60, evSeq%60, fields)
}

var (
	sacSupervisor  = model.Principal{Tenant: scopeTenant, Role: model.RoleSupervisor, Services: []string{"svc-sac"}}
	acmeSupervisor = model.Principal{Tenant: scopeTenant, Role: model.RoleSupervisor, Clients: []string{"cli-acme"}}
	bothLimited    = model.Principal{Tenant: scopeTenant, Role: model.RoleSupervisor, Services: []string{"svc-sac"}, Clients: []string{"cli-acme"}}
	unlimited      = model.Principal{Tenant: scopeTenant, Role: model.RoleSupervisor}
)

// refusal is one expected problem of a 403: the line and the field named.
type refusal struct {
	line  int
	field string
}

type scopeScenario struct {
	name  string
	who   model.Principal
	batch []string
	want  []refusal // nil: accepted
}

// Grouped so the named tests below read as the rules they check.
var (
	queueIntoAnotherService = []scopeScenario{
		{"queue own leg into another service", sacSupervisor, []string{
			ev("leg.queued", `"interaction":"i-sac","leg":"l1","service_id":"svc-cob"`),
		}, []refusal{{1, "service_id"}}},
		{"queue a new leg into another service's interaction", sacSupervisor, []string{
			ev("leg.queued", `"interaction":"i-cob","leg":"l9","service_id":"svc-sac"`),
		}, []refusal{{1, "interaction"}}},
		{"queue a new leg into a mixed interaction", sacSupervisor, []string{
			ev("leg.queued", `"interaction":"i-mixed","leg":"l9","service_id":"svc-sac"`),
		}, []refusal{{1, "interaction"}}},
		{"queue a leg into a stored interaction without legs", sacSupervisor, []string{
			ev("leg.queued", `"interaction":"i-bare","leg":"l1","service_id":"svc-sac"`),
		}, []refusal{{1, "interaction"}}},
		{"finish another service's leg", sacSupervisor, []string{
			ev("leg.finished", `"interaction":"i-cob","leg":"l1","status":"abandoned"`),
		}, []refusal{{1, "leg"}}},
		{"transfer own leg to another service", sacSupervisor, []string{
			ev("leg.transferred", `"interaction":"i-sac","leg":"l1","new_leg":"l2","to_service_id":"svc-cob"`),
		}, []refusal{{1, "to_service_id"}}},
		{"transfer to an agent onto a leg of another service", sacSupervisor, []string{
			ev("leg.transferred", `"interaction":"i-mixed","leg":"l1","new_leg":"l2","to_agent_id":"ag-2"`),
		}, []refusal{{1, "new_leg"}}},
		{"IVR sends the call to another service", sacSupervisor, []string{
			ev("ivr.left", `"interaction":"i-sac","ivr_id":"ura","outcome":"transferred","service_id":"svc-cob"`),
		}, []refusal{{1, "service_id"}}},
		{"message without leg on a mixed interaction", sacSupervisor, []string{
			ev("message", `"interaction":"i-mixed","message_id":"m1","sender":"client","text":"oi"`),
		}, []refusal{{1, "interaction"}}},
		{"call.updated without leg where the IVR went to another service", sacSupervisor, []string{
			ev("call.updated", `"interaction":"i-ivr-cob","voice_status":"answered"`),
		}, []refusal{{1, "interaction"}}},
		{"event on a leg nobody queued", sacSupervisor, []string{
			ev("leg.delivered", `"interaction":"i-sac","leg":"l7","agent_id":"ag-1"`),
		}, []refusal{{1, "leg"}}},
		{"every problem is named, with its line", sacSupervisor, []string{
			ev("leg.finished", `"interaction":"i-cob","leg":"l1","status":"abandoned"`),
			ev("leg.finished", `"interaction":"i-sac","leg":"l1","status":"service completed"`),
			ev("interaction.entered_omni", `"interaction":"i-cob"`),
		}, []refusal{{1, "leg"}, {3, "interaction"}}},
		{"own leg and own interaction", sacSupervisor, []string{
			ev("message", `"interaction":"i-sac","leg":"l1","message_id":"m1","sender":"agent","agent_id":"ag-1","text":"oi"`),
			ev("call.updated", `"interaction":"i-sac","jitter_ms":10`),
			ev("leg.transferred", `"interaction":"i-sac","leg":"l1","new_leg":"l2","to_agent_id":"ag-2"`),
			ev("leg.delivered", `"interaction":"i-sac","leg":"l2","agent_id":"ag-2"`),
			ev("leg.finished", `"interaction":"i-sac","leg":"l2","status":"service completed"`),
		}, nil},
		{"own leg of a mixed interaction", sacSupervisor, []string{
			ev("message", `"interaction":"i-mixed","leg":"l1","message_id":"m2","sender":"agent","agent_id":"ag-1","text":"oi"`),
		}, nil},
		{"limited to clients only: every service is in scope", acmeSupervisor, []string{
			ev("leg.queued", `"interaction":"i-cob","leg":"l5","service_id":"svc-sac"`),
		}, nil},
	}
	tenantWide = []scopeScenario{
		{"rename another service", sacSupervisor, []string{
			ev("service.upserted", `"service":{"id":"svc-cob","name":"Hacked"}`),
		}, []refusal{{1, "type"}}},
		{"rename its own service", sacSupervisor, []string{
			ev("service.upserted", `"service":{"id":"svc-sac","name":"SAC 2"}`),
		}, []refusal{{1, "type"}}},
		{"client-limited renames a client", acmeSupervisor, []string{
			ev("client.upserted", `"client":{"id":"cli-acme","name":"Acme 2"}`),
		}, []refusal{{1, "type"}}},
		{"agent activity", sacSupervisor, []string{
			ev("agent.login", `"agent_id":"ag-1"`),
		}, []refusal{{1, "type"}}},
		{"unlimited supervisor renames a service", unlimited, []string{
			ev("service.upserted", `"service":{"id":"svc-cob","name":"Cobrança 2"}`),
		}, nil},
	}
	batchPlaces = []scopeScenario{
		{"queued first, then created", sacSupervisor, []string{
			ev("leg.queued", `"interaction":"i-new-1","leg":"l1","service_id":"svc-sac"`),
			ev("interaction.created", `"interaction":"i-new-1","media":"chat"`),
			ev("ivr.entered", `"interaction":"i-new-1","ivr_id":"ura"`),
			ev("leg.delivered", `"interaction":"i-new-1","leg":"l1","agent_id":"ag-1"`),
			ev("leg.transferred", `"interaction":"i-new-1","leg":"l1","new_leg":"l2","to_service_id":"svc-sac"`),
			ev("leg.finished", `"interaction":"i-new-1","leg":"l2","status":"service completed"`),
		}, nil},
		{"created before any leg places it", sacSupervisor, []string{
			ev("interaction.created", `"interaction":"i-new-2","media":"chat"`),
			ev("leg.queued", `"interaction":"i-new-2","leg":"l1","service_id":"svc-sac"`),
		}, []refusal{{1, "interaction"}}},
		{"a leg placed into another service does not place the interaction", sacSupervisor, []string{
			ev("leg.queued", `"interaction":"i-new-3","leg":"l1","service_id":"svc-cob"`),
			ev("interaction.created", `"interaction":"i-new-3","media":"chat"`),
		}, []refusal{{1, "service_id"}, {2, "interaction"}}},
	}
	botScope = []scopeScenario{
		{"message of the client's conversation", acmeSupervisor, []string{
			ev("bot.message", `"conversation":"c-acme","message_id":"bm1","sender":"bot","text":"Olá"`),
		}, nil},
		{"message of another client's conversation", acmeSupervisor, []string{
			ev("bot.step", `"conversation":"c-other","step":"s1"`),
		}, []refusal{{1, "conversation"}}},
		{"start a conversation for another client", acmeSupervisor, []string{
			ev("bot.conversation_started", `"conversation":"c-new-1","flow":"f","client_id":"cli-other","campaign_id":"cp","batch_id":"b","contact_id":"ct"`),
		}, []refusal{{1, "client_id"}}},
		{"restart another client's conversation as its own", acmeSupervisor, []string{
			ev("bot.conversation_started", `"conversation":"c-other","flow":"f","client_id":"cli-acme","campaign_id":"cp","batch_id":"b","contact_id":"ct"`),
		}, []refusal{{1, "conversation"}}},
		{"started earlier in the batch", acmeSupervisor, []string{
			ev("bot.conversation_started", `"conversation":"c-new-2","flow":"f","client_id":"cli-acme","campaign_id":"cp","batch_id":"b","contact_id":"ct"`),
			ev("bot.step", `"conversation":"c-new-2","step":"s1"`),
			ev("bot.conversation_ended", `"conversation":"c-new-2","outcome":"finished"`),
		}, nil},
		{"unknown conversation", acmeSupervisor, []string{
			ev("bot.step", `"conversation":"c-new-3","step":"s1"`),
			ev("bot.conversation_started", `"conversation":"c-new-3","flow":"f","client_id":"cli-acme","campaign_id":"cp","batch_id":"b","contact_id":"ct"`),
		}, []refusal{{1, "conversation"}}},
		{"services-limited principal: bots have no service", sacSupervisor, []string{
			ev("bot.message", `"conversation":"c-acme","message_id":"bm2","sender":"bot","text":"Olá"`),
		}, []refusal{{1, "type"}}},
		{"limited to both: the client decides", bothLimited, []string{
			ev("bot.message", `"conversation":"c-acme","message_id":"bm3","sender":"bot","text":"Olá"`),
		}, nil},
	}
)

func TestServiceLimitedSupervisorCannotQueueLegIntoAnotherService(t *testing.T) {
	runScopeScenarios(t, queueIntoAnotherService)
}

func TestServiceLimitedSupervisorCannotRenameService(t *testing.T) {
	runScopeScenarios(t, tenantWide)
}

func TestLimitedPrincipalMayCreateInteractionWhenBatchPlacesItInScope(t *testing.T) {
	runScopeScenarios(t, batchPlaces)
}

func TestClientLimitedPrincipalBotEventsNeedTheConversationClient(t *testing.T) {
	runScopeScenarios(t, botScope)
}

// runScopeScenarios stores scopeWorld once per store, then sends each
// scenario's batch as its principal: a refused batch must name exactly the
// expected lines and fields and store nothing; an accepted one stores all.
func runScopeScenarios(t *testing.T, scenarios []scopeScenario) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		in := tenantIngester(t, s.DB, scopeTenant)
		if _, err := in.IngestBody(ctx, scopeTenant, []byte(strings.Join(scopeWorld, "\n"))); err != nil {
			t.Fatalf("store the world: %v", err)
		}
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				before := eventIDs(t, s.DB)
				res, err := in.IngestBodyAs(ctx, sc.who, []byte(strings.Join(sc.batch, "\n")))
				after := eventIDs(t, s.DB)
				if sc.want == nil {
					if err != nil {
						t.Fatalf("want accepted, got %v", err)
					}
					if res.Accepted != len(sc.batch) || len(after) != len(before)+len(sc.batch) {
						t.Fatalf("accepted %d of %d; store grew by %d", res.Accepted, len(sc.batch), len(after)-len(before))
					}
					return
				}
				var se *ingest.ScopeError
				if !errors.As(err, &se) {
					t.Fatalf("want a scope refusal naming %v, got %v (%+v)", sc.want, err, res)
				}
				var got []refusal
				for _, fe := range se.Errors {
					got = append(got, refusal{fe.Line, fe.Field})
					if fe.ID == "" || fe.Reason == "" {
						t.Errorf("problem without id or reason: %+v", fe)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(sc.want) {
					t.Errorf("refused %v, want %v: %+v", got, sc.want, se.Errors)
				}
				if len(after) != len(before) {
					t.Errorf("a refused batch stored %d events", len(after)-len(before))
				}
			})
		}
	})
}

// TestUnlimitedPrincipalIsNotChecked: the CLI's Store and an unlimited
// principal keep today's behaviour, whatever the batch names.
func TestUnlimitedPrincipalIsNotChecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		in := tenantIngester(t, s.DB, scopeTenant)
		batch := []string{
			ev("interaction.created", `"interaction":"i-u","media":"chat"`),
			ev("agent.login", `"agent_id":"ag-1"`),
			ev("bot.step", `"conversation":"c-u","step":"s1"`),
		}
		for _, who := range []model.Principal{unlimited, {Tenant: scopeTenant, Role: model.RoleAdmin}} {
			if _, err := in.IngestBodyAs(ctx, who, []byte(strings.Join(batch, "\n"))); err != nil {
				t.Fatalf("%s: %v", who.Role, err)
			}
		}
		if _, err := in.IngestBody(ctx, scopeTenant, []byte(strings.Join(batch, "\n"))); err != nil {
			t.Fatal(err)
		}
	})
}

func eventIDs(t *testing.T, db *store.DB) map[string]bool {
	t.Helper()
	ids, err := db.EventIDs(context.Background(), scopeTenant)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
