package report

import (
	"context"
	"net/url"
	"sort"
	"strings"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// AgentsColumns is the Relatório de Agentes header (SPEC.md §6). One row
// per agent (legs without an agent belong to no row), over the legs whose
// DATA/HORA (entry) hour falls in the period and hours, of the selected
// media and services, and over the agent's logged-in and pause time in the
// same hours:
//
//   - Agente: the agent's directory name (its id while unknown).
//   - Atendimentos finalizados: legs with status "service completed".
//   - Transferidos: legs with status "service transferred".
//   - Outros: legs with any other status (abandoned, bad phone, bad number,
//     dequeued).
//   - Duração total: sum of DURAÇÃO (Rastreio rule) of the legs.
//   - Duração média: Duração total ÷ legs with a DURAÇÃO.
//   - TM1R médio, TMR médio, TMP médio, TMI médio: mean of the leg's TM1R /
//     TMR / TMP / TMI over the legs where that metric has a value (sum ÷ n;
//     TMR médio is the mean of the legs' TMR, not of every reply).
//   - Tempo logado: logged-in time; per local hour, the largest login span
//     among the selected media and the all-media logins (so logins of several
//     media at once count once), added up. Not limited by the services filter.
//   - Tempo em pausa: total pause time (any media). Not limited by services.
//   - Pausas por motivo: "Almoço 00:45:00; Banheiro 00:05:00", longest first.
//   - Ocupação: Duração total ÷ Tempo logado, "72,5%" (FormatPercent); empty
//     without logged-in time. Can exceed 100% with concurrent chats.
//   - Tags de finalização: "Resolvido (12); Retorno (3)", most used first.
//
// Durations print HH:MM:SS; a time or average with nothing behind it prints
// empty (never "00:00:00" for "no data"); counts print as plain integers.
// Only logins and pauses already closed count (metrics.DeriveAgentSpans).
var AgentsColumns = []string{
	"Agente", "Atendimentos finalizados", "Transferidos", "Outros", "Duração total", "Duração média",
	"TM1R médio", "TMR médio", "TMP médio", "TMI médio", "Tempo logado", "Tempo em pausa",
	"Pausas por motivo", "Ocupação", "Tags de finalização",
}

// NoReason labels a pause without reason.
const NoReason = "(sem motivo)"

// AgentsQuery is a validated Relatório de Agentes request.
type AgentsQuery struct {
	Filter store.AgentFilter
	// Media holds the selected media (nil = all), with their filter rules
	// (for the drill-down links).
	Media []model.Media
	// HourFrom/HourTo are the accepted hour_from/hour_to as "HH:00"/"HH:59"
	// (the whole hours covered); "" when absent.
	HourFrom, HourTo string
	// Raw keeps the accepted parameters, for the audit log.
	Raw url.Values
}

// ParseAgents validates Relatório de Agentes parameters (media, from, to,
// hour_from, hour_to, services, user_tags, agents, user_status), collecting
// every problem. extra names parameters the caller reads itself.
func (r *Reports) ParseAgents(ctx context.Context, p model.Principal, v url.Values, extra ...string) (AgentsQuery, error) {
	ps, tc, err := r.parse(ctx, p, v, extra)
	q := AgentsQuery{Raw: v}
	if err != nil {
		return q, err
	}
	errs := ps.errs
	f := &q.Filter
	if ms := ps.list("media"); ms != nil {
		ps.enum("media", ms, tc.MediaIDs()...)
		for _, id := range uniqueStrings(ms) {
			if m, ok := tc.MediaByID(id); ok {
				q.Media = append(q.Media, m)
				f.Media = append(f.Media, id)
			}
		}
	}
	f.FromDate, f.ToDate = ps.period().dates()
	// The rollups' grain is the local hour: hour_from covers from the start
	// of its hour, hour_to to the end of its hour.
	hf, ht := ps.hour("hour_from", false), ps.hour("hour_to", true)
	if hf != "" {
		f.HourFrom, q.HourFrom = hf[:2], hf[:2]+":00"
	}
	if ht != "" {
		f.HourTo, q.HourTo = ht[:2], ht[:2]+":59"
	}
	if hf != "" && ht != "" && ht < hf {
		errs.add("hour_to", "must not be before hour_from")
	}
	f.Services, f.UserTags, f.Agents = ps.list("services"), ps.list("user_tags"), ps.list("agents")
	if us := ps.list("user_status"); us != nil {
		ps.enum("user_status", us, model.UserStatuses...)
		f.UserStatus = us
	}
	ps.unknown()
	return q, errs.err()
}

// Columns is the header of the report (AgentsColumns).
func (q AgentsQuery) Columns() []string { return AgentsColumns }

// agentRow is one agent's figures before formatting.
type agentRow struct {
	id, name string
	legs     store.AgentLegs
	logged   float64
	paused   float64
	pauses   []store.AgentTime // per reason, longest first
	tags     []store.AgentTagCount
}

// Agents answers the Relatório de Agentes: one row per agent with legs in
// scope or logged-in time in the period (with a services filter or a
// principal limited to services: only agents with legs in those services),
// by name; the totals row; and the drill-down links (see agentLinks).
func (r *Reports) Agents(ctx context.Context, p model.Principal, q AgentsQuery) (Table, error) {
	rows, tagNames, err := r.agentRows(ctx, p, q)
	if err != nil {
		return Table{}, err
	}
	t := Table{Columns: AgentsColumns, Rows: make([][]string, len(rows)), Links: make([][]string, len(rows)), Keys: make([]string, len(rows))}
	var sum agentRow
	sum.name = TotalRow
	var ids []string
	pauses := map[string]float64{}
	tags := map[string]int64{}
	var durLogged float64 // Duração of the agents with logged-in time
	for i, a := range rows {
		t.Rows[i] = agentCells(*a, tagNames)
		t.Links[i] = agentLinks(q, a.legs, []string{a.id})
		t.Keys[i] = a.id // the row's day timeline (AgentDay)
		ids = append(ids, a.id)
		sum.legs.Add(a.legs)
		sum.logged += a.logged
		sum.paused += a.paused
		if a.logged > 0 {
			durLogged += a.legs.DurSum
		}
		for _, pt := range a.pauses {
			pauses[pt.Reason] += pt.Seconds
		}
		for _, c := range a.tags {
			tags[c.TagID] += c.N
		}
	}
	for reason, s := range pauses {
		sum.pauses = append(sum.pauses, store.AgentTime{Kind: "pause", Reason: reason, Seconds: s})
	}
	sortPauses(sum.pauses)
	for id, n := range tags {
		sum.tags = append(sum.tags, store.AgentTagCount{TagID: id, N: n})
	}
	sortTags(sum.tags)
	t.Totals = agentCells(sum, tagNames)
	// Occupation of the totals: over the agents that have logged-in time.
	t.Totals[13] = ""
	if sum.logged > 0 {
		t.Totals[13] = fmtRatio(durLogged, sum.logged)
	}
	if len(rows) > 0 {
		t.TotalsLinks = agentLinks(q, sum.legs, ids)
	} else {
		t.TotalsLinks = make([]string, len(AgentsColumns))
	}
	return t, nil
}

// agentRows gathers every agent's figures (legs, tags, logged-in and pause
// time), sorted by name then id, and the tag names.
func (r *Reports) agentRows(ctx context.Context, p model.Principal, q AgentsQuery) (rows []*agentRow, tagNames map[string]string, err error) {
	var figs store.AgentFigures
	var names map[string]string
	err = runConcurrently(
		func() (err error) { figs, err = r.agentFigures(ctx, p, q.Filter); return },
		func() (err error) { names, err = r.DB.Names(ctx, p.Tenant, "users"); return },
		func() (err error) { tagNames, err = r.DB.Names(ctx, p.Tenant, "tags"); return },
	)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]*agentRow{}
	var out []*agentRow
	get := func(id string) *agentRow {
		a := byID[id]
		if a == nil {
			a = &agentRow{id: id, name: names[id]}
			if a.name == "" {
				a.name = id
			}
			a.legs.Key = id
			byID[id] = a
			out = append(out, a)
		}
		return a
	}
	for _, g := range figs.Legs {
		get(g.Key).legs = g
	}
	for _, t := range figs.Times {
		if t.Kind == "login" && t.Seconds > 0 {
			get(t.AgentID).logged = t.Seconds
		}
	}
	for _, t := range figs.Times {
		if a := byID[t.AgentID]; a != nil && t.Kind == "pause" {
			a.paused += t.Seconds
			a.pauses = append(a.pauses, t)
		}
	}
	for _, c := range figs.Tags {
		if a := byID[c.AgentID]; a != nil {
			a.tags = append(a.tags, c)
		}
	}
	sortByName(out, func(a *agentRow) (string, string) { return a.name, a.id })
	return out, tagNames, nil
}

// agentCells formats one agent (or the totals).
func agentCells(a agentRow, tagNames map[string]string) []string {
	g := a.legs
	pauses := make([]string, len(a.pauses))
	for i, pt := range a.pauses {
		reason := pt.Reason
		if reason == "" {
			reason = NoReason
		}
		pauses[i] = reason + " " + fmtSeconds(pt.Seconds)
	}
	tags := make([]string, len(a.tags))
	for i, c := range a.tags {
		name := tagNames[c.TagID]
		if name == "" {
			name = c.TagID
		}
		tags[i] = name + " (" + fmtCount(c.N) + ")"
	}
	return []string{
		a.name,
		fmtCount(g.Completed), fmtCount(g.Transferred), fmtCount(g.Other),
		fmtTotalDuration(g.DurSum, g.DurN > 0),
		fmtAvgDuration(g.DurSum, g.DurN),
		fmtAvgDuration(g.TM1RSum, g.TM1RN),
		fmtAvgDuration(g.TMRSum, g.TMRN),
		fmtAvgDuration(g.TMPSum, g.TMPN),
		fmtAvgDuration(g.TMISum, g.TMIN),
		fmtTotalDuration(a.logged, a.logged > 0),
		fmtTotalDuration(a.paused, a.paused > 0),
		strings.Join(pauses, "; "),
		fmtRatio(g.DurSum, a.logged),
		strings.Join(tags, "; "),
	}
}

// totalDuration prints a sum of seconds, "" when there is nothing behind it.
func fmtTotalDuration(sum float64, ok bool) string {
	if !ok {
		return ""
	}
	return fmtSeconds(sum)
}

func sortPauses(ps []store.AgentTime) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Seconds != ps[j].Seconds {
			return ps[i].Seconds > ps[j].Seconds
		}
		return ps[i].Reason < ps[j].Reason
	})
}

func sortTags(ts []store.AgentTagCount) {
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].N != ts[j].N {
			return ts[i].N > ts[j].N
		}
		return ts[i].TagID < ts[j].TagID
	})
}

// agentLinks builds a row's Rastreio drill-downs, only when exactly one
// media is selected (the Rastreio needs one): media, from/to, hour_from
// "HH:00"/hour_to "HH:59", services, agents (the row's agent; for the totals
// every agent of the table, so user_tags/user_status need not be carried).
// Atendimentos finalizados → service_status=completed, Transferidos →
// service_status=transferred where the media has Status de Serviço; Outros
// has no link there (the Rastreio shows only completed/transferred). For a
// media without Status de Serviço (Voz, E-mail) the three counts link to
// every leg of the agent — a superset. Zero counts have no link.
func agentLinks(q AgentsQuery, g store.AgentLegs, agents []string) []string {
	out := make([]string, len(AgentsColumns))
	if len(q.Media) != 1 || len(agents) == 0 {
		return out
	}
	m := q.Media[0]
	base := url.Values{"media": {m.ID}}
	setParam(base, "from", q.Filter.FromDate)
	setParam(base, "to", q.Filter.ToDate)
	setParam(base, "hour_from", q.HourFrom)
	setParam(base, "hour_to", q.HourTo)
	setListParam(base, "services", q.Filter.Services)
	setListParam(base, "agents", agents)
	hasStatus := m.HasFilter("service_status")
	for i, c := range []struct {
		n      int64
		status string
	}{{g.Completed, "completed"}, {g.Transferred, "transferred"}, {g.Other, ""}} {
		if c.n == 0 || (hasStatus && c.status == "") {
			continue
		}
		v := copyValues(base)
		if hasStatus {
			v.Set("service_status", c.status)
		}
		out[1+i] = v.Encode()
	}
	return out
}

// AgentsChart draws the legs handled (Finalizados, Transferidos, Outros)
// per hour of day for a one-day period, else per day.
func (r *Reports) AgentsChart(ctx context.Context, p model.Principal, q AgentsQuery) (Chart, error) {
	by := chartGrain("", q.Filter.FromDate, q.Filter.ToDate)
	groups, err := r.agentLegCounts(ctx, p, q.Filter, by)
	if err != nil {
		return Chart{}, err
	}
	return countsChart(by, map[string]string{store.ByHour: "Atendimentos por hora", store.ByDay: "Atendimentos por dia"}, [3]string{"Finalizados", "Transferidos", "Outros"},
		groups, func(g store.AgentLegs) string { return g.Key },
		func(g store.AgentLegs) [3]int64 { return [3]int64{g.Completed, g.Transferred, g.Other} }), nil
}

// AgentsRows streams the export of the report in q.Columns() order: the
// table's rows, then the totals row (first cell "Total").
func (r *Reports) AgentsRows(ctx context.Context, p model.Principal, q AgentsQuery) RowSource {
	return tableRows(func() (Table, error) { return r.Agents(ctx, p, q) })
}

func uniqueStrings(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
