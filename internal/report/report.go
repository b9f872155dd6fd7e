// Package report answers the four reports of SPEC.md — Rastreio de
// Interações, Fluxo Ágil, Relatório IVR and Relatório de Agentes — from the
// store: it validates parameters (every problem at once), runs the scoped
// queries, masks personal data for principals without the permission, and
// writes tables for the screen and the JSON API and streamed CSV/XLSX
// exports. The screen, the API and every export print the same cells.
package report

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// Reports answers reports from a store.
type Reports struct {
	DB *store.DB
	// Analytics, when set, answers the Rastreio (count, pages, exports),
	// the Relatório IVR, the Relatório de Agentes and the Fluxo Ágil (rows,
	// export, drop-off) instead of the store;
	// the store answers when it is unreachable.
	Analytics AnalyticsReader
}

// New returns Reports over db.
func New(db *store.DB) *Reports { return &Reports{DB: db} }

// Problem is one bad parameter.
type Problem struct {
	Param  string `json:"param"`
	Reason string `json:"reason"`
}

// ParamError lists every bad parameter of a request (HTTP 400).
type ParamError struct {
	Problems []Problem `json:"errors"`
}

func (e *ParamError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Param + ": " + p.Reason
	}
	return "invalid parameters: " + strings.Join(parts, "; ")
}

func (e *ParamError) add(param, reason string, args ...any) {
	e.Problems = append(e.Problems, Problem{Param: param, Reason: fmt.Sprintf(reason, args...)})
}

func (e *ParamError) err() error {
	if e == nil || len(e.Problems) == 0 {
		return nil
	}
	return e
}

// tenant reads the principal's tenant context (zone, service-level
// threshold, expiration windows, media), once per request: the Parse
// functions keep it in the query they return.
func (r *Reports) tenant(ctx context.Context, p model.Principal) (store.TenantContext, error) {
	return r.DB.TenantContext(ctx, p.Tenant)
}

// parse starts a report's parse: the parameters (extra names those the
// caller reads itself: format, sep, …) and the tenant's context.
func (r *Reports) parse(ctx context.Context, p model.Principal, v url.Values, extra []string) (*params, store.TenantContext, error) {
	ps := newParams(v, &ParamError{})
	ps.known(extra...)
	if c, ok := ctx.Value(paramsSeenKey{}).(*[]*params); ok {
		*c = append(*c, ps)
	}
	tc, err := r.tenant(ctx, p)
	return ps, tc, err
}
