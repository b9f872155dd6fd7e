package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
	"golang.org/x/crypto/bcrypt"
)

// ErrBadCredentials is returned for an unknown, revoked or wrong credential.
var ErrBadCredentials = errors.New("invalid credentials")

// Grant is the scope given to a user or token.
type Grant struct {
	Tenant   string
	Role     model.Role
	Services []string // nil = all
	Clients  []string // nil = all
	Personal *bool    // nil = the role's default
}

func (g Grant) principal(actor string) model.Principal {
	personal := model.DefaultPersonalData(g.Role)
	if g.Personal != nil {
		personal = *g.Personal
	}
	return model.Principal{Tenant: g.Tenant, Actor: actor, Role: g.Role, Services: g.Services, Clients: g.Clients, PersonalData: personal}
}

func listJSON(l []string) any {
	if l == nil {
		return nil
	}
	b, _ := json.Marshal(l)
	return string(b)
}

func parseList(s *string) []string {
	if s == nil {
		return nil
	}
	out := []string{}
	_ = json.Unmarshal([]byte(*s), &out)
	return out
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// CreateToken makes an API token for the grant, creating the tenant when
// needed. Only the hash is stored; the token is returned once.
func (db *DB) CreateToken(ctx context.Context, g Grant, label string) (id, token string, err error) {
	if !model.ValidRole(string(g.Role)) {
		return "", "", fmt.Errorf("unknown role %q (admin, supervisor, analyst, viewer)", g.Role)
	}
	if err := db.EnsureTenant(ctx, g.Tenant); err != nil {
		return "", "", err
	}
	id = "tk_" + randomHex(6)
	token = "rst_" + id[3:] + "_" + randomHex(24)
	var personal any
	if g.Personal != nil {
		personal = b2i(*g.Personal)
	} else {
		personal = b2i(model.DefaultPersonalData(g.Role))
	}
	_, err = db.exec(ctx, db.w, `INSERT INTO tokens (id, hash, tenant, role, services, clients, personal, label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, hashSecret(token), g.Tenant, string(g.Role), listJSON(g.Services), listJSON(g.Clients), personal, label, time.Now().UnixMilli())
	if err != nil {
		return "", "", fmt.Errorf("create token: %w", err)
	}
	return id, token, nil
}

// RevokeToken revokes a token by id.
func (db *DB) RevokeToken(ctx context.Context, id string) error {
	res, err := db.exec(ctx, db.w, `UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, time.Now().UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("token %s: not found or already revoked", id)
	}
	return nil
}

// TokenInfo describes a token without its secret.
type TokenInfo struct {
	ID, Tenant, Role, Label string
	CreatedAt               time.Time
	LastUsedAt, RevokedAt   *time.Time
}

// Tokens lists a tenant's tokens.
func (db *DB) Tokens(ctx context.Context, tenant string) ([]TokenInfo, error) {
	rows, err := db.query(ctx, db.r, `SELECT id, tenant, role, label, created_at, last_used_at, revoked_at FROM tokens WHERE tenant = ? ORDER BY created_at`, tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TokenInfo
	for rows.Next() {
		var t TokenInfo
		var created int64
		var used, revoked *int64
		if err := rows.Scan(&t.ID, &t.Tenant, &t.Role, &t.Label, &created, &used, &revoked); err != nil {
			return nil, err
		}
		t.CreatedAt = fromMS(created)
		if used != nil {
			u := fromMS(*used)
			t.LastUsedAt = &u
		}
		if revoked != nil {
			r := fromMS(*revoked)
			t.RevokedAt = &r
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// AuthenticateToken resolves a bearer token to its principal. It reads
// through the reader pool, so it never waits behind a write transaction,
// and notes the token's last use for the background writer when the
// stored one is more than a minute old (lastuse.go): the request itself
// writes nothing.
func (db *DB) AuthenticateToken(ctx context.Context, token string) (model.Principal, error) {
	if !strings.HasPrefix(token, "rst_") {
		return model.Principal{}, ErrBadCredentials
	}
	var g Grant
	var id, role string
	var services, clients *string
	var personal int
	var revoked, used *int64
	err := db.queryRow(ctx, db.r, `SELECT id, tenant, role, services, clients, personal, revoked_at, last_used_at FROM tokens WHERE hash = ?`, hashSecret(token)).
		Scan(&id, &g.Tenant, &role, &services, &clients, &personal, &revoked, &used)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && revoked != nil) {
		return model.Principal{}, ErrBadCredentials
	}
	if err != nil {
		return model.Principal{}, fmt.Errorf("authenticate token: %w", err)
	}
	now := time.Now().UnixMilli()
	if (used == nil || now-*used > 60_000) && db.uses != nil {
		db.uses.note(id, now)
	}
	g.Role, g.Services, g.Clients = model.Role(role), parseList(services), parseList(clients)
	p := personal == 1
	g.Personal = &p
	return g.principal("token:" + id), nil
}

// ErrUserOtherTenant is returned when a username is saved for a tenant
// other than the one it belongs to.
var ErrUserOtherTenant = errors.New("username belongs to another tenant")

// CreateUser adds a UI login (bcrypt-hashed password), or replaces the
// password and grant of an existing one of the same tenant. Saving an
// existing user ends all its sessions (a new password must lock out whoever
// had the old one). A username never moves to another tenant: that is
// ErrUserOtherTenant, and nothing changes.
func (db *DB) CreateUser(ctx context.Context, username, password string, g Grant) error {
	if !model.ValidRole(string(g.Role)) {
		return fmt.Errorf("unknown role %q (admin, supervisor, analyst, viewer)", g.Role)
	}
	if len(password) < 8 {
		return fmt.Errorf("password must have at least 8 characters")
	}
	if err := db.EnsureTenant(ctx, g.Tenant); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	personal := model.DefaultPersonalData(g.Role)
	if g.Personal != nil {
		personal = *g.Personal
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create user %s: %w", username, err)
	}
	defer tx.Rollback()
	// One statement decides, so a concurrent save cannot slip between a
	// check and the write: the update applies only within the tenant.
	res, err := db.exec(ctx, tx, `INSERT INTO accounts (username, tenant, pw_hash, role, services, clients, personal, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (username) DO UPDATE SET pw_hash = excluded.pw_hash, role = excluded.role, services = excluded.services, clients = excluded.clients, personal = excluded.personal
		WHERE accounts.tenant = excluded.tenant`,
		username, g.Tenant, string(hash), string(g.Role), listJSON(g.Services), listJSON(g.Clients), b2i(personal), time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("create user %s: %w", username, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var other string
		_ = db.queryRow(ctx, tx, `SELECT tenant FROM accounts WHERE username = ?`, username).Scan(&other)
		return fmt.Errorf("user %s: %w %q, not %q; a username cannot move to another tenant (choose another username)", username, ErrUserOtherTenant, other, g.Tenant)
	}
	if _, err := db.exec(ctx, tx, `DELETE FROM sessions WHERE username = ?`, username); err != nil {
		return fmt.Errorf("create user %s: end sessions: %w", username, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create user %s: %w", username, err)
	}
	return nil
}

// CheckPassword verifies a login.
func (db *DB) CheckPassword(ctx context.Context, username, password string) (model.Principal, error) {
	g, hash, err := db.account(ctx, username)
	if err != nil {
		// Spend the same time as a real check so that timing does not tell
		// which usernames exist.
		_ = bcrypt.CompareHashAndPassword([]byte("$2a$10$7EqJtq98hPqEX7fNZaFWoOHiA7Ew2bE9Y1ZrD4BNvV4p9C8b1Gx5e"), []byte(password))
		return model.Principal{}, ErrBadCredentials
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return model.Principal{}, ErrBadCredentials
	}
	return g.principal("user:" + username), nil
}

func (db *DB) account(ctx context.Context, username string) (Grant, string, error) {
	var g Grant
	var role, hash string
	var services, clients *string
	var personal, disabled int
	err := db.queryRow(ctx, db.r, `SELECT tenant, pw_hash, role, services, clients, personal, disabled FROM accounts WHERE username = ?`, username).
		Scan(&g.Tenant, &hash, &role, &services, &clients, &personal, &disabled)
	if err != nil {
		return g, "", ErrBadCredentials
	}
	if disabled != 0 {
		return g, "", ErrBadCredentials
	}
	g.Role, g.Services, g.Clients = model.Role(role), parseList(services), parseList(clients)
	p := personal == 1
	g.Personal = &p
	return g, hash, nil
}

// Session is a logged-in browser.
type Session struct {
	Principal model.Principal
	Username  string
	CSRF      string
}

// CreateSession opens a session for username and returns its secret id.
func (db *DB) CreateSession(ctx context.Context, username string, ttl time.Duration) (string, error) {
	id := randomHex(32)
	now := time.Now()
	_, err := db.exec(ctx, db.w, `INSERT INTO sessions (hash, username, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hashSecret(id), username, randomHex(16), now.UnixMilli(), now.Add(ttl).UnixMilli())
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return id, nil
}

// SessionByID resolves a session cookie. It reads through the reader pool
// and writes nothing: a session is not touched on use (it lasts its fixed
// lifetime), so a UI page never waits for the writer.
func (db *DB) SessionByID(ctx context.Context, id string) (Session, error) {
	var s Session
	var expires int64
	err := db.queryRow(ctx, db.r, `SELECT username, csrf, expires_at FROM sessions WHERE hash = ?`, hashSecret(id)).Scan(&s.Username, &s.CSRF, &expires)
	if err != nil || expires < time.Now().UnixMilli() {
		return s, ErrBadCredentials
	}
	g, _, err := db.account(ctx, s.Username)
	if err != nil {
		return s, err
	}
	s.Principal = g.principal("user:" + s.Username)
	return s, nil
}

// DeleteSession logs a session out.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	_, err := db.exec(ctx, db.w, `DELETE FROM sessions WHERE hash = ?`, hashSecret(id))
	return err
}

// AccountTenant returns the tenant of a login name, or "" when unknown.
func (db *DB) AccountTenant(ctx context.Context, username string) string {
	var tenant string
	if err := db.queryRow(ctx, db.r, `SELECT tenant FROM accounts WHERE username = ?`, username).Scan(&tenant); err != nil {
		return ""
	}
	return tenant
}

// HasLogins reports whether any account can log in (enabled) or any API
// token is valid: an empty store served as is needs a first login.
func (db *DB) HasLogins(ctx context.Context) (bool, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM accounts WHERE disabled = 0) + (SELECT COUNT(*) FROM tokens WHERE revoked_at IS NULL)`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("count logins: %w", err)
	}
	return n > 0, nil
}
