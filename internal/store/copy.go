package store

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/stdlib"
)

// CopyLegCells streams the stored cells of a media's legs with PostgreSQL's
// COPY … TO STDOUT: the ceiling the Go export path is measured against.
func (db *DB) CopyLegCells(ctx context.Context, tenant, media string, w io.Writer) (int64, error) {
	if db.dialect != Postgres {
		return 0, fmt.Errorf("COPY needs PostgreSQL")
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var n int64
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn().PgConn()
		sqlText := fmt.Sprintf(`COPY (SELECT cells FROM legs WHERE tenant = %s AND media = %s ORDER BY entered_at, k) TO STDOUT WITH (FORMAT csv)`,
			quoteLiteral(tenant), quoteLiteral(media))
		tag, err := pc.CopyTo(ctx, w, sqlText)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

func quoteLiteral(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}
