package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
)

// The Relatório IVR and Relatório de Agentes pages: filters, an aggregate
// table with drill-down links to the Rastreio, a chart and the exports.

// directory loads the option lists of the named list filters (agents,
// services, ivrs, tags, user_tags, media), scoped to the request's
// principal.
func (s *Server) directory(ctx context.Context, page Page, p model.Principal, names ...string) (map[string][]option, error) {
	out := map[string][]option{}
	for _, n := range names {
		var err error
		switch n {
		case "agents":
			list, e := s.db.Agents(ctx, p)
			out[n], err = agentOptions(page, list), e
		case "services":
			list, e := s.db.Services(ctx, p)
			out[n], err = storeOptions(list), e
		case "ivrs":
			list, e := s.db.IVRs(ctx, p)
			out[n], err = storeOptions(list), e
		case "tags":
			list, e := s.db.Tags(ctx, p)
			out[n], err = storeOptions(list), e
		case "user_tags":
			list, e := s.db.UserTags(ctx, p)
			out[n], err = storeOptions(list), e
		case "media":
			list, e := s.db.Media(ctx)
			out[n], err = mediaOptions(page, list), e
		default:
			return nil, fmt.Errorf("directory: no list %q", n)
		}
		if err != nil {
			return nil, fmt.Errorf("directory %s: %w", n, err)
		}
	}
	return out, nil
}

// figure matches the cells printed as figures: counts, HH:MM:SS, percents.
var figure = regexp.MustCompile(`^-?[0-9][0-9.]*(,[0-9]+)?%?$|^[0-9]+:[0-5][0-9]:[0-5][0-9]$`)

// aggTable is an aggregate table (IVR, Agentes) with drill-down links.
type aggTable struct {
	Headers []header
	Rows    [][]cell
	Totals  []cell
}

// buildAggTable lays out t: every count that has a Links entry becomes a
// link to the Rastreio; a column is a figure column when all its cells are.
func buildAggTable(page Page, t report.Table) aggTable {
	tv := aggTable{}
	class := make([]string, len(t.Columns))
	for j := range t.Columns {
		num := j > 0
		for _, row := range append(append([][]string(nil), t.Rows...), t.Totals) {
			if j < len(row) && row[j] != "" && !figure.MatchString(row[j]) {
				num = false
			}
		}
		switch {
		case num:
			class[j] = "num"
		case j > 0:
			class[j] = "rpt-wrap" // long text wraps instead of stretching the table
		}
	}
	for j, c := range t.Columns {
		h := header{Label: page.T(c)}
		if class[j] == "num" {
			h.Class = "num"
		}
		tv.Headers = append(tv.Headers, h)
	}
	cells := func(row, links []string) []cell {
		out := make([]cell, len(t.Columns))
		for j := range out {
			if j < len(row) {
				out[j].Text = row[j]
			}
			if j == 0 {
				out[j].Text = page.T(out[j].Text)
			}
			if class[j] == "num" {
				out[j].Text = decimalText(page.Lang, out[j].Text)
			}
			if j < len(links) && links[j] != "" {
				out[j].URL = "/rastreio?" + links[j]
			}
			out[j].Class = class[j]
		}
		return out
	}
	for i, row := range t.Rows {
		var links []string
		if i < len(t.Links) {
			links = t.Links[i]
		}
		tv.Rows = append(tv.Rows, cells(row, links))
	}
	if t.Totals != nil {
		tv.Totals = cells(t.Totals, t.TotalsLinks)
	}
	return tv
}

// translateChart puts the chart's title and series names in the page's
// language before drawing it.
func translateChart(page Page, c report.Chart) report.Chart {
	c.Title = page.T(c.Title)
	series := make([]report.Series, len(c.Series))
	for i, s := range c.Series {
		series[i] = report.Series{Name: page.T(s.Name), Values: s.Values}
	}
	c.Series = series
	return c
}

// aggView is the part the IVR and Agentes pages share.
type aggView struct {
	Searched   bool
	Problems   []problem
	Table      aggTable
	Chart      template.HTML
	ChartTitle string
	Exports    []exportLink
	Note       string
}

// fill puts a computed aggregate report into its page: the table, the
// chart (translated) and the export links of query q.
func (view *aggView) fill(page Page, t report.Table, c report.Chart, exportPath string, q url.Values) {
	view.Table = buildAggTable(page, t)
	c = translateChart(page, c)
	view.Chart, view.ChartTitle = chartSVG(c), c.Title
	view.Exports = disableExports(exportLinks(page, exportPath, q, true), len(t.Rows) == 0)
}

// badSearch answers a search whose filters did not validate: the form
// again with every problem beside its field (400). It says whether it
// answered.
func (s *Server) badSearch(w http.ResponseWriter, r *http.Request, page Page, tmpl string, problems []problem) bool {
	if problems == nil {
		return false
	}
	s.render(w, r, http.StatusBadRequest, tmpl, page)
	return true
}

// ivrForm is the IVR filters (SPEC.md §5: Data, Agente, Serviço, IVR,
// Tags do usuário; grouped by Agrupamento).
var ivrForm = form{
	{"from", "De"}, {"to", "Até"}, {"group_by", "Agrupamento"}, {"agents", "Agente"},
	{"services", "Serviço"}, {"ivrs", "IVR"}, {"user_tags", "Tags do usuário"},
}

// ivrView is the data of ivr.html.
type ivrView struct {
	aggView
	Dates            rangeField
	GroupBy          string
	GroupOptions     []option
	Agents, Services multiSelect
	IVRs, UserTags   multiSelect
}

// uiIVR is the Relatório IVR page.
func (s *Server) uiIVR(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	page := newPage(r, "Relatório IVR", "ivr")
	v := r.URL.Query()
	view := &ivrView{GroupBy: v.Get("group_by")}
	view.Searched = ivrForm.searched(v)
	if view.GroupBy == "" {
		view.GroupBy = "ivr"
	}
	page.Data = view
	view.Dates = newRange(page, ivrForm, v, "Data", "date", "até", "from", "to")
	view.GroupOptions = choices(page, url.Values{"group_by": {view.GroupBy}}, "group_by", "ivr", "IVR", "service", "Serviço", "agent", "Agente", "hour", "Hora", "day", "Dia")
	lists, err := s.directory(ctx, page, p, "agents", "services", "ivrs", "user_tags")
	if err != nil {
		return err
	}
	view.Agents = newMulti(page, ivrForm, "agents", v, lists["agents"])
	view.Services = newMulti(page, ivrForm, "services", v, lists["services"])
	view.IVRs = newMulti(page, ivrForm, "ivrs", v, lists["ivrs"])
	view.UserTags = newMulti(page, ivrForm, "user_tags", v, lists["user_tags"])
	if !view.Searched {
		s.render(w, r, http.StatusOK, "ivr.html", page)
		return nil
	}
	q := ivrForm.query(v)
	iq, err := s.reports.ParseIVR(ctx, p, q)
	if view.Problems, err = problemsOf(page, ivrForm, err); err != nil {
		return err
	}
	if s.badSearch(w, r, page, "ivr.html", view.Problems) {
		return nil
	}
	iq.MenuLabels = true // the screen names menu options; exports keep the keys
	t, err := s.reports.IVR(ctx, p, iq)
	if err != nil {
		return err
	}
	c, err := s.reports.IVRChart(ctx, p, iq)
	if err != nil {
		return err
	}
	view.fill(page, t, c, "/api/v1/reports/ivr/export", q)
	s.render(w, r, http.StatusOK, "ivr.html", page)
	return nil
}

// agentsForm is the Agentes filters (SPEC.md §6: Mídia, Data, Hora,
// Serviços, Tags do usuário, Usuários, Status do usuário).
var agentsForm = form{
	{"media", "Mídia"}, {"from", "De"}, {"to", "Até"}, {"hour_from", "Das"}, {"hour_to", "Até às"},
	{"services", "Serviços"}, {"user_tags", "Tags do usuário"}, {"agents", "Usuários"}, {"user_status", "Status do usuário"},
}

// agentsView is the data of agentes.html.
type agentsView struct {
	aggView
	Dates, Hours                      rangeField
	UserStatus                        string
	Media, Services, UserTags, Agents multiSelect
}

// uiAgents is the Relatório de Agentes page.
func (s *Server) uiAgents(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	page := newPage(r, "Relatório de Agentes", "agents")
	v := r.URL.Query()
	view := &agentsView{UserStatus: v.Get("user_status")}
	view.Dates = newRange(page, agentsForm, v, "Data", "date", "até", "from", "to")
	view.Hours = newRange(page, agentsForm, v, "Hora", "time", "às", "hour_from", "hour_to")
	view.Searched = agentsForm.searched(v)
	page.Data = view
	lists, err := s.directory(ctx, page, p, "media", "agents", "services", "user_tags")
	if err != nil {
		return err
	}
	view.Media = newMulti(page, agentsForm, "media", v, lists["media"])
	view.Services = newMulti(page, agentsForm, "services", v, lists["services"])
	view.UserTags = newMulti(page, agentsForm, "user_tags", v, lists["user_tags"])
	view.Agents = newMulti(page, agentsForm, "agents", v, lists["agents"])
	if !view.Searched {
		s.render(w, r, http.StatusOK, "agentes.html", page)
		return nil
	}
	q := agentsForm.query(v)
	aq, err := s.reports.ParseAgents(ctx, p, q)
	if view.Problems, err = problemsOf(page, agentsForm, err); err != nil {
		return err
	}
	if s.badSearch(w, r, page, "agentes.html", view.Problems) {
		return nil
	}
	t, err := s.reports.Agents(ctx, p, aq)
	if err != nil {
		return err
	}
	c, err := s.reports.AgentsChart(ctx, p, aq)
	if err != nil {
		return err
	}
	view.fill(page, t, c, "/api/v1/reports/agents/export", q)
	if err := s.linkAgentDays(r, view, t, aq); err != nil {
		return err
	}
	if len(queryList(q, "media")) != 1 && len(t.Rows) > 0 {
		view.Note = page.T("Escolha uma única mídia para abrir os atendimentos de cada contagem no Rastreio de Interações.")
	}
	s.render(w, r, http.StatusOK, "agentes.html", page)
	return nil
}

// linkAgentDays links each Agentes row's agent to its day timeline: the
// first day of the period searched (today in the tenant's zone when the
// period is open), with the search to come back to.
func (s *Server) linkAgentDays(r *http.Request, view *agentsView, t report.Table, q report.AgentsQuery) error {
	day := q.Filter.FromDate
	if day == "" {
		day = q.Filter.ToDate
	}
	if day == "" {
		tc, err := s.db.TenantContext(r.Context(), principal(r).Tenant)
		if err != nil {
			return err
		}
		day = time.Now().In(tc.Zone).Format("2006-01-02")
	}
	back := "/agentes?" + r.URL.RawQuery
	for i, id := range t.Keys {
		if i < len(view.Table.Rows) && id != "" {
			view.Table.Rows[i][0].URL = "/agentes/" + url.PathEscape(id) + "/dia?" + url.Values{"day": {day}, "back": {back}}.Encode()
		}
	}
	return nil
}
