package report

import (
	"encoding/json"
	"sort"
	"strings"
)

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

// tableRows streams a table a report computes whole (the rows, then the
// totals row): the first run computes it, a later run replays it, so the
// API can count an export's rows before streaming them without a second
// query.
func tableRows(compute func() (Table, error)) RowSource {
	var t *Table
	return func(emit func([]string) error) error {
		if t == nil {
			computed, err := compute()
			if err != nil {
				return err
			}
			t = &computed
		}
		for _, row := range t.Rows {
			if err := emit(row); err != nil {
				return err
			}
		}
		if t.Totals != nil {
			return emit(t.Totals)
		}
		return nil
	}
}

// sortByName orders the rows of a report by name (case-insensitive), then
// id; rows with an empty id (calls without a service or an agent) last.
func sortByName[T any](rows []T, nameID func(T) (name, id string)) {
	sort.SliceStable(rows, func(i, j int) bool {
		na, ia := nameID(rows[i])
		nb, ib := nameID(rows[j])
		if (ia == "") != (ib == "") {
			return ib == ""
		}
		if la, lb := strings.ToLower(na), strings.ToLower(nb); la != lb {
			return la < lb
		}
		return ia < ib
	})
}
