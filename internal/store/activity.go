package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rastro/rastro/internal/model"
)

// ReplaceBotConversation stores a conversation derived from its events.
func (t *Tx) ReplaceBotConversation(ctx context.Context, c model.BotConversation) error {
	if _, err := t.exec(ctx, `DELETE FROM bot_conversations WHERE tenant = ? AND conversation = ?`, t.tenant, c.Conversation); err != nil {
		return fmt.Errorf("clear conversation %s: %w", c.Conversation, err)
	}
	if c.StartedAt.IsZero() {
		// Not started yet (its start event has not arrived): nothing to show.
		return nil
	}
	steps, _ := json.Marshal(nonNil(c.Steps))
	_, err := t.exec(ctx, `INSERT INTO bot_conversations (tenant, conversation, flow, client_id, campaign_id, batch_id, contact_id, channel,
		started_at, local_date, ended_at, outcome, interaction_id, messages, last_step, steps)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.tenant, c.Conversation, c.Flow, c.ClientID, c.CampaignID, c.BatchID, c.ContactID, c.Channel,
		ms(c.StartedAt), c.LocalDate, msp(c.EndedAt), c.Outcome, c.Interaction, c.Messages, c.LastStep, string(steps))
	return wrap(err, "insert conversation "+c.Conversation)
}

// ReplaceAgentSpans swaps all of an agent's logged-in and pause spans.
func (t *Tx) ReplaceAgentSpans(ctx context.Context, agentID string, spans []model.AgentSpan) error {
	if _, err := t.exec(ctx, `DELETE FROM agent_spans WHERE tenant = ? AND agent_id = ?`, t.tenant, agentID); err != nil {
		return fmt.Errorf("clear spans of %s: %w", agentID, err)
	}
	for _, s := range spans {
		if _, err := t.exec(ctx, `INSERT INTO agent_spans (tenant, agent_id, bucket, kind, media, reason, seconds) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.tenant, agentID, s.Bucket, s.Kind, s.Media, s.Reason, s.Seconds); err != nil {
			return fmt.Errorf("insert span of %s: %w", agentID, err)
		}
	}
	return nil
}
