package web

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
)

// rptCell is one table cell: its text, its drill-down link ("" = none)
// and whether it is a figure (right-aligned).
type rptCell struct {
	Text, URL string
	Num       bool
	Wrap      bool // long text: wraps instead of stretching the table
}

// Class is the cell's class attribute ("" = none).
func (c rptCell) Class() string {
	switch {
	case c.Num:
		return "num"
	case c.Wrap:
		return "rpt-wrap"
	}
	return ""
}

// rptProblem is one bad parameter, named as the form labels it.
type rptProblem struct {
	Label, Reason string
}

// rptProblems names each problem by its field's label.
func rptProblems(page Page, ps []report.Problem) []rptProblem {
	if len(ps) == 0 {
		return nil // not a parameter error
	}
	out := make([]rptProblem, len(ps))
	for i, p := range ps {
		label := rptParamLabels[p.Param]
		if label == "" {
			label = p.Param
		}
		out[i] = rptProblem{Label: page.T(label), Reason: rptReason(page.Lang, p.Reason)}
	}
	return out
}

// rptOption and rptMulti feed the checkbox drop-down of a list filter: it
// submits repeated parameters (agents=a&agents=b) and works without script.
type rptOption struct {
	Value, Label string
	Checked      bool
}

type rptMulti struct {
	ID, Name, Label, Summary string
	Options                  []rptOption
	// None and Many are the summary words reports.js uses.
	None, Many string
	Picked     int
}

func newRptMulti(page Page, id, name, label string, selected []string, opts []rptOption) rptMulti {
	m := rptMulti{ID: id, Name: name, Label: page.T(label), None: page.T("Todos"), Many: page.T("selecionados")}
	var picked []string
	for _, o := range opts {
		o.Checked = containsString(selected, o.Value)
		if o.Checked {
			picked = append(picked, o.Label)
		}
		m.Options = append(m.Options, o)
	}
	m.Summary, m.Picked = rptMultiSummary(page, picked), len(picked)
	return m
}

// rptMultiSummary is the closed drop-down's text (reports.js keeps it current).
func rptMultiSummary(page Page, picked []string) string {
	switch len(picked) {
	case 0:
		return page.T("Todos")
	case 1:
		return picked[0]
	}
	return strconv.Itoa(len(picked)) + " " + page.T("selecionados")
}

func rptOptions(list []store.Option) []rptOption {
	out := make([]rptOption, len(list))
	for i, o := range list {
		out[i] = rptOption{Value: o.ID, Label: o.Label}
	}
	return out
}

// rptList reads a list parameter as the report parsers do:
// repeated and/or comma-separated.
func rptList(v url.Values, name string) []string {
	var out []string
	for _, raw := range v[name] {
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// rptFigure matches the cells printed as figures: counts, HH:MM:SS, percents.
var rptFigure = regexp.MustCompile(`^-?[0-9][0-9.]*(,[0-9]+)?%?$|^[0-9]+:[0-5][0-9]:[0-5][0-9]$`)

// rptTable is an aggregate table (IVR, Agentes) with drill-down links.
type rptTable struct {
	Columns []rptCell // Text = label, Num = figure column
	Rows    [][]rptCell
	Totals  []rptCell
}

// rptBuildTable lays out t: every count that has a Links entry becomes a link
// to the Rastreio; a column is a figure column when all its cells are.
func rptBuildTable(page Page, t report.Table) rptTable {
	tv := rptTable{}
	num := make([]bool, len(t.Columns))
	for j := range t.Columns {
		num[j] = j > 0
		for _, row := range append(append([][]string(nil), t.Rows...), t.Totals) {
			if j < len(row) && row[j] != "" && !rptFigure.MatchString(row[j]) {
				num[j] = false
			}
		}
	}
	for j, c := range t.Columns {
		tv.Columns = append(tv.Columns, rptCell{Text: page.T(c), Num: num[j]})
	}
	cells := func(row, links []string) []rptCell {
		out := make([]rptCell, len(t.Columns))
		for j := range out {
			if j < len(row) {
				out[j].Text = row[j]
			}
			if j == 0 {
				out[j].Text = page.T(out[j].Text)
			}
			if j < len(links) && links[j] != "" {
				out[j].URL = "/rastreio?" + links[j]
			}
			out[j].Num = num[j]
			out[j].Wrap = j > 0 && !num[j]
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

// rptTranslateChart puts the chart's title and series names in the page's
// language before drawing it.
func rptTranslateChart(page Page, c report.Chart) report.Chart {
	c.Title = page.T(c.Title)
	series := make([]report.Series, len(c.Series))
	for i, s := range c.Series {
		series[i] = report.Series{Name: page.T(s.Name), Values: s.Values}
	}
	c.Series = series
	return c
}

// rptAgg is the part the IVR and Agentes pages share.
type rptAgg struct {
	Searched   bool
	Problems   []rptProblem
	Table      rptTable
	Chart      template.HTML
	ChartTitle string
	Exports    []rptExport
	Note       string
}

// ivrFormParams are the IVR filters.
var ivrFormParams = []string{"from", "to", "group_by", "agents", "services", "ivrs", "user_tags"}

// ivrView is the data of ivr.html.
type ivrView struct {
	rptAgg
	From, To, GroupBy string
	GroupOptions      []rptOption
	Agents, Services  rptMulti
	IVRs, UserTags    rptMulti
}

// uiIVR is the Relatório IVR page.
func (s *Server) uiIVR(w http.ResponseWriter, r *http.Request) {
	ctx, p := r.Context(), principal(r)
	page := Page{Title: "Relatório IVR", Active: "ivr"}
	page.Lang = lang(r)
	v := r.URL.Query()
	view := &ivrView{From: v.Get("from"), To: v.Get("to"), GroupBy: v.Get("group_by")}
	view.Searched = rptSearched(v, ivrFormParams)
	if view.GroupBy == "" {
		view.GroupBy = "ivr"
	}
	page.Data = view
	for _, g := range []struct{ v, l string }{{"ivr", "IVR"}, {"service", "Serviço"}, {"agent", "Agente"}, {"hour", "Hora"}, {"day", "Dia"}} {
		view.GroupOptions = append(view.GroupOptions, rptOption{Value: g.v, Label: page.T(g.l), Checked: g.v == view.GroupBy})
	}
	agents, err := s.db.Agents(ctx, p)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	services, err := s.db.Services(ctx, p)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	ivrs, err := s.db.IVRs(ctx, p)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	userTags, err := s.db.UserTags(ctx, p)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	view.Agents = newRptMulti(page, "f-agents", "agents", "Agente", rptList(v, "agents"), rptAgentOptions(agents))
	view.Services = newRptMulti(page, "f-services", "services", "Serviço", rptList(v, "services"), rptOptions(services))
	view.IVRs = newRptMulti(page, "f-ivrs", "ivrs", "IVR", rptList(v, "ivrs"), rptOptions(ivrs))
	view.UserTags = newRptMulti(page, "f-user-tags", "user_tags", "Tags do usuário", rptList(v, "user_tags"), rptOptions(userTags))
	if !view.Searched {
		s.render(w, r, http.StatusOK, "ivr.html", page)
		return
	}
	q := rptQuery(v, ivrFormParams...)
	iq, err := s.reports.ParseIVR(ctx, p, q)
	if s.rptRejected(w, r, page, &view.Problems, "ivr.html", err) {
		return
	}
	t, err := s.reports.IVR(ctx, p, iq)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	c, err := s.reports.IVRChart(ctx, p, iq)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	view.fill(page, t, c, "/api/v1/reports/ivr/export", q)
	s.render(w, r, http.StatusOK, "ivr.html", page)
}

// rptRejected answers a search whose filters did not validate: the form
// again with every problem beside its field (400), or the error page when
// the error is not about parameters. It reports whether it answered.
func (s *Server) rptRejected(w http.ResponseWriter, r *http.Request, page Page, problems *[]rptProblem, tmpl string, err error) bool {
	if err == nil {
		return false
	}
	if *problems = rptProblems(page, rptParamProblems(err)); *problems == nil {
		s.rptFail(w, r, err)
		return true
	}
	s.render(w, r, http.StatusBadRequest, tmpl, page)
	return true
}

// fill puts a computed aggregate report into its page: the table, the
// chart (translated) and the export links of query q.
func (view *rptAgg) fill(page Page, t report.Table, c report.Chart, exportPath string, q url.Values) {
	view.Table = rptBuildTable(page, t)
	c = rptTranslateChart(page, c)
	view.Chart, view.ChartTitle = chartSVG(c), c.Title
	view.Exports = rptExports(page, exportPath, q)
}

func rptAgentOptions(list []store.Agent) []rptOption {
	out := make([]rptOption, len(list))
	for i, a := range list {
		out[i] = rptOption{Value: a.ID, Label: a.Name}
	}
	return out
}

// agentsFormParams are the Agentes filters.
var agentsFormParams = []string{"media", "from", "to", "hour_from", "hour_to", "services", "user_tags", "agents", "user_status"}

// agentsView is the data of agentes.html.
type agentsView struct {
	rptAgg
	From, To, HourFrom, HourTo, UserStatus string
	Media, Services, UserTags, Agents      rptMulti
}

// uiAgents is the Relatório de Agentes page.
func (s *Server) uiAgents(w http.ResponseWriter, r *http.Request) {
	ctx, p := r.Context(), principal(r)
	page := Page{Title: "Relatório de Agentes", Active: "agentes"}
	page.Lang = lang(r)
	v := r.URL.Query()
	view := &agentsView{From: v.Get("from"), To: v.Get("to"), HourFrom: v.Get("hour_from"), HourTo: v.Get("hour_to"), UserStatus: v.Get("user_status")}
	view.Searched = rptSearched(v, agentsFormParams)
	page.Data = view
	media, err := s.db.Media(ctx)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	agents, err := s.db.Agents(ctx, p)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	services, err := s.db.Services(ctx, p)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	userTags, err := s.db.UserTags(ctx, p)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	view.Media = newRptMulti(page, "f-media", "media", "Mídia", rptList(v, "media"), rptMediaOptions(page.Lang, media))
	view.Services = newRptMulti(page, "f-services", "services", "Serviços", rptList(v, "services"), rptOptions(services))
	view.UserTags = newRptMulti(page, "f-user-tags", "user_tags", "Tags do usuário", rptList(v, "user_tags"), rptOptions(userTags))
	view.Agents = newRptMulti(page, "f-agents", "agents", "Usuários", rptList(v, "agents"), rptAgentOptions(agents))
	if !view.Searched {
		s.render(w, r, http.StatusOK, "agentes.html", page)
		return
	}
	q := rptQuery(v, agentsFormParams...)
	aq, err := s.reports.ParseAgents(ctx, p, q)
	if s.rptRejected(w, r, page, &view.Problems, "agentes.html", err) {
		return
	}
	t, err := s.reports.Agents(ctx, p, aq)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	c, err := s.reports.AgentsChart(ctx, p, aq)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	view.fill(page, t, c, "/api/v1/reports/agents/export", q)
	if len(rptList(q, "media")) != 1 && len(t.Rows) > 0 {
		view.Note = page.T("Escolha uma única mídia para abrir os atendimentos de cada contagem no Rastreio de Interações.")
	}
	s.render(w, r, http.StatusOK, "agentes.html", page)
}

func rptMediaOptions(lang string, list []model.Media) []rptOption {
	out := make([]rptOption, len(list))
	for i, m := range list {
		out[i] = rptOption{Value: m.ID, Label: rptMediaLabel(lang, m)}
	}
	return out
}
