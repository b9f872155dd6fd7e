package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rastro/rastro/internal/model"
)

// ReplaceBotConversation stores a conversation derived from its events and
// returns the Fluxo Ágil rows it left or joined (RefreshBotRows recomputes
// them): its start event may move it to another batch, contact or flow.
func (t *Tx) ReplaceBotConversation(ctx context.Context, c model.BotConversation) ([]BotRowKey, error) {
	var keys []BotRowKey
	rows, err := t.query(ctx, `DELETE FROM bot_conversations WHERE tenant = ? AND conversation = ? RETURNING batch_id, contact_id, flow`, t.tenant, c.Conversation)
	if err != nil {
		return nil, fmt.Errorf("clear conversation %s: %w", c.Conversation, err)
	}
	for rows.Next() {
		var k BotRowKey
		if err := rows.Scan(&k.Batch, &k.Contact, &k.Flow); err != nil {
			rows.Close()
			return nil, fmt.Errorf("clear conversation %s: %w", c.Conversation, err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clear conversation %s: %w", c.Conversation, err)
	}
	if err := t.announceBot(ctx, OutboxBotConversation, c.Conversation); err != nil {
		return nil, err
	}
	if c.StartedAt.IsZero() {
		// Not started yet (its start event has not arrived): nothing to show.
		return keys, nil
	}
	steps, _ := json.Marshal(nonNil(c.Steps))
	_, err = t.exec(ctx, `INSERT INTO bot_conversations (tenant, conversation, flow, client_id, campaign_id, batch_id, contact_id, channel,
		started_at, local_date, ended_at, outcome, interaction_id, messages, last_step, steps)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.tenant, c.Conversation, c.Flow, c.ClientID, c.CampaignID, c.BatchID, c.ContactID, c.Channel,
		ms(c.StartedAt), c.LocalDate, msp(c.EndedAt), c.Outcome, c.Interaction, c.Messages, c.LastStep, string(steps))
	if err != nil {
		return nil, wrap(err, "insert conversation "+c.Conversation)
	}
	return append(keys, BotRowKey{Batch: c.BatchID, Contact: c.ContactID, Flow: c.Flow}), nil
}

// AgentEventsBetween loads an agent's events with at in [from, to).
func (t *Tx) AgentEventsBetween(ctx context.Context, agentID string, from, to int64) ([]model.Event, error) {
	// agg_kind is written in the statement, not bound: the partial index
	// events_agent_at (WHERE agg_kind = 'a') is only usable by a query whose
	// text implies its condition.
	rows, err := t.query(ctx, `SELECT seq, body, zbody FROM events WHERE tenant = ? AND agg_kind = '`+model.AggAgent+`' AND agg_key = ? AND at >= ? AND at < ? ORDER BY seq`,
		t.tenant, agentID, from, to)
	if err != nil {
		return nil, fmt.Errorf("events of agent %s: %w", agentID, err)
	}
	defer rows.Close()
	return scanEvents(rows)
}

// ReplaceAgentDaySpans swaps an agent's spans of one local day.
func (t *Tx) ReplaceAgentDaySpans(ctx context.Context, agentID, day string, spans []model.AgentSpan) error {
	if _, err := t.exec(ctx, `DELETE FROM agent_spans WHERE tenant = ? AND agent_id = ? AND bucket >= ? AND bucket <= ?`, t.tenant, agentID, day+" 00", day+" 23"); err != nil {
		return fmt.Errorf("clear spans of %s on %s: %w", agentID, day, err)
	}
	for _, s := range spans {
		if _, err := t.exec(ctx, `INSERT INTO agent_spans (tenant, agent_id, bucket, kind, media, reason, seconds) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.tenant, agentID, s.Bucket, s.Kind, s.Media, s.Reason, s.Seconds); err != nil {
			return fmt.Errorf("insert span of %s: %w", agentID, err)
		}
	}
	if err := t.announceAgentDay(ctx, agentID, day); err != nil {
		return err
	}
	return t.refreshAgentDayTimes(ctx, agentID, day)
}
