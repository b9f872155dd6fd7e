// Package report answers the four reports of SPEC.md — Rastreio de
// Interações, Fluxo Ágil, Relatório IVR and Relatório de Agentes — from the
// store: it validates parameters (every problem at once), runs the scoped
// queries, masks personal data for principals without the permission, and
// writes tables for the screen and the JSON API and streamed CSV/XLSX
// exports. The screen, the API and every export print the same cells.
package report

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// Reports answers reports from a store.
type Reports struct {
	DB *store.DB
	// Analytics, when set, answers the Rastreio (count, pages, exports),
	// the Relatório IVR, the Relatório de Agentes and the Fluxo Ágil (rows,
	// export, drop-off) instead of the store;
	// the store answers when it is unreachable.
	Analytics AnalyticsReader
}

// New returns Reports over db.
func New(db *store.DB) *Reports { return &Reports{DB: db} }

// Table is a report page: the header and the rows in column order.
type Table struct {
	Columns    []string
	Rows       [][]string
	NextCursor string
	// Totals is the totals row of aggregate reports (nil elsewhere).
	Totals []string
	// Keys holds, per row, the key of its Ação/history link (Rastreio: the
	// protocol; Fluxo Ágil: "batch/contact"); not part of the JSON rows.
	Keys []string
	// Links holds, per row and column, the Rastreio query string (url-encoded
	// parameters, media included) behind a count: the drill-down. "" = none.
	// TotalsLinks is the same for the totals row.
	Links       [][]string
	TotalsLinks []string
}

// Chart is a series chart a page draws (server-side SVG, no CDN).
type Chart struct {
	Title  string   `json:"title"`
	Labels []string `json:"labels"` // x axis (hours, days)
	Series []Series `json:"series"`
}

// Series is one line/bar set of a Chart.
type Series struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// MarshalJSON writes the contract form: rows keyed by header name, values
// formatted exactly as in the CSV.
func (t Table) MarshalJSON() ([]byte, error) {
	rows := make([]map[string]string, len(t.Rows))
	for i, r := range t.Rows {
		m := make(map[string]string, len(t.Columns))
		for j, c := range t.Columns {
			if j < len(r) {
				m[c] = r[j]
			}
		}
		rows[i] = m
	}
	var next any
	if t.NextCursor != "" {
		next = t.NextCursor
	}
	out := map[string]any{"columns": t.Columns, "rows": rows, "next_cursor": next}
	if t.Totals != nil {
		m := make(map[string]string, len(t.Columns))
		for j, c := range t.Columns {
			if j < len(t.Totals) {
				m[c] = t.Totals[j]
			}
		}
		out["totals"] = m
	}
	return json.Marshal(out)
}

// Problem is one bad parameter.
type Problem struct {
	Param  string `json:"param"`
	Reason string `json:"reason"`
}

// ParamError lists every bad parameter of a request (HTTP 400).
type ParamError struct {
	Problems []Problem `json:"errors"`
}

func (e *ParamError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Param + ": " + p.Reason
	}
	return "invalid parameters: " + strings.Join(parts, "; ")
}

func (e *ParamError) add(param, reason string, args ...any) {
	e.Problems = append(e.Problems, Problem{Param: param, Reason: fmt.Sprintf(reason, args...)})
}

func (e *ParamError) err() error {
	if e == nil || len(e.Problems) == 0 {
		return nil
	}
	return e
}

// tenantZone loads the principal's tenant time zone.
func (r *Reports) tenantZone(ctx context.Context, tenant string) (*time.Location, store.Tenant, error) {
	t, err := r.DB.Tenant(ctx, tenant)
	if err != nil {
		return nil, t, err
	}
	loc, err := time.LoadLocation(t.TZ)
	if err != nil {
		return nil, t, fmt.Errorf("tenant %s time zone %q: %w", tenant, t.TZ, err)
	}
	return loc, t, nil
}

// masker returns the function that masks a column's cell for p, or nil when
// p may see personal data.
func masker(p model.Principal, columns []string) func(row []string) {
	if p.PersonalData {
		return nil
	}
	type col struct {
		i    int
		kind string
	}
	var cols []col
	for i, c := range columns {
		if k, ok := model.PersonalColumns[c]; ok {
			cols = append(cols, col{i, k})
		}
	}
	return func(row []string) {
		for _, c := range cols {
			if c.i >= len(row) || row[c.i] == "" {
				continue
			}
			switch c.kind {
			case "document":
				row[c.i] = metrics.MaskDocument(row[c.i])
			case "phone":
				row[c.i] = metrics.MaskPhone(row[c.i])
			case "email":
				row[c.i] = metrics.MaskEmail(row[c.i])
			}
		}
	}
}
