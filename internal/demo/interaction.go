package demo

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/rastro/rastro/internal/model"
)

type wsvc struct {
	svc int
	w   float64
}

var mediaServices = map[string][]wsvc{
	model.MediaWhatsApp:    {{sSAC, 25}, {sFinanceiro, 20}, {sCobranca, 15}, {sSuporte, 15}, {sVendas, 10}, {sAgendamentos, 8}, {sRetencao, 4}, {sPosVenda, 3}},
	model.MediaChat:        {{sSAC, 30}, {sSuporte, 30}, {sVendas, 20}, {sFinanceiro, 15}, {sPosVenda, 5}},
	model.MediaEmail:       {{sSAC, 35}, {sFinanceiro, 25}, {sOuvidoria, 15}, {sBackoffice, 15}, {sPosVenda, 10}},
	model.MediaSMS:         {{sCobranca, 50}, {sAgendamentos, 30}, {sSAC, 20}},
	model.MediaReclameAqui: {{sOuvidoria, 80}, {sSAC, 20}},
	model.MediaInstagram:   {{sSAC, 50}, {sVendas, 40}, {sPosVenda, 10}},
	"voice-direct":         {{sSAC, 40}, {sFinanceiro, 20}, {sSuporte, 20}, {sVendas, 10}, {sAgendamentos, 10}},
	"voice-out":            {{sCobranca, 45}, {sVendas, 25}, {sRetencao, 15}, {sAgendamentos, 10}, {sPosVenda, 5}},
	"transfer":             {{sFinanceiro, 25}, {sSuporte, 20}, {sRetencao, 15}, {sSAC, 15}, {sCobranca, 10}, {sOuvidoria, 5}, {sBackoffice, 5}, {sVendas, 5}},
}

func (g *gen) pickService(key string) int {
	ws := mediaServices[key]
	tot := 0.0
	for _, w := range ws {
		tot += w.w
	}
	x := g.r.Float64() * tot
	for _, w := range ws {
		if x < w.w {
			return w.svc
		}
		x -= w.w
	}
	return ws[len(ws)-1].svc
}

// timing per media: median agent reply, median client reply, median queue wait.
type timing struct{ agent, client, wait time.Duration }

var timings = map[string]timing{
	model.MediaChat:        {40 * time.Second, 50 * time.Second, 2 * time.Minute},
	model.MediaWhatsApp:    {90 * time.Second, 3 * time.Minute, 5 * time.Minute},
	model.MediaSMS:         {2 * time.Minute, 6 * time.Minute, 6 * time.Minute},
	model.MediaInstagram:   {2 * time.Minute, 4 * time.Minute, 8 * time.Minute},
	model.MediaEmail:       {12 * time.Minute, 50 * time.Minute, 90 * time.Minute},
	model.MediaReclameAqui: {25 * time.Minute, 3 * time.Hour, 3 * time.Hour},
}

// ix is the interaction being generated.
type ix struct {
	id      string
	media   string
	c       contact
	nLeg    int
	leg     string
	svc     int
	agent   int
	origin  int
	bot     *handoff
	delived bool
}

type handoff struct {
	id      string
	c       contact
	svc     int
	channel string
	flow    string
}

func (g *gen) newInteractionID() string {
	g.nInter++
	return "int-" + pad(g.nInter, 7)
}

func (g *gen) add(x *ix, e model.Event) {
	e.Interaction = x.id
	g.buf = append(g.buf, e)
}

func (g *gen) msg(x *ix, t time.Time, sender, text string, withLeg bool) {
	g.nMsg++
	e := model.Event{Type: model.TypeMessage, At: t, MessageID: "msg-" + strconv.Itoa(g.nMsg), Sender: sender, Text: text}
	if withLeg && x.leg != "" {
		e.Leg = x.leg
	}
	if sender == "agent" {
		e.AgentID = g.agents[x.agent].id
		if g.chance(0.08) {
			e.Leg = "" // the platform did not say; it is the agent's leg
		}
	}
	g.add(x, e)
}

func (g *gen) attach(name, mime string) *model.Attachment {
	return &model.Attachment{Name: name, Mime: mime, URL: "att/" + strconv.Itoa(g.nMsg+1) + "-" + name}
}

func (g *gen) openLeg(x *ix, t time.Time, svc int) {
	x.nLeg++
	x.leg = x.id + "-" + strconv.Itoa(x.nLeg)
	x.svc = svc
	x.delived = false
	g.add(x, model.Event{Type: model.TypeLegQueued, At: t, Leg: x.leg, ServiceID: services[svc].id})
}

func (g *gen) deliver(x *ix, t time.Time, ai int) {
	x.agent = ai
	x.delived = true
	g.add(x, model.Event{Type: model.TypeLegDelivered, At: t, Leg: x.leg, AgentID: g.agents[ai].id})
}

// finish closes the current leg with a status, tabulating it the way agents do.
func (g *gen) finish(x *ix, t time.Time, status string) {
	e := model.Event{Type: model.TypeLegFinished, At: t, Leg: x.leg, Status: status}
	if x.delived {
		tags := tagsByService[x.svc]
		switch {
		case status == "service completed" && g.chance(0.85):
			e.Tags = []string{finalizationTags[tags[g.r.IntN(len(tags))]].id}
			if g.chance(0.15) {
				if t2 := finalizationTags[tags[g.r.IntN(len(tags))]].id; t2 != e.Tags[0] {
					e.Tags = append(e.Tags, t2)
				}
			}
		case status != "service completed":
			e.Tags = []string{"tag-sem-contato"}
		}
		if x.c.id != "" && g.chance(0.8) {
			e.ContactID = x.c.id
		}
		o := origins[x.origin]
		switch {
		case x.media == model.MediaReclameAqui:
			e.ExternalProtocol = "RA-" + pad(g.r.IntN(1000000000), 9)
		case o.name != "" && o.name != "Portal":
			e.ExternalProtocol = o.prefix + pad(g.r.IntN(10000000), 7)
		case g.chance(0.15):
			e.ExternalProtocol = o.prefix + strconv.Itoa(t.Year()) + pad(g.r.IntN(1000000), 6)
		}
		if g.chance(0.2) {
			e.Comments = comments[g.r.IntN(len(comments))]
		}
		if x.c.docDigits != "" && g.chance(0.12) {
			e.Document = x.c.doc
		}
	}
	g.legs++
	g.add(x, e)
}

func (g *gen) transfer(x *ix, t time.Time) (toAgent int) {
	toAgent = -1
	e := model.Event{Type: model.TypeLegTransferred, At: t, Leg: x.leg, NewLeg: x.id + "-" + strconv.Itoa(x.nLeg+1)}
	svc := x.svc
	if g.chance(0.3) {
		toAgent = g.pickAgentExcept(x.svc, x.media, t, x.agent)
		e.ToAgentID = g.agents[toAgent].id
	} else {
		for i := 0; i < 4 && svc == x.svc; i++ {
			svc = g.pickService("transfer")
		}
		e.ToServiceID = services[svc].id
	}
	g.legs++
	g.add(x, e)
	g.openLeg(x, t, svc)
	return toAgent
}

func (g *gen) pickContact() int {
	u := g.r.Float64()
	return int(float64(g.nContacts) * u * u) // some contacts come back often
}

// interaction generates one protocol (all its legs) and emits it.
func (g *gen) interaction(t0 time.Time, media string, ho *handoff) {
	g.buf = g.buf[:0]
	x := &ix{media: media, agent: -1, bot: ho}
	if ho != nil {
		x.id, x.c = ho.id, ho.c
	} else {
		x.id = g.newInteractionID()
		if g.chance(0.94) {
			x.c = g.contactAt(g.pickContact())
		}
	}
	x.origin = g.pickOrigin()
	if media == model.MediaVoice {
		g.voice(x, t0)
	} else {
		g.digital(x, t0)
	}
	g.flush()
}

func (g *gen) pickOrigin() int {
	x := g.r.Float64()
	for i, o := range origins {
		if x < o.weight {
			return i
		}
		x -= o.weight
	}
	return 0
}

func (g *gen) created(x *ix, t time.Time) model.Event {
	e := model.Event{Type: model.TypeInteractionCreated, At: t, Media: x.media, Origin: origins[x.origin].name, ContactID: x.c.id}
	if x.c.id != "" && g.chance(0.08) {
		e.ContactID = "" // identified only at tabulation
	}
	if e.Origin != "" && e.Origin != "Portal" && g.chance(0.4) {
		g.nProto++
		e.Protocol = origins[x.origin].prefix + "P" + pad(g.nProto, 8)
	}
	return e
}

// ---- messaging media ------------------------------------------------------------

func (g *gen) digital(x *ix, t time.Time) {
	tm := timings[x.media]
	ho := x.bot
	svc := 0
	if ho != nil {
		svc = ho.svc
	} else {
		svc = g.pickService(x.media)
	}
	empresa := ho != nil || (x.media == model.MediaWhatsApp || x.media == model.MediaSMS) && g.chance(0.18)
	ce := g.created(x, t)
	switch x.media {
	case model.MediaWhatsApp, model.MediaSMS:
		ce.From = x.c.e164
		ce.To = "551130039000"
		if empresa {
			ce.From, ce.To = ce.To, x.c.e164
		}
		if x.media == model.MediaWhatsApp {
			ce.StartedBy = "cliente"
			if empresa {
				ce.StartedBy = "empresa"
			}
		}
	case model.MediaEmail:
		if len(x.c.emails) > 0 {
			ce.From = x.c.emails[0]
		}
		ce.To = "atendimento@rastro-demo.com.br"
	case model.MediaInstagram:
		if x.c.name != "" {
			ce.From = "@" + asciiHandle(x.c.name)
		}
	case model.MediaReclameAqui:
		// The complaint carries the phone the consumer registered.
		ce.From = x.c.e164
	case model.MediaChat:
		// Most pre-chat forms ask for a phone.
		if g.chance(0.7) {
			ce.From = x.c.e164
		}
	}
	g.add(x, ce)
	client := func(text string) { g.msg(x, t, "client", text, g.chance(0.6)) }
	th := g.newThread(svc, empresa && ho == nil)
	// ask sends the client's next line of the thread; answer sends the
	// agent's answer to it, within a message of its own words.
	ask := func() {
		client(th.ask(x.media))
	}
	answer := func(before, after string) {
		g.msg(x, t, "agent", before+th.answer()+after, true)
	}

	switch {
	case ho != nil:
		t = t.Add(time.Second)
		g.msg(x, t, "system", "Conversa transferida pelo Fluxo Ágil ("+ho.flow+")", false)
		t = t.Add(g.between(5*time.Second, 40*time.Second))
		g.msg(x, t, "client", th.ask(x.media), false)
		t = t.Add(2 * time.Second)
		g.add(x, model.Event{Type: model.TypeEnteredOmni, At: t})
	case empresa:
		g.add(x, model.Event{Type: model.TypeEnteredOmni, At: t})
	case (x.media == model.MediaWhatsApp || x.media == model.MediaChat) && g.chance(0.35):
		// The virtual assistant asks the subject before the queue.
		t = t.Add(time.Duration(300+g.r.IntN(900)) * time.Millisecond)
		g.msg(x, t, "client", clientGreetings[g.r.IntN(len(clientGreetings))], false)
		t = t.Add(2 * time.Second)
		g.msg(x, t, "bot", "Olá! Sou a Lia, assistente virtual. Escolha uma opção: 1 - Financeiro, 2 - Suporte, 3 - Vendas, 4 - Outros assuntos", false)
		t = t.Add(g.between(15*time.Second, 2*time.Minute))
		g.msg(x, t, "client", menuOption(svc), false)
		t = t.Add(2 * time.Second)
		g.msg(x, t, "bot", "Certo! Conte em poucas palavras o que você precisa.", false)
		t = t.Add(g.between(10*time.Second, time.Minute))
		g.msg(x, t, "client", th.ask(x.media), false)
		t = t.Add(2 * time.Second)
		g.msg(x, t, "bot", "Obrigada! Vou transferir você para um de nossos atendentes. Aguarde um instante.", false)
		t = t.Add(time.Second)
		g.add(x, model.Event{Type: model.TypeEnteredOmni, At: t})
	default:
		g.msg(x, t.Add(200*time.Millisecond), "client", th.ask(x.media), false)
		switch {
		case x.media == model.MediaEmail && g.chance(0.2):
			g.buf[len(g.buf)-1].Attachment = g.attach("documento.pdf", "application/pdf")
		case x.media == model.MediaWhatsApp && g.chance(0.07):
			g.buf[len(g.buf)-1].Attachment = g.attach("comprovante.jpg", "image/jpeg")
		}
		t = t.Add(time.Duration(1000+g.r.IntN(3000)) * time.Millisecond)
		g.add(x, model.Event{Type: model.TypeEnteredOmni, At: t})
	}
	t = t.Add(time.Duration(200+g.r.IntN(800)) * time.Millisecond)
	g.openLeg(x, t, svc)

	// Queue fate of the first leg.
	if empresa {
		ai := g.pickAgent(svc, x.media, t)
		g.deliver(x, t, ai)
		t = t.Add(g.between(2*time.Second, 20*time.Second))
		if ho == nil {
			g.msg(x, t, "agent", "Olá"+greetName(&x.c)+"! Aqui é "+firstName(g.agents[ai].name)+", da Rastro Serviços. "+th.template, true)
		} else {
			answer("Olá"+greetName(&x.c)+"! Aqui é "+firstName(g.agents[ai].name)+", "+ofService(x.svc)+", vi sua conversa com o nosso assistente. ", "")
		}
		if x.media == model.MediaWhatsApp && g.chance(0.04) {
			t = t.Add(g.between(3*time.Second, 30*time.Second))
			g.msg(x, t, "system", "Mensagem não entregue: número sem WhatsApp", false)
			t = t.Add(g.between(10*time.Second, time.Minute))
			g.finish(x, t, "bad number")
			return
		}
		if g.chance(0.12) { // nobody answers the active contact: the agent moves on
			t = t.Add(g.between(10*time.Minute, 40*time.Minute))
			g.finish(x, t, "service completed")
			return
		}
		if ho == nil {
			t = t.Add(g.logn(tm.client, 1, 10*time.Second, 3*time.Hour))
			ask()
		}
	} else {
		// Chat is answered live by a team staffed for its load
		// (staffPlan): fewer give up than on the asynchronous media.
		abandon, dequeue := 0.065, 0.095
		if x.media == model.MediaChat {
			abandon, dequeue = 0.03, 0.045
		}
		switch p := g.r.Float64(); {
		case p < abandon:
			w := g.logn(8*time.Minute, 0.8, 30*time.Second, 3*time.Hour)
			if g.chance(0.5) {
				g.msg(x, t.Add(w/2), "client", nudges.queue, false)
			}
			g.finish(x, t.Add(w), "abandoned")
			return
		case p < dequeue:
			w := g.logn(25*time.Minute, 0.6, 2*time.Minute, 6*time.Hour)
			g.finish(x, t.Add(w), "dequeued")
			return
		}
	}

	// An expiring conversation: the client's message waits in the queue
	// past the media's 24 h window (a weekend, a backlog); the agent who
	// finally takes it answers, hears nothing back and closes it, so the
	// leg ends Expirado. (Kept out of DURAÇÃO: a leg held open 24 h by an
	// agent would make most of its team's occupancy.)
	expireOK := !empresa && t.Add(80*time.Hour).Before(g.end) && g.expires(x.media)
	transfers := 0
	toAgent := -1
	for {
		if !x.delived {
			w := g.logn(tm.wait, 0.9, 3*time.Second, 10*time.Hour)
			if x.media == model.MediaChat {
				w = g.queueWait()
			}
			if toAgent >= 0 {
				w = g.between(5*time.Second, 90*time.Second)
			}
			if expireOK {
				w = g.between(24*time.Hour+10*time.Minute, 30*time.Hour)
			}
			dt := t.Add(w)
			if h := dt.Hour(); h < 8 && (dt.Sub(t) < 12*time.Hour || expireOK) {
				// overnight: the operation opens at 8h
				dt = time.Date(dt.Year(), dt.Month(), dt.Day(), 8, 0, 0, 0, Zone).Add(g.between(0, 40*time.Minute))
			}
			if x.nLeg > 1 && g.chance(0.04) { // client gave up after the transfer
				g.finish(x, dt, "abandoned")
				return
			}
			t = dt
			ai := toAgent
			if ai < 0 {
				ai = g.pickAgent(x.svc, x.media, t)
			}
			g.deliver(x, t, ai)
			t = t.Add(g.logn(tm.agent/2, 0.8, 3*time.Second, 2*time.Hour))
			switch {
			case x.nLeg == 1 && (x.media == model.MediaEmail || x.media == model.MediaReclameAqui):
				answer("Prezado(a) "+orCliente(x.c.first())+", agradecemos o seu contato. ", " Atenciosamente, "+g.agents[ai].name+" – "+services[x.svc].name+".")
			case x.nLeg == 1:
				answer("Olá"+greetName(&x.c)+"! Meu nome é "+firstName(g.agents[ai].name)+", "+ofService(x.svc)+". ", "")
			default:
				g.msg(x, t, "agent", "Olá, aqui é "+firstName(g.agents[ai].name)+", "+ofService(x.svc)+". Já li o histórico, vou dar sequência ao seu atendimento.", true)
			}
		}
		if expireOK {
			break
		}
		exchanges := 1 + g.r.IntN(5)
		switch x.media {
		case model.MediaEmail, model.MediaReclameAqui:
			// Half the written requests get a follow-up, every other one:
			// the follow-up (hours of the client's reply) is most of the
			// media's DURAÇÃO, and a drawn half of the ~120 complaints of
			// a small month swung its team's occupancy by ±10 %.
			exchanges = 0
			if g.counted(x.media+" follow-up", 0.5) {
				exchanges = 1
			}
		case model.MediaSMS:
			exchanges = 1 + g.r.IntN(2)
		}
		exchanges = min(exchanges, th.left())
		holdAt := -1
		if model.IsHoldMedia(x.media) && g.chance(0.2) {
			holdAt = g.r.IntN(exchanges + 1)
		}
		transferAt := -1
		if !expireOK && x.media != model.MediaReclameAqui && (transfers == 0 && g.chance(0.12) || transfers == 1 && g.chance(0.12)) {
			transferAt = g.r.IntN(exchanges + 1)
		}
		transferred := false
		for k := 0; k <= exchanges; k++ {
			if k > 0 {
				t = t.Add(g.logn(tm.client, 0.9, 5*time.Second, 4*time.Hour))
				ask()
				if x.media == model.MediaWhatsApp && g.chance(0.05) {
					g.buf[len(g.buf)-1].Attachment = g.attach("audio.ogg", "audio/ogg")
				}
			}
			thanks := ""
			if k == holdAt {
				// The agent looks it up before answering, on hold.
				t = t.Add(g.between(5*time.Second, 40*time.Second))
				g.msg(x, t, "agent", "Vou verificar no sistema, um momento por favor.", true)
				kind := "hold"
				if g.chance(0.35) {
					kind = "personal_queue"
				}
				t = t.Add(g.between(2*time.Second, 20*time.Second))
				g.add(x, model.Event{Type: model.TypeHoldStarted, At: t, Leg: x.leg, Kind: kind})
				if g.chance(0.35) { // the client's message ends the hold
					t = t.Add(g.logn(5*time.Minute, 0.7, 30*time.Second, 2*time.Hour))
					client(nudges.hold)
					t = t.Add(g.between(10*time.Second, 2*time.Minute))
				} else {
					t = t.Add(g.logn(4*time.Minute, 0.8, 20*time.Second, 3*time.Hour))
					g.add(x, model.Event{Type: model.TypeHoldEnded, At: t, Leg: x.leg})
					t = t.Add(g.between(3*time.Second, 40*time.Second))
				}
				thanks = "Obrigado por aguardar! "
			}
			if th.pending {
				if thanks == "" {
					t = t.Add(g.logn(tm.agent, 0.8, 3*time.Second, 6*time.Hour))
				}
				answer(thanks, "")
			} else if thanks != "" {
				g.msg(x, t, "agent", thanks+"Já verifiquei sua solicitação, está tudo certo.", true)
			}
			if k == transferAt {
				t = t.Add(g.between(10*time.Second, 90*time.Second))
				g.msg(x, t, "agent", "Vou transferir seu atendimento para a área responsável, só um instante.", true)
				t = t.Add(g.between(2*time.Second, 15*time.Second))
				toAgent = g.transfer(x, t)
				g.msg(x, t.Add(time.Second), "system", "Atendimento transferido para "+services[x.svc].name, false)
				transfers++
				transferred = true
				break
			}
		}
		if transferred {
			continue
		}
		break
	}

	if expireOK {
		// The client does not come back: the agent closes it, more than
		// 24 h after the client's last message (the window expired).
		t = t.Add(g.between(10*time.Minute, 40*time.Minute))
		g.msg(x, t, "agent", "Como não tivemos retorno"+greetName(&x.c)+", este atendimento será encerrado. Se precisar, é só chamar.", true)
		t = t.Add(g.between(5*time.Second, 3*time.Minute))
		g.finish(x, t, "service completed")
		return
	}
	// Closing.
	if x.media != model.MediaEmail && x.media != model.MediaReclameAqui {
		t = t.Add(g.between(5*time.Second, 90*time.Second))
		g.msg(x, t, "agent", "Posso ajudar em algo mais?", true)
		if g.chance(0.75) {
			t = t.Add(g.logn(tm.client/2, 0.8, 5*time.Second, time.Hour))
			client(clientClosings[g.r.IntN(len(clientClosings))])
			t = t.Add(g.between(3*time.Second, 40*time.Second))
			g.msg(x, t, "agent", "Obrigado pelo contato"+greetName(&x.c)+". Tenha um ótimo dia!", true)
		}
	}
	t = t.Add(g.between(5*time.Second, 3*time.Minute))
	g.finish(x, t, "service completed")
}

// expireShare is the share of the WhatsApp and Chat conversations whose
// client vanishes, so that the agent closes them after the 24 h window.
var expireShare = map[string]float64{model.MediaWhatsApp: 0.045, model.MediaChat: 0.02}

// expires says whether this conversation of media is one that expires.
func (g *gen) expires(media string) bool {
	return expireShare[media] > 0 && g.counted(media+" expires", expireShare[media])
}

// counted says whether this occurrence of what is one of the given share:
// every 1/share-th one, counted rather than drawn, so that a small month
// has its share to the unit (a few rare, long legs drawn at random swung a
// small team's occupancy out of the band the staffing aims at).
func (g *gen) counted(what string, share float64) bool {
	g.nCounted[what]++
	n := float64(g.nCounted[what])
	return math.Floor(n*share) > math.Floor((n-1)*share)
}

func orCliente(s string) string {
	if s == "" {
		return "cliente"
	}
	return s
}

func greetName(c *contact) string {
	if f := c.first(); f != "" {
		return ", " + f
	}
	return ""
}

func firstName(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return s[:i]
		}
	}
	return s
}

func asciiHandle(name string) string {
	b := []byte(asciiLower(name))
	out := b[:0]
	for _, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			out = append(out, c)
		case c == ' ':
			out = append(out, '_')
		}
	}
	return string(out)
}

// ---- agents ----------------------------------------------------------------------

func (g *gen) dayOf(t time.Time) int { return int(t.Sub(g.start) / (24 * time.Hour)) }

// queueWait draws how long a call or a chat waits for an agent, with the
// shape Erlang C gives a team staffed for its load: most contacts find an
// agent free and wait only the routing (1–6 s); a quarter find the team busy
// and wait 2 s plus an exponential time of mean 30 s. So ~86 % of the
// answered ones wait at most the 20 s service-level threshold (SPEC.md §5,
// the tenant default): with the few who give up, the service level lands
// near 80 %.
func (g *gen) queueWait() time.Duration {
	if g.chance(0.25) {
		return 2*time.Second + time.Duration(g.r.ExpFloat64()*float64(30*time.Second)).Round(time.Millisecond)
	}
	return g.between(time.Second, 6*time.Second)
}

func (g *gen) pickAgent(svc int, media string, t time.Time) int {
	return g.pickAgentExcept(svc, media, t, -1)
}

// pickAgentExcept picks an agent of the media's team on duty at t (its
// day's block of that media covers t), one of the service if it can; else
// one of the team who works that day; else anyone of the team.
func (g *gen) pickAgentExcept(svc int, media string, t time.Time, not int) int {
	cands := g.team[media]
	if len(cands) == 0 {
		return 0
	}
	on := func(ai int) bool { return ai != not && g.onDuty(ai, media, t) }
	for try := 0; try < 6; try++ {
		if ai := cands[g.r.IntN(len(cands))]; on(ai) && slices.Contains(g.agents[ai].svcs, svc) {
			return ai
		}
	}
	n := len(cands)
	off := g.r.IntN(n)
	for k := 0; k < n; k++ {
		if ai := cands[(off+k)%n]; on(ai) {
			return ai
		}
	}
	d := g.dayOf(t)
	for k := 0; k < n; k++ {
		if ai := cands[(off+k)%n]; ai != not && g.works(ai, d) {
			return ai
		}
	}
	for k := 0; k < n; k++ {
		if ai := cands[(off+k)%n]; ai != not && g.agents[ai].inactiveFrom < 0 {
			return ai
		}
	}
	return cands[off]
}

// ---- flushing -----------------------------------------------------------------------

func shiftEvent(e *model.Event, d time.Duration) {
	e.At = e.At.Add(d)
	for _, p := range []**time.Time{&e.AnsweredAt, &e.ClientHangupAt, &e.AgentHangupAt} {
		if *p != nil {
			v := (*p).Add(d)
			*p = &v
		}
	}
}

func clampEvent(e *model.Event, lo, hi time.Time) {
	c := func(t time.Time) time.Time {
		if t.Before(lo) {
			return lo
		}
		if t.After(hi) {
			return hi
		}
		return t
	}
	e.At = c(e.At)
	for _, p := range []**time.Time{&e.AnsweredAt, &e.ClientHangupAt, &e.AgentHangupAt} {
		if *p != nil {
			v := c(**p)
			*p = &v
		}
	}
}

// flush moves the interaction inside the month if it ran past its end, maybe
// holds one of its events back (a late arrival), and emits it.
func (g *gen) flush() {
	if len(g.buf) == 0 {
		return
	}
	lo, hi := g.buf[0].At, g.buf[0].At
	for i := range g.buf {
		e := &g.buf[i]
		for _, t := range []*time.Time{&e.At, e.AnsweredAt, e.ClientHangupAt, e.AgentHangupAt} {
			if t == nil {
				continue
			}
			if t.Before(lo) {
				lo = *t
			}
			if t.After(hi) {
				hi = *t
			}
		}
	}
	limit := g.end.Add(-time.Second)
	if hi.After(limit) {
		d := limit.Sub(hi) - g.between(0, 20*time.Minute)
		if lo.Add(d).Before(g.start) {
			d = g.start.Sub(lo)
		}
		for i := range g.buf {
			shiftEvent(&g.buf[i], d)
			clampEvent(&g.buf[i], g.start, limit)
		}
	}
	g.nDone++
	skip := -1
	if len(g.buf) > 3 && g.chance(0.015) {
		skip = 1 + g.r.IntN(len(g.buf)-1)
		g.late = append(g.late, lateEvent{release: g.nDone + 3 + g.r.IntN(40), ev: g.buf[skip]})
	}
	for i := range g.buf {
		if i != skip {
			g.emit(g.buf[i])
		}
	}
	if len(g.late) > 0 {
		keep := g.late[:0]
		for _, l := range g.late {
			if l.release <= g.nDone {
				g.emit(l.ev)
			} else {
				keep = append(keep, l)
			}
		}
		g.late = keep
	}
}
