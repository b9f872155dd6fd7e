package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"text/template/parse"
	"time"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
)

// TestBothDictionariesHoldTheSameLabels: a label added to one language
// only would show untranslated in the other.
func TestBothDictionariesHoldTheSameLabels(t *testing.T) {
	for k := range dictionaryPT {
		if _, ok := dictionaryEN[k]; !ok {
			t.Errorf("%q is in the pt-BR dictionary, not in the English one", k)
		}
	}
	for k, v := range dictionaryEN {
		if _, ok := dictionaryPT[k]; !ok {
			t.Errorf("%q is in the English dictionary, not in the pt-BR one", k)
		}
		if strings.TrimSpace(v) == "" {
			t.Errorf("%q has an empty English text", k)
		}
	}
	for k, v := range dictionaryPT {
		if v != k {
			t.Errorf("pt-BR %q reads %q: pt-BR is the source language, its text is its key", k, v)
		}
	}
}

// TestEveryLabelIsInBothDictionaries: every label a template asks for
// ({{.T "…"}}) and every fixed label the pages translate in code (filter
// labels, columns, statuses, audit headers) is in both dictionaries.
func TestEveryLabelIsInBothDictionaries(t *testing.T) {
	s := testTemplates(t)
	used := map[string][]string{} // label → where
	for name, tmpl := range s.templates {
		for _, tt := range tmpl.Templates() {
			if tt.Tree == nil {
				continue
			}
			walkLabels(tt.Tree.Root, func(label string) {
				used[label] = append(used[label], name+":"+tt.Name())
			})
		}
	}
	if len(used) < 100 {
		t.Fatalf("found only %d labels in the templates: the walk misses them", len(used))
	}
	code := map[string][]string{
		"filter labels":   nil,
		"report columns":  append(append(append(model.ColumnsFor(model.MediaVoice), model.MediaExtraColumns[model.MediaChat]...), model.MediaExtraColumns[model.MediaWhatsApp]...), model.FluxoColumns...),
		"aggregates":      append(append([]string(nil), report.IVRColumns...), report.AgentsColumns...),
		"audit columns":   AuditColumns,
		"call qualities":  {metrics.QualityHigh, metrics.QualityMedium, metrics.QualityLow},
		"page titles":     {"Rastreio de Interações", "Histórico de Atendimento", "Fluxo Ágil", "Histórico do Fluxo Ágil", "Relatório IVR", "Relatório de Agentes", "Auditoria", "Entrar"},
		"voice statuses":  nil,
		"multiselect":     {"Todos", "selecionados", "Filtrar lista", "Nenhuma opção", "inativo"},
		"export buttons":  {"CSV", "CSV com vírgula", "XLSX"},
		"dropoff chart":   {"Abandono por etapa", "chegaram", "pararam aqui"},
		"history senders": {"Cliente", "Agente", "Sistema", "Bot"},
		"message ticks":   {"Enviada", "Entregue", "Lida", "Falhou"},
		"count messages": {"{n} registro nesta página", "{n} registros nesta página", "{n} chegou", "{n} chegaram", "{n} parou aqui", "{n} pararam aqui",
			"Dados até %s: {n} atualização ainda a caminho do motor de análise.", "Dados até %s: {n} atualizações ainda a caminho do motor de análise."},
	}
	for _, m := range []map[string]string{auditActionLabels, auditDetailLabels, reportLabels, exportHints} {
		for _, l := range m {
			code["audit and export labels"] = append(code["audit and export labels"], l)
		}
	}
	for _, l := range directionLabels {
		code["call directions"] = append(code["call directions"], l)
	}
	for _, l := range roleLabels {
		code["roles"] = append(code["roles"], l)
	}
	for _, a := range store.AuditActions {
		if _, ok := auditActionLabels[a]; !ok {
			t.Errorf("audited action %q has no label", a)
		}
	}
	for _, f := range []form{rastreioForm, fluxoForm, ivrForm, agentsForm, auditForm} {
		for _, x := range f {
			code["filter labels"] = append(code["filter labels"], x.Label)
		}
	}
	for _, l := range model.VoiceStatusLabels {
		code["voice statuses"] = append(code["voice statuses"], l)
	}
	for where, labels := range code {
		for _, l := range labels {
			used[l] = append(used[l], where)
		}
	}
	var missing []string
	for l, where := range used {
		if _, ok := dictionaryPT[l]; !ok {
			missing = append(missing, "pt-BR "+l+" ("+where[0]+")")
		}
		if _, ok := dictionaryEN[l]; !ok {
			missing = append(missing, "en "+l+" ("+where[0]+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("label missing from a dictionary: %s", m)
	}
}

// walkLabels calls found with the string argument of every T call under n.
func walkLabels(n parse.Node, found func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkLabels(c, found)
		}
	case *parse.ActionNode:
		walkLabels(n.Pipe, found)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkLabels(c, found)
		}
	case *parse.CommandNode:
		for i, a := range n.Args {
			var idents []string
			switch f := a.(type) {
			case *parse.FieldNode:
				idents = f.Ident
			case *parse.VariableNode:
				idents = f.Ident
			case *parse.PipeNode:
				walkLabels(f, found)
			}
			if len(idents) > 0 && idents[len(idents)-1] == "T" && i+1 < len(n.Args) {
				if s, ok := n.Args[i+1].(*parse.StringNode); ok {
					found(s.Text)
				}
			}
			// {{.Plural N "{n} one" "{n} many"}}: both forms are labels.
			if len(idents) > 0 && idents[len(idents)-1] == "Plural" {
				for _, a := range n.Args[min(i+2, len(n.Args)):min(i+4, len(n.Args))] {
					if s, ok := a.(*parse.StringNode); ok {
						found(s.Text)
					}
				}
			}
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, found)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, found)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, found)
	case *parse.TemplateNode:
		walkLabels(n.Pipe, found)
	}
}

func walkBranch(b *parse.BranchNode, found func(string)) {
	walkLabels(b.Pipe, found)
	walkLabels(b.List, found)
	if b.ElseList != nil {
		walkLabels(b.ElseList, found)
	}
}

// testTemplates is a Server with the parsed templates and nothing else.
func testTemplates(t *testing.T) *Server {
	t.Helper()
	tm, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	return &Server{templates: tm}
}

// TestEveryTemplateExecutesInBothLanguages renders every page template
// with realistic data (built by the pages' own builders) in pt-BR and
// English, and checks each page shows its title and data in that language.
func TestEveryTemplateExecutesInBothLanguages(t *testing.T) {
	s := testTemplates(t)
	views := realisticViews()
	for name := range s.templates {
		if _, ok := views[name]; !ok {
			t.Errorf("template %s has no realistic data in this test", name)
		}
	}
	for _, lg := range []string{"pt", "en"} {
		for name, mk := range views {
			t.Run(lg+"/"+name, func(t *testing.T) {
				r := httptest.NewRequest("GET", "/?lang="+lg, nil)
				page, want := mk(r)
				page.Lang, page.Query, page.User, page.Role = lg, r.URL.Query(), "ana", "admin"
				body, err := s.execute(name, page)
				if err != nil {
					t.Fatal(err)
				}
				html := string(body)
				for _, w := range append(want, page.T(page.Title)) {
					if !strings.Contains(html, htmlText(w)) {
						t.Errorf("%s in %s does not show %q", name, lg, w)
					}
				}
				if strings.Contains(html, `id=""`) {
					t.Errorf("%s in %s has an element with an empty id: a field of its view is missing", name, lg)
				}
				if lg == "en" && strings.Contains(html, ">Buscar<") {
					t.Errorf("%s in English shows the pt-BR Buscar", name)
				}
			})
		}
	}
}

// htmlText is how html/template prints s in text.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

// realisticViews builds, per template, a page with realistic data and the
// texts it must show.
func realisticViews() map[string]func(r *http.Request) (Page, []string) {
	at := time.Date(2026, 3, 9, 14, 5, 7, 0, time.FixedZone("-03", -3*3600))
	return map[string]func(*http.Request) (Page, []string){
		"login.html": func(r *http.Request) (Page, []string) {
			p := newPage(r, "Entrar", "")
			p.Data = loginData{Username: "ana", Next: "/ivr", Error: "Usuário ou senha inválidos", Wait: 3, CSRF: "tok"}
			return p, []string{p.T("Usuário ou senha inválidos"), p.T("Aguarde")}
		},
		"rastreio.html": func(r *http.Request) (Page, []string) {
			p := newPage(r, "Rastreio de Interações", "rastreio")
			v := url.Values{"media": {"voice"}, "agents": {"ag1"}, "voice_status": {"answered"}}
			cols := model.ColumnsFor(model.MediaVoice)
			rowv := make([]string, len(cols))
			for i, c := range cols {
				rowv[i] = map[string]string{"PROTOCOLO": "20260309000123", "STATUS": "Service Completed", "QUALIDADE DE CHAMADA": "Alta", "DURAÇÃO": "00:04:12", "AGENTE": "Ana Souza"}[c]
			}
			tb := report.Table{Columns: cols, Rows: [][]string{rowv}, Keys: []string{"20260309000123"}, NextCursor: "c2"}
			d := &rastreioData{
				Media: []option{{Value: "voice", Label: "Voz", Selected: true, Filters: "voice_status call_quality"}}, MediaID: "voice", MediaLabel: "Voz",
				Show: map[string]bool{"voice_status": true, "call_quality": true}, Values: map[string]string{"email": ""},
				Dates:         newRange(p, rastreioForm, url.Values{"from": {"2026-03-01"}}, "Data", "date", "até", "from", "to"),
				VoiceStatus:   newMulti(p, rastreioForm, "voice_status", v, []option{{Value: "answered", Label: p.T("Atendidas")}}),
				CallQuality:   newMulti(p, rastreioForm, "call_quality", v, []option{{Value: "high", Label: p.T("Alta")}}),
				Agents:        newMulti(p, rastreioForm, "agents", v, []option{{Value: "ag1", Label: "Ana Souza"}, {Value: "ag2", Label: "Bruno Lima (" + p.T("inativo") + ")"}}),
				Services:      newMulti(p, rastreioForm, "services", v, []option{{Value: "s1", Label: "Suporte"}}),
				Tags:          newMulti(p, rastreioForm, "tags", v, nil),
				UserTags:      newMulti(p, rastreioForm, "user_tags", v, []option{{Value: "vip", Label: "VIP"}}),
				Hours:         newRange(p, rastreioForm, v, "Hora", "time", "até", "hour_from", "hour_to"),
				ServiceStatus: []option{{Value: "completed", Label: "Service Completed", Selected: true}},
				Expiration:    choices(p, v, "expiration_status", "", "Todos", "active", "Ativo"),
				Limits:        choices(p, v, "limit", "", "50", "100", "100"),
				Portfolio:     choices(p, v, "portfolio", "", "Todos", "true", "Carteirizado"),
				Contacts:      []option{{Value: "c1", Label: "Carla", Selected: true}},
				Hidden:        []hiddenParam{{"ivrs", "ura1"}},
				Chips:         []filterChip{{Param: "ivrs", Value: "ura1", Label: p.T("IVR"), Name: "URA Principal", RemoveHref: "/rastreio?media=voice"}},
				Table:         buildResultTable(p, tb, newScreenColumns(model.MediaVoice, metrics.Config{}), v, "", true, 1),
				Exports:       exportLinks(p, "/api/v1/reports/interactions/export", v, true),
			}
			voice, _ := model.MediaByID(model.MediaVoice)
			sum, err := newSummaryStrip(p, voice, newScreenColumns(model.MediaVoice, metrics.Config{}), v)
			if err != nil {
				panic(err)
			}
			d.Summary = sum
			p.Data = d
			return p, []string{"20260309000123", "Ana Souza", p.T("Ver Histórico"), p.T("CSV com vírgula"), p.T("Próxima página"), "sep=%2C",
				p.T("Por status de voz"), p.T("Duração média"), p.T("{n} contatos encontrados"), plural(p.Lang, 1, "{n} atendimento", "{n} atendimentos"), p.T("Colunas"), p.T("Mostrar todas"), "URA Principal", p.T("Remover filtro"), "/api/v1/reports/interactions/summary?agents=ag1&media=voice&voice_status=answered"}
		},
		"history.html": func(r *http.Request) (Page, []string) {
			p := newPage(r, "Histórico de Atendimento", "rastreio")
			p.Data = historyData{
				Protocol: "20260309000123", Media: "voice", MediaLabel: "Voz", BackHref: "/rastreio?media=voice",
				Contact: historyContact{Name: "Bia Lima", Document: "***.533.447-**", Phone: "+55 (11) 98888-7777", Service: "Suporte", Tags: []string{"Resolvido"}},
				Legs: []historyLeg{{N: 1, Service: "Suporte", Agent: "Ana Souza", Entered: pageTime(p.Lang, at, at.Location()), Status: "Service Completed", StatusClass: "st-Service-Completed",
					Answered: pageTime(p.Lang, at, at.Location()), AgentHangup: "2026-03-09 14:07:00", Transferred: "2026-03-09 14:07:00", TransferTo: "Financeiro"}},
				Entries: []historyEntry{{Kind: metrics.EntryMessage, Class: "msg msg-client", Who: p.T("Cliente"), Time: pageTime(p.Lang, at, at.Location()), Text: "Olá", IsMessage: true, Leg: 1, Attachment: &model.Attachment{URL: "https://example.com/a.pdf", Name: "a.pdf"}}, {Kind: metrics.EntryTransfer, Class: "step", Detail: historyText(p.Lang, "Transferido para o agente Ana"), IsStep: true, Time: pageTime(p.Lang, at, at.Location())}},
				Call:    []detailRow{{Label: p.T("Direção"), Value: directionLabel(p.Lang, "inbound")}, {Label: p.T("Qualidade de chamada"), Value: p.T("Alta"), Badge: "q-alta"}},
				IsVoice: true, RecordingHref: "/api/v1/interactions/20260309000123/recording", MessageCount: 1, TransferCount: 1,
				FirstAt: pageTime(p.Lang, at, at.Location()), LastAt: pageTime(p.Lang, at.Add(time.Minute), at.Location()),
			}
			return p, []string{pageTime(p.Lang, at, at.Location()), p.T("Detalhes da chamada"), p.T("Linha do tempo"), historyText(p.Lang, "Transferido para o agente Ana"),
				"Bia Lima", "***.533.447-**", "+55 (11) 98888-7777", "Resolvido", p.T("Detalhes de cada atendimento"), "2026-03-09 14:07:00", "Financeiro", p.T("Voltar")}
		},
		"fluxo.html": func(r *http.Request) (Page, []string) {
			p := newPage(r, "Fluxo Ágil", "fluxo")
			p.Data = &fluxoView{
				Searched: true, Dates: newRange(p, fluxoForm, url.Values{"from": {"2026-03-01"}}, "Período", "date", "até", "from", "to"), Client: "cli1",
				Clients: nil, Steps: []stepOption{{"menu", "Menu principal"}}, Conversations: 7,
				Headers: []header{{Label: p.T("Lote"), URL: "/fluxo-agil?sort=batch", Current: true}, {Label: p.T("Conversas"), Class: "num"}},
				Rows:    []row{{Key: "b1/c1", ActionURL: "/fluxo-agil/b1/c1", Cells: []cell{{Text: "Lote março", Class: "rpt-wrap"}, {Text: "2", Class: "num"}}}},
				NextURL: "/fluxo-agil?cursor=x", FirstURL: "/fluxo-agil",
				Exports: exportLinks(p, "/api/v1/reports/fluxo-agil/export", url.Values{"client": {"cli1"}}, true),
				Dropoff: dropoffSVG([]report.StepCount{{Step: "menu", Contacts: 3, LastHere: 2, Finished: 1, Abandoned: 1}}, dropoffText{Title: p.T("Abandono por etapa"), Reached: p.T("chegaram"), Stopped: p.T("pararam aqui"),
					Abandoned: p.T("abandonaram aqui"), Finished: p.T("concluíram aqui"), Lang: p.Lang}, []string{"/fluxo-agil?step=menu"}),
			}
			return p, []string{"Lote março", p.T("Ver histórico das conversas"), p.T("Abandono por etapa"), p.T("Próxima página"), "Menu principal", plural(p.Lang, 7, "{n} conversa no total", "{n} conversas no total"), plural(p.Lang, 1, "{n} concluiu aqui", "{n} concluíram aqui"), plural(p.Lang, 3, "{n} chegou", "{n} chegaram")}
		},
		"fluxo_history.html": func(r *http.Request) (Page, []string) {
			p := newPage(r, "Histórico do Fluxo Ágil", "fluxo")
			p.Data = &fluxoHistoryView{
				Batch: "Lote março", Contact: "Carla", BatchID: "b1", ContactID: "c1", Phone: "(11) 9****-1234", BackURL: "/fluxo-agil",
				Conversations: []fluxoConvView{{
					ID: "conv1", Flow: "cobranca", Channel: "WhatsApp", Outcome: "human", OutcomeLabel: p.T("Transferido para humano"),
					Start: pageTime(p.Lang, at, at.Location()), End: pageTime(p.Lang, at.Add(time.Minute), at.Location()), HistoryURL: "/historico/20260309000123",
					Steps:    []fluxoStepView{{Step: "menu", At: pageTime(p.Lang, at, at.Location())}},
					Messages: []fluxoMsgView{{Sender: "bot", SenderLabel: p.T("Bot"), Text: "Oi!", At: pageTime(p.Lang, at, at.Location())}},
				}},
			}
			return p, []string{"Carla", pageTime(p.Lang, at, at.Location()), p.T("Transferido para humano"), p.T("Ver atendimento")}
		},
		"agent_day.html": func(r *http.Request) (Page, []string) {
			p := newPage(r, "Linha do tempo do agente", "agents")
			loc := at.Location()
			start := time.Date(2026, 3, 9, 0, 0, 0, 0, loc)
			end := func(h, m int) *time.Time { t := time.Date(2026, 3, 9, h, m, 0, 0, loc); return &t }
			d := report.AgentDay{AgentID: "ag1", Agent: "Ana Souza", Day: "2026-03-09", Start: start, End: start.AddDate(0, 0, 1),
				LoggedIn: "08:00:00", Paused: "00:15:00", Entries: []report.AgentDayEntry{
					{Kind: report.AgentDayLogin, Start: start.Add(8 * time.Hour), End: end(16, 0), Media: "voice"},
					{Kind: report.AgentDayLeg, Start: at, End: end(14, 9), Media: "voice", Protocol: "20260309000123", Service: "Suporte", Status: "service completed"},
					{Kind: report.AgentDayPause, Start: start.Add(15 * time.Hour), Reason: "Almoço"},
				}}
			view := &agentDayView{AgentID: "ag1", BackURL: "/agentes?media=voice"}
			voice := model.Media{ID: "voice", Label: "Voz", LabelEN: "Voice"}
			view.fill(p, d, func(id string) (model.Media, bool) { return voice, id == "voice" }, view.BackURL)
			p.Data = view
			return p, []string{"Ana Souza", "Almoço", "20260309000123", "14:05:07", mediaLabel(p.Lang, voice), p.T("Em andamento"), p.T("Linha do tempo do dia")}
		},
		"ivr.html": func(r *http.Request) (Page, []string) {
			p := newPage(r, "Relatório IVR", "ivr")
			v := url.Values{"from": {"2026-03-01"}, "ivrs": {"ura1"}}
			view := &ivrView{Dates: newRange(p, ivrForm, v, "Data", "date", "até", "from", "to"), GroupBy: "ivr", GroupOptions: choices(p, url.Values{"group_by": {"ivr"}}, "group_by", "ivr", "IVR", "day", "Dia")}
			view.Searched = true
			view.Agents = newMulti(p, ivrForm, "agents", v, []option{{Value: "ag1", Label: "Ana Souza"}})
			view.IVRs = newMulti(p, ivrForm, "ivrs", v, []option{{Value: "ura1", Label: "URA Principal"}})
			view.Services = newMulti(p, ivrForm, "services", v, []option{{Value: "s1", Label: "Suporte"}})
			view.UserTags = newMulti(p, ivrForm, "user_tags", v, nil)
			tb := report.Table{Columns: []string{"IVR", "Recebidas", "Nível de serviço"}, Rows: [][]string{{"URA Principal", "12", "91,7%"}}, Totals: []string{"Total", "12", "91,7%"}, Links: [][]string{{"", "media=voice&ivrs=ura1", ""}}}
			view.fill(p, tb, report.Chart{Title: "Chamadas por dia", Labels: []string{"01/03"}, Series: []report.Series{{Name: "Recebidas", Values: []float64{12}}}}, "/api/v1/reports/ivr/export", v)
			p.Data = view
			return p, []string{"URA Principal", p.T("Nível de serviço"), p.T("Chamadas por dia"), p.T("Abrir no Rastreio de Interações"),
				decimalText(p.Lang, "91,7%"), plural(p.Lang, 1, "{n} linha", "{n} linhas")}
		},
		"agentes.html": func(r *http.Request) (Page, []string) {
			p := newPage(r, "Relatório de Agentes", "agents")
			v := url.Values{"media": {"voice"}, "hour_from": {"x"}}
			view := &agentsView{Hours: newRange(p, agentsForm, v, "Hora", "time", "às", "hour_from", "hour_to")}
			view.Searched = true
			view.Media = newMulti(p, agentsForm, "media", v, []option{{Value: "voice", Label: "Voz"}, {Value: "whatsapp", Label: "WhatsApp"}})
			view.Agents = newMulti(p, agentsForm, "agents", v, []option{{Value: "ag1", Label: "Ana Souza"}})
			view.Dates = newRange(p, agentsForm, v, "Data", "date", "até", "from", "to")
			view.Services = newMulti(p, agentsForm, "services", v, []option{{Value: "s1", Label: "Suporte"}})
			view.UserTags = newMulti(p, agentsForm, "user_tags", v, nil)
			view.Problems, _ = problemsOf(p, agentsForm, &report.ParamError{Problems: []report.Problem{{Param: "hour_from", Reason: `must be a time of day HH:MM, got "x"`}}})
			p.Data = view
			return p, []string{p.T("Das"), reason(p.Lang, `must be a time of day HH:MM, got "x"`), p.T("Usuários")}
		},
		"audit.html": func(r *http.Request) (Page, []string) {
			p := newPage(r, "Auditoria", "auditoria")
			v := url.Values{"action": {"export"}, "from": {"2026-03-01"}}
			d := &auditData{Actor: "ana", Dates: newRange(p, auditForm, v, "Período", "date", "até", "from", "to"),
				Actions: auditActionOptions(p, "export"), OlderHref: "/auditoria?action=export&before=10", NewestHref: "/auditoria?action=export",
				Exports: exportLinks(p, "/api/v1/audit/export", v, false)}
			for _, c := range AuditColumns {
				d.Headers = append(d.Headers, p.T(c))
			}
			rows, bytes := int64(12), int64(2048)
			e := store.AuditEntry{K: 11, At: at, Actor: "user:ana", Action: "export", Detail: map[string]any{"report": "ivr", "format": "csv", "filters": map[string]any{"from": []any{"2026-03-01"}}}, Rows: &rows, Bytes: &bytes, SHA256: "ab12"}
			d.Rows = []auditEntryView{auditEntryOf(p, e, at.Location())}
			d.Count = plural(p.Lang, int64(len(d.Rows)), "{n} registro nesta página", "{n} registros nesta página")
			p.Data = d
			return p, []string{p.T("USUÁRIO"), p.T("Exportação"), p.T("Relatório"), p.T("Relatório IVR"), "from=2026-03-01", formatCount(p.Lang, 2048),
				pageTime(p.Lang, at, at.Location()), p.T("{n} registro nesta página")[len("{n}"):], p.T("Mais antigos"), p.T("Nome de usuário")}
		},
	}
}
