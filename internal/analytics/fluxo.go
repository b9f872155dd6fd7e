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
//
// A search the store answers from its Fluxo Ágil rows alone
// (store.BotFromRows) is answered from the engine's copy of them
// (bot_rows, migration 9: one line per listed row, names included), with
// the same filter (store.BotWhere in the rows' dialect), order and keyset;
// the others group the conversations as above.

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
	order := store.BotSortCols(byName, "g_")
	if after != nil {
		outer += " AND (" + order + ") > (?, ?, ?, ?, ?)"
		args = append(args, after.Args(byName)...)
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

// botRowTables is what a search answered from the Fluxo Ágil rows reads.
var botRowTables = []string{"bot_rows"}

// BotSourceOf says where the engine answers a search from, as the store's
// BotSourceOf says it for the store: from its bot_rows (store.BotFromRows)
// when the tenant has no row of mixed clients or campaigns and no row of
// the search is cut by a period bound; else from the conversations, which
// answer every search (the store's cut-row query, recomputing the cut rows
// from their conversations, needs window functions 18.16 lacks). The two
// checks read without FINAL: an older version still unmerged can only make
// a search take the conversations, which answer it alike. Each stops at
// the first row found; the cut check reads the partitions of rows that
// end after the period's start and start before it (or likewise for its
// end) only.
func (r *Rastreio) BotSourceOf(ctx context.Context, p model.Principal, f store.BotFilter) (store.BotSource, error) {
	if !r.CH.Ready() {
		return 0, ErrNotReady
	}
	bounds, boundArgs := store.BotCutBounds("s", f)
	rowsTable := r.CH.table("bot_rows")
	q := `SELECT (SELECT count() FROM (SELECT 1 FROM ` + rowsTable + ` WHERE tenant = ? AND mixed = 1 AND deleted = 0 LIMIT 1))`
	args := []any{p.Tenant}
	if bounds != "" {
		g := f
		g.FromDate, g.ToDate, g.ReachedHuman, g.Step = "", "", nil, ""
		where, wargs := store.BotWhere(p, g, "s", store.BotDialect{Current: "deleted = 0"}).Where()
		q += `, (SELECT count() FROM (SELECT 1 FROM ` + rowsTable + ` AS s WHERE ` + where + ` AND ` + bounds + ` LIMIT 1))`
		args = append(append(args, wargs...), boundArgs...)
	} else {
		q += `, toUInt64(0)`
	}
	var mixed, cut uint64
	if err := r.CH.conn.QueryRow(ctx, q, args...).Scan(&mixed, &cut); err != nil {
		return 0, fmt.Errorf("analytics: fluxo rows answer the search: %w", err)
	}
	switch {
	case mixed > 0:
		return store.BotFromConversations, nil
	case cut > 0:
		return store.BotFromCutRows, nil
	}
	return store.BotFromRows, nil
}

// botRead runs fn, a read of the search, from where BotSourceOf says
// (fromRows: the engine's bot_rows; else its conversations), with the
// settled-partition reading of Engine.read.
func (r *Rastreio) botRead(ctx context.Context, p model.Principal, f store.BotFilter, fn func(m reading, fromRows bool) error) error {
	src, err := r.BotSourceOf(ctx, p, f)
	if err != nil {
		return err
	}
	if src == store.BotFromRows {
		return r.CH.read(ctx, monthsScope(f.FromDate, f.ToDate), botRowTables, func(m reading) error { return fn(m, true) })
	}
	return r.CH.read(ctx, partScope{}, botTables, func(m reading) error { return fn(m, false) })
}

// botRowsWhere selects the listed rows of a search over the engine's
// bot_rows aliased s (when BotSourceOf says they answer it), as the store's
// botPickedCTE and botKept select its bot_rows: period, scope, client,
// campaign, batch, the contacts with (or without) a selected row that
// reached a human, then the step.
func (r *Rastreio) botRowsWhere(m reading, p model.Principal, f store.BotFilter) (string, []any) {
	d := store.BotDialect{Current: "deleted = 0", Table: m.from(r.CH, "bot_rows", "h"),
		FirstDate: "first_date", LastDate: "last_date", Human: "h.human = 1"}
	if r.CH.cfg.Cluster != "" {
		d.In = "GLOBAL " // a contact's rows may sit on both shards
	}
	q := store.BotWhere(p, f, "s", d)
	if f.Step != "" {
		q.And("s.last_step = ?", f.Step)
	}
	return q.Where()
}

// botPageSQL is the rows query of a search (botRowsSQL from the
// conversations; from the rows, one line per listed row as stored).
func (r *Rastreio) botPageSQL(m reading, fromRows bool, p model.Principal, f store.BotFilter, byName bool, after *store.BotCursor, limit int) (string, []any, error) {
	if !fromRows {
		return r.botRowsSQL(m, p, f, byName, after, limit)
	}
	where, args := r.botRowsWhere(m, p, f)
	order := store.BotSortCols(byName, "s.")
	if after != nil {
		where += " AND (" + order + ") > (?, ?, ?, ?, ?)"
		args = append(args, after.Args(byName)...)
	}
	q := `SELECT s.batch_id, s.batch_name, s.contact_id, s.name, s.name_key, s.document, s.phone, s.email, s.flow,
			toUInt64(s.conversations), s.messages, s.last_step, s.outcome, s.latest_conversation
		FROM ` + m.from(r.CH, "bot_rows", "s") + ` WHERE ` + where + ` ORDER BY ` + order
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
	err := r.botRead(ctx, p, f, func(m reading, rows bool) (err error) {
		page, err = r.botRows(ctx, m, rows, p, f, byName, after, limit)
		return err
	})
	return page, err
}

func (r *Rastreio) botRows(ctx context.Context, m reading, fromRows bool, p model.Principal, f store.BotFilter, byName bool, after *store.BotCursor, limit int) (store.BotPage, error) {
	q, args, err := r.botPageSQL(m, fromRows, p, f, byName, after, limit+1)
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
	src, err := r.BotSourceOf(ctx, p, f)
	if err != nil {
		return err
	}
	q, args, err := r.botPageSQL(allFinal, src == store.BotFromRows, p, f, byName, nil, 0)
	if err != nil {
		return err
	}
	return r.eachBotRow(ctx, q, args, fn)
}

// BotConversations answers as store.DB.BotConversations: the selected
// conversations of the listed rows.
func (r *Rastreio) BotConversations(ctx context.Context, p model.Principal, f store.BotFilter) (int64, error) {
	var n uint64
	err := r.botRead(ctx, p, f, func(m reading, fromRows bool) error {
		var q string
		var args []any
		if fromRows {
			where, wargs := r.botRowsWhere(m, p, f)
			q, args = `SELECT toUInt64(sum(s.conversations)) FROM `+m.from(r.CH, "bot_rows", "s")+` WHERE `+where, wargs
		} else {
			g, gargs, err := r.botRowsSQL(m, p, f, false, nil, 0)
			if err != nil {
				return err
			}
			q, args = `SELECT toUInt64(sum(g_n)) FROM (`+g+`)`, gargs
		}
		if err := r.CH.conn.QueryRow(ctx, q, args...).Scan(&n); err != nil {
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
	err := r.botRead(ctx, p, f, func(m reading, fromRows bool) (err error) {
		out, err = r.botDropoff(ctx, m, fromRows, p, f)
		return err
	})
	return out, err
}

func (r *Rastreio) botDropoff(ctx context.Context, m reading, fromRows bool, p model.Principal, f store.BotFilter) ([]store.BotStepCount, error) {
	if !r.CH.Ready() {
		return nil, ErrNotReady
	}
	var reachedQ, stoppedQ string
	var args []any
	if fromRows {
		// The listed rows hold their step maps (step → earliest position,
		// 0 = first) and their latest conversation's step and outcome.
		var where string
		where, args = r.botRowsWhere(m, p, f)
		reachedQ = `SELECT b_step, toUInt64(min(b_pos)), uniqExact(s.contact_id)
			FROM ` + m.from(r.CH, "bot_rows", "s") + ` ARRAY JOIN s.step_names AS b_step, s.step_pos AS b_pos
			WHERE ` + where + ` GROUP BY b_step`
		stoppedQ = `SELECT s.last_step, uniqExact(s.contact_id),
				uniqExactIf(s.contact_id, s.outcome IN (` + store.BotFinishedOutcomes + `)),
				uniqExactIf(s.contact_id, s.outcome IN (` + store.BotAbandonedOutcomes + `))
			FROM ` + m.from(r.CH, "bot_rows", "s") + ` WHERE ` + where + ` GROUP BY s.last_step`
	} else {
		var where string
		where, args = r.botWhere(m, p, f, "c").Where()
		having := ""
		if f.Step != "" {
			having = " HAVING r_step = ?"
			args = append(args, f.Step)
		}
		// The listed rows: their contact, every selected conversation's
		// steps and the latest conversation's last step. Positions count
		// from 1 here (arrayEnumerate), as the ordering only compares them.
		rowsQ := `SELECT c.contact_id AS r_contact, groupArray(c.steps) AS r_all,
				argMax(c.last_step, (c.started_at, c.conversation)) AS r_step,
				argMax(c.outcome, (c.started_at, c.conversation)) AS r_outcome
			FROM ` + r.bots(m, "c") + ` WHERE ` + where + `
			GROUP BY c.batch_id, c.contact_id, c.flow` + having
		reachedQ = `SELECT tupleElement(t_pair, 1) AS s_step, toUInt64(min(tupleElement(t_pair, 2))) AS s_pos, uniqExact(t_contact) AS s_contacts
			FROM (SELECT u_contact AS t_contact, arrayJoin(arrayMap(i -> (u_steps[i], i), arrayEnumerate(u_steps))) AS t_pair
				FROM (SELECT r_contact AS u_contact, arrayJoin(r_all) AS u_steps FROM (` + rowsQ + `)))
			GROUP BY s_step`
		stoppedQ = `SELECT r_step, uniqExact(r_contact),
				uniqExactIf(r_contact, r_outcome IN (` + store.BotFinishedOutcomes + `)),
				uniqExactIf(r_contact, r_outcome IN (` + store.BotAbandonedOutcomes + `))
			FROM (` + rowsQ + `) GROUP BY r_step`
	}
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
	rows, err = r.CH.conn.Query(ctx, stoppedQ, args...)
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
