package store

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/rastro/rastro/internal/model"
)

// CopyLegCells streams the stored cells of the legs an export of f would
// write (same scope, filters and order) with PostgreSQL's COPY … TO STDOUT:
// the ceiling the Go export path is measured against. COPY takes no
// parameters, so the filter's values are inlined as literals.
func (db *DB) CopyLegCells(ctx context.Context, p model.Principal, f LegFilter, w io.Writer) (int64, error) {
	if db.dialect != Postgres {
		return 0, fmt.Errorf("COPY needs PostgreSQL")
	}
	where, args := db.legWhere(p, f).Where()
	from, at, k := legsFrom(f)
	var b strings.Builder
	for _, part := range strings.Split(where, "?") {
		b.WriteString(part)
		if len(args) == 0 {
			continue
		}
		switch v := args[0].(type) {
		case string:
			b.WriteString(quoteLiteral(v))
		case int, int64:
			fmt.Fprintf(&b, "%d", v)
		default:
			return 0, fmt.Errorf("COPY ceiling: cannot inline %T", v)
		}
		args = args[1:]
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var n int64
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn().PgConn()
		tag, err := pc.CopyTo(ctx, w, `COPY (SELECT l.cells FROM `+from+` WHERE `+b.String()+` ORDER BY `+at+`, `+k+`) TO STDOUT WITH (FORMAT csv)`)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}
