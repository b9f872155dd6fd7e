package demo

import (
	"slices"
	"sort"
	"time"

	"github.com/rastro/rastro/internal/model"
)

type pause struct {
	from, to time.Time
	reason   string
}

// login is a period logged in to one media.
type login struct {
	media    string
	from, to time.Time
}

// agentDay emits the logins (one media after the other, as the agent's day
// plans them), pauses and logouts of every agent working day d, in time
// order.
func (g *gen) agentDay(d int, dayStart time.Time) {
	dayEnd := dayStart.Add(24*time.Hour - time.Second)
	for ai := range g.agents {
		if !g.works(ai, d) {
			continue
		}
		a := &g.agents[ai]
		bs := a.blocks
		in := dayStart.Add(bs[0].from - 12*time.Minute + g.between(0, 20*time.Minute))
		out := dayStart.Add(bs[len(bs)-1].to + g.between(-5*time.Minute, 15*time.Minute))
		if out.After(dayEnd) {
			out = dayEnd.Add(-g.between(0, 5*time.Minute))
		}
		// The media changes within a few seconds of the planned time.
		var ls []login
		from := in
		for k, b := range bs {
			to := out
			if k+1 < len(bs) {
				to = dayStart.Add(b.to + g.between(0, 90*time.Second))
			}
			ls = append(ls, login{b.media, from, to})
			from = to.Add(g.between(time.Second, 20*time.Second))
		}
		length := out.Sub(in)
		var ps []pause
		lunch := 20 * time.Minute
		if length >= 7*time.Hour {
			lunch = time.Hour
		}
		if length >= 3*time.Hour {
			s := in.Add(length/2 - lunch/2 + g.between(-30*time.Minute, 30*time.Minute))
			ps = append(ps, pause{s, s.Add(lunch + g.between(-2*time.Minute, 5*time.Minute)), "Almoço"})
		}
		if length >= time.Hour {
			for k := 1 + g.r.IntN(2); k > 0; k-- {
				s := in.Add(g.between(20*time.Minute, length-30*time.Minute))
				ps = append(ps, pause{s, s.Add(g.between(3*time.Minute, 10*time.Minute)), "Banheiro"})
			}
		}
		if length >= 2*time.Hour && g.chance(0.12) {
			s := in.Add(g.between(30*time.Minute, length-90*time.Minute))
			ps = append(ps, pause{s, s.Add(g.between(40*time.Minute, 60*time.Minute)), "Treinamento"})
		}
		if length >= time.Hour && g.chance(0.12) {
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
			if p.to.After(out.Add(-5*time.Minute)) || !p.from.After(in) {
				continue
			}
			kept = append(kept, p)
		}
		ps = kept

		var evs []model.Event
		add := func(typ string, at time.Time, media, reason string) {
			evs = append(evs, model.Event{Type: typ, At: at, AgentID: a.id, Media: media, Reason: reason})
		}
		twoLogins := g.chance(0.12)
		for _, p := range ps {
			i := slices.IndexFunc(ls, func(l login) bool { return p.from.After(l.from) && p.to.Before(l.to) })
			if twoLogins && p.reason == "Almoço" && i >= 0 {
				// Logged out for lunch, logged in again after it (a lunch
				// within one media's login).
				l := ls[i]
				ls = slices.Insert(ls, i+1, login{l.media, p.to, l.to})
				ls[i].to = p.from
				continue
			}
			add(model.TypeAgentPauseStart, p.from, "", p.reason)
			add(model.TypeAgentPauseEnd, p.to, "", "")
		}
		for _, l := range ls {
			add(model.TypeAgentLogin, l.from, l.media, "")
			add(model.TypeAgentLogout, l.to, l.media, "")
		}
		slices.SortStableFunc(evs, func(x, y model.Event) int { return x.At.Compare(y.At) })
		for _, e := range evs {
			g.emit(e)
		}
	}
}
