package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// InteractionHead is what protocol assignment needs of an interaction.
type InteractionHead struct {
	ID            string
	Media         string
	ProtocolGiven string
	ProtocolBase  string // the protocol before any collision suffix
	CreatedAt     time.Time
	ContactID     string
}

// UpsertInteraction records an interaction's head and returns the base it
// had before (so both the old and the new base get their collisions
// re-resolved).
func (t *Tx) UpsertInteraction(ctx context.Context, h InteractionHead) (oldBase string, err error) {
	err = t.queryRow(ctx, `SELECT protocol_base FROM interactions WHERE tenant = ? AND id = ?`, t.tenant, h.ID).Scan(&oldBase)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = t.exec(ctx, `INSERT INTO interactions (tenant, id, media, protocol_given, protocol_base, protocol, created_at, contact_id) VALUES (?, ?, ?, ?, ?, '', ?, ?)`,
			t.tenant, h.ID, h.Media, h.ProtocolGiven, h.ProtocolBase, ms(h.CreatedAt), h.ContactID)
		return "", wrap(err, "insert interaction "+h.ID)
	}
	if err != nil {
		return "", fmt.Errorf("read interaction %s: %w", h.ID, err)
	}
	_, err = t.exec(ctx, `UPDATE interactions SET media = ?, protocol_given = ?, protocol_base = ?, created_at = ?, contact_id = ? WHERE tenant = ? AND id = ?`,
		h.Media, h.ProtocolGiven, h.ProtocolBase, ms(h.CreatedAt), h.ContactID, t.tenant, h.ID)
	return oldBase, wrap(err, "update interaction "+h.ID)
}

// ResolveProtocols assigns the final protocols of every interaction sharing
// a base: the first by (created_at, id) keeps the base, the next get "-2",
// "-3"… (suffix from suffix(base, rank)). It returns the interactions whose
// protocol changed, which must be derived again.
func (t *Tx) ResolveProtocols(ctx context.Context, base string, suffix func(string, int) string) (changed map[string]string, err error) {
	rows, err := t.query(ctx, `SELECT id, protocol FROM interactions WHERE tenant = ? AND protocol_base = ? ORDER BY created_at, id`, t.tenant, base)
	if err != nil {
		return nil, fmt.Errorf("protocols of %s: %w", base, err)
	}
	type cur struct{ id, protocol string }
	var list []cur
	for rows.Next() {
		var c cur
		if err := rows.Scan(&c.id, &c.protocol); err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	changed = map[string]string{}
	for i, c := range list {
		p := suffix(base, i+1)
		if p == c.protocol {
			continue
		}
		if _, err := t.exec(ctx, `UPDATE interactions SET protocol = ? WHERE tenant = ? AND id = ?`, p, t.tenant, c.id); err != nil {
			return nil, fmt.Errorf("set protocol of %s: %w", c.id, err)
		}
		changed[c.id] = p
	}
	return changed, nil
}

// ResolveAllProtocols assigns every protocol of the tenant in one pass
// (rebuild): same rule as ResolveProtocols.
func (t *Tx) ResolveAllProtocols(ctx context.Context, suffix func(string, int) string) error {
	rows, err := t.query(ctx, `SELECT id, protocol_base FROM interactions WHERE tenant = ? ORDER BY protocol_base, created_at, id`, t.tenant)
	if err != nil {
		return fmt.Errorf("list protocols: %w", err)
	}
	type upd struct{ id, protocol string }
	var updates []upd
	prev, rank := "", 0
	for rows.Next() {
		var id, base string
		if err := rows.Scan(&id, &base); err != nil {
			rows.Close()
			return err
		}
		if base == prev {
			rank++
		} else {
			prev, rank = base, 1
		}
		updates = append(updates, upd{id, suffix(base, rank)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range updates {
		if _, err := t.exec(ctx, `UPDATE interactions SET protocol = ? WHERE tenant = ? AND id = ?`, u.protocol, t.tenant, u.id); err != nil {
			return fmt.Errorf("set protocol of %s: %w", u.id, err)
		}
	}
	return nil
}

// InteractionProtocol returns the assigned protocol of an interaction.
func (t *Tx) InteractionProtocol(ctx context.Context, id string) (string, error) {
	var p string
	err := t.queryRow(ctx, `SELECT protocol FROM interactions WHERE tenant = ? AND id = ?`, t.tenant, id).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return p, err
}

// AgentKey is the grain of the Agentes rollup.
type AgentKey struct{ Bucket, Media, ServiceID, AgentID string }

// IVRKey is the grain of the IVR rollup.
type IVRKey struct{ Bucket, IVRID, ServiceID, AgentID string }

// ReplaceLegs swaps an interaction's finished legs and IVR visits for newly
// derived ones and returns every rollup key the old and new rows touch.
func (t *Tx) ReplaceLegs(ctx context.Context, interactionID string, legs []model.LegRow, visits []model.IVRVisit) (agentKeys []AgentKey, ivrKeys []IVRKey, err error) {
	tn := t.tenant
	rows, err := t.query(ctx, `SELECT bucket, media, service_id, agent_id FROM legs WHERE tenant = ? AND interaction_id = ?`, tn, interactionID)
	if err != nil {
		return nil, nil, fmt.Errorf("old legs of %s: %w", interactionID, err)
	}
	for rows.Next() {
		var k AgentKey
		if err := rows.Scan(&k.Bucket, &k.Media, &k.ServiceID, &k.AgentID); err != nil {
			rows.Close()
			return nil, nil, err
		}
		agentKeys = append(agentKeys, k)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, nil, fmt.Errorf("old legs of %s: %w", interactionID, err)
	}
	rows.Close()
	rows, err = t.query(ctx, `SELECT bucket, ivr_id, service_id, agent_id FROM ivr_visits WHERE tenant = ? AND interaction_id = ?`, tn, interactionID)
	if err != nil {
		return nil, nil, fmt.Errorf("old visits of %s: %w", interactionID, err)
	}
	for rows.Next() {
		var k IVRKey
		if err := rows.Scan(&k.Bucket, &k.IVRID, &k.ServiceID, &k.AgentID); err != nil {
			rows.Close()
			return nil, nil, err
		}
		ivrKeys = append(ivrKeys, k)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, nil, fmt.Errorf("old visits of %s: %w", interactionID, err)
	}
	rows.Close()
	for _, q := range []string{
		`DELETE FROM leg_tags WHERE leg_k IN (SELECT k FROM legs WHERE tenant = ? AND interaction_id = ?)`,
		`DELETE FROM leg_phones WHERE leg_k IN (SELECT k FROM legs WHERE tenant = ? AND interaction_id = ?)`,
	} {
		if _, err := t.exec(ctx, q, tn, interactionID); err != nil {
			return nil, nil, fmt.Errorf("clear leg children of %s: %w", interactionID, err)
		}
	}
	for _, q := range []string{`DELETE FROM legs WHERE tenant = ? AND interaction_id = ?`, `DELETE FROM ivr_visits WHERE tenant = ? AND interaction_id = ?`} {
		if _, err := t.exec(ctx, q, tn, interactionID); err != nil {
			return nil, nil, fmt.Errorf("clear derived rows of %s: %w", interactionID, err)
		}
	}
	if err := t.InsertLegs(ctx, interactionID, legs, visits); err != nil {
		return nil, nil, err
	}
	if err := t.announceInteraction(ctx, interactionID); err != nil {
		return nil, nil, err
	}
	for _, l := range legs {
		agentKeys = append(agentKeys, AgentKey{l.Bucket, l.Media, l.ServiceID, l.AgentID})
	}
	for _, v := range visits {
		ivrKeys = append(ivrKeys, IVRKey{v.Bucket, v.IVRID, v.ServiceID, v.AgentID})
	}
	return agentKeys, ivrKeys, nil
}

// InsertLegs writes an interaction's derived legs and IVR visits (which
// must not be stored yet).
func (t *Tx) InsertLegs(ctx context.Context, interactionID string, legs []model.LegRow, visits []model.IVRVisit) error {
	tn := t.tenant
	for i := range legs {
		l := &legs[i]
		var expired any
		if l.Expired != nil {
			expired = b2i(*l.Expired)
		}
		var k int64
		err := t.queryRow(ctx, `INSERT INTO legs (tenant, interaction_id, leg_id, seq, protocol, media, entered_at, local_date, local_time, bucket,
			service_id, agent_id, contact_id, status, voice_status, call_quality, expired, portfolio, external_id, ext_protocol, direction,
			queued_at, delivered_at, answered_at, finished_at, duration, tmp, tmi, tm1r, tmr, recording_url, cells)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING k`,
			tn, interactionID, l.LegID, l.Seq, l.Protocol, l.Media, ms(l.EnteredAt), l.LocalDate, l.LocalTime, l.Bucket,
			l.ServiceID, l.AgentID, l.ContactID, l.Status, l.VoiceStatus, l.CallQuality, expired, b2i(l.Portfolio), l.ExternalID, l.ExtProtocol, l.Direction,
			msp(l.QueuedAt), msp(l.DeliveredAt), msp(l.AnsweredAt), ms(l.FinishedAt),
			fp(l.Duration), fp(l.TMP), fp(l.TMI), fp(l.TM1R), fp(l.TMR), l.RecordingURL, EncodeCells(l.Cells)).Scan(&k)
		if err != nil {
			return fmt.Errorf("insert leg %s/%s: %w", interactionID, l.LegID, err)
		}
		for _, tag := range dedupe(l.Tags) {
			// The leg's media and entered_at ride along: a tag filter walks
			// (tenant, tag_id, media, entered_at) in order (migration 0019).
			if _, err := t.exec(ctx, `INSERT INTO leg_tags (tenant, leg_k, tag_id, media, entered_at) VALUES (?, ?, ?, ?, ?)`, tn, k, tag, l.Media, ms(l.EnteredAt)); err != nil {
				return fmt.Errorf("insert leg tag: %w", err)
			}
		}
		for _, p := range dedupe(l.Phones) {
			if p == "" {
				continue
			}
			if _, err := t.exec(ctx, `INSERT INTO leg_phones (tenant, leg_k, rdigits) VALUES (?, ?, ?)`, tn, k, Reverse(p)); err != nil {
				return fmt.Errorf("insert leg phone: %w", err)
			}
		}
	}
	for i, v := range visits {
		if _, err := t.exec(ctx, `INSERT INTO ivr_visits (tenant, interaction_id, pos, ivr_id, entered_at, bucket, outcome, service_id, agent_id, path, answered, abandoned_q, ivr_s, wait_s, talk_s)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tn, interactionID, i, v.IVRID, ms(v.EnteredAt), v.Bucket, v.Outcome, v.ServiceID, v.AgentID, v.Path,
			b2i(v.Answered), b2i(v.AbandonedQ), v.IVRSeconds, fp(v.WaitSeconds), fp(v.TalkSeconds)); err != nil {
			return fmt.Errorf("insert ivr visit of %s: %w", interactionID, err)
		}
	}
	return nil
}

// cellSep separates the formatted cells of a leg inside legs.cells; the unit
// separator never appears in report text.
const cellSep = "\x1f"

// EncodeCells joins formatted cells for storage. Bidirectional control
// characters that text fields may carry are dropped here, once, so the
// page, the API, the CSV and the XLSX show the same neutral cells.
func EncodeCells(c []string) string {
	for i, v := range c {
		if strings.Contains(v, cellSep) {
			v = strings.ReplaceAll(v, cellSep, " ")
		}
		c[i] = model.StripBidi(v)
	}
	return strings.Join(c, cellSep)
}

// DecodeCells splits stored cells.
func DecodeCells(s string) []string { return DecodeCellsInto(nil, s) }

// DecodeCellsInto splits stored cells into dst[:0], reusing its array (the
// export decodes every row into one slice).
func DecodeCellsInto(dst []string, s string) []string {
	dst = dst[:0]
	for {
		i := strings.Index(s, cellSep)
		if i < 0 {
			return append(dst, s)
		}
		dst = append(dst, s[:i])
		s = s[i+len(cellSep):]
	}
}

// Reverse reverses an ASCII string (phone digits).
func Reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
