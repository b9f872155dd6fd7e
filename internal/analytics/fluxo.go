package analytics

import (
	"context"
	"fmt"
	"sort"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// The Fluxo Ágil from the engine: the same rows (one per batch, contact and
// flow of the selected conversations, with the latest conversation's last
// step and outcome), keyset pages and drop-off as the store's BotRows,
// EachBotRow and BotDropoff, into the same structs, so the report package
// formats both alike. The store numbers each row's conversations with a
// window (ROW_NUMBER over started_at DESC, conversation DESC); 18.16 has no
// window functions, so the engine groups the conversations per row and
// takes the latest one's values with argMax(…, (started_at,
// conversation)): the same conversation wins. Names and the contact's
// data come with each conversation (shipped with it, see
// store.AnalyticsBot), as the store's report joins them.

// botWhere is store.BotWhere over bot_conversations aliased a, with the
// engine's dialect: soft deletes, the FINAL table, GLOBAL over a cluster.
func (r *Rastreio) botWhere(m reading, p model.Principal, f store.BotFilter, a string) *store.Query {
	d := store.BotDialect{Current: "deleted = 0", Table: r.bots(m, "h")}
	if r.CH.cfg.Cluster != "" {
		// The subquery reads the Distributed table: GLOBAL runs it once
		// and sends its contacts to every shard (a contact's conversations
		// may sit on both).
		d.In = "GLOBAL "
	}
	return store.BotWhere(p, f, a, d)
}

func (r *Rastreio) bots(m reading, alias string) string {
	return m.from(r.CH, "bot_conversations", alias)
}

// botTables is what the Fluxo Ágil reads (one partition: see settle.go).
var botTables = []string{"bot_conversations"}

// botRowsSQL groups the selected conversations into rows (columns g_*),
// keeps those whose latest conversation stopped at f.Step, and orders them
// as the store does; after and limit (0: none) page them.
func (r *Rastreio) botRowsSQL(m reading, p model.Principal, f store.BotFilter, byName bool, after *store.BotCursor, limit int) (string, []any, error) {
	if !r.CH.Ready() {
		return "", nil, ErrNotReady
	}
	where, args := r.botWhere(m, p, f, "c").Where()
	outer := "1 = 1"
	if f.Step != "" {
		outer += " AND g_last_step = ?"
		args = append(args, f.Step)
	}
	order := "g_batch_name, g_name_key, g_batch_id, g_contact_id, g_flow"
	if byName {
		order = "g_name_key, g_batch_name, g_batch_id, g_contact_id, g_flow"
	}
	if after != nil {
		outer += " AND (" + order + ") > (?, ?, ?, ?, ?)"
		if byName {
			args = append(args, after.NameKey, after.BatchName, after.BatchID, after.ContactID, after.Flow)
		} else {
			args = append(args, after.BatchName, after.NameKey, after.BatchID, after.ContactID, after.Flow)
		}
	}
	// Aliases are visible in the whole query on ClickHouse: none shadows a
	// column.
	latest := func(col string) string { return "argMax(c." + col + ", (c.started_at, c.conversation)) AS g_" + col }
	q := `SELECT g_batch_id, g_batch_name, g_contact_id, g_name, g_name_key, g_document, g_phone, g_email, g_flow,
			g_n, g_messages, g_last_step, g_outcome, g_conversation
		FROM (SELECT c.batch_id AS g_batch_id, c.contact_id AS g_contact_id, c.flow AS g_flow,
				` + latest("batch_name") + `, ` + latest("name") + `, ` + latest("name_key") + `, ` + latest("document") + `,
				` + latest("phone") + `, ` + latest("email") + `, ` + latest("last_step") + `, ` + latest("outcome") + `,
				` + latest("conversation") + `, count() AS g_n, sum(c.messages) AS g_messages
			FROM ` + r.bots(m, "c") + ` WHERE ` + where + `
			GROUP BY c.batch_id, c.contact_id, c.flow)
		WHERE ` + outer + ` ORDER BY ` + order
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	return q, args, nil
}

// eachBotRow runs a rows query and hands every row to fn.
func (r *Rastreio) eachBotRow(ctx context.Context, q string, args []any, fn func(store.BotRow) error) error {
	rows, err := r.CH.conn.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("analytics: fluxo rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b store.BotRow
		var n uint64
		var msgs int64
		if err := rows.Scan(&b.BatchID, &b.BatchName, &b.ContactID, &b.Name, &b.NameKey, &b.Document, &b.Phone, &b.Email, &b.Flow,
			&n, &msgs, &b.LastStep, &b.Outcome, &b.LatestConversation); err != nil {
			return fmt.Errorf("analytics: fluxo rows: %w", err)
		}
		b.Conversations, b.Messages = int(n), int(msgs)
		if err := fn(b); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("analytics: fluxo rows: %w", err)
	}
	return nil
}

// BotRows answers one keyset page, as store.DB.BotRows.
func (r *Rastreio) BotRows(ctx context.Context, p model.Principal, f store.BotFilter, byName bool, after *store.BotCursor, limit int) (store.BotPage, error) {
	var page store.BotPage
	err := r.CH.read(ctx, partScope{}, botTables, func(m reading) (err error) {
		page, err = r.botRows(ctx, m, p, f, byName, after, limit)
		return err
	})
	return page, err
}

func (r *Rastreio) botRows(ctx context.Context, m reading, p model.Principal, f store.BotFilter, byName bool, after *store.BotCursor, limit int) (store.BotPage, error) {
	q, args, err := r.botRowsSQL(m, p, f, byName, after, limit+1)
	if err != nil {
		return store.BotPage{}, err
	}
	var page store.BotPage
	if err := r.eachBotRow(ctx, q, args, func(b store.BotRow) error {
		page.Rows = append(page.Rows, b)
		return nil
	}); err != nil {
		return store.BotPage{}, err
	}
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		last := page.Rows[limit-1]
		page.Next = &store.BotCursor{BatchName: last.BatchName, NameKey: last.NameKey, BatchID: last.BatchID, ContactID: last.ContactID, Flow: last.Flow}
	}
	return page, nil
}

// EachBotRow streams every matching row in one query (the engine streams
// blocks; no keyset pages needed), as store.DB.EachBotRow.
func (r *Rastreio) EachBotRow(ctx context.Context, p model.Principal, f store.BotFilter, byName bool, _ int, fn func(store.BotRow) error) error {
	q, args, err := r.botRowsSQL(allFinal, p, f, byName, nil, 0)
	if err != nil {
		return err
	}
	return r.eachBotRow(ctx, q, args, fn)
}

// BotConversations answers as store.DB.BotConversations: the selected
// conversations of the listed rows.
func (r *Rastreio) BotConversations(ctx context.Context, p model.Principal, f store.BotFilter) (int64, error) {
	var n uint64
	err := r.CH.read(ctx, partScope{}, botTables, func(m reading) error {
		q, args, err := r.botRowsSQL(m, p, f, false, nil, 0)
		if err != nil {
			return err
		}
		if err := r.CH.conn.QueryRow(ctx, `SELECT toUInt64(sum(g_n)) FROM (`+q+`)`, args...).Scan(&n); err != nil {
			return fmt.Errorf("analytics: fluxo conversations: %w", err)
		}
		return nil
	})
	return int64(n), err
}

// BotDropoff answers as store.DB.BotDropoff: per step, the distinct
// contacts of the listed rows that reached it in a selected conversation
// and those whose row stopped there, ordered by the step's earliest
// position in a conversation, then by reach, then by name.
func (r *Rastreio) BotDropoff(ctx context.Context, p model.Principal, f store.BotFilter) ([]store.BotStepCount, error) {
	var out []store.BotStepCount
	err := r.CH.read(ctx, partScope{}, botTables, func(m reading) (err error) {
		out, err = r.botDropoff(ctx, m, p, f)
		return err
	})
	return out, err
}

func (r *Rastreio) botDropoff(ctx context.Context, m reading, p model.Principal, f store.BotFilter) ([]store.BotStepCount, error) {
	if !r.CH.Ready() {
		return nil, ErrNotReady
	}
	where, args := r.botWhere(m, p, f, "c").Where()
	having := ""
	if f.Step != "" {
		having = " HAVING r_step = ?"
		args = append(args, f.Step)
	}
	// The listed rows: their contact, every selected conversation's steps
	// and the latest conversation's last step.
	rowsQ := `SELECT c.contact_id AS r_contact, groupArray(c.steps) AS r_all,
			argMax(c.last_step, (c.started_at, c.conversation)) AS r_step,
			argMax(c.outcome, (c.started_at, c.conversation)) AS r_outcome
		FROM ` + r.bots(m, "c") + ` WHERE ` + where + `
		GROUP BY c.batch_id, c.contact_id, c.flow` + having
	reachedQ := `SELECT tupleElement(t_pair, 1) AS s_step, toUInt64(min(tupleElement(t_pair, 2))) AS s_pos, uniqExact(t_contact) AS s_contacts
		FROM (SELECT u_contact AS t_contact, arrayJoin(arrayMap(i -> (u_steps[i], i), arrayEnumerate(u_steps))) AS t_pair
			FROM (SELECT r_contact AS u_contact, arrayJoin(r_all) AS u_steps FROM (` + rowsQ + `)))
		GROUP BY s_step`
	type reached struct {
		step     string
		pos      uint64
		contacts uint64
	}
	rows, err := r.CH.conn.Query(ctx, reachedQ, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: fluxo drop-off: %w", err)
	}
	var list []reached
	for rows.Next() {
		var s reached
		if err := rows.Scan(&s.step, &s.pos, &s.contacts); err != nil {
			rows.Close()
			return nil, fmt.Errorf("analytics: fluxo drop-off: %w", err)
		}
		list = append(list, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: fluxo drop-off: %w", err)
	}
	type stop struct{ n, finished, abandoned uint64 }
	stopped := map[string]stop{}
	rows, err = r.CH.conn.Query(ctx, `SELECT r_step, uniqExact(r_contact),
			uniqExactIf(r_contact, r_outcome IN (`+store.BotFinishedOutcomes+`)),
			uniqExactIf(r_contact, r_outcome IN (`+store.BotAbandonedOutcomes+`))
		FROM (`+rowsQ+`) GROUP BY r_step`, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: fluxo drop-off: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var step string
		var n stop
		if err := rows.Scan(&step, &n.n, &n.finished, &n.abandoned); err != nil {
			return nil, fmt.Errorf("analytics: fluxo drop-off: %w", err)
		}
		stopped[step] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: fluxo drop-off: %w", err)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.pos != b.pos {
			return a.pos < b.pos
		}
		if a.contacts != b.contacts {
			return a.contacts > b.contacts
		}
		return a.step < b.step
	})
	out := make([]store.BotStepCount, len(list))
	for i, s := range list {
		st := stopped[s.step]
		out[i] = store.BotStepCount{Step: s.step, Contacts: int(s.contacts), LastHere: int(st.n), Finished: int(st.finished), Abandoned: int(st.abandoned)}
	}
	return out, nil
}
