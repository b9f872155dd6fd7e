package demo

import (
	"strconv"
	"time"

	"github.com/rastro/rastro/internal/model"
)

var botLines = map[string][]string{
	"saudacao":      {"Olá! Aqui é a assistente virtual. Tenho uma mensagem importante para você.", "Oi! Tudo bem? Sou o assistente digital e posso te ajudar agora mesmo."},
	"identificacao": {"Para sua segurança, informe os 3 primeiros dígitos do seu CPF.", "Antes de continuar, confirme sua data de nascimento (DD/MM/AAAA)."},
	"menu":          {"Como posso ajudar? 1 - Segunda via, 2 - Negociar débito, 3 - Falar com atendente", "Escolha: 1 - Ver ofertas, 2 - Pagar agora, 3 - Atendimento humano"},
	"segunda_via":   {"Pronto! Aqui está o link da sua segunda via: https://pag.example/2via", "Enviei o código de barras da fatura para você."},
	"acordo":        {"Temos uma proposta: entrada de R$ 89,90 + 5x de R$ 62,10. Aceita?", "Consigo parcelar em até 10x sem juros. Posso gerar o acordo?"},
	"simulacao":     {"Simulei aqui: 12 parcelas de R$ 148,00. Quer ver outras opções?"},
	"oferta":        {"Temos um plano com 20% de desconto por 6 meses para você continuar conosco."},
	"agenda":        {"Temos horários amanhã às 9h, 13h ou 16h. Qual prefere?"},
	"confirmacao":   {"Perfeito, está confirmado! Você receberá os detalhes por aqui.", "Tudo certo, registrei sua escolha."},
	"transbordo":    {"Vou te transferir para um de nossos especialistas. Aguarde um instante.", "Um atendente vai continuar a conversa com você."},
	"encerramento":  {"Obrigado! Se precisar, é só chamar por aqui.", "Até logo! Atendimento encerrado."},
}

var botClientLines = map[string][]string{
	"saudacao":      {"Oi", "Olá, pode falar", "Quem é?"},
	"identificacao": {"123", "045", "12/03/1985", "987"},
	"menu":          {"1", "2", "3"},
	"segunda_via":   {"Ok, obrigado", "Recebi"},
	"acordo":        {"Aceito", "Pode gerar", "Sim"},
	"simulacao":     {"Pode ser essa", "Quero essa opção"},
	"oferta":        {"Aceito a oferta", "Vou ficar então"},
	"agenda":        {"13h", "9h por favor"},
	"confirmacao":   {"Obrigado!", "👍"},
}

func (g *gen) botConversation(d int, t time.Time) {
	// A batch running that day.
	var act []int
	for i, b := range g.batches {
		if d >= b.firstDay && d <= b.lastDay {
			act = append(act, i)
		}
	}
	if len(act) == 0 {
		return
	}
	b := g.batches[act[g.r.IntN(len(act))]]
	cl := &botClients[b.client]
	cp := &cl.campaigns[b.campaign]
	c := g.batchContact(b, g.r.IntN(b.contactN))
	g.nConv++
	conv := "conv-" + pad(g.nConv, 6)
	channel := model.MediaWhatsApp
	if g.chance(0.3) {
		channel = model.MediaSMS
	}
	g.emit(model.Event{Type: model.TypeBotStarted, At: t, Conversation: conv, Flow: cp.flow, ClientID: cl.id,
		CampaignID: cp.id, BatchID: b.id, ContactID: c.id, Channel: channel})

	outcome := "finished"
	switch p := g.r.Float64(); {
	case p < 0.2:
		outcome = "handed_off"
	case p < 0.38:
		outcome = "abandoned"
	case p < 0.5:
		outcome = "expired"
	}
	if outcome == "expired" && !t.Add(26*time.Hour).Before(g.end) {
		outcome = "abandoned"
	}
	step := func(s string) {
		t = t.Add(time.Duration(300+g.r.IntN(1200)) * time.Millisecond)
		g.emit(model.Event{Type: model.TypeBotStep, At: t, Conversation: conv, Step: s})
		t = t.Add(time.Duration(200+g.r.IntN(800)) * time.Millisecond)
		lines := botLines[s]
		g.botMsg(conv, t, "bot", lines[g.r.IntN(len(lines))])
	}
	reply := func(s string) {
		t = t.Add(g.logn(40*time.Second, 1, 3*time.Second, 20*time.Minute))
		lines := botClientLines[s]
		g.botMsg(conv, t, "client", lines[g.r.IntN(len(lines))])
	}
	step("saudacao")
	if outcome == "expired" {
		t = t.Add(24*time.Hour + g.between(0, 30*time.Minute))
		g.emit(model.Event{Type: model.TypeBotEnded, At: t, Conversation: conv, Outcome: "expired"})
		return
	}
	path := append([]string{"identificacao", "menu"}, cp.branch...)
	stopAt := len(path) // abandoned: the client stops answering at some node
	if outcome == "abandoned" {
		stopAt = g.r.IntN(len(path))
	}
	reply("saudacao")
	for i, s := range path {
		if outcome == "handed_off" && i == 2 {
			break
		}
		step(s)
		if i == stopAt {
			break
		}
		reply(s)
	}
	switch outcome {
	case "abandoned":
		t = t.Add(30*time.Minute + g.between(0, time.Minute))
		g.emit(model.Event{Type: model.TypeBotEnded, At: t, Conversation: conv, Outcome: "abandoned"})
	case "finished":
		step("encerramento")
		g.emit(model.Event{Type: model.TypeBotEnded, At: t.Add(time.Second), Conversation: conv, Outcome: "finished"})
	case "handed_off":
		step("transbordo")
		t = t.Add(time.Second)
		id := g.newInteractionID()
		g.emit(model.Event{Type: model.TypeBotEnded, At: t, Conversation: conv, Outcome: "handed_off", Interaction: id})
		g.interaction(t.Add(500*time.Millisecond), channel, &handoff{id: id, c: c, svc: cl.svc, channel: channel, flow: cp.flow})
	}
}

func (g *gen) botMsg(conv string, t time.Time, sender, text string) {
	g.nMsg++
	g.emit(model.Event{Type: model.TypeBotMessage, At: t, Conversation: conv, MessageID: "bmsg-" + strconv.Itoa(g.nMsg), Sender: sender, Text: text})
}
