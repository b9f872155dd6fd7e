package demo

import "github.com/rastro/rastro/internal/model"

// thread walks one topic of a conversation: the client's lines in order,
// each followed by the agent's answer to it.
type thread struct {
	template string // the company's first message (an active contact), else ""
	email    string
	turns    []turn
	next     int  // the turn whose client line comes next
	pending  bool // the client line of turn next-1 waits for its answer
}

// newThread picks the conversation's topic: an active one when the company
// starts it, else one of the service's.
func (g *gen) newThread(svc int, active bool) *thread {
	if active {
		a := activeTopics[svc]
		return &thread{template: a.template, turns: a.turns}
	}
	ts := topics[svc]
	tp := ts[g.r.IntN(len(ts))]
	return &thread{email: tp.email, turns: tp.turns}
}

// ask is the client's next line; the first one of an e-mail thread (E-mail,
// ReclameAqui) is the written request.
func (th *thread) ask(media string) string {
	text := th.turns[th.next].client
	if th.next == 0 && th.email != "" && (media == model.MediaEmail || media == model.MediaReclameAqui) {
		text = th.email
	}
	th.next++
	th.pending = true
	return text
}

// answer is the agent's answer to the client line that waits for it.
func (th *thread) answer() string {
	th.pending = false
	return th.turns[th.next-1].agent
}

// left is how many client lines the thread still has.
func (th *thread) left() int { return len(th.turns) - th.next }

// menuOption is the option of the virtual assistant's menu a client of the
// service picks (1 Financeiro, 2 Suporte, 3 Vendas, 4 Outros assuntos).
func menuOption(svc int) string {
	switch svc {
	case sFinanceiro, sCobranca:
		return "1"
	case sSuporte:
		return "2"
	case sVendas:
		return "3"
	}
	return "4"
}

// ofService is "do SAC", "da Cobrança": the service with its article, as an
// agent introduces itself.
func ofService(svc int) string {
	switch svc {
	case sCobranca, sRetencao, sOuvidoria:
		return "da " + services[svc].name
	case sVendas, sAgendamentos:
		return "de " + services[svc].name
	}
	return "do " + services[svc].name
}
