package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// AgentDayLeg is one leg an agent handled, for the agent's day timeline.
type AgentDayLeg struct {
	Protocol, InteractionID, LegID string
	Media, ServiceID, Status       string
	EnteredAt, FinishedAt          time.Time
	DeliveredAt                    *time.Time // nil: never delivered to the agent
}

// AgentVisible says whether p may see agentID's activity: always when p is
// not limited to services, else only an agent with legs in those services
// (NewLegQuery), as the Agentes report lists them.
func (db *DB) AgentVisible(ctx context.Context, p model.Principal, agentID string) (bool, error) {
	if p.Services == nil {
		return true, nil
	}
	where, args := NewLegQuery(p, "l").And("l.agent_id = ?", agentID).Where()
	var one int
	err := db.queryRow(ctx, db.r, `SELECT 1 FROM legs l WHERE `+where+` LIMIT 1`, args...).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("agent %s in scope: %w", agentID, err)
	}
	return true, nil
}

// AgentActivity loads an agent's activity events with at in [from, to),
// in arrival order, as p may see them (NewAgentEventQuery).
func (db *DB) AgentActivity(ctx context.Context, p model.Principal, agentID string, from, to time.Time) ([]model.Event, error) {
	where, args := NewAgentEventQuery(p, "e", agentID).And("e.at >= ?", ms(from)).And("e.at < ?", ms(to)).Where()
	rows, err := db.query(ctx, db.r, `SELECT e.seq, e.body, e.zbody FROM events e WHERE `+where+` ORDER BY e.seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("activity of agent %s: %w", agentID, err)
	}
	defer rows.Close()
	return scanEvents(rows)
}

// AgentDayLegs lists the legs of agentID that entered on the local day
// (AAAA-MM-DD) in p's scope, by entry time: the (tenant, agent_id, bucket)
// index's slice of that day.
func (db *DB) AgentDayLegs(ctx context.Context, p model.Principal, agentID, day string) ([]AgentDayLeg, error) {
	where, args := NewLegQuery(p, "l").And("l.agent_id = ?", agentID).
		And("l.bucket >= ?", day+" 00").And("l.bucket <= ?", day+" 23").Where()
	rows, err := db.query(ctx, db.r, `SELECT l.protocol, l.interaction_id, l.leg_id, l.media, l.service_id, l.status,
		l.entered_at, l.delivered_at, l.finished_at FROM legs l WHERE `+where+` ORDER BY l.entered_at, l.k`, args...)
	if err != nil {
		return nil, fmt.Errorf("legs of agent %s on %s: %w", agentID, day, err)
	}
	defer rows.Close()
	var out []AgentDayLeg
	for rows.Next() {
		var l AgentDayLeg
		var entered, finished int64
		var delivered sql.NullInt64
		if err := rows.Scan(&l.Protocol, &l.InteractionID, &l.LegID, &l.Media, &l.ServiceID, &l.Status, &entered, &delivered, &finished); err != nil {
			return nil, fmt.Errorf("legs of agent %s on %s: %w", agentID, day, err)
		}
		l.EnteredAt, l.FinishedAt = time.UnixMilli(entered).UTC(), time.UnixMilli(finished).UTC()
		if delivered.Valid {
			t := time.UnixMilli(delivered.Int64).UTC()
			l.DeliveredAt = &t
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
