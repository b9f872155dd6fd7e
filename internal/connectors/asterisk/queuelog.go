package asterisk

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rastro/rastro/internal/model"
)

// DefaultPauseReason is the reason of agent.pause_started when a PAUSE line
// carries none (older Asterisk, or a pause without reason): EVENTS.md
// requires a non-empty reason.
const DefaultPauseReason = "sem motivo"

// Options tune the translation. The zero value is ready to use.
type Options struct {
	// Location is the zone of textual timestamps ("2006-01-02 15:04:05",
	// as realtime queue_log tables export them). Epoch seconds, the file
	// format, are UTC and ignore it. nil means UTC.
	Location *time.Location
	// PauseReason replaces an empty PAUSE reason; "" means
	// DefaultPauseReason.
	PauseReason string
	// TransferTarget, when set, names the rastro service or agent a blind
	// transfer to exten@context reached (the queue_log only knows the
	// dialplan target). Either result may be empty. nil: both are empty
	// and the new leg learns its service from the ENTERQUEUE that follows.
	TransferTarget func(exten, context string) (serviceID, agentID string)
	// VoiceServer fills SERVIDOR DE VOZ on the answer of every call (the
	// queue_log does not name its PBX); "" leaves it to the CDR and CEL.
	VoiceServer string
}

// ParseError is a line of the queue_log that could not be translated.
type ParseError struct {
	Line   int    // 1-based line number in the input
	Reason string // short English reason
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Problems are every ParseError of one input, in line order. Translate
// returns them (as its error) after the whole input was read; the events of
// the good lines have all been emitted.
type Problems []ParseError

func (p Problems) Error() string {
	const show = 3
	var b strings.Builder
	fmt.Fprintf(&b, "asterisk: %d malformed line(s)", len(p))
	for i := range p {
		if i == show {
			fmt.Fprintf(&b, "; and %d more", len(p)-show)
			break
		}
		b.WriteString("; ")
		b.WriteString(p[i].Error())
	}
	return b.String()
}

// maxLine is the longest queue_log line read; a longer one is a problem.
const maxLine = 64 << 10

// Translate reads an Asterisk queue_log and calls emit with each rastro event
// it implies, in input order, with the number of the line that produced it.
// Malformed lines are collected and returned as Problems once the input is
// exhausted; they do not stop the scan. An error of emit stops the scan and
// is returned (wrapped, with the line). A read error is returned as is
// (wrapped).
//
// The translation keeps state across lines (the leg of each call, the
// dialed number of a DID line, each agent's queues and pauses), so feed a
// whole file, and a rotated file together with the one before it
// (cat queue_log.1 queue_log), for exact results. Event ids depend only on
// the content of the line that produced them, so translating the same input
// again yields the same ids (an idempotent re-import).
func Translate(r io.Reader, opt Options, emit func(line int, ev model.Event) error) error {
	t := &translator{
		opt:    opt,
		emit:   fitting(emit),
		calls:  map[string]*callState{},
		dids:   map[string]didInfo{},
		agents: map[string]*agentState{},
	}
	if t.opt.Location == nil {
		t.opt.Location = time.UTC
	}
	if t.opt.PauseReason == "" {
		t.opt.PauseReason = DefaultPauseReason
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for line := 1; ; line++ {
		text, tooLong, err := readLine(br)
		if err != nil && err != io.EOF {
			return fmt.Errorf("asterisk: read line %d: %w", line, err)
		}
		if text == "" && !tooLong && err == io.EOF {
			break
		}
		if line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		if tooLong {
			t.problem(line, fmt.Sprintf("line longer than %d KiB", maxLine>>10))
		} else if e := t.line(line, text); e != nil {
			return fmt.Errorf("asterisk: line %d: %w", line, e)
		}
		if err == io.EOF {
			break
		}
	}
	if len(t.problems) > 0 {
		return t.problems
	}
	return nil
}

// readLine reads one line without its end ("\n" or "\r\n").
func readLine(br *bufio.Reader) (string, bool, error) {
	var buf []byte
	tooLong := false
	for {
		frag, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(frag) > maxLine+2 {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, frag...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return strings.TrimRight(string(buf), "\r\n"), tooLong, err
	}
}

type callState struct {
	leg    int    // current leg number (legs are "<callid>-<n>")
	bridge string // bridge naming the current leg instead (attended transfer by bridge merge)
	open   bool   // the current leg has not ended
	queued bool   // the current leg was queued
	dialed string // dialed number (DID), repeated on every leg
	last   int64  // epoch of the last line, for pruning
}

type didInfo struct {
	number string
	at     time.Time
}

type agentState struct {
	queues map[string]bool // queues the agent is a member of ("" for AGENTLOGIN)
	paused map[string]bool // queues the agent is paused in
	reason string          // reason of the current pause
}

type translator struct {
	opt    Options
	emit   func(int, model.Event) error
	calls  map[string]*callState
	dids   map[string]didInfo
	agents map[string]*agentState

	problems Problems
	lines    int   // lines translated, for pruning
	maxEpoch int64 // latest epoch seen

	// Exact duplicate lines (same content, so same epoch) are skipped: they
	// are the same fact and would otherwise move the state twice.
	dupEpoch int64
	dupSeen  map[string]bool

	// The line being translated, for event ids.
	rec     record
	lineNo  int
	idCount map[string]int
}

// record is one parsed queue_log line.
type record struct {
	at                   time.Time
	callid, queue, agent string // "" where the log says NONE
	event                string
	data                 []string // data1.. (may be shorter than 5)
	hash                 string
}

func (r *record) d(i int) string { // data<i>, 1-based
	if i-1 < len(r.data) {
		return strings.TrimSpace(r.data[i-1])
	}
	return ""
}

func (t *translator) problem(line int, reason string) {
	t.problems = append(t.problems, ParseError{Line: line, Reason: reason})
}

// line translates one line; only an emit error is returned.
func (t *translator) line(n int, text string) error {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	f := strings.Split(text, "|")
	if len(f) < 5 {
		t.problem(n, fmt.Sprintf("expected at least 5 fields (epoch|callid|queue|agent|event), got %d", len(f)))
		return nil
	}
	event := strings.ToUpper(strings.TrimSpace(f[4]))
	maxFields := 10
	if event == "ATTENDEDTRANSFER" {
		maxFields = 11 // LINK|chan1|chan2|holdtime|calltime|position
	}
	if len(f) > maxFields {
		t.problem(n, fmt.Sprintf("expected at most %d fields, got %d", maxFields, len(f)))
		return nil
	}
	if event == "" {
		t.problem(n, "empty event name")
		return nil
	}
	at, epoch, ok := t.parseTime(strings.TrimSpace(f[0]))
	if !ok {
		t.problem(n, fmt.Sprintf("bad epoch %q", f[0]))
		return nil
	}
	sum := sha256.Sum256([]byte(text))
	rec := record{
		at: at, event: event, data: f[5:],
		callid: none(f[1]), queue: none(f[2]), agent: none(f[3]),
		hash: hex.EncodeToString(sum[:6]),
	}
	if epoch != t.dupEpoch || t.dupSeen == nil {
		t.dupEpoch, t.dupSeen = epoch, map[string]bool{}
	}
	full := hex.EncodeToString(sum[:])
	if t.dupSeen[full] {
		return nil
	}
	t.dupSeen[full] = true

	if epoch > t.maxEpoch {
		t.maxEpoch = epoch
	}
	if t.lines++; t.lines%4096 == 0 {
		t.prune()
	}
	t.rec, t.lineNo, t.idCount = rec, n, map[string]int{}

	switch event {
	case "DID":
		return t.did()
	case "ENTERQUEUE":
		return t.enterQueue()
	case "CONNECT":
		return t.connect()
	case "COMPLETECALLER", "COMPLETEAGENT":
		return t.complete()
	case "ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY":
		return t.exit()
	case "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER":
		return t.transfer()
	case "ADDMEMBER", "REMOVEMEMBER", "AGENTLOGIN", "AGENTLOGOFF", "PAUSE", "UNPAUSE":
		return t.agentLine()
	}
	// RINGNOANSWER, QUEUESTART, CONFIGRELOAD, PAUSEALL/UNPAUSEALL (logged
	// besides the per-queue PAUSE lines), AGENTCALLED, AGENTDUMP, SYSCOMPAT,
	// custom QueueLog() events…: nothing rastro needs.
	return nil
}

// none maps Asterisk's placeholder for a missing value to "".
func none(s string) string {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "NONE") {
		return ""
	}
	return s
}

// Epochs beyond year 9999 are not timestamps (and keep ids short).
const maxEpoch = 253402300799

// parseTime reads the first field: epoch seconds (the file format, UTC;
// a fraction is accepted) or "2006-01-02 15:04:05[.fff]" in opt.Location.
func (t *translator) parseTime(s string) (time.Time, int64, bool) {
	if s == "" {
		return time.Time{}, 0, false
	}
	if s[0] >= '0' && s[0] <= '9' && !strings.Contains(s, "-") {
		sec, frac, _ := strings.Cut(s, ".")
		n, err := strconv.ParseInt(sec, 10, 64)
		if err != nil || n <= 0 || n > maxEpoch || !digits(sec) {
			return time.Time{}, 0, false
		}
		var ns int64
		if frac != "" {
			if len(frac) > 9 || !digits(frac) {
				return time.Time{}, 0, false
			}
			ns, _ = strconv.ParseInt((frac + "000000000")[:9], 10, 64)
		}
		return time.Unix(n, ns).UTC(), n, true
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if tm, err := time.ParseInLocation(layout, s, t.opt.Location); err == nil {
			if u := tm.Unix(); u > 0 && u <= maxEpoch {
				return tm.UTC(), u, true
			}
		}
	}
	return time.Time{}, 0, false
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// prune forgets calls and DIDs quiet for 12 hours, so memory stays flat on
// long files (a call, transfers included, never lasts that long).
func (t *translator) prune() {
	const keep = 12 * 3600
	for id, c := range t.calls {
		if c.last < t.maxEpoch-keep {
			delete(t.calls, id)
		}
	}
	for id, d := range t.dids {
		if d.at.Unix() < t.maxEpoch-keep {
			delete(t.dids, id)
		}
	}
}

// ---- events ----

// newEvent is an event of the current line. Its id is
// "ast:<callid or agent>:<epoch>:<EVENT>:<line hash>:<type>[#n]": the same
// line always gives the same ids, and different lines different ones.
func (t *translator) newEvent(typ string, at time.Time) model.Event {
	r := &t.rec
	who := r.callid
	if who == "" {
		who = r.agent
	}
	suffix := typ
	if k := t.idCount[typ]; k > 0 {
		suffix += "#" + strconv.Itoa(k+1)
	}
	t.idCount[typ]++
	id := "ast:" + cut(who, 40) + ":" + strconv.FormatInt(r.at.Unix(), 10) + ":" +
		cut(r.event, 20) + ":" + r.hash + ":" + suffix
	return model.Event{ID: id, Type: typ, At: at}
}

// cut shortens s to at most n bytes on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func (t *translator) out(ev model.Event) error { return t.emit(t.lineNo, ev) }

func legID(callid string, n int) string { return callid + "-" + strconv.Itoa(n) }

// legOf is the id of the call's current leg: "<callid>-<n>", or the
// bridge's leg (bridgeLegID) when an attended transfer merged the caller
// into the bridge of the party consulted, so the CEL names it the same.
func (c *callState) legOf(callid string) string {
	if c.bridge != "" {
		return bridgeLegID(callid, c.bridge)
	}
	return legID(callid, c.leg)
}

// call returns the state of the line's call; a call first seen in the middle
// (its ENTERQUEUE was in an earlier file) is assumed to be on its first leg.
func (t *translator) call() *callState {
	c := t.calls[t.rec.callid]
	if c == nil {
		c = &callState{leg: 1, open: true}
		t.calls[t.rec.callid] = c
	}
	c.last = t.rec.at.Unix()
	return c
}

// needCall reports a call line without a call id.
func (t *translator) needCall() bool {
	if t.rec.callid == "" {
		t.problem(t.lineNo, t.rec.event+" without callid")
		return false
	}
	return true
}

func (t *translator) callUpdated(c *callState, fill func(*model.Event)) error {
	ev := t.newEvent(model.TypeCallUpdated, t.rec.at)
	ev.Interaction, ev.Leg = t.rec.callid, c.legOf(t.rec.callid)
	fill(&ev)
	return t.out(ev)
}

// dialedOnLeg repeats the call's dialed number on its current leg (call
// facts are per leg in rastro).
func (t *translator) dialedOnLeg(c *callState) error {
	if c.dialed == "" {
		return nil
	}
	return t.callUpdated(c, func(ev *model.Event) { ev.DialedNumber = c.dialed })
}

// DID|<dialed number>: remembered for the ENTERQUEUE of the call.
func (t *translator) did() error {
	if !t.needCall() {
		return nil
	}
	num := t.rec.d(1)
	if num == "" {
		return nil
	}
	if c := t.calls[t.rec.callid]; c != nil { // after ENTERQUEUE: tell now
		c.dialed, c.last = num, t.rec.at.Unix()
		return t.dialedOnLeg(c)
	}
	t.dids[t.rec.callid] = didInfo{number: num, at: t.rec.at}
	return nil
}

// ENTERQUEUE|url|callerid|position.
func (t *translator) enterQueue() error {
	if !t.needCall() {
		return nil
	}
	r := &t.rec
	if r.queue == "" {
		t.problem(t.lineNo, "ENTERQUEUE without queue name")
		return nil
	}
	c := t.calls[r.callid]
	newLeg := true
	switch {
	case c == nil:
		c = &callState{leg: 1, open: true}
		t.calls[r.callid] = c
		d, hasDID := t.dids[r.callid]
		delete(t.dids, r.callid)
		c.dialed = d.number
		// The call started no later than its DID line (protocol = call start).
		createdAt := r.at
		if hasDID && d.at.Before(createdAt) {
			createdAt = d.at
		}
		ev := t.newEvent(model.TypeInteractionCreated, createdAt)
		ev.Interaction, ev.Media, ev.Direction = r.callid, model.MediaVoice, "inbound"
		ev.From, ev.To = r.d(2), c.dialed
		if err := t.out(ev); err != nil {
			return err
		}
		ev = t.newEvent(model.TypeEnteredOmni, r.at)
		ev.Interaction = r.callid
		if err := t.out(ev); err != nil {
			return err
		}
	case c.open && !c.queued:
		newLeg = false // the leg a transfer opened reaches its queue
	default:
		// The leg ended (timeout, then another queue) or, with a lost exit
		// line, is still waiting: either way a new leg of the same call.
		c.leg++
		c.open, c.bridge = true, ""
	}
	c.last, c.queued = r.at.Unix(), true
	ev := t.newEvent(model.TypeLegQueued, r.at)
	ev.Interaction, ev.Leg, ev.ServiceID = r.callid, c.legOf(r.callid), r.queue
	if err := t.out(ev); err != nil {
		return err
	}
	if newLeg {
		return t.dialedOnLeg(c)
	}
	return nil
}

// CONNECT|holdtime|bridged uniqueid|ringtime.
func (t *translator) connect() error {
	if !t.needCall() {
		return nil
	}
	r := &t.rec
	if r.agent == "" {
		t.problem(t.lineNo, "CONNECT without agent")
		return nil
	}
	c := t.call()
	ev := t.newEvent(model.TypeLegDelivered, r.at)
	ev.Interaction, ev.Leg, ev.AgentID = r.callid, c.legOf(r.callid), r.agent
	if err := t.out(ev); err != nil {
		return err
	}
	at := r.at
	return t.callUpdated(c, func(ev *model.Event) {
		ev.AnsweredAt, ev.VoiceStatus, ev.VoiceServer = &at, "answered", t.opt.VoiceServer
	})
}

// COMPLETECALLER / COMPLETEAGENT|holdtime|calltime|position.
func (t *translator) complete() error {
	if !t.needCall() {
		return nil
	}
	r := &t.rec
	c := t.call()
	at := r.at
	err := t.callUpdated(c, func(ev *model.Event) {
		ev.VoiceStatus = "answered" // a completed queue call was answered
		if r.event == "COMPLETECALLER" {
			ev.ClientHangupAt = &at
		} else {
			ev.AgentHangupAt = &at
		}
	})
	if err != nil {
		return err
	}
	return t.finish(c, "service completed")
}

// ABANDON, EXITWITHTIMEOUT, EXITEMPTY, EXITWITHKEY: left the queue unanswered.
func (t *translator) exit() error {
	if !t.needCall() {
		return nil
	}
	r := &t.rec
	c := t.call()
	at := r.at
	status, voice := "dequeued", "no_answer"
	if r.event == "ABANDON" {
		status, voice = "abandoned", "abandoned"
	}
	err := t.callUpdated(c, func(ev *model.Event) {
		ev.VoiceStatus = voice
		if r.event == "ABANDON" {
			ev.ClientHangupAt = &at // the caller gave up
		}
	})
	if err != nil {
		return err
	}
	return t.finish(c, status)
}

func (t *translator) finish(c *callState, status string) error {
	ev := t.newEvent(model.TypeLegFinished, t.rec.at)
	ev.Interaction, ev.Leg, ev.Status = t.rec.callid, c.legOf(t.rec.callid), status
	c.open = false
	return t.out(ev)
}

// TRANSFER / BLINDTRANSFER|exten|context|holdtime|calltime|position;
// ATTENDEDTRANSFER|method|target…|holdtime|calltime|position, where
// app_queue's log_attended_transfer writes method BRIDGE|<bridge uniqueid>
// (a bridge merge), APP|<application> or LINK|<chan1>|<chan2>. After a
// merge the caller talks to the consulted party in that bridge, which the
// queue_log never names again (app_queue stops following the call): the
// new leg is named by the bridge, as the CEL names the same leg.
func (t *translator) transfer() error {
	if !t.needCall() {
		return nil
	}
	r := &t.rec
	c := t.call()
	from := c.legOf(r.callid)
	c.leg, c.open, c.queued, c.bridge = c.leg+1, true, false, ""
	if r.event == "ATTENDEDTRANSFER" && strings.EqualFold(r.d(1), "BRIDGE") {
		c.bridge = r.d(2)
	}
	ev := t.newEvent(model.TypeLegTransferred, r.at)
	ev.Interaction, ev.Leg, ev.NewLeg = r.callid, from, c.legOf(r.callid)
	if r.event != "ATTENDEDTRANSFER" && t.opt.TransferTarget != nil {
		ev.ToServiceID, ev.ToAgentID = t.opt.TransferTarget(r.d(1), r.d(2))
	}
	if err := t.out(ev); err != nil {
		return err
	}
	return t.dialedOnLeg(c)
}

// Agent lines: membership (ADDMEMBER/REMOVEMEMBER per queue, AGENTLOGIN/
// AGENTLOGOFF for the whole agent) and pauses (PAUSE/UNPAUSE per queue,
// reason in data1). rastro sees an agent logged in while a member of any
// queue, and paused while paused in any queue: only the changes of those two
// facts are emitted.
func (t *translator) agentLine() error {
	r := &t.rec
	if r.agent == "" {
		t.problem(t.lineNo, r.event+" without agent")
		return nil
	}
	a := t.agents[r.agent]
	if a == nil {
		a = &agentState{queues: map[string]bool{}, paused: map[string]bool{}}
		t.agents[r.agent] = a
	}
	wasIn, wasPaused, wasReason := len(a.queues) > 0, len(a.paused) > 0, a.reason
	forceOut, forceEnd := false, false
	switch r.event {
	case "ADDMEMBER":
		a.queues[r.queue] = true
	case "AGENTLOGIN":
		a.queues[""] = true
	case "REMOVEMEMBER", "AGENTLOGOFF":
		q := r.queue
		if r.event == "AGENTLOGOFF" {
			q = ""
		}
		// A membership this input never saw: the agent was logged in
		// before it began; with nothing else known, this ends the login.
		forceOut = !a.queues[q] && !wasIn
		delete(a.queues, q)
		delete(a.paused, q)
	case "PAUSE":
		a.paused[r.queue] = true
		if a.reason = r.d(1); a.reason == "" {
			a.reason = t.opt.PauseReason
		}
	case "UNPAUSE":
		forceEnd = !a.paused[r.queue] && !wasPaused
		delete(a.paused, r.queue)
	}
	isIn, isPaused := len(a.queues) > 0, len(a.paused) > 0
	switch {
	case isIn && !wasIn:
		if err := t.agentEvent(model.TypeAgentLogin, ""); err != nil {
			return err
		}
	case !isIn && (wasIn || forceOut):
		// rastro ends an open pause at the logout.
		a.paused, a.reason = map[string]bool{}, ""
		return t.agentEvent(model.TypeAgentLogout, "")
	}
	switch {
	case isPaused && (!wasPaused || a.reason != wasReason):
		return t.agentEvent(model.TypeAgentPauseStart, a.reason)
	case !isPaused && (wasPaused || forceEnd):
		a.reason = ""
		return t.agentEvent(model.TypeAgentPauseEnd, "")
	}
	return nil
}

func (t *translator) agentEvent(typ, reason string) error {
	ev := t.newEvent(typ, t.rec.at)
	ev.AgentID = t.rec.agent
	switch typ {
	case model.TypeAgentLogin, model.TypeAgentLogout:
		ev.Media = model.MediaVoice
	case model.TypeAgentPauseStart:
		ev.Reason = reason
	}
	return t.out(ev)
}
