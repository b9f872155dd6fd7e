package report

import (
	"context"
	"net/url"
	"strings"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// Relatório IVR columns (SPEC.md §5). The first column names the group and
// depends on group_by (IVRGroupLabels); the others are, per group, over the
// IVR visits (one per ivr.entered) whose entry hour falls in the period:
//
//   - Recebidas: calls that entered the IVR (visits).
//   - Finalizadas na URA: visits that left the IVR with outcome "finished".
//   - Transferidas: visits that left with outcome "transferred" (to a service).
//   - Abandonadas na URA: visits that left with outcome "abandoned".
//     (A visit whose ivr.left has not arrived yet is only in Recebidas.)
//   - Atendidas: visits after which a leg was delivered to an agent (the
//     first leg delivered at or after the IVR entry).
//   - Abandonadas na fila: transferred visits whose first leg after the IVR
//     ended without being delivered (or with status abandoned). Known
//     metrics issue: a queue overflow (that leg transferred undelivered to
//     another queue, then answered) is counted here and in Atendidas.
//   - TM na URA: mean time in the IVR (ivr.left − ivr.entered) over the
//     visits that left it (Finalizadas + Transferidas + Abandonadas).
//   - TME: mean wait (leg queued → delivered) over the answered visits whose
//     wait is known.
//   - TMA: mean talk time (DURAÇÃO of the answering leg) over the answered
//     visits whose DURAÇÃO is known.
//   - Nível de serviço: answered within the tenant's sl_seconds (wait ≤
//     threshold, threshold as of derivation) ÷ (Atendidas + Abandonadas na
//     fila), as a percentage; empty when the divisor is 0.
//   - Caminhos mais frequentes: the three most frequent non-empty option
//     paths ("1 > 2 (40); 3 (12)"), count descending then path.
//
// Times print as HH:MM:SS (metrics.FormatDuration), empty when there is
// nothing to average; percentages as "85,0%" (FormatPercent); counts as
// plain integers.
var IVRColumns = []string{
	"Recebidas", "Finalizadas na URA", "Transferidas", "Abandonadas na URA", "Atendidas", "Abandonadas na fila",
	"TM na URA", "TME", "TMA", "Nível de serviço", "Caminhos mais frequentes",
}

// IVRGroupLabels is the first column's header per group_by.
var IVRGroupLabels = map[string]string{
	store.ByIVR: "IVR", store.ByService: "Serviço", store.ByAgent: "Agente", store.ByHour: "Hora", store.ByDay: "Dia",
}

// IVR group labels of ids that are empty: calls that never reached a
// service or an agent.
const (
	NoService = "(sem serviço)"
	NoAgent   = "(sem agente)"
	TotalRow  = "Total"
)

// TopPaths is how many option paths Caminhos mais frequentes lists.
const TopPaths = 3

// IVRQuery is a validated Relatório IVR request.
type IVRQuery struct {
	GroupBy string // store.ByIVR (default), ByService, ByAgent, ByHour, ByDay
	Filter  store.IVRFilter
	// MenuLabels writes the paths of Caminhos mais frequentes with the
	// IVRs' menu labels ("1 Financeiro › 2 Segunda via"), for the screen;
	// the API and the exports keep SPEC.md's options ("1 > 2").
	MenuLabels bool
	// Raw keeps the accepted parameters, for the audit log.
	Raw url.Values
}

// Columns is the header of the report for q's grouping.
func (q IVRQuery) Columns() []string {
	return append([]string{IVRGroupLabels[q.GroupBy]}, IVRColumns...)
}

// ParseIVR validates Relatório IVR parameters (from, to, group_by, agents,
// services, ivrs, user_tags), collecting every problem. extra names
// parameters the caller reads itself (format, sep, …).
func (r *Reports) ParseIVR(ctx context.Context, p model.Principal, v url.Values, extra ...string) (IVRQuery, error) {
	ps, _, err := r.parse(ctx, p, v, extra)
	q := IVRQuery{Raw: v, GroupBy: store.ByIVR}
	if err != nil {
		return q, err
	}
	errs := ps.errs
	q.Filter.FromDate, q.Filter.ToDate = ps.period().dates()
	switch g := ps.str("group_by"); g {
	case "":
	case store.ByIVR, store.ByService, store.ByAgent, store.ByHour, store.ByDay:
		q.GroupBy = g
	default:
		errs.add("group_by", "%q is not one of: ivr, service, agent, hour, day", g)
	}
	q.Filter.Agents, q.Filter.Services = ps.list("agents"), ps.list("services")
	q.Filter.IVRs, q.Filter.UserTags = ps.list("ivrs"), ps.list("user_tags")
	ps.unknown()
	return q, errs.err()
}

// IVR answers the Relatório IVR: one row per group, the totals row, and the
// Rastreio drill-down links of the counts (see ivrLinks).
func (r *Reports) IVR(ctx context.Context, p model.Principal, q IVRQuery) (Table, error) {
	var groups []store.IVRGroup
	var paths, total []store.PathCount
	var labels func(string) string
	var menus map[string]store.Labels
	ivrIDs := q.Filter.IVRs
	tasks := []func() error{
		func() (err error) { groups, err = r.ivrGroups(ctx, p, q.Filter, q.GroupBy); return },
		func() (err error) { paths, err = r.ivrTopPaths(ctx, p, q.Filter, q.GroupBy, TopPaths); return },
		func() (err error) { total, err = r.ivrTopPaths(ctx, p, q.Filter, "", TopPaths); return },
		func() (err error) { labels, err = r.ivrLabels(ctx, p, q.GroupBy); return },
	}
	if q.MenuLabels {
		tasks = append(tasks, func() (err error) { menus, err = r.DB.IVRMenus(ctx, p.Tenant); return })
	}
	if ivrIDs == nil && q.GroupBy != store.ByIVR {
		// Drill-downs must keep to calls that went through an IVR: name the
		// IVRs in the period (a Rastreio without ivrs shows every call).
		tasks = append(tasks, func() (err error) { ivrIDs, err = r.ivrsIn(ctx, p, q.Filter); return })
	}
	if err := runConcurrently(tasks...); err != nil {
		return Table{}, err
	}
	if ivrIDs == nil {
		ivrIDs = []string{} // by IVR: the groups are the IVRs
		for _, g := range groups {
			ivrIDs = append(ivrIDs, g.Key)
		}
	}
	byKey := map[string][]store.PathCount{}
	for _, c := range paths {
		byKey[c.Key] = append(byKey[c.Key], c)
	}
	type row struct {
		label string
		g     store.IVRGroup
	}
	rows := make([]row, len(groups))
	var sum store.IVRGroup
	for i, g := range groups {
		rows[i] = row{labels(g.Key), g}
		sum.Add(g)
	}
	if q.GroupBy == store.ByIVR || q.GroupBy == store.ByService || q.GroupBy == store.ByAgent {
		// By name; the groups without a service/agent last.
		sortByName(rows, func(r row) (string, string) { return r.label, r.g.Key })
	}
	pathText := func([]string) func(string) string { return nil } // SPEC.md's "1 > 2"
	if q.MenuLabels {
		pathText = func(ivrs []string) func(string) string { return menuPath(menus, ivrs) }
	}
	t := Table{Columns: q.Columns(), Rows: make([][]string, len(rows)), Links: make([][]string, len(rows))}
	for i, rw := range rows {
		scope := ivrIDs
		if q.GroupBy == store.ByIVR {
			scope = []string{rw.g.Key}
		}
		t.Rows[i] = append([]string{rw.label}, ivrCells(rw.g, byKey[rw.g.Key], pathText(scope))...)
		t.Links[i] = ivrLinks(q, rw.g.Key, ivrIDs, t.Rows[i], rw.g.Key != "")
	}
	t.Totals = append([]string{TotalRow}, ivrCells(sum, total, pathText(ivrIDs))...)
	t.TotalsLinks = ivrLinks(q, "", ivrIDs, t.Totals, len(rows) > 0)
	return t, nil
}

// ivrLabels returns the function that names a group key.
func (r *Reports) ivrLabels(ctx context.Context, p model.Principal, by string) (func(string) string, error) {
	table := map[string]string{store.ByIVR: "ivrs", store.ByService: "services", store.ByAgent: "users"}[by]
	if table == "" {
		return func(k string) string { return k }, nil
	}
	names, err := r.DB.Names(ctx, p.Tenant, table)
	if err != nil {
		return nil, err
	}
	empty := map[string]string{store.ByService: NoService, store.ByAgent: NoAgent}[by]
	return func(k string) string {
		if k == "" {
			return empty
		}
		if n := names[k]; n != "" {
			return n
		}
		return k // not in the directory (yet): the id
	}, nil
}

// ivrCells formats one group (every column but the label); pathText, when
// not nil, writes each option path.
func ivrCells(g store.IVRGroup, paths []store.PathCount, pathText func(string) string) []string {
	return []string{
		fmtCount(g.Received), fmtCount(g.Finished), fmtCount(g.Transferred), fmtCount(g.Abandoned),
		fmtCount(g.Answered), fmtCount(g.AbandonedQ),
		fmtAvgDuration(g.IVRSum, g.Finished+g.Transferred+g.Abandoned),
		fmtAvgDuration(g.WaitSum, g.WaitN),
		fmtAvgDuration(g.TalkSum, g.TalkN),
		fmtRatio(float64(g.SLN), float64(g.Answered+g.AbandonedQ)),
		formatPaths(paths, pathText),
	}
}

// formatPaths prints "1 > 2 (40); 3 (12)" (each path through pathText
// when not nil).
func formatPaths(paths []store.PathCount, pathText func(string) string) string {
	parts := make([]string, len(paths))
	for i, c := range paths {
		path := c.Path
		if pathText != nil {
			path = pathText(path)
		}
		parts[i] = path + " (" + fmtCount(c.N) + ")"
	}
	return strings.Join(parts, "; ")
}

// pathSep is how store.PathCount joins options; menuPathSep how the
// screen joins labelled ones.
const (
	pathSep     = " > "
	menuPathSep = " › "
)

// menuPath writes option paths with the menu labels of the IVRs a group's
// visits went through ("1 > 2" → "1 Financeiro › 2 Segunda via"). The label
// of the option at a depth is that of its path of keys joined by "." (a
// submenu's "1.2": Segunda via), else that of its key alone ("2"). A group
// of several IVRs (by service, agent, hour or day) sums the same path over
// them, so an option is labelled only when every one of those IVRs labels
// it alike; otherwise, or when no label is known, the option prints as
// sent.
func menuPath(menus map[string]store.Labels, ivrs []string) func(string) string {
	label := func(keys []string) string {
		var out string
		for i, id := range ivrs {
			l := menus[id].Labels[strings.Join(keys, ".")]
			if l == "" {
				l = menus[id].Labels[keys[len(keys)-1]]
			}
			if l == "" || (i > 0 && l != out) {
				return ""
			}
			out = l
		}
		return out
	}
	return func(path string) string {
		opts := strings.Split(path, pathSep)
		out := make([]string, len(opts))
		for i, o := range opts {
			out[i] = o
			if l := label(opts[:i+1]); l != "" && l != o {
				out[i] = o + " " + l
			}
		}
		return strings.Join(out, menuPathSep)
	}
}

// ivrLinkColumns are the IVR columns with Rastreio rows behind them, and the
// voice_status that narrows each. Calls finished or abandoned in the IVR have
// no leg, so no link.
var ivrLinkColumns = map[string][]string{
	"Recebidas":    nil,
	"Transferidas": nil,
	"Atendidas":    {"answered"},
	// Every voice status but answered: the queued leg ended unanswered.
	"Abandonadas na fila": {"abandoned", "no_answer", "message_left", "voicemail", "not_connected", "out_of_service"},
}

// ivrLinks builds a row's Rastreio drill-downs: media=voice, the report's
// from/to, ivrs, services, agents and user_tags, narrowed to the group (its
// IVR, service, agent, hour via hour_from/hour_to, or day via from/to). ok
// false (a group without service/agent, which the Rastreio cannot select,
// or an empty report) gives no links; nor does a zero count.
func ivrLinks(q IVRQuery, key string, ivrIDs []string, cells []string, ok bool) []string {
	cols := q.Columns()
	out := make([]string, len(cols))
	if !ok || (ivrIDs != nil && len(ivrIDs) == 0) {
		return out // ivrs= empty would not narrow the Rastreio at all
	}
	base := url.Values{"media": {model.MediaVoice}}
	setListParam(base, "ivrs", ivrIDs)
	setListParam(base, "services", q.Filter.Services)
	setListParam(base, "agents", q.Filter.Agents)
	setListParam(base, "user_tags", q.Filter.UserTags)
	setParam(base, "from", q.Filter.FromDate)
	setParam(base, "to", q.Filter.ToDate)
	if key != "" {
		switch q.GroupBy {
		case store.ByIVR:
			base.Set("ivrs", key)
		case store.ByService:
			base.Set("services", key)
		case store.ByAgent:
			base.Set("agents", key)
		case store.ByHour:
			base.Set("hour_from", key+":00")
			base.Set("hour_to", key+":59")
		case store.ByDay:
			base.Set("from", key)
			base.Set("to", key)
		}
	}
	for i, c := range cols {
		vs, linked := ivrLinkColumns[c]
		if !linked || i == 0 || cells[i] == "0" {
			continue
		}
		v := copyValues(base)
		setListParam(v, "voice_status", vs)
		out[i] = v.Encode()
	}
	return out
}

// IVRChart draws Recebidas, Atendidas and Abandonadas (in the IVR + in the
// queue) per hour of day (group_by=hour, or a one-day period) or per day
// (otherwise; every day from the first to the last with calls, within the
// period).
func (r *Reports) IVRChart(ctx context.Context, p model.Principal, q IVRQuery) (Chart, error) {
	by := chartGrain(q.GroupBy, q.Filter.FromDate, q.Filter.ToDate)
	groups, err := r.ivrGroups(ctx, p, q.Filter, by)
	if err != nil {
		return Chart{}, err
	}
	return countsChart(by, map[string]string{store.ByHour: "Chamadas por hora", store.ByDay: "Chamadas por dia"}, [3]string{"Recebidas", "Atendidas", "Abandonadas"},
		groups, func(g store.IVRGroup) string { return g.Key },
		func(g store.IVRGroup) [3]int64 { return [3]int64{g.Received, g.Answered, g.Abandoned + g.AbandonedQ} }), nil
}

// IVRRows streams the export of the report in q.Columns() order: the
// table's rows, then the totals row (first cell "Total").
func (r *Reports) IVRRows(ctx context.Context, p model.Principal, q IVRQuery) RowSource {
	return tableRows(func() (Table, error) { return r.IVR(ctx, p, q) })
}
