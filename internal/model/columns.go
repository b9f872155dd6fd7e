package model

// InteractionColumns is the Rastreio de Interações CSV header of SPEC.md §3,
// exactly and in order.
var InteractionColumns = []string{
	"DATA", "HORA", "PROTOCOLO", "SERVIÇO", "AGENTE", "ORIGEM", "TIPO", "PARA", "CONTATO",
	"A PARTIR DE", "DURAÇÃO", "TMP", "TMI", "TM1R", "TMR", "STATUS", "PORTFOLIO", "ID EXTERNO",
	"COMENTÁRIOS INTERNOS", "DOCUMENTO", "DATA ATENDIDA", "DATA FINALIZADA", "DATA PRIMEIRA MENSAGEM",
	"ÚLTIMA RESPOSTA", "PROTOCOLO EXTERNO", "DATA HORA ENTREGUE EM FILA", "STATUS DE EXPIRAÇÃO",
	"JITTER", "PERDA DE PACOTE", "QUALIDADE DE CHAMADA", "SERVIDOR DE VOZ", "NÚMERO DISCADO",
	"NOME DO CANAL EXTERNO", "NOME DO CANAL INTERNO", "DATA FINALIZAÇÃO CLIENTE", "DATA FINALIZAÇÃO AGENTE",
}

// MediaExtraColumns are appended after InteractionColumns for some media.
var MediaExtraColumns = map[string][]string{
	MediaWhatsApp: {"ORIGEM DA CONVERSA"},
	MediaChat:     {"DATA DE ENTRADA EM FILA", "HORA DE ENTRADA EM FILA", "HORA ENTREGUE AO AGENTE", "HORA MENSAGEM INICIAL"},
	MediaVoice:    {"MOS ESTIMADO"},
}

// ColumnsFor returns the full column list of a media's Rastreio export.
func ColumnsFor(media string) []string {
	cols := append([]string(nil), InteractionColumns...)
	return append(cols, MediaExtraColumns[media]...)
}

// CSVOnlyColumns are not shown on screen (SPEC.md §3: the page marks the
// others "Tela").
var CSVOnlyColumns = map[string]bool{
	"DATA": true, "HORA": true, "ORIGEM": true, "PORTFOLIO": true, "ID EXTERNO": true,
	"COMENTÁRIOS INTERNOS": true, "DATA FINALIZADA": true, "JITTER": true, "PERDA DE PACOTE": true,
	"NÚMERO DISCADO": true, "NOME DO CANAL EXTERNO": true, "NOME DO CANAL INTERNO": true,
}

// PersonalColumns hold personal data (LGPD): masked for principals without
// the "ver dados pessoais" permission.
var PersonalColumns = map[string]string{
	"DOCUMENTO": "document", "PARA": "phone", "A PARTIR DE": "phone", "NÚMERO DISCADO": "phone",
	"CPF/CNPJ": "document", "Telefone": "phone", "Email": "email",
}

// FluxoColumns is the Fluxo Ágil row (Ação is the history link, not a column).
var FluxoColumns = []string{"Lote", "Nome", "CPF/CNPJ", "Telefone", "Email", "Fluxo", "Conversas", "Mensagens"}

// FluxoExportExtra is appended to the Fluxo Ágil export.
var FluxoExportExtra = []string{"Última Etapa", "Desfecho"}

// IdentifierColumns hold identifiers made of digits that are not numbers:
// protocols, phones, documents, external ids, batch ids. Spreadsheet
// exports write them as text so no digit is lost (an 18-digit PROTOCOLO as
// a number becomes 2.02503171300001E+17) and no leading zero dropped.
var IdentifierColumns = map[string]bool{
	"PROTOCOLO": true, "PROTOCOLO EXTERNO": true, "ID EXTERNO": true, "DOCUMENTO": true,
	"PARA": true, "A PARTIR DE": true, "NÚMERO DISCADO": true, "CONTATO": true,
	"NOME DO CANAL EXTERNO": true, "NOME DO CANAL INTERNO": true, "SERVIDOR DE VOZ": true,
	"Lote": true, "CPF/CNPJ": true, "Telefone": true, "Email": true, "Nome": true,
	"AGENTE": true, "SERVIÇO": true, "PORTFOLIO": true, "Agente": true,
}
