package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// FollowPosition is how far `rastro ingest --follow` has stored a file.
type FollowPosition struct {
	Format string
	FileID string // device:inode of the file the offset belongs to
	Offset int64  // bytes stored (always the end of a line)
	Lines  int64  // lines up to Offset
}

// FollowPosition reads the stored position of path (ok false: none yet).
func (db *DB) FollowPosition(ctx context.Context, tenant, path string) (p FollowPosition, ok bool, err error) {
	err = db.queryRow(ctx, db.w, `SELECT format, file_id, byte_offset, lines FROM follow_positions WHERE tenant = ? AND path = ?`, tenant, path).
		Scan(&p.Format, &p.FileID, &p.Offset, &p.Lines)
	if errors.Is(err, sql.ErrNoRows) {
		return FollowPosition{}, false, nil
	}
	if err != nil {
		return FollowPosition{}, false, fmt.Errorf("read follow position of %s: %w", path, err)
	}
	return p, true, nil
}

// SetFollowPosition records the position of path, durably.
func (db *DB) SetFollowPosition(ctx context.Context, tenant, path string, p FollowPosition) error {
	_, err := db.exec(ctx, db.w, `INSERT INTO follow_positions (tenant, path, format, file_id, byte_offset, lines, at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant, path) DO UPDATE SET format = excluded.format, file_id = excluded.file_id, byte_offset = excluded.byte_offset, lines = excluded.lines, at = excluded.at`,
		tenant, path, p.Format, p.FileID, p.Offset, p.Lines, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("store follow position of %s: %w", path, err)
	}
	return nil
}
