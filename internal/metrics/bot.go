package metrics

import "github.com/rastro/rastro/internal/model"

// DeriveBotConversation reads one Fluxo Ágil conversation from its events
// (any order). Messages counts bot.message events (both senders; the same
// message_id twice counts once); Steps are the bot.step nodes in order with
// consecutive repeats removed, LastStep the last of them; outcome, end time
// and the human interaction come from bot.conversation_ended (the first one).
//
// Decision: while bot.conversation_started is unknown, StartedAt (and
// LocalDate) is the earliest event of the conversation.
func DeriveBotConversation(events []model.Event, cfg Config) model.BotConversation {
	evs := sortEvents(events)
	var c model.BotConversation
	seenMsg := map[string]bool{}
	started := false
	for _, e := range evs {
		if c.Conversation == "" {
			c.Conversation = e.Conversation
		}
		if c.StartedAt.IsZero() {
			c.StartedAt = e.At
		}
		switch e.Type {
		case model.TypeBotStarted:
			if !started {
				started = true
				c.StartedAt = e.At
			}
			set(&c.Flow, e.Flow)
			set(&c.ClientID, e.ClientID)
			set(&c.CampaignID, e.CampaignID)
			set(&c.BatchID, e.BatchID)
			set(&c.ContactID, e.ContactID)
			set(&c.Channel, e.Channel)
		case model.TypeBotMessage:
			if e.MessageID != "" {
				if seenMsg[e.MessageID] {
					continue
				}
				seenMsg[e.MessageID] = true
			}
			c.Messages++
		case model.TypeBotStep:
			if e.Step != "" && (len(c.Steps) == 0 || c.Steps[len(c.Steps)-1] != e.Step) {
				c.Steps = append(c.Steps, e.Step)
			}
		case model.TypeBotEnded:
			if c.EndedAt == nil {
				c.EndedAt = timePtr(e.At)
				c.Outcome = e.Outcome
				c.Interaction = e.Interaction
			}
		}
	}
	if n := len(c.Steps); n > 0 {
		c.LastStep = c.Steps[n-1]
	}
	c.LocalDate = FormatDate(c.StartedAt, cfg.Location())
	return c
}

// ReachedHuman says whether a bot conversation was handed to a human
// (outcome handed_off or a linked interaction): the Fluxo Ágil question
// "which contacts never reached a human".
func ReachedHuman(c model.BotConversation) bool {
	return c.Outcome == "handed_off" || c.Interaction != ""
}

// SummarizeBotRow sums up the conversations of one Fluxo Ágil row (batch,
// contact, flow), given latest first: the order the report ranks them in
// (started_at, then conversation id, both descending), which the store
// sorts so that its own text order decides ties. The latest conversation
// gives the last step, outcome and client; counts and messages add up; a
// step's position is the earliest it has in any conversation.
func SummarizeBotRow(latestFirst []model.BotConversation) model.BotRowSummary {
	var s model.BotRowSummary
	if len(latestFirst) == 0 {
		return s
	}
	l := latestFirst[0]
	s.ClientID, s.CampaignID = l.ClientID, l.CampaignID
	s.LatestConversation, s.LastStep, s.Outcome = l.Conversation, l.LastStep, l.Outcome
	s.FirstDate, s.LastDate = l.LocalDate, l.LocalDate
	s.Steps = map[string]int{}
	for _, c := range latestFirst {
		if c.ClientID != s.ClientID || c.CampaignID != s.CampaignID {
			s.Mixed = true
		}
		s.FirstDate, s.LastDate = min(s.FirstDate, c.LocalDate), max(s.LastDate, c.LocalDate)
		s.Conversations++
		s.Messages += c.Messages
		if ReachedHuman(c) {
			s.ReachedHuman = true
		}
		for i, step := range c.Steps {
			if pos, ok := s.Steps[step]; !ok || i < pos {
				s.Steps[step] = i
			}
		}
	}
	return s
}
