package demo

import (
	"strconv"
	"strings"

	"github.com/rastro/rastro/internal/model"
)

// ---- services, tags, IVRs, integrations -------------------------------------

type service struct{ id, name string }

var services = []service{
	{"svc-sac", "SAC"},
	{"svc-financeiro", "Financeiro"},
	{"svc-cobranca", "Cobrança"},
	{"svc-suporte", "Suporte Técnico"},
	{"svc-vendas", "Vendas"},
	{"svc-retencao", "Retenção"},
	{"svc-ouvidoria", "Ouvidoria"},
	{"svc-agendamentos", "Agendamentos"},
	{"svc-posvenda", "Pós-venda"},
	{"svc-backoffice", "Backoffice"},
}

const (
	sSAC = iota
	sFinanceiro
	sCobranca
	sSuporte
	sVendas
	sRetencao
	sOuvidoria
	sAgendamentos
	sPosVenda
	sBackoffice
)

var finalizationTags = []service{
	{"tag-duvida", "Dúvida esclarecida"},
	{"tag-segunda-via", "Segunda via enviada"},
	{"tag-acordo", "Acordo fechado"},
	{"tag-promessa", "Promessa de pagamento"},
	{"tag-reclamacao", "Reclamação registrada"},
	{"tag-retido", "Cancelamento revertido"},
	{"tag-cancelado", "Cancelamento efetuado"},
	{"tag-venda", "Venda realizada"},
	{"tag-agendado", "Agendamento confirmado"},
	{"tag-resolvido", "Problema técnico resolvido"},
	{"tag-n2", "Encaminhado ao N2"},
	{"tag-sem-contato", "Sem contato"},
	{"tag-desistiu", "Cliente desistiu"},
	{"tag-engano", "Engano / spam"},
	{"tag-elogio", "Elogio"},
}

// tagsByService: the tags an agent of the service usually picks (indexes of
// finalizationTags).
var tagsByService = [][]int{
	sSAC:          {0, 4, 14, 13, 1},
	sFinanceiro:   {1, 0, 3, 4},
	sCobranca:     {2, 3, 1, 12},
	sSuporte:      {9, 10, 0, 4},
	sVendas:       {7, 0, 12},
	sRetencao:     {5, 6, 2},
	sOuvidoria:    {4, 0, 14},
	sAgendamentos: {8, 0, 12},
	sPosVenda:     {0, 9, 14, 4},
	sBackoffice:   {0, 1, 10},
}

type ivrDef struct {
	id, name, did string
	// menu: first options, each with possible follow-ups; a leaf says where
	// it goes (service index, or -1 = self-service, finished in the IVR).
	menu []ivrOpt
}

type ivrOpt struct {
	key  string
	svc  int
	next []ivrOpt
}

var ivrs = []ivrDef{
	{"ivr-principal", "URA Principal", "551130039000", []ivrOpt{
		{"1", sFinanceiro, []ivrOpt{{"1", sFinanceiro, nil}, {"2", -1, nil}, {"Falar com atendente", sFinanceiro, nil}}},
		{"2", sSuporte, []ivrOpt{{"1", sSuporte, nil}, {"2", sAgendamentos, nil}}},
		{"3", sVendas, nil},
		{"4", sRetencao, nil},
		{"9", sSAC, nil},
		{"Ouvidoria", sOuvidoria, nil},
	}},
	{"ivr-cobranca", "URA Cobrança", "551140048000", []ivrOpt{
		{"1", sCobranca, []ivrOpt{{"1", sCobranca, nil}, {"2", -1, nil}}},
		{"2", -1, nil},
		{"3", sFinanceiro, nil},
		{"Cobrança", sCobranca, nil},
	}},
	{"ivr-suporte", "URA Suporte Técnico", "08007771234", []ivrOpt{
		{"1", sSuporte, []ivrOpt{{"1", sSuporte, []ivrOpt{{"1", sSuporte, nil}, {"2", -1, nil}}}, {"2", sSuporte, nil}}},
		{"2", sAgendamentos, nil},
		{"3", sPosVenda, nil},
		{"Suporte Técnico", sSuporte, nil},
	}},
}

var origins = []struct {
	name   string
	weight float64
	prefix string // external protocol prefix
}{
	{"", 0.62, "CHM-"}, // absent: Portal
	{"Portal", 0.18, "CHM-"},
	{"Zendesk", 0.10, "ZD-"},
	{"Salesforce", 0.06, "SF-"},
	{"Pipedrive", 0.04, "PD-"},
}

var voiceServers = []string{"voz-sp-01.rastro.local", "voz-sp-02.rastro.local", "voz-rj-01.rastro.local"}

var trunks = []string{"vivo", "claro", "tim", "algar"}

// ---- Fluxo Ágil --------------------------------------------------------------

type botClient struct {
	id, name  string
	campaigns []botCampaign
	svc       int // service that receives hand-offs
}

type botCampaign struct {
	id, name, flow string
	branch         []string // steps after "menu" on the happy path
}

var botClients = []botClient{
	{"cli-banco-horizonte", "Banco Horizonte", []botCampaign{
		{"camp-bh-cartao", "Cobrança Cartão Atraso 30+", "fluxo-cobranca-v2", []string{"acordo", "confirmacao"}},
		{"camp-bh-credito", "Renegociação Crédito Pessoal", "fluxo-renegociacao", []string{"simulacao", "acordo", "confirmacao"}},
	}, sCobranca},
	{"cli-vivamais", "VivaMais Telecom", []botCampaign{
		{"camp-vm-fatura", "Segunda Via de Fatura", "fluxo-segunda-via", []string{"segunda_via"}},
		{"camp-vm-retencao", "Retenção Pós-pago", "fluxo-retencao-v1", []string{"oferta", "confirmacao"}},
	}, sRetencao},
	{"cli-energisul", "EnergiSul Distribuidora", []botCampaign{
		{"camp-es-corte", "Aviso de Corte", "fluxo-cobranca-v2", []string{"segunda_via", "acordo"}},
		{"camp-es-agenda", "Agendamento de Religação", "fluxo-agendamento", []string{"agenda", "confirmacao"}},
	}, sFinanceiro},
}

type batchDef struct {
	id, name            string
	client, campaign    int
	firstDay, lastDay   int
	contactLo, contactN int // contact index range [contactLo, contactLo+contactN)
}

// ---- people --------------------------------------------------------------------

var firstNames = []string{
	"Ana", "Bruno", "Carla", "Daniel", "Eduarda", "Felipe", "Gabriela", "Henrique", "Isabela", "João",
	"Juliana", "Lucas", "Mariana", "Matheus", "Natália", "Otávio", "Patrícia", "Rafael", "Sabrina", "Thiago",
	"Vanessa", "Vinícius", "Larissa", "Gustavo", "Fernanda", "Rodrigo", "Camila", "Leonardo", "Beatriz", "Diego",
	"Letícia", "André", "Aline", "Marcelo", "Priscila", "Renato", "Tatiane", "Caio", "Jéssica", "Fábio",
	"Luana", "Murilo", "Débora", "Samuel", "Bianca", "Igor", "Raquel", "Wesley", "Simone", "Cláudio",
	"Antônio", "Francisca", "José", "Maria", "Luiz", "Sebastiana", "Raimundo", "Conceição", "Paulo", "Helena",
}

var lastNames = []string{
	"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
	"Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa",
	"Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas",
	"Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira", "Araújo", "Cavalcanti", "Monteiro", "Moura", "Correia",
	"Pinto", "Batista", "Campos", "Castro", "Farias", "Leite", "Azevedo", "Brandão", "Queiroz", "Sampaio",
}

var companyWords = []string{
	"Padaria Pão Quente", "Mercadinho Boa Vista", "Auto Peças Rodovia", "Clínica Sorriso", "Transportes Ligeiro",
	"Construtora Horizonte", "Farmácia Popular do Bairro", "Oficina Dois Irmãos", "Pet Shop Amigo Fiel",
	"Restaurante Sabor Mineiro", "Escola Pequeno Príncipe", "Academia Corpo em Forma", "Distribuidora Norte Sul",
	"Ótica Visão Clara", "Papelaria Central", "Agropecuária Campo Verde", "Salão Beleza Pura", "TI Soluções Digitais",
}

var companySuffix = []string{"Ltda", "ME", "S.A.", "EIRELI", "Ltda ME"}

var ddds = []string{"11", "11", "11", "21", "21", "31", "41", "51", "61", "71", "81", "85", "19", "27", "48", "62", "92", "13", "15", "47"}

var emailDomains = []string{"gmail.com", "gmail.com", "hotmail.com", "outlook.com", "yahoo.com.br", "uol.com.br", "bol.com.br", "terra.com.br"}

// ---- agents --------------------------------------------------------------------

type agent struct {
	id, name, ext string
	tags          []string
	svcs          []int   // services the agent is picked for first
	blocks        []block // the agent's day: logged in to each media in turn (staffPlan)
	activeFrom    int     // first day (0-based) worked: hired during the month
	inactiveFrom  int     // first day (0-based) not active; -1 = always active
	days          []bool  // the days (0-based) the agent works (staff)
}

// works says whether agent ai works on day d (staff: its days).
func (g *gen) works(ai, d int) bool {
	a := &g.agents[ai]
	return d >= 0 && d < len(a.days) && a.days[d]
}

// ---- contacts --------------------------------------------------------------------

type contact struct {
	id, name, doc, docDigits string
	company                  bool
	phones                   []string // as stored on the contact (formatted)
	e164                     string   // first phone, digits with country code
	emails                   []string
	extID                    string
	portfolio                *bool
	batch                    string
}

// contactAt builds contact i deterministically (no state kept).
func (g *gen) contactAt(i int) contact {
	r := newRand(uint64(g.seed), 0xC0, uint64(i))
	c := contact{id: "ct-" + pad(i+1, 6)}
	if r.IntN(100) < 12 {
		c.company = true
		c.name = companyWords[r.IntN(len(companyWords))] + " " + companySuffix[r.IntN(len(companySuffix))]
		alnum := r.IntN(25) == 0
		d := cnpj(r, alnum)
		c.docDigits = d
		if r.IntN(2) == 0 {
			c.doc = d[0:2] + "." + d[2:5] + "." + d[5:8] + "/" + d[8:12] + "-" + d[12:]
		} else {
			c.doc = d
		}
	} else {
		fn := firstNames[r.IntN(len(firstNames))]
		ln := lastNames[r.IntN(len(lastNames))]
		c.name = fn + " " + ln
		if r.IntN(3) == 0 {
			c.name = fn + " " + lastNames[r.IntN(len(lastNames))] + " " + ln
		}
		d := cpf(r)
		c.docDigits = d
		if r.IntN(2) == 0 {
			c.doc = d[0:3] + "." + d[3:6] + "." + d[6:9] + "-" + d[9:]
		} else {
			c.doc = d
		}
	}
	if r.IntN(100) < 4 { // no document known
		c.doc, c.docDigits = "", ""
	}
	nph := 1
	if r.IntN(100) < 25 {
		nph = 2
	}
	for k := 0; k < nph; k++ {
		ddd := ddds[r.IntN(len(ddds))]
		var num string
		if k == 1 && r.IntN(2) == 0 || c.company && r.IntN(2) == 0 { // landline
			num = strconv.Itoa(2+r.IntN(4)) + pad(r.IntN(1000), 3) + pad(r.IntN(10000), 4)
			c.phones = append(c.phones, "+55 "+ddd+" "+num[:4]+"-"+num[4:])
		} else {
			num = "9" + strconv.Itoa(6+r.IntN(4)) + pad(r.IntN(1000), 3) + pad(r.IntN(10000), 4)
			switch r.IntN(3) {
			case 0:
				c.phones = append(c.phones, "+55 "+ddd+" "+num[:5]+"-"+num[5:])
			case 1:
				c.phones = append(c.phones, "("+ddd+") "+num[:5]+"-"+num[5:])
			default:
				c.phones = append(c.phones, "55"+ddd+num)
			}
		}
		if k == 0 {
			c.e164 = "55" + ddd + num
		}
	}
	if r.IntN(100) < 80 {
		local := asciiLower(c.name)
		if c.company {
			local = "contato." + strings.Fields(local)[len(strings.Fields(local))-1]
		} else {
			f := strings.Fields(local)
			local = f[0] + "." + f[len(f)-1]
			if r.IntN(2) == 0 {
				local += strconv.Itoa(r.IntN(99) + 1)
			}
		}
		e := local + "@" + emailDomains[r.IntN(len(emailDomains))]
		if r.IntN(20) == 0 {
			e = strings.ToUpper(e[:1]) + e[1:]
		}
		c.emails = append(c.emails, e)
		if r.IntN(10) == 0 {
			c.emails = append(c.emails, strings.Fields(asciiLower(c.name))[0]+".trabalho"+strconv.Itoa(r.IntN(900)+100)+"@empresa.com.br")
		}
	}
	if r.IntN(100) < 70 {
		c.extID = "CRM-" + pad(r.IntN(10000000), 7)
	}
	switch p := r.IntN(100); {
	case p < 25:
		c.portfolio = ptrBool(true)
	case p < 80:
		c.portfolio = ptrBool(false)
	}
	return c
}

func (c *contact) model() *model.Contact {
	return &model.Contact{ID: c.id, Name: c.name, Document: c.doc, Phones: c.phones, Emails: c.emails,
		ExternalID: c.extID, Portfolio: c.portfolio, BatchID: c.batch}
}

func (c *contact) first() string {
	if c.company {
		return ""
	}
	if i := strings.IndexByte(c.name, ' '); i > 0 {
		return c.name[:i]
	}
	return c.name
}

// cpf returns 11 digits with valid check digits (not all equal).
func cpf(r randSource) string {
	var d [11]byte
	for {
		same := true
		for i := 0; i < 9; i++ {
			d[i] = byte(r.IntN(10))
			if d[i] != d[0] {
				same = false
			}
		}
		if !same {
			break
		}
	}
	for k := 9; k <= 10; k++ {
		s := 0
		for i := 0; i < k; i++ {
			s += int(d[i]) * (k + 1 - i)
		}
		v := s * 10 % 11
		if v == 10 {
			v = 0
		}
		d[k] = byte(v)
	}
	b := make([]byte, 11)
	for i := range d {
		b[i] = '0' + d[i]
	}
	return string(b)
}

// cnpj returns 14 characters with valid check digits; alnum gives the new
// alphanumeric form (letters in the 12-character base, value = ASCII − 48).
func cnpj(r randSource, alnum bool) string {
	const alpha = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
	b := make([]byte, 14)
	for i := 0; i < 8; i++ {
		if alnum && i >= 2 {
			b[i] = alpha[r.IntN(len(alpha))]
		} else {
			b[i] = '0' + byte(r.IntN(10))
		}
	}
	copy(b[8:12], "0001")
	if r.IntN(8) == 0 {
		b[11] = '0' + byte(2+r.IntN(4))
	}
	w1 := []int{5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	w2 := []int{6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	for k, w := range [][]int{w1, w2} {
		s := 0
		for i, wi := range w {
			s += int(b[i]-'0') * wi
		}
		v := 0
		if m := s % 11; m >= 2 {
			v = 11 - m
		}
		b[12+k] = '0' + byte(v)
	}
	return string(b)
}

var accents = strings.NewReplacer("á", "a", "à", "a", "â", "a", "ã", "a", "é", "e", "ê", "e", "í", "i",
	"ó", "o", "ô", "o", "õ", "o", "ú", "u", "ü", "u", "ç", "c", "Á", "a", "É", "e", "Í", "i", "Ó", "o", "Ú", "u", "Â", "a", "Ç", "c")

func asciiLower(s string) string { return strings.ToLower(accents.Replace(s)) }

func pad(n, w int) string {
	s := strconv.Itoa(n)
	for len(s) < w {
		s = "0" + s
	}
	return s
}

func ptrBool(b bool) *bool { return &b }
