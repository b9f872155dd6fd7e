package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// ErrUnknownConnector is returned for a webhook key that is unknown or
// revoked, and for a connector id that names no connector.
var ErrUnknownConnector = errors.New("unknown or revoked connector")

// Connector kinds.
const (
	ConnectorChatwoot = "chatwoot"
	ConnectorWhatsApp = "whatsapp"
)

// ConnectorSettings are a connector's options; each kind reads its own.
type ConnectorSettings struct {
	// Secret is Chatwoot's webhook secret: when set, every delivery must
	// carry a valid X-Chatwoot-Signature.
	Secret string `json:"secret,omitempty"`
	// APIInboxMedia is the media of conversations of Chatwoot API inboxes.
	APIInboxMedia string `json:"api_inbox_media,omitempty"`
	// ChatwootURL is the base of links back to a conversation.
	ChatwootURL string `json:"chatwoot_url,omitempty"`
	// VerifyToken and AppSecret are the WhatsApp Cloud API's.
	VerifyToken string `json:"verify_token,omitempty"`
	AppSecret   string `json:"app_secret,omitempty"`
	// ForwardTo is the platform a WhatsApp connector relays every accepted
	// delivery to (raw body and X-Hub-Signature-256), in order.
	ForwardTo string `json:"forward_to,omitempty"`
}

// PlatformURL checks a URL given for a platform (--forward-to,
// --chatwoot-url): absolute, http or https, with a host, no credentials or
// fragment. It returns it without a trailing slash.
func PlatformURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("%q: only http and https URLs are accepted", raw)
	}
	if u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("%q: want http(s)://host[:port][/path], without user or fragment", raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// Connector is a webhook connector without its key.
type Connector struct {
	ID, Tenant, Kind string
	Settings         ConnectorSettings
	CreatedAt        time.Time
	RevokedAt        *time.Time
}

// newConnectorKey is 32 random bytes in URL-safe base64 without padding
// (43 characters): it is a path segment of the webhook URL.
func newConnectorKey() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateConnector stores a new connector of kind for the tenant (created
// when needed) and returns it with its key, which is shown once: only its
// hash is kept.
func (db *DB) CreateConnector(ctx context.Context, tenant, kind string, s ConnectorSettings) (Connector, string, error) {
	if kind != ConnectorChatwoot && kind != ConnectorWhatsApp {
		return Connector{}, "", fmt.Errorf("unknown connector kind %q (chatwoot, whatsapp)", kind)
	}
	if err := db.EnsureTenant(ctx, tenant); err != nil {
		return Connector{}, "", err
	}
	settings, err := json.Marshal(s)
	if err != nil {
		return Connector{}, "", fmt.Errorf("connector settings: %w", err)
	}
	c := Connector{ID: "cn_" + randomHex(6), Tenant: tenant, Kind: kind, Settings: s, CreatedAt: db.now()}
	key := newConnectorKey()
	_, err = db.exec(ctx, db.w, `INSERT INTO connectors (id, tenant, kind, key_hash, settings, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, tenant, kind, hashSecret(key), string(settings), ms(c.CreatedAt))
	if err != nil {
		return Connector{}, "", fmt.Errorf("create connector: %w", err)
	}
	return c, key, nil
}

// RevokeConnector revokes a connector by id: its key answers 404 from now on.
func (db *DB) RevokeConnector(ctx context.Context, id string) error {
	res, err := db.exec(ctx, db.w, `UPDATE connectors SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, ms(db.now()), id)
	if err != nil {
		return fmt.Errorf("revoke connector %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("connector %s: not found or already revoked", id)
	}
	return nil
}

const connectorCols = `id, tenant, kind, settings, created_at, revoked_at`

func scanConnector(sc interface{ Scan(...any) error }) (Connector, error) {
	var c Connector
	var settings string
	var created int64
	var revoked *int64
	if err := sc.Scan(&c.ID, &c.Tenant, &c.Kind, &settings, &created, &revoked); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(settings), &c.Settings); err != nil {
		return c, fmt.Errorf("connector %s settings: %w", c.ID, err)
	}
	c.CreatedAt = fromMS(created)
	if revoked != nil {
		r := fromMS(*revoked)
		c.RevokedAt = &r
	}
	return c, nil
}

// Connectors lists a tenant's connectors, oldest first ("" lists every
// tenant's).
func (db *DB) Connectors(ctx context.Context, tenant string) ([]Connector, error) {
	rows, err := db.query(ctx, db.r, `SELECT `+connectorCols+` FROM connectors WHERE tenant = ? OR ? = '' ORDER BY created_at, id`, tenant, tenant)
	if err != nil {
		return nil, fmt.Errorf("list connectors: %w", err)
	}
	defer rows.Close()
	var out []Connector
	for rows.Next() {
		c, err := scanConnector(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Connector reads one connector by id (revoked ones too).
func (db *DB) Connector(ctx context.Context, id string) (Connector, error) {
	c, err := scanConnector(db.queryRow(ctx, db.r, `SELECT `+connectorCols+` FROM connectors WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("connector %s: %w", id, ErrUnknownConnector)
	}
	return c, err
}

// ConnectorByKey resolves a webhook key of the given kind. An unknown key,
// a key of another kind and a revoked one are all ErrUnknownConnector.
func (db *DB) ConnectorByKey(ctx context.Context, kind, key string) (Connector, error) {
	c, err := scanConnector(db.queryRow(ctx, db.r, `SELECT `+connectorCols+` FROM connectors WHERE key_hash = ?`, hashSecret(key)))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (c.RevokedAt != nil || c.Kind != kind)) {
		return Connector{}, ErrUnknownConnector
	}
	if err != nil {
		return Connector{}, fmt.Errorf("read connector: %w", err)
	}
	return c, nil
}

// Delivery states.
const (
	DeliveryPending    = "pending"
	DeliveryTranslated = "translated"
	DeliveryFailed     = "failed"
	// DeliveryAnonymized is a tombstone: LGPD anonymisation erased the raw
	// payload (see Tx.EraseDelivery); replay and translation skip it.
	DeliveryAnonymized = "anonymized"
)

// Delivery is one raw webhook delivery of the inbox.
type Delivery struct {
	ID          int64
	ConnectorID string
	Tenant      string
	DeliveryID  string // the platform's delivery id, "" when it sends none
	Event       string // the platform's event name, for listings
	Thread      string // what is translated together (a conversation)
	EventAt     time.Time
	ReceivedAt  time.Time
	Payload     []byte
	State       string
	Error       string
	// Forward marks, on insert, a delivery to relay (its connector has
	// ForwardTo); ForwardHeader is the signature header to relay with it.
	Forward       bool
	ForwardHeader string
}

// PayloadSHA is the dedupe key of a body: its SHA-256 in hex.
func PayloadSHA(payload []byte) string {
	h := sha256.Sum256(payload)
	return hex.EncodeToString(h[:])
}

// InsertDelivery stores a raw delivery durably (state pending). It returns
// false, storing nothing, when the connector already has a delivery with the
// same delivery id or the same body: a redelivery.
func (db *DB) InsertDelivery(ctx context.Context, d *Delivery) (bool, error) {
	var did any
	if d.DeliveryID != "" {
		did = d.DeliveryID
	}
	if d.ReceivedAt.IsZero() {
		d.ReceivedAt = db.now()
	}
	d.State = DeliveryPending
	var forward, header any
	if d.Forward {
		forward, header = forwardPending, d.ForwardHeader
	}
	var id int64
	err := db.queryRow(ctx, db.w, `INSERT INTO connector_deliveries (connector_id, tenant, delivery_id, payload_sha, event, thread, event_at, received_at, payload, state, forward_state, forward_header)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		d.ConnectorID, d.Tenant, did, PayloadSHA(d.Payload), d.Event, d.Thread, ms(d.EventAt), ms(d.ReceivedAt), string(d.Payload), d.State, forward, header).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, classifyFull(fmt.Errorf("store webhook delivery: %w", err))
	}
	d.ID = id
	return true, nil
}

// MarkDelivery records the outcome of a translation: "" is translated,
// anything else failed with that reason.
func (db *DB) MarkDelivery(ctx context.Context, id int64, reason string) error {
	state, errText := DeliveryTranslated, any(nil)
	if reason != "" {
		state, errText = DeliveryFailed, reason
	}
	if _, err := db.exec(ctx, db.w, `UPDATE connector_deliveries SET state = ?, error = ? WHERE id = ?`, state, errText, id); err != nil {
		return fmt.Errorf("mark delivery %d: %w", id, err)
	}
	return nil
}

const deliveryCols = `id, connector_id, tenant, delivery_id, event, thread, event_at, received_at, payload, state, error`

func scanDeliveries(rows *sql.Rows) ([]Delivery, error) {
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var did, errText *string
		var at, recv int64
		var payload string
		if err := rows.Scan(&d.ID, &d.ConnectorID, &d.Tenant, &did, &d.Event, &d.Thread, &at, &recv, &payload, &d.State, &errText); err != nil {
			return nil, err
		}
		if did != nil {
			d.DeliveryID = *did
		}
		if errText != nil {
			d.Error = *errText
		}
		d.EventAt, d.ReceivedAt, d.Payload = fromMS(at), fromMS(recv), []byte(payload)
		out = append(out, d)
	}
	return out, rows.Err()
}

// ThreadDeliveries lists the deliveries of one thread of a connector in the
// platform's order (event time, then arrival).
func (db *DB) ThreadDeliveries(ctx context.Context, connectorID, thread string) ([]Delivery, error) {
	rows, err := db.query(ctx, db.r, `SELECT `+deliveryCols+` FROM connector_deliveries WHERE connector_id = ? AND thread = ? AND state <> ? ORDER BY event_at, id`, connectorID, thread, DeliveryAnonymized)
	if err != nil {
		return nil, fmt.Errorf("read deliveries of %s: %w", thread, err)
	}
	return scanDeliveries(rows)
}

// Deliveries lists a tenant's deliveries in a state ("" is every state),
// oldest first, at most limit (0: no limit).
func (db *DB) Deliveries(ctx context.Context, tenant, state string, limit int) ([]Delivery, error) {
	q := `SELECT ` + deliveryCols + ` FROM connector_deliveries WHERE tenant = ? AND (state = ? OR ? = '') ORDER BY id`
	args := []any{tenant, state, state}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := db.query(ctx, db.r, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return scanDeliveries(rows)
}

// SetDeliveryThread records what a newer translator read from a delivery
// that an older one could not read (replay).
func (db *DB) SetDeliveryThread(ctx context.Context, id int64, event, thread string, at time.Time) error {
	if _, err := db.exec(ctx, db.w, `UPDATE connector_deliveries SET event = ?, thread = ?, event_at = ? WHERE id = ?`, event, thread, ms(at), id); err != nil {
		return fmt.Errorf("delivery %d: %w", id, err)
	}
	return nil
}

// Forward states of a delivery (migration 0016): NULL is nothing to relay.
const (
	forwardPending = "pending"
	forwardDone    = "done"
)

// ForwardingConnectors lists the active connectors that relay their
// deliveries (ForwardTo set), every tenant's.
func (db *DB) ForwardingConnectors(ctx context.Context) ([]Connector, error) {
	all, err := db.Connectors(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []Connector
	for _, c := range all {
		if c.RevokedAt == nil && c.Settings.ForwardTo != "" {
			out = append(out, c)
		}
	}
	return out, nil
}

// PendingForward is a delivery still to relay: its raw body and the
// signature header it came with.
type PendingForward struct {
	ID       int64
	Payload  []byte
	Header   string
	Attempts int
}

// NextForwards returns, oldest first, at most limit deliveries of the
// connector not relayed yet: the forward cursor is the oldest pending one,
// so deliveries go out in the order they were accepted.
func (db *DB) NextForwards(ctx context.Context, connectorID string, limit int) ([]PendingForward, error) {
	rows, err := db.query(ctx, db.r, `SELECT id, payload, forward_header, forward_attempts FROM connector_deliveries
		WHERE connector_id = ? AND forward_state = ? ORDER BY id LIMIT ?`, connectorID, forwardPending, limit)
	if err != nil {
		return nil, fmt.Errorf("deliveries to forward of %s: %w", connectorID, err)
	}
	defer rows.Close()
	var out []PendingForward
	for rows.Next() {
		var f PendingForward
		var payload string
		var header *string
		if err := rows.Scan(&f.ID, &payload, &header, &f.Attempts); err != nil {
			return nil, fmt.Errorf("deliveries to forward of %s: %w", connectorID, err)
		}
		f.Payload = []byte(payload)
		if header != nil {
			f.Header = *header
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// MarkForward records one relay attempt of a delivery: reason "" is
// relayed (done, never sent again), anything else a failed attempt kept
// pending with that reason.
func (db *DB) MarkForward(ctx context.Context, id int64, reason string) error {
	var err error
	if reason == "" {
		_, err = db.exec(ctx, db.w, `UPDATE connector_deliveries SET forward_state = ?, forward_attempts = forward_attempts + 1, forward_error = NULL WHERE id = ?`, forwardDone, id)
	} else {
		_, err = db.exec(ctx, db.w, `UPDATE connector_deliveries SET forward_attempts = forward_attempts + 1, forward_error = ? WHERE id = ?`, reason, id)
	}
	if err != nil {
		return fmt.Errorf("mark forward of delivery %d: %w", id, err)
	}
	return nil
}
