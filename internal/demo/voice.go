package demo

import (
	"hash/fnv"
	"math"
	"strconv"
	"time"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/recordings"
)

func tp(t time.Time) *time.Time { return &t }

func fp(f float64) *float64 { return &f }

func (g *gen) channel(prefix string) string {
	g.nChan++
	h := strconv.FormatUint(uint64(g.nChan)*2654435761%0xFFFFFFFF, 16)
	for len(h) < 8 {
		h = "0" + h
	}
	return prefix + "-" + h
}

// quality draws RTCP jitter and packet loss spread over the three classes
// (Alta: jitter < 70 ms, loss ≤ 1 %; Média: 70–150.999 ms, 1–5 %; Baixa:
// ≥ 151 ms, > 5 %), with now and then a value right on a boundary.
func (g *gen) quality(e *model.Event) {
	var j float64
	switch p := g.r.Float64(); {
	case p < 0.01:
		j = 70
	case p < 0.02:
		j = 151
	case p < 0.63:
		j = 2 + g.r.Float64()*67.9
	case p < 0.87:
		j = 70 + g.r.Float64()*80.9
	default:
		j = 151 + g.r.Float64()*250
	}
	var l float64
	switch p := g.r.Float64(); {
	case p < 0.01:
		l = 1
	case p < 0.02:
		l = 5
	case p < 0.72:
		l = g.r.Float64()
	case p < 0.9:
		l = 1.01 + g.r.Float64()*3.99
	default:
		l = 5.01 + g.r.Float64()*15
	}
	e.JitterMs = fp(math.Round(j*10) / 10)
	e.PacketLossPct = fp(math.Round(l*100) / 100)
	if g.chance(0.7) {
		e.RttMs = fp(math.Round((20+g.r.Float64()*180)*10) / 10)
	}
}

// talkRecording is the recording_url of the current leg's conversation:
// synthesised on request (recordings.Synth), as long as its talk time
// (answer to hang-up), deterministic from the demo seed and the leg.
func (g *gen) talkRecording(x *ix, talk time.Duration) string {
	// The draw of the time the demo pointed to one of ten stored files:
	// kept, so that every later event of the demo stays the same.
	n := uint64(g.r.IntN(10))
	return recordings.DemoRecording{
		Kind:    recordings.SynthTalk,
		Seconds: min(max(1, int(math.Round(talk.Seconds()))), recordings.MaxSynthSeconds),
		Seed:    g.recordingSeed(x, n),
	}.Ref()
}

// messageRecording is the recording_url of a message left ("recado"): a
// short synthesised one, 8–30 s.
func (g *gen) messageRecording(x *ix) string {
	n := uint64(g.r.IntN(2)) // kept draw, as in talkRecording
	seed := g.recordingSeed(x, n)
	return recordings.DemoRecording{Kind: recordings.SynthMessage, Seconds: 8 + int(seed%23), Seed: seed}.Ref()
}

// recordingSeed: one seed per leg of the demo (and per demo seed).
func (g *gen) recordingSeed(x *ix, n uint64) uint64 {
	h := fnv.New64a()
	h.Write([]byte(x.leg))
	// Kept within 2^53 so that JSON readers that use doubles keep it whole.
	return mix(uint64(g.seed), 0x5EC0, h.Sum64(), n) >> 11
}

// voice generates a phone call: inbound through an IVR (mostly) or direct,
// or outbound dialed by an agent.
func (g *gen) voice(x *ix, t time.Time) {
	server := voiceServers[g.r.IntN(len(voiceServers))]
	trunk := "PJSIP/trunk-" + trunks[g.r.IntN(len(trunks))]
	phone := x.c.e164
	if phone == "" {
		phone = "55" + ddds[g.r.IntN(len(ddds))] + "9" + pad(g.r.IntN(100000000), 8)
	}
	ce := g.created(x, t)
	if g.chance(0.68) {
		g.voiceInbound(x, t, ce, server, trunk, phone)
	} else {
		g.voiceOutbound(x, t, ce, server, trunk, phone)
	}
}

func (g *gen) voiceInbound(x *ix, t time.Time, ce model.Event, server, trunk, phone string) {
	ce.Direction = "inbound"
	ce.From = phone
	var svc int
	cu := model.Event{Type: model.TypeCallUpdated, VoiceServer: server, ExternalChannel: g.channel(trunk)}
	if g.chance(0.86) {
		iv := &ivrs[weighted3(g.r.Float64(), 0.6, 0.25)]
		ce.To = iv.did
		g.add(x, ce)
		cu.At = t.Add(300 * time.Millisecond)
		cu.DialedNumber = iv.did
		g.add(x, cu)
		t = t.Add(time.Second)
		g.add(x, model.Event{Type: model.TypeIVREntered, At: t, IVRID: iv.id})
		menu := iv.menu
		leaf := 0
		abandon := g.chance(0.09)
		depth := 0
		for {
			o := menu[g.r.IntN(len(menu))]
			t = t.Add(g.between(5*time.Second, 25*time.Second))
			if abandon && depth > 0 && g.chance(0.5) {
				break
			}
			g.add(x, model.Event{Type: model.TypeIVROption, At: t, IVRID: iv.id, Option: o.key})
			depth++
			leaf = o.svc
			if o.next == nil || depth >= 3 || g.chance(0.2) {
				break
			}
			menu = o.next
		}
		t = t.Add(g.between(time.Second, 8*time.Second))
		switch {
		case abandon:
			g.add(x, model.Event{Type: model.TypeIVRLeft, At: t, IVRID: iv.id, Outcome: "abandoned"})
			g.add(x, model.Event{Type: model.TypeCallUpdated, At: t, ClientHangupAt: tp(t), VoiceStatus: "abandoned"})
			return
		case leaf < 0: // self-service: finished in the IVR
			t = t.Add(g.between(20*time.Second, 90*time.Second))
			g.add(x, model.Event{Type: model.TypeIVRLeft, At: t, IVRID: iv.id, Outcome: "finished"})
			g.add(x, model.Event{Type: model.TypeCallUpdated, At: t.Add(500 * time.Millisecond), ClientHangupAt: tp(t.Add(500 * time.Millisecond))})
			return
		}
		svc = leaf
		g.add(x, model.Event{Type: model.TypeIVRLeft, At: t, IVRID: iv.id, Outcome: "transferred", ServiceID: services[svc].id})
	} else {
		svc = g.pickService("voice-direct")
		if g.chance(0.5) {
			ce.To = "10" + pad(svc+1, 2) // a queue extension, called from a branch
			ce.From = strconv.Itoa(2001 + g.r.IntN(80))
			cu.ExternalChannel = g.channel("PJSIP/" + ce.From)
		} else {
			ce.To = "55113003" + pad(9100+svc, 4)
		}
		cu.DialedNumber = ce.To
		g.add(x, ce)
		cu.At = t.Add(300 * time.Millisecond)
		g.add(x, cu)
	}
	t = t.Add(time.Duration(300+g.r.IntN(700)) * time.Millisecond)
	g.add(x, model.Event{Type: model.TypeEnteredOmni, At: t})
	g.openLeg(x, t, svc)

	// A queue staffed for its load (staffPlan): few callers give up.
	switch p := g.r.Float64(); {
	case p < 0.045:
		t = t.Add(g.logn(70*time.Second, 0.9, 4*time.Second, 20*time.Minute))
		g.add(x, model.Event{Type: model.TypeCallUpdated, At: t, Leg: x.leg, ClientHangupAt: tp(t), VoiceStatus: "abandoned"})
		g.finish(x, t.Add(time.Second), "abandoned")
		return
	case p < 0.065:
		t = t.Add(g.between(60*time.Second, 180*time.Second))
		g.add(x, model.Event{Type: model.TypeCallUpdated, At: t, Leg: x.leg, ClientHangupAt: tp(t), VoiceStatus: "no_answer"})
		g.finish(x, t.Add(time.Second), "dequeued")
		return
	case p < 0.08:
		t = t.Add(g.between(60*time.Second, 240*time.Second))
		t = t.Add(g.between(15*time.Second, 60*time.Second)) // the caller leaves a message
		e := model.Event{Type: model.TypeCallUpdated, At: t, Leg: x.leg, ClientHangupAt: tp(t), VoiceStatus: "message_left", RecordingURL: g.messageRecording(x)}
		g.quality(&e)
		g.add(x, e)
		g.finish(x, t.Add(time.Second), "dequeued")
		return
	}
	t = t.Add(g.queueWait())
	g.talk(x, t, g.pickAgent(svc, x.media, t), false)
}

// talk: the current leg is delivered at t to agent ai, rings, is answered,
// maybe transferred, and hung up.
func (g *gen) talk(x *ix, t time.Time, ai int, outboundAnswered bool) {
	for {
		if !x.delived {
			g.deliver(x, t, ai)
		}
		ans := t.Add(g.between(2*time.Second, 15*time.Second))
		if outboundAnswered {
			ans = t // already answered by the callee when we get here
		}
		g.add(x, model.Event{Type: model.TypeCallUpdated, At: ans, Leg: x.leg, AnsweredAt: tp(ans), VoiceStatus: "answered",
			InternalChannel: g.channel("PJSIP/" + g.agents[ai].ext)})
		t = ans.Add(g.logn(4*time.Minute, 0.8, 15*time.Second, 50*time.Minute))
		if x.nLeg < 3 && g.chance(0.11) {
			e := model.Event{Type: model.TypeCallUpdated, At: t, Leg: x.leg, AgentHangupAt: tp(t), RecordingURL: g.talkRecording(x, t.Sub(ans))}
			g.quality(&e)
			g.add(x, e)
			toAgent := g.transfer(x, t)
			t = t.Add(g.logn(30*time.Second, 0.8, 3*time.Second, 10*time.Minute))
			if toAgent < 0 {
				toAgent = g.pickAgent(x.svc, x.media, t)
			}
			ai = toAgent
			outboundAnswered = false
			continue
		}
		e := model.Event{Type: model.TypeCallUpdated, At: t, Leg: x.leg, RecordingURL: g.talkRecording(x, t.Sub(ans))}
		first := t
		second := t.Add(time.Duration(g.r.IntN(2500)) * time.Millisecond)
		if g.chance(0.58) {
			e.ClientHangupAt = tp(first)
			if g.chance(0.3) {
				e.AgentHangupAt = tp(second)
			}
		} else {
			e.AgentHangupAt = tp(first)
			if g.chance(0.3) {
				e.ClientHangupAt = tp(second)
			}
		}
		g.quality(&e)
		g.add(x, e)
		g.finish(x, t.Add(g.logn(25*time.Second, 0.8, 3*time.Second, 6*time.Minute)), "service completed")
		return
	}
}

func (g *gen) voiceOutbound(x *ix, t time.Time, ce model.Event, server, trunk, phone string) {
	svc := g.pickService("voice-out")
	ai := g.pickAgent(svc, x.media, t)
	ce.Direction = "outbound"
	ce.From = g.agents[ai].ext
	ce.To = phone
	g.add(x, ce)
	g.add(x, model.Event{Type: model.TypeEnteredOmni, At: t})
	t = t.Add(50 * time.Millisecond)
	g.openLeg(x, t, svc)
	t = t.Add(150 * time.Millisecond)
	g.deliver(x, t, ai)
	dial := phone
	if g.chance(0.4) {
		dial = "PJSIP/7010" + "0" + strconv.Itoa(12+g.r.IntN(30)) + phone[2:] + "1234567@voip_endpoint_" + strconv.Itoa(100+g.r.IntN(900)) + "." + strconv.Itoa(100+g.r.IntN(900))
	}
	t = t.Add(time.Duration(200+g.r.IntN(800)) * time.Millisecond)
	g.add(x, model.Event{Type: model.TypeCallUpdated, At: t, Leg: x.leg, DialedNumber: dial, VoiceServer: server,
		ExternalChannel: g.channel(trunk), InternalChannel: g.channel("PJSIP/" + g.agents[ai].ext)})

	hang := func(status, legStatus string, ring time.Duration, rec bool) {
		t = t.Add(ring)
		e := model.Event{Type: model.TypeCallUpdated, At: t, Leg: x.leg, AgentHangupAt: tp(t), VoiceStatus: status}
		if rec {
			e.RecordingURL = g.messageRecording(x)
			g.quality(&e)
		}
		g.add(x, e)
		g.finish(x, t.Add(g.between(3*time.Second, 40*time.Second)), legStatus)
	}
	switch p := g.r.Float64(); {
	case p < 0.62:
		t = t.Add(g.between(4*time.Second, 30*time.Second))
		g.talk(x, t, ai, true)
	case p < 0.76:
		hang("no_answer", "service completed", g.between(30*time.Second, 45*time.Second), false)
	case p < 0.85:
		hang("voicemail", "service completed", g.between(15*time.Second, 30*time.Second), false)
	case p < 0.89:
		hang("message_left", "service completed", g.between(35*time.Second, 70*time.Second), true)
	case p < 0.95:
		hang("not_connected", "bad phone", g.between(time.Second, 6*time.Second), false)
	default:
		hang("out_of_service", "bad number", g.between(3*time.Second, 10*time.Second), false)
	}
}

func weighted3(x, a, b float64) int {
	switch {
	case x < a:
		return 0
	case x < a+b:
		return 1
	}
	return 2
}
