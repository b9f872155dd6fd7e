package metrics

import (
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// Interaction is what one interaction's events derive to.
type Interaction struct {
	ID, Media, ProtocolGiven, ProtocolBase string // ProtocolGiven: from interaction.created if the event brought one; ProtocolBase: generated per §3.1 (used when none given)
	CreatedAt                              time.Time
	ContactID                              string
	Legs                                   []model.LegRow // FINISHED legs only, in leg order; Cells filled using the protocol passed in
	IVRVisits                              []model.IVRVisit
}

// DeriveInteraction computes everything of one interaction from all its
// stored events, in any order. protocol is the final protocol to print (the
// caller resolves collisions); "" means ProtocolGiven, else ProtocolBase.
//
// Decision: ProtocolBase is generated from interaction.created at; while that
// event is unknown, from the earliest event of the interaction (the caller
// recomputes when it arrives).
func DeriveInteraction(events []model.Event, protocol string, dir Directory, cfg Config) Interaction {
	tl := scan(sortEvents(events))
	dir = directoryOr(dir)
	start := tl.createdAt
	if start.IsZero() {
		start = tl.firstAt
	}
	ix := Interaction{
		ID:            tl.id,
		Media:         tl.media,
		ProtocolGiven: tl.protocolGiven,
		ProtocolBase:  ProtocolBase(tl.media, start),
		CreatedAt:     tl.createdAt,
		ContactID:     tl.contactID,
	}
	if protocol == "" {
		protocol = ix.ProtocolGiven
	}
	if protocol == "" {
		protocol = ix.ProtocolBase
	}
	facts := make([]*legFacts, len(tl.legs))
	rows := make([]*model.LegRow, len(tl.legs))
	for i, l := range tl.legs {
		facts[i] = legOf(l)
		if facts[i].ended {
			rows[i] = buildRow(tl, facts[i], protocol, dir, cfg)
			ix.Legs = append(ix.Legs, *rows[i])
		}
	}
	ix.IVRVisits = ivrVisits(tl, facts, rows, cfg)
	return ix
}

// enteredAt is DATA/HORA: when the leg entered OMNI. The first leg: the
// interaction.entered_omni at, else its first leg.queued, else
// interaction.created; a transferred-in leg: the transfer's at. Decision:
// further fallbacks are queued, then delivery, then finalization.
func enteredAt(tl *timeline, f *legFacts) time.Time {
	if f.transferIn != nil {
		return f.transferIn.At
	}
	if f.seq == 1 {
		switch {
		case !tl.enteredOmni.IsZero():
			return tl.enteredOmni
		case f.queuedAt != nil:
			return *f.queuedAt
		case !tl.createdAt.IsZero():
			return tl.createdAt
		}
	}
	switch {
	case f.queuedAt != nil:
		return *f.queuedAt
	case f.deliveredAt != nil:
		return *f.deliveredAt
	}
	return f.finAt
}

// buildRow derives the LegRow of a finished leg.
func buildRow(tl *timeline, f *legFacts, protocol string, dir Directory, cfg Config) *model.LegRow {
	loc := cfg.Location()
	media := tl.media
	voice := media == model.MediaVoice
	r := &model.LegRow{
		LegID:         f.id,
		InteractionID: tl.id,
		Protocol:      protocol,
		Media:         media,
		Seq:           f.seq,
		ServiceID:     f.serviceID,
		AgentID:       f.agentID,
		Status:        f.status,
		ExtProtocol:   f.extProtocol,
		Tags:          append([]string(nil), f.tags...),
		QueuedAt:      f.queuedAt,
		DeliveredAt:   f.deliveredAt,
	}
	r.EnteredAt = enteredAt(tl, f)
	r.LocalDate = FormatDate(r.EnteredAt, loc)
	r.LocalTime = FormatTime(r.EnteredAt, loc)
	r.Bucket = HourBucket(r.EnteredAt, loc)
	if voice {
		r.Direction = tl.direction
		r.VoiceStatus = f.call.voiceStatus
		r.RecordingURL = f.call.recordingURL
	}

	// Contact. Decision: CONTATO is the contact of the leg's tabulation
	// (leg.finished contact_id), else the interaction's contact_id.
	r.ContactID = f.contactID
	if r.ContactID == "" {
		r.ContactID = tl.contactID
	}
	contact, hasContact := model.Contact{}, false
	if r.ContactID != "" {
		contact, hasContact = dir.Contact(r.ContactID)
	}
	r.Portfolio = hasContact && contact.Portfolio != nil && *contact.Portfolio
	r.ExternalID = contact.ExternalID
	r.Phones = phonesOf(tl.from, tl.to, contact.Phones)
	for _, m := range contact.Emails {
		if m = strings.ToLower(strings.TrimSpace(m)); m != "" {
			r.Emails = append(r.Emails, m)
		}
	}
	document := f.document
	if document == "" {
		document = contact.Document
	}

	// DATA ATENDIDA and DATA FINALIZADA.
	answered := f.deliveredAt
	finalized := f.finAt
	if voice {
		if f.call.answeredAt != nil {
			answered = f.call.answeredAt
		}
		if h := f.call.firstHangup(); h != nil {
			finalized = *h
		}
	}
	r.AnsweredAt = answered
	r.FinishedAt = finalized
	if answered != nil {
		r.Duration = f64(secondsBetween(*answered, finalized))
	}

	// TMP / TMI: chat and WhatsApp, once delivered.
	if model.IsHoldMedia(media) && f.deliveredAt != nil {
		tmi := holdSeconds(f.holdItems, *f.deliveredAt, f.finAt)
		r.TMI = f64(tmi)
		tmp := secondsBetween(*f.deliveredAt, f.finAt) - tmi
		if tmp < 0 {
			tmp = 0
		}
		r.TMP = f64(tmp)
	}

	// TM1R / TMR / DATA PRIMEIRA MENSAGEM.
	var firstAgent *model.Event
	if f.deliveredAt != nil {
		firstAgent = firstAgentMessage(f.msgs, *f.deliveredAt)
	} else {
		firstAgent = firstAgentMessage(f.msgs, time.Time{})
	}
	if !voice && f.deliveredAt != nil {
		if firstAgent != nil {
			r.TM1R = f64(secondsBetween(*f.deliveredAt, firstAgent.At))
		}
		if rs := replyTimes(f.msgs, *f.deliveredAt); len(rs) > 0 {
			sum := 0.0
			for _, v := range rs {
				sum += v
			}
			r.TMR = f64(sum / float64(len(rs)))
		}
	}

	// STATUS DE EXPIRAÇÃO.
	if w := cfg.Window(media); w > 0 {
		r.Expired = expired(tl.clientMsgs, f.finAt, w)
	}

	c := map[string]string{
		"DATA":      r.LocalDate,
		"HORA":      r.LocalTime,
		"PROTOCOLO": protocol,
		// A queue or agent the directory does not name shows its id, as
		// the Agentes report does (issue 16): a PBX's queue "suporte" or
		// member "PJSIP/1001" is better than a blank cell.
		"SERVIÇO":                    orDefault(dir.ServiceName(f.serviceID), f.serviceID),
		"AGENTE":                     orDefault(dir.UserName(f.agentID), f.agentID),
		"ORIGEM":                     orDefault(tl.origin, "Portal"),
		"CONTATO":                    contact.Name,
		"A PARTIR DE":                tl.from,
		"DURAÇÃO":                    formatSeconds(r.Duration),
		"TMP":                        formatSeconds(r.TMP),
		"TMI":                        formatSeconds(r.TMI),
		"TM1R":                       formatSeconds(r.TM1R),
		"TMR":                        formatSeconds(r.TMR),
		"STATUS":                     f.status,
		"PORTFOLIO":                  simNao(r.Portfolio),
		"ID EXTERNO":                 contact.ExternalID,
		"COMENTÁRIOS INTERNOS":       f.comments,
		"DOCUMENTO":                  documentCell(document),
		"DATA ATENDIDA":              ptrDateTime(answered, loc),
		"DATA FINALIZADA":            FormatDateTime(finalized, loc),
		"ÚLTIMA RESPOSTA":            lastResponder(f.msgs),
		"PROTOCOLO EXTERNO":          f.extProtocol,
		"DATA HORA ENTREGUE EM FILA": ptrDateTime(f.queuedAt, loc),
	}
	if !hasContact {
		c["CONTATO"] = ""
	}
	if voice {
		// A call's "first message" is its first "Alô" (SPEC.md §3): the
		// moment the conversation started, the answer time (else delivery,
		// as DATA ATENDIDA).
		c["DATA PRIMEIRA MENSAGEM"] = ptrDateTime(answered, loc)
	} else if firstAgent != nil {
		c["DATA PRIMEIRA MENSAGEM"] = FormatDateTime(firstAgent.At, loc)
	}
	if r.Expired != nil {
		c["STATUS DE EXPIRAÇÃO"] = map[bool]string{true: "Expirado", false: "Ativo"}[*r.Expired]
	}
	if voice {
		c["TIPO"] = tl.direction
		c["PARA"] = tl.to
		c["JITTER"] = classOf(f.call.jitter, JitterClass)
		c["PERDA DE PACOTE"] = classOf(f.call.loss, PacketLossClass)
		quality := CallQuality(f.call.jitter, f.call.loss)
		c["QUALIDADE DE CHAMADA"] = quality
		r.CallQuality = QualityValue(quality)
		c["SERVIDOR DE VOZ"] = f.call.voiceServer
		c["NÚMERO DISCADO"] = f.call.dialedNumber
		c["NOME DO CANAL EXTERNO"] = f.call.externalChannel
		c["NOME DO CANAL INTERNO"] = f.call.internalChannel
		c["DATA FINALIZAÇÃO CLIENTE"] = ptrDayFirst(f.call.clientHangupAt, loc)
		c["DATA FINALIZAÇÃO AGENTE"] = ptrDayFirst(f.call.agentHangupAt, loc)
		c["MOS ESTIMADO"] = FormatMOS(EstimatedMOS(f.call.rtt, f.call.jitter, f.call.loss))
	}
	switch media {
	case model.MediaWhatsApp:
		c["ORIGEM DA CONVERSA"] = conversationOrigin(tl)
	case model.MediaChat:
		if f.queuedAt != nil {
			c["DATA DE ENTRADA EM FILA"] = FormatDate(*f.queuedAt, loc)
			c["HORA DE ENTRADA EM FILA"] = FormatTime(*f.queuedAt, loc)
		}
		c["HORA ENTREGUE AO AGENTE"] = ptrDateTime(f.deliveredAt, loc)
		c["HORA MENSAGEM INICIAL"] = c["DATA PRIMEIRA MENSAGEM"]
	}
	cols := model.ColumnsFor(media)
	r.Cells = make([]string, len(cols))
	for i, h := range cols {
		r.Cells[i] = c[h]
	}
	return r
}

// expired says whether, at finalization, the client's last message of the
// interaction is older than the window. Decision: with no client message
// up to finalization the conversation window was never opened by the
// client (as WhatsApp's 24 h customer-service window), so it is Expirado.
func expired(clientMsgs []time.Time, fin time.Time, window time.Duration) *bool {
	var last *time.Time
	for i := range clientMsgs {
		if !clientMsgs[i].After(fin) {
			last = &clientMsgs[i]
		}
	}
	v := last == nil || fin.Sub(*last) > window
	return &v
}

// conversationOrigin is ORIGEM DA CONVERSA (WhatsApp). Decision: from
// started_by; without it, outbound → Empresa and inbound → Cliente; without
// either, who sent the first message (client → Cliente, agent/bot → Empresa).
func conversationOrigin(tl *timeline) string {
	switch strings.ToLower(tl.startedBy) {
	case "cliente", "client":
		return "Cliente"
	case "empresa", "company":
		return "Empresa"
	}
	switch tl.direction {
	case "outbound":
		return "Empresa"
	case "inbound":
		return "Cliente"
	}
	switch tl.firstMsgSender {
	case "client":
		return "Cliente"
	case "agent", "bot":
		return "Empresa"
	}
	return ""
}

// phonesOf lists the digits of the leg's numbers and the contact's phones,
// without duplicates.
func phonesOf(from, to string, contact []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range append([]string{from, to}, contact...) {
		if d := DigitsOnly(p); d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func simNao(b bool) string {
	if b {
		return "Sim"
	}
	return "Não"
}
