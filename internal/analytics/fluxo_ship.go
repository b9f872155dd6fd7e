package analytics

import (
	"context"
	"fmt"
	"sort"

	"github.com/rastro/rastro/internal/store"
)

const insertBots = `INSERT INTO %s (tenant, conversation, version, deleted, client_id, campaign_id, batch_id, batch_name,
	contact_id, name, name_key, document, phone, email, flow, started_at, local_date, outcome, interaction_id,
	messages, last_step, steps)`

// botRow is one version of a bot conversation to insert (bot nil: a
// tombstone).
type botRow struct {
	tenant, conversation string
	version              uint64
	bot                  *store.AnalyticsBot
}

// insertBots sends bot conversation rows in one synchronous batch.
func (e *Engine) insertBots(ctx context.Context, rows []botRow) error {
	return insertBatch(ctx, e, insertBots, "bot_conversations", "bot conversations", rows, func(r botRow) []any {
		c := r.bot
		if c == nil {
			return []any{r.tenant, r.conversation, r.version, uint8(1), "", "", "", "",
				"", "", "", "", "", "", "", int64(0), "", "", "",
				int64(0), "", []string{}}
		}
		return []any{r.tenant, c.Conversation, r.version, uint8(0), c.ClientID, c.CampaignID, c.BatchID, c.BatchName,
			c.ContactID, c.Name, c.NameKey, c.Document, c.Phone, c.Email, c.Flow, c.StartedAt, c.LocalDate, c.Outcome, c.Interaction,
			c.Messages, c.LastStep, nonNil(c.Steps)}
	})
}

// shipBots sends the current rows of some bot conversations of a tenant
// (each at its highest entry id), and tombstones for those the engine
// holds that the store no longer has, in one synchronous insert; first,
// the Fluxo Ágil rows (bot_rows) those conversations belong to, before and
// after: the rows they joined and those they left (the engine's
// conversations say which; once the conversations are sent they no longer
// would, so a failure between the two inserts sends both again).
func (s *Shipper) shipBots(ctx context.Context, tenant string, versions map[string]uint64) error {
	ids := make([]string, 0, len(versions))
	for id := range versions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	bots, err := s.DB.AnalyticsBotsByID(ctx, tenant, ids)
	if err != nil {
		return err
	}
	live, err := s.CH.liveBots(ctx, tenant, ids)
	if err != nil {
		return err
	}
	rowVersions := map[store.BotRowKey]uint64{}
	touch := func(k store.BotRowKey, v uint64) { rowVersions[k] = max(rowVersions[k], v) }
	rows := make([]botRow, 0, len(bots))
	have := map[string]bool{}
	for i := range bots {
		b := &bots[i]
		have[b.Conversation] = true
		rows = append(rows, botRow{tenant: tenant, version: versions[b.Conversation], bot: b})
		touch(store.BotRowKey{Batch: b.BatchID, Contact: b.ContactID, Flow: b.Flow}, versions[b.Conversation])
	}
	for id, k := range live {
		touch(k, versions[id])
		if !have[id] {
			rows = append(rows, botRow{tenant: tenant, conversation: id, version: versions[id]})
		}
	}
	if err := s.shipBotRows(ctx, tenant, rowVersions); err != nil {
		return err
	}
	return s.CH.insertBots(ctx, rows)
}

// liveBots returns the row (batch, contact, flow) of each of some
// conversations of a tenant that the engine holds (latest version, not
// deleted).
func (e *Engine) liveBots(ctx context.Context, tenant string, ids []string) (map[string]store.BotRowKey, error) {
	out := map[string]store.BotRowKey{}
	for len(ids) > 0 {
		n := min(len(ids), 1000)
		args := []any{tenant}
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		rows, err := e.conn.Query(ctx, `SELECT conversation, batch_id, contact_id, flow FROM `+e.table("bot_conversations")+` FINAL
			WHERE tenant = ? AND conversation IN (`+qs(n)+`) AND deleted = 0`, args...)
		if err != nil {
			return nil, fmt.Errorf("analytics: live bot conversations: %w", err)
		}
		for rows.Next() {
			var id string
			var k store.BotRowKey
			if err := rows.Scan(&id, &k.Batch, &k.Contact, &k.Flow); err != nil {
				rows.Close()
				return nil, fmt.Errorf("analytics: live bot conversations: %w", err)
			}
			out[id] = k
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("analytics: live bot conversations: %w", err)
		}
		ids = ids[n:]
	}
	return out, nil
}

// staleBots lists the live conversations of a tenant whose latest version
// is older than version (gone from the store after a re-backfill).
func (e *Engine) staleBots(ctx context.Context, tenant string, version uint64) ([]string, error) {
	return e.ids(ctx, `SELECT conversation FROM `+e.table("bot_conversations")+` FINAL
		WHERE tenant = ? AND deleted = 0 AND version < ?`, tenant, version)
}

func (e *Engine) ids(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := e.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
