package ingest

import (
	"context"

	"github.com/rastro/rastro/internal/model"
)

// StoreTogether decodes each body and stores them all in one shared
// transaction, body i as principal who[i]: what the group commit does with
// batches that arrive while another transaction of the tenant commits.
func (in *Ingester) StoreTogether(ctx context.Context, tenant string, who []model.Principal, bodies [][]byte) ([]Result, []error) {
	opt, err := in.Options(ctx, tenant)
	if err != nil {
		panic(err)
	}
	batches := make([]*pending, len(bodies))
	for i, body := range bodies {
		events, raw, lines, err := decodeLines(body, opt, MaxBatchEvents)
		if err != nil {
			panic(err)
		}
		batches[i] = &pending{ctx: ctx, lim: LimitsOf(who[i]), events: events, raw: raw, lines: lines}
	}
	in.commit(ctx, tenant, batches)
	res := make([]Result, len(batches))
	errs := make([]error, len(batches))
	for i, b := range batches {
		res[i], errs[i] = b.answer()
	}
	return res, errs
}
