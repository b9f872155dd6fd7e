package asterisk

import (
	"strings"

	"github.com/rastro/rastro/internal/model"
)

// CallOptions are the call-level choices the CDR and CEL translators share,
// so that both describe one call the same way (one call, one truth). The
// zero value is ready to use.
type CallOptions struct {
	// QueueLegs makes the CDR and CEL translators build legs for calls that
	// went through Queue() too. By default such a call is the queue_log's:
	// it alone makes the legs (queued, delivered, transfers, finished) and
	// the CDR and CEL only add call.updated facts, so the call appears once
	// whatever the order the files are read. Set it only when no queue_log
	// is read.
	QueueLegs bool
	// InboundContexts, when not empty, decides the direction: a call whose
	// first dialplan context is one of them is inbound, any other is
	// outbound. Empty: the number rule (an extension of 2 to 6 digits
	// calling 8 or more digits is outbound, the rest inbound).
	InboundContexts []string
	// VoiceServer fills SERVIDOR DE VOZ (no Asterisk file carries it) where
	// no voice_server column does.
	VoiceServer string
	// Agents maps a phone extension to the agent (user id) that owns it
	// (user.upserted's extension), for calls that never touch a queue: the
	// device PJSIP/1001 is the agent whose extension is 1001. A device of
	// no known extension is the agent id as is (the queue_log member name).
	Agents map[string]string
}

func (o CallOptions) outbound(context, src, dst string) bool {
	if len(o.InboundContexts) > 0 {
		for _, c := range o.InboundContexts {
			if strings.EqualFold(c, context) {
				return false
			}
		}
		return true
	}
	return isOutbound(src, dst)
}

func (o CallOptions) voiceServer(column string) string {
	if column != "" {
		return column
	}
	return o.VoiceServer
}

// agent is the agent of a device: the user whose extension it dials
// ("PJSIP/1001" and "SIP/1001" → extension "1001"; "Local/1001@ctx" →
// "1001"), else the device itself.
func (o CallOptions) agent(dev string) string {
	if dev == "" || len(o.Agents) == 0 {
		return dev
	}
	ext := dev
	if i := strings.IndexByte(ext, '/'); i >= 0 {
		ext = ext[i+1:]
	}
	if i := strings.IndexByte(ext, '@'); i >= 0 {
		ext = ext[:i]
	}
	if id, ok := o.Agents[ext]; ok {
		return id
	}
	return dev
}

// bridgeLegID is the leg an attended transfer opened by merging the
// caller into bridge (its uniqueid): the queue_log's ATTENDEDTRANSFER|BRIDGE
// names it and the CEL's BRIDGE_ENTER extras too, so both files describe
// the one leg in any read order.
func bridgeLegID(ix, bridge string) string {
	return "ast:" + cut(ix, 48) + ":bridge:" + cut(bridge, 64)
}

// hasCallFact says whether a call.updated carries anything (EVENTS.md
// requires at least one field).
func hasCallFact(ev *model.Event) bool {
	return ev.DialedNumber != "" || ev.VoiceServer != "" || ev.ExternalChannel != "" || ev.InternalChannel != "" ||
		ev.AnsweredAt != nil || ev.ClientHangupAt != nil || ev.AgentHangupAt != nil || ev.VoiceStatus != "" ||
		ev.JitterMs != nil || ev.PacketLossPct != nil || ev.RttMs != nil || ev.RecordingURL != ""
}
