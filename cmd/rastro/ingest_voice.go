package main

import (
	"context"
	"flag"
	"strings"

	"github.com/rastro/rastro/internal/connectors/asterisk"
	"github.com/rastro/rastro/internal/store"
)

// voiceFlags are the call-level options of the Asterisk formats.
type voiceFlags struct {
	inboundContexts *string
	voiceServer     *string
	queueLegs       *bool
}

func addVoiceFlags(fs *flag.FlagSet) voiceFlags {
	return voiceFlags{
		inboundContexts: fs.String("inbound-contexts", "", "asterisk-cdr/cel: dialplan contexts of inbound calls, comma-separated (a call starting in any other context is outbound); default: an extension of 2-6 digits calling 8+ digits is outbound"),
		voiceServer:     fs.String("voice-server", "", "asterisk formats: SERVIDOR DE VOZ of every call read (no Asterisk file names its PBX)"),
		queueLegs:       fs.Bool("cdr-queue-legs", false, "asterisk-cdr/cel: also make legs for calls through Queue() (only when no queue_log is read: by default the queue_log alone makes a queue call's legs)"),
	}
}

// set fills tr's call options; the agents of extensions come from the
// tenant's directory (user.upserted's extension) as it is now.
func (v voiceFlags) set(ctx context.Context, db *store.DB, tenant string, tr *translation) error {
	tr.call = asterisk.CallOptions{QueueLegs: *v.queueLegs, VoiceServer: strings.TrimSpace(*v.voiceServer)}
	for _, c := range strings.Split(*v.inboundContexts, ",") {
		if c = strings.TrimSpace(c); c != "" {
			tr.call.InboundContexts = append(tr.call.InboundContexts, c)
		}
	}
	if tr.format == "ndjson" {
		return nil
	}
	agents, err := db.Extensions(ctx, tenant)
	if err != nil {
		return err
	}
	tr.call.Agents = agents
	return nil
}
