package analytics

import (
	"context"
	"fmt"
	"sort"

	"github.com/rastro/rastro/internal/store"
)

// Shipping the store's Fluxo Ágil rows (bot_rows, migration 9). A row
// changes only when one of its conversations does (or the directory
// renames its contact or batch, which ships the contact's or batch's
// conversations), so the rows go with the conversations' entries
// (shipBots): each row at the highest entry id among its shipped
// conversations, encoded as the legs' versions (rowVersion, tombVersion)
// because a row whose dates change month moves partition and leaves a
// tombstone at its old place.

const insertBotRows = `INSERT INTO %s (tenant, batch_id, contact_id, flow, version, deleted, client_id, campaign_id, mixed,
	first_date, last_date, batch_name, name, name_key, document, phone, email, conversations, messages,
	latest_conversation, last_step, outcome, human, step_names, step_pos)`

// liveBotRow is a Fluxo Ágil row the engine holds: its key and the dates
// of its partition.
type liveBotRow struct {
	key                 store.BotRowKey
	firstDate, lastDate string
}

// botRowPartition is a row's partition in bot_rows (botRowsPartition).
func botRowPartition(firstDate, lastDate string) [2]string {
	return [2]string{month(firstDate), month(lastDate)}
}

// botRowsRow is one version of a Fluxo Ágil row to insert for outbox entry
// version (row nil: a tombstone of live, in its partition).
type botRowsRow struct {
	tenant  string
	version uint64
	live    liveBotRow
	row     *store.AnalyticsBotRow
}

func b2u8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// insertBotRows sends Fluxo Ágil rows in one synchronous batch.
func (e *Engine) insertBotRows(ctx context.Context, rows []botRowsRow) error {
	return insertBatch(ctx, e, insertBotRows, "bot_rows", "fluxo rows", rows, func(r botRowsRow) []any {
		if x := r.row; x != nil {
			pos := x.StepPos
			if pos == nil {
				pos = []int64{}
			}
			return []any{r.tenant, x.Key.Batch, x.Key.Contact, x.Key.Flow, rowVersion(r.version), uint8(0), x.ClientID, x.CampaignID, b2u8(x.Mixed),
				x.FirstDate, x.LastDate, x.BatchName, x.Name, x.NameKey, x.Document, x.Phone, x.Email, x.Conversations, x.Messages,
				x.LatestConversation, x.LastStep, x.Outcome, b2u8(x.Human), nonNil(x.StepNames), pos}
		}
		k := r.live
		return []any{r.tenant, k.key.Batch, k.key.Contact, k.key.Flow, tombVersion(r.version), uint8(1), "", "", uint8(0),
			k.firstDate, k.lastDate, "", "", "", "", "", "", int64(0), int64(0),
			"", "", "", uint8(0), []string{}, []int64{}}
	})
}

// shipBotRows sends the current Fluxo Ágil rows of some keys of a tenant
// (each at versions[key]), and tombstones for the rows the engine holds
// that the store no longer has or that moved partition.
func (s *Shipper) shipBotRows(ctx context.Context, tenant string, versions map[store.BotRowKey]uint64) error {
	if len(versions) == 0 {
		return nil
	}
	keys := make([]store.BotRowKey, 0, len(versions))
	for k := range versions {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.Batch != b.Batch {
			return a.Batch < b.Batch
		}
		if a.Contact != b.Contact {
			return a.Contact < b.Contact
		}
		return a.Flow < b.Flow
	})
	cur, err := s.DB.AnalyticsBotRowsByKey(ctx, tenant, keys)
	if err != nil {
		return err
	}
	live, err := s.CH.liveBotRows(ctx, tenant, keys)
	if err != nil {
		return err
	}
	rows := make([]botRowsRow, 0, len(cur)+len(live))
	have := map[store.BotRowKey][2]string{}
	for i := range cur {
		x := &cur[i]
		have[x.Key] = botRowPartition(x.FirstDate, x.LastDate)
		rows = append(rows, botRowsRow{tenant: tenant, version: versions[x.Key], row: x})
	}
	for _, l := range live {
		if part, ok := have[l.key]; !ok || part != botRowPartition(l.firstDate, l.lastDate) {
			rows = append(rows, botRowsRow{tenant: tenant, version: versions[l.key], live: l})
		}
	}
	return s.CH.insertBotRows(ctx, rows)
}

const botRowKeyCols = `batch_id, contact_id, flow, first_date, last_date`

// liveBotRows lists the Fluxo Ágil rows the engine holds (latest version,
// not deleted) of some keys of a tenant.
func (e *Engine) liveBotRows(ctx context.Context, tenant string, keys []store.BotRowKey) ([]liveBotRow, error) {
	var out []liveBotRow
	for len(keys) > 0 {
		n := min(len(keys), 300)
		args := []any{tenant}
		for _, k := range keys[:n] {
			args = append(args, k.Batch, k.Contact, k.Flow)
		}
		found, err := e.botRowKeys(ctx, `SELECT `+botRowKeyCols+` FROM `+e.table("bot_rows")+` FINAL
			WHERE tenant = ? AND (batch_id, contact_id, flow) IN (`+tuples(n, 3)+`) AND deleted = 0`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
		keys = keys[n:]
	}
	return out, nil
}

func (e *Engine) botRowKeys(ctx context.Context, q string, args ...any) ([]liveBotRow, error) {
	rows, err := e.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: fluxo row keys: %w", err)
	}
	defer rows.Close()
	var out []liveBotRow
	for rows.Next() {
		var l liveBotRow
		if err := rows.Scan(&l.key.Batch, &l.key.Contact, &l.key.Flow, &l.firstDate, &l.lastDate); err != nil {
			return nil, fmt.Errorf("analytics: fluxo row keys: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// backfillBotRows sends every Fluxo Ágil row of a tenant at version, then
// tombstones for the rows the engine holds at an older version (rows that
// vanished or moved partition, e.g. by a rebuild). It returns how many
// rows it sent.
func (s *Shipper) backfillBotRows(ctx context.Context, tenant string, version uint64, chunk int) (int, error) {
	n, err := streamInChunks(func(fn func([]store.AnalyticsBotRow) error) error {
		return s.DB.EachAnalyticsBotRows(ctx, tenant, chunk, fn)
	}, chunk, func(x *store.AnalyticsBotRow) botRowsRow {
		return botRowsRow{tenant: tenant, version: version, row: x}
	}, func(rows []botRowsRow) error { return s.CH.insertBotRows(ctx, rows) })
	if err != nil {
		return n, err
	}
	stale, err := s.CH.botRowKeys(ctx, `SELECT `+botRowKeyCols+` FROM `+s.CH.table("bot_rows")+` FINAL
		WHERE tenant = ? AND deleted = 0 AND version < ?`, tenant, FirstVersion(version))
	if err != nil {
		return n, err
	}
	return n, inChunks(stale, chunk, func(l liveBotRow) botRowsRow {
		return botRowsRow{tenant: tenant, version: version, live: l}
	}, func(rows []botRowsRow) error { return s.CH.insertBotRows(ctx, rows) })
}
