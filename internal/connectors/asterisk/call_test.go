package asterisk

import (
	"reflect"
	"testing"

	"github.com/rastro/rastro/internal/model"
)

// An outbound call that never touches a queue gets its agent from the
// directory user whose extension placed it; --voice-server names the PBX.
func TestOutboundCallGetsItsAgentFromTheExtensionsOwner(t *testing.T) {
	row := `"","1002","11999998888","from-internal","""Ramal 1002"" <1002>","PJSIP/1002-0000000a","PJSIP/trunk-0000000b","Dial","PJSIP/11999998888@trunk,60","2026-10-05 12:00:00","2026-10-05 12:00:04","2026-10-05 12:01:05",65,61,"ANSWERED","DOCUMENTATION","1759676400.10","","","1759676400.10",12` + "\n"
	gs, err := translateCDR(t, row, CDROptions{Call: CallOptions{Agents: map[string]string{"1002": "ana"}, VoiceServer: "pbx-1"}})
	if err != nil {
		t.Fatal(err)
	}
	var agent, server, dir string
	for _, g := range gs {
		switch g.ev.Type {
		case model.TypeLegDelivered:
			agent = g.ev.AgentID
		case model.TypeCallUpdated:
			server = g.ev.VoiceServer
		case model.TypeInteractionCreated:
			dir = g.ev.Direction
		}
	}
	if agent != "ana" || server != "pbx-1" || dir != "outbound" {
		t.Errorf("agent %q, voice server %q, direction %q", agent, server, dir)
	}
	// Without a directory entry the device is the agent.
	gs, _ = translateCDR(t, row, CDROptions{})
	for _, g := range gs {
		if g.ev.Type == model.TypeLegDelivered && g.ev.AgentID != "PJSIP/1002" {
			t.Errorf("agent %q", g.ev.AgentID)
		}
	}
}

// --inbound-contexts tells the direction where the numbers cannot: a
// 4-digit "external" number dialled from context from-internal.
func TestInboundContextsDecideTheDirection(t *testing.T) {
	o := CallOptions{InboundContexts: []string{"from-external", "from-did"}}
	for _, c := range []struct {
		ctx, src, dst string
		out           bool
	}{
		{"from-external", "1002", "11999998888", false},
		{"from-internal", "1002", "0800", true},
		{"FROM-DID", "11987654321", "1001", false},
	} {
		if got := o.outbound(c.ctx, c.src, c.dst); got != c.out {
			t.Errorf("%+v: outbound %v", c, got)
		}
	}
	if (CallOptions{}).outbound("from-internal", "1002", "0800") {
		t.Error("without contexts, 1002 → 0800 is no outbound call by the number rule")
	}
}

// A queue call's CDR makes no legs: interaction.created and, per bridged
// row, call.updated without leg carrying channels and quality; the member
// that only rang and the IVR row add nothing.
func TestCDROfAQueueCallOnlyAddsCallFacts(t *testing.T) {
	in := `"","11987654321","s","ivr-main","""Maria"" <11987654321>","PJSIP/trunk-00000001","","BackGround","menu","2026-10-05 10:00:00","2026-10-05 10:00:00","2026-10-05 10:00:20",20,20,"ANSWERED","DOCUMENTATION","1791205200.7","","","1791205200.7",1
"","11987654321","551130001000","from-external","""Maria"" <11987654321>","PJSIP/trunk-00000001","PJSIP/1001-00000002","Queue","suporte,t","2026-10-05 10:00:20","2026-10-05 10:00:30","2026-10-05 10:02:00",100,90,"ANSWERED","DOCUMENTATION","1791205200.7","lp=0;rxjitter=0.01;rxcount=100;txjitter=0.02;txcount=100;rlp=0;rtt=0.03","","1791205200.7",2
"","11987654321","551130001000","from-external","""Maria"" <11987654321>","PJSIP/trunk-00000001","PJSIP/1002-00000003","Queue","suporte,t","2026-10-05 10:00:20","","2026-10-05 10:00:30",10,0,"NO ANSWER","DOCUMENTATION","1791205200.7","","","1791205200.7",3
`
	gs, err := translateCDR(t, in, CDROptions{})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, g := range gs {
		types = append(types, g.ev.Type)
		if g.ev.Leg != "" {
			t.Errorf("a leg from the CDR of a queue call: %s", js(g.ev))
		}
	}
	if !reflect.DeepEqual(types, []string{model.TypeInteractionCreated, model.TypeCallUpdated}) {
		t.Fatalf("types %v", types)
	}
	cu := gs[1].ev
	if cu.InternalChannel != "PJSIP/1001-00000002" || cu.ExternalChannel != "PJSIP/trunk-00000001" || cu.JitterMs == nil || *cu.JitterMs != 20 ||
		cu.VoiceStatus != "" || cu.AnsweredAt != nil || cu.ClientHangupAt != nil || cu.DialedNumber != "" {
		t.Errorf("call.updated %s", js(cu))
	}
	if gs[0].ev.At.Format("15:04:05") != "10:00:00" {
		t.Errorf("created at the earliest start: %s", js(gs[0].ev))
	}
}
