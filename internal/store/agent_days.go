package store

import (
	"context"
	"fmt"
	"strings"
)

// The day-grain Agentes rollups (migration 0006) are recomputed, like the
// hourly ones, from the rows they sum — never patched with deltas — by the
// statements below. Each takes a WHERE fragment: one key at ingestion, one
// tenant at rebuild, everything in the migration's backfill.

// agentLegSums are the agent_rollup columns after the key, summed over legs
// aliased l.
const agentLegSums = `SUM(CASE WHEN l.status = 'service completed' THEN 1 ELSE 0 END),
	SUM(CASE WHEN l.status = 'service transferred' THEN 1 ELSE 0 END),
	SUM(CASE WHEN l.status NOT IN ('service completed', 'service transferred') THEN 1 ELSE 0 END),
	COALESCE(SUM(l.duration), 0), COUNT(l.duration),
	COALESCE(SUM(l.tm1r), 0), COUNT(l.tm1r),
	COALESCE(SUM(l.tmr), 0), COUNT(l.tmr),
	COALESCE(SUM(l.tmp), 0), COUNT(l.tmp),
	COALESCE(SUM(l.tmi), 0), COUNT(l.tmi)`

const localDay = `SUBSTR(l.bucket, 1, 10)`

// agentDayLegInserts fill agent_day_rollup and agent_day_tag_rollup from
// the legs (aliased l) matching where.
func agentDayLegInserts(where string) []string {
	return []string{
		`INSERT INTO agent_day_rollup SELECT l.tenant, ` + localDay + `, l.media, l.service_id, l.agent_id, ` + agentLegSums +
			` FROM legs l WHERE ` + where + ` GROUP BY l.tenant, ` + localDay + `, l.media, l.service_id, l.agent_id`,
		`INSERT INTO agent_day_tag_rollup SELECT l.tenant, ` + localDay + `, l.media, l.service_id, l.agent_id, lt.tag_id, COUNT(*)
			FROM legs l JOIN leg_tags lt ON lt.leg_k = l.k WHERE ` + where + `
			GROUP BY l.tenant, ` + localDay + `, l.media, l.service_id, l.agent_id, lt.tag_id`,
	}
}

// agentDayTotalInserts fill agent_day_total and agent_day_tag_total (every
// media and service) from the legs (aliased l) matching where.
func agentDayTotalInserts(where string) []string {
	return []string{
		`INSERT INTO agent_day_total SELECT l.tenant, ` + localDay + `, l.agent_id, ` + agentLegSums +
			` FROM legs l WHERE ` + where + ` GROUP BY l.tenant, ` + localDay + `, l.agent_id`,
		`INSERT INTO agent_day_tag_total SELECT l.tenant, ` + localDay + `, l.agent_id, lt.tag_id, COUNT(*)
			FROM legs l JOIN leg_tags lt ON lt.leg_k = l.k WHERE ` + where + `
			GROUP BY l.tenant, ` + localDay + `, l.agent_id, lt.tag_id`,
	}
}

// agentDayTimeInserts fill agent_day_times from the spans (aliased s)
// matching where; see 0006_agent_days.sql for the scopes.
func agentDayTimeInserts(where string) []string {
	const cols = `INSERT INTO agent_day_times (tenant, agent_id, bucket, kind, scope, reason, seconds) `
	return []string{
		cols + `SELECT s.tenant, s.agent_id, SUBSTR(s.bucket, 1, 10), 'pause', '', s.reason, SUM(s.seconds)
			FROM agent_spans s WHERE s.kind = 'pause' AND ` + where + `
			GROUP BY s.tenant, s.agent_id, SUBSTR(s.bucket, 1, 10), s.reason`,
		cols + `SELECT h.tenant, h.agent_id, SUBSTR(h.bucket, 1, 10), 'login', '*', '', SUM(h.m) FROM (
				SELECT s.tenant AS tenant, s.agent_id AS agent_id, s.bucket AS bucket, MAX(s.seconds) AS m
				FROM agent_spans s WHERE s.kind = 'login' AND ` + where + `
				GROUP BY s.tenant, s.agent_id, s.bucket
			) h GROUP BY h.tenant, h.agent_id, SUBSTR(h.bucket, 1, 10)`,
		// Per media m of the day's logins ('' included): per hour the
		// largest span of m or ''.
		cols + `SELECT h.tenant, h.agent_id, SUBSTR(h.bucket, 1, 10), 'login', h.scope, '', SUM(h.m) FROM (
				SELECT x.tenant AS tenant, x.agent_id AS agent_id, x.bucket AS bucket, d.media AS scope, MAX(x.seconds) AS m
				FROM (SELECT DISTINCT s.tenant AS tenant, s.agent_id AS agent_id, SUBSTR(s.bucket, 1, 10) AS day, s.media AS media
					FROM agent_spans s WHERE s.kind = 'login' AND ` + where + `) d
				JOIN agent_spans x ON x.tenant = d.tenant AND x.agent_id = d.agent_id AND x.kind = 'login'
					AND x.bucket >= d.day || ' 00' AND x.bucket <= d.day || ' 23' AND (x.media = d.media OR x.media = '')
				GROUP BY x.tenant, x.agent_id, x.bucket, d.media
			) h GROUP BY h.tenant, h.agent_id, SUBSTR(h.bucket, 1, 10), h.scope`,
		agentDayPauseInInsert(where),
	}
}

// agentDayPauseInInsert fills the pause_in rows of agent_day_times (the
// pauses inside logins, migration 0013): per media m of the day's spans
// (the logins without media included) and reason, per hour the longest
// part inside the logins of m or without media, added up.
func agentDayPauseInInsert(where string) string {
	const cols = `INSERT INTO agent_day_times (tenant, agent_id, bucket, kind, scope, reason, seconds) `
	return cols + `SELECT h.tenant, h.agent_id, SUBSTR(h.bucket, 1, 10), 'pause_in', h.scope, h.reason, SUM(h.m) FROM (
				SELECT x.tenant AS tenant, x.agent_id AS agent_id, x.bucket AS bucket, d.media AS scope, x.reason AS reason, MAX(x.seconds) AS m
				FROM (SELECT DISTINCT s.tenant AS tenant, s.agent_id AS agent_id, SUBSTR(s.bucket, 1, 10) AS day, s.media AS media
					FROM agent_spans s WHERE s.kind = 'pause_in' AND ` + where + `) d
				JOIN agent_spans x ON x.tenant = d.tenant AND x.agent_id = d.agent_id AND x.kind = 'pause_in'
					AND x.bucket >= d.day || ' 00' AND x.bucket <= d.day || ' 23' AND (x.media = d.media OR x.media = '')
				GROUP BY x.tenant, x.agent_id, x.bucket, d.media, x.reason
			) h GROUP BY h.tenant, h.agent_id, SUBSTR(h.bucket, 1, 10), h.scope, h.reason`
}

// dayKey is the grain of agent_day_rollup (agent_day_total: Day, AgentID).
type dayKey struct{ Day, Media, ServiceID, AgentID string }

func (k dayKey) text() string {
	return k.Day + "\x00" + k.Media + "\x00" + k.ServiceID + "\x00" + k.AgentID
}

// refreshAgentDayRollups recomputes the day rows the hourly keys fall in.
func (t *Tx) refreshAgentDayRollups(ctx context.Context, keys []AgentKey) error {
	var days, totals []dayKey
	for _, k := range keys {
		d := dayKey{k.Bucket[:min(10, len(k.Bucket))], k.Media, k.ServiceID, k.AgentID}
		days = append(days, d)
		totals = append(totals, dayKey{Day: d.Day, AgentID: d.AgentID})
	}
	less := func(a, b dayKey) bool { return a.text() < b.text() }
	inserts := agentDayLegInserts(`l.tenant = ? AND l.agent_id = ? AND l.bucket >= ? AND l.bucket <= ? AND l.media = ? AND l.service_id = ?`)
	const where = ` WHERE tenant = ? AND bucket = ? AND media = ? AND service_id = ? AND agent_id = ?`
	for _, k := range uniqueSorted(days, less) {
		for _, table := range []string{"agent_day_rollup", "agent_day_tag_rollup"} {
			if _, err := t.exec(ctx, `DELETE FROM `+table+where, t.tenant, k.Day, k.Media, k.ServiceID, k.AgentID); err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
		}
		for _, q := range inserts {
			if _, err := t.exec(ctx, q, t.tenant, k.AgentID, k.Day+" 00", k.Day+" 23", k.Media, k.ServiceID); err != nil {
				return fmt.Errorf("agent day rollup: %w", err)
			}
		}
	}
	inserts = agentDayTotalInserts(`l.tenant = ? AND l.agent_id = ? AND l.bucket >= ? AND l.bucket <= ?`)
	for _, k := range uniqueSorted(totals, less) {
		// The engine holds these rows too, per agent day (legs without an
		// agent belong to no Agentes row: the engine does not read them).
		if k.AgentID != "" {
			if err := t.announceAgentDay(ctx, k.AgentID, k.Day); err != nil {
				return err
			}
		}
		for _, table := range []string{"agent_day_total", "agent_day_tag_total"} {
			if _, err := t.exec(ctx, `DELETE FROM `+table+` WHERE tenant = ? AND bucket = ? AND agent_id = ?`, t.tenant, k.Day, k.AgentID); err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
		}
		for _, q := range inserts {
			if _, err := t.exec(ctx, q, t.tenant, k.AgentID, k.Day+" 00", k.Day+" 23"); err != nil {
				return fmt.Errorf("agent day total: %w", err)
			}
		}
	}
	return nil
}

// refreshAgentDayTimes recomputes an agent's day-grain times of one day
// from its hourly spans.
func (t *Tx) refreshAgentDayTimes(ctx context.Context, agentID, day string) error {
	if _, err := t.exec(ctx, `DELETE FROM agent_day_times WHERE tenant = ? AND agent_id = ? AND bucket = ?`, t.tenant, agentID, day); err != nil {
		return fmt.Errorf("clear day times of %s on %s: %w", agentID, day, err)
	}
	for _, q := range agentDayTimeInserts(`s.tenant = ? AND s.agent_id = ? AND s.bucket >= ? AND s.bucket <= ?`) {
		if _, err := t.exec(ctx, q, t.tenant, agentID, day+" 00", day+" 23"); err != nil {
			return fmt.Errorf("day times of %s on %s: %w", agentID, day, err)
		}
	}
	return nil
}

// rebuildAgentDayRollups recomputes every day-grain leg and tag row of the
// tenant (its day times follow each ReplaceAgentDaySpans).
func (t *Tx) rebuildAgentDayRollups(ctx context.Context) error {
	for _, table := range []string{"agent_day_rollup", "agent_day_tag_rollup", "agent_day_total", "agent_day_tag_total"} {
		if _, err := t.exec(ctx, `DELETE FROM `+table+` WHERE tenant = ?`, t.tenant); err != nil {
			return fmt.Errorf("clear %s: %w", table, err)
		}
	}
	for _, q := range append(agentDayLegInserts(`l.tenant = ?`), agentDayTotalInserts(`l.tenant = ?`)...) {
		if _, err := t.exec(ctx, q, t.tenant); err != nil {
			return fmt.Errorf("rebuild agent day rollups: %w", err)
		}
	}
	return nil
}

// backfillAgentDays fills the day-grain tables of a store created before
// migration 0006, inside the migration's transaction.
func (db *DB) backfillAgentDays(ctx context.Context, q querier) error {
	all := append(append(agentDayLegInserts(`1 = 1`), agentDayTotalInserts(`1 = 1`)...), agentDayTimeInserts(`1 = 1`)...)
	for _, s := range all {
		if _, err := db.exec(ctx, q, s); err != nil {
			return fmt.Errorf("backfill agent days: %w\n%s", err, strings.TrimSpace(s))
		}
	}
	return nil
}
