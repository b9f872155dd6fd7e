package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// DirectoryChange says which directory object an upsert changed, so that
// the rows that print its data can be derived again.
type DirectoryChange struct {
	Kind string // service, user, tag, contact, ...
	ID   string
}

// newer reports whether an upsert at (at, ev) replaces the stored (sat, sev):
// the latest `at` wins, ties go to the greater event id, so the result does
// not depend on arrival order.
func newer(at int64, ev string, sat int64, sev string) bool {
	return at > sat || (at == sat && ev > sev)
}

// ApplyDirectory upserts the object of a directory event. changed is false
// when a later version was already stored.
func (t *Tx) ApplyDirectory(ctx context.Context, ev *model.Event) (change *DirectoryChange, err error) {
	at := ms(ev.At)
	var table, id string
	switch ev.Type {
	case model.TypeServiceUpserted:
		table, id = "services", ev.Service.ID
	case model.TypeTagUpserted:
		table, id = "tags", ev.Tag.ID
	case model.TypeIVRUpserted:
		table, id = "ivrs", ev.IVR.ID
	case model.TypeClientUpserted:
		table, id = "clients", ev.Client.ID
	case model.TypeCampaignUpserted:
		table, id = "campaigns", ev.Campaign.ID
	case model.TypeBatchUpserted:
		table, id = "batches", ev.Batch.ID
	case model.TypeUserUpserted:
		table, id = "users", ev.User.ID
	case model.TypeContactUpserted:
		table, id = "contacts", ev.Contact.ID
	case model.TypeFlowUpserted:
		table, id = "flows", ev.FlowDef.ID
	default:
		return nil, fmt.Errorf("not a directory event: %s", ev.Type)
	}
	// EVENTS.md: an upsert may carry only some fields; each field takes
	// the value of the latest upsert (by at, ties by event id) that carries
	// it, null clearing it. The object is therefore folded again from all
	// its stored upserts (this one included: it is already appended), so
	// the result does not depend on arrival order.
	_, key := ev.Aggregate()
	merged, at, evID, won, err := t.mergeUpserts(ctx, key, objectField[ev.Type], ev.ID)
	if err != nil {
		return nil, fmt.Errorf("merge %s %s: %w", table, id, err)
	}
	if !won {
		return nil, nil // every field it carries is held by a later upsert
	}
	// The merged object is read back through the event's own wire format,
	// under the name its type carries ("service", "user", …).
	wire, err := json.Marshal(map[string]any{objectField[ev.Type]: merged})
	m := model.Event{Type: ev.Type, At: ev.At}
	if err == nil {
		err = json.Unmarshal(wire, &m)
	}
	if err == nil && m.User != nil && m.User.Status == "" {
		m.User.Status = "ativo" // a new user (or a cleared status) is "ativo"
	}
	if err != nil {
		return nil, fmt.Errorf("merged %s %s: %w", table, id, err)
	}
	ev = &m
	if _, err := t.exec(ctx, `DELETE FROM `+table+` WHERE tenant = ? AND id = ?`, t.tenant, id); err != nil {
		return nil, fmt.Errorf("replace %s %s: %w", table, id, err)
	}
	ev.ID = evID
	tn := t.tenant
	switch ev.Type {
	case model.TypeIVRUpserted:
		options, _ := json.Marshal(nonNilLabels(ev.IVR.Options))
		_, err = t.exec(ctx, `INSERT INTO ivrs (tenant, id, name, options, at, ev) VALUES (?, ?, ?, ?, ?, ?)`, tn, id, ev.IVR.Name, string(options), at, ev.ID)
	case model.TypeFlowUpserted:
		steps, _ := json.Marshal(nonNilLabels(ev.FlowDef.Steps))
		_, err = t.exec(ctx, `INSERT INTO flows (tenant, id, name, steps, at, ev) VALUES (?, ?, ?, ?, ?, ?)`, tn, id, ev.FlowDef.Name, string(steps), at, ev.ID)
	case model.TypeServiceUpserted, model.TypeTagUpserted, model.TypeClientUpserted:
		name := map[string]string{"services": nameOf(ev.Service), "tags": nameOf(ev.Tag), "clients": nameOf(ev.Client)}[table]
		_, err = t.exec(ctx, `INSERT INTO `+table+` (tenant, id, name, at, ev) VALUES (?, ?, ?, ?, ?)`, tn, id, name, at, ev.ID)
	case model.TypeCampaignUpserted:
		_, err = t.exec(ctx, `INSERT INTO campaigns (tenant, id, name, client_id, at, ev) VALUES (?, ?, ?, ?, ?, ?)`, tn, id, ev.Campaign.Name, ev.Campaign.ClientID, at, ev.ID)
	case model.TypeBatchUpserted:
		_, err = t.exec(ctx, `INSERT INTO batches (tenant, id, name, campaign_id, at, ev) VALUES (?, ?, ?, ?, ?, ?)`, tn, id, ev.Batch.Name, ev.Batch.CampaignID, at, ev.ID)
	case model.TypeUserUpserted:
		u := ev.User
		tags, _ := json.Marshal(nonNil(u.Tags))
		if _, err = t.exec(ctx, `INSERT INTO users (tenant, id, name, status, extension, tags, at, ev) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			tn, id, u.Name, u.Status, u.Extension, string(tags), at, ev.ID); err != nil {
			break
		}
		if _, err = t.exec(ctx, `DELETE FROM user_tags WHERE tenant = ? AND user_id = ?`, tn, id); err != nil {
			break
		}
		for _, tag := range dedupe(u.Tags) {
			if _, err = t.exec(ctx, `INSERT INTO user_tags (tenant, user_id, tag) VALUES (?, ?, ?)`, tn, id, tag); err != nil {
				break
			}
		}
	case model.TypeContactUpserted:
		err = t.insertContact(ctx, ev.Contact, at, ev.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("upsert %s %s: %w", table, id, err)
	}
	t.dir.forget(table, id)
	// The engine's Fluxo Ágil rows carry the batch's and the contact's
	// names and data: their conversations are shipped again.
	switch table {
	case "contacts":
		err = t.announceBot(ctx, OutboxBotContact, id)
	case "batches":
		err = t.announceBot(ctx, OutboxBotBatch, id)
	}
	if err != nil {
		return nil, err
	}
	return &DirectoryChange{Kind: table, ID: id}, nil
}

// objectField names the object an upsert type carries.
var objectField = map[string]string{
	model.TypeServiceUpserted: "service", model.TypeTagUpserted: "tag", model.TypeIVRUpserted: "ivr",
	model.TypeClientUpserted: "client", model.TypeCampaignUpserted: "campaign", model.TypeBatchUpserted: "batch",
	model.TypeUserUpserted: "user", model.TypeContactUpserted: "contact", model.TypeFlowUpserted: "flow",
}

// labelFields are the fields of directory objects that are label maps
// ({key: label}: an IVR's menu options, a flow's steps). They merge key by
// key: an upsert that labels only option "3" keeps the labels of "1" and
// "2" from earlier upserts (a later label of a key replaces it; "" drops
// it), so a menu can be described one option at a time; null clears them
// all, as for any field.
var labelFields = map[string]bool{"options": true, "steps": true}

// mergeUpserts folds the stored upserts of the directory object key field
// by field, in (at, event id) order: a field present in an upsert (null
// included) replaces the value of earlier ones. It returns the merged
// object, the latest upsert's at and id, and whether the upsert named
// current holds any field (if not, storing it changed nothing).
func (t *Tx) mergeUpserts(ctx context.Context, key, field, current string) (map[string]json.RawMessage, int64, string, bool, error) {
	rows, err := t.query(ctx, `SELECT seq, body, zbody FROM events WHERE tenant = ? AND agg_kind = ? AND agg_key = ?`, t.tenant, model.AggDirectory, key)
	if err != nil {
		return nil, 0, "", false, err
	}
	defer rows.Close()
	type upsert struct {
		at  int64
		id  string
		obj map[string]json.RawMessage
	}
	var ups []upsert
	for rows.Next() {
		var seq int64
		var plain string
		var z []byte
		if err := rows.Scan(&seq, &plain, &z); err != nil {
			return nil, 0, "", false, err
		}
		body, err := DecodeBody(plain, z)
		if err != nil {
			return nil, 0, "", false, fmt.Errorf("stored upsert (seq %d): %w", seq, err)
		}
		var top struct {
			ID string    `json:"id"`
			At time.Time `json:"at"`
		}
		var objs map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil {
			return nil, 0, "", false, fmt.Errorf("stored upsert: %w", err)
		}
		if err := json.Unmarshal(body, &objs); err != nil {
			return nil, 0, "", false, fmt.Errorf("stored upsert %s: %w", top.ID, err)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(objs[field], &obj); err != nil {
			return nil, 0, "", false, fmt.Errorf("stored upsert %s: %w", top.ID, err)
		}
		ups = append(ups, upsert{ms(top.At), top.ID, obj})
	}
	if err := rows.Err(); err != nil {
		return nil, 0, "", false, err
	}
	sort.Slice(ups, func(i, j int) bool { return newer(ups[j].at, ups[j].id, ups[i].at, ups[i].id) })
	merged := map[string]json.RawMessage{}
	winner := map[string]string{}
	for _, u := range ups {
		for k, v := range u.obj {
			if labelFields[k] {
				// Each label is a field of its own: an older upsert
				// may still hold one key.
				var keys map[string]string
				if json.Unmarshal(v, &keys) == nil && keys != nil {
					for key := range keys {
						winner[k+"\x00"+key] = u.id
					}
					merged[k] = mergeLabels(merged[k], v)
					continue
				}
				for w := range winner {
					if strings.HasPrefix(w, k+"\x00") {
						delete(winner, w) // null clears every label
					}
				}
			}
			merged[k], winner[k] = v, u.id
		}
	}
	won := false
	for k, w := range winner {
		if w == current && k != "id" {
			won = true
		}
	}
	if len(ups) == 0 {
		return nil, 0, "", false, nil
	}
	last := ups[len(ups)-1]
	return merged, last.at, last.id, won || last.id == current, nil
}

// mergeLabels lays the label map next over the merged one before: keys of
// next replace those of before, an empty label removes its key, a null
// next clears them all.
func mergeLabels(before, next json.RawMessage) json.RawMessage {
	var add map[string]string
	if json.Unmarshal(next, &add) != nil || add == nil {
		return next // null (or not a label map: validation refused those)
	}
	labels := map[string]string{}
	_ = json.Unmarshal(before, &labels) // absent or null: none yet
	for k, v := range add {
		if v == "" {
			delete(labels, k)
		} else {
			labels[k] = v
		}
	}
	out, err := json.Marshal(labels)
	if err != nil {
		return next
	}
	return out
}

func nonNilLabels(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func (t *Tx) insertContact(ctx context.Context, c *model.Contact, at int64, evID string) error {
	phones, _ := json.Marshal(nonNil(c.Phones))
	var emails []string
	for _, e := range c.Emails {
		emails = append(emails, strings.ToLower(strings.TrimSpace(e)))
	}
	emailsJSON, _ := json.Marshal(nonNil(emails))
	portfolio := c.Portfolio != nil && *c.Portfolio
	if _, err := t.exec(ctx, `INSERT INTO contacts (tenant, id, name, name_key, document, phones, emails, external_id, portfolio, batch_id, at, ev)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.tenant, c.ID, c.Name, SearchKey(c.Name), c.Document, string(phones), string(emailsJSON), c.ExternalID, b2i(portfolio), c.BatchID, at, evID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM contact_emails WHERE tenant = ? AND contact_id = ?`, t.tenant, c.ID); err != nil {
		return err
	}
	for _, e := range dedupe(emails) {
		if _, err := t.exec(ctx, `INSERT INTO contact_emails (tenant, contact_id, email) VALUES (?, ?, ?)`, t.tenant, c.ID, e); err != nil {
			return err
		}
	}
	return nil
}

func nameOf(n *model.Named) string {
	if n == nil {
		return ""
	}
	return n.Name
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// SearchKey folds a name for accent- and case-insensitive search
// ("José" and "jose" match).
func SearchKey(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicodeMn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(strings.TrimSpace(out))
}

// InteractionsReferencing lists the interactions whose finished legs print
// data of a directory object (to derive them again after it changed).
func (t *Tx) InteractionsReferencing(ctx context.Context, ch DirectoryChange) ([]string, error) {
	var q string
	switch ch.Kind {
	case "services":
		q = `SELECT DISTINCT interaction_id FROM legs WHERE tenant = ? AND service_id = ?`
	case "users":
		q = `SELECT DISTINCT interaction_id FROM legs WHERE tenant = ? AND agent_id = ?`
	case "contacts":
		q = `SELECT id FROM interactions WHERE tenant = ? AND contact_id = ? UNION SELECT DISTINCT interaction_id FROM legs WHERE tenant = ? AND contact_id = ?`
		return t.strings(ctx, q, t.tenant, ch.ID, t.tenant, ch.ID)
	case "tags":
		q = `SELECT DISTINCT l.interaction_id FROM leg_tags lt JOIN legs l ON l.k = lt.leg_k WHERE lt.tenant = ? AND lt.tag_id = ?`
	default:
		return nil, nil
	}
	return t.strings(ctx, q, t.tenant, ch.ID)
}

func (t *Tx) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return appendColumn(nil, rows)
}

// txDirectory resolves names inside a write transaction, with a cache for
// the batch. It satisfies metrics.Directory.
type txDirectory struct {
	db       *DB
	q        querier
	ctx      context.Context
	tenant   string
	names    map[string]string
	contacts map[string]*model.Contact
}

func newTxDirectory(t *Tx) *txDirectory {
	return &txDirectory{db: t.db, q: t.tx, ctx: t.ctx, tenant: t.tenant, names: map[string]string{}, contacts: map[string]*model.Contact{}}
}

// Directory returns the transaction's name resolver.
func (t *Tx) Directory() *txDirectory { return t.dir }

// Directory returns a read-only name resolver of a tenant (histories).
func (db *DB) Directory(ctx context.Context, tenant string) *txDirectory {
	return &txDirectory{db: db, q: db.r, ctx: ctx, tenant: tenant, names: map[string]string{}, contacts: map[string]*model.Contact{}}
}

func (d *txDirectory) forget(table, id string) {
	delete(d.names, table+"\x00"+id)
	delete(d.contacts, id)
}

func (d *txDirectory) name(table, id string) string {
	if id == "" {
		return ""
	}
	k := table + "\x00" + id
	if v, ok := d.names[k]; ok {
		return v
	}
	var name string
	err := d.db.queryRow(d.ctx, d.q, `SELECT name FROM `+table+` WHERE tenant = ? AND id = ?`, d.tenant, id).Scan(&name)
	if err != nil {
		name = ""
	}
	d.names[k] = name
	return name
}

func (d *txDirectory) ServiceName(id string) string { return d.name("services", id) }
func (d *txDirectory) UserName(id string) string    { return d.name("users", id) }
func (d *txDirectory) TagName(id string) string     { return d.name("tags", id) }
func (d *txDirectory) IVRName(id string) string     { return d.name("ivrs", id) }

func (d *txDirectory) Contact(id string) (model.Contact, bool) {
	if id == "" {
		return model.Contact{}, false
	}
	if c, ok := d.contacts[id]; ok {
		if c == nil {
			return model.Contact{}, false
		}
		return *c, true
	}
	var c model.Contact
	var phones, emails string
	var portfolio int
	err := d.db.queryRow(d.ctx, d.q, `SELECT id, name, document, phones, emails, external_id, portfolio, batch_id FROM contacts WHERE tenant = ? AND id = ?`,
		d.tenant, id).Scan(&c.ID, &c.Name, &c.Document, &phones, &emails, &c.ExternalID, &portfolio, &c.BatchID)
	if err != nil {
		d.contacts[id] = nil
		return model.Contact{}, false
	}
	_ = json.Unmarshal([]byte(phones), &c.Phones)
	_ = json.Unmarshal([]byte(emails), &c.Emails)
	p := portfolio == 1
	c.Portfolio = &p
	d.contacts[id] = &c
	return c, true
}

// User reads a directory user as stored (its upserts merged).
func (d *txDirectory) User(id string) (model.User, bool) {
	var u model.User
	var tags string
	err := d.db.queryRow(d.ctx, d.q, `SELECT id, name, status, extension, tags FROM users WHERE tenant = ? AND id = ?`, d.tenant, id).
		Scan(&u.ID, &u.Name, &u.Status, &u.Extension, &tags)
	if err != nil {
		return model.User{}, false
	}
	_ = json.Unmarshal([]byte(tags), &u.Tags)
	return u, true
}

// Labels is a directory object's name and its label map: an IVR's menu
// options (ivr.upserted) or a flow's steps (flow.upserted), {key: label}.
type Labels struct {
	Name   string
	Labels map[string]string
}

// IVRMenus maps each IVR of the tenant to its name and menu labels.
func (db *DB) IVRMenus(ctx context.Context, tenant string) (map[string]Labels, error) {
	return db.labels(ctx, `SELECT id, name, options FROM ivrs WHERE tenant = ?`, tenant)
}

// Flows maps each bot flow of the tenant to its name and step names.
func (db *DB) Flows(ctx context.Context, tenant string) (map[string]Labels, error) {
	return db.labels(ctx, `SELECT id, name, steps FROM flows WHERE tenant = ?`, tenant)
}

func (db *DB) labels(ctx context.Context, q, tenant string) (map[string]Labels, error) {
	rows, err := db.query(ctx, db.r, q, tenant)
	if err != nil {
		return nil, fmt.Errorf("directory labels: %w", err)
	}
	defer rows.Close()
	out := map[string]Labels{}
	for rows.Next() {
		var id, name, labels string
		if err := rows.Scan(&id, &name, &labels); err != nil {
			return nil, fmt.Errorf("directory labels: %w", err)
		}
		l := Labels{Name: name}
		if err := json.Unmarshal([]byte(labels), &l.Labels); err != nil {
			return nil, fmt.Errorf("directory labels of %s: %w", id, err)
		}
		out[id] = l
	}
	return out, rows.Err()
}

// backfillLabels fills migration 0015's IVR options and flows from the
// ivr.upserted and flow.upserted events a store accepted before it (they
// were validated and kept raw): each such object is applied again, through
// its latest upsert, in the migration's transaction.
func (db *DB) backfillLabels(ctx context.Context, q querier) error {
	sqlTx, ok := q.(*sql.Tx)
	if !ok {
		return fmt.Errorf("backfill labels: not in a transaction")
	}
	rows, err := db.query(ctx, q, `SELECT tenant, agg_key, body, zbody FROM events WHERE agg_kind = ? AND (agg_key LIKE 'ivr:%' OR agg_key LIKE 'flow:%')`, model.AggDirectory)
	if err != nil {
		return fmt.Errorf("backfill labels: %w", err)
	}
	type object struct{ tenant, key string }
	latest := map[object]model.Event{}
	for rows.Next() {
		var o object
		var plain string
		var z []byte
		if err := rows.Scan(&o.tenant, &o.key, &plain, &z); err != nil {
			rows.Close()
			return fmt.Errorf("backfill labels: %w", err)
		}
		body, err := DecodeBody(plain, z)
		if err != nil {
			rows.Close()
			return fmt.Errorf("backfill labels: stored %s: %w", o.key, err)
		}
		var ev model.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			rows.Close()
			return fmt.Errorf("backfill labels: stored %s: %w", o.key, err)
		}
		if cur, ok := latest[o]; !ok || newer(ms(ev.At), ev.ID, ms(cur.At), cur.ID) {
			latest[o] = ev
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("backfill labels: %w", err)
	}
	for o, ev := range latest {
		t := &Tx{db: db, tx: sqlTx, tenant: o.tenant, ctx: ctx}
		t.dir = newTxDirectory(t)
		if _, err := t.ApplyDirectory(ctx, &ev); err != nil {
			return fmt.Errorf("backfill labels of %s: %w", o.key, err)
		}
	}
	return nil
}
