package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
)

// uiOnlyParams are query parameters the pages add and the report parser does
// not know; they are stripped before ParseInteractions.
var uiOnlyParams = []string{"lang"}

// keptHiddenParams are Rastreio parameters the filter panel has no control
// for (drill-downs from other reports bring them); the form carries them on
// as hidden inputs so a new search keeps them.
var keptHiddenParams = []string{"ivrs"}

// rastreioParamLabels names each parameter as the filter panel does, for
// the error messages.
var rastreioParamLabels = map[string]string{
	"media": "Mídia", "from": "Data (de)", "to": "Data (até)", "hour_from": "Hora (de)", "hour_to": "Hora (até)",
	"portfolio": "Portfólio", "expiration_status": "Status de expiração", "voice_status": "Status de voz",
	"call_quality":   "Qualidade de chamada",
	"service_status": "Status de Serviço", "tags": "Tags", "email": "Email", "phone": "Número de telefone",
	"agents": "Usuários", "services": "Serviços", "protocol": "Protocolo", "external_id": "ID externo contato",
	"external_protocol": "Protocolo externo", "user_tags": "Tags do usuário", "contacts": "Contatos",
	"order": "Ordem", "cursor": "Página", "limit": "Linhas por página", "ivrs": "IVR",
}

// reasonPT puts the report parser's problem texts in Portuguese for the
// pt-BR page (the API keeps them in English); an unknown text stays as is.
var reasonPT = strings.NewReplacer(
	"does not apply to media ", "não se aplica à mídia ",
	"must be a date AAAA-MM-DD, got ", "deve ser uma data AAAA-MM-DD; recebido ",
	"must be a time of day HH:MM, got ", "deve ser uma hora HH:MM; recebido ",
	"must be true or false, got ", "deve ser true ou false; recebido ",
	" is not one of: ", " não é um de: ",
	"must contain digits", "deve conter dígitos",
	"must not be before from", "não pode ser anterior à data inicial",
	"must be asc or desc", "deve ser asc ou desc",
	"must be a number from 1 to ", "deve ser um número de 1 a ",
	"invalid cursor", "página inválida: volte à primeira página",
	"unknown parameter", "parâmetro desconhecido",
	"required", "obrigatório",
)

// option is one entry of a select or checkbox list.
type option struct {
	Value, Label string
	Selected     bool
	// Filters is, for a media option, the media-specific filters it shows
	// (space-separated, read by app.js).
	Filters string
}

// multiSelect is a checkbox dropdown (details/summary, no script needed;
// app.js adds the list filter and the live count).
type multiSelect struct {
	Name    string
	Options []option
	Filter  bool // show a text box that filters long lists
	Count   int  // selected options
	// Labels, already translated.
	None, Some, FilterLabel, Empty string
}

func newMulti(lg, name string, opts []option, filter bool) multiSelect {
	m := multiSelect{Name: name, Options: opts, Filter: filter && len(opts) > 8,
		None: translate(lg, "Todos"), Some: translate(lg, "selecionados"),
		FilterLabel: translate(lg, "Filtrar lista"), Empty: translate(lg, "Nenhuma opção")}
	for _, o := range opts {
		if o.Selected {
			m.Count++
		}
	}
	return m
}

// hiddenParam is a name/value pair carried as a hidden input.
type hiddenParam struct{ Name, Value string }

// cell is a table cell with its CSS class and, for statuses and
// qualities, the class of the badge the value is drawn in.
type cell struct{ Text, Class, Badge string }

// resultRow is one Rastreio row on screen.
type resultRow struct {
	Protocol    string
	HistoryHref string
	Cells       []cell
}

// resultTable is the Rastreio table with its links.
type resultTable struct {
	Headers   []string
	Classes   []string // per column, for the header cell
	Rows      []resultRow
	Count     int64
	Desc      bool
	SortHref  string
	FirstHref string
	NextHref  string
	IsFirst   bool
	CSVHref   string
	CommaHref string
	XLSXHref  string
}

// rastreioData is what rastreio.html shows.
type rastreioData struct {
	Media         []option
	MediaID       string
	MediaLabel    string
	Show          map[string]bool // media-specific filter → visible
	Values        map[string]string
	VoiceStatus   multiSelect
	CallQuality   multiSelect
	ServiceStatus []option
	Portfolio     []option
	Expiration    []option
	Limits        []option
	Agents        multiSelect
	Services      multiSelect
	Tags          multiSelect
	UserTags      multiSelect
	Contacts      []option
	Hidden        []hiddenParam
	Errors        []string
	Table         *resultTable
}

// mediaSpecificFilters are the filters whose visibility depends on the media.
var mediaSpecificFilters = []string{"expiration_status", "voice_status", "call_quality", "service_status", "email", "phone"}

// cleanQuery drops UI-only parameters and blank values (empty form inputs)
// so the parser, the links and the export see only real filters.
func cleanQuery(in url.Values) url.Values {
	out := url.Values{}
	for k, vs := range in {
		if containsString(uiOnlyParams, k) {
			continue
		}
		for _, v := range vs {
			if strings.TrimSpace(v) != "" {
				out.Add(k, v)
			}
		}
	}
	return out
}

// listParam reads a comma-separated or repeated list, as the parser does.
func listParam(v url.Values, name string) []string {
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

func (s *Server) uiRastreio(w http.ResponseWriter, r *http.Request) {
	ctx, p, lg := r.Context(), principal(r), lang(r)
	v := cleanQuery(r.URL.Query())
	data := rastreioData{Show: map[string]bool{}, Values: map[string]string{}}
	page := Page{Title: "Rastreio de Interações", Active: "rastreio"}

	media, err := s.db.Media(ctx)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	data.MediaID = v.Get("media")
	for _, m := range media {
		label := m.Label
		if lg == "en" && m.LabelEN != "" {
			label = m.LabelEN
		}
		o := option{Value: m.ID, Label: label, Selected: m.ID == data.MediaID, Filters: strings.Join(m.Filters, " ")}
		if o.Selected {
			data.MediaLabel = label
			for _, f := range m.Filters {
				data.Show[f] = true
			}
		}
		data.Media = append(data.Media, o)
	}
	for _, k := range []string{"from", "to", "hour_from", "hour_to", "email", "phone", "protocol", "external_id", "external_protocol"} {
		data.Values[k] = v.Get(k)
	}
	sel := func(name string) map[string]bool {
		m := map[string]bool{}
		for _, x := range listParam(v, name) {
			m[x] = true
		}
		return m
	}
	vs := sel("voice_status")
	var voice []option
	for _, id := range model.VoiceStatuses {
		voice = append(voice, option{Value: id, Label: translate(lg, model.VoiceStatusLabels[id]), Selected: vs[id]})
	}
	data.VoiceStatus = newMulti(lg, "voice_status", voice, false)
	cq := sel("call_quality")
	var quality []option
	for _, class := range []string{metrics.QualityHigh, metrics.QualityMedium, metrics.QualityLow} {
		id := metrics.QualityValue(class)
		quality = append(quality, option{Value: id, Label: translate(lg, class), Selected: cq[id]})
	}
	data.CallQuality = newMulti(lg, "call_quality", quality, false)
	ss := sel("service_status")
	if len(ss) == 0 {
		ss["completed"] = true // SPEC: Service Completed is selected by default
	}
	data.ServiceStatus = []option{
		{Value: "completed", Label: "Service Completed", Selected: ss["completed"]},
		{Value: "transferred", Label: "Service Transferred", Selected: ss["transferred"]},
		// Our addition: abandoned, dequeued, bad phone/number legs too.
		{Value: "all", Label: translate(lg, "Todos os status"), Selected: ss["all"]},
	}
	one := func(name string, pairs ...string) []option {
		var out []option
		for i := 0; i+1 < len(pairs); i += 2 {
			out = append(out, option{Value: pairs[i], Label: translate(lg, pairs[i+1]), Selected: v.Get(name) == pairs[i]})
		}
		return out
	}
	data.Portfolio = one("portfolio", "", "Todos", "true", "Carteirizado", "false", "Não carteirizado")
	data.Expiration = one("expiration_status", "", "Todos", "active", "Ativo", "expired", "Expirado")
	data.Limits = one("limit", "", "50", "100", "100", "200", "200", "500", "500")

	// Directory lists of the multi-selects (scoped to the principal).
	selected := sel("agents")
	agents, err := s.db.Agents(ctx, p)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	var agentOpts []option
	for _, a := range agents {
		label := a.Name
		if a.Status == "inativo" {
			label += " (" + translate(lg, "inativo") + ")"
		}
		agentOpts = append(agentOpts, option{Value: a.ID, Label: label, Selected: selected[a.ID]})
	}
	data.Agents = newMulti(lg, "agents", agentOpts, true)
	for _, l := range []struct {
		name string
		dst  *multiSelect
		load func() ([]option, error)
	}{
		{"services", &data.Services, func() ([]option, error) { return optionsOf(s.db.Services(ctx, p)) }},
		{"tags", &data.Tags, func() ([]option, error) { return optionsOf(s.db.Tags(ctx, p)) }},
		{"user_tags", &data.UserTags, func() ([]option, error) { return optionsOf(s.db.UserTags(ctx, p)) }},
	} {
		opts, err := l.load()
		if err != nil {
			s.uiFail(w, r, err)
			return
		}
		chosen := sel(l.name)
		for i := range opts {
			opts[i].Selected = chosen[opts[i].Value]
		}
		*l.dst = newMulti(lg, l.name, opts, true)
	}
	if ids := listParam(v, "contacts"); len(ids) > 0 {
		dir := s.db.Directory(ctx, p.Tenant)
		for _, id := range ids {
			label := id
			if c, ok := dir.Contact(id); ok && c.Name != "" {
				label = c.Name
			}
			data.Contacts = append(data.Contacts, option{Value: id, Label: label, Selected: true})
		}
	}
	// A language chosen by ?lang= (not the cookie) stays on through the search.
	if l := r.URL.Query().Get("lang"); l == "en" || l == "pt" {
		data.Hidden = append(data.Hidden, hiddenParam{"lang", l})
	}
	for _, name := range keptHiddenParams {
		for _, x := range v[name] {
			data.Hidden = append(data.Hidden, hiddenParam{name, x})
		}
	}

	if data.MediaID == "" {
		page.Data = data
		s.render(w, r, http.StatusOK, "rastreio.html", page)
		return
	}
	q, err := s.reports.ParseInteractions(ctx, p, v)
	var pe *report.ParamError
	if errors.As(err, &pe) {
		for _, pr := range pe.Problems {
			label := pr.Param
			if l, ok := rastreioParamLabels[pr.Param]; ok {
				label = translate(lg, l)
			}
			reason := pr.Reason
			if lg == "pt" {
				reason = reasonPT.Replace(reason)
			}
			data.Errors = append(data.Errors, label+": "+reason)
		}
		page.Data = data
		s.render(w, r, http.StatusBadRequest, "rastreio.html", page)
		return
	}
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	t, err := s.reports.Interactions(ctx, p, q)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	count, err := s.reports.CountLegs(ctx, p, q.Filter)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	data.Table = buildResultTable(t, v, r.URL.Query().Get("lang"), lg, q.Desc, count)
	page.Data = data
	s.render(w, r, http.StatusOK, "rastreio.html", page)
}

// optionsOf turns a store option list into page options.
func optionsOf(list []store.Option, err error) ([]option, error) {
	if err != nil {
		return nil, err
	}
	out := make([]option, len(list))
	for i, o := range list {
		out[i] = option{Value: o.ID, Label: o.Label}
	}
	return out, nil
}

// buildResultTable keeps the screen columns of a Rastreio page and makes
// its links: sort, paging, history and the exports with the same filters.
func buildResultTable(t report.Table, v url.Values, langParam, lg string, desc bool, count int64) *resultTable {
	base := url.Values{}
	for k, vs := range v {
		if k != "cursor" {
			base[k] = vs
		}
	}
	screen := func(q url.Values) string {
		c := url.Values{}
		for k, vs := range q {
			c[k] = vs
		}
		if langParam != "" {
			c.Set("lang", langParam)
		}
		return "/rastreio?" + c.Encode()
	}
	with := func(q url.Values, kv ...string) url.Values {
		c := url.Values{}
		for k, vs := range q {
			c[k] = append([]string(nil), vs...)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			c.Set(kv[i], kv[i+1])
		}
		return c
	}
	rt := &resultTable{Count: count, Desc: desc, IsFirst: v.Get("cursor") == ""}
	rt.FirstHref = screen(base)
	other := "asc"
	if !desc {
		other = "desc"
	}
	rt.SortHref = screen(with(base, "order", other))
	if t.NextCursor != "" {
		rt.NextHref = screen(with(base, "cursor", t.NextCursor))
	}
	exp := url.Values{}
	for k, vs := range base {
		if k != "limit" {
			exp[k] = vs
		}
	}
	const api = "/api/v1/reports/interactions/export?"
	rt.CSVHref = api + with(exp, "format", "csv").Encode()
	rt.CommaHref = api + with(exp, "format", "csv", "sep", ",").Encode()
	rt.XLSXHref = api + with(exp, "format", "xlsx").Encode()

	back := screen(v)
	var idx []int
	for i, c := range t.Columns {
		if model.CSVOnlyColumns[c] {
			continue
		}
		idx = append(idx, i)
		rt.Headers = append(rt.Headers, translate(lg, c))
		hc := ""
		if columnClass(c) == "num" {
			hc = "num"
		}
		rt.Classes = append(rt.Classes, hc)
	}
	for i, row := range t.Rows {
		rr := resultRow{Cells: make([]cell, 0, len(idx))}
		if i < len(t.Keys) {
			rr.Protocol = t.Keys[i]
			hq := url.Values{"back": {back}}
			if langParam != "" {
				hq.Set("lang", langParam)
			}
			rr.HistoryHref = "/historico/" + url.PathEscape(rr.Protocol) + "?" + hq.Encode()
		}
		for _, j := range idx {
			text := ""
			if j < len(row) {
				text = row[j]
			}
			rr.Cells = append(rr.Cells, cell{Text: text, Class: columnClass(t.Columns[j]), Badge: badgeClass(t.Columns[j], text)})
		}
		rt.Rows = append(rt.Rows, rr)
	}
	return rt
}

// columnClass styles a column: durations and dates are tabular.
func columnClass(c string) string {
	switch c {
	case "DURAÇÃO", "TMP", "TMI", "TM1R", "TMR":
		return "num"
	case "PROTOCOLO", "PROTOCOLO EXTERNO", "DOCUMENTO", "PARA", "A PARTIR DE":
		return "mono"
	case "DATA ATENDIDA", "DATA PRIMEIRA MENSAGEM", "DATA HORA ENTREGUE EM FILA", "DATA FINALIZAÇÃO CLIENTE",
		"DATA FINALIZAÇÃO AGENTE", "HORA ENTREGUE AO AGENTE", "HORA MENSAGEM INICIAL", "DATA DE ENTRADA EM FILA", "HORA DE ENTRADA EM FILA":
		return "dt"
	}
	return ""
}

// badgeClass is the badge of a status, quality or expiration value ("" =
// plain text).
func badgeClass(c, text string) string {
	if text == "" {
		return ""
	}
	switch c {
	case "STATUS":
		return "st-" + slug(text)
	case "QUALIDADE DE CHAMADA":
		return "q-" + slug(text)
	case "STATUS DE EXPIRAÇÃO":
		return "exp-" + slug(text)
	}
	return ""
}

// slug lower-cases and strips the accents the class names meet (Média).
func slug(s string) string {
	return strings.NewReplacer("é", "e", "É", "e", " ", "-").Replace(strings.ToLower(s))
}

// uiFail answers an unexpected error on a page.
func (s *Server) uiFail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, r.Context().Err()) && r.Context().Err() != nil {
		return // the browser went away
	}
	s.log.Error("page failed", "path", r.URL.Path, "err", err)
	http.Error(w, "Erro interno. Tente novamente.", http.StatusInternalServerError)
}

// ---- Ver Histórico ----------------------------------------------------------

// historyLeg is one step of the path.
type historyLeg struct {
	N                                                      int
	Service, Agent, Entered, Finished, Status, StatusClass string
}

// historyEntry is one line of the timeline.
type historyEntry struct {
	Kind, Class, Time, Who, Service, Text, Detail string
	Leg                                           int
	IsMessage, IsStep                             bool
	Attachment                                    *model.Attachment
}

// detailRow is a label/value of the call details.
type detailRow struct{ Label, Value, Class, Badge string }

// historyData is what history.html shows.
type historyData struct {
	NotFound        bool
	Protocol        string
	Media           string
	MediaLabel      string
	Desc            bool
	AscHref         string
	DescHref        string
	BackHref        string
	Legs            []historyLeg
	Entries         []historyEntry
	Call            []detailRow
	IsVoice         bool
	RecordingHref   string
	MessageCount    int
	TransferCount   int
	FirstAt, LastAt string
}

// historyEN translates the pt-BR step texts of metrics.BuildHistory.
var historyEN = strings.NewReplacer(
	"Entrou na fila do serviço ", "Queued in service ",
	"Entregue ao agente ", "Delivered to agent ",
	"Atendimento Iniciado (", "Service started (",
	"Em espera (Hold)", "On hold",
	"Em fila pessoal", "In personal queue",
	"Atendimento retomado", "Resumed",
	"Atendimento finalizado (", "Finished (",
	"Transferido de ", "Transferred from ",
	"Transferido do serviço ", "Transferred from service ",
	"Transferido", "Transferred",
	" para o agente ", " to agent ",
	" para o serviço ", " to service ",
	" (serviço ", " (service ",
	"Chamada atendida", "Call answered",
	"Cliente desligou", "Client hung up",
	"Agente desligou", "Agent hung up",
	"Entrou na URA ", "Entered IVR ",
	"Opção escolhida na URA ", "Option chosen in IVR ",
	"Saiu da URA ", "Left IVR ",
	": transferido", ": transferred",
	"Abandonou na URA ", "Abandoned in IVR ",
	"Finalizado na URA ", "Finished in IVR ",
)

// safeBack keeps a local Rastreio URL as the history page's way back.
func safeBack(back string) string {
	if strings.HasPrefix(back, "/rastreio") && !strings.ContainsAny(back, "\r\n\\") {
		return back
	}
	return ""
}

func (s *Server) uiHistory(w http.ResponseWriter, r *http.Request) {
	ctx, p, lg := r.Context(), principal(r), lang(r)
	protocol := r.PathValue("protocol")
	qv := r.URL.Query()
	desc := qv.Get("order") == "desc"
	page := Page{Title: "Histórico de Atendimento", Active: "rastreio"}
	data := historyData{Protocol: protocol, Desc: desc, BackHref: safeBack(qv.Get("back"))}

	h, err := s.reports.History(ctx, p, protocol, desc)
	if errors.Is(err, report.ErrNotFound) {
		data.NotFound = true
		if data.BackHref == "" {
			data.BackHref = "/rastreio"
		}
		page.Data = data
		s.render(w, r, http.StatusNotFound, "history.html", page)
		return
	}
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	s.audit(r, "history.view", map[string]any{"protocol": protocol}, nil, nil)

	tc, err := s.db.TenantContext(ctx, p.Tenant)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	loc := tc.Zone
	when := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return metrics.FormatDateTime(*t, loc)
	}
	data.Media = h.Media
	data.MediaLabel = h.Media
	if m, ok := tc.MediaByID(h.Media); ok {
		data.MediaLabel = m.Label
		if lg == "en" && m.LabelEN != "" {
			data.MediaLabel = m.LabelEN
		}
	}
	if data.BackHref == "" {
		data.BackHref = "/rastreio?" + url.Values{"media": {h.Media}}.Encode()
	}
	link := func(order string) string {
		q := url.Values{"order": {order}}
		if data.BackHref != "" {
			q.Set("back", data.BackHref)
		}
		if l := qv.Get("lang"); l != "" {
			q.Set("lang", l)
		}
		return "/historico/" + url.PathEscape(protocol) + "?" + q.Encode()
	}
	data.AscHref, data.DescHref = link("asc"), link("desc")

	legN := map[string]int{}
	for i, l := range h.Legs {
		legN[l.LegID] = i + 1
		data.Legs = append(data.Legs, historyLeg{
			N: i + 1, Service: orDash(l.ServiceName, l.ServiceID), Agent: orDash(l.AgentName, l.AgentID),
			Entered: when(l.EnteredAt), Finished: when(l.FinishedAt), Status: l.Status,
			StatusClass: "st-" + strings.ReplaceAll(l.Status, " ", "-"),
		})
	}
	detail := func(s string) string {
		if lg == "en" {
			return historyEN.Replace(s)
		}
		return s
	}
	for _, e := range h.Entries {
		en := historyEntry{
			Kind: e.Kind, Time: metrics.FormatDateTime(e.At, loc), Service: orDefaultStr(e.ServiceName, e.ServiceID),
			Text: e.Text, Detail: detail(e.Detail), Leg: legN[e.LegID], Attachment: e.Attachment,
		}
		if e.Kind == metrics.EntryMessage {
			data.MessageCount++
			en.IsMessage = true
			en.Class = "msg msg-" + e.Sender
			switch e.Sender {
			case "client":
				en.Who = translate(lg, "Cliente")
			case "agent":
				en.Who = orDefaultStr(e.AgentName, e.AgentID)
				if en.Who == "" {
					en.Who = translate(lg, "Agente")
				}
			case "bot":
				en.Who = "Bot"
			default:
				en.Who = translate(lg, "Sistema")
			}
		} else {
			en.IsStep = true
			en.Class = "step step-" + e.Kind
			en.Who = orDefaultStr(e.AgentName, e.AgentID)
			if e.Kind == metrics.EntryTransfer {
				data.TransferCount++
			}
		}
		data.Entries = append(data.Entries, en)
	}
	if n := len(h.Entries); n > 0 {
		first, last := h.Entries[0].At, h.Entries[n-1].At
		if desc {
			first, last = last, first
		}
		data.FirstAt, data.LastAt = metrics.FormatDateTime(first, loc), metrics.FormatDateTime(last, loc)
	}
	if c := h.Call; c != nil {
		data.IsVoice = true
		num := func(v *float64, unit string, class func(float64) string) string {
			if v == nil {
				return ""
			}
			out := fmt.Sprintf("%.1f %s", *v, unit)
			if class != nil {
				out += " (" + translate(lg, class(*v)) + ")"
			}
			return out
		}
		dialed := c.DialedNumber
		if !p.PersonalData && dialed != "" && !strings.Contains(dialed, "*") {
			// The dialed number is the client's phone on outbound calls:
			// masked like PARA and A PARTIR DE (report.History masks only
			// From and To).
			dialed = metrics.MaskPhone(dialed)
		}
		status := c.VoiceStatus
		if l, ok := model.VoiceStatusLabels[status]; ok {
			status = translate(lg, l)
		}
		rows := []detailRow{
			{"Direção", c.Direction, "", ""},
			{"De", c.From, "mono", ""},
			{"Para", c.To, "mono", ""},
			{"Número discado", dialed, "mono", ""},
			{"Servidor de voz", c.VoiceServer, "mono", ""},
			{"Canal externo", c.ExternalChannel, "mono", ""},
			{"Canal interno", c.InternalChannel, "mono", ""},
			{"Status de voz", status, "", ""},
			{"Atendida em", when(c.AnsweredAt), "dt", ""},
			{"Cliente desligou em", when(c.ClientHangupAt), "dt", ""},
			{"Agente desligou em", when(c.AgentHangupAt), "dt", ""},
			{"Jitter", num(c.JitterMs, "ms", metrics.JitterClass), "num-l", ""},
			{"Perda de pacote", num(c.PacketLossPct, "%", metrics.PacketLossClass), "num-l", ""},
			{"RTT", num(c.RttMs, "ms", nil), "num-l", ""},
			{"Qualidade de chamada", translate(lg, c.Quality), "", "q-" + slug(c.Quality)},
		}
		for _, row := range rows {
			row.Label = translate(lg, row.Label)
			if row.Value == "" {
				row.Value, row.Class, row.Badge = "—", "muted", ""
			}
			data.Call = append(data.Call, row)
		}
		if c.RecordingURL != "" {
			data.RecordingHref = "/api/v1/interactions/" + url.PathEscape(protocol) + "/recording"
		}
	}
	page.Data = data
	s.render(w, r, http.StatusOK, "history.html", page)
}

func orDefaultStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func orDash(a, b string) string {
	if s := orDefaultStr(a, b); s != "" {
		return s
	}
	return "—"
}
