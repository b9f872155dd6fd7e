package asterisk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// Column layouts of cel_custom CSV files, as CEL field names in order ("-"
// is a column rastro does not read, such as the sample's literal).
var (
	// CELColumnsLegacy is the Master.csv legacy mapping of the
	// cel_custom.conf.sample Asterisk ships (21 columns).
	CELColumnsLegacy = []string{"eventtype", "-", "eventtime", "cidname", "cidnum", "cidani", "cidrdnis",
		"ciddnid", "exten", "context", "channame", "appname", "appdata", "amaflags", "accountcode",
		"uniqueid", "linkedid", "peer", "userfield", "userdeftype", "extra"}
	// CELColumnsAdvanced is the sample's advanced mapping (fields =
	// EventType,EventEnum,"My Literal",EventTime,…,Extra,TenantID: 24
	// columns; 23 before TenantID existed).
	CELColumnsAdvanced = []string{"eventtype", "eventenum", "-", "eventtime", "usereventname", "cidname",
		"cidnum", "exten", "context", "channame", "appname", "appdata", "amaflags", "accountcode",
		"uniqueid", "userfield", "cidani", "cidrdnis", "ciddnid", "peer", "linkedid", "peeracct", "extra", "tenantid"}
)

// CELOptions tune the CEL translation. The zero value is ready to use.
type CELOptions struct {
	// Location is the zone of textual event times (cel.conf dateformat);
	// epoch times ("1791205200.123456", the default) are UTC. nil is UTC.
	Location *time.Location
	// Columns names the CEL field of each column ("-" skips one), for
	// custom cel_custom.conf mappings; nil recognises the layout by its
	// width (21: the sample's legacy mapping; 23/24: its advanced one).
	Columns []string
	// Call holds the choices shared with the CDR translator.
	Call CallOptions
}

// celRow is one CEL line, decoded.
type celRow struct {
	line  int
	f     map[string]string
	at    time.Time
	event string
	extra map[string]any
	hash  string
}

func (r *celRow) get(n string) string { return r.f[n] }

func (r *celRow) extraString(k string) string {
	if v, ok := r.extra[k].(string); ok && v != "N/A" {
		return v
	}
	return ""
}

// celRank orders the events of one instant the way they happen.
var celRank = map[string]int{
	"CHAN_START": 0, "ANSWER": 1, "APP_START": 2, "BRIDGE_ENTER": 3, "BRIDGE_START": 3, "BLINDTRANSFER": 4, "ATTENDEDTRANSFER": 4,
	"BRIDGE_EXIT": 5, "BRIDGE_END": 5, "APP_END": 6, "HANGUP": 7, "CHAN_END": 8, "LINKEDID_END": 9,
}

// hangupExtra is a HANGUP's hang-up source and dial status. Asterisk 12+
// packs them as JSON ({"hangupcause":16,"hangupsource":"…","dialstatus":"…"},
// main/cel.c); 1.8 to 11 write the same three as "cause,source,dialstatus"
// (ast_hangup in main/channel.c: "%d,%s,%s"). A channel name has no comma,
// and a dial status neither.
func (r *celRow) hangupExtra() (source, dialStatus string) {
	if r.extra != nil {
		return r.extraString("hangupsource"), r.extraString("dialstatus")
	}
	parts := strings.Split(r.get("extra"), ",")
	if len(parts) != 3 {
		return "", ""
	}
	return strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])
}

// TranslateCEL reads a cel_custom CSV file and calls emit with each rastro
// event it implies. Rows are grouped into calls by linkedid and read in
// time order (Asterisk orders them only per channel, and dumps may come
// newest first). Per call: one voice interaction (id = linkedid, the
// queue_log's call id); per channel other than the caller's one leg
// ("ast:<linkedid>:<channel>", the CDR's leg of the same dstchannel), with
// its answer, the hang-up times split by the hang-up source (DATA
// FINALIZAÇÃO CLIENTE / AGENTE) and the dial status; a BLINDTRANSFER or
// ATTENDEDTRANSFER ends the transferer's leg as transferred into the next
// channel the call reaches. A call through Queue() is the queue_log's
// (CallOptions.QueueLegs): the CEL adds only call.updated facts, and the
// leg an attended transfer by bridge merge opened, which the queue_log
// names by the bridge and tells nothing more of (emitMergedLeg).
// Malformed lines are returned as Problems once the input is read.
func TranslateCEL(r io.Reader, opt CELOptions, emit func(line int, ev model.Event) error) error {
	emit = fitting(emit)
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	var problems Problems
	problem := func(line int, reason string) {
		problems = append(problems, ParseError{Line: line, Reason: reason})
	}
	type group struct {
		rows        []*celRow
		first, last int
	}
	groups := map[string]*group{}
	count := 0
	flush := func(all bool) error {
		var done []string
		for k, g := range groups {
			if all || count-g.last >= cdrFlushAfter {
				done = append(done, k)
			}
		}
		sort.Slice(done, func(i, j int) bool { return groups[done[i]].first < groups[done[j]].first })
		for _, k := range done {
			g := groups[k]
			delete(groups, k)
			if err := emitCELCall(k, g.rows, opt.Call, emit); err != nil {
				return err
			}
		}
		return nil
	}
	err := eachCSVRecord(r, "asterisk cel", problem, func(line int, rec []string) error {
		row, reason := parseCELRow(line, rec, opt)
		if reason != "" {
			problem(line, reason)
			return nil
		}
		count++
		key := row.get("linkedid")
		g := groups[key]
		if g == nil {
			g = &group{first: line}
			groups[key] = g
		}
		g.rows, g.last = append(g.rows, row), count
		if count%4096 == 0 {
			if err := flush(false); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(true); err != nil {
		return err
	}
	if len(problems) > 0 {
		return problems
	}
	return nil
}

// ParseCELColumns reads a --cel-columns list: CEL field names (those of
// CELColumnsLegacy and CELColumnsAdvanced, as cel_custom.conf's
// ${eventtype}, ${CHANNEL(channame)}, … name them) separated by commas, "-"
// for a column rastro does not read (a literal, an unknown variable).
func ParseCELColumns(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	known := map[string]bool{"-": true}
	for _, c := range append(append([]string(nil), CELColumnsLegacy...), CELColumnsAdvanced...) {
		known[c] = true
	}
	cols := strings.Split(s, ",")
	seen := map[string]bool{}
	for i, c := range cols {
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "" {
			return nil, fmt.Errorf("column %d has no name (use - to skip a column)", i+1)
		}
		if !known[c] {
			return nil, fmt.Errorf("column %d: unknown CEL field %q (use - for a column rastro does not read)", i+1, c)
		}
		if c != "-" && seen[c] {
			return nil, fmt.Errorf("column %q named twice", c)
		}
		seen[c] = true
		cols[i] = c
	}
	// A row without these is refused anyway: say so once, up front.
	for _, need := range []string{"eventtype", "eventtime", "uniqueid", "linkedid", "channame"} {
		if !seen[need] {
			return nil, fmt.Errorf("the columns must include %s", need)
		}
	}
	return cols, nil
}

func parseCELRow(line int, rec []string, opt CELOptions) (*celRow, string) {
	cols := opt.Columns
	switch {
	case cols != nil:
		if len(rec) != len(cols) {
			return nil, fmt.Sprintf("expected %d columns (--cel-columns), got %d", len(cols), len(rec))
		}
	case len(rec) == len(CELColumnsLegacy):
		cols = CELColumnsLegacy
	case len(rec) == len(CELColumnsAdvanced), len(rec) == len(CELColumnsAdvanced)-1:
		cols = CELColumnsAdvanced[:len(rec)]
	default:
		return nil, fmt.Sprintf("expected 21 columns (cel_custom sample Master.csv) or 23/24 (its advanced mapping), got %d; name a custom layout with --cel-columns", len(rec))
	}
	sum := sha256.New()
	row := &celRow{line: line, f: make(map[string]string, len(cols))}
	for i, c := range cols {
		sum.Write([]byte(rec[i]))
		sum.Write([]byte{0})
		if c != "-" {
			row.f[c] = strings.TrimSpace(decodeBytes(rec[i]))
		}
	}
	row.hash = hex.EncodeToString(sum.Sum(nil)[:6])
	row.event = strings.ToUpper(row.get("eventtype"))
	if row.event == "" {
		return nil, "empty eventtype"
	}
	if row.get("uniqueid") == "" || row.get("linkedid") == "" {
		return nil, "empty uniqueid or linkedid"
	}
	if len(row.get("uniqueid")) > maxCDRKey || len(row.get("linkedid")) > maxCDRKey {
		return nil, fmt.Sprintf("uniqueid or linkedid longer than %d bytes", maxCDRKey)
	}
	tm, ok := parseCDRTime(row.get("eventtime"), opt.Location)
	if !ok || tm.IsZero() {
		return nil, fmt.Sprintf("bad eventtime %q", row.get("eventtime"))
	}
	row.at = tm
	if x := row.get("extra"); strings.HasPrefix(x, "{") {
		if err := json.Unmarshal([]byte(x), &row.extra); err != nil {
			return nil, fmt.Sprintf("extra is not JSON: %v", err)
		}
	}
	return row, ""
}

// celChannel is one channel of a call as its CEL rows tell it.
type celChannel struct {
	uniqueid, name, context, exten, dnid, cidnum string
	start, answer, hangup                        *time.Time
	hangupSource, dialStatus, userfield          string
	queue                                        bool
	first                                        *celRow
	enters                                       []celBridgeEnter
}

// celBridgeEnter is a channel's BRIDGE_ENTER (Asterisk 12+) or
// BRIDGE_START (1.8 to 11): when, into which bridge (the extra's
// bridge_id; none before 12), and the peer it met there (BRIDGEPEER).
type celBridgeEnter struct {
	at           time.Time
	bridge, peer string
}

// celTransfer is a transfer made by a channel at a time.
type celTransfer struct {
	at   time.Time
	by   string // transferer channel uniqueid
	row  *celRow
	kind string
}

func emitCELCall(ix string, rows []*celRow, opt CallOptions, emit func(int, model.Event) error) error {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if !a.at.Equal(b.at) {
			return a.at.Before(b.at)
		}
		return celRank[a.event] < celRank[b.event]
	})
	chans := map[string]*celChannel{}
	var order []*celChannel
	var transfers []celTransfer
	queue := false
	for _, r := range rows {
		c := chans[r.get("uniqueid")]
		if c == nil {
			c = &celChannel{uniqueid: r.get("uniqueid"), first: r}
			chans[c.uniqueid] = c
			order = append(order, c)
		}
		setStr(&c.name, r.get("channame"))
		if c.context == "" {
			c.context, c.exten, c.cidnum = r.get("context"), r.get("exten"), r.get("cidnum")
		}
		setStr(&c.dnid, r.get("ciddnid"))
		setStr(&c.userfield, r.get("userfield"))
		at := r.at
		switch r.event {
		case "CHAN_START":
			if c.start == nil {
				c.start = &at
			}
		case "ANSWER":
			if c.answer == nil {
				c.answer = &at
			}
		case "HANGUP":
			if c.hangup == nil {
				c.hangup = &at
			}
			source, status := r.hangupExtra()
			setStr(&c.hangupSource, source)
			setStr(&c.dialStatus, status)
		case "BRIDGE_ENTER":
			if b := r.extraString("bridge_id"); b != "" {
				c.enters = append(c.enters, celBridgeEnter{at: at, bridge: b, peer: r.get("peer")})
			}
		case "BRIDGE_START":
			// Asterisk 1.8 to 11: ast_bridge_call reports it on the
			// calling side (the caller of a Queue or Dial) with the peer,
			// and names no bridge.
			c.enters = append(c.enters, celBridgeEnter{at: at, peer: r.get("peer")})
		case "APP_START":
			if strings.EqualFold(r.get("appname"), "queue") {
				c.queue, queue = true, true
			}
		case "BLINDTRANSFER", "ATTENDEDTRANSFER":
			transfers = append(transfers, celTransfer{at: at, by: c.uniqueid, row: r, kind: r.event})
		}
	}
	caller := chans[ix]
	if caller == nil {
		caller = order[0]
	}
	start := rows[0].at
	outbound := opt.outbound(caller.context, caller.cidnum, dialed(caller))
	ev := celEvent(ix, caller.first, model.TypeInteractionCreated, start)
	ev.Interaction, ev.Media, ev.Direction = ix, model.MediaVoice, "inbound"
	if outbound {
		ev.Direction = "outbound"
	}
	ev.From, ev.To = caller.cidnum, dialed(caller)
	if err := emit(caller.first.line, ev); err != nil {
		return err
	}
	var dests []*celChannel
	for _, c := range order {
		if c != caller && !isLocalChannel(c.name) {
			dests = append(dests, c)
		}
	}
	if queue && !opt.QueueLegs {
		// The queue_log's call: channels, voice server and quality at the
		// answer of each member channel, so rastro gives them to the leg
		// the queue_log delivered to that member (its CONNECT is logged at
		// the same moment; a hang-up would fall after a transfer already
		// opened the next leg).
		for _, d := range dests {
			if d.answer == nil {
				continue
			}
			if t := consultedBy(d, transfers, dests); t != nil {
				// The party an attended transfer consulted answered the
				// transferer, not the caller: at its answer the caller's
				// leg is still the transferer's. Its own leg is the one the
				// transfer opened.
				if err := emitMergedLeg(ix, caller, d, t, opt, emit); err != nil {
					return err
				}
				continue
			}
			ev := celEvent(ix, d.first, model.TypeCallUpdated, *d.answer)
			ev.Interaction = ix
			ev.ExternalChannel, ev.InternalChannel = caller.name, d.name
			ev.VoiceServer = opt.VoiceServer
			if len(transfers) > 0 && d.answer.After(transfers[0].at) {
				// Answered for the caller after a transfer: the leg
				// current then may be one app_queue no longer follows
				// (a blind transfer out of the queues), whose answer
				// nothing else tells; on a queue's own leg it is the
				// moment CONNECT tells too.
				a := *d.answer
				ev.AnsweredAt, ev.VoiceStatus = &a, "answered"
			}
			for k := range transfers {
				// The queue_log ends this member's leg by the transfer
				// and tells no hang-up: the CEL knows when the agent left.
				if h := transfererHangup(d, &transfers[k]); h != nil {
					ev.AgentHangupAt = h
					break
				}
			}
			if q, ok := ParseRTPQoS(d.userfield); ok {
				ev.JitterMs, ev.PacketLossPct, ev.RttMs = q.JitterMs, q.PacketLossPct, q.RttMs
			}
			if err := emit(d.first.line, ev); err != nil {
				return err
			}
		}
		return emitCallEnd(ix, caller, order, rows, transfers, emit)
	}
	ev = celEvent(ix, caller.first, model.TypeEnteredOmni, start)
	ev.Interaction = ix
	if err := emit(caller.first.line, ev); err != nil {
		return err
	}
	if len(dests) == 0 {
		// Nobody was dialled (an IVR, a voicemail): one leg, the caller's.
		return emitCELLeg(ix, caller, nil, caller, outbound, nil, nil, nil, opt, emit)
	}
	targets := make([]*celChannel, len(transfers))
	for k := range transfers {
		targets[k] = transferTarget(&transfers[k], dests)
	}
	for _, d := range dests {
		// A transfer made by either side while this leg was up, into the
		// channel it names (attended) or the next one the call reaches
		// (blind); a transfer into d opens d's leg instead of ending it.
		var xfer, opened *celTransfer
		var next *celChannel
		for k := range transfers {
			t := &transfers[k]
			if targets[k] == d {
				if opened == nil {
					opened = t
				}
				continue
			}
			if xfer == nil && (d.start == nil || !t.at.Before(*d.start)) && (d.hangup == nil || !t.at.After(*d.hangup)) {
				xfer, next = t, targets[k]
			}
		}
		if err := emitCELLeg(ix, caller, d, d, outbound, xfer, next, opened, opt, emit); err != nil {
			return err
		}
	}
	return nil
}

// emitCallEnd finishes, at the call's end, whatever leg of a transferred
// queue call is still open then: a leg.finished without leg (EVENTS.md),
// which ends the leg current then only if nothing named it finished.
// app_queue stops following a call its member transferred
// (ATTENDEDTRANSFER by LINK or APP; TRANSFER or BLINDTRANSFER out of the
// queues): the queue_log's next leg is numbered, a name the CEL cannot
// know. "service completed" when the caller entered a bridge at or after
// the last transfer (someone took the call), else "dequeued". Who hung up
// is left unsaid: the leg's other party is not known by name.
//
// The call's end is the first HANGUP of the caller and the peer of its
// last bridge — the moment the conversation ended, which is also when
// the CDR ends the caller's last row — else the caller's HANGUP, else
// LINKEDID_END. Not LINKEDID_END first: it comes after the last channel
// of the call is gone, a few milliseconds or more after the hang-up, so a
// hang-up at 14:03:59.9997 read from the CEL finished the leg at 14:04:00
// while the CDR (whole seconds, truncated: 14:03:59) finished it a second
// earlier, and DATA FINALIZADA depended on which files were read.
func emitCallEnd(ix string, caller *celChannel, chans []*celChannel, rows []*celRow, transfers []celTransfer, emit func(int, model.Event) error) error {
	if len(transfers) == 0 {
		return nil
	}
	last := transfers[len(transfers)-1].at
	var peer *celChannel
	entered := false
	for _, e := range caller.enters {
		if e.at.Before(last) {
			continue
		}
		entered = true
		for _, c := range chans {
			if e.peer != "" && c.name == e.peer && c.hangup != nil && !c.hangup.Before(e.at) {
				peer = c
			}
		}
	}
	var end, callerHangup, peerHangup *celRow
	for _, r := range rows {
		switch {
		case r.event == "LINKEDID_END":
			end = r
		case r.event == "HANGUP" && r.get("uniqueid") == caller.uniqueid && callerHangup == nil:
			callerHangup = r
		case r.event == "HANGUP" && peer != nil && r.get("uniqueid") == peer.uniqueid && peerHangup == nil:
			peerHangup = r
		}
	}
	if callerHangup != nil {
		end = callerHangup
	}
	if peerHangup != nil && (callerHangup == nil || peerHangup.at.Before(callerHangup.at)) {
		end = peerHangup
	}
	if end == nil {
		return nil // the call has not ended in this file
	}
	ev := celEvent(ix, end, model.TypeLegFinished, end.at)
	ev.Interaction, ev.Status = ix, "dequeued"
	if entered {
		ev.Status = "service completed"
	}
	return emit(end.line, ev)
}

// consultedBy is the attended transfer whose target d is, when d answered
// at or before it (the consultation call); nil otherwise.
func consultedBy(d *celChannel, transfers []celTransfer, dests []*celChannel) *celTransfer {
	for k := range transfers {
		t := &transfers[k]
		if t.kind == "ATTENDEDTRANSFER" && !d.answer.After(t.at) && transferTarget(t, dests) == d {
			return t
		}
	}
	return nil
}

// emitMergedLeg emits, for a queue call, the leg an attended transfer t
// opened into the consulted party d: app_queue logs the transfer (its
// ATTENDEDTRANSFER|BRIDGE names the bridge the two were merged into) and
// nothing more of the call, so the CEL tells the rest under the same
// bridge-named leg: delivered to d's agent when the caller joined d's
// bridge, d's channels and quality, the first hang-up of the pair by its
// source, finished then. A transfer that merged no bridge (linked through
// Local channels, or into an application) leaves that leg to the
// queue_log's numbering, which the CEL cannot name: nothing is emitted.
func emitMergedLeg(ix string, caller, d *celChannel, t *celTransfer, opt CallOptions, emit func(int, model.Event) error) error {
	bridge, joined := mergedBridge(t, caller, d)
	if bridge == "" {
		return nil
	}
	leg := bridgeLegID(ix, bridge)
	var out []model.Event
	if agent := opt.agent(device(d.name)); agent != "" {
		ev := celEvent(ix, d.first, model.TypeLegDelivered, joined)
		ev.Interaction, ev.Leg, ev.AgentID = ix, leg, agent
		out = append(out, ev)
	}
	end, source := firstHangup(caller, d)
	cu := celEvent(ix, d.first, model.TypeCallUpdated, joined)
	if end != nil && end.After(joined) {
		cu.At = *end
	}
	cu.Interaction, cu.Leg = ix, leg
	cu.ExternalChannel, cu.InternalChannel = caller.name, d.name
	cu.VoiceServer = opt.VoiceServer
	cu.AnsweredAt, cu.VoiceStatus = &joined, "answered"
	if end != nil {
		e := *end
		if source == d.name {
			cu.AgentHangupAt = &e
		} else {
			cu.ClientHangupAt = &e
		}
	}
	if q, ok := ParseRTPQoS(d.userfield); ok {
		cu.JitterMs, cu.PacketLossPct, cu.RttMs = q.JitterMs, q.PacketLossPct, q.RttMs
	}
	out = append(out, cu)
	if end != nil {
		ev := celEvent(ix, d.first, model.TypeLegFinished, cu.At)
		ev.Interaction, ev.Leg, ev.Status = ix, leg, "service completed"
		out = append(out, ev)
	}
	for _, e := range out {
		if err := emit(d.first.line, e); err != nil {
			return err
		}
	}
	return nil
}

// mergedBridge is the bridge attended transfer t merged the caller and its
// target into, and when they met there: a merge moves one of them into the
// other's bridge, so the first BRIDGE_ENTER of either at or after the
// transfer. "" when neither entered a bridge then.
func mergedBridge(t *celTransfer, caller, target *celChannel) (string, time.Time) {
	var best *celBridgeEnter
	for _, c := range []*celChannel{caller, target} {
		for k := range c.enters {
			e := &c.enters[k]
			if e.bridge != "" && !e.at.Before(t.at) && (best == nil || e.at.Before(best.at)) {
				best = e
			}
		}
	}
	if best == nil {
		return "", time.Time{}
	}
	return best.bridge, best.at
}

// firstHangup is the first hang-up of the caller and d (nil: none seen) and
// its source (the HANGUP extra's hangupsource): the channel that hung up
// first.
func firstHangup(caller, d *celChannel) (*time.Time, string) {
	end := firstTime(caller.hangup, hangupOf(d))
	source := caller.hangupSource
	if d != nil && d.hangup != nil && (caller.hangup == nil || d.hangup.Before(*caller.hangup)) {
		source = d.hangupSource
	}
	return end, source
}

// transfererHangup is DATA FINALIZAÇÃO AGENTE of a leg its agent ended by
// transfer t: the hang-up of the agent's channel c, when c made the
// transfer and hung up itself at or after it (hangupsource = c; the caller
// stays on the call, so there is no client hang-up). nil otherwise.
func transfererHangup(c *celChannel, t *celTransfer) *time.Time {
	if c == nil || t.by != c.uniqueid || c.hangup == nil || c.hangup.Before(t.at) || c.hangupSource != c.name {
		return nil
	}
	h := *c.hangup
	return &h
}

// isLocalChannel tells a Local channel pair half ("Local/1003@ctx-00000001;1"):
// dialplan plumbing (an attended transfer's consultation call, a queue
// member behind Local) that no agent or client holds, so never a leg.
func isLocalChannel(name string) bool {
	return strings.HasPrefix(strings.ToLower(name), "local/")
}

// transferTarget is the channel a transfer hands the call to: the one an
// ATTENDEDTRANSFER names (transfer_target_channel_uniqueid / _name, the
// party the transferer consulted); when that is a Local half not yet
// optimised away, the most recently started channel up at the transfer
// other than the transferer (the consulted party); for a BLINDTRANSFER,
// the first channel started at or after it (dialled from the extension).
func transferTarget(t *celTransfer, dests []*celChannel) *celChannel {
	if t.kind == "ATTENDEDTRANSFER" {
		uid, name := t.row.extraString("transfer_target_channel_uniqueid"), t.row.extraString("transfer_target_channel_name")
		for _, d := range dests {
			if (uid != "" && d.uniqueid == uid) || (name != "" && d.name == name) {
				return d
			}
		}
		var best *celChannel
		for _, d := range dests {
			up := d.start != nil && !d.start.After(t.at) && (d.hangup == nil || d.hangup.After(t.at))
			if up && d.uniqueid != t.by && (best == nil || d.start.After(*best.start)) {
				best = d
			}
		}
		if best != nil {
			return best
		}
	}
	for _, d := range dests {
		if d.start != nil && !d.start.Before(t.at) {
			return d
		}
	}
	return nil
}

// dialed is the number the caller dialled: the DNID, else the first
// extension that is not "s".
func dialed(c *celChannel) string {
	if c.dnid != "" {
		return c.dnid
	}
	if c.exten != "s" {
		return c.exten
	}
	return ""
}

// celLegID is the leg of destination channel name: the same id the CDR
// gives the row of that dstchannel, so both describe one leg.
func celLegID(ix, channel string) string {
	return "ast:" + cut(ix, 48) + ":" + cut(channel, 64)
}

func celEvent(ix string, r *celRow, typ string, at time.Time) model.Event {
	return model.Event{ID: "cel:" + cut(ix, 48) + ":" + cut(r.get("uniqueid"), 48) + ":" + r.hash + ":" + typ, Type: typ, At: at}
}

// emitCELLeg emits the leg of destination d (the caller's own leg when d
// is nil): queued at its start, delivered at its answer, call facts, and
// finished at the first hang-up of the pair, or transferred. A leg opened
// by a transfer (opened) starts no earlier than it: an attended transfer's
// target was ringing and talking to the transferer before the caller
// reached it.
func emitCELLeg(ix string, caller, d, key *celChannel, outbound bool, xfer *celTransfer, next *celChannel, opened *celTransfer, opt CallOptions, emit func(int, model.Event) error) error {
	leg := celLegID(ix, key.name)
	ext, inner := caller, d
	if outbound {
		ext, inner = d, caller
	}
	startAt := *firstTime(key.start, caller.start, &key.first.at)
	if opened != nil && startAt.Before(opened.at) {
		startAt = opened.at
	}
	var out []model.Event
	ev := celEvent(ix, key.first, model.TypeLegQueued, startAt)
	ev.Interaction, ev.Leg, ev.ServiceID = ix, leg, orDefaultStr(caller.context, "asterisk")
	out = append(out, ev)
	answered := d != nil && d.answer != nil
	if d == nil {
		answered = caller.answer != nil
	}
	var answerAt *time.Time
	if answered {
		answerAt = key.answer
		if d == nil {
			answerAt = caller.answer
		}
		if answerAt != nil && answerAt.Before(startAt) {
			answerAt = &startAt
		}
		if inner != nil {
			if agent := opt.agent(device(inner.name)); agent != "" {
				ev = celEvent(ix, key.first, model.TypeLegDelivered, *answerAt)
				ev.Interaction, ev.Leg, ev.AgentID = ix, leg, agent
				out = append(out, ev)
			}
		}
	}
	// The first hang-up of the pair ends the leg; its source says who.
	end, source := firstHangup(caller, d)
	cu := celEvent(ix, key.first, model.TypeCallUpdated, *firstTime(end, &startAt))
	cu.Interaction, cu.Leg = ix, leg
	cu.DialedNumber = dialed(caller)
	cu.VoiceServer = opt.VoiceServer
	if ext != nil {
		cu.ExternalChannel = ext.name
	}
	if inner != nil {
		cu.InternalChannel = inner.name
	}
	cu.AnsweredAt = answerAt
	if end != nil && xfer == nil {
		e := *end
		switch {
		case inner != nil && source == inner.name:
			cu.AgentHangupAt = &e
		default:
			cu.ClientHangupAt = &e
		}
	}
	if xfer != nil {
		cu.AgentHangupAt = transfererHangup(inner, xfer)
	}
	cu.VoiceStatus = celVoiceStatus(answered, caller.dialStatus, outbound)
	for _, c := range []*celChannel{d, caller} {
		if c == nil {
			continue
		}
		if q, ok := ParseRTPQoS(c.userfield); ok {
			cu.JitterMs, cu.PacketLossPct, cu.RttMs = q.JitterMs, q.PacketLossPct, q.RttMs
			break
		}
	}
	out = append(out, cu)
	switch {
	case xfer != nil:
		ev = celEvent(ix, xfer.row, model.TypeLegTransferred, xfer.at)
		ev.Interaction, ev.Leg = ix, leg
		if next != nil {
			ev.NewLeg = celLegID(ix, next.name)
		} else {
			ev.NewLeg = leg + ":transfer"
		}
		out = append(out, ev)
	case end != nil:
		ev = celEvent(ix, key.first, model.TypeLegFinished, *end)
		ev.Interaction, ev.Leg, ev.Status = ix, leg, "dequeued"
		if answered {
			ev.Status = "service completed"
		} else if cu.VoiceStatus == "abandoned" {
			ev.Status = "abandoned"
		}
		out = append(out, ev)
	}
	for _, e := range out {
		if err := emit(key.first.line, e); err != nil {
			return err
		}
	}
	return nil
}

// celVoiceStatus maps an answer and the caller's dial status (HANGUP extra)
// to voice_status: answered; NOANSWER → no_answer; BUSY, CONGESTION,
// CHANUNAVAIL → not_connected; CANCEL (the caller gave up while it rang) →
// abandoned inbound, no_answer outbound.
func celVoiceStatus(answered bool, dialStatus string, outbound bool) string {
	if answered {
		return "answered"
	}
	switch strings.ToUpper(dialStatus) {
	case "NOANSWER":
		return "no_answer"
	case "BUSY", "CONGESTION", "CHANUNAVAIL":
		return "not_connected"
	case "CANCEL":
		if outbound {
			return "no_answer"
		}
		return "abandoned"
	}
	return ""
}

func hangupOf(c *celChannel) *time.Time {
	if c == nil {
		return nil
	}
	return c.hangup
}

// firstTime is the earliest non-nil time.
func firstTime(ts ...*time.Time) *time.Time {
	var m *time.Time
	for _, t := range ts {
		if t != nil && (m == nil || t.Before(*m)) {
			m = t
		}
	}
	return m
}

func orDefaultStr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func setStr(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}
