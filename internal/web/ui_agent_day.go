package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
)

// agentDayForm names the timeline's parameter for its problems.
var agentDayForm = form{{"day", "Dia"}}

// agentDayView is the data of agent_day.html: one agent's local day as a
// horizontal timeline (an SVG drawn by the template, styled by app.css:
// no script, no inline style) and the same entries as a table.
type agentDayView struct {
	NotFound bool
	Problems []problem
	AgentID  string
	Agent    string
	Day      string
	LoggedIn string
	Paused   string
	BackURL  string
	PrevURL  string
	NextURL  string
	APIURL   string
	Ticks    []agentDayTick
	Lanes    []agentDayLane
	Rows     []agentDayRow
}

// agentDayTick is an hour mark of the timeline, at Left % of the day.
type agentDayTick struct {
	Left  float64
	Label string
}

// agentDayLane is one row of the timeline (logins, pauses, legs) at Y.
type agentDayLane struct {
	Label string
	Y     int
	Bars  []agentDayBar
}

// agentDayBar is one period, clipped to the day: from Left % over Width %.
type agentDayBar struct {
	Left, Width float64
	Class       string
	Title       string
}

// agentDayRow is one entry of the table.
type agentDayRow struct {
	Kind, Class  string
	Start, End   string
	Media        string
	Detail       string
	Protocol     string
	HistoryURL   string
	Open         bool
	StartsBefore bool // began on the day before
}

// agentsBack is where the timeline's "Voltar" goes: the Agentes search it
// was opened from (back=/agentes?…), else the empty Agentes page.
func agentsBack(back string) string {
	if (back == "/agentes" || strings.HasPrefix(back, "/agentes?")) && !strings.ContainsAny(back, "\r\n\\") {
		return back
	}
	return "/agentes"
}

// uiAgentDay is the day timeline of one agent, opened from a Relatório de
// Agentes row (/agentes/{agent}/dia?day=AAAA-MM-DD).
func (s *Server) uiAgentDay(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	page := newPage(r, "Linha do tempo do agente", "agents")
	agentID := r.PathValue("agent")
	view := &agentDayView{AgentID: agentID, Agent: agentID, BackURL: agentsBack(r.URL.Query().Get("back"))}
	page.Data = view
	q := r.URL.Query()
	q.Del("back")
	q.Del("lang")
	day, err := s.reports.ParseAgentDay(ctx, p, q)
	if view.Problems, err = problemsOf(page, agentDayForm, err); err != nil {
		return err
	}
	if view.Problems != nil {
		s.render(w, r, http.StatusBadRequest, "agent_day.html", page)
		return nil
	}
	d, err := s.reports.AgentDay(ctx, p, agentID, day)
	if errors.Is(err, report.ErrNotFound) {
		view.NotFound = true
		s.render(w, r, http.StatusNotFound, "agent_day.html", page)
		return nil
	}
	if err != nil {
		return err
	}
	tc, err := s.db.TenantContext(ctx, p.Tenant)
	if err != nil {
		return err
	}
	view.fill(page, d, tc.MediaByID, view.BackURL)
	s.render(w, r, http.StatusOK, "agent_day.html", page)
	return nil
}

// fill lays a computed day out for the page.
func (v *agentDayView) fill(page Page, d report.AgentDay, media func(string) (model.Media, bool), back string) {
	v.Agent, v.Day, v.LoggedIn, v.Paused = d.Agent, d.Day, d.LoggedIn, d.Paused
	base := "/agentes/" + url.PathEscape(d.AgentID) + "/dia?"
	link := func(day time.Time) string {
		q := url.Values{"day": {day.Format("2006-01-02")}}
		if back != "/agentes" {
			q.Set("back", back)
		}
		return base + q.Encode()
	}
	v.PrevURL, v.NextURL = link(d.Start.AddDate(0, 0, -1)), link(d.Start.AddDate(0, 0, 1))
	v.APIURL = "/api/v1/agents/" + url.PathEscape(d.AgentID) + "/day?" + url.Values{"day": {d.Day}}.Encode()
	dayLen := d.End.Sub(d.Start).Seconds()
	pct := func(t time.Time) float64 {
		x := t.Sub(d.Start).Seconds() / dayLen * 100
		return min(100, max(0, x))
	}
	for h := 0; h <= 24; h += 3 {
		at := time.Date(d.Start.Year(), d.Start.Month(), d.Start.Day(), h, 0, 0, 0, d.Start.Location())
		v.Ticks = append(v.Ticks, agentDayTick{Left: pct(at), Label: at.Format("15h")})
	}
	mediaName := func(id string) string {
		if id == "" {
			return page.T("Todas as mídias")
		}
		if m, ok := media(id); ok {
			return mediaLabel(page.Lang, m)
		}
		return id
	}
	lanes := map[string]*agentDayLane{
		report.AgentDayLogin: {Label: page.T("Logado"), Y: 22},
		report.AgentDayPause: {Label: page.T("Pausa"), Y: 50},
		report.AgentDayLeg:   {Label: page.T("Atendimentos"), Y: 78},
	}
	kinds := map[string]string{report.AgentDayLogin: "Login", report.AgentDayPause: "Pausa", report.AgentDayLeg: "Atendimento"}
	when := func(t time.Time) string {
		if t.Format("2006-01-02") != d.Day {
			// Another day: the full date, in the page's one date format.
			return formatDateTime(page.Lang, t, t.Location())
		}
		return t.Format("15:04:05")
	}
	for _, e := range d.Entries {
		row := agentDayRow{Kind: page.T(kinds[e.Kind]), Class: "tl-" + e.Kind, Start: when(e.Start), Open: e.End == nil, StartsBefore: e.Start.Before(d.Start)}
		end := d.End
		if e.End != nil {
			row.End, end = when(*e.End), *e.End
		}
		switch e.Kind {
		case report.AgentDayLogin:
			row.Media = mediaName(e.Media)
		case report.AgentDayPause:
			row.Detail = e.Reason
			if row.Detail == "" {
				row.Detail = page.T(report.NoReason)
			}
		case report.AgentDayLeg:
			row.Media = mediaName(e.Media)
			row.Detail = e.Service + " · " + e.Status
			row.Protocol = e.Protocol
			row.HistoryURL = "/historico/" + url.PathEscape(e.Protocol)
		}
		v.Rows = append(v.Rows, row)
		title := row.Kind + " " + row.Start + "–" + row.End
		if row.Media != "" {
			title += " · " + row.Media
		}
		if row.Detail != "" {
			title += " · " + row.Detail
		}
		left := pct(e.Start)
		width := max(0.15, pct(end)-left) // a leg of seconds stays visible
		lanes[e.Kind].Bars = append(lanes[e.Kind].Bars, agentDayBar{Left: left, Width: width, Class: row.Class, Title: title})
	}
	v.Lanes = []agentDayLane{*lanes[report.AgentDayLogin], *lanes[report.AgentDayPause], *lanes[report.AgentDayLeg]}
}

// apiAgentDay answers GET /api/v1/agents/{agent}/day?day=AAAA-MM-DD: the
// agent's logins, pauses and legs of that local day (report.AgentDay),
// scoped like the Relatório de Agentes.
func (s *Server) apiAgentDay(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	day, err := s.reports.ParseAgentDay(r.Context(), p, r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.reports.AgentDay(r.Context(), p, r.PathValue("agent"), day)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}
