package store

import (
	"context"
	"fmt"
)

// Extensions maps each phone extension of the tenant's directory
// (user.upserted's extension) to its user id, so that a PBX connector can
// name the agent of a call that never touched a queue. An extension held
// by several users maps to the first id in order.
func (db *DB) Extensions(ctx context.Context, tenant string) (map[string]string, error) {
	rows, err := db.query(ctx, db.r, `SELECT extension, id FROM users WHERE tenant = ? AND extension <> '' ORDER BY id`, tenant)
	if err != nil {
		return nil, fmt.Errorf("list extensions: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var ext, id string
		if err := rows.Scan(&ext, &id); err != nil {
			return nil, fmt.Errorf("list extensions: %w", err)
		}
		if _, ok := out[ext]; !ok {
			out[ext] = id
		}
	}
	return out, rows.Err()
}
