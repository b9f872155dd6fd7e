package demo

import (
	"sort"
	"time"

	"github.com/rastro/rastro/internal/model"
)

type pause struct {
	from, to time.Time
	reason   string
}

// agentDay emits the logins, pauses and logouts of every agent working day d.
func (g *gen) agentDay(d int, dayStart time.Time) {
	dayEnd := dayStart.Add(24*time.Hour - time.Second)
	for ai := range g.agents {
		if !g.works(ai, d) {
			continue
		}
		a := &g.agents[ai]
		in := dayStart.Add(time.Duration(a.shift.from)*time.Hour - 12*time.Minute + g.between(0, 20*time.Minute))
		out := dayStart.Add(time.Duration(a.shift.to)*time.Hour + g.between(-5*time.Minute, 15*time.Minute))
		if out.After(dayEnd) {
			out = dayEnd.Add(-g.between(0, 5*time.Minute))
		}
		length := out.Sub(in)
		var ps []pause
		lunch := 20 * time.Minute
		if length >= 7*time.Hour {
			lunch = time.Hour
		}
		ls := in.Add(length/2 - lunch/2 + g.between(-30*time.Minute, 30*time.Minute))
		ps = append(ps, pause{ls, ls.Add(lunch + g.between(-2*time.Minute, 5*time.Minute)), "Almoço"})
		for k := 1 + g.r.IntN(2); k > 0; k-- {
			s := in.Add(g.between(20*time.Minute, length-30*time.Minute))
			ps = append(ps, pause{s, s.Add(g.between(3*time.Minute, 10*time.Minute)), "Banheiro"})
		}
		if g.chance(0.08) {
			s := in.Add(g.between(30*time.Minute, length-90*time.Minute))
			ps = append(ps, pause{s, s.Add(g.between(40*time.Minute, 60*time.Minute)), "Treinamento"})
		}
		if g.chance(0.12) {
			s := in.Add(g.between(30*time.Minute, length-40*time.Minute))
			ps = append(ps, pause{s, s.Add(g.between(10*time.Minute, 20*time.Minute)), "Feedback"})
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i].from.Before(ps[j].from) })
		// Drop overlapping pauses (the earlier one wins).
		kept := ps[:0]
		for _, p := range ps {
			if len(kept) > 0 && !p.from.After(kept[len(kept)-1].to.Add(time.Minute)) {
				continue
			}
			if p.to.After(out.Add(-5 * time.Minute)) {
				continue
			}
			kept = append(kept, p)
		}
		ps = kept
		twoLogins := g.chance(0.12)

		media := a.loginMedia
		if len(media) == 0 {
			media = []string{""}
		}
		login := func(t time.Time) {
			for i, m := range media {
				g.emit(model.Event{Type: model.TypeAgentLogin, At: t.Add(time.Duration(i) * 700 * time.Millisecond), AgentID: a.id, Media: m})
			}
		}
		logout := func(t time.Time) {
			for i, m := range media {
				g.emit(model.Event{Type: model.TypeAgentLogout, At: t.Add(time.Duration(i) * 400 * time.Millisecond), AgentID: a.id, Media: m})
			}
		}
		login(in)
		for _, p := range ps {
			if twoLogins && p.reason == "Almoço" {
				// Logged out for lunch, logged in again after it.
				logout(p.from)
				login(p.to)
				continue
			}
			g.emit(model.Event{Type: model.TypeAgentPauseStart, At: p.from, AgentID: a.id, Reason: p.reason})
			g.emit(model.Event{Type: model.TypeAgentPauseEnd, At: p.to, AgentID: a.id})
		}
		logout(out)
	}
}
