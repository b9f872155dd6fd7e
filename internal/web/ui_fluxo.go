package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
)

// fluxoForm is the Fluxo Ágil filters the page's form sends.
var fluxoForm = form{
	{"from", "De"}, {"to", "Até"}, {"client", "Cliente"}, {"campaign", "Campanha"}, {"batch", "Lote"},
	{"step", "Parou na etapa"}, {"reached_human", "Chegou ao atendimento humano"}, {"sort", "Ordenação"},
	{"limit", "Linhas por página"}, {"cursor", "Posição (página)"},
}

// fluxoColumnClass styles the Fluxo Ágil columns: figures right-aligned,
// long texts wrapping.
var fluxoColumnClass = map[string]string{"Conversas": "num", "Mensagens": "num", "Lote": "rpt-wrap", "Nome": "rpt-wrap"}

// fluxoView is the data of fluxo.html.
type fluxoView struct {
	Searched bool
	Problems []problem

	Dates                                             rangeField
	Client, Campaign, Batch, Step, ReachedHuman, Sort string

	Clients, Campaigns, Batches []store.Option
	Steps                       []stepOption

	// Conversations is the total of the filtered set (every page).
	Conversations int64

	Headers  []header
	Rows     []row
	NextURL  string
	FirstURL string
	Exports  []exportLink

	Dropoff      template.HTML
	DropoffLinks []string
}

// stepOption is a step of the step filter: its id and, when a
// flow.upserted names it, its name.
type stepOption struct{ ID, Name string }

// flowNames names flows and steps on the Fluxo Ágil screens from the
// directory (flow.upserted); exports and the API keep the ids the events
// carry.
type flowNames map[string]store.Labels

// flow is a flow's name, else its id.
func (f flowNames) flow(id string) string {
	if n := f[id].Name; n != "" {
		return n
	}
	return id
}

// step is the name of a step of a flow, else its id.
func (f flowNames) step(flow, step string) string {
	if n := f[flow].Labels[step]; n != "" {
		return n
	}
	return step
}

// anyStep names a step seen across flows (the drop-off and the step filter
// of a search that may span several): its name when every flow that names
// it agrees, else its id.
func (f flowNames) anyStep(step string) string {
	name := ""
	for _, fl := range f {
		n := fl.Labels[step]
		switch {
		case n == "":
		case name == "":
			name = n
		case n != name:
			return step
		}
	}
	if name == "" {
		return step
	}
	return name
}

// hasOption says whether id is one of list.
func hasOption(list []store.Option, id string) bool {
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
func (s *Server) uiFluxo(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	page := newPage(r, "Fluxo Ágil", "fluxo")
	v := r.URL.Query()
	view := &fluxoView{
		Dates: newRange(page, fluxoForm, v, "Período", "date", "até", "from", "to"), Client: v.Get("client"), Campaign: v.Get("campaign"),
		Batch: v.Get("batch"), Step: v.Get("step"), ReachedHuman: v.Get("reached_human"), Sort: v.Get("sort"),
		Searched: fluxoForm.searched(v),
	}
	page.Data = view

	// The cascade: campaigns of the chosen client, batches of the chosen
	// campaign (or of the client's campaigns; none before a client or a
	// campaign is chosen: a tenant may have thousands). A child that belongs
	// to another parent is reset, as the selects do when the parent
	// changes; an unknown id is left for ParseFluxo to report.
	var err error
	if view.Clients, err = s.db.Clients(ctx, p); err != nil {
		return err
	}
	campaigns, err := s.db.Campaigns(ctx, p, "")
	if err != nil {
		return err
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
	case view.Campaign != "" && hasOption(campaigns, view.Campaign):
		batches, err = s.db.Batches(ctx, p, view.Campaign)
	}
	if err != nil {
		return err
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
	if view.Campaign != "" && hasOption(campaigns, view.Campaign) && !hasOption(view.Campaigns, view.Campaign) {
		view.Campaign = "" // a campaign of another client
	}
	for _, b := range batches {
		if (view.Campaign != "" && b.Parent == view.Campaign) || (view.Campaign == "" && view.Client != "" && hasOption(view.Campaigns, b.Parent)) {
			view.Batches = append(view.Batches, b)
		}
	}
	if view.Batch != "" && hasOption(batches, view.Batch) && !hasOption(view.Batches, view.Batch) {
		view.Batch = "" // a batch of another campaign
	}

	if !view.Searched {
		s.render(w, r, http.StatusOK, "fluxo.html", page)
		return nil
	}
	q := queryWith(fluxoForm.query(v), "client", view.Client, "campaign", view.Campaign, "batch", view.Batch)

	fq, err := s.reports.ParseFluxo(ctx, p, q)
	if view.Problems, err = problemsOf(page, fluxoForm, err); err != nil {
		return err
	}
	if s.badSearch(w, r, page, "fluxo.html", view.Problems) {
		return nil
	}
	t, err := s.reports.Fluxo(ctx, p, fq)
	if err != nil {
		return err
	}
	if view.Conversations, err = s.reports.FluxoConversations(ctx, p, fq); err != nil {
		return err
	}
	var names flowNames
	if names, err = s.db.Flows(ctx, p.Tenant); err != nil {
		return err
	}

	// Drop-off: the chosen filters but the step, so every step shows and
	// the chosen one is highlighted; each step links to its step filter.
	dq := cloneQuery(q)
	for _, n := range []string{"step", "cursor", "limit", "sort"} {
		dq.Del(n)
	}
	dfq, err := s.reports.ParseFluxo(ctx, p, dq)
	if err != nil {
		return err
	}
	steps, err := s.reports.FluxoDropoff(ctx, p, dfq)
	if err != nil {
		return err
	}
	listed := false
	for _, st := range steps {
		view.Steps = append(view.Steps, stepOption{st.Step, names.anyStep(st.Step)})
		view.DropoffLinks = append(view.DropoffLinks, "/fluxo-agil?"+queryWith(dq, "step", st.Step).Encode())
		listed = listed || st.Step == view.Step
	}
	if view.Step != "" && !listed {
		view.Steps = append(view.Steps, stepOption{view.Step, names.anyStep(view.Step)})
	}
	view.Dropoff = dropoffSVG(steps, dropoffText{
		Title:     page.T("Abandono por etapa"),
		Reached:   page.T("chegaram"),
		Stopped:   page.T("pararam aqui"),
		Abandoned: page.T("abandonaram aqui"),
		Finished:  page.T("concluíram aqui"),
		Selected:  view.Step,
		Name:      names.anyStep,
		Lang:      page.Lang,
	}, view.DropoffLinks)

	// Table, sortable by Lote or Nome.
	base := queryWith(q, "cursor", "")
	for _, c := range t.Columns {
		h := header{Label: page.T(c)}
		if fluxoColumnClass[c] == "num" {
			h.Class = "num"
		}
		if key := map[string]string{"Lote": "batch", "Nome": "name"}[c]; key != "" {
			h.URL = "/fluxo-agil?" + queryWith(base, "sort", key).Encode()
			h.Current = key == view.Sort || (key == "batch" && view.Sort == "")
		}
		view.Headers = append(view.Headers, h)
	}
	flowCol, stepCol := -1, -1
	for j, c := range t.Columns {
		switch c {
		case "Fluxo":
			flowCol = j
		case "Última Etapa":
			stepCol = j
		}
	}
	for i, tr := range t.Rows {
		rv := row{Cells: make([]cell, len(tr))}
		for j, c := range tr {
			rv.Cells[j] = cell{Text: c}
			if j < len(t.Columns) {
				rv.Cells[j].Text = screenCell(t.Columns[j], c)
				rv.Cells[j].Class = fluxoColumnClass[t.Columns[j]]
			}
		}
		// Names of the flow and of its last step (the export keeps ids).
		if flowCol >= 0 && flowCol < len(tr) {
			if stepCol >= 0 && stepCol < len(tr) {
				rv.Cells[stepCol].Text = names.step(tr[flowCol], tr[stepCol])
			}
			rv.Cells[flowCol].Text = names.flow(tr[flowCol])
		}
		if i < len(t.Keys) {
			if b, c, ok := strings.Cut(t.Keys[i], "/"); ok {
				rv.Key, rv.ActionURL = t.Keys[i], "/fluxo-agil/"+url.PathEscape(b)+"/"+url.PathEscape(c)
			}
		}
		view.Rows = append(view.Rows, rv)
	}
	if t.NextCursor != "" {
		view.NextURL = "/fluxo-agil?" + queryWith(base, "cursor", t.NextCursor).Encode()
	}
	if q.Get("cursor") != "" {
		view.FirstURL = "/fluxo-agil?" + base.Encode()
	}
	view.Exports = disableExports(exportLinks(page, "/api/v1/reports/fluxo-agil/export", q, true), len(t.Rows) == 0 && q.Get("cursor") == "")
	s.render(w, r, http.StatusOK, "fluxo.html", page)
	return nil
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
func (s *Server) uiFluxoHistory(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	page := newPage(r, "Histórico do Fluxo Ágil", "fluxo")
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
		return nil
	}
	if err != nil {
		return err
	}
	s.audit(r, "history.view", map[string]any{"batch": batch, "contact": contact}, nil, nil)

	media, err := s.db.Media(ctx)
	if err != nil {
		return err
	}
	channel := func(id string) string {
		for _, m := range media {
			if m.ID == id {
				return mediaLabel(page.Lang, m)
			}
		}
		return id
	}
	names, err := s.db.Flows(ctx, p.Tenant)
	if err != nil {
		return err
	}
	view.Batch, view.Contact = h.Batch, h.Contact
	view.Document, view.Phone, view.Mail = h.Document, screenPhone(h.Phone), h.Email
	for _, c := range h.Conversations {
		cv := fluxoConvView{
			ID: c.ID, Flow: flowNames(names).flow(c.Flow), Channel: channel(c.Channel), Outcome: c.Outcome,
			OutcomeLabel: page.T(c.OutcomeLabel), Start: pageTime(page.Lang, c.StartedAt, c.StartedAt.Location()),
			Open: c.EndedAt == nil, Interaction: c.Interaction,
		}
		if c.EndedAt != nil {
			cv.End = pageTime(page.Lang, *c.EndedAt, c.EndedAt.Location())
		}
		if c.Protocol != "" {
			// Voltar on the history returns to this page (safeBack).
			cv.HistoryURL = "/historico/" + url.PathEscape(c.Protocol) + "?" + url.Values{"back": {r.URL.RequestURI()}}.Encode()
		}
		for _, st := range c.Steps {
			cv.Steps = append(cv.Steps, fluxoStepView{Step: flowNames(names).step(c.Flow, st.Step), At: pageTime(page.Lang, st.At, st.At.Location())})
		}
		for _, m := range c.Messages {
			label := map[string]string{"bot": "Bot", "client": "Cliente"}[m.Sender]
			if label == "" {
				label = m.Sender
			}
			cv.Messages = append(cv.Messages, fluxoMsgView{Sender: m.Sender, SenderLabel: page.T(label), Text: m.Text, At: pageTime(page.Lang, m.At, m.At.Location())})
		}
		view.Conversations = append(view.Conversations, cv)
	}
	s.render(w, r, http.StatusOK, "fluxo_history.html", page)
	return nil
}
