package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/rastro/rastro/internal/model"
)

// BotFilter is a Fluxo Ágil search, already validated by the report package.
// Conversations are selected by their own ids and start date; the rows are
// then one per (batch, contact, flow) of the selected conversations.
type BotFilter struct {
	FromDate, ToDate string // local dates AAAA-MM-DD of the conversation start, inclusive; "" = open
	ClientID         string
	CampaignID       string
	BatchID          string
	// Step keeps the rows whose latest conversation's last step is Step
	// ("parou na etapa X"); "" = any.
	Step string
	// ReachedHuman keeps the rows of contacts with (true) or without (false)
	// a selected conversation handed to a human (metrics.ReachedHuman:
	// outcome handed_off or a linked interaction); nil = any.
	ReachedHuman *bool
}

// BotCursor is a Fluxo Ágil keyset position: the sort values of the last
// row seen (every sort orders by a permutation of these, ids last).
type BotCursor struct {
	BatchName, NameKey, BatchID, ContactID, Flow string
}

// BotRow is one Fluxo Ágil row: a contact of a batch and a flow, with its
// selected conversations added up and its latest conversation's end.
type BotRow struct {
	BatchID, BatchName string // name falls back to the id while the batch is unknown
	ContactID, Name    string
	NameKey            string // folded name (sort key)
	Document           string // as given
	Phone, Email       string // the contact's first phone and e-mail
	Flow               string
	Conversations      int
	Messages           int
	LastStep, Outcome  string // of the latest conversation
	LatestConversation string
}

// BotPage is one page of Fluxo Ágil rows.
type BotPage struct {
	Rows []BotRow
	Next *BotCursor
}

// BotStepCount is one step of a drop-off: the distinct contacts that reached
// it in a selected conversation, and those whose row stopped there; of
// these, Finished counts the contacts whose latest conversation ended there
// as the flow meant it to (outcome finished, or handed_off to a human) and
// Abandoned those who left it (abandoned, expired). The rest of LastHere
// are conversations still open.
type BotStepCount struct {
	Step      string
	Contacts  int
	LastHere  int
	Finished  int
	Abandoned int
}

// BotFinishedOutcomes and BotAbandonedOutcomes split a drop-off's stopped
// contacts by their latest conversation's outcome (an open one is neither).
const (
	BotFinishedOutcomes  = "'finished', 'handed_off'"
	BotAbandonedOutcomes = "'abandoned', 'expired'"
)

// BotDialect is what differs, in the Fluxo Ágil's filter, between the
// engines that hold bot conversations: the store and the ClickHouse
// analytics engine (soft deletes, a Distributed table). BotWhere writes the
// rest once, so both select alike.
type BotDialect struct {
	// Current is a condition on the alias's columns that keeps current
	// rows only ("" for none): it follows the scope.
	Current string
	// Table is the table the reached-human subquery reads, aliased h.
	Table string
	// In prefixes IN / NOT IN of that subquery ("GLOBAL " over a cluster).
	In string
	// FirstDate and LastDate name the columns the period's first and last
	// day bound ("" for both: local_date, one conversation per row).
	FirstDate, LastDate string
	// Human is the condition on h of a row that reached a human ("" : a
	// conversation's own rule, metrics.ReachedHuman).
	Human string
}

// storeBots is the store's BotDialect over its conversations.
var storeBots = BotDialect{Table: "bot_conversations h"}

// storeBotRows is the store's BotDialect over its Fluxo Ágil rows
// (bot_rows, one per batch, contact and flow): a row is in the period when
// all its conversations are, and reached a human when one of them did.
// Only exact where BotSourceOf says so.
var storeBotRows = BotDialect{Table: "bot_rows h", FirstDate: "first_date", LastDate: "last_date", Human: "h.human = 1"}

// BotWhere selects the conversations of a search over table alias a,
// scoped to p's clients: period, client, campaign, batch, and the contacts
// that did (or did not) reach a human in a selected conversation.
func BotWhere(p model.Principal, f BotFilter, a string, d BotDialect) *Query {
	q := NewClientQuery(p, a)
	if d.Current != "" {
		q.And(a + "." + d.Current)
	}
	first, last := "local_date", "local_date"
	if d.FirstDate != "" {
		first, last = d.FirstDate, d.LastDate
	}
	if f.FromDate != "" {
		q.And(a+"."+first+" >= ?", f.FromDate)
	}
	if f.ToDate != "" {
		q.And(a+"."+last+" <= ?", f.ToDate)
	}
	if d.FirstDate != "" && f.FromDate != "" && f.ToDate != "" {
		// Implied (first <= last), but it bounds the index range on both
		// sides: the rows that start in the period, not every row from its
		// first day on (bot_rows_date).
		q.And(a+"."+first+" <= ?", f.ToDate)
	}
	if f.ClientID != "" {
		q.And(a+".client_id = ?", f.ClientID)
	}
	if f.CampaignID != "" {
		q.And(a+".campaign_id = ?", f.CampaignID)
	}
	if f.BatchID != "" {
		q.And(a+".batch_id = ?", f.BatchID)
	}
	if f.ReachedHuman != nil {
		g := f
		g.ReachedHuman = nil
		where, args := BotWhere(p, g, "h", d).Where()
		in := "IN"
		if !*f.ReachedHuman {
			in = "NOT IN"
		}
		human := botReachedHuman("h")
		if d.Human != "" {
			human = d.Human
		}
		q.And(a+".contact_id "+d.In+in+" (SELECT h.contact_id FROM "+d.Table+" WHERE "+where+" AND "+human+")", args...)
	}
	return q
}

// botReachedHuman is metrics.ReachedHuman over a conversation of alias a:
// handed to a human, or linked to an interaction.
func botReachedHuman(a string) string {
	return "(" + a + ".outcome = 'handed_off' OR " + a + ".interaction_id <> '')"
}

// botRowStep is a window column of conv: its row's latest conversation's
// last step.
const botRowStep = "FIRST_VALUE(c.last_step) OVER w AS row_step"

// botConvCTE renders the "conv" common table: the conversations of from
// (bot_conversations c, or a join onto it) that f selects, cols of alias c,
// each with the window values of its row (batch, contact, flow): rn = 1 on
// the latest conversation (started_at, then id), n_conv and n_msg the row
// totals. One window (one sort) serves them all; everything stays one SQL
// statement (SPEC.md §8).
func botConvCTE(p model.Principal, f BotFilter, from, cols string) (string, []any) {
	where, args := BotWhere(p, f, "c", storeBots).Where()
	return `conv AS (SELECT ` + cols + `,
		ROW_NUMBER() OVER w AS rn,
		COUNT(*) OVER w AS n_conv,
		SUM(c.messages) OVER w AS n_msg
		FROM ` + from + ` WHERE ` + where + `
		WINDOW w AS (PARTITION BY c.batch_id, c.contact_id, c.flow ORDER BY c.started_at DESC, c.conversation DESC
			ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))`, args
}

// botPickedCTE renders the common table "picked" of a search over the
// Fluxo Ágil rows (BotFromRows, BotFromCutRows): one line per row of the
// search before its step and reached-human filters (botKept). A row wholly
// inside the period is read as bot_rows holds it: it selects all its
// conversations, so its sums are the period's. With cut, the rows a period
// bound cuts (BotSourceOf) are recomputed: "cut" lists them, "conv" ranks
// their conversations in the period as the conversations' query ranks them
// (with row_step and row_human), and picked adds each as its latest
// conversation there. Only the cut rows' conversations are ranked (the
// window's sort), not the period's; the planner finds them by row
// (bot_conv_contact) or through the period's dates. Every part reads
// through BotWhere, so the scope is in the same WHERE. Columns of picked:
// batch_id, contact_id, flow, n_conv, n_msg, last_step, outcome,
// conversation, human (1 when a selected conversation reached a human),
// steps (bot_rows' step map; '{}' on a cut row, whose steps are its
// conversations' in conv).
func botPickedCTE(p model.Principal, f BotFilter, cut bool) (string, []any) {
	g := f
	g.ReachedHuman = nil
	rowsWhere, rowsArgs := BotWhere(p, g, "s", storeBotRows).Where()
	// NOT MATERIALIZED: the drop-off's kept reads picked, and SQLite copied
	// picked into a table first (a 20k-leg demo month's drop-off: 215,826
	// VM steps, 199,061 without the copy).
	picked := `picked AS NOT MATERIALIZED (SELECT s.batch_id, s.contact_id, s.flow, s.conversations AS n_conv, s.messages AS n_msg, s.last_step, s.outcome,
				s.latest_conversation AS conversation, s.human, s.steps
			FROM bot_rows s WHERE ` + rowsWhere
	if !cut {
		return picked + `)`, rowsArgs
	}
	h := g
	h.FromDate, h.ToDate = "", ""
	cutWhere, args := BotWhere(p, h, "m", storeBotRows).Where()
	bounds, boundArgs := BotCutBounds("m", f)
	args = append(args, boundArgs...)
	conv, convArgs := botConvCTE(p, g,
		"cut m JOIN bot_conversations c ON c.batch_id = m.batch_id AND c.contact_id = m.contact_id AND c.flow = m.flow",
		"c.conversation, c.batch_id, c.contact_id, c.flow, c.outcome, c.last_step, c.steps, "+botRowStep+
			", MAX(CASE WHEN "+botReachedHuman("c")+" THEN 1 ELSE 0 END) OVER w AS row_human")
	args = append(append(args, convArgs...), rowsArgs...)
	return `cut AS (SELECT m.batch_id, m.contact_id, m.flow FROM bot_rows m WHERE ` + cutWhere + ` AND ` + bounds + `),
		` + conv + `,
		` + picked + `
			UNION ALL
			SELECT k.batch_id, k.contact_id, k.flow, k.n_conv, k.n_msg, k.last_step, k.outcome, k.conversation, k.row_human, '{}'
			FROM conv k WHERE k.rn = 1)`, args
}

// botKept is the condition on a row of picked (alias a, its latest last
// step in column step) that the step and reached-human filters keep: the
// human filter keeps the contacts with (or without) a picked row that
// reached a human, as BotWhere's does over the conversations.
func botKept(f BotFilter, a, step string) (string, []any) {
	cond, args := "1 = 1", []any(nil)
	if f.Step != "" {
		cond += " AND " + a + "." + step + " = ?"
		args = append(args, f.Step)
	}
	if f.ReachedHuman != nil {
		in := "IN"
		if !*f.ReachedHuman {
			in = "NOT IN"
		}
		cond += " AND " + a + ".contact_id " + in + " (SELECT h.contact_id FROM picked h WHERE h.human = 1)"
	}
	return cond, args
}

// BotSortCols is the ORDER BY of a Fluxo Ágil page (by batch, or byName by
// contact name first) over columns named prefix + the column: "r." for
// botPageSQL's, the engine's own prefixes for its queries. The keyset
// cursor's values come in the same order (BotCursor.Args).
func BotSortCols(byName bool, prefix string) string {
	cols := []string{"batch_name", "name_key", "batch_id", "contact_id", "flow"}
	if byName {
		cols[0], cols[1] = cols[1], cols[0]
	}
	return prefix + strings.Join(cols, ", "+prefix)
}

// Args are the cursor's values in BotSortCols' order.
func (c *BotCursor) Args(byName bool) []any {
	if byName {
		return []any{c.NameKey, c.BatchName, c.BatchID, c.ContactID, c.Flow}
	}
	return []any{c.BatchName, c.NameKey, c.BatchID, c.ContactID, c.Flow}
}

// botPageSQL is one keyset page of at most limit rows after the cursor, of
// the rows of src (a table of the common tables cte, aliased a, with
// picked's first eight columns) that where keeps: the rows' names joined
// from the directory, sorted, keyset, LIMIT. Every Fluxo Ágil page reads
// through it.
func botPageSQL(p model.Principal, cte string, args []any, src, a, where string, whereArgs []any, byName bool, after *BotCursor, limit int) (string, []any) {
	args = append(append(append([]any(nil), args...), p.Tenant, p.Tenant), whereArgs...)
	order := BotSortCols(byName, "r.")
	keyset := ""
	if after != nil {
		keyset = ` WHERE (` + order + `) > (?, ?, ?, ?, ?)`
		args = append(args, after.Args(byName)...)
	}
	args = append(args, limit)
	return `WITH ` + cte + `
		SELECT r.batch_id, r.batch_name, r.contact_id, r.name, r.name_key, r.document, r.phones, r.emails, r.flow,
			r.n_conv, r.n_msg, r.last_step, r.outcome, r.conversation
		FROM (SELECT ` + a + `.batch_id, COALESCE(NULLIF(b.name, ''), ` + a + `.batch_id) AS batch_name, ` + a + `.contact_id,
				COALESCE(ct.name, '') AS name, COALESCE(ct.name_key, '') AS name_key, COALESCE(ct.document, '') AS document,
				COALESCE(ct.phones, '[]') AS phones, COALESCE(ct.emails, '[]') AS emails, ` + a + `.flow,
				` + a + `.n_conv, ` + a + `.n_msg, ` + a + `.last_step, ` + a + `.outcome, ` + a + `.conversation
			FROM ` + src + ` ` + a + `
			LEFT JOIN batches b ON b.tenant = ? AND b.id = ` + a + `.batch_id
			LEFT JOIN contacts ct ON ct.tenant = ? AND ct.id = ` + a + `.contact_id
			WHERE ` + where + `) r` + keyset + `
		ORDER BY ` + order + ` LIMIT ?`, args
}

// botRowsSQL is one keyset page ranked from the conversations (a tenant
// with a row of mixed clients or campaigns).
func botRowsSQL(p model.Principal, f BotFilter, byName bool, after *BotCursor, limit int) (string, []any) {
	cte, args := botConvCTE(p, f, "bot_conversations c", "c.conversation, c.batch_id, c.contact_id, c.flow, c.outcome, c.last_step")
	where, whereArgs := "k.rn = 1", []any(nil)
	if f.Step != "" {
		where += " AND k.last_step = ?"
		whereArgs = append(whereArgs, f.Step)
	}
	return botPageSQL(p, cte, args, "conv", "k", where, whereArgs, byName, after, limit)
}

// botPickedRowsSQL is one keyset page of the Fluxo Ágil rows (botPickedCTE).
func botPickedRowsSQL(p model.Principal, f BotFilter, cut bool, byName bool, after *BotCursor, limit int) (string, []any) {
	cte, args := botPickedCTE(p, f, cut)
	where, whereArgs := botKept(f, "x", "last_step")
	return botPageSQL(p, cte, args, "picked", "x", where, whereArgs, byName, after, limit)
}

// botRowsPageSQL is the query of one keyset page from src.
func botRowsPageSQL(src BotSource, p model.Principal, f BotFilter, byName bool, after *BotCursor, limit int) (string, []any) {
	if src != BotFromConversations {
		return botPickedRowsSQL(p, f, src == BotFromCutRows, byName, after, limit)
	}
	return botRowsSQL(p, f, byName, after, limit)
}

func (db *DB) scanBotRows(rows *sql.Rows, fn func(BotRow) error) (int, *BotCursor, error) {
	defer rows.Close()
	n := 0
	var last BotCursor
	for rows.Next() {
		var r BotRow
		var phones, emails string
		if err := rows.Scan(&r.BatchID, &r.BatchName, &r.ContactID, &r.Name, &r.NameKey, &r.Document, &phones, &emails, &r.Flow,
			&r.Conversations, &r.Messages, &r.LastStep, &r.Outcome, &r.LatestConversation); err != nil {
			return n, nil, err
		}
		r.Phone, r.Email = firstOf(phones), firstOf(emails)
		n++
		last = BotCursor{BatchName: r.BatchName, NameKey: r.NameKey, BatchID: r.BatchID, ContactID: r.ContactID, Flow: r.Flow}
		if err := fn(r); err != nil {
			return n, nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return n, nil, err
	}
	return n, &last, nil
}

// firstOf returns the first string of a stored JSON list ("" when empty).
func firstOf(list string) string {
	var v []string
	if json.Unmarshal([]byte(list), &v) != nil {
		return ""
	}
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// BotSource is where a Fluxo Ágil search is answered from.
type BotSource int

const (
	// BotFromConversations ranks the conversations (bot_conversations): the
	// tenant has a row whose conversations disagree on client or campaign,
	// and the scope and those filters select conversations while the row
	// keeps only its latest one's.
	BotFromConversations BotSource = iota
	// BotFromRows reads bot_rows alone: no row of the search has
	// conversations on both sides of a period bound, so a row is in the
	// period exactly when all its conversations are.
	BotFromRows
	// BotFromCutRows reads bot_rows and recomputes the rows a period bound
	// cuts from their conversations in the period (botPickedCTE).
	BotFromCutRows
)

// BotSourceOf says where a search is answered from. Each check is one index
// range (bot_rows_mixed; bot_rows_last or bot_rows_date) and stops at the
// first row found. It is a statement of its own: a row that an ingestion
// makes straddle a bound between it and the page's query is left out of
// that one page.
func (db *DB) BotSourceOf(ctx context.Context, p model.Principal, f BotFilter) (BotSource, error) {
	text, args := botSourceSQL(p, f)
	var src BotSource
	if err := db.queryRow(ctx, db.r, text, args...).Scan(&src); err != nil {
		return 0, fmt.Errorf("fluxo rows answer the search: %w", err)
	}
	return src, nil
}

// BotCutBounds is the condition that a row of bot_rows aliased a is cut by
// a bound of f's period — last_date >= from > first_date, or first_date <=
// to < last_date —, parenthesised, and its arguments; "" without bounds.
func BotCutBounds(a string, f BotFilter) (string, []any) {
	var bounds []string
	var args []any
	if f.FromDate != "" {
		bounds = append(bounds, "("+a+".last_date >= ? AND "+a+".first_date < ?)")
		args = append(args, f.FromDate, f.FromDate)
	}
	if f.ToDate != "" {
		bounds = append(bounds, "("+a+".last_date > ? AND "+a+".first_date <= ?)")
		args = append(args, f.ToDate, f.ToDate)
	}
	if len(bounds) == 0 {
		return "", nil
	}
	return "(" + strings.Join(bounds, " OR ") + ")", args
}

// botSourceSQL is BotSourceOf's query. A row cut by a bound is one of the
// search's client, campaign and batch with last_date >= from > first_date,
// or first_date <= to < last_date.
func botSourceSQL(p model.Principal, f BotFilter) (string, []any) {
	args := []any{p.Tenant}
	var cuts []string
	g := f
	g.FromDate, g.ToDate, g.ReachedHuman, g.Step = "", "", nil, ""
	where, wargs := BotWhere(p, g, "s", storeBotRows).Where()
	if f.FromDate != "" {
		cuts = append(cuts, `EXISTS (SELECT 1 FROM bot_rows s WHERE `+where+` AND s.last_date >= ? AND s.first_date < ?)`)
		args = append(append(args, wargs...), f.FromDate, f.FromDate)
	}
	if f.ToDate != "" {
		cuts = append(cuts, `EXISTS (SELECT 1 FROM bot_rows s WHERE `+where+` AND s.last_date > ? AND s.first_date <= ?)`)
		args = append(append(args, wargs...), f.ToDate, f.ToDate)
	}
	cut := ""
	if len(cuts) > 0 {
		cut = ` WHEN ` + strings.Join(cuts, " OR ") + ` THEN ` + strconv.Itoa(int(BotFromCutRows))
	}
	return `SELECT CASE WHEN EXISTS (SELECT 1 FROM bot_rows m WHERE m.tenant = ? AND m.mixed = 1) THEN ` + strconv.Itoa(int(BotFromConversations)) +
		cut + ` ELSE ` + strconv.Itoa(int(BotFromRows)) + ` END`, args
}

// BotRows returns one page of Fluxo Ágil rows, ordered by batch name then
// contact name (byName: contact name first), keyset paged — never OFFSET.
func (db *DB) BotRows(ctx context.Context, p model.Principal, f BotFilter, byName bool, after *BotCursor, limit int) (BotPage, error) {
	src, err := db.BotSourceOf(ctx, p, f)
	if err != nil {
		return BotPage{}, err
	}
	text, args := botRowsPageSQL(src, p, f, byName, after, limit+1)
	rows, err := db.query(ctx, db.r, text, args...)
	if err != nil {
		return BotPage{}, fmt.Errorf("query fluxo rows: %w", err)
	}
	var page BotPage
	if _, _, err := db.scanBotRows(rows, func(r BotRow) error {
		page.Rows = append(page.Rows, r)
		return nil
	}); err != nil {
		return BotPage{}, err
	}
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		last := page.Rows[limit-1]
		page.Next = &BotCursor{BatchName: last.BatchName, NameKey: last.NameKey, BatchID: last.BatchID, ContactID: last.ContactID, Flow: last.Flow}
	}
	return page, nil
}

// EachBotRow streams every matching row in keyset pages of pageSize.
func (db *DB) EachBotRow(ctx context.Context, p model.Principal, f BotFilter, byName bool, pageSize int, fn func(BotRow) error) error {
	src, err := db.BotSourceOf(ctx, p, f)
	if err != nil {
		return err
	}
	var after *BotCursor
	for {
		text, args := botRowsPageSQL(src, p, f, byName, after, pageSize)
		rows, err := db.query(ctx, db.r, text, args...)
		if err != nil {
			return fmt.Errorf("export fluxo rows: %w", err)
		}
		n, last, err := db.scanBotRows(rows, fn)
		if err != nil {
			return err
		}
		if n < pageSize {
			return nil
		}
		after = last
	}
}

// botStepsFrom is the dialect's way to read a steps column (a JSON array of
// strings, as bot_conversations keeps it) of table aliased alias as rows
// j(value, key): the step and its position in the conversation (0 = first,
// as bot_rows' step maps count).
func (db *DB) botStepsFrom(table, alias string) string {
	if db.dialect == Postgres {
		return table + " " + alias + " CROSS JOIN LATERAL (SELECT e.value, e.n - 1 AS key FROM json_array_elements_text(" + alias + ".steps::json) WITH ORDINALITY AS e(value, n)) AS j"
	}
	return table + " " + alias + ", json_each(" + alias + ".steps) AS j"
}

// botStepMapFrom reads the steps column of bot_rows (a JSON object: step →
// earliest position) of table aliased alias as rows j(key, value).
func (db *DB) botStepMapFrom(table, alias string) string {
	if db.dialect == Postgres {
		return table + " " + alias + " CROSS JOIN LATERAL json_each_text(" + alias + ".steps::json) AS j"
	}
	return table + " " + alias + ", json_each(" + alias + ".steps) AS j"
}

// BotDropoff counts, for the rows a Fluxo Ágil search lists, how many
// distinct contacts reached each step in any of their selected conversations
// and how many stopped there (the step filter's answer for that step),
// ordered by the step's earliest position in a conversation, then by reach.
func (db *DB) BotDropoff(ctx context.Context, p model.Principal, f BotFilter) ([]BotStepCount, error) {
	src, err := db.BotSourceOf(ctx, p, f)
	if err != nil {
		return nil, err
	}
	if src == BotFromCutRows && f.FromDate != "" && f.FromDate == f.ToDate {
		// A single day's drop-off ranks the day's conversations: the rows
		// that straddle a day's edges are found by a one-sided range
		// (every row ending after it), often more than the day has
		// conversations, and each needs its steps expanded twice. On a
		// 20k-leg demo month, day 14 (86 conversations, 98 cut rows):
		// 35,556 SQLite VM steps and 67 PostgreSQL buffers through the cut
		// rows, 24,974 and 9 through the conversations (BENCHMARKS.md).
		// The page keeps the cut rows (16,155 VM steps against 16,610).
		src = BotFromConversations
	}
	text, args := db.botDropoffSQL(src, p, f)
	res, err := db.query(ctx, db.r, text, args...)
	if err != nil {
		return nil, fmt.Errorf("query fluxo drop-off: %w", err)
	}
	defer res.Close()
	var out []BotStepCount
	for res.Next() {
		var s BotStepCount
		if err := res.Scan(&s.Step, &s.Contacts, &s.LastHere, &s.Finished, &s.Abandoned); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, res.Err()
}

// botDropoffSQL is the drop-off's query from src.
func (db *DB) botDropoffSQL(src BotSource, p model.Principal, f BotFilter) (string, []any) {
	var text string
	var args []any
	if src != BotFromConversations {
		// A wholly selected row's steps are its conversations' (step →
		// earliest position); a cut row's are its selected conversations'.
		// Each row's latest conversation's step and outcome are its own.
		cut := src == BotFromCutRows
		cte, cteArgs := botPickedCTE(p, f, cut)
		kept, keptArgs := botKept(f, "x", "last_step")
		args = append(cteArgs, keptArgs...)
		steps := `SELECT j.key AS step, CAST(j.value AS INTEGER) AS pos, k.contact_id FROM ` + db.botStepMapFrom("kept", "k")
		if cut {
			// The cut rows' steps are their kept conversations'.
			keptConv, keptConvArgs := botKept(f, "k", "row_step")
			steps += `
				UNION ALL
				SELECT j.value, j.key, k.contact_id FROM ` + db.botStepsFrom("conv", "k") + ` WHERE ` + keptConv
			args = append(args, keptConvArgs...)
		}
		text = `WITH ` + cte + `,
		kept AS (SELECT x.contact_id, 1 AS rn, x.last_step, x.steps, x.outcome FROM picked x WHERE ` + kept + `),
		reached AS (SELECT e.step, MIN(e.pos) AS pos, COUNT(DISTINCT e.contact_id) AS contacts FROM (` + steps + `) e GROUP BY e.step),`
	} else {
		var cte string
		cols := "c.contact_id, c.last_step, c.steps, c.outcome"
		if f.Step != "" {
			cols += ", " + botRowStep
		}
		cte, args = botConvCTE(p, f, "bot_conversations c", cols)
		kept := "1 = 1"
		if f.Step != "" {
			kept = "k.row_step = ?"
			args = append(args, f.Step)
		}
		text = `WITH ` + cte + `,
		kept AS (SELECT k.contact_id, k.rn, k.last_step, k.steps, k.outcome FROM conv k WHERE ` + kept + `),
		reached AS (SELECT j.value AS step, MIN(j.key) AS pos, COUNT(DISTINCT k.contact_id) AS contacts
			FROM ` + db.botStepsFrom("kept", "k") + ` GROUP BY j.value),`
	}
	text += `
		stopped AS (SELECT s.last_step AS step, COUNT(DISTINCT s.contact_id) AS n,
			COUNT(DISTINCT CASE WHEN s.outcome IN (` + BotFinishedOutcomes + `) THEN s.contact_id END) AS fin,
			COUNT(DISTINCT CASE WHEN s.outcome IN (` + BotAbandonedOutcomes + `) THEN s.contact_id END) AS ab
			FROM kept s WHERE s.rn = 1 GROUP BY s.last_step)
		SELECT r.step, r.contacts, COALESCE(s.n, 0), COALESCE(s.fin, 0), COALESCE(s.ab, 0) FROM reached r LEFT JOIN stopped s ON s.step = r.step
		ORDER BY r.pos, r.contacts DESC, r.step`
	return text, args
}

// BotConversations counts the selected conversations of the rows a Fluxo
// Ágil search lists (every page: the screen's total), step filter included.
func (db *DB) BotConversations(ctx context.Context, p model.Principal, f BotFilter) (int64, error) {
	src, err := db.BotSourceOf(ctx, p, f)
	if err != nil {
		return 0, err
	}
	var text string
	var args []any
	if src != BotFromConversations {
		var cte, kept string
		var keptArgs []any
		cte, args = botPickedCTE(p, f, src == BotFromCutRows)
		kept, keptArgs = botKept(f, "x", "last_step")
		text = `WITH ` + cte + ` SELECT COALESCE(SUM(x.n_conv), 0) FROM picked x WHERE ` + kept
		args = append(args, keptArgs...)
	} else {
		var cte string
		cte, args = botConvCTE(p, f, "bot_conversations c", "c.last_step")
		text = `WITH ` + cte + ` SELECT COALESCE(SUM(k.n_conv), 0) FROM conv k WHERE k.rn = 1`
		if f.Step != "" {
			text += " AND k.last_step = ?"
			args = append(args, f.Step)
		}
	}
	var n int64
	if err := db.queryRow(ctx, db.r, text, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count fluxo conversations: %w", err)
	}
	return n, nil
}

// BotConversationIDs lists the conversations of a contact in a batch that p
// may see, oldest first (Fluxo Ágil history).
func (db *DB) BotConversationIDs(ctx context.Context, p model.Principal, batchID, contactID string) ([]string, error) {
	q := NewClientQuery(p, "c").And("c.contact_id = ?", contactID).And("c.batch_id = ?", batchID)
	where, args := q.Where()
	rows, err := db.query(ctx, db.r, `SELECT c.conversation FROM bot_conversations c WHERE `+where+` ORDER BY c.started_at, c.conversation`, args...)
	if err != nil {
		return nil, fmt.Errorf("conversations of %s/%s: %w", batchID, contactID, err)
	}
	return appendColumn(nil, rows)
}

// BotCursorAt completes a Fluxo Ágil keyset position from the ids a page
// link carries (batch, contact, flow) with the sort values the rows read
// from the directory: the batch's name (its id while unknown) and the
// contact's folded name. Page links thus carry no name (nothing personal in
// URLs), and a name changed between two pages moves the position as it
// moves the row.
func (db *DB) BotCursorAt(ctx context.Context, tenant, batchID, contactID, flow string) (*BotCursor, error) {
	c := &BotCursor{BatchID: batchID, ContactID: contactID, Flow: flow}
	err := db.queryRow(ctx, db.r, `SELECT COALESCE((SELECT NULLIF(b.name, '') FROM batches b WHERE b.tenant = ? AND b.id = ?), ?),
		COALESCE((SELECT ct.name_key FROM contacts ct WHERE ct.tenant = ? AND ct.id = ?), '')`,
		tenant, batchID, batchID, tenant, contactID).Scan(&c.BatchName, &c.NameKey)
	if err != nil {
		return nil, fmt.Errorf("fluxo cursor: %w", err)
	}
	return c, nil
}

// BatchName returns a batch's name ("" when unknown).
func (db *DB) BatchName(ctx context.Context, tenant, batchID string) (string, error) {
	var name string
	err := db.queryRow(ctx, db.r, `SELECT name FROM batches WHERE tenant = ? AND id = ?`, tenant, batchID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return name, err
}

// ProtocolOf returns the assigned protocol of an interaction ("" when the
// interaction is not known yet).
func (db *DB) ProtocolOf(ctx context.Context, tenant, interactionID string) (string, error) {
	var protocol string
	err := db.queryRow(ctx, db.r, `SELECT protocol FROM interactions WHERE tenant = ? AND id = ?`, tenant, interactionID).Scan(&protocol)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return protocol, err
}

// BotOwner is where a Fluxo Ágil client, campaign or batch belongs.
type BotOwner struct {
	ClientID, CampaignID string
}

// botLookup is one way to find an object's owners: a SELECT of (tenant,
// client_id, campaign_id) rows and its arguments.
type botLookup struct {
	sql  string
	args []any
}

// botOwner tries look-ups in order (the directory first, then what the
// conversations say, for objects the directory does not know yet), each
// scoped to p's clients; the first row found wins. ok is false when the
// object is unknown or outside p's clients (they look the same, so
// existence does not leak).
func (db *DB) botOwner(ctx context.Context, p model.Principal, lookups ...botLookup) (BotOwner, bool, error) {
	where, wargs := NewClientQuery(p, "x").Where()
	for _, l := range lookups {
		var o BotOwner
		err := db.queryRow(ctx, db.r, `SELECT x.client_id, x.campaign_id FROM (`+l.sql+`) x WHERE `+where+` LIMIT 1`,
			append(append([]any(nil), l.args...), wargs...)...).Scan(&o.ClientID, &o.CampaignID)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return BotOwner{}, false, fmt.Errorf("look up fluxo filter: %w", err)
		}
		return o, true, nil
	}
	return BotOwner{}, false, nil
}

// BotClient says whether p may see a client (directory or conversations).
func (db *DB) BotClient(ctx context.Context, p model.Principal, clientID string) (bool, error) {
	_, ok, err := db.botOwner(ctx, p,
		botLookup{`SELECT tenant, id AS client_id, '' AS campaign_id FROM clients WHERE tenant = ? AND id = ?`, []any{p.Tenant, clientID}},
		botLookup{`SELECT tenant, client_id, '' AS campaign_id FROM bot_conversations WHERE tenant = ? AND client_id = ?`, []any{p.Tenant, clientID}})
	return ok, err
}

// BotCampaign finds the client of a campaign p may see.
func (db *DB) BotCampaign(ctx context.Context, p model.Principal, campaignID string) (BotOwner, bool, error) {
	return db.botOwner(ctx, p,
		botLookup{`SELECT tenant, client_id, id AS campaign_id FROM campaigns WHERE tenant = ? AND id = ?`, []any{p.Tenant, campaignID}},
		botLookup{`SELECT tenant, client_id, campaign_id FROM bot_conversations WHERE tenant = ? AND campaign_id = ?`, []any{p.Tenant, campaignID}})
}

// BotBatch finds the campaign and client of a batch p may see.
func (db *DB) BotBatch(ctx context.Context, p model.Principal, batchID string) (BotOwner, bool, error) {
	return db.botOwner(ctx, p,
		botLookup{`SELECT b.tenant, cp.client_id, b.campaign_id FROM batches b
			JOIN campaigns cp ON cp.tenant = b.tenant AND cp.id = b.campaign_id WHERE b.tenant = ? AND b.id = ?`, []any{p.Tenant, batchID}},
		botLookup{`SELECT tenant, client_id, campaign_id FROM bot_conversations WHERE tenant = ? AND batch_id = ?`, []any{p.Tenant, batchID}})
}
