package demo

import (
	"math"
	"strconv"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// Staffing: the demo's agents are fitted to the volume it generates, the
// way a workforce planner sizes a team (Erlang-style workload): for each
// media, the agent time its legs bring (legs × handle time, the handle time
// being the Relatório de Agentes' DURAÇÃO) divided by a target occupancy
// gives the logged-in hours the media needs; those hours are cut into
// 15-minute units and poured into agent days of at most 7 h 30. An agent
// logs in to each media of its day in turn (login and logout with the
// media), so the Relatório de Agentes filtered by a media shows that
// team's occupancy. The staffing follows the offered load, not a constant:
// 3,000 legs a month make a handful of agents, a million some hundreds.

// targetOccupancy is the occupancy the plan staffs for: the middle of the
// 60–85 % band a supervisor reads as healthy.
const targetOccupancy = 0.72

// loadPerLeg is the agent time one leg of the demo month brings to each
// media's team, on average over all the month's legs (Σ DURAÇÃO of that
// media's legs ÷ every leg of the month, in seconds). It is a property of
// the generator's timing model, not of the volume; measured on the default
// month (TestStaffingLoadMatchesTheGeneratedMonth keeps each within 12 % of
// what the generator really produces, so a change of timings that is not
// carried here fails there).
var loadPerLeg = map[string]float64{
	model.MediaVoice:       73,
	model.MediaWhatsApp:    335,
	model.MediaChat:        88,
	model.MediaInstagram:   82,
	model.MediaSMS:         76,
	model.MediaEmail:       283,
	model.MediaReclameAqui: 244,
}

// staffMedia is the order the plan pours the media into the agents' days:
// voice first, so that the voice part of a day starts it (the phone lines
// open 8h–20h).
var staffMedia = []string{
	model.MediaVoice, model.MediaWhatsApp, model.MediaChat, model.MediaInstagram,
	model.MediaSMS, model.MediaEmail, model.MediaReclameAqui,
}

const (
	staffUnit     = 15 * time.Minute
	maxDayUnits   = 30 // 7 h 30: the longest agent day
	minMediaUnits = 2  // 30 min: the least a media is staffed on a full day
	pieceUnits    = 8  // 2 h: the longest stretch of one media in a day
	minAgents     = 6  // the smallest team, however small the month
	opensAt       = 8 * time.Hour
	voiceCloses   = 20 * time.Hour
	dayCloses     = 24 * time.Hour
	attendance    = 0.96 // an agent misses ~4 % of the days it is scheduled
)

// block is a part of an agent's day logged in to one media, as offsets from
// the day's midnight.
type block struct {
	media    string
	from, to time.Duration
}

// presence is the share of the team that works day d: all of it on a
// weekday, as much as the day's volume asks on weekends (dayWeight), less
// the absences.
func (g *gen) presence(d int) float64 { return g.dayWeight(d) * attendance }

// staffPlan cuts each media's logged-in hours into the agents' days: it
// returns the day (blocks) of each agent of the plan.
func (g *gen) staffPlan() [][]block {
	presenceDays := 0.0
	for d := 0; d < g.opt.Days; d++ {
		presenceDays += g.presence(d)
	}
	units := make([]int, len(staffMedia))
	total := 0
	for i, m := range staffMedia {
		// Seconds logged in to m per day on which the whole team works.
		perDay := float64(g.opt.Legs) * loadPerLeg[m] / targetOccupancy / presenceDays
		units[i] = max(minMediaUnits, int(math.Round(perDay/staffUnit.Seconds())))
		total += units[i]
	}
	// A small month (the tests' few hundred legs) still has a team: shorter
	// days rather than fewer agents, so the logged-in hours stay the plan's.
	n := max(minAgents, (total+maxDayUnits-1)/maxDayUnits)
	capUnits := max(1, (total+n-1)/n)
	// Each media's units in pieces of at most 2 h, the media taken in turn,
	// so that a media's hours fall in several agents' days at different
	// times of the day rather than in one stretch.
	var pieces []block
	for round := 0; ; round++ {
		added := false
		for i, m := range staffMedia {
			k := (units[i] + pieceUnits - 1) / pieceUnits // pieces of m
			if round < k {
				size := units[i]/k + b2i(round < units[i]%k)
				pieces = append(pieces, block{media: m, to: time.Duration(size) * staffUnit})
				added = true
			}
		}
		if !added {
			break
		}
	}
	days := make([][]block, 0, n)
	var cur []block
	used := 0
	for _, p := range pieces {
		left := int(p.to / staffUnit)
		for left > 0 {
			if used == capUnits {
				days = append(days, cur)
				cur, used = nil, 0
			}
			take := min(left, capUnits-used)
			if k := len(cur) - 1; k >= 0 && cur[k].media == p.media {
				cur[k].to += time.Duration(take) * staffUnit
			} else {
				cur = append(cur, block{media: p.media, from: time.Duration(used) * staffUnit, to: time.Duration(used+take) * staffUnit})
			}
			used += take
			left -= take
		}
	}
	days = append(days, cur)
	// Spread the days' starts from 8h to the latest start that keeps a
	// voice part before 20h and the day before midnight.
	for i, bs := range days {
		length := bs[len(bs)-1].to
		latest := dayCloses - length
		for _, b := range bs {
			if b.media == model.MediaVoice {
				latest = min(latest, voiceCloses-b.to)
			}
		}
		latest = max(latest, opensAt)
		start := opensAt
		if len(days) > 1 {
			start += (latest - opensAt) * time.Duration(i) / time.Duration(len(days)-1)
		}
		start = start.Truncate(staffUnit)
		for k := range bs {
			bs[k].from += start
			bs[k].to += start
		}
	}
	return days
}

// staff builds the agents from the plan: one per planned day, then two
// hired during the month who take over the days of two who leave, and one
// registered who never works. team lists each media's agents.
func (g *gen) staff() {
	plan := g.staffPlan()
	n := len(plan)
	g.agents = make([]agent, 0, n+3)
	for i, bs := range plan {
		g.agents = append(g.agents, newAgent(i, bs, g.seed))
	}
	if n >= 4 && g.opt.Days >= 3 {
		change := max(1, g.opt.Days*2/3)
		for _, leaving := range []int{n - 2, n - 3} {
			g.agents[leaving].inactiveFrom = change
			hired := newAgent(len(g.agents), plan[leaving], g.seed)
			hired.activeFrom = change
			g.agents = append(g.agents, hired)
		}
	}
	never := newAgent(len(g.agents), nil, g.seed)
	never.inactiveFrom = 0
	g.agents = append(g.agents, never)

	for i := range g.agents {
		g.agents[i].days = g.workDays(i)
	}
	g.team = map[string][]int{}
	for i, a := range g.agents {
		seen := map[string]bool{}
		for _, b := range a.blocks {
			if !seen[b.media] {
				seen[b.media] = true
				g.team[b.media] = append(g.team[b.media], i)
			}
		}
	}
}

// newAgent is agent i of the directory with the given day.
func newAgent(i int, bs []block, seed int64) agent {
	h := mix(uint64(seed), 0xA6E, uint64(i))
	a := agent{id: "ag-" + pad(i+1, 3), blocks: bs, inactiveFrom: -1}
	fn := firstNames[i%len(firstNames)]
	ln := lastNames[(i*7+i/len(firstNames))%len(lastNames)]
	a.name = fn + " " + ln
	if i%5 == 2 {
		a.name += " " + lastNames[(i*13+3)%len(lastNames)]
	}
	for _, b := range bs {
		if b.media == model.MediaVoice {
			a.ext = strconv.Itoa(7001 + i)
		}
	}
	a.svcs = []int{i % len(services)}
	if extra := int(h % uint64(len(services))); extra != a.svcs[0] {
		a.svcs = append(a.svcs, extra)
	}
	switch i % 10 {
	case 0, 3, 7:
		a.tags = append(a.tags, "junior")
	case 1, 4, 8, 9:
		a.tags = append(a.tags, "pleno")
	default:
		a.tags = append(a.tags, "senior")
	}
	if len(bs) > 0 && bs[len(bs)-1].to > voiceCloses {
		a.tags = append(a.tags, "noturno")
	}
	if i%7 == 3 {
		a.tags = append(a.tags, "bilingue")
	}
	if i%11 == 4 {
		a.tags = append(a.tags, "backoffice")
	}
	return a
}

// workDays are the days agent i works: every weekday but ~4 % absences,
// on weekends as much as the day's volume asks (presence). Each agent works
// on the days its running total of presence, from an offset of its own,
// passes a whole number: so every agent works its share of the month to a
// day, and on each day about presence × the team works. (Days drawn one by
// one made a team of two agents swing ±10 % in logged-in time, and its
// occupancy with it.)
func (g *gen) workDays(i int) []bool {
	a := &g.agents[i]
	days := make([]bool, g.opt.Days)
	if len(a.blocks) == 0 {
		return days
	}
	sum := float64(mix(uint64(g.seed), 0xDA1, uint64(i))%1000) / 1000
	for d := range days {
		before := math.Floor(sum)
		sum += g.presence(d)
		days[d] = math.Floor(sum) > before && d >= a.activeFrom && (a.inactiveFrom < 0 || d < a.inactiveFrom)
	}
	return days
}

// onDuty says whether agent ai is scheduled on media at t (its day's block
// of that media covers t's time of day).
func (g *gen) onDuty(ai int, media string, t time.Time) bool {
	d := g.dayOf(t)
	if !g.works(ai, d) {
		return false
	}
	off := t.Sub(g.start.AddDate(0, 0, d))
	for _, b := range g.agents[ai].blocks {
		if b.media == media && off >= b.from && off < b.to {
			return true
		}
	}
	return false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
