package metrics

import (
	"sort"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// Agent span kinds.
const (
	SpanLogin = "login"
	SpanPause = "pause"
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
	evs := sortEvents(events)
	loc := cfg.Location()
	agent := ""
	type key struct{ kind, media, reason, bucket string }
	acc := map[key]float64{}
	add := func(kind, media, reason string, from, to time.Time) {
		for _, p := range splitHours(from, to, loc) {
			acc[key{kind, media, reason, p.bucket}] += p.seconds
		}
	}
	logins := map[string]time.Time{} // media → since
	var pauseAt *time.Time
	pauseReason := ""
	endPause := func(at time.Time) {
		if pauseAt != nil {
			add(SpanPause, "", pauseReason, *pauseAt, at)
			pauseAt = nil
		}
	}
	closeLogin := func(media string, at time.Time) {
		add(SpanLogin, media, "", logins[media], at)
		delete(logins, media)
	}
	for _, e := range evs {
		if agent == "" {
			agent = e.AgentID
		}
		switch e.Type {
		case model.TypeAgentLogin:
			if _, ok := logins[e.Media]; !ok {
				logins[e.Media] = e.At
			}
		case model.TypeAgentLogout:
			if e.Media == "" {
				for _, m := range sortedKeys(logins) {
					closeLogin(m, e.At)
				}
			} else if _, ok := logins[e.Media]; ok {
				closeLogin(e.Media, e.At)
			} else if _, ok := logins[""]; ok {
				closeLogin("", e.At)
			}
			if len(logins) == 0 {
				endPause(e.At)
			}
		case model.TypeAgentPauseStart:
			endPause(e.At)
			pauseAt, pauseReason = timePtr(e.At), e.Reason
		case model.TypeAgentPauseEnd:
			endPause(e.At)
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

func sortedKeys(m map[string]time.Time) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
