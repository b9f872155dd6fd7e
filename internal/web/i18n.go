package web

import (
	"regexp"
	"strings"
)

// dictionaries holds one dictionary per UI language (dictionary_pt.go,
// dictionary_en.go), keyed by the pt-BR label.
var dictionaries = map[string]map[string]string{"pt": dictionaryPT, "en": dictionaryEN}

// translate gives label s in language lang; a label missing from the
// dictionary shows as written (pt-BR) rather than breaking the page.
func translate(lang, s string) string {
	if t, ok := dictionaries[lang][s]; ok {
		return t
	}
	return s
}

// reasonsPT puts the report parsers' problem reasons (English, as the
// JSON API gives them) in Portuguese for the pt-BR pages.
var reasonsPT = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`^must be a date AAAA-MM-DD, got (.*)$`), "deve ser uma data AAAA-MM-DD; recebido $1"},
	{regexp.MustCompile(`^must be a time of day HH:MM, got (.*)$`), "deve ser uma hora HH:MM; recebido $1"},
	{regexp.MustCompile(`^must not be before from$`), "não pode ser anterior à data inicial"},
	{regexp.MustCompile(`^must not be before hour_from$`), "não pode ser anterior à hora inicial"},
	{regexp.MustCompile(`^must be true or false, got (.*)$`), "deve ser true ou false; recebido $1"},
	{regexp.MustCompile(`^(.*) is not one of: (.*)$`), "$1 não é um destes: $2"},
	{regexp.MustCompile(`^does not apply to media (.*)$`), "não se aplica à mídia $1"},
	{regexp.MustCompile(`^must contain digits$`), "deve conter dígitos"},
	{regexp.MustCompile(`^must be asc or desc$`), "deve ser asc ou desc"},
	{regexp.MustCompile(`^must be at most (\d+) characters$`), "deve ter no máximo $1 caracteres"},
	{regexp.MustCompile(`^must have at most (\d+) items$`), "deve ter no máximo $1 itens"},
	{regexp.MustCompile(`^items must be at most (\d+) characters$`), "cada item deve ter no máximo $1 caracteres"},
	{regexp.MustCompile(`^unknown parameter$`), "parâmetro desconhecido"},
	{regexp.MustCompile(`^unknown client (.*)$`), "cliente desconhecido: $1"},
	{regexp.MustCompile(`^unknown campaign (.*)$`), "campanha desconhecida: $1"},
	{regexp.MustCompile(`^unknown batch (.*)$`), "lote desconhecido: $1"},
	{regexp.MustCompile(`^campaign (.*) is not a campaign of client (.*)$`), "a campanha $1 não é do cliente $2"},
	{regexp.MustCompile(`^batch (.*) is not a batch of campaign (.*)$`), "o lote $1 não é da campanha $2"},
	{regexp.MustCompile(`^batch (.*) is not a batch of client (.*)$`), "o lote $1 não é do cliente $2"},
	{regexp.MustCompile(`^invalid cursor$`), "página inválida: volte à primeira página"},
	{regexp.MustCompile(`^must be a number from 1 to (\d+)$`), "deve ser um número de 1 a $1"},
	{regexp.MustCompile(`^must be batch or name, got (.*)$`), "deve ser batch ou name; recebido $1"},
	{regexp.MustCompile(`^takes one value$`), "aceita um único valor"},
	{regexp.MustCompile(`^required$`), "obrigatório"},
}

// reason gives a problem's reason in language lang (a reason the list does
// not know stays as the API wrote it).
func reason(lang, s string) string {
	if lang == "en" {
		return s
	}
	for _, r := range reasonsPT {
		if r.re.MatchString(s) {
			return r.re.ReplaceAllString(s, r.repl)
		}
	}
	return s
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
	"Mensagem da empresa", "Business message",
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

// historyText gives a step text of the history in language lang.
func historyText(lang, s string) string {
	if lang == "en" {
		return historyEN.Replace(s)
	}
	return s
}
