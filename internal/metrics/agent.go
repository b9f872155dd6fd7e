package metrics

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// Agent span kinds.
const (
	SpanLogin = "login"
	SpanPause = "pause"
	// SpanPauseIn is the part of a pause spent inside the logins of one
	// media (Media; "" = the logins without media): a pause counts for a
	// media only while the agent was logged in to it.
	SpanPauseIn = "pause_in"
)

// DeriveAgentSpans reads one agent's activity (any order) into login periods
// per media and pause periods per reason, clipped into local-hour buckets
// ("AAAA-MM-DD HH" in cfg's zone) and added up per (kind, media, reason,
// bucket). The result is sorted by bucket, kind, media, reason.
//
// Decisions:
//   - A period still open (no logout / pause_ended yet) is not counted: the
//     figures only grow once it closes, so a report never shows time that
//     may never have happened.
//   - agent.login without media covers all media (Media ""). A second login
//     of a media already logged in is ignored (the first one stands).
//   - agent.logout without media closes every open login; with a media it
//     closes that media's login, or, if none is open, the all-media login.
//   - agent.pause_started while paused closes the open pause and opens the
//     new one (a change of reason); a logout that leaves no login open also
//     ends an open pause.
func DeriveAgentSpans(events []model.Event, cfg Config) []model.AgentSpan {
	loc := cfg.Location()
	agent := ""
	type key struct{ kind, media, reason, bucket string }
	acc := map[key]float64{}
	periods := AgentPeriods(events)
	for _, p := range periods {
		if agent == "" {
			agent = p.AgentID
		}
		if p.End == nil {
			continue // still open: not counted yet
		}
		for _, h := range splitHours(p.Start, *p.End, loc) {
			acc[key{p.Kind, p.Media, p.Reason, h.bucket}] += h.seconds
		}
		if p.Kind != SpanPause {
			continue
		}
		// The closed pause inside each login (a login still open goes on):
		// logins of one media never overlap (a second one is ignored).
		for _, l := range periods {
			if l.Kind != SpanLogin {
				continue
			}
			from, to := p.Start, *p.End
			if l.Start.After(from) {
				from = l.Start
			}
			if l.End != nil && l.End.Before(to) {
				to = *l.End
			}
			for _, h := range splitHours(from, to, loc) {
				acc[key{SpanPauseIn, l.Media, p.Reason, h.bucket}] += h.seconds
			}
		}
	}
	out := make([]model.AgentSpan, 0, len(acc))
	for k, s := range acc {
		if s <= 0 {
			continue
		}
		out = append(out, model.AgentSpan{AgentID: agent, Kind: k.kind, Media: k.media, Reason: k.reason, Bucket: k.bucket, Seconds: s})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Bucket != b.Bucket {
			return a.Bucket < b.Bucket
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Media != b.Media {
			return a.Media < b.Media
		}
		return a.Reason < b.Reason
	})
	return out
}

// AgentDaySpans derives one local day (AAAA-MM-DD in cfg's zone) of an
// agent's spans from its events of that day and the day before (so a
// session that started yesterday is counted; one open for more than a
// whole day is cut): the spans of DeriveAgentSpans whose bucket is that day.
func AgentDaySpans(evs []model.Event, cfg Config, day string) ([]model.AgentSpan, error) {
	start, err := time.ParseInLocation("2006-01-02", day, cfg.Location())
	if err != nil {
		return nil, fmt.Errorf("agent day %q: %w", day, err)
	}
	from, to := start.AddDate(0, 0, -1), start.AddDate(0, 0, 1)
	var window []model.Event
	for i := range evs {
		if !evs[i].At.Before(from) && evs[i].At.Before(to) {
			window = append(window, evs[i])
		}
	}
	var spans []model.AgentSpan
	for _, s := range DeriveAgentSpans(window, cfg) {
		if strings.HasPrefix(s.Bucket, day) {
			spans = append(spans, s)
		}
	}
	return spans, nil
}

// AgentPeriod is one login (Kind SpanLogin, with its Media, "" = every
// media) or pause (Kind SpanPause, with its Reason) of an agent, as the
// rules of DeriveAgentSpans read it from the events. End is nil while the
// period is still open.
type AgentPeriod struct {
	AgentID      string
	Kind         string
	Media        string
	Reason       string
	Start        time.Time
	End          *time.Time
	StartEventID string
	EndEventID   string
}

// AgentPeriods reads one agent's activity (any order) into its login and
// pause periods, ordered by start (then kind, media, reason), open ones
// included: the one reading of the activity rules behind DeriveAgentSpans
// (the report's figures) and the agent's day timeline (what happened).
func AgentPeriods(events []model.Event) []AgentPeriod {
	var out []AgentPeriod
	type open struct {
		at time.Time
		id string
	}
	agent := ""
	logins := map[string]open{} // media → since
	var pause *open
	pauseReason := ""
	endPause := func(at time.Time, id string) {
		if pause != nil {
			out = append(out, AgentPeriod{AgentID: agent, Kind: SpanPause, Reason: pauseReason, Start: pause.at, End: timePtr(at), StartEventID: pause.id, EndEventID: id})
			pause = nil
		}
	}
	closeLogin := func(media string, at time.Time, id string) {
		o := logins[media]
		out = append(out, AgentPeriod{AgentID: agent, Kind: SpanLogin, Media: media, Start: o.at, End: timePtr(at), StartEventID: o.id, EndEventID: id})
		delete(logins, media)
	}
	for _, e := range sortEvents(events) {
		if agent == "" {
			agent = e.AgentID
		}
		switch e.Type {
		case model.TypeAgentLogin:
			if _, ok := logins[e.Media]; !ok {
				logins[e.Media] = open{e.At, e.ID}
			}
		case model.TypeAgentLogout:
			if e.Media == "" {
				for _, m := range sortedKeys(logins) {
					closeLogin(m, e.At, e.ID)
				}
			} else if _, ok := logins[e.Media]; ok {
				closeLogin(e.Media, e.At, e.ID)
			} else if _, ok := logins[""]; ok {
				closeLogin("", e.At, e.ID)
			}
			if len(logins) == 0 {
				endPause(e.At, e.ID)
			}
		case model.TypeAgentPauseStart:
			endPause(e.At, e.ID)
			pause, pauseReason = &open{e.At, e.ID}, e.Reason
		case model.TypeAgentPauseEnd:
			endPause(e.At, e.ID)
		}
	}
	for _, m := range sortedKeys(logins) {
		o := logins[m]
		out = append(out, AgentPeriod{AgentID: agent, Kind: SpanLogin, Media: m, Start: o.at, StartEventID: o.id})
	}
	if pause != nil {
		out = append(out, AgentPeriod{AgentID: agent, Kind: SpanPause, Reason: pauseReason, Start: pause.at, StartEventID: pause.id})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Media != b.Media {
			return a.Media < b.Media
		}
		return a.Reason < b.Reason
	})
	return out
}

// LoggedInSeconds is the Tempo logado of spans (one agent's, any hours) for
// a selection of media (nil = every media): per local hour, the longest
// login span among the selected media and the all-media logins (Media ""),
// added up. So a login of one media counts only for that media, a login
// without media counts for every media, and logins of several selected
// media at once count once. The store's and the analytics engine's SQL
// compute this same rule (agentTimes).
func LoggedInSeconds(spans []model.AgentSpan, media []string) float64 {
	selected := func(m string) bool {
		if m == "" || media == nil {
			return true
		}
		for _, s := range media {
			if s == m {
				return true
			}
		}
		return false
	}
	longest := map[string]float64{}
	for _, s := range spans {
		if s.Kind == SpanLogin && selected(s.Media) && s.Seconds > longest[s.Bucket] {
			longest[s.Bucket] = s.Seconds
		}
	}
	total := 0.0
	for _, b := range sortedKeys(longest) {
		total += longest[b]
	}
	return total
}

type hourPiece struct {
	bucket  string
	seconds float64
}

// splitHours cuts [from, to) at the local hour boundaries of loc.
func splitHours(from, to time.Time, loc *time.Location) []hourPiece {
	var out []hourPiece
	for cur := from; cur.Before(to); {
		l := cur.In(loc)
		next := time.Date(l.Year(), l.Month(), l.Day(), l.Hour()+1, 0, 0, 0, loc)
		if !next.After(cur) { // a zone transition; never loop forever
			next = cur.Add(time.Hour).Truncate(time.Hour)
			if !next.After(cur) {
				next = cur.Add(time.Hour)
			}
		}
		if next.After(to) {
			next = to
		}
		out = append(out, hourPiece{HourBucket(cur, loc), next.Sub(cur).Seconds()})
		cur = next
	}
	return out
}

// PausedSeconds is the pause time of spans (one agent's, any hours) per
// reason for a selection of media. Without media (nil) every pause counts
// whole, logged in or not. With media, a pause counts only while the agent
// was logged in to a selected media or without media (SpanPauseIn): per
// local hour and reason, the longest such part among those media, added
// up — the rule of LoggedInSeconds, so pauses inside logins of several
// selected media at once count once. The store's and the analytics
// engine's SQL compute this same rule (agentTimes).
func PausedSeconds(spans []model.AgentSpan, media []string) map[string]float64 {
	out := map[string]float64{}
	if media == nil {
		for _, s := range spans {
			if s.Kind == SpanPause {
				out[s.Reason] += s.Seconds
			}
		}
		return out
	}
	type hr struct{ bucket, reason string }
	longest := map[hr]float64{}
	for _, s := range spans {
		if s.Kind != SpanPauseIn || (s.Media != "" && !slices.Contains(media, s.Media)) {
			continue
		}
		if k := (hr{s.Bucket, s.Reason}); s.Seconds > longest[k] {
			longest[k] = s.Seconds
		}
	}
	keys := make([]hr, 0, len(longest))
	for k := range longest {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].reason != keys[j].reason {
			return keys[i].reason < keys[j].reason
		}
		return keys[i].bucket < keys[j].bucket
	})
	for _, k := range keys {
		out[k.reason] += longest[k]
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
