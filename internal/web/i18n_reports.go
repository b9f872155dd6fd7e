package web

import "regexp"

// reportsEnglish translates the labels of the Fluxo Ágil, IVR and Agentes
// pages (pt-BR is the source language). init copies them into english so
// translate() finds them; a label i18n.go already has keeps its translation.
var reportsEnglish = map[string]string{
	// Page titles and texts.
	"Fluxo Ágil":                             "Agile Flow",
	"Histórico do Fluxo Ágil":                "Agile Flow history",
	"Relatório IVR":                          "IVR Report",
	"Relatório de Agentes":                   "Agents Report",
	"Histórico de conversas com o bot":       "Conversations with the bot",
	"Histórico não encontrado":               "History not found",
	"Voltar ao Fluxo Ágil":                   "Back to Agile Flow",
	"Abandono por etapa":                     "Drop-off by step",
	"Etapas percorridas":                     "Steps reached",
	"Ver atendimento":                        "View the human service",
	"Ver histórico das conversas":            "View the conversations",
	"Abrir no Rastreio de Interações":        "Open in Interaction Tracking",
	"Escolha os filtros e clique em Buscar.": "Choose the filters and click Search.",
	"Escolha o período, o cliente, a campanha e o lote e clique em Buscar.":                                                                                           "Choose the period, client, campaign and batch, then click Search.",
	"Contatos dos lotes que conversaram com os bots: se percorreram o fluxo, onde pararam e quem chegou ao atendimento humano.":                                       "Batch contacts who talked to the bots: whether they walked the flow, where they stopped and who reached a human agent.",
	"Chamadas recebidas pelas URAs: quantas terminaram na URA, foram transferidas, abandonadas ou atendidas, os tempos médios e os caminhos mais escolhidos.":         "Calls received by the IVRs: how many finished in the IVR, were transferred, abandoned or answered, the average times and the most chosen paths.",
	"Por agente: atendimentos finalizados e transferidos, tempos médios, tempo logado e em pausa, ocupação e tags de finalização.":                                    "Per agent: completed and transferred services, average times, logged-in and pause time, occupancy and finalization tags.",
	"Quantos contatos chegaram a cada etapa do fluxo e quantos pararam nela (a última etapa da conversa mais recente). Clique numa etapa para listar quem parou ali.": "How many contacts reached each step of the flow and how many stopped there (the last step of their latest conversation). Click a step to list who stopped there.",
	"Escolha uma única mídia para abrir os atendimentos de cada contagem no Rastreio de Interações.":                                                                  "Choose a single media to open the services behind each count in Interaction Tracking.",
	"Não foi possível gerar o relatório. Verifique os filtros:":                                                                                                       "The report could not be generated. Check the filters:",
	"Não há conversas deste contato neste lote que você possa ver.":                                                                                                   "There are no conversations of this contact in this batch that you may see.",
	"Transferido para um atendimento humano que ainda não chegou ao rastro.":                                                                                          "Handed off to a human service that has not reached rastro yet.",
	"Nenhum contato encontrado para estes filtros.":                                                                                                                   "No contact found for these filters.",
	"Nada encontrado para estes filtros.":                                                                                                                             "Nothing found for these filters.",
	"Nenhuma mensagem.":                                                                                                                                               "No messages.",
	"linhas nesta página":                                                                                                                                             "rows on this page",
	"linhas":                                                                                                                                                          "rows",
	"Primeira página":                                                                                                                                                 "First page",
	"Próxima página":                                                                                                                                                  "Next page",
	"Páginas":                                                                                                                                                         "Pages",
	"chegaram":                                                                                                                                                        "reached",
	"pararam aqui":                                                                                                                                                    "stopped here",
	"selecionados":                                                                                                                                                    "selected",
	"Gráfico":                                                                                                                                                         "Chart",

	// Filters.
	"Período":                      "Period",
	"Data":                         "Date",
	"Hora":                         "Time",
	"De":                           "From",
	"Até":                          "To",
	"até":                          "to",
	"Das":                          "From",
	"às":                           "to",
	"Até às":                       "Until",
	"Cliente":                      "Client",
	"Campanha":                     "Campaign",
	"Lote":                         "Batch",
	"Parou na etapa":               "Stopped at step",
	"Qualquer etapa":               "Any step",
	"Chegou ao atendimento humano": "Reached a human agent",
	"Todos":                        "All",
	"Todas":                        "All",
	"Sim":                          "Yes",
	"Não":                          "No",
	"Agrupamento":                  "Group by",
	"IVR":                          "IVR",
	"Serviço":                      "Service",
	"Serviços":                     "Services",
	"Agente":                       "Agent",
	"Dia":                          "Day",
	"Usuários":                     "Users",
	"Tags do usuário":              "User tags",
	"Status do usuário":            "User status",
	"Ativo":                        "Active",
	"Inativo":                      "Inactive",
	"Mídia":                        "Media",
	"Buscar":                       "Search",
	"Exportar":                     "Export",
	"CSV":                          "CSV",
	"CSV com vírgula":              "CSV with commas",
	"XLSX":                         "XLSX",
	"Ordenação":                    "Sort",
	"Linhas por página":            "Rows per page",
	"Posição (página)":             "Position (page)",

	// Fluxo Ágil columns and history.
	"Nome":                    "Name",
	"CPF/CNPJ":                "CPF/CNPJ",
	"Telefone":                "Phone",
	"Email":                   "Email",
	"Fluxo":                   "Flow",
	"Conversas":               "Conversations",
	"Mensagens":               "Messages",
	"Última Etapa":            "Last step",
	"Desfecho":                "Outcome",
	"Ação":                    "Action",
	"Contato":                 "Contact",
	"Conversa":                "Conversation",
	"Canal":                   "Channel",
	"Início":                  "Start",
	"Fim":                     "End",
	"Bot":                     "Bot",
	"Finalizado":              "Finished",
	"Transferido para humano": "Handed off to a human",
	"Abandonado":              "Abandoned",
	"Expirado":                "Expired",
	"Em andamento":            "In progress",

	// IVR columns and chart.
	"Recebidas":                "Received",
	"Finalizadas na URA":       "Finished in the IVR",
	"Transferidas":             "Transferred",
	"Abandonadas na URA":       "Abandoned in the IVR",
	"Atendidas":                "Answered",
	"Abandonadas na fila":      "Abandoned in queue",
	"Abandonadas":              "Abandoned",
	"TM na URA":                "Avg. time in IVR",
	"TME":                      "Avg. wait",
	"TMA":                      "Avg. talk time",
	"Nível de serviço":         "Service level",
	"Caminhos mais frequentes": "Most frequent paths",
	"Chamadas por hora":        "Calls per hour",
	"Chamadas por dia":         "Calls per day",
	"Total":                    "Total",
	"(sem serviço)":            "(no service)",
	"(sem agente)":             "(no agent)",

	// Agentes columns and chart.
	"Atendimentos finalizados": "Completed",
	"Transferidos":             "Transferred",
	"Outros":                   "Other",
	"Duração total":            "Total handling time",
	"Duração média":            "Avg. handling time",
	"TM1R médio":               "Avg. first response",
	"TMR médio":                "Avg. response",
	"TMP médio":                "Avg. productive time",
	"TMI médio":                "Avg. idle time",
	"Tempo logado":             "Logged-in time",
	"Tempo em pausa":           "Pause time",
	"Pausas por motivo":        "Pauses by reason",
	"Ocupação":                 "Occupancy",
	"Tags de finalização":      "Finalization tags",
	"Finalizados":              "Completed",
	"Atendimentos por hora":    "Services per hour",
	"Atendimentos por dia":     "Services per day",
}

// rptParamLabels names a report parameter as the filter form labels it, for
// the messages of a 400 page.
var rptParamLabels = map[string]string{
	"from": "De", "to": "Até", "client": "Cliente", "campaign": "Campanha", "batch": "Lote",
	"step": "Parou na etapa", "reached_human": "Chegou ao atendimento humano", "sort": "Ordenação",
	"limit": "Linhas por página", "cursor": "Posição (página)", "group_by": "Agrupamento",
	"agents": "Agente", "services": "Serviços", "ivrs": "IVR", "user_tags": "Tags do usuário",
	"media": "Mídia", "hour_from": "Das", "hour_to": "Até às", "user_status": "Status do usuário",
}

func init() {
	for pt, en := range reportsEnglish {
		if _, ok := english[pt]; !ok {
			english[pt] = en
		}
	}
}

// rptReasonsPT puts the report package's problem reasons (English, as the
// JSON API gives them) in Portuguese for the pt-BR pages.
var rptReasonsPT = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`^must be a date AAAA-MM-DD, got (.*)$`), "deve ser uma data AAAA-MM-DD; recebido $1"},
	{regexp.MustCompile(`^must be a time of day HH:MM, got (.*)$`), "deve ser uma hora HH:MM; recebido $1"},
	{regexp.MustCompile(`^must not be before from$`), "não pode ser anterior à data inicial"},
	{regexp.MustCompile(`^must not be before hour_from$`), "não pode ser anterior à hora inicial"},
	{regexp.MustCompile(`^must be true or false, got (.*)$`), "deve ser true ou false; recebido $1"},
	{regexp.MustCompile(`^(.*) is not one of: (.*)$`), "$1 não é um destes: $2"},
	{regexp.MustCompile(`^unknown parameter$`), "parâmetro desconhecido"},
	{regexp.MustCompile(`^unknown client (.*)$`), "cliente desconhecido: $1"},
	{regexp.MustCompile(`^unknown campaign (.*)$`), "campanha desconhecida: $1"},
	{regexp.MustCompile(`^unknown batch (.*)$`), "lote desconhecido: $1"},
	{regexp.MustCompile(`^campaign (.*) is not a campaign of client (.*)$`), "a campanha $1 não é do cliente $2"},
	{regexp.MustCompile(`^batch (.*) is not a batch of campaign (.*)$`), "o lote $1 não é da campanha $2"},
	{regexp.MustCompile(`^batch (.*) is not a batch of client (.*)$`), "o lote $1 não é do cliente $2"},
	{regexp.MustCompile(`^invalid cursor$`), "posição de página inválida (refaça a busca)"},
	{regexp.MustCompile(`^must be a number from 1 to (\d+)$`), "deve ser um número de 1 a $1"},
	{regexp.MustCompile(`^must be batch or name, got (.*)$`), "deve ser batch ou name; recebido $1"},
	{regexp.MustCompile(`^takes one value$`), "aceita um único valor"},
	{regexp.MustCompile(`^required$`), "obrigatório"},
}

// rptReason gives a problem's reason in the page's language (reasons the
// list does not know stay as the API wrote them).
func rptReason(lang, reason string) string {
	if lang == "en" {
		return reason
	}
	for _, r := range rptReasonsPT {
		if r.re.MatchString(reason) {
			return r.re.ReplaceAllString(reason, r.repl)
		}
	}
	return reason
}
