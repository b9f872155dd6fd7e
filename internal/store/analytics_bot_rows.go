package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// The Fluxo Ágil rows (bot_rows) as the analytics engine stores them: the
// engine answers a search the store answers from bot_rows alone
// (BotFromRows) from these rows instead of grouping a month of
// conversations (10 M legs, two shards: 589/671 ms for the month's first
// page, see BENCHMARKS.md). They carry, denormalised, the names the store's
// report joins at read time, exactly as botPageSQL computes them, so a
// directory change ships the rows of the contact or batch again (through
// their conversations: analytics.Shipper).

// AnalyticsBotRow is one bot_rows row of a tenant with the directory values
// its page prints.
type AnalyticsBotRow struct {
	Key                     BotRowKey
	BatchName               string // the batch's name, its id while unknown
	Name, NameKey, Document string
	Phone, Email            string // the contact's first phone and e-mail
	ClientID, CampaignID    string
	Mixed                   bool
	FirstDate, LastDate     string
	Conversations, Messages int64
	LatestConversation      string
	LastStep, Outcome       string
	Human                   bool
	StepNames               []string // the step map, by step name
	StepPos                 []int64  // each step's earliest position (0 = first)
}

const analyticsBotRowSelect = `SELECT r.batch_id, r.contact_id, r.flow, COALESCE(NULLIF(b.name, ''), r.batch_id),
	COALESCE(ct.name, ''), COALESCE(ct.name_key, ''), COALESCE(ct.document, ''), COALESCE(ct.phones, '[]'), COALESCE(ct.emails, '[]'),
	r.client_id, r.campaign_id, r.mixed, r.first_date, r.last_date, r.conversations, r.messages,
	r.latest_conversation, r.last_step, r.outcome, r.human, r.steps
	FROM bot_rows r
	LEFT JOIN batches b ON b.tenant = r.tenant AND b.id = r.batch_id
	LEFT JOIN contacts ct ON ct.tenant = r.tenant AND ct.id = r.contact_id
	WHERE r.tenant = ? AND `

func (db *DB) analyticsBotRows(ctx context.Context, out []AnalyticsBotRow, tenant, cond string, args ...any) ([]AnalyticsBotRow, error) {
	rows, err := db.query(ctx, db.r, analyticsBotRowSelect+cond, append([]any{tenant}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("fluxo rows for analytics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r AnalyticsBotRow
		var phones, emails, steps string
		var mixed, human int
		if err := rows.Scan(&r.Key.Batch, &r.Key.Contact, &r.Key.Flow, &r.BatchName, &r.Name, &r.NameKey, &r.Document, &phones, &emails,
			&r.ClientID, &r.CampaignID, &mixed, &r.FirstDate, &r.LastDate, &r.Conversations, &r.Messages,
			&r.LatestConversation, &r.LastStep, &r.Outcome, &human, &steps); err != nil {
			return nil, fmt.Errorf("fluxo rows for analytics: %w", err)
		}
		r.Phone, r.Email, r.Mixed, r.Human = firstOf(phones), firstOf(emails), mixed == 1, human == 1
		var m map[string]int64
		if err := json.Unmarshal([]byte(steps), &m); err != nil {
			return nil, fmt.Errorf("fluxo row %s/%s/%s: stored steps: %w", r.Key.Batch, r.Key.Contact, r.Key.Flow, err)
		}
		r.StepNames = make([]string, 0, len(m))
		for s := range m {
			r.StepNames = append(r.StepNames, s)
		}
		sort.Strings(r.StepNames)
		r.StepPos = make([]int64, len(r.StepNames))
		for i, s := range r.StepNames {
			r.StepPos[i] = m[s]
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fluxo rows for analytics: %w", err)
	}
	return out, nil
}

// AnalyticsBotRowsByKey reads some Fluxo Ágil rows of a tenant (those the
// store no longer has are absent).
func (db *DB) AnalyticsBotRowsByKey(ctx context.Context, tenant string, keys []BotRowKey) ([]AnalyticsBotRow, error) {
	var out []AnalyticsBotRow
	for len(keys) > 0 {
		n := min(len(keys), 300)
		conds := make([]string, n)
		args := make([]any, 0, 3*n)
		for i, k := range keys[:n] {
			conds[i] = "(r.batch_id = ? AND r.contact_id = ? AND r.flow = ?)"
			args = append(args, k.Batch, k.Contact, k.Flow)
		}
		var err error
		if out, err = db.analyticsBotRows(ctx, out, tenant, "("+strings.Join(conds, " OR ")+")", args...); err != nil {
			return nil, err
		}
		keys = keys[n:]
	}
	return out, nil
}

// EachAnalyticsBotRows streams every Fluxo Ágil row of a tenant in key
// order, chunk at a time (the backfill).
func (db *DB) EachAnalyticsBotRows(ctx context.Context, tenant string, chunk int, fn func([]AnalyticsBotRow) error) error {
	var after *BotRowKey
	for {
		cond, args := "1 = 1", []any(nil)
		if after != nil {
			cond, args = "(r.batch_id, r.contact_id, r.flow) > (?, ?, ?)", []any{after.Batch, after.Contact, after.Flow}
		}
		rs, err := db.analyticsBotRows(ctx, nil, tenant, cond+` ORDER BY r.batch_id, r.contact_id, r.flow LIMIT `+fmt.Sprint(chunk), args...)
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			return nil
		}
		if err := fn(rs); err != nil {
			return err
		}
		if len(rs) < chunk {
			return nil
		}
		after = &rs[len(rs)-1].Key
	}
}
