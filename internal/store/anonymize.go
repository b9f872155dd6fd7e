package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// ContactAggregates lists the interactions and bot conversations that name
// a contact (anonymisation rewrites their events).
func (t *Tx) ContactAggregates(ctx context.Context, contactID string) (interactions, conversations []string, err error) {
	interactions, err = t.strings(ctx, `SELECT id FROM interactions WHERE tenant = ? AND contact_id = ? UNION SELECT DISTINCT interaction_id FROM legs WHERE tenant = ? AND contact_id = ?`,
		t.tenant, contactID, t.tenant, contactID)
	if err != nil {
		return nil, nil, fmt.Errorf("interactions of contact %s: %w", contactID, err)
	}
	conversations, err = t.strings(ctx, `SELECT conversation FROM bot_conversations WHERE tenant = ? AND contact_id = ?`, t.tenant, contactID)
	if err != nil {
		return nil, nil, fmt.Errorf("conversations of contact %s: %w", contactID, err)
	}
	return interactions, conversations, nil
}

// AnnounceAnonymized adds, when analytics is on, one 'anonymize' outbox
// entry naming the interactions an anonymisation re-derived (ids only: the
// outbox holds no personal data). Written after their re-derivation in the
// same transaction, its id is above every version shipped before the
// anonymisation: the shipper sends the interactions' new rows, then erases
// every older version from the engine's disks.
func (t *Tx) AnnounceAnonymized(ctx context.Context, interactionIDs []string) error {
	if len(interactionIDs) == 0 {
		return nil
	}
	on, err := t.analyticsOn(ctx)
	if err != nil || !on {
		return err
	}
	key, err := json.Marshal(interactionIDs)
	if err != nil {
		return err
	}
	return t.queueOutbox(ctx, OutboxAnonymize, string(key))
}

// AnonymizedInteractions decodes the key of an 'anonymize' outbox entry.
func AnonymizedInteractions(key string) ([]string, error) {
	var ids []string
	if err := json.Unmarshal([]byte(key), &ids); err != nil {
		return nil, fmt.Errorf("analytics outbox: bad anonymize key: %w", err)
	}
	return ids, nil
}

// RewriteEvent replaces a stored event's body. Raw events are append-only
// with one exception: LGPD anonymisation, which must reach the system of
// record or a rebuild would bring the personal data back.
func (t *Tx) RewriteEvent(ctx context.Context, id string, body []byte) error {
	z, err := EncodeBody(body)
	if err != nil {
		return fmt.Errorf("rewrite event %s: %w", id, err)
	}
	_, err = t.exec(ctx, `UPDATE events SET body = '', zbody = ? WHERE tenant = ? AND id = ?`, z, t.tenant, id)
	return wrap(err, "rewrite event "+id)
}

// DeleteContact removes a contact's directory row so its (rewritten)
// upserts can be applied again.
func (t *Tx) DeleteContact(ctx context.Context, id string) error {
	if _, err := t.exec(ctx, `DELETE FROM contacts WHERE tenant = ? AND id = ?`, t.tenant, id); err != nil {
		return fmt.Errorf("delete contact %s: %w", id, err)
	}
	if _, err := t.exec(ctx, `DELETE FROM contact_emails WHERE tenant = ? AND contact_id = ?`, t.tenant, id); err != nil {
		return fmt.Errorf("delete contact %s: %w", id, err)
	}
	t.dir.forget("contacts", id)
	return nil
}

// RawDelivery is a stored webhook body, read by anonymisation.
type RawDelivery struct {
	ID      int64
	Kind    string // the connector's kind
	Thread  string
	Payload []byte
}

// RawDeliveries lists the tenant's stored webhook bodies not erased yet.
func (t *Tx) RawDeliveries(ctx context.Context) ([]RawDelivery, error) {
	rows, err := t.query(ctx, `SELECT d.id, c.kind, d.thread, d.payload FROM connector_deliveries d JOIN connectors c ON c.id = d.connector_id
		WHERE d.tenant = ? AND d.state <> ? ORDER BY d.id`, t.tenant, DeliveryAnonymized)
	if err != nil {
		return nil, fmt.Errorf("raw deliveries: %w", err)
	}
	defer rows.Close()
	var out []RawDelivery
	for rows.Next() {
		var d RawDelivery
		var payload string
		if err := rows.Scan(&d.ID, &d.Kind, &d.Thread, &payload); err != nil {
			return nil, fmt.Errorf("raw deliveries: %w", err)
		}
		d.Payload = []byte(payload)
		out = append(out, d)
	}
	return out, rows.Err()
}

// EraseDelivery replaces a delivery's raw body with a tombstone (LGPD
// anonymisation): the body and its signature header are gone, the row
// stays (state anonymized, its hash still drops a redelivery of the same
// body), and replay, translation and forwarding skip it.
func (t *Tx) EraseDelivery(ctx context.Context, id int64) error {
	_, err := t.exec(ctx, `UPDATE connector_deliveries SET payload = '', state = ?, error = ?, forward_header = NULL,
		forward_state = CASE WHEN forward_state = ? THEN NULL ELSE forward_state END WHERE tenant = ? AND id = ?`,
		DeliveryAnonymized, "raw payload erased by anonymisation", forwardPending, t.tenant, id)
	return wrap(err, fmt.Sprintf("erase delivery %d", id))
}

// Backup writes an online, consistent copy of the embedded store (VACUUM
// INTO). PostgreSQL deployments use pg_dump or their replicas instead.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return fmt.Errorf("backup: use pg_dump for PostgreSQL")
	}
	// VACUUM INTO writes into a new or empty file: a new one is made here
	// with 0600 whatever the umask (the copy holds all the store holds).
	created := false
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		created = true
		f.Close()
	case !errors.Is(err, os.ErrExist):
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if _, err := db.w.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		if created {
			os.Remove(path)
		}
		return wrap(err, "backup to "+path)
	}
	return wrap(os.Chmod(path, 0o600), "backup to "+path)
}
