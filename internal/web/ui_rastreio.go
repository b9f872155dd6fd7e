package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/connectors/inbox"
	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
)

// keptHiddenParams are Rastreio parameters the filter panel has no control
// for (drill-downs from other reports bring them); the form carries them on
// as hidden inputs so a new search keeps them.
var keptHiddenParams = []string{"ivrs"}

// rastreioForm is the Rastreio filter panel (SPEC.md §3), each parameter
// named as the panel labels it.
var rastreioForm = form{
	{"media", "Mídia"}, {"from", "Data (de)"}, {"to", "Data (até)"}, {"hour_from", "Hora (de)"}, {"hour_to", "Hora (até)"},
	{"portfolio", "Portfólio"}, {"expiration_status", "Status de expiração"}, {"voice_status", "Status de voz"},
	{"call_quality", "Qualidade de chamada"}, {"service_status", "Status de Serviço"}, {"tags", "Tags"},
	{"email", "Email"}, {"phone", "Número de telefone"}, {"agents", "Usuários"}, {"services", "Serviços"},
	{"protocol", "Protocolo"}, {"external_id", "ID externo contato"}, {"external_protocol", "Protocolo externo"},
	{"user_tags", "Tags do usuário"}, {"contacts", "Contatos"}, {"order", "Ordem"}, {"cursor", "Página"},
	{"limit", "Linhas por página"}, {"ivrs", "IVR"},
}

// hiddenParam is a name/value pair carried as a hidden input.
type hiddenParam struct{ Name, Value string }

// resultTable is the Rastreio table with its links.
type resultTable struct {
	Headers   []header
	Rows      []row
	Count     int64
	Desc      bool
	SortHref  string
	FirstHref string
	NextHref  string
	IsFirst   bool
	// Choosable are the columns the column chooser may hide (every one on
	// screen but the pinned ones).
	Choosable []header
}

// rastreioData is what rastreio.html shows.
type rastreioData struct {
	Media         []option
	MediaID       string
	MediaLabel    string
	Show          map[string]bool // media-specific filter → visible
	Values        map[string]string
	Dates, Hours  rangeField
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
	Chips         []filterChip
	Problems      []problem
	Table         *resultTable
	Summary       *summaryStrip
	Exports       []exportLink
}

// filterChip is a drill-down filter the panel has no control for (an IVR
// from the Relatório IVR), shown above the results with a link that removes
// it.
type filterChip struct {
	Param, Value, Label, Name, RemoveHref string
}

// drillDownChips names the kept hidden filters of v (IVR ids by the IVR
// directory) and makes, for each value, the same search without it.
func (s *Server) drillDownChips(ctx context.Context, page Page, p model.Principal, v url.Values, langParam string) ([]filterChip, error) {
	ids := queryList(v, "ivrs")
	if len(ids) == 0 {
		return nil, nil
	}
	lists, err := s.directory(ctx, page, p, "ivrs")
	if err != nil {
		return nil, fmt.Errorf("rastreio drill-down chips: %w", err)
	}
	names := map[string]string{}
	for _, o := range lists["ivrs"] {
		names[o.Value] = o.Label
	}
	var out []filterChip
	for i, id := range ids {
		rest := cloneQuery(v)
		rest.Del("ivrs")
		rest.Del("cursor")
		for j, other := range ids {
			if j != i {
				rest.Add("ivrs", other)
			}
		}
		setOrDel(rest, "lang", langParam)
		out = append(out, filterChip{
			Param: "ivrs", Value: id, Label: page.T("IVR"), Name: orDefaultStr(names[id], id),
			RemoveHref: "/rastreio?" + rest.Encode(),
		})
	}
	return out, nil
}

// summaryStrip is the summary of the whole filtered set above the table.
// The page renders only its frame: app.js fetches the figures from Src
// (/api/v1/reports/interactions/summary with the page's filters) after the
// page is shown, so the first page does not wait for the aggregate.
type summaryStrip struct {
	Src string
	// ByKey is the JSON field of the split ("by_status", or
	// "by_voice_status" for a media with Status de voz) and ByLabel its
	// label; Labels names its keys on screen (JSON, key → label; a key
	// not there shows as it comes, as the STATUS column does).
	ByKey, ByLabel, Labels string
	// Items are the means and the share of expired, those that apply to
	// the media (TMR and TM1R not for a call, % expired only with an
	// expiration window).
	Items []summaryItem
}

// summaryItem is one figure of the strip: its JSON field and label.
type summaryItem struct{ Key, Label string }

// newSummaryStrip frames the strip of a search with parameters v.
func newSummaryStrip(page Page, m model.Media, sc screenColumns, v url.Values) (*summaryStrip, error) {
	st := &summaryStrip{
		Src:     "/api/v1/reports/interactions/summary?" + queryWith(v, "cursor", "").Encode(),
		ByKey:   "by_status",
		ByLabel: page.T("Por status"),
		Labels:  "{}",
	}
	if m.HasFilter("voice_status") {
		st.ByKey, st.ByLabel = "by_voice_status", page.T("Por status de voz")
		labels := map[string]string{}
		for id, l := range model.VoiceStatusLabels {
			labels[id] = page.T(l)
		}
		b, err := json.Marshal(labels)
		if err != nil {
			return nil, fmt.Errorf("summary strip labels: %w", err)
		}
		st.Labels = string(b)
	}
	st.Items = append(st.Items, summaryItem{"mean_duration", page.T("Duração média")})
	if sc.Shows("TMR") {
		st.Items = append(st.Items, summaryItem{"mean_tmr", page.T("TMR médio")}, summaryItem{"mean_tm1r", page.T("TM1R médio")})
	}
	if sc.Shows("STATUS DE EXPIRAÇÃO") {
		st.Items = append(st.Items, summaryItem{"expired_pct", page.T("Expirados")})
	}
	return st, nil
}

// keepAll keeps every parameter: the Rastreio's parser names one it does
// not know rather than the page dropping it.
func keepAll(string) bool { return true }

func (s *Server) uiRastreio(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	page := newPage(r, "Rastreio de Interações", "rastreio")
	v := filterQuery(r.URL.Query(), keepAll)
	data := rastreioData{Show: map[string]bool{}, Values: map[string]string{}}
	page.Data = &data

	lists, err := s.directory(ctx, page, p, "media", "agents", "services", "tags", "user_tags")
	if err != nil {
		return err
	}
	data.MediaID = v.Get("media")
	for _, o := range lists["media"] {
		o.Selected = o.Value == data.MediaID
		if o.Selected {
			data.MediaLabel = o.Label
			for _, f := range strings.Fields(o.Filters) {
				data.Show[f] = true
			}
		}
		data.Media = append(data.Media, o)
	}
	data.Dates = newRange(page, rastreioForm, v, "Data", "date", "até", "from", "to")
	data.Hours = newRange(page, rastreioForm, v, "Hora", "time", "até", "hour_from", "hour_to")
	for _, k := range []string{"email", "phone", "protocol", "external_id", "external_protocol"} {
		data.Values[k] = v.Get(k)
	}
	var voice []option
	for _, id := range model.VoiceStatuses {
		voice = append(voice, option{Value: id, Label: page.T(model.VoiceStatusLabels[id])})
	}
	data.VoiceStatus = newMulti(page, rastreioForm, "voice_status", v, voice)
	var quality []option
	for _, class := range []string{metrics.QualityHigh, metrics.QualityMedium, metrics.QualityLow} {
		quality = append(quality, option{Value: metrics.QualityValue(class), Label: page.T(class)})
	}
	data.CallQuality = newMulti(page, rastreioForm, "call_quality", v, quality)
	ss := querySet(v, "service_status")
	if len(ss) == 0 {
		ss["completed"] = true // SPEC: Service Completed is selected by default
	}
	data.ServiceStatus = []option{
		{Value: "completed", Label: "Service Completed", Selected: ss["completed"]},
		{Value: "transferred", Label: "Service Transferred", Selected: ss["transferred"]},
		// Our addition: abandoned, dequeued, bad phone/number legs too.
		{Value: "all", Label: page.T("Todos os status"), Selected: ss["all"]},
	}
	data.Portfolio = choices(page, v, "portfolio", "", "Todos", "true", "Carteirizado", "false", "Não carteirizado")
	data.Expiration = choices(page, v, "expiration_status", "", "Todos", "active", "Ativo", "expired", "Expirado")
	data.Limits = choices(page, v, "limit", "", "50", "100", "100", "200", "200", "500", "500")
	data.Agents = newMulti(page, rastreioForm, "agents", v, lists["agents"])
	data.Services = newMulti(page, rastreioForm, "services", v, lists["services"])
	data.Tags = newMulti(page, rastreioForm, "tags", v, lists["tags"])
	data.UserTags = newMulti(page, rastreioForm, "user_tags", v, lists["user_tags"])
	if ids := queryList(v, "contacts"); len(ids) > 0 {
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

	if data.Chips, err = s.drillDownChips(ctx, page, p, v, r.URL.Query().Get("lang")); err != nil {
		return err
	}

	if data.MediaID == "" {
		s.render(w, r, http.StatusOK, "rastreio.html", page)
		return nil
	}
	q, err := s.reports.ParseInteractions(ctx, p, v)
	if data.Problems, err = problemsOf(page, rastreioForm, err); err != nil {
		return err
	}
	if s.badSearch(w, r, page, "rastreio.html", data.Problems) {
		return nil
	}
	t, err := s.reports.Interactions(ctx, p, q)
	if err != nil {
		return err
	}
	count, err := s.reports.CountLegs(ctx, p, q.Filter)
	if err != nil {
		return err
	}
	tc, err := s.db.TenantContext(ctx, p.Tenant)
	if err != nil {
		return fmt.Errorf("rastreio screen columns: %w", err)
	}
	sc := newScreenColumns(data.MediaID, tc.Config)
	data.Table = buildResultTable(page, t, sc, v, r.URL.Query().Get("lang"), q.Desc, count)
	if count > 0 {
		if data.Summary, err = newSummaryStrip(page, q.Media, sc, v); err != nil {
			return err
		}
	}
	data.Exports = disableExports(exportLinks(page, "/api/v1/reports/interactions/export", v, true), count == 0)
	s.render(w, r, http.StatusOK, "rastreio.html", page)
	return nil
}

// buildResultTable keeps the screen columns of a Rastreio page and makes
// its links: sort, paging and history with the same filters.
func buildResultTable(page Page, t report.Table, sc screenColumns, v url.Values, langParam string, desc bool, count int64) *resultTable {
	base := queryWith(v, "cursor", "")
	screen := func(q url.Values) string {
		return "/rastreio?" + queryWith(q, "lang", langParam).Encode()
	}
	rt := &resultTable{Count: count, Desc: desc, IsFirst: v.Get("cursor") == ""}
	rt.FirstHref = screen(base)
	other := "asc"
	if !desc {
		other = "desc"
	}
	rt.SortHref = screen(queryWith(base, "order", other))
	if t.NextCursor != "" {
		rt.NextHref = screen(queryWith(base, "cursor", t.NextCursor))
	}

	back := screen(v)
	idx := sc.Order(t.Columns)
	for _, i := range idx {
		c := t.Columns[i]
		h := header{Label: page.T(c), Col: c}
		if columnClass(c) == "num" {
			h.Class = "num"
		}
		h.Class = withPin(h.Class, c)
		rt.Headers = append(rt.Headers, h)
		if !isPinned(c) {
			rt.Choosable = append(rt.Choosable, h)
		}
	}
	for i, tr := range t.Rows {
		rr := row{Cells: make([]cell, 0, len(idx))}
		if i < len(t.Keys) {
			rr.Key = t.Keys[i]
			hq := url.Values{"back": {back}}
			setOrDel(hq, "lang", langParam)
			rr.ActionURL = "/historico/" + url.PathEscape(rr.Key) + "?" + hq.Encode()
		}
		for _, j := range idx {
			text := ""
			if j < len(tr) {
				text = tr[j]
			}
			c := t.Columns[j]
			rr.Cells = append(rr.Cells, cell{Text: screenCell(c, decimalText(page.Lang, text)), Class: withPin(columnClass(c), c), Badge: badgeClass(c, text)})
		}
		rt.Rows = append(rt.Rows, rr)
	}
	return rt
}

// withPin adds the "pin" class (kept in view while scrolling sideways) to
// the class of a pinned column.
func withPin(class, c string) string {
	if !isPinned(c) {
		return class
	}
	if class == "" {
		return "pin"
	}
	return class + " pin"
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

// ---- Ver Histórico ----------------------------------------------------------

// historyLeg is one step of the path, with its own call facts (voice):
// answer (DATA ATENDIDA), client and agent hang-up (DATA FINALIZAÇÃO
// CLIENTE / AGENTE) and the transfer that ended it (time and target).
type historyLeg struct {
	N                                                      int
	Service, Agent, Entered, Finished, Status, StatusClass string
	Answered, ClientHangup, AgentHangup                    string
	Transferred, TransferTo                                string
}

// historyContact is the contact block: name, document and phone as the
// principal's role allows (report.History masks them), the service and
// the tags.
type historyContact struct {
	Name, Document, Phone, Service string
	Tags                           []string
}

// historyEntry is one line of the timeline.
type historyEntry struct {
	Kind, Class, Time, Who, Service, Text, Detail string
	Leg                                           int
	IsMessage, IsStep                             bool
	Attachment                                    *model.Attachment
	// Ticks of a message: its furthest delivery status (WhatsApp), the
	// label and the failure's reason.
	Ticks, TicksLabel, TicksError string
	// PricingWindowEnds is when Meta's pricing window of the message's
	// conversation ends (WhatsApp), "" when unknown.
	PricingWindowEnds string
}

// tickLabels are the history's labels of message statuses.
var tickLabels = map[string]string{"sent": "Enviada", "delivered": "Entregue", "read": "Lida", "failed": "Falhou"}

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
	Contact         historyContact
	Legs            []historyLeg
	Entries         []historyEntry
	Call            []detailRow
	IsVoice         bool
	RecordingHref   string
	MessageCount    int
	TransferCount   int
	FirstAt, LastAt string
	// ChatwootURL is the conversation in Chatwoot (--chatwoot-url).
	ChatwootURL string
}

// safeBack keeps the history page's way back ("back": the report page,
// with its filters and page, that linked to it) when it is a path of this
// site (localPath: no scheme, host, "//host" or backslash), else "".
func safeBack(back string) string {
	return localPath(back, "")
}

func (s *Server) uiHistory(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	protocol := r.PathValue("protocol")
	qv := r.URL.Query()
	desc := qv.Get("order") == "desc"
	page := newPage(r, "Histórico de Atendimento", "rastreio")
	data := historyData{Protocol: protocol, Desc: desc, BackHref: safeBack(qv.Get("back"))}

	h, err := s.reports.History(ctx, p, protocol, desc)
	if errors.Is(err, report.ErrNotFound) {
		data.NotFound = true
		if data.BackHref == "" {
			data.BackHref = "/rastreio"
		}
		page.Data = data
		s.render(w, r, http.StatusNotFound, "history.html", page)
		return nil
	}
	if err != nil {
		return err
	}
	s.audit(r, "history.view", map[string]any{"protocol": protocol}, nil, nil)
	if data.ChatwootURL, err = inbox.ConversationLink(ctx, s.db, p.Tenant, h.InteractionID); err != nil {
		return err
	}

	tc, err := s.db.TenantContext(ctx, p.Tenant)
	if err != nil {
		return err
	}
	loc := tc.Zone
	when := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return pageTime(page.Lang, *t, loc)
	}
	data.Media = h.Media
	data.MediaLabel = h.Media
	if m, ok := tc.MediaByID(h.Media); ok {
		if label := mediaLabel(page.Lang, m); label != "" {
			data.MediaLabel = label
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

	if c := h.Contact; c != nil {
		data.Contact = historyContact{Name: c.Name, Document: c.Document, Phone: screenPhone(c.Phone)}
	}
	data.Contact.Service, data.Contact.Tags = h.ServiceName, h.Tags
	legN := map[string]int{}
	for i, l := range h.Legs {
		legN[l.LegID] = i + 1
		hl := historyLeg{
			N: i + 1, Service: orDash(l.ServiceName, l.ServiceID), Agent: orDash(l.AgentName, l.AgentID),
			Entered: when(l.EnteredAt), Finished: when(l.FinishedAt), Status: l.Status,
			StatusClass: "st-" + strings.ReplaceAll(l.Status, " ", "-"),
			Answered:    when(l.AnsweredAt), ClientHangup: when(l.ClientHangupAt), AgentHangup: when(l.AgentHangupAt),
			Transferred: when(l.TransferredAt),
		}
		switch {
		case l.TransferToAgent != "" && l.TransferToService != "":
			hl.TransferTo = l.TransferToAgent + " (" + l.TransferToService + ")"
		default:
			hl.TransferTo = orDefaultStr(l.TransferToAgent, l.TransferToService)
		}
		data.Legs = append(data.Legs, hl)
	}
	for _, e := range h.Entries {
		en := historyEntry{
			Kind: e.Kind, Time: pageTime(page.Lang, e.At, loc), Service: orDefaultStr(e.ServiceName, e.ServiceID),
			Text: e.Text, Detail: historyText(page.Lang, e.Detail), Leg: legN[e.LegID], Attachment: e.Attachment,
		}
		if e.Kind == metrics.EntryMessage {
			data.MessageCount++
			en.IsMessage = true
			en.Class = "msg msg-" + e.Sender
			if l, ok := tickLabels[e.Status]; ok {
				en.Ticks, en.TicksLabel, en.TicksError = e.Status, page.T(l), e.StatusError
			}
			if e.PricingWindowEnds != nil {
				en.PricingWindowEnds = pageTime(page.Lang, *e.PricingWindowEnds, loc)
			}
			switch e.Sender {
			case "client":
				en.Who = page.T("Cliente")
			case "agent":
				en.Who = orDefaultStr(e.AgentName, e.AgentID)
				if en.Who == "" {
					en.Who = page.T("Agente")
				}
			case "bot":
				en.Who = "Bot"
			default:
				en.Who = page.T("Sistema")
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
		data.FirstAt, data.LastAt = pageTime(page.Lang, first, loc), pageTime(page.Lang, last, loc)
	}
	if c := h.Call; c != nil {
		data.IsVoice = true
		num := func(v *float64, unit string, class func(float64) string) string {
			if v == nil {
				return ""
			}
			out := formatDecimal(page.Lang, *v, 1) + " " + unit
			if class != nil {
				out += " (" + page.T(class(*v)) + ")"
			}
			return out
		}
		status := labelOf(page.Lang, model.VoiceStatusLabels, c.VoiceStatus)
		// Phones masked by report.History (as the Rastreio masks PARA, A
		// PARTIR DE and NÚMERO DISCADO), then written the screens' way.
		rows := []detailRow{
			{"Direção", directionLabel(page.Lang, c.Direction), "", ""},
			{"De", screenPhone(c.From), "mono", ""},
			{"Para", screenPhone(c.To), "mono", ""},
			{"Número discado", screenPhone(c.DialedNumber), "mono", ""},
			{"Servidor de voz", c.VoiceServer, "mono", ""},
			{"Canal externo", c.ExternalChannel, "mono", ""},
			{"Canal interno", c.InternalChannel, "mono", ""},
			{"Status de voz", status, "", ""},
		}
		// The call's answer and hang-ups are each leg's own: merged over
		// legs (a transfer) they would put one leg's answer beside another's
		// hang-up, so the card repeats them only when one leg is shown (its
		// own, which also keeps a scoped principal from reading a hidden
		// leg's times); otherwise #leg-calls alone shows them.
		if len(h.Legs) == 1 {
			l := h.Legs[0]
			rows = append(rows,
				detailRow{"Atendida em", when(l.AnsweredAt), "dt", ""},
				detailRow{"Cliente desligou em", when(l.ClientHangupAt), "dt", ""},
				detailRow{"Agente desligou em", when(l.AgentHangupAt), "dt", ""})
		}
		rows = append(rows, []detailRow{
			{"Jitter", num(c.JitterMs, "ms", metrics.JitterClass), "num-l", ""},
			{"Perda de pacote", num(c.PacketLossPct, "%", metrics.PacketLossClass), "num-l", ""},
			{"RTT", num(c.RttMs, "ms", nil), "num-l", ""},
			{"Qualidade de chamada", page.T(c.Quality), "", "q-" + slug(c.Quality)},
			// The Rastreio's MOS ESTIMADO digits (half up), in the page's
			// decimal separator.
			{"MOS estimado", strings.Replace(metrics.FormatMOS(c.MOS), ",", localeOf(page.Lang).decimal, 1), "num-l", ""},
		}...)
		for _, row := range rows {
			row.Label = page.T(row.Label)
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
	return nil
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
