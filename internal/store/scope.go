package store

import (
	"strings"

	"github.com/rastro/rastro/internal/model"
)

// Query accumulates a WHERE clause that always starts from the principal's
// scope: its tenant and, when limited, its services (legs, IVR, agents) or
// clients (Fluxo Ágil). Callers add filters; they cannot remove the scope.
type Query struct {
	where []string
	args  []any
}

// NewLegQuery starts a query over a table aliased alias (legs, ivr_visits,
// rollups: anything with tenant and service_id) scoped to what p may see.
func NewLegQuery(p model.Principal, alias string) *Query {
	q := &Query{}
	q.And(alias+".tenant = ?", p.Tenant)
	if p.Services != nil {
		q.In(alias+".service_id", p.Services)
	}
	return q
}

// NewClientQuery starts a query over a table with tenant and client_id
// (bot conversations) scoped to the principal's clients.
func NewClientQuery(p model.Principal, alias string) *Query {
	q := &Query{}
	q.And(alias+".tenant = ?", p.Tenant)
	if p.Clients != nil {
		q.In(alias+".client_id", p.Clients)
	}
	return q
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
func (q *Query) Where() (string, []any) {
	return strings.Join(q.where, " AND "), append([]any(nil), q.args...)
}
