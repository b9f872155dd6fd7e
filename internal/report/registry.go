package report

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/rastro/rastro/internal/model"
)

// Report is one of the four reports, in the one shape the JSON API, the
// pages, the CLI and `rastro bench` drive: parse the parameters (every
// problem at once), then answer a page (Table) or an export (columns and
// streamed rows). The reports are listed once, in (*Reports).All.
type Report interface {
	// Name is the report's id: its API path (/api/v1/reports/NAME), the
	// CLI's `rastro report NAME`, the audit log's and the metrics' label.
	Name() string
	// Parse validates the parameters; extra names those the caller reads
	// itself (format, sep, …). A *ParamError lists every bad one.
	Parse(ctx context.Context, p model.Principal, v url.Values, extra ...string) (Query, error)
	// Table answers the page (JSON API, screen).
	Table(ctx context.Context, p model.Principal, q Query) (Table, error)
	// Export is what a CSV/XLSX export of q streams.
	Export(ctx context.Context, p model.Principal, q Query) Export
	// Params lists the parameters Parse reads, sorted (`rastro report NAME
	// --help`; a test keeps it equal to what Parse reads).
	Params() []string
}

// Query is a validated request of a report (InteractionQuery, FluxoQuery,
// IVRQuery, AgentsQuery).
type Query interface {
	// Columns is the header of the report's table and export.
	Columns() []string
}

// Export is an export of a report: its header, its rows, and the file
// name's stem.
type Export struct {
	File    string
	Columns []string
	Rows    RowSource
	// Count returns the number of data rows Rows will emit when it is known
	// before the first one without a pass over the data, else -1. An error
	// is the report's own: the export cannot run.
	Count func() (int64, error)
}

// kind is a Report made of one report's typed functions.
type kind[Q Query] struct {
	name   string
	params []string
	file   func(Q) string
	parse  func(context.Context, model.Principal, url.Values, ...string) (Q, error)
	table  func(context.Context, model.Principal, Q) (Table, error)
	rows   func(context.Context, model.Principal, Q) RowSource
	// count is the row count of an export before it streams; nil: unknown.
	count func(context.Context, model.Principal, Q, RowSource) (int64, error)
}

func (k kind[Q]) Name() string { return k.name }

func (k kind[Q]) Params() []string { return append([]string(nil), k.params...) }

func (k kind[Q]) Parse(ctx context.Context, p model.Principal, v url.Values, extra ...string) (Query, error) {
	return k.parse(ctx, p, v, extra...)
}

func (k kind[Q]) query(q Query) (Q, error) {
	tq, ok := q.(Q)
	if !ok {
		return tq, fmt.Errorf("report %s: a query of another report (%T)", k.name, q)
	}
	return tq, nil
}

func (k kind[Q]) Table(ctx context.Context, p model.Principal, q Query) (Table, error) {
	tq, err := k.query(q)
	if err != nil {
		return Table{}, err
	}
	return k.table(ctx, p, tq)
}

func (k kind[Q]) Export(ctx context.Context, p model.Principal, q Query) Export {
	tq, err := k.query(q)
	if err != nil {
		fail := func(func([]string) error) error { return err }
		return Export{File: k.name, Rows: fail, Count: func() (int64, error) { return 0, err }}
	}
	e := Export{File: k.file(tq), Columns: tq.Columns(), Rows: k.rows(ctx, p, tq), Count: func() (int64, error) { return -1, nil }}
	if k.count != nil {
		e.Count = func() (int64, error) { return k.count(ctx, p, tq, e.Rows) }
	}
	return e
}

// All lists the reports, in the order the API, the CLI and bench name them.
func (r *Reports) All() []Report {
	return []Report{
		kind[InteractionQuery]{
			name: "interactions", params: []string{"agents", "call_quality", "contacts", "cursor", "email", "expiration_status", "external_id", "external_protocol", "from", "hour_from", "hour_to", "ivrs", "limit", "media", "order", "phone", "portfolio", "protocol", "service_status", "services", "tags", "to", "user_tags", "voice_status"},
			parse: r.ParseInteractions, table: r.Interactions, rows: r.InteractionRows,
			file:  func(q InteractionQuery) string { return "rastreio-" + q.Filter.Media },
			count: r.exportCount,
		},
		kind[FluxoQuery]{
			name: "fluxo-agil", params: []string{"batch", "campaign", "client", "cursor", "from", "limit", "reached_human", "sort", "step", "to"},
			parse: r.ParseFluxo, table: r.Fluxo, rows: r.FluxoRows,
			file: func(FluxoQuery) string { return "fluxo-agil" },
			// Counting would cost a second pass over the conversations.
		},
		kind[IVRQuery]{
			name: "ivr", params: []string{"agents", "from", "group_by", "ivrs", "services", "to", "user_tags"},
			parse: r.ParseIVR, table: r.IVR, rows: r.IVRRows,
			file: func(IVRQuery) string { return "relatorio-ivr" }, count: replayCount[IVRQuery],
		},
		kind[AgentsQuery]{
			name: "agents", params: []string{"agents", "from", "hour_from", "hour_to", "media", "services", "to", "user_status", "user_tags"},
			parse: r.ParseAgents, table: r.Agents, rows: r.AgentsRows,
			file: func(AgentsQuery) string { return "relatorio-agentes" }, count: replayCount[AgentsQuery],
		},
	}
}

// Names lists the reports' names (All).
func Names() []string {
	var r *Reports
	all := r.All()
	names := make([]string, len(all))
	for i, k := range all {
		names[i] = k.Name()
	}
	return names
}

// Report finds a report by name.
func (r *Reports) Report(name string) (Report, error) {
	for _, k := range r.All() {
		if k.Name() == name {
			return k, nil
		}
	}
	return nil, fmt.Errorf("unknown report %q: %s", name, strings.Join(Names(), ", "))
}

// exportCount is the Rastreio export's row count: the indexed count the
// page shows anyway, which lets the UI show a percentage while the rows
// stream. When it fails the export streams without it (-1).
func (r *Reports) exportCount(ctx context.Context, p model.Principal, q InteractionQuery, _ RowSource) (int64, error) {
	n, err := r.CountLegs(ctx, p, q.Filter)
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		slog.Warn("export row count failed; streaming without it", "report", "interactions", "err", err)
		return -1, nil
	}
	return n, nil
}

// replayCount counts the rows of a report computed whole (IVR, Agentes):
// the dry run computes the table, which the export then replays
// (tableRows), so it costs no second query.
func replayCount[Q Query](_ context.Context, _ model.Principal, _ Q, rows RowSource) (int64, error) {
	var n int64
	err := rows(func([]string) error { n++; return nil })
	return n, err
}
