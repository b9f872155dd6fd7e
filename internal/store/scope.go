package store

import (
	"strings"

	"github.com/rastro/rastro/internal/model"
)

// Query accumulates a WHERE clause that always starts from the principal's
// scope: its tenant and, when limited, its services (legs, IVR, agents) or
// clients (Fluxo Ágil). Callers add filters; they cannot remove the scope.
//
// A Query is made only by the scoped constructors below (New…Query): one
// made otherwise (a literal, new, a zero value) has no scope, and Where
// panics on it rather than run a query over every tenant.
// TestQueriesAreMadeOnlyByScopedConstructors refuses such code anywhere
// in the repository.
type Query struct {
	scoped bool
	where  []string
	args   []any
}

// scopedQuery starts a query with its tenant condition; only the
// constructors call it.
func scopedQuery(p model.Principal, alias string) *Query {
	q := &Query{scoped: true}
	return q.And(alias+".tenant = ?", p.Tenant)
}

// NewLegQuery starts a query over a table aliased alias (legs, ivr_visits,
// rollups: anything with tenant and service_id) scoped to what p may see.
func NewLegQuery(p model.Principal, alias string) *Query {
	q := scopedQuery(p, alias)
	if p.Services != nil {
		q.In(alias+".service_id", p.Services)
	}
	return q
}

// NewClientQuery starts a query over a table with tenant and client_id
// (bot conversations) scoped to the principal's clients.
func NewClientQuery(p model.Principal, alias string) *Query {
	q := scopedQuery(p, alias)
	if p.Clients != nil {
		q.In(alias+".client_id", p.Clients)
	}
	return q
}

// NewUserQuery starts a query over the users directory (alias with tenant
// and id): a principal limited to services sees only the agents of legs in
// those services (as the Agentes report lists them).
func NewUserQuery(p model.Principal, alias string) *Query {
	q := scopedQuery(p, alias)
	if p.Services != nil {
		sub, args := inList(p.Services)
		q.And(alias+".id IN (SELECT l.agent_id FROM legs l WHERE l.tenant = ? AND l.service_id IN ("+sub+"))", append([]any{p.Tenant}, args...)...)
	}
	return q
}

// NewContactQuery starts a query over the contacts directory (alias with
// tenant and id): a principal limited to services sees only contacts of
// legs in those services, one limited to clients only contacts of those
// clients' bot conversations. cond (with args) is the caller's first
// condition, kept before the scope's subqueries.
func NewContactQuery(p model.Principal, alias, cond string, args ...any) *Query {
	q := scopedQuery(p, alias).And(cond, args...)
	if p.Services != nil {
		sub, args := inList(p.Services)
		q.And(alias+".id IN (SELECT l.contact_id FROM legs l WHERE l.tenant = ? AND l.service_id IN ("+sub+"))", append([]any{p.Tenant}, args...)...)
	}
	if p.Clients != nil {
		sub, args := inList(p.Clients)
		q.And(alias+".id IN (SELECT b.contact_id FROM bot_conversations b WHERE b.tenant = ? AND b.client_id IN ("+sub+"))", append([]any{p.Tenant}, args...)...)
	}
	return q
}

// NewInteractionQuery starts a query over the interactions table (alias
// with tenant and id): a principal limited to services sees only the
// interactions with a leg in those services, so one without legs (a
// WhatsApp-only conversation) only when not limited.
func NewInteractionQuery(p model.Principal, alias string) *Query {
	q := scopedQuery(p, alias)
	if p.Services != nil {
		sub, args := inList(p.Services)
		q.And(alias+".id IN (SELECT l.interaction_id FROM legs l WHERE l.tenant = ? AND l.service_id IN ("+sub+"))", append([]any{p.Tenant}, args...)...)
	}
	return q
}

// NewAgentEventQuery starts a query over one agent's raw activity events
// (the events table aliased alias, agg_kind agent): a principal limited to
// services sees only the agents of legs in those services (as
// NewUserQuery and the Agentes report list them).
func NewAgentEventQuery(p model.Principal, alias, agentID string) *Query {
	q := scopedQuery(p, alias).And(alias+".agg_kind = ?", model.AggAgent).And(alias+".agg_key = ?", agentID)
	if p.Services != nil {
		sub, args := inList(p.Services)
		q.And(alias+".agg_key IN (SELECT l.agent_id FROM legs l WHERE l.tenant = ? AND l.service_id IN ("+sub+"))", append([]any{p.Tenant}, args...)...)
	}
	return q
}

// NewSpanQuery starts a query over agent activity (agent_spans,
// agent_day_times: tenant, kind, agent_id; no service) of one kind. Spans
// have no service: when p or the report's filter is limited to services,
// the caller narrows it to the agents it took from a NewLegQuery-scoped
// query (In(alias+".agent_id", agents)).
func NewSpanQuery(p model.Principal, alias, kind string) *Query {
	return scopedQuery(p, alias).And(alias+".kind = ?", kind)
}

// NewAuditQuery starts a query over the audit log (alias with tenant): the
// tenant's entries (only an admin reads them; the routes check the role).
func NewAuditQuery(p model.Principal, alias string) *Query {
	return scopedQuery(p, alias)
}

// And adds a condition.
func (q *Query) And(cond string, args ...any) *Query {
	q.where = append(q.where, cond)
	q.args = append(q.args, args...)
	return q
}

// In adds "col IN (…)"; an empty list matches nothing.
func (q *Query) In(col string, values []string) *Query {
	if len(values) == 0 {
		return q.And("1 = 0")
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return q.And(col+" IN ("+placeholders(len(values))+")", args...)
}

// Where renders the clause (without the WHERE keyword) and its arguments.
// It panics on a Query no scoped constructor made.
func (q *Query) Where() (string, []any) {
	if !q.scoped {
		panic("store: a Query not made by a scoped constructor (New…Query) has no tenant scope")
	}
	return strings.Join(q.where, " AND "), append([]any(nil), q.args...)
}
