package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// The Fluxo Ágil's side of the analytics outbox. The engine holds one row
// per bot conversation with what the report prints of it: its own columns
// and, denormalised, the names the store's report joins at read time (the
// batch's name, the contact's name, sort key, document, first phone and
// e-mail). So a conversation is shipped again when it is re-derived
// ('bot_conversation'), and so are every conversation of a contact or a
// batch when the directory changes them ('bot_contact', 'bot_batch').

// Outbox entry kinds of the Fluxo Ágil.
const (
	OutboxBotConversation = "bot_conversation" // key = conversation id: ship its current row (or a tombstone)
	OutboxBotContact      = "bot_contact"      // key = contact id: ship every conversation of the contact (directory change)
	OutboxBotBatch        = "bot_batch"        // key = batch id: ship every conversation of the batch (directory change)
	OutboxAnonymizeBot    = "anonymize_bot"    // key = JSON array of conversation ids: ship them, then erase their older versions
)

// announceBot adds an outbox entry of a Fluxo Ágil kind when analytics is
// on.
func (t *Tx) announceBot(ctx context.Context, kind, key string) error {
	on, err := t.analyticsOn(ctx)
	if err != nil || !on {
		return err
	}
	// Only a contact or batch that has bot conversations changes a row of
	// the engine: a CRM import upserting 100k contacts without any would
	// otherwise queue 100k entries that ship nothing (the indexes
	// bot_conv_contact and bot_conv_batch answer this). A conversation is
	// always shipped (its row, or a tombstone).
	var col string
	switch kind {
	case OutboxBotContact:
		col = "contact_id"
	case OutboxBotBatch:
		col = "batch_id"
	default:
		return t.queueOutbox(ctx, kind, key)
	}
	var one int
	switch err := t.queryRow(ctx, `SELECT 1 FROM bot_conversations WHERE tenant = ? AND `+col+` = ? LIMIT 1`, t.tenant, key).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("bot conversations of %s %s: %w", col, key, err)
	}
	return t.queueOutbox(ctx, kind, key)
}

// AnnounceAnonymizedConversations adds, when analytics is on, one
// 'anonymize_bot' outbox entry naming the bot conversations an
// anonymisation re-derived (ids only), as AnnounceAnonymized does for
// interactions: their rows carry the contact's name, document, phone and
// e-mail.
func (t *Tx) AnnounceAnonymizedConversations(ctx context.Context, conversations []string) error {
	if len(conversations) == 0 {
		return nil
	}
	on, err := t.analyticsOn(ctx)
	if err != nil || !on {
		return err
	}
	key, err := json.Marshal(conversations)
	if err != nil {
		return err
	}
	return t.queueOutbox(ctx, OutboxAnonymizeBot, string(key))
}

// AnalyticsBot is a bot conversation as the analytics engine stores it:
// the bot_conversations row plus the directory values the Fluxo Ágil joins
// (exactly as botRowsSQL computes them).
type AnalyticsBot struct {
	Conversation                    string
	ClientID, CampaignID            string
	BatchID, BatchName              string // name falls back to the id while the batch is unknown
	ContactID, Name, NameKey        string
	Document, Phone, Email          string // the contact's document as given, first phone and e-mail
	Flow                            string
	StartedAt                       int64
	LocalDate, Outcome, Interaction string
	Messages                        int64
	LastStep                        string
	Steps                           []string
}

const analyticsBotSelect = `SELECT c.conversation, c.client_id, c.campaign_id, c.batch_id, COALESCE(NULLIF(b.name, ''), c.batch_id),
	c.contact_id, COALESCE(ct.name, ''), COALESCE(ct.name_key, ''), COALESCE(ct.document, ''), COALESCE(ct.phones, '[]'), COALESCE(ct.emails, '[]'),
	c.flow, c.started_at, c.local_date, c.outcome, c.interaction_id, c.messages, c.last_step, c.steps
	FROM bot_conversations c
	LEFT JOIN batches b ON b.tenant = c.tenant AND b.id = c.batch_id
	LEFT JOIN contacts ct ON ct.tenant = c.tenant AND ct.id = c.contact_id
	WHERE c.tenant = ? AND `

// analyticsBots reads the conversations of a tenant matching cond (over
// alias c).
func (db *DB) analyticsBots(ctx context.Context, tenant, cond string, args ...any) ([]AnalyticsBot, error) {
	rows, err := db.query(ctx, db.r, analyticsBotSelect+cond, append([]any{tenant}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("bot conversations for analytics: %w", err)
	}
	defer rows.Close()
	var out []AnalyticsBot
	for rows.Next() {
		var b AnalyticsBot
		var phones, emails, steps string
		if err := rows.Scan(&b.Conversation, &b.ClientID, &b.CampaignID, &b.BatchID, &b.BatchName,
			&b.ContactID, &b.Name, &b.NameKey, &b.Document, &phones, &emails,
			&b.Flow, &b.StartedAt, &b.LocalDate, &b.Outcome, &b.Interaction, &b.Messages, &b.LastStep, &steps); err != nil {
			return nil, fmt.Errorf("bot conversations for analytics: %w", err)
		}
		b.Phone, b.Email = firstOf(phones), firstOf(emails)
		if err := json.Unmarshal([]byte(steps), &b.Steps); err != nil {
			return nil, fmt.Errorf("bot conversation %s: stored steps: %w", b.Conversation, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bot conversations for analytics: %w", err)
	}
	return out, nil
}

// AnalyticsBotsByID reads some conversations of a tenant (those the store
// no longer has are absent).
func (db *DB) AnalyticsBotsByID(ctx context.Context, tenant string, ids []string) ([]AnalyticsBot, error) {
	var out []AnalyticsBot
	for len(ids) > 0 {
		n := min(len(ids), 500)
		sub, args := inList(ids[:n])
		bs, err := db.analyticsBots(ctx, tenant, `c.conversation IN (`+sub+`)`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, bs...)
		ids = ids[n:]
	}
	return out, nil
}

// AnalyticsBotsOf reads every conversation of a contact (kind
// OutboxBotContact) or of a batch (OutboxBotBatch).
func (db *DB) AnalyticsBotsOf(ctx context.Context, tenant, kind, id string) ([]AnalyticsBot, error) {
	switch kind {
	case OutboxBotContact:
		return db.analyticsBots(ctx, tenant, `c.contact_id = ?`, id)
	case OutboxBotBatch:
		return db.analyticsBots(ctx, tenant, `c.batch_id = ?`, id)
	}
	return nil, fmt.Errorf("bot conversations of a %q: not a contact or batch entry", kind)
}

// EachAnalyticsBot streams every conversation of a tenant in conversation
// order, chunk at a time (the backfill).
func (db *DB) EachAnalyticsBot(ctx context.Context, tenant string, chunk int, fn func([]AnalyticsBot) error) error {
	after := "" // conversation ids are never empty
	for {
		bs, err := db.analyticsBots(ctx, tenant, `c.conversation > ? ORDER BY c.conversation LIMIT `+fmt.Sprint(chunk), after)
		if err != nil {
			return err
		}
		if len(bs) == 0 {
			return nil
		}
		if err := fn(bs); err != nil {
			return err
		}
		if len(bs) < chunk {
			return nil
		}
		after = bs[len(bs)-1].Conversation
	}
}
