package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rastro/rastro/internal/model"
)

// Option is an id and a label for a filter list.
type Option struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	// Parent is the owning client (campaigns) or campaign (batches).
	Parent string `json:"parent,omitempty"`
}

// Agent is a directory user as filters and the Agentes report need it.
type Agent struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Status string   `json:"status"`
	Tags   []string `json:"tags"`
}

func (db *DB) options(ctx context.Context, q string, args ...any) ([]Option, error) {
	rows, err := db.query(ctx, db.r, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list options: %w", err)
	}
	defer rows.Close()
	var out []Option
	for rows.Next() {
		var o Option
		if err := rows.Scan(&o.ID, &o.Label, &o.Parent); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Services lists the services p may see.
func (db *DB) Services(ctx context.Context, p model.Principal) ([]Option, error) {
	where, args := NewLegQuery(p, "s").Where()
	// services has id, not service_id: the scope column is renamed here.
	return db.options(ctx, `SELECT s.id, s.name, '' FROM (SELECT tenant, id, id AS service_id, name FROM services) s WHERE `+where+` ORDER BY s.name`, args...)
}

// Tags lists the finalization tags.
func (db *DB) Tags(ctx context.Context, p model.Principal) ([]Option, error) {
	return db.options(ctx, `SELECT id, name, '' FROM tags WHERE tenant = ? ORDER BY name`, p.Tenant)
}

// IVRs lists the IVRs.
func (db *DB) IVRs(ctx context.Context, p model.Principal) ([]Option, error) {
	return db.options(ctx, `SELECT id, name, '' FROM ivrs WHERE tenant = ? ORDER BY name`, p.Tenant)
}

// UserTags lists the distinct user tags.
func (db *DB) UserTags(ctx context.Context, p model.Principal) ([]Option, error) {
	return db.options(ctx, `SELECT DISTINCT tag, tag, '' FROM user_tags WHERE tenant = ? ORDER BY tag`, p.Tenant)
}

// Agents lists the directory users. A principal limited to services sees
// only the agents of legs in those services (as the Agentes report lists
// them), scoped in the same WHERE as the tenant.
func (db *DB) Agents(ctx context.Context, p model.Principal) ([]Agent, error) {
	where, args := NewUserQuery(p, "u").Where()
	rows, err := db.query(ctx, db.r, `SELECT u.id, u.name, u.status, u.tags FROM users u WHERE `+where+` ORDER BY u.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	defer rows.Close()
	var out []Agent
	for rows.Next() {
		var a Agent
		var tags string
		if err := rows.Scan(&a.ID, &a.Name, &a.Status, &tags); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(tags), &a.Tags)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Clients lists the clients p may see.
func (db *DB) Clients(ctx context.Context, p model.Principal) ([]Option, error) {
	where, args := NewClientQuery(p, "c").Where()
	return db.options(ctx, `SELECT c.id, c.name, '' FROM (SELECT tenant, id, id AS client_id, name FROM clients) c WHERE `+where+` ORDER BY c.name`, args...)
}

// Campaigns lists the campaigns of the clients p may see ("" = all).
func (db *DB) Campaigns(ctx context.Context, p model.Principal, clientID string) ([]Option, error) {
	q := NewClientQuery(p, "c")
	if clientID != "" {
		q.And("c.client_id = ?", clientID)
	}
	where, args := q.Where()
	return db.options(ctx, `SELECT c.id, c.name, c.client_id FROM campaigns c WHERE `+where+` ORDER BY c.name`, args...)
}

// Batches lists the batches of a campaign p may see ("" = all).
func (db *DB) Batches(ctx context.Context, p model.Principal, campaignID string) ([]Option, error) {
	q := NewClientQuery(p, "c")
	if campaignID != "" {
		q.And("b.campaign_id = ?", campaignID)
	}
	where, args := q.Where()
	return db.options(ctx, `SELECT b.id, b.name, b.campaign_id FROM batches b JOIN campaigns c ON c.tenant = b.tenant AND c.id = b.campaign_id WHERE `+where+` ORDER BY b.name`, args...)
}

// SearchContacts finds contacts whose name contains text, accent- and
// case-insensitively (Buscar contato → Contatos). A principal limited to
// services sees only contacts of legs in those services; one limited to
// clients only contacts of those clients' bot conversations.
func (db *DB) SearchContacts(ctx context.Context, p model.Principal, text string, limit int) ([]Option, error) {
	key := SearchKey(text)
	if key == "" {
		return nil, nil
	}
	where, args := NewContactQuery(p, "c", "c.name_key LIKE ?", "%"+escapeLike(key)+"%").Where()
	return db.options(ctx, `SELECT c.id, c.name, '' FROM contacts c WHERE `+where+` ORDER BY c.name_key, c.id LIMIT ?`, append(args, limit)...)
}
