package store

import (
	"database/sql"
	"strings"
	"time"
)

// The SQL toolkit: placeholders and IN lists, LIKE patterns, literals and
// identifiers, and the stored forms of times, booleans and optional
// numbers. Scoped WHERE clauses are built with Query (scope.go); "?"
// placeholders become "$n" on PostgreSQL in DB.rebind.

func nullInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

func nullFloat(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return &v.Float64
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

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// ms converts a time to the stored form: Unix milliseconds, UTC.
func ms(t time.Time) int64 { return t.UnixMilli() }

// msp is ms for an optional time (NULL when nil).
func msp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// placeholders returns "?,?,?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

func fp(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func inList(values []string) (string, []any) {
	if len(values) == 0 {
		return "NULL", nil
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return placeholders(len(values)), args
}

func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' {
			continue
		}
		out = append(out, r)
	}
	return string(out)
}
