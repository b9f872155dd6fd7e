package web

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
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

// mediaReason finds the media id a reason names, oneOfReason the values a
// reason lists (the report parsers write ids, as the API takes them).
var (
	mediaReason = regexp.MustCompile(`^(does not apply to media )(.*)$`)
	oneOfReason = regexp.MustCompile(`^(.* is not one of: )(.*)$`)
)

// reason gives a problem's reason in language lang (a reason the list does
// not know stays as the API wrote it); media and voice statuses named by
// their ids are named by their labels ("não se aplica à mídia WhatsApp",
// "não é um destes: WhatsApp, Voz, …").
func reason(lang, s string) string {
	if m := mediaReason.FindStringSubmatch(s); m != nil {
		if md, ok := model.MediaByID(m[2]); ok {
			s = m[1] + mediaLabel(lang, md)
		}
	}
	if m := oneOfReason.FindStringSubmatch(s); m != nil {
		s = m[1] + idListLabels(lang, m[2])
	}
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

// idListLabels names a comma-separated list of ids by their labels when
// every one is a media, or every one a voice status; any other list
// (group_by values, audit actions) stays as the API wrote it.
func idListLabels(lang, list string) string {
	ids := strings.Split(list, ", ")
	media, voice := make([]string, len(ids)), make([]string, len(ids))
	allMedia, allVoice := true, true
	for i, id := range ids {
		if md, ok := model.MediaByID(id); ok {
			media[i] = mediaLabel(lang, md)
		} else {
			allMedia = false
		}
		if l, ok := model.VoiceStatusLabels[id]; ok {
			voice[i] = translate(lang, l)
		} else {
			allVoice = false
		}
	}
	switch {
	case allMedia:
		return strings.Join(media, ", ")
	case allVoice:
		return strings.Join(voice, ", ")
	}
	return list
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

// ptbr: plurals, decimals, dates and the labels of ids, one helper each,
// used by every page.

// plural is a count message in language lang: one or many (pt-BR
// dictionary keys holding "{n}") chosen by n and translated, "{n}" replaced
// by n grouped the language's way (formatCount): "1 atendimento",
// "2 atendimentos", "0 atendimentos" (pt-BR and English both take the
// plural for zero). Every page prints its counts through it.
func plural(lang string, n int64, one, many string) string {
	key := many
	if n == 1 {
		key = one
	}
	return strings.ReplaceAll(translate(lang, key), "{n}", formatCount(lang, n))
}

// Plural is plural in the page's language, for templates:
// {{.Plural (len .Rows) "{n} linha" "{n} linhas"}}.
// n is an int (len) or an int64 (a stored count); anything else fails the
// render.
func (p Page) Plural(n any, one, many string) (string, error) {
	switch x := n.(type) {
	case int:
		return plural(p.Lang, int64(x), one, many), nil
	case int64:
		return plural(p.Lang, x, one, many), nil
	}
	return "", fmt.Errorf("plural %q: count of type %T", many, n)
}

// RoleLabel is the logged-in user's role in the page's language.
func (p Page) RoleLabel() string { return roleLabel(p.Lang, model.Role(p.Role)) }

// locale is how a UI language writes numbers and dates on a page.
type locale struct {
	thousands, decimal string // separators
	dateTime           string // a date and time's layout (time.Format)
}

// locales holds the one way each language prints numbers and dates on a
// page: pt-BR 12.345, 72,5 and dd/mm/aaaa hh:mm:ss; English 12,345, 72.5
// and ISO dates (unambiguous for every English reader). Report cells keep
// the formats SPEC.md gives each column (the screen shows what the export
// holds).
var locales = map[string]locale{
	"pt": {thousands: ".", decimal: ",", dateTime: "02/01/2006 15:04:05"},
	"en": {thousands: ",", decimal: ".", dateTime: "2006-01-02 15:04:05"},
}

// localeOf is language lang's locale; pt-BR's for a language without one.
func localeOf(lang string) locale {
	if l, ok := locales[lang]; ok {
		return l
	}
	return locales["pt"]
}

// formatCount prints a count with the language's thousands separator:
// "12.345" in pt-BR, "12,345" in English.
func formatCount(lang string, n int64) string {
	digits := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	sep := localeOf(lang).thousands
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return sign + b.String()
}

// decimalFigure matches a figure the reports print the pt-BR way: a
// decimal comma, no thousands separator ("72,5%", "4,3", "-0,5").
var decimalFigure = regexp.MustCompile(`^-?[0-9]+,[0-9]+ ?%?$`)

// decimalText puts a figure the reports print the pt-BR way (SPEC.md:
// percentages "72,5%", MOS "4,3"; the exports keep it) in language lang:
// English reads a decimal point. Any other text is returned as is.
func decimalText(lang, s string) string {
	if decimalFigure.MatchString(s) {
		return strings.Replace(s, ",", localeOf(lang).decimal, 1)
	}
	return s
}

// formatDecimal prints v with digits decimals, a decimal comma in pt-BR
// and a point in English.
func formatDecimal(lang string, v float64, digits int) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', digits, 64), ".", localeOf(lang).decimal, 1)
}

// formatDateTime prints t in zone loc as language lang does on every page;
// "" for the zero time.
func formatDateTime(lang string, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(localeOf(lang).dateTime)
}

// roleLabels names the roles (model.Role) by pt-BR dictionary keys.
var roleLabels = map[model.Role]string{
	model.RoleAdmin:      "Administrador",
	model.RoleSupervisor: "Supervisor",
	model.RoleAnalyst:    "Analista",
	model.RoleViewer:     "Leitor",
}

// labelOf is id's label in language lang, labels naming ids by pt-BR
// dictionary keys; an id labels does not name shows as it is.
func labelOf[K ~string](lang string, labels map[K]string, id K) string {
	if l, ok := labels[id]; ok {
		return translate(lang, l)
	}
	return string(id)
}

// roleLabel is role's label in language lang (an unknown role as it is).
func roleLabel(lang string, role model.Role) string { return labelOf(lang, roleLabels, role) }

// directionLabels names a call's direction (SPEC.md TIPO: inbound,
// outbound) by pt-BR dictionary keys.
var directionLabels = map[string]string{"inbound": "Recebida", "outbound": "Realizada"}

// directionLabel is a call direction's label in language lang (an
// unknown one as it is).
func directionLabel(lang, d string) string { return labelOf(lang, directionLabels, d) }

// auditActionLabels names the audited actions (store.AuditActions) by
// pt-BR dictionary keys.
var auditActionLabels = map[string]string{
	"login":                 "Entrada no sistema",
	"login.failed":          "Entrada recusada",
	"logout":                "Saída do sistema",
	"export":                "Exportação",
	"history.view":          "Histórico aberto",
	"recording.play":        "Gravação ouvida",
	"contact.anonymize":     "Contato anonimizado",
	"tenant.set":            "Configuração alterada",
	"hook.bad_signature":    "Webhook com assinatura inválida",
	"hook.bad_verify_token": "Webhook com token de verificação inválido",
	"hook.unknown_key":      "Webhook com chave desconhecida",
}

// auditActionLabel is an audited action's label in language lang (an
// action the list does not know as it is recorded).
func auditActionLabel(lang, action string) string {
	return labelOf(lang, auditActionLabels, action)
}

// auditDetailLabels names the keys of an audit entry's details by pt-BR
// dictionary keys.
var auditDetailLabels = map[string]string{
	"ip":               "IP",
	"report":           "Relatório",
	"format":           "Formato",
	"filters":          "Filtros",
	"protocol":         "Protocolo",
	"batch":            "Lote",
	"contact":          "Contato",
	"reason":           "Motivo",
	"events_rewritten": "Eventos reescritos",
	"changes":          "Alterações",
}

// reportLabels names the reports (report.Registry names, and the audit
// log's own export) by pt-BR dictionary keys, for the audit details.
var reportLabels = map[string]string{
	"interactions": "Rastreio de Interações",
	"fluxo-agil":   "Fluxo Ágil",
	"ivr":          "Relatório IVR",
	"agents":       "Relatório de Agentes",
	"audit":        "Auditoria",
}

// detailItem is one line of an audit entry's details: a translated key
// and its value as text.
type detailItem struct{ Key, Value string }

// auditDetails turns an entry's details (a JSON object) into readable
// lines in language lang, keys in order: a known key by its label, a
// report by its title, a list joined by commas, a nested object
// (export filters, changed settings) as "key=value" pairs.
func auditDetails(lang string, d map[string]any) []detailItem {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]detailItem, 0, len(keys))
	for _, k := range keys {
		v := detailValue(lang, d[k])
		if name, ok := d[k].(string); ok && k == "report" {
			v = labelOf(lang, reportLabels, name)
		}
		out = append(out, detailItem{Key: labelOf(lang, auditDetailLabels, k), Value: v})
	}
	return out
}

// detailValue prints one value of audit details as text.
func detailValue(lang string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return translate(lang, "Sim")
		}
		return translate(lang, "Não")
	case float64:
		if x == float64(int64(x)) {
			return formatCount(lang, int64(x))
		}
		return formatDecimal(lang, x, 2)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = detailValue(lang, e)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + detailValue(lang, x[k])
		}
		return strings.Join(parts, "; ")
	}
	return fmt.Sprint(v)
}
