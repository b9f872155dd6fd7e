package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
)

// bot_rows (migration 0018) holds one Fluxo Ágil row per (batch, contact,
// flow) of a tenant, summed up from its bot_conversations by
// metrics.SummarizeBotRow. A touched row is recomputed from all its
// conversations in the ingesting transaction (as the rollups are), and a
// rebuild or the migration's backfill writes every row with the same code,
// so incremental and from-scratch rows agree by construction.

// BotRowKey names one Fluxo Ágil row of the transaction's tenant.
type BotRowKey struct{ Batch, Contact, Flow string }

// botRowConvCols are the bot_conversations columns a summary reads, in the
// order scanBotRowConv scans them.
const botRowConvCols = `batch_id, contact_id, flow, conversation, client_id, campaign_id, local_date, messages, outcome, interaction_id, last_step, steps`

// botRowLatestFirst orders a row's conversations latest first, as the
// report's window does (its text order decides ties, so the store sorts).
const botRowLatestFirst = `started_at DESC, conversation DESC`

const insertBotRow = `INSERT INTO bot_rows (tenant, batch_id, contact_id, flow, client_id, campaign_id, mixed, first_date, last_date,
	conversations, messages, latest_conversation, last_step, outcome, human, steps)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func scanBotRowConv(rows *sql.Rows) (BotRowKey, model.BotConversation, error) {
	var k BotRowKey
	var c model.BotConversation
	var steps string
	if err := rows.Scan(&k.Batch, &k.Contact, &k.Flow, &c.Conversation, &c.ClientID, &c.CampaignID, &c.LocalDate,
		&c.Messages, &c.Outcome, &c.Interaction, &c.LastStep, &steps); err != nil {
		return k, c, err
	}
	if err := json.Unmarshal([]byte(steps), &c.Steps); err != nil {
		return k, c, fmt.Errorf("steps of conversation %s: %w", c.Conversation, err)
	}
	c.BatchID, c.ContactID, c.Flow = k.Batch, k.Contact, k.Flow
	return k, c, nil
}

// botRowArgs are insertBotRow's arguments for a row's summary.
func botRowArgs(tenant string, k BotRowKey, s model.BotRowSummary) ([]any, error) {
	steps, err := json.Marshal(s.Steps)
	if err != nil {
		return nil, fmt.Errorf("steps of fluxo row %s/%s/%s: %w", k.Batch, k.Contact, k.Flow, err)
	}
	return []any{tenant, k.Batch, k.Contact, k.Flow, s.ClientID, s.CampaignID, b2i(s.Mixed), s.FirstDate, s.LastDate,
		s.Conversations, s.Messages, s.LatestConversation, s.LastStep, s.Outcome, b2i(s.ReachedHuman), string(steps)}, nil
}

// RefreshBotRows recomputes the Fluxo Ágil rows of keys from their stored
// conversations (a row left without any is deleted), in one key order.
func (t *Tx) RefreshBotRows(ctx context.Context, keys []BotRowKey) error {
	keys = uniqueSorted(keys, func(a, b BotRowKey) bool {
		if a.Batch != b.Batch {
			return a.Batch < b.Batch
		}
		if a.Contact != b.Contact {
			return a.Contact < b.Contact
		}
		return a.Flow < b.Flow
	})
	for _, k := range keys {
		if _, err := t.exec(ctx, `DELETE FROM bot_rows WHERE tenant = ? AND batch_id = ? AND contact_id = ? AND flow = ?`,
			t.tenant, k.Batch, k.Contact, k.Flow); err != nil {
			return fmt.Errorf("clear fluxo row %s/%s/%s: %w", k.Batch, k.Contact, k.Flow, err)
		}
		rows, err := t.query(ctx, `SELECT `+botRowConvCols+` FROM bot_conversations
			WHERE tenant = ? AND contact_id = ? AND batch_id = ? AND flow = ? ORDER BY `+botRowLatestFirst,
			t.tenant, k.Contact, k.Batch, k.Flow)
		if err != nil {
			return fmt.Errorf("conversations of fluxo row %s/%s/%s: %w", k.Batch, k.Contact, k.Flow, err)
		}
		var convs []model.BotConversation
		for rows.Next() {
			_, c, err := scanBotRowConv(rows)
			if err != nil {
				rows.Close()
				return err
			}
			convs = append(convs, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(convs) == 0 {
			continue
		}
		args, err := botRowArgs(t.tenant, k, metrics.SummarizeBotRow(convs))
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, insertBotRow, args...); err != nil {
			return fmt.Errorf("insert fluxo row %s/%s/%s: %w", k.Batch, k.Contact, k.Flow, err)
		}
	}
	return nil
}

// botRowsChunk is how many conversations a full pass reads per query.
const botRowsChunk = 5000

// writeBotRows writes every Fluxo Ágil row of a tenant (none must exist)
// from its conversations, read in key order botRowsChunk at a time (memory
// stays flat); done is called with the conversations summed so far.
func (db *DB) writeBotRows(ctx context.Context, q querier, tenant string, done func(n int)) error {
	var after *BotRowKey
	total := 0
	for {
		text := `SELECT ` + botRowConvCols + ` FROM bot_conversations WHERE tenant = ?`
		args := []any{tenant}
		if after != nil {
			text += ` AND (batch_id, contact_id, flow) > (?, ?, ?)`
			args = append(args, after.Batch, after.Contact, after.Flow)
		}
		text += ` ORDER BY batch_id, contact_id, flow, ` + botRowLatestFirst + ` LIMIT ?`
		keys, groups, err := db.readBotRowGroups(ctx, q, text, append(args, botRowsChunk)...)
		if err != nil {
			return err
		}
		n := 0
		for _, g := range groups {
			n += len(g)
		}
		full := n == botRowsChunk
		if full && len(keys) == 1 {
			// One row of more conversations than a chunk: read it whole.
			k := keys[0]
			keys, groups, err = db.readBotRowGroups(ctx, q, `SELECT `+botRowConvCols+` FROM bot_conversations
				WHERE tenant = ? AND contact_id = ? AND batch_id = ? AND flow = ? ORDER BY `+botRowLatestFirst,
				tenant, k.Contact, k.Batch, k.Flow)
			if err != nil {
				return err
			}
		} else if full {
			// The last row may go on in the next chunk: read it there.
			keys, groups = keys[:len(keys)-1], groups[:len(groups)-1]
		}
		for i, k := range keys {
			args, err := botRowArgs(tenant, k, metrics.SummarizeBotRow(groups[i]))
			if err != nil {
				return err
			}
			if _, err := db.exec(ctx, q, insertBotRow, args...); err != nil {
				return fmt.Errorf("insert fluxo row %s/%s/%s: %w", k.Batch, k.Contact, k.Flow, err)
			}
			total += len(groups[i])
		}
		if done != nil {
			done(total)
		}
		if !full {
			return nil
		}
		after = &keys[len(keys)-1]
	}
}

// readBotRowGroups runs a conversations query ordered by row key and splits
// its result into rows (equal keys are adjacent).
func (db *DB) readBotRowGroups(ctx context.Context, q querier, text string, args ...any) ([]BotRowKey, [][]model.BotConversation, error) {
	rows, err := db.query(ctx, q, text, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("read conversations for fluxo rows: %w", err)
	}
	defer rows.Close()
	var keys []BotRowKey
	var groups [][]model.BotConversation
	for rows.Next() {
		k, c, err := scanBotRowConv(rows)
		if err != nil {
			return nil, nil, err
		}
		if n := len(keys); n == 0 || keys[n-1] != k {
			keys = append(keys, k)
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], c)
	}
	return keys, groups, rows.Err()
}

// rebuildBotRows writes the tenant's Fluxo Ágil rows again (rebuild).
func (t *Tx) rebuildBotRows(ctx context.Context) error {
	if _, err := t.exec(ctx, `DELETE FROM bot_rows WHERE tenant = ?`, t.tenant); err != nil {
		return fmt.Errorf("clear fluxo rows: %w", err)
	}
	return t.db.writeBotRows(ctx, t.tx, t.tenant, nil)
}

// backfillBotRows is migration 0018's data part: every tenant's Fluxo Ágil
// rows from the conversations already stored, with progress.
func (db *DB) backfillBotRows(progress io.Writer) func(context.Context, querier) error {
	return func(ctx context.Context, q querier) error {
		var tenants []string
		counts := map[string]int{}
		all := 0
		rows, err := db.query(ctx, q, `SELECT tenant, COUNT(*) FROM bot_conversations GROUP BY tenant`)
		if err != nil {
			return fmt.Errorf("backfill fluxo rows: %w", err)
		}
		for rows.Next() {
			var tn string
			var n int
			if err := rows.Scan(&tn, &n); err != nil {
				rows.Close()
				return fmt.Errorf("backfill fluxo rows: %w", err)
			}
			tenants, counts[tn], all = append(tenants, tn), n, all+n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("backfill fluxo rows: %w", err)
		}
		sort.Strings(tenants)
		before, shown := 0, 0
		for _, tn := range tenants {
			err := db.writeBotRows(ctx, q, tn, func(n int) {
				if progress != nil && (before+n-shown >= 50000 || before+n == all) {
					shown = before + n
					fmt.Fprintf(progress, "rastro: summed up %d of %d Fluxo Ágil conversations into rows…\n", shown, all)
				}
			})
			if err != nil {
				return fmt.Errorf("backfill fluxo rows of %s: %w", tn, err)
			}
			before += counts[tn]
		}
		// Without statistics PostgreSQL's planner took the new table for
		// empty and read a 20k-leg month's 1,228 rows through an index, one
		// heap page each: 5,641 buffers and 52 ms for the first page, 212
		// buffers and 8 ms once analysed (EXPLAIN (ANALYZE, BUFFERS),
		// BENCHMARKS.md).
		return wrap(db.analyze(ctx, q, "bot_rows"), "backfill fluxo rows")
	}
}
