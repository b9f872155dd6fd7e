package analytics

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/rastro/rastro/internal/store"
)

// LGPD anonymisation in the engine. Anonymising a contact re-derives its
// interactions, and the shipper sends their new rows (personal data gone)
// as a new version; the older versions, with the name, phones and document
// in cells and rphones, would stay on the shards' disks until a merge
// (FINAL only hides them). So the anonymisation also writes an 'anonymize'
// outbox entry (interaction ids only), and the shipper, once the new
// versions are acknowledged, deletes every older version on every host of
// the URL with an ALTER TABLE … DELETE mutation on the local tables, waits
// for the mutations to finish, checks that no older version is left, and
// only then deletes the entry. Any failure (a host down, a mutation not
// finished in time) keeps the entry and the shipper retries; a retry is
// harmless: hosts with nothing left to delete get no new mutation.

// purge erases the versions of some interactions' rows (table legs) or
// bot conversations' rows (table bot_conversations) below a version.
type purge struct {
	tenant string
	table  string   // one of purgeTables
	ids    []string // interaction or conversation ids (the table's idColumn)
	// below is the anonymize entry's id: the anonymisation wrote it after
	// its re-derivation, so every version shipped before it is lower and
	// every version shipped for these interactions from this entry on is
	// not (the shipper sends them at a version >= below; the rows carry
	// purgeBound[table](below) or more).
	below uint64
}

func anonymizePurge(e store.OutboxEntry) (purge, error) {
	ids, err := store.AnonymizedInteractions(e.Key)
	if err != nil {
		return purge{}, fmt.Errorf("analytics outbox entry %d: %w", e.ID, err)
	}
	return purge{tenant: e.Tenant, table: "legs", ids: ids, below: uint64(e.ID)}, nil
}

// anonymizeBotPurge reads an 'anonymize_bot' entry (a JSON array of
// conversation ids, as the 'anonymize' entry's of interactions).
func anonymizeBotPurge(e store.OutboxEntry) (purge, error) {
	ids, err := store.AnonymizedInteractions(e.Key)
	if err != nil {
		return purge{}, fmt.Errorf("analytics outbox entry %d: %w", e.ID, err)
	}
	return purge{tenant: e.Tenant, table: "bot_conversations", ids: ids, below: uint64(e.ID)}, nil
}

// anonymizeBotRowsPurge is the purge of the Fluxo Ágil rows of the
// contacts of an 'anonymize_bot' purge's conversations (bot_rows carry
// the contact's name, document, phone and e-mail): shipped with those
// conversations (shipBots) at a version from the entry's on, every older
// version of a row of these contacts is erased.
func (s *Shipper) anonymizeBotRowsPurge(ctx context.Context, p purge) (purge, error) {
	bots, err := s.DB.AnalyticsBotsByID(ctx, p.tenant, p.ids)
	if err != nil {
		return purge{}, err
	}
	seen := map[string]bool{}
	var contacts []string
	for _, b := range bots {
		if !seen[b.ContactID] {
			seen[b.ContactID] = true
			contacts = append(contacts, b.ContactID)
		}
	}
	sort.Strings(contacts)
	return purge{tenant: p.tenant, table: "bot_rows", ids: contacts, below: p.below}, nil
}

// purgeTables are the tables whose rows hold personal data, in the order
// they are purged: the legs (the stored cells with name, phones, document,
// and the reversed phone digits), the bot conversations and the Fluxo Ágil
// rows (the contact's name, document, first phone and e-mail). ivr_visits
// and agent_spans hold ids, times and outcomes only.
var purgeTables = []string{"legs", "bot_conversations", "bot_rows"}

// purgeBound is the lowest version a table's rows carry for a shipment of
// outbox entry `below` or later: legs are versioned 2·entry(+1) so their
// moved-partition markers sort below them (FirstVersion); bot
// conversations by the entry id itself.
var purgeBound = map[string]func(below uint64) uint64{
	"legs":              FirstVersion,
	"bot_conversations": func(below uint64) uint64 { return below },
	"bot_rows":          FirstVersion,
}

// idColumn is the column a purge's ids name, per table.
var idColumn = map[string]string{"legs": "interaction_id", "bot_conversations": "conversation", "bot_rows": "contact_id"}

// purgeGroupIDs bounds the interaction ids of one DELETE (the statement
// stays far below max_query_size, 256 KiB).
const purgeGroupIDs = 1000

// mutationWait bounds the wait for one host's mutations; past it the
// entry is kept and retried.
var mutationWait = 10 * time.Minute

// cond is a WHERE clause and its arguments.
type cond struct {
	where string
	args  []any
}

// purgeConds renders the purges of one table as WHERE clauses of at most
// purgeGroupIDs ids each (several anonymisations share one mutation).
func purgeConds(ps []purge, table string) []cond {
	var out []cond
	var cur cond
	n := 0
	flush := func() {
		if n > 0 {
			out = append(out, cur)
		}
		cur, n = cond{}, 0
	}
	for _, p := range ps {
		if p.table != table {
			continue
		}
		ids := p.ids
		for len(ids) > 0 {
			m := min(len(ids), purgeGroupIDs-n)
			if cur.where != "" {
				cur.where += " OR "
			}
			cur.where += "(tenant = ? AND " + idColumn[table] + " IN (" + qs(m) + ") AND version < ?)"
			cur.args = append(cur.args, p.tenant)
			for _, id := range ids[:m] {
				cur.args = append(cur.args, id)
			}
			cur.args = append(cur.args, purgeBound[table](p.below))
			n += m
			ids = ids[m:]
			if n >= purgeGroupIDs {
				flush()
			}
		}
	}
	flush()
	return out
}

// localTable is the table of one host that holds the rows: NAME_local with
// a cluster, NAME without.
func (e *Engine) localTable(name string) string {
	if e.cfg.Cluster != "" {
		return name + "_local"
	}
	return name
}

// purge deletes, on every host of the URL, the older versions of the
// anonymised interactions and bot conversations, and returns once no host
// holds one.
func (e *Engine) purge(ctx context.Context, ps []purge) error {
	condsOf := map[string][]cond{}
	var tables []string
	for _, name := range purgeTables {
		if c := purgeConds(ps, name); len(c) > 0 {
			condsOf[name] = c
			tables = append(tables, name)
		}
	}
	if len(tables) == 0 {
		return nil
	}
	type pending struct {
		host      string
		conn      driver.Conn
		mutations map[string][]string // local table → the mutations started on it
	}
	var started []pending
	defer func() {
		for _, p := range started {
			p.conn.Close()
		}
	}()
	// Start the mutations on every host first: they run in parallel.
	for _, h := range e.cfg.Hosts {
		conn, err := openHost(e.cfg, h)
		if err != nil {
			return fmt.Errorf("analytics: anonymise on %s: %w", h, err)
		}
		p := pending{host: h, conn: conn, mutations: map[string][]string{}}
		started = append(started, p)
		for _, name := range tables {
			table := e.localTable(name)
			ids, err := e.startDeletes(ctx, conn, table, condsOf[name])
			if err != nil {
				return fmt.Errorf("analytics: anonymise %s on %s: %w", table, h, err)
			}
			p.mutations[table] = ids
		}
	}
	for _, p := range started {
		for _, name := range tables {
			table := e.localTable(name)
			if err := e.waitMutations(ctx, p.conn, table, p.mutations[table]); err != nil {
				return fmt.Errorf("analytics: anonymise %s on %s: %w", table, p.host, err)
			}
			for _, c := range condsOf[name] {
				n, err := countWhere(ctx, p.conn, e.cfg.Database+"."+table, c)
				if err != nil {
					return fmt.Errorf("analytics: anonymise %s on %s: %w", table, p.host, err)
				}
				if n > 0 {
					return fmt.Errorf("analytics: anonymise %s on %s: %d older versions left after the mutation (retried)", table, p.host, n)
				}
			}
		}
	}
	return nil
}

// startDeletes issues an ALTER TABLE … DELETE for each condition that
// matches rows on this host's table, and returns the ids of the mutations
// it started (none when nothing is left: a retry costs no rewrite).
func (e *Engine) startDeletes(ctx context.Context, conn driver.Conn, table string, conds []cond) ([]string, error) {
	qualified := e.cfg.Database + "." + table
	var todo []cond
	for _, c := range conds {
		n, err := countWhere(ctx, conn, qualified, c)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			todo = append(todo, c)
		}
	}
	if len(todo) == 0 {
		return nil, nil
	}
	before, err := mutationIDs(ctx, conn, e.cfg.Database, table, false)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, id := range before {
		seen[id] = true
	}
	for _, c := range todo {
		if err := conn.Exec(ctx, `ALTER TABLE `+qualified+` DELETE WHERE `+c.where, c.args...); err != nil {
			return nil, fmt.Errorf("delete older versions: %w", err)
		}
	}
	after, err := mutationIDs(ctx, conn, e.cfg.Database, table, false)
	if err != nil {
		return nil, err
	}
	var ours []string
	for _, id := range after {
		if !seen[id] {
			ours = append(ours, id)
		}
	}
	return ours, nil
}

// waitMutations polls system.mutations until the given mutations are done.
func (e *Engine) waitMutations(ctx context.Context, conn driver.Conn, table string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	deadline := time.Now().Add(mutationWait)
	wait := 20 * time.Millisecond
	for {
		open, err := mutationIDs(ctx, conn, e.cfg.Database, table, true)
		if err != nil {
			return err
		}
		left := 0
		for _, id := range open {
			if want[id] {
				left++
			}
		}
		if left == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d mutations not done after %s (retried)", left, mutationWait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// mutationIDs lists a table's mutations (only the unfinished ones with
// open).
func mutationIDs(ctx context.Context, conn driver.Conn, db, table string, open bool) ([]string, error) {
	q := `SELECT mutation_id FROM system.mutations WHERE database = ? AND table = ?`
	if open {
		q += ` AND is_done = 0`
	}
	rows, err := conn.Query(ctx, q, db, table)
	if err != nil {
		return nil, fmt.Errorf("read system.mutations: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// countWhere counts a host's rows matching a condition, every version
// (no FINAL: what is physically there).
func countWhere(ctx context.Context, conn driver.Conn, table string, c cond) (uint64, error) {
	var n uint64
	if err := conn.QueryRow(ctx, `SELECT count() FROM `+table+` WHERE `+c.where, c.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count older versions: %w", err)
	}
	return n, nil
}
