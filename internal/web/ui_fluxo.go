package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
)

// fluxoFormParams are the Fluxo Ágil filters the page's form sends.
var fluxoFormParams = []string{"from", "to", "client", "campaign", "batch", "step", "reached_human", "sort", "limit", "cursor"}

// rptExport is one Exportar button.
type rptExport struct {
	Label, URL, Format string
}

// fluxoRowView is one result row with its Ação link.
type fluxoRowView struct {
	Cells      []rptCell
	HistoryURL string
}

// fluxoFigureCols are the figure columns of the Fluxo Ágil table.
var fluxoFigureCols = map[string]bool{"Conversas": true, "Mensagens": true}

// fluxoWrapCols are the long text columns that wrap.
var fluxoWrapCols = map[string]bool{"Lote": true, "Nome": true}

// rptHeader is a column header, a link when the column sorts.
type rptHeader struct {
	Label   string
	URL     string // "" = not sortable
	Current bool
	Num     bool
}

// fluxoView is the data of fluxo.html.
type fluxoView struct {
	Searched bool
	Problems []rptProblem

	From, To, Client, Campaign, Batch, Step, ReachedHuman, Sort string

	Clients, Campaigns, Batches []store.Option
	Steps                       []string

	Headers  []rptHeader
	Rows     []fluxoRowView
	NextURL  string
	FirstURL string
	Exports  []rptExport

	Dropoff      template.HTML
	DropoffLinks []string
}

// rptQuery keeps the non-empty values of the named parameters (the form
// sends every field, empty ones too): the basis of export, paging and
// drill-down links.
func rptQuery(v url.Values, names ...string) url.Values {
	out := url.Values{}
	for _, n := range names {
		for _, x := range v[n] {
			if x = strings.TrimSpace(x); x != "" {
				out.Add(n, x)
			}
		}
	}
	return out
}

// rptSearched says whether the form was submitted (any filter present, even
// empty): an untouched page shows the form only, as the platform does.
func rptSearched(v url.Values, names []string) bool {
	for _, n := range names {
		if _, ok := v[n]; ok {
			return true
		}
	}
	return false
}

// rptExports builds the three Exportar links over q (without paging).
func rptExports(page Page, base string, q url.Values) []rptExport {
	q = rptClone(q)
	q.Del("cursor")
	q.Del("limit")
	mk := func(format, sep string) string {
		c := rptClone(q)
		c.Set("format", format)
		if sep != "" {
			c.Set("sep", sep)
		}
		return base + "?" + c.Encode()
	}
	return []rptExport{
		{Label: page.T("CSV"), URL: mk("csv", ""), Format: "csv"},
		{Label: page.T("CSV com vírgula"), URL: mk("csv", "comma"), Format: "csv-comma"},
		{Label: page.T("XLSX"), URL: mk("xlsx", ""), Format: "xlsx"},
	}
}

func rptClone(v url.Values) url.Values {
	c := url.Values{}
	for k, x := range v {
		c[k] = append([]string(nil), x...)
	}
	return c
}

// rptParamProblems returns the parameter problems of err, or nil for other errors.
func rptParamProblems(err error) []report.Problem {
	var pe *report.ParamError
	if errors.As(err, &pe) {
		return pe.Problems
	}
	return nil
}

// rptFail answers an unexpected error on a page.
func (s *Server) rptFail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, r.Context().Err()) && r.Context().Err() != nil {
		return
	}
	s.log.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	http.Error(w, "Erro interno", http.StatusInternalServerError)
}

// rptHasOption says whether id is one of list.
func rptHasOption(list []store.Option, id string) bool {
	for _, o := range list {
		if o.ID == id {
			return true
		}
	}
	return false
}

// uiFluxo is the Fluxo Ágil page: cascading Cliente → Campanha → Lote
// filters, the step and reached-human filters, the result table with keyset
// paging, the exports and the drop-off of the chosen filters.
func (s *Server) uiFluxo(w http.ResponseWriter, r *http.Request) {
	ctx, p := r.Context(), principal(r)
	page := Page{Title: "Fluxo Ágil", Active: "fluxo"}
	page.Lang = lang(r)
	v := r.URL.Query()
	view := &fluxoView{
		From: v.Get("from"), To: v.Get("to"), Client: v.Get("client"), Campaign: v.Get("campaign"),
		Batch: v.Get("batch"), Step: v.Get("step"), ReachedHuman: v.Get("reached_human"), Sort: v.Get("sort"),
		Searched: rptSearched(v, fluxoFormParams),
	}
	page.Data = view

	// The cascade: campaigns of the chosen client, batches of the chosen
	// campaign (or of the client's campaigns; none before a client or a
	// campaign is chosen: a tenant may have thousands). A child that belongs
	// to another parent is reset, as the selects do when the parent
	// changes; an unknown id is left for ParseFluxo to report.
	var err error
	if view.Clients, err = s.db.Clients(ctx, p); err != nil {
		s.rptFail(w, r, err)
		return
	}
	campaigns, err := s.db.Campaigns(ctx, p, "")
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	parentOf := func(list []store.Option, id string) string {
		for _, o := range list {
			if o.ID == id {
				return o.Parent
			}
		}
		return ""
	}
	var batches []store.Option // of the campaign, or all when needed
	switch {
	case view.Client != "" || view.Batch != "":
		batches, err = s.db.Batches(ctx, p, "")
	case view.Campaign != "" && rptHasOption(campaigns, view.Campaign):
		batches, err = s.db.Batches(ctx, p, view.Campaign)
	}
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	// A link that names only a batch (or a campaign) shows its parents.
	if view.Campaign == "" && view.Batch != "" {
		view.Campaign = parentOf(batches, view.Batch)
	}
	if view.Client == "" && view.Campaign != "" {
		view.Client = parentOf(campaigns, view.Campaign)
	}
	for _, c := range campaigns {
		if view.Client == "" || c.Parent == view.Client {
			view.Campaigns = append(view.Campaigns, c)
		}
	}
	if view.Campaign != "" && rptHasOption(campaigns, view.Campaign) && !rptHasOption(view.Campaigns, view.Campaign) {
		view.Campaign = "" // a campaign of another client
	}
	for _, b := range batches {
		if (view.Campaign != "" && b.Parent == view.Campaign) || (view.Campaign == "" && view.Client != "" && rptHasOption(view.Campaigns, b.Parent)) {
			view.Batches = append(view.Batches, b)
		}
	}
	if view.Batch != "" && rptHasOption(batches, view.Batch) && !rptHasOption(view.Batches, view.Batch) {
		view.Batch = "" // a batch of another campaign
	}

	if !view.Searched {
		s.render(w, r, http.StatusOK, "fluxo.html", page)
		return
	}
	q := rptQuery(v, fluxoFormParams...)
	rptSetOrDel(q, "client", view.Client)
	rptSetOrDel(q, "campaign", view.Campaign)
	rptSetOrDel(q, "batch", view.Batch)

	fq, err := s.reports.ParseFluxo(ctx, p, q)
	if s.rptRejected(w, r, page, &view.Problems, "fluxo.html", err) {
		return
	}
	t, err := s.reports.Fluxo(ctx, p, fq)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}

	// Drop-off: the chosen filters but the step, so every step shows and
	// the chosen one is highlighted; each step links to its step filter.
	dq := rptClone(q)
	for _, n := range []string{"step", "cursor", "limit", "sort"} {
		dq.Del(n)
	}
	dfq, err := s.reports.ParseFluxo(ctx, p, dq)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	steps, err := s.reports.FluxoDropoff(ctx, p, dfq)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	for _, st := range steps {
		view.Steps = append(view.Steps, st.Step)
		lq := rptClone(dq)
		lq.Set("step", st.Step)
		view.DropoffLinks = append(view.DropoffLinks, "/fluxo-agil?"+lq.Encode())
	}
	if view.Step != "" && !containsString(view.Steps, view.Step) {
		view.Steps = append(view.Steps, view.Step)
	}
	view.Dropoff = dropoffSVG(steps, dropoffText{
		Title:    page.T("Abandono por etapa"),
		Reached:  page.T("chegaram"),
		Stopped:  page.T("pararam aqui"),
		Selected: view.Step,
	}, view.DropoffLinks)

	// Table, sortable by Lote or Nome.
	base := rptClone(q)
	base.Del("cursor")
	for _, c := range t.Columns {
		h := rptHeader{Label: page.T(c), Num: fluxoFigureCols[c]}
		key := map[string]string{"Lote": "batch", "Nome": "name"}[c]
		if key != "" {
			sq := rptClone(base)
			sq.Set("sort", key)
			h.URL = "/fluxo-agil?" + sq.Encode()
			h.Current = key == view.Sort || (key == "batch" && view.Sort == "")
		}
		view.Headers = append(view.Headers, h)
	}
	for i, row := range t.Rows {
		rv := fluxoRowView{Cells: make([]rptCell, len(row))}
		for j, c := range row {
			rv.Cells[j] = rptCell{Text: c}
			if j < len(t.Columns) {
				rv.Cells[j].Num = fluxoFigureCols[t.Columns[j]]
				rv.Cells[j].Wrap = fluxoWrapCols[t.Columns[j]]
			}
		}
		if i < len(t.Keys) {
			if b, c, ok := strings.Cut(t.Keys[i], "/"); ok {
				rv.HistoryURL = "/fluxo-agil/" + url.PathEscape(b) + "/" + url.PathEscape(c)
			}
		}
		view.Rows = append(view.Rows, rv)
	}
	if t.NextCursor != "" {
		nq := rptClone(base)
		nq.Set("cursor", t.NextCursor)
		view.NextURL = "/fluxo-agil?" + nq.Encode()
	}
	if q.Get("cursor") != "" {
		view.FirstURL = "/fluxo-agil?" + base.Encode()
	}
	view.Exports = rptExports(page, "/api/v1/reports/fluxo-agil/export", q)
	s.render(w, r, http.StatusOK, "fluxo.html", page)
}

func rptSetOrDel(v url.Values, k, x string) {
	if x == "" {
		v.Del(k)
	} else {
		v.Set(k, x)
	}
}

// fluxoHistoryView is the data of fluxo_history.html.
type fluxoHistoryView struct {
	NotFound              bool
	Batch, Contact        string
	BatchID, ContactID    string
	Document, Phone, Mail string
	Conversations         []fluxoConvView
	BackURL               string
}

type fluxoConvView struct {
	ID, Flow, Channel, Outcome, OutcomeLabel string
	Start, End                               string
	Open                                     bool
	HistoryURL                               string // Ver atendimento
	Interaction                              string
	Steps                                    []fluxoStepView
	Messages                                 []fluxoMsgView
}

type fluxoStepView struct {
	Step, At string
}

type fluxoMsgView struct {
	Sender, SenderLabel, Text, At string
}

// uiFluxoHistory is the Ação of a Fluxo Ágil row: every conversation of the
// contact in the batch with the bot, its path and messages.
func (s *Server) uiFluxoHistory(w http.ResponseWriter, r *http.Request) {
	ctx, p := r.Context(), principal(r)
	page := Page{Title: "Histórico do Fluxo Ágil", Active: "fluxo"}
	page.Lang = lang(r)
	batch, contact := r.PathValue("batch"), r.PathValue("contact")
	view := &fluxoHistoryView{BatchID: batch, ContactID: contact, BackURL: "/fluxo-agil"}
	if ref := r.Referer(); ref != "" {
		if u, err := url.Parse(ref); err == nil && u.Host == r.Host && u.Path == "/fluxo-agil" {
			view.BackURL = "/fluxo-agil?" + u.RawQuery
		}
	}
	page.Data = view
	h, err := s.reports.FluxoHistory(ctx, p, batch, contact)
	if errors.Is(err, report.ErrNotFound) {
		view.NotFound = true
		s.render(w, r, http.StatusNotFound, "fluxo_history.html", page)
		return
	}
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	s.audit(r, "history.view", map[string]any{"batch": batch, "contact": contact}, nil, nil)

	media, err := s.db.Media(ctx)
	if err != nil {
		s.rptFail(w, r, err)
		return
	}
	channel := func(id string) string {
		for _, m := range media {
			if m.ID == id {
				return rptMediaLabel(page.Lang, m)
			}
		}
		return id
	}
	view.Batch, view.Contact = h.Batch, h.Contact
	view.Document, view.Phone, view.Mail = h.Document, h.Phone, h.Email
	for _, c := range h.Conversations {
		cv := fluxoConvView{
			ID: c.ID, Flow: c.Flow, Channel: channel(c.Channel), Outcome: c.Outcome,
			OutcomeLabel: page.T(c.OutcomeLabel), Start: rptTime(page.Lang, c.StartedAt),
			Open: c.EndedAt == nil, Interaction: c.Interaction,
		}
		if c.EndedAt != nil {
			cv.End = rptTime(page.Lang, *c.EndedAt)
		}
		if c.Protocol != "" {
			cv.HistoryURL = "/historico/" + url.PathEscape(c.Protocol)
		}
		for _, st := range c.Steps {
			cv.Steps = append(cv.Steps, fluxoStepView{Step: st.Step, At: rptTime(page.Lang, st.At)})
		}
		for _, m := range c.Messages {
			label := map[string]string{"bot": "Bot", "client": "Cliente"}[m.Sender]
			if label == "" {
				label = m.Sender
			}
			cv.Messages = append(cv.Messages, fluxoMsgView{Sender: m.Sender, SenderLabel: page.T(label), Text: m.Text, At: rptTime(page.Lang, m.At)})
		}
		view.Conversations = append(view.Conversations, cv)
	}
	s.render(w, r, http.StatusOK, "fluxo_history.html", page)
}

// rptTime prints a time of the tenant's zone (the report already converted
// it): DD/MM/AAAA HH:MM:SS in Portuguese, AAAA-MM-DD HH:MM:SS in English.
func rptTime(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if lang == "en" {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("02/01/2006 15:04:05")
}

// rptMediaLabel is a media's label in the page's language.
func rptMediaLabel(lang string, m model.Media) string {
	if lang == "en" && m.LabelEN != "" {
		return m.LabelEN
	}
	return m.Label
}
