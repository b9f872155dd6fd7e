package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
)

// backfillAgentPausesByMedia derives, for a store created before migration
// 0013, the pause_in spans (metrics.SpanPauseIn) of every agent-day from
// the agent's stored activity, in the tenant's zone, with the same
// two-day window as ingestion (metrics.AgentDaySpans), then their
// agent_day_times rows; with the analytics engine on, each agent-day is
// queued to be shipped again. The other spans are left as they are: the
// derivation of logins and whole pauses did not change.
func (db *DB) backfillAgentPausesByMedia(ctx context.Context, q querier) error {
	type tenantZone struct{ id, tz string }
	var tenants []tenantZone
	rows, err := db.query(ctx, q, `SELECT id, tz FROM tenants ORDER BY id`)
	if err != nil {
		return fmt.Errorf("backfill pauses by media: %w", err)
	}
	for rows.Next() {
		var t tenantZone
		if err := rows.Scan(&t.id, &t.tz); err != nil {
			rows.Close()
			return fmt.Errorf("backfill pauses by media: %w", err)
		}
		tenants = append(tenants, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("backfill pauses by media: %w", err)
	}
	var analytics int
	if err := db.queryRow(ctx, q, `SELECT COUNT(*) FROM analytics_state WHERE id = 1`).Scan(&analytics); err != nil {
		return fmt.Errorf("backfill pauses by media: read analytics state: %w", err)
	}
	for _, tn := range tenants {
		cfg := metrics.Config{TZ: Zone(tn.tz)}
		var agents []string
		rows, err := db.query(ctx, q, `SELECT DISTINCT agg_key FROM events WHERE tenant = ? AND agg_kind = ? ORDER BY agg_key`, tn.id, model.AggAgent)
		if err != nil {
			return fmt.Errorf("backfill pauses by media of %s: %w", tn.id, err)
		}
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				rows.Close()
				return fmt.Errorf("backfill pauses by media of %s: %w", tn.id, err)
			}
			agents = append(agents, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("backfill pauses by media of %s: %w", tn.id, err)
		}
		for _, agent := range agents {
			rows, err := db.query(ctx, q, `SELECT seq, body, zbody FROM events WHERE tenant = ? AND agg_kind = ? AND agg_key = ? ORDER BY seq`, tn.id, model.AggAgent, agent)
			if err != nil {
				return fmt.Errorf("backfill pauses by media of %s: %w", agent, err)
			}
			evs, err := scanEvents(rows)
			rows.Close()
			if err != nil {
				return fmt.Errorf("backfill pauses by media of %s: %w", agent, err)
			}
			days := map[string]bool{}
			for i := range evs {
				local := evs[i].At.In(cfg.Location())
				days[local.Format(time.DateOnly)] = true
				days[local.AddDate(0, 0, 1).Format(time.DateOnly)] = true
			}
			sorted := make([]string, 0, len(days))
			for d := range days {
				sorted = append(sorted, d)
			}
			sort.Strings(sorted)
			for _, day := range sorted {
				spans, err := metrics.AgentDaySpans(evs, cfg, day)
				if err != nil {
					return err
				}
				n := 0
				for _, s := range spans {
					if s.Kind != metrics.SpanPauseIn {
						continue
					}
					n++
					if _, err := db.exec(ctx, q, `INSERT INTO agent_spans (tenant, agent_id, bucket, kind, media, reason, seconds) VALUES (?, ?, ?, ?, ?, ?, ?)`,
						tn.id, agent, s.Bucket, s.Kind, s.Media, s.Reason, s.Seconds); err != nil {
						return fmt.Errorf("backfill pauses by media of %s on %s: %w", agent, day, err)
					}
				}
				if n > 0 && analytics > 0 {
					if _, err := db.exec(ctx, q, `INSERT INTO analytics_outbox (tenant, kind, key, created_at) VALUES (?, ?, ?, ?)`,
						tn.id, OutboxAgentDay, AgentDayKey(agent, day), time.Now().UnixMilli()); err != nil {
						return fmt.Errorf("backfill pauses by media: queue %s on %s: %w", agent, day, err)
					}
				}
			}
		}
	}
	if _, err := db.exec(ctx, q, agentDayPauseInInsert(`1 = 1`)); err != nil {
		return fmt.Errorf("backfill pauses by media: day times: %w", err)
	}
	return nil
}
