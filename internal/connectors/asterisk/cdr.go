package asterisk

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rastro/rastro/internal/model"
)

// Column layouts of Asterisk CDR files, as CDR variable names in order.
var (
	// CDRColumnsCSV is cdr_csv's Master.csv (18 columns).
	CDRColumnsCSV = []string{"accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel",
		"lastapp", "lastdata", "start", "answer", "end", "duration", "billsec", "disposition",
		"amaflags", "uniqueid", "userfield"}
	// CDRColumnsCSVLinked is cdr_csv's Master.csv of Asterisk 1.8+ with
	// peeraccount, linkedid and sequence (21 columns).
	CDRColumnsCSVLinked = append(append([]string(nil), CDRColumnsCSV...), "peeraccount", "linkedid", "sequence")
	// CDRColumnsCustomSample is the Master.csv mapping of the
	// cdr_custom.conf.sample Asterisk ships (19 columns).
	CDRColumnsCustomSample = []string{"clid", "src", "dst", "dcontext", "channel", "dstchannel",
		"lastapp", "lastdata", "start", "answer", "end", "duration", "billsec", "disposition",
		"amaflags", "accountcode", "uniqueid", "userfield", "sequence"}
)

// CDROptions tune the CDR translation. The zero value is ready to use.
type CDROptions struct {
	// Location is the zone of textual dates ("2006-01-02 15:04:05", as
	// cdr_csv writes them in the PBX's local time). Epoch seconds are UTC.
	// nil means UTC.
	Location *time.Location
	// Columns names the CDR variable of each column ("-" skips one), for
	// cdr_custom layouts; nil recognises the layout by its width (18 or 21:
	// cdr_csv; 19: the cdr_custom.conf sample).
	Columns []string
	// Call tunes what is shared with the CEL translator: who makes the
	// legs of a queue call, direction, voice server, agents by extension.
	Call CallOptions
}

// ParseCDRColumns reads a --cdr-columns list: CDR variable names separated
// by commas, "-" for a column to skip. The names are the standard CDR
// variables of cdr_csv plus voice_server (SERVIDOR DE VOZ) and rtpaudioqos
// or qos (call quality); a column rastro does not read is "-".
func ParseCDRColumns(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	cols := strings.Split(s, ",")
	known := map[string]bool{"-": true, "voice_server": true, "rtpaudioqos": true, "qos": true}
	for _, c := range CDRColumnsCSVLinked {
		known[c] = true
	}
	seen := map[string]bool{}
	has := func(n string) bool { return seen[n] }
	for i, c := range cols {
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "" {
			return nil, fmt.Errorf("column %d has no name (use - to skip a column)", i+1)
		}
		if !known[c] {
			return nil, fmt.Errorf("column %d: unknown CDR variable %q (use - for a column rastro does not read)", i+1, c)
		}
		if c != "-" && seen[c] {
			return nil, fmt.Errorf("column %q named twice", c)
		}
		seen[c] = true
		cols[i] = c
	}
	if !has("uniqueid") && !has("linkedid") {
		return nil, errors.New("the columns must include uniqueid or linkedid (a call's key)")
	}
	if !has("start") {
		return nil, errors.New("the columns must include start")
	}
	return cols, nil
}

// cdrRow is one CDR line, decoded.
type cdrRow struct {
	line   int
	f      map[string]string
	start  time.Time
	answer *time.Time
	end    *time.Time
	seq    int64
	hasSeq bool
	hash   string
}

func (r *cdrRow) get(name string) string { return r.f[name] }

// cdrGroup is the rows of one call (same linkedid, or uniqueid).
type cdrGroup struct {
	key   string
	rows  []*cdrRow
	first int // line of its first row, for emission order
	last  int // row count when its last row was read
}

// cdrFlushAfter: a call whose last row is this many rows behind is
// complete (Asterisk writes a call's CDRs together when it ends), so its
// events are emitted and memory stays flat on long files.
const cdrFlushAfter = 20000

// TranslateCDR reads an Asterisk CDR CSV file (cdr_csv's Master.csv or a
// cdr_custom layout) and calls emit with each rastro event it implies.
// Rows are grouped into calls by linkedid (uniqueid when there is none) and
// ordered by sequence; each call is one voice interaction, each destination
// row one leg (see the README, "Asterisk CDR import"). Malformed lines are
// returned as Problems once the input is read; the events of the good rows
// have all been emitted. Event ids depend only on the uniqueid and
// sequence (or content) of the row that produced them, so translating the
// same file again gives the same ids.
func TranslateCDR(r io.Reader, opt CDROptions, emit func(line int, ev model.Event) error) error {
	emit = fitting(emit)
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	var problems Problems
	problem := func(line int, reason string) {
		problems = append(problems, ParseError{Line: line, Reason: reason})
	}
	groups := map[string]*cdrGroup{}
	count := 0
	flush := func(all bool) error {
		var done []*cdrGroup
		for k, g := range groups {
			if all || count-g.last >= cdrFlushAfter {
				done = append(done, g)
				delete(groups, k)
			}
		}
		sort.Slice(done, func(i, j int) bool { return done[i].first < done[j].first })
		for _, g := range done {
			if err := emitCall(g, opt.Call, emit); err != nil {
				return err
			}
		}
		return nil
	}
	err := eachCSVRecord(r, "asterisk cdr", problem, func(line int, rec []string) error {
		row, reason := parseCDRRow(line, rec, opt)
		if reason != "" {
			problem(line, reason)
			return nil
		}
		count++
		key := row.get("linkedid")
		if key == "" {
			key = row.get("uniqueid")
		}
		g := groups[key]
		if g == nil {
			g = &cdrGroup{key: key, first: line}
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

// parseCDRRow decodes one record; a non-empty reason is a problem.
func parseCDRRow(line int, rec []string, opt CDROptions) (*cdrRow, string) {
	cols := opt.Columns
	if cols == nil {
		switch len(rec) {
		case len(CDRColumnsCSV):
			cols = CDRColumnsCSV
		case len(CDRColumnsCSVLinked):
			cols = CDRColumnsCSVLinked
		case len(CDRColumnsCustomSample):
			cols = CDRColumnsCustomSample
		default:
			return nil, fmt.Sprintf("expected 18 or 21 columns (cdr_csv) or 19 (cdr_custom sample), got %d; name a custom layout with --cdr-columns", len(rec))
		}
	} else if len(rec) != len(cols) {
		return nil, fmt.Sprintf("expected %d columns (--cdr-columns), got %d", len(cols), len(rec))
	}
	sum := sha256.New()
	row := &cdrRow{line: line, f: make(map[string]string, len(cols))}
	for i, c := range cols {
		sum.Write([]byte(rec[i]))
		sum.Write([]byte{0})
		if c == "-" {
			continue
		}
		row.f[c] = strings.TrimSpace(decodeBytes(rec[i]))
	}
	row.hash = hex.EncodeToString(sum.Sum(nil)[:6])
	if row.get("uniqueid") == "" && row.get("linkedid") == "" {
		return nil, "empty uniqueid and linkedid"
	}
	if len(row.get("uniqueid")) > maxCDRKey || len(row.get("linkedid")) > maxCDRKey {
		return nil, fmt.Sprintf("uniqueid or linkedid longer than %d bytes", maxCDRKey)
	}
	var ok bool
	start := row.get("start")
	if row.start, ok = parseCDRTime(start, opt.Location); !ok || row.start.IsZero() {
		return nil, fmt.Sprintf("bad start date %q", start)
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"answer", &row.answer}, {"end", &row.end}} {
		s := row.get(p.name)
		if s == "" {
			continue
		}
		tm, ok := parseCDRTime(s, opt.Location)
		if !ok {
			return nil, fmt.Sprintf("bad %s date %q", p.name, s)
		}
		if !tm.IsZero() {
			*p.dst = &tm
		}
	}
	if s := row.get("sequence"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Sprintf("bad sequence %q", s)
		}
		row.seq, row.hasSeq = n, true
	}
	return row, ""
}

// decodeBytes returns s when it is UTF-8, else reads it as Latin-1
// (ISO-8859-1: each byte is the code point of the same value). NUL bytes
// (the zeros a crash leaves in a preallocated file) are dropped.
func decodeBytes(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) * 2)
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// maxCDRKey bounds linkedid/uniqueid, which become interaction ids
// (at most 128 characters in EVENTS.md).
const maxCDRKey = 96

// minCDRTime: rastro keeps nothing before 2000 (EVENTS.md); an earlier
// date is a column out of place.
var minCDRTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// parseCDRTime reads "2006-01-02 15:04:05[.ffffff]" in loc, or epoch
// seconds (cdr_custom's ${CDR(start,u)}), UTC. Asterisk's empty time
// ("0000-00-00 00:00:00" in some backends) is the zero time, ok.
func parseCDRTime(s string, loc *time.Location) (time.Time, bool) {
	if s == "" || strings.HasPrefix(s, "0000-00-00") || s == "0" {
		return time.Time{}, true
	}
	if digits(strings.Replace(s, ".", "", 1)) && !strings.HasPrefix(s, ".") {
		sec, frac, _ := strings.Cut(s, ".")
		n, err := strconv.ParseInt(sec, 10, 64)
		if err != nil || n < minCDRTime.Unix() || n > maxEpoch || len(frac) > 9 {
			return time.Time{}, false
		}
		ns, _ := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
		return time.Unix(n, ns).UTC(), true
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if tm, err := time.ParseInLocation(layout, s, loc); err == nil {
			if u := tm.Unix(); u >= minCDRTime.Unix() && u <= maxEpoch {
				return tm.UTC(), true
			}
		}
	}
	return time.Time{}, false
}

// ---- events ----

// emitCall turns the rows of one call into events.
func emitCall(g *cdrGroup, opt CallOptions, emit func(int, model.Event) error) error {
	rows := g.rows
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.hasSeq && b.hasSeq && a.seq != b.seq {
			return a.seq < b.seq
		}
		if !a.start.Equal(b.start) {
			return a.start.Before(b.start)
		}
		return a.line < b.line
	})
	rows = callerRows(g.key, rows)
	first := rows[0]
	ix := g.key
	outbound := opt.outbound(first.get("dcontext"), first.get("src"), first.get("dst"))
	started := first.start
	covered := false // a queue call: the queue_log makes its legs
	for _, r := range rows {
		if r.start.Before(started) {
			started = r.start
		}
		if !opt.QueueLegs && strings.EqualFold(r.get("lastapp"), "queue") {
			covered = true
		}
	}
	ev := rowEvent(first, model.TypeInteractionCreated, started)
	ev.Interaction, ev.Media, ev.Direction = ix, model.MediaVoice, "inbound"
	if outbound {
		ev.Direction = "outbound"
	}
	ev.From, ev.To = callerNumber(first), first.get("dst")
	if err := emit(first.line, ev); err != nil {
		return err
	}
	if covered {
		return queueCallFacts(ix, rows, opt, emit)
	}
	ev = rowEvent(first, model.TypeEnteredOmni, started)
	ev.Interaction = ix
	if err := emit(first.line, ev); err != nil {
		return err
	}
	for _, r := range rows {
		if len(rows) > 1 && !isDestination(r) {
			continue
		}
		for _, e := range legEvents(ix, r, outbound, outlived(r, rows), opt) {
			if err := emit(r.line, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// callerRows are the rows of the caller's own bridges, in order: rows whose
// channel is the caller's (the channel of the row whose uniqueid is the
// call's key, else of its first row), or the ";2" half of a Local pair whose
// ";1" such a row reached (a queue member or destination behind a Local
// channel). The other rows of the call are calls its other parties placed
// meanwhile, which Asterisk links to it (a channel requested by a channel of
// the call inherits its linkedid): an attended transfer's consultation, from
// the transferer's channel (PJSIP/1001 → Local/1003@…;1) and its Local pair
// (Local/1003@…;2 → PJSIP/1003), before the transfer joins the caller to
// the party consulted. They are neither legs nor facts of the caller's legs.
func callerRows(key string, rows []*cdrRow) []*cdrRow {
	side := map[string]bool{callerChannel(key, rows): true}
	for grew := true; grew; {
		grew = false
		for _, r := range rows {
			dst := r.get("dstchannel")
			if side[r.get("channel")] && isLocalChannel(dst) && strings.HasSuffix(dst, ";1") {
				half := strings.TrimSuffix(dst, ";1") + ";2"
				if !side[half] {
					side[half], grew = true, true
				}
			}
		}
	}
	var out []*cdrRow
	for _, r := range rows {
		if ch := r.get("channel"); ch == "" || side[ch] {
			out = append(out, r)
		}
	}
	return out
}

// outlived says whether r's channel (the caller's side) was still on the
// call after r ended: a later row of the same channel starts at or after
// r's end (a transfer, or another destination dialled after this one). The
// first hang-up that ended r was then not that channel's, and a CDR cannot
// tell whose it was (the CEL's hang-up source can).
func outlived(r *cdrRow, rows []*cdrRow) bool {
	if r.end == nil {
		return false
	}
	for _, o := range rows {
		if o != r && o.get("channel") == r.get("channel") && !o.start.Before(*r.end) {
			return true
		}
	}
	return false
}

// queueCallFacts are what the CDR adds to a call the queue_log describes
// (one call, one truth): no legs, only call.updated without leg at the end
// of each row that bridged the caller to an agent (or of the caller's own
// row while it waited), so that rastro gives it to the leg current then —
// the one the queue_log delivered to that agent. It carries the channels,
// the voice server and the call quality; the queue_log keeps what it says
// better (answer and hang-up times, who hung up, Status de voz, the DID).
// Rows that rang a member who did not answer add nothing.
//
// After a transfer (transferredAt) the queue_log may tell nothing more of
// the caller's leg — an attended transfer, app_queue stops following the
// call — so the caller's answered rows from then on also give that leg its
// answer (voice_status answered), and the end of the caller's last row
// finishes it: a leg.finished without leg, which ends the leg current then
// only if nothing else (the queue_log's COMPLETECALLER, the CEL) has —
// "service completed" when that row bridged the caller to someone, else
// "dequeued". Who hung up is not in a CDR, so that leg gets no hang-up
// side from it.
func queueCallFacts(ix string, rows []*cdrRow, opt CallOptions, emit func(int, model.Event) error) error {
	caller := callerChannel(ix, rows)
	xferAt := transferredAt(caller, rows)
	for _, r := range rows {
		if r.get("dstchannel") != "" && r.answer == nil {
			continue
		}
		if r.get("dstchannel") == "" && !strings.EqualFold(r.get("lastapp"), "queue") {
			continue // IVR and announcement rows before the queue
		}
		at := r.start
		if r.end != nil {
			at = *r.end
		}
		ev := rowEvent(r, model.TypeCallUpdated, at)
		ev.Interaction = ix
		ev.ExternalChannel, ev.InternalChannel = r.get("channel"), r.get("dstchannel")
		ev.VoiceServer = opt.voiceServer(r.get("voice_server"))
		q := qualityOf(r)
		ev.JitterMs, ev.PacketLossPct, ev.RttMs = q.JitterMs, q.PacketLossPct, q.RttMs
		if xferAt != nil && r.get("channel") == caller && r.answer != nil && !r.start.Before(*xferAt) {
			ev.AnsweredAt, ev.VoiceStatus = r.answer, "answered"
		}
		if !hasCallFact(&ev) {
			continue
		}
		if err := emit(r.line, ev); err != nil {
			return err
		}
	}
	if xferAt == nil {
		return nil
	}
	last := lastCallerRow(caller, rows)
	if last == nil || !last.end.After(*xferAt) {
		return nil // the call ended with the transfer: nothing is left open
	}
	ev := rowEvent(last, model.TypeLegFinished, *last.end)
	ev.Interaction, ev.Status = ix, "dequeued"
	// Someone took the call only if that row bridged the caller to a
	// party (a dstchannel): a row of the caller alone in an application
	// (an attended transfer into VoiceMail) is answered by the
	// application, as the CEL sees no bridge after the transfer.
	if last.answer != nil && last.get("dstchannel") != "" && !last.start.Before(*xferAt) {
		ev.Status = "service completed"
	}
	return emit(last.line, ev)
}

// callerChannel is the caller's channel: that of the row whose uniqueid is
// the call's key, else of its first row.
func callerChannel(key string, rows []*cdrRow) string {
	for _, r := range rows {
		if r.get("uniqueid") == key {
			return r.get("channel")
		}
	}
	return rows[0].get("channel")
}

// transferredAt is when the caller's first answered bridge it outlived
// ended (outlived): a transfer handed the caller on; nil when there was
// none (a queue timeout that went to another queue was never answered).
func transferredAt(caller string, rows []*cdrRow) *time.Time {
	var at *time.Time
	for _, r := range rows {
		if r.get("channel") == caller && r.answer != nil && r.get("dstchannel") != "" && outlived(r, rows) &&
			(at == nil || r.end.Before(*at)) {
			at = r.end
		}
	}
	return at
}

// lastCallerRow is the caller's row that ended last (the call's end as the
// CDR tells it).
func lastCallerRow(caller string, rows []*cdrRow) *cdrRow {
	var last *cdrRow
	for _, r := range rows {
		if r.get("channel") == caller && r.end != nil && (last == nil || r.end.After(*last.end)) {
			last = r
		}
	}
	return last
}

// rowEvent is an event of row r: its id is
// "cdr:<uniqueid>:<sequence, or a hash of the row>:<type>".
func rowEvent(r *cdrRow, typ string, at time.Time) model.Event {
	return model.Event{ID: "cdr:" + cut(r.get("uniqueid"), 48) + ":" + rowTag(r) + ":" + typ, Type: typ, At: at}
}

func rowTag(r *cdrRow) string {
	if r.hasSeq {
		return strconv.FormatInt(r.seq, 10)
	}
	return r.hash
}

// isDestination: a row that reached, or tried to reach, a destination (a
// Dial or Queue, or a bridged channel); other rows of a multi-row call
// (IVR menus, announcements) are no leg.
func isDestination(r *cdrRow) bool {
	if r.get("dstchannel") != "" {
		return true
	}
	switch strings.ToLower(r.get("lastapp")) {
	case "dial", "queue", "followme", "page":
		return true
	}
	return false
}

// legEvents are the events of one destination row: leg.queued (start),
// leg.delivered (answer, when an agent is known), call.updated and
// leg.finished (end). The row's end is DATA FINALIZAÇÃO CLIENTE unless the
// calling channel outlived the row (outlived): then who hung up is left to
// the CEL.
func legEvents(ix string, r *cdrRow, outbound, outlived bool, opt CallOptions) []model.Event {
	// The leg is named by the channel it reached (the caller's own when
	// none), as the CEL names the same leg.
	ch := r.get("dstchannel")
	if ch == "" {
		ch = r.get("channel")
	}
	leg := celLegID(ix, ch)
	if ch == "" {
		leg = "cdr:" + cut(r.get("uniqueid"), 48) + ":" + rowTag(r)
	}
	var out []model.Event
	ev := rowEvent(r, model.TypeLegQueued, r.start)
	ev.Interaction, ev.Leg, ev.ServiceID = ix, leg, serviceOf(r)
	out = append(out, ev)

	ext, inner := r.get("channel"), r.get("dstchannel")
	if outbound {
		ext, inner = inner, ext
	}
	if r.answer != nil {
		if agent := opt.agent(device(inner)); agent != "" {
			ev = rowEvent(r, model.TypeLegDelivered, *r.answer)
			ev.Interaction, ev.Leg, ev.AgentID = ix, leg, agent
			out = append(out, ev)
		}
	}
	endAt := r.start
	if r.end != nil {
		endAt = *r.end
	}
	ev = rowEvent(r, model.TypeCallUpdated, endAt)
	ev.Interaction, ev.Leg = ix, leg
	ev.DialedNumber = r.get("dst")
	ev.VoiceServer = opt.voiceServer(r.get("voice_server"))
	ev.ExternalChannel, ev.InternalChannel = ext, inner
	ev.AnsweredAt = r.answer
	if !outlived {
		ev.ClientHangupAt = r.end
	}
	ev.VoiceStatus = voiceStatus(r.get("disposition"))
	q := qualityOf(r)
	ev.JitterMs, ev.PacketLossPct, ev.RttMs = q.JitterMs, q.PacketLossPct, q.RttMs
	out = append(out, ev)

	ev = rowEvent(r, model.TypeLegFinished, endAt)
	ev.Interaction, ev.Leg, ev.Status = ix, leg, "dequeued"
	if r.answer != nil || ev.VoiceStatus == "answered" {
		ev.Status = "service completed"
	}
	out = append(out, ev)
	return out
}

// serviceOf is the leg's SERVIÇO: the queue of a Queue() row (first
// argument of lastdata), else the dialplan context.
func serviceOf(r *cdrRow) string {
	if strings.EqualFold(r.get("lastapp"), "queue") {
		if q, _, _ := strings.Cut(r.get("lastdata"), ","); strings.TrimSpace(q) != "" {
			return strings.TrimSpace(q)
		}
	}
	if c := r.get("dcontext"); c != "" {
		return c
	}
	return "asterisk"
}

// voiceStatus maps a CDR disposition to voice_status (README).
func voiceStatus(disposition string) string {
	switch strings.ToUpper(strings.TrimSpace(disposition)) {
	case "ANSWERED":
		return "answered"
	case "NO ANSWER", "NOANSWER":
		return "no_answer"
	case "BUSY", "FAILED", "CONGESTION":
		return "not_connected"
	}
	return ""
}

// device is the endpoint of a channel name: "PJSIP/1001-0000002a" →
// "PJSIP/1001" (the member name queue_log uses), "Local/1001@ctx-00000001;2"
// → "Local/1001@ctx".
func device(ch string) string {
	if ch == "" {
		return ""
	}
	if i := strings.LastIndexByte(ch, ';'); i > 0 {
		ch = ch[:i]
	}
	if i := strings.LastIndexByte(ch, '-'); i > 0 && i > strings.IndexByte(ch, '/') && isHex(ch[i+1:]) {
		ch = ch[:i]
	}
	return ch
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// callerNumber is src, or the number of clid ("Name" <number>) when src
// is empty.
func callerNumber(r *cdrRow) string {
	if s := r.get("src"); s != "" {
		return s
	}
	clid := r.get("clid")
	if i, j := strings.LastIndexByte(clid, '<'), strings.LastIndexByte(clid, '>'); i >= 0 && j > i {
		return strings.TrimSpace(clid[i+1 : j])
	}
	return strings.Trim(clid, `" `)
}

// isOutbound: a call is outbound when its first row goes from an internal
// extension (src of 2 to 6 digits) to an external number (dst of at least
// 8 digits, a leading + allowed); every other call is inbound.
func isOutbound(src, dst string) bool {
	dst = strings.TrimPrefix(dst, "+")
	return digits(src) && len(src) >= 2 && len(src) <= 6 && digits(dst) && len(dst) >= 8
}

// ---- call quality ----

// Quality is the call quality an RTPAUDIOQOS string gives (nil: unknown).
type Quality struct{ JitterMs, PacketLossPct, RttMs *float64 }

// qualityOf reads an RTPAUDIOQOS string from a column named rtpaudioqos
// (or qos), else from the userfield.
func qualityOf(r *cdrRow) Quality {
	for _, name := range []string{"rtpaudioqos", "qos", "userfield"} {
		if s := r.get(name); s != "" {
			if q, ok := ParseRTPQoS(s); ok {
				return q
			}
		}
	}
	return Quality{}
}

// maxRTT: a round-trip time above 10 s is not a measure (the 2009 samples'
// rtt=14818.7).
const maxRTT = 10.0

// ParseRTPQoS reads an RTPAUDIOQOS-style "key=value;…" string (keys vary
// between Asterisk versions; missing keys are tolerated):
//
//	jitter_ms       = 1000 × max(rxjitter, txjitter)            (seconds)
//	packet_loss_pct = 100 × max(lp/(lp+rxcount), rlp/(rlp+txcount)) (counts)
//	rtt_ms          = 1000 × rtt, unless rtt is negative or > 10 s
//
// ok is false when the string holds none of these keys.
func ParseRTPQoS(s string) (q Quality, ok bool) {
	kv := map[string]float64{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' || r == '\t' }) {
		k, v, found := strings.Cut(part, "=")
		if !found {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		kv[strings.ToLower(strings.TrimSpace(k))] = f
	}
	get := func(k string) (float64, bool) { v, ok := kv[k]; return v, ok }
	var jit []float64
	for _, k := range []string{"rxjitter", "txjitter"} {
		if v, ok := get(k); ok && v >= 0 {
			jit = append(jit, v)
		}
	}
	if len(jit) > 0 {
		q.JitterMs = round3(1000 * maxOf(jit))
	}
	var loss []float64
	for _, p := range [][2]string{{"lp", "rxcount"}, {"rlp", "txcount"}} {
		lost, ok1 := get(p[0])
		got, ok2 := get(p[1])
		if !ok1 || !ok2 {
			continue
		}
		if lost < 0 { // duplicates counted as negative loss
			lost = 0
		}
		if lost+got > 0 {
			loss = append(loss, lost/(lost+got))
		}
	}
	if len(loss) > 0 {
		q.PacketLossPct = round3(100 * maxOf(loss))
	}
	if v, ok := get("rtt"); ok && v >= 0 && v <= maxRTT {
		q.RttMs = round3(1000 * v)
	}
	return q, q.JitterMs != nil || q.PacketLossPct != nil || q.RttMs != nil
}

func maxOf(v []float64) float64 {
	m := v[0]
	for _, x := range v[1:] {
		m = math.Max(m, x)
	}
	return m
}

func round3(v float64) *float64 {
	r := math.Round(v*1000) / 1000
	return &r
}
