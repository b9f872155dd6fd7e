package ingest

import (
	"context"
	"fmt"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// rebuildChunk is how many aggregates a rebuild loads per query.
const rebuildChunk = 2000

// Rebuild recomputes everything derived from a tenant's raw events, with the
// same derivation code as ingestion. It streams the aggregates in key order,
// a chunk at a time (memory stays flat), writes each derived row once, and
// computes the rollups with one GROUP BY at the end. It holds the tenant's
// write lock for its whole duration. On PostgreSQL the statistics are
// refreshed first too: after a bulk append the planner would otherwise read
// the events through plans made for empty tables (the demo staffing test,
// 30,000 legs: a rebuild of ≈ 440k freshly appended events did not get past
// the interaction heads in 25 minutes; with ANALYZE first the whole test
// took 181 s).
func (in *Ingester) Rebuild(ctx context.Context, tenant string) error {
	if err := in.DB.Analyze(ctx); err != nil {
		return err
	}
	if err := in.rebuild(ctx, tenant); err != nil {
		return err
	}
	return in.DB.Analyze(ctx)
}

func (in *Ingester) rebuild(ctx context.Context, tenant string) error {
	return in.DB.WithTenantTx(ctx, tenant, func(tx *store.Tx) error {
		if err := tx.ClearDerived(ctx); err != nil {
			return err
		}
		if err := tx.MarkAnalyticsRebackfill(ctx); err != nil {
			return err
		}
		ts, err := tx.TenantContext(ctx)
		if err != nil {
			return err
		}
		cfg := ts.Config
		// Directory first: rows print its names.
		if err := eachAggregate(ctx, tx, model.AggDirectory, []string{"contacts", "contact_emails"}, func(_ string, evs []model.Event) error {
			for i := range evs {
				if _, err := tx.ApplyDirectory(ctx, &evs[i]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		// Interactions: every head, then every protocol, then the rows.
		if err := eachAggregate(ctx, tx, model.AggInteraction, []string{"interactions"}, func(id string, evs []model.Event) error {
			_, err := tx.UpsertInteraction(ctx, interactionHead(id, evs))
			return err
		}); err != nil {
			return err
		}
		if err := tx.ResolveAllProtocols(ctx, metrics.WithCollisionSuffix); err != nil {
			return err
		}
		if err := eachAggregate(ctx, tx, model.AggInteraction, []string{"legs", "leg_tags", "leg_phones", "ivr_visits"}, func(id string, evs []model.Event) error {
			protocol, err := tx.InteractionProtocol(ctx, id)
			if err != nil {
				return err
			}
			d := metrics.DeriveInteraction(evs, protocol, tx.Directory(), cfg)
			return tx.InsertLegs(ctx, id, d.Legs, d.IVRVisits)
		}); err != nil {
			return err
		}
		if err := eachAggregate(ctx, tx, model.AggBot, []string{"bot_conversations"}, func(id string, evs []model.Event) error {
			c := metrics.DeriveBotConversation(evs, cfg)
			c.Conversation = id
			// Its Fluxo Ágil row is written by RebuildRollups, once.
			_, err := tx.ReplaceBotConversation(ctx, c)
			return err
		}); err != nil {
			return err
		}
		if err := eachAggregate(ctx, tx, model.AggAgent, []string{"agent_spans"}, func(id string, evs []model.Event) error {
			days := map[string]bool{}
			for i := range evs {
				local := evs[i].At.In(cfg.Location())
				days[local.Format("2006-01-02")] = true
				days[local.AddDate(0, 0, 1).Format("2006-01-02")] = true
			}
			for _, day := range sortedKeys(days) {
				spans, err := metrics.AgentDaySpans(evs, cfg, day)
				if err != nil {
					return err
				}
				if err := tx.ReplaceAgentDaySpans(ctx, id, day, spans); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		return tx.RebuildRollups(ctx, ts.SLSeconds)
	})
}

// eachAggregate calls fn for every aggregate of a kind, in key order, with
// its events in arrival order, loading rebuildChunk aggregates per query.
//
// fills names the tables fn writes and, for later aggregates, reads back by
// key: after the first chunk and at the end they are ANALYZEd inside the
// transaction (Tx.Analyze; nothing on SQLite). A tenant the statistics do
// not know is estimated at one row, and PostgreSQL then reads a key
// through the smallest index that starts with the tenant rather than the
// primary key: on the demo staffing test's second tenant (30,000 legs)
// `SELECT protocol_base FROM interactions WHERE tenant = $1 AND id = $2`
// went through interactions_contact (12 pages against the key's 30),
// filtering every row of the tenant for each look-up — quadratic, 16
// minutes and counting.
func eachAggregate(ctx context.Context, tx *store.Tx, kind string, fills []string, fn func(key string, evs []model.Event) error) error {
	keys, err := tx.AggregateKeys(ctx, kind)
	if err != nil {
		return err
	}
	for i := 0; i < len(keys); i += rebuildChunk {
		chunk := keys[i:min(i+rebuildChunk, len(keys))]
		byKey, err := tx.AggregateRange(ctx, kind, chunk[0], chunk[len(chunk)-1])
		if err != nil {
			return err
		}
		for _, k := range chunk {
			if err := fn(k, byKey[k]); err != nil {
				return fmt.Errorf("%s %s: %w", kind, k, err)
			}
		}
		if i == 0 || i+rebuildChunk >= len(keys) {
			if err := tx.Analyze(ctx, fills...); err != nil {
				return fmt.Errorf("%s: %w", kind, err)
			}
		}
	}
	return nil
}

// Append stores validated events without deriving anything: the first half
// of a bulk import, which a Rebuild completes. Reports do not show appended
// events until then.
func (in *Ingester) Append(ctx context.Context, tenant string, events []model.Event, raw [][]byte) (Result, error) {
	var res Result
	err := in.DB.WithTenantTx(ctx, tenant, func(tx *store.Tx) error {
		res = Result{}
		seq, err := tx.AllocSeq(ctx, len(events))
		if err != nil {
			return err
		}
		for i := range events {
			events[i].Seq = seq + int64(i)
		}
		n, err := tx.AppendEvents(ctx, events, raw)
		if err != nil {
			return err
		}
		res.Accepted, res.Duplicates = n, len(events)-n
		return nil
	})
	return res, err
}
