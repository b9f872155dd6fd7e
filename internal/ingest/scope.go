package ingest

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/rastro/rastro/internal/model"
)

// Write scope. A principal limited to services or clients (model.Principal
// Services / Clients) writes only inside its scope; an unlimited principal
// (and the CLI, the tenant's operator) is not checked at all. The rules,
// checked event by event in batch order against the store plus the batch's
// own earlier events:
//
//   - A leg is in scope when it was given a service (leg.queued service_id;
//     leg.transferred to_service_id for the new leg, or, without one, the
//     services of the leg it came from) and every service it was ever given is
//     in scope. A leg only named by other events has no service of its own.
//   - An event about a leg needs the leg in scope and the service the event
//     gives (leg.queued service_id, leg.transferred to_service_id) in scope.
//     A leg the store and the batch do not know yet may only be placed by a
//     leg.queued into a service in scope, and only into an interaction that is
//     new or in scope (no leg may be slipped into another service's call).
//   - An interaction is in scope when at least one of its legs is, all of
//     them are, and every ivr.left service_id of it is in scope. Events about
//     the whole interaction (interaction.created, interaction.entered_omni,
//     call.updated and message without leg, ivr.*) need it in scope; ivr.left
//     service_id must be in scope too.
//   - Bot conversations have no service: they need a client-limited principal
//     and every client the conversation was started with (bot.conversation_
//     started client_id) in scope. A principal limited to services only may
//     not send bot events: a conversation has no service, so no service limit
//     can tell whether it is in scope, and such a principal's Fluxo Ágil is
//     unlimited (refusing is the safe side).
//   - A principal limited to clients only is unlimited on services: it may
//     write interactions like an unlimited one.
//   - Directory upserts and agent activity concern the whole tenant: only an
//     unlimited admin or supervisor may send them.
//
// Because the store and the batch's earlier events decide, a limited
// principal must place an interaction (or conversation) in scope before it
// names it in the same batch: the one exception to order independence.

// Limits are what a principal may write into: nil = unlimited.
type Limits struct {
	Services []string
	Clients  []string
}

// LimitsOf reads a principal's limits.
func LimitsOf(p model.Principal) Limits { return Limits{Services: p.Services, Clients: p.Clients} }

// Unlimited reports a principal without limits: its batches are not checked.
func (l Limits) Unlimited() bool { return l.Services == nil && l.Clients == nil }

// ScopeError holds every event of a batch outside the sender's scope; the
// web layer answers it with 403 and the 422's shape. Nothing was stored.
type ScopeError struct {
	Errors  []FieldError `json:"errors"`
	Omitted int          `json:"omitted,omitempty"`
}

// maxScopeErrors caps the problems listed (EVENTS.md: every problem up to
// 1,000, then "omitted" counts the rest).
const maxScopeErrors = 1000

// Error names no event or id on purpose: error texts are matched for
// retryable database codes, and ids come from the client.
func (e *ScopeError) Error() string {
	return fmt.Sprintf("batch outside the principal's scope: %d problem(s)", len(e.Errors)+e.Omitted)
}

// scopeSource is what the check reads from the store (a *store.Tx, inside
// the batch's transaction).
type scopeSource interface {
	AggregateKnown(ctx context.Context, kind, key string) (bool, error)
	AggregateEventsOfTypes(ctx context.Context, kind, key string, types ...string) ([]model.Event, error)
}

// interactionPlacing are the event types that give a leg or an IVR visit a
// service.
var interactionPlacing = []string{model.TypeLegQueued, model.TypeLegTransferred, model.TypeIVRLeft}

type legScope struct {
	services map[string]bool
	from     string // the leg it was transferred from, when the transfer named no service
}

type interactionScope struct {
	known       bool
	legs        map[string]*legScope
	ivrServices map[string]bool
}

type conversationScope struct {
	known   bool
	clients map[string]bool
}

// scopeCheck checks a batch of one principal, event by event.
type scopeCheck struct {
	services, clients map[string]bool // nil = unlimited
	src               scopeSource
	interactions      map[string]*interactionScope
	conversations     map[string]*conversationScope
	errs              []FieldError
	omitted           int
}

func setOf(ids []string) map[string]bool {
	if ids == nil {
		return nil
	}
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// checkScope returns a *ScopeError naming every event of the batch outside
// the limits, or nil. lines[i] is the line of events[i] (nil: i+1).
func checkScope(ctx context.Context, src scopeSource, lim Limits, events []model.Event, lines []int) error {
	if lim.Unlimited() {
		return nil
	}
	c := &scopeCheck{
		services: setOf(lim.Services), clients: setOf(lim.Clients), src: src,
		interactions: map[string]*interactionScope{}, conversations: map[string]*conversationScope{},
	}
	for i := range events {
		line := i + 1
		if lines != nil {
			line = lines[i]
		}
		if err := c.event(ctx, &events[i], line); err != nil {
			return err
		}
	}
	if len(c.errs) == 0 && c.omitted == 0 {
		return nil
	}
	return &ScopeError{Errors: c.errs, Omitted: c.omitted}
}

func (c *scopeCheck) fail(ev *model.Event, line int, field, reason string) {
	if len(c.errs) >= maxScopeErrors {
		c.omitted++
		return
	}
	c.errs = append(c.errs, FieldError{Line: line, ID: ev.ID, Field: field, Reason: reason})
}

func (c *scopeCheck) event(ctx context.Context, ev *model.Event, line int) error {
	kind, key := ev.Aggregate()
	switch kind {
	case model.AggDirectory, model.AggAgent:
		c.fail(ev, line, "type", ev.Type+" concerns the whole tenant: only an admin or supervisor without service or client limits may send it")
		return nil
	case model.AggBot:
		return c.bot(ctx, ev, line, key)
	case model.AggInteraction:
		return c.interaction(ctx, ev, line, key)
	}
	c.fail(ev, line, "type", "outside your scope")
	return nil
}

// ---- bot conversations ----------------------------------------------------------

func (c *scopeCheck) conversation(ctx context.Context, id string) (*conversationScope, error) {
	if cs, ok := c.conversations[id]; ok {
		return cs, nil
	}
	cs := &conversationScope{clients: map[string]bool{}}
	known, err := c.src.AggregateKnown(ctx, model.AggBot, id)
	if err != nil {
		return nil, err
	}
	cs.known = known
	if known {
		evs, err := c.src.AggregateEventsOfTypes(ctx, model.AggBot, id, model.TypeBotStarted)
		if err != nil {
			return nil, err
		}
		for i := range evs {
			if evs[i].ClientID != "" {
				cs.clients[evs[i].ClientID] = true
			}
		}
	}
	c.conversations[id] = cs
	return cs, nil
}

func (c *scopeCheck) bot(ctx context.Context, ev *model.Event, line int, id string) error {
	if c.clients == nil {
		c.fail(ev, line, "type", "bot conversations belong to clients, not services: a principal limited to services may not send "+ev.Type)
		return nil
	}
	cs, err := c.conversation(ctx, id)
	if err != nil {
		return err
	}
	if reason := c.conversationOutside(ev, cs, id); reason.text != "" {
		c.fail(ev, line, reason.field, reason.text)
		return nil
	}
	// Only an event in scope counts for the next ones.
	cs.known = true
	if ev.Type == model.TypeBotStarted {
		cs.clients[ev.ClientID] = true
	}
	return nil
}

type problem struct{ field, text string }

// conversationOutside says why a bot event is outside the scope.
func (c *scopeCheck) conversationOutside(ev *model.Event, cs *conversationScope, id string) problem {
	if ev.Type == model.TypeBotStarted {
		if !c.clients[ev.ClientID] {
			return problem{"client_id", fmt.Sprintf("client %q is outside your scope", ev.ClientID)}
		}
		if !cs.known {
			return problem{} // a new conversation, placed by this event
		}
	}
	switch {
	case len(cs.clients) == 0 && !cs.known:
		return problem{"conversation", fmt.Sprintf("conversation %q is not known: start it (bot.conversation_started with one of your clients) earlier in this batch", id)}
	case len(cs.clients) == 0:
		return problem{"conversation", fmt.Sprintf("conversation %q has no client in your scope", id)}
	}
	if out := outside(cs.clients, c.clients); len(out) > 0 {
		return problem{"conversation", fmt.Sprintf("conversation %q belongs to client(s) outside your scope (%s)", id, strings.Join(out, ", "))}
	}
	return problem{}
}

// ---- interactions ------------------------------------------------------------------

func (c *scopeCheck) interaction(ctx context.Context, ev *model.Event, line int, id string) error {
	if c.services == nil {
		return nil // limited to clients only: every service is in scope
	}
	is, err := c.loadInteraction(ctx, id)
	if err != nil {
		return err
	}
	if p := c.interactionEventOutside(ev, is, id); p.text != "" {
		c.fail(ev, line, p.field, p.text)
		return nil
	}
	is.apply(ev) // only an event in scope counts for the next ones
	return nil
}

// interactionEventOutside says why an interaction event is outside the
// scope of a service-limited principal.
func (c *scopeCheck) interactionEventOutside(ev *model.Event, is *interactionScope, id string) problem {
	if given := givenService(ev); given.id != "" && !c.services[given.id] {
		return problem{given.field, fmt.Sprintf("service %q is outside your scope", given.id)}
	}
	if !legEvent(ev) {
		return problem{"interaction", c.interactionOutside(is, id)}
	}
	switch svcs := is.services(ev.Leg); {
	case len(svcs) > 0:
		if out := outside(svcs, c.services); len(out) > 0 {
			return problem{"leg", fmt.Sprintf("leg %q is in service(s) outside your scope (%s)", ev.Leg, strings.Join(out, ", "))}
		}
	case ev.Type != model.TypeLegQueued:
		return problem{"leg", fmt.Sprintf("leg %q is not known in your scope: queue it (leg.queued into one of your services) earlier in this batch", ev.Leg)}
	case is.known:
		// A new leg goes only into a new interaction or one in scope: no
		// leg may be slipped into another service's call.
		if reason := c.interactionOutside(is, id); reason != "" {
			return problem{"interaction", reason}
		}
	}
	if ev.Type == model.TypeLegTransferred {
		if out := outside(is.services(ev.NewLeg), c.services); len(out) > 0 {
			return problem{"new_leg", fmt.Sprintf("leg %q is in service(s) outside your scope (%s)", ev.NewLeg, strings.Join(out, ", "))}
		}
	}
	return problem{}
}

func (c *scopeCheck) loadInteraction(ctx context.Context, id string) (*interactionScope, error) {
	if is, ok := c.interactions[id]; ok {
		return is, nil
	}
	is := &interactionScope{legs: map[string]*legScope{}, ivrServices: map[string]bool{}}
	known, err := c.src.AggregateKnown(ctx, model.AggInteraction, id)
	if err != nil {
		return nil, err
	}
	if known {
		evs, err := c.src.AggregateEventsOfTypes(ctx, model.AggInteraction, id, interactionPlacing...)
		if err != nil {
			return nil, err
		}
		for i := range evs {
			is.apply(&evs[i])
		}
	}
	is.known = known
	c.interactions[id] = is
	return is, nil
}

// interactionOutside says why an interaction is not in scope ("" if it is).
func (c *scopeCheck) interactionOutside(is *interactionScope, id string) string {
	inScope := 0
	var out []string
	for _, leg := range sortedKeys(is.legs) {
		svcs := is.services(leg)
		if len(svcs) == 0 {
			continue
		}
		if o := outside(svcs, c.services); len(o) > 0 {
			out = append(out, o...)
		} else {
			inScope++
		}
	}
	out = append(out, outside(is.ivrServices, c.services)...)
	switch {
	case len(out) > 0:
		return fmt.Sprintf("interaction %q is in service(s) outside your scope (%s)", id, strings.Join(dedupe(out), ", "))
	case inScope == 0 && !is.known:
		return fmt.Sprintf("interaction %q is not known: queue one of its legs into one of your services earlier in this batch", id)
	case inScope == 0:
		return fmt.Sprintf("interaction %q has no leg in your scope", id)
	}
	return ""
}

// apply records what an event says about where the interaction's legs are.
func (is *interactionScope) apply(ev *model.Event) {
	is.known = true
	leg := func(id string) *legScope {
		l := is.legs[id]
		if l == nil {
			l = &legScope{services: map[string]bool{}}
			is.legs[id] = l
		}
		return l
	}
	switch ev.Type {
	case model.TypeLegQueued:
		if ev.Leg != "" && ev.ServiceID != "" {
			leg(ev.Leg).services[ev.ServiceID] = true
		}
	case model.TypeLegTransferred:
		if ev.NewLeg == "" {
			return
		}
		l := leg(ev.NewLeg)
		if ev.ToServiceID != "" {
			l.services[ev.ToServiceID] = true
		} else if ev.Leg != "" && ev.Leg != ev.NewLeg {
			l.from = ev.Leg
		}
	case model.TypeIVRLeft:
		if ev.ServiceID != "" {
			is.ivrServices[ev.ServiceID] = true
		}
	}
}

// services are every service a leg was given, its own and (for a transfer
// that named none) those of the leg it came from.
func (is *interactionScope) services(id string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]bool{}
	for id != "" && !seen[id] {
		seen[id] = true
		l := is.legs[id]
		if l == nil {
			break
		}
		for s := range l.services {
			out[s] = true
		}
		id = l.from
	}
	return out
}

type serviceField struct{ field, id string }

// givenService is the service an event gives a leg or an IVR visit.
func givenService(ev *model.Event) serviceField {
	switch ev.Type {
	case model.TypeLegQueued, model.TypeIVRLeft:
		return serviceField{"service_id", ev.ServiceID}
	case model.TypeLegTransferred:
		return serviceField{"to_service_id", ev.ToServiceID}
	}
	return serviceField{}
}

// legEvent reports an event about one leg (not the whole interaction).
func legEvent(ev *model.Event) bool {
	switch ev.Type {
	case model.TypeLegQueued, model.TypeLegDelivered, model.TypeHoldStarted, model.TypeHoldEnded,
		model.TypeLegTransferred, model.TypeLegFinished:
		return ev.Leg != ""
	case model.TypeMessage, model.TypeCallUpdated:
		return ev.Leg != ""
	}
	return false
}

// outside lists the ids of have that are not in allowed, sorted.
func outside(have, allowed map[string]bool) []string {
	var out []string
	for id := range have {
		if !allowed[id] {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

func dedupe(ids []string) []string {
	sort.Strings(ids)
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}
