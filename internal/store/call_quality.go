package store

import (
	"context"
	"fmt"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
)

// backfillCallQuality fills legs.call_quality of the voice legs stored
// before migration 0009, inside the migration's transaction, from the
// QUALIDADE DE CHAMADA cell each row already prints (metrics.QualityValue:
// the same mapping derivation uses, so column and cell agree). Rows whose
// cells do not have the current voice column count (derived by a release
// with other columns) keep an empty call_quality — `rastro rebuild` derives them afresh.
func (db *DB) backfillCallQuality(ctx context.Context, q querier) error {
	cols := model.ColumnsFor(model.MediaVoice)
	idx := -1
	for i, c := range cols {
		if c == "QUALIDADE DE CHAMADA" {
			idx = i
		}
	}
	if idx < 0 {
		return fmt.Errorf("backfill call quality: no QUALIDADE DE CHAMADA column for voice")
	}
	const page = 2000
	after := int64(-1 << 62)
	for {
		byValue := map[string][]int64{}
		n := 0
		rows, err := db.query(ctx, q, `SELECT k, cells FROM legs WHERE media = ? AND k > ? ORDER BY k LIMIT ?`, model.MediaVoice, after, page)
		if err != nil {
			return fmt.Errorf("backfill call quality: %w", err)
		}
		for rows.Next() {
			var k int64
			var cells string
			if err := rows.Scan(&k, &cells); err != nil {
				rows.Close()
				return err
			}
			n++
			after = k
			c := DecodeCells(cells)
			if len(c) != len(cols) {
				continue
			}
			if v := metrics.QualityValue(c[idx]); v != "" {
				byValue[v] = append(byValue[v], k)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("backfill call quality: %w", err)
		}
		for v, ks := range byValue {
			args := make([]any, 0, len(ks)+1)
			args = append(args, v)
			for _, k := range ks {
				args = append(args, k)
			}
			if _, err := db.exec(ctx, q, `UPDATE legs SET call_quality = ? WHERE k IN (`+placeholders(len(ks))+`)`, args...); err != nil {
				return fmt.Errorf("backfill call quality: %w", err)
			}
		}
		if n < page {
			return nil
		}
	}
}
