package store

import (
	"context"
	"fmt"

	"github.com/rastro/rastro/internal/model"
)

// Write scope: what the ingest scope check of a principal limited to
// services or clients reads, inside the batch's own transaction (so no
// concurrent batch of the tenant can move a leg between check and write).

// AggregateKnown reports whether the tenant has any stored event of one
// aggregate (an interaction, a bot conversation…).
func (t *Tx) AggregateKnown(ctx context.Context, kind, key string) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE tenant = ? AND agg_kind = ? AND agg_key = ? LIMIT 1) k`,
		t.tenant, kind, key).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up %s %s: %w", kind, key, err)
	}
	return n > 0, nil
}

// AggregateEventsOfTypes loads the stored events of one aggregate whose type
// is one of types, in arrival order: the few that place legs in services
// (leg.queued, leg.transferred, ivr.left) or conversations in clients
// (bot.conversation_started), without reading a long chat's messages.
func (t *Tx) AggregateEventsOfTypes(ctx context.Context, kind, key string, types ...string) ([]model.Event, error) {
	if len(types) == 0 {
		return nil, nil
	}
	args := []any{t.tenant, kind, key}
	for _, ty := range types {
		args = append(args, ty)
	}
	rows, err := t.query(ctx, `SELECT seq, body, zbody FROM events WHERE tenant = ? AND agg_kind = ? AND agg_key = ? AND type IN (`+placeholders(len(types))+`) ORDER BY seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("load %s %s: %w", kind, key, err)
	}
	defer rows.Close()
	return scanEvents(rows)
}
