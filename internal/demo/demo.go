// Package demo generates a deterministic, realistic month of a Brazilian
// contact center as rastro events (EVENTS.md): directory, interactions and
// legs of every media, voice calls with IVR, Fluxo Ágil bot conversations and
// agent activity. The same Options always give the same event stream.
package demo

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// Options of a demo data set.
type Options struct {
	Tenant string    // the tenant the events are loaded into (events carry no tenant field)
	Legs   int       // approximate number of finished legs (default 3000)
	Start  time.Time // first day; its calendar date is taken at 00:00 -03:00 (default 2026-10-01)
	Days   int       // default 30
	Seed   int64     // default 1
}

// Zone is the demo's America/Sao_Paulo: fixed -03:00 (Brazil has no DST
// since 2019), so the output does not depend on the system's tzdata.
var Zone = time.FixedZone("-03", -3*3600)

// DefaultStart is the first day of the default data set.
var DefaultStart = time.Date(2026, 10, 1, 0, 0, 0, 0, Zone)

func (o Options) withDefaults() Options {
	if o.Legs <= 0 {
		o.Legs = 3000
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	} else {
		y, m, d := o.Start.Date()
		o.Start = time.Date(y, m, d, 0, 0, 0, 0, Zone)
	}
	if o.Days <= 0 {
		o.Days = 30
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

type lateEvent struct {
	release int // emit once this many interactions are done
	ev      model.Event
}

type gen struct {
	ctx        context.Context
	opt        Options
	seed       int64
	r          *rand.Rand
	start, end time.Time
	out        func(model.Event) error
	err        error

	nEvents int64
	nInter  int
	nDone   int // interactions flushed
	nChan   int
	nMsg    int
	nConv   int
	nProto  int
	legs    int // finished legs so far

	nCounted  map[string]int // occurrences so far, per kind (counted)
	mediaDraw float64        // the last point of pickMedia's sequence

	agents    []agent
	team      map[string][]int // media → its agents (staff)
	nContacts int              // regular contacts: ct-000001 … ct-<nContacts>
	batches   []batchDef
	lateCt    map[int]bool // contacts whose upsert is emitted at the end

	buf  []model.Event // the current interaction's events
	late []lateEvent
}

// Generate calls emit for every event of the data set, in a realistic arrival
// order: the directory first, then day by day the agents' activity and the
// interactions and bot conversations in the order they started; now and
// then an event arrives late, after later interactions. It stops at the
// first error of emit (or of ctx) and returns it.
func Generate(ctx context.Context, opt Options, emit func(model.Event) error) error {
	opt = opt.withDefaults()
	g := &gen{
		ctx: ctx, opt: opt, seed: opt.Seed, out: emit,
		r:     newRand(uint64(opt.Seed), 0x5EED, 0),
		start: opt.Start, end: opt.Start.AddDate(0, 0, opt.Days),
	}
	g.setup()
	g.run()
	return g.err
}

func (g *gen) setup() {
	o := g.opt
	g.staff()
	g.nContacts = max(200, o.Legs/4)
	per := max(8, o.Legs/200)
	lo := g.nContacts
	nb := 0
	for ci, cl := range botClients {
		for ki, cp := range cl.campaigns {
			n := 2 + (ci+ki)%2
			for b := 0; b < n; b++ {
				nb++
				_ = cp
				g.batches = append(g.batches, batchDef{
					id:     "lote-" + pad(nb, 3),
					client: ci, campaign: ki,
					contactLo: lo, contactN: per + (nb*7)%(per/2+1),
				})
				lo += g.batches[len(g.batches)-1].contactN
			}
		}
	}
	// Spread the batches over the month: each runs ~ a third of it.
	span := max(1, o.Days/3)
	for i := range g.batches {
		b := &g.batches[i]
		b.firstDay = i * max(1, o.Days-span) / len(g.batches)
		b.lastDay = min(o.Days-1, b.firstDay+span)
		day := g.start.AddDate(0, 0, b.firstDay)
		b.name = "Lote " + pad(i+1, 2) + " – " + botClients[b.client].campaigns[b.campaign].name + " – " + day.Format("02/01")
	}
	g.lateCt = map[int]bool{}
	g.nCounted = map[string]int{}
	g.mediaDraw = float64(mix(uint64(g.seed), 0x3ED1A)%1000) / 1000
}

func (g *gen) ok() bool {
	if g.err == nil {
		g.err = g.ctx.Err()
	}
	return g.err == nil
}

// emit sends one event now, numbering it.
func (g *gen) emit(e model.Event) {
	if g.err != nil {
		return
	}
	g.nEvents++
	// Millisecond precision on the wire; truncation keeps the order.
	e.At = e.At.Truncate(time.Millisecond)
	for _, p := range []**time.Time{&e.AnsweredAt, &e.ClientHangupAt, &e.AgentHangupAt} {
		if *p != nil {
			v := (*p).Truncate(time.Millisecond)
			*p = &v
		}
	}
	e.ID = "demo-" + strconv.FormatInt(g.nEvents, 10)
	g.err = g.out(e)
}

func (g *gen) run() {
	g.directory()
	totalW := 0.0
	for d := 0; d < g.opt.Days; d++ {
		totalW += g.dayWeight(d)
	}
	cumW := 0.0
	for d := 0; d < g.opt.Days && g.ok(); d++ {
		cumW += g.dayWeight(d)
		target := float64(g.opt.Legs) * cumW / totalW
		g.day(d, target)
	}
	// Whatever is still held back, then the contacts and updates that arrive
	// after the facts that name them.
	for _, l := range g.late {
		g.emit(l.ev)
	}
	g.late = nil
	g.lateDirectory()
}

func (g *gen) weekday(d int) int { return int(g.start.AddDate(0, 0, d).Weekday()) }

func (g *gen) dayWeight(d int) float64 {
	switch g.weekday(d) {
	case 6:
		return 0.55
	case 0:
		return 0.3
	}
	return 1
}

var hourWeights = [24]float64{
	0.04, 0.03, 0.02, 0.02, 0.02, 0.03, 0.08, 0.3,
	0.9, 1.3, 1.5, 1.45, 1.05, 1.15, 1.4, 1.35,
	1.25, 1.05, 0.75, 0.5, 0.3, 0.2, 0.12, 0.07,
}

var hourCum = func() (c [24]float64) {
	s := 0.0
	for i, w := range hourWeights {
		s += w
		c[i] = s
	}
	return
}()

// offsetInDay draws a time of day, business hours weighted.
func (g *gen) offsetInDay() time.Duration {
	x := g.r.Float64() * hourCum[23]
	h := sort.SearchFloat64s(hourCum[:], x)
	return time.Duration(h)*time.Hour + time.Duration(g.r.Int64N(int64(time.Hour/time.Millisecond)))*time.Millisecond
}

type startItem struct {
	at  time.Time
	bot bool
}

func (g *gen) day(d int, target float64) {
	dayStart := g.start.AddDate(0, 0, d)
	g.agentDay(d, dayStart)

	// Bot conversations of the day.
	botPerDay := float64(g.opt.Legs) / 10 / float64(g.opt.Days) * g.dayWeight(d) * 1.3
	nb := int(botPerDay)
	if g.r.Float64() < botPerDay-float64(nb) {
		nb++
	}
	expectLegs := float64(nb) * 0.2 * 1.05
	ni := int(math.Round((target - float64(g.legs) - expectLegs) / 1.06))
	items := make([]startItem, 0, nb+max(ni, 0))
	for i := 0; i < nb; i++ {
		off := 8*time.Hour + time.Duration(g.r.Int64N(int64(11*time.Hour/time.Second)))*time.Second
		items = append(items, startItem{dayStart.Add(off), true})
	}
	for i := 0; i < ni; i++ {
		items = append(items, startItem{dayStart.Add(g.offsetInDay()), false})
	}
	slices.SortStableFunc(items, func(a, b startItem) int { return a.at.Compare(b.at) })
	for i, it := range items {
		if i%64 == 0 && !g.ok() {
			return
		}
		if it.bot {
			g.botConversation(d, it.at)
		} else {
			g.interaction(it.at, g.pickMedia(it.at), nil)
		}
	}
}

var mediaShares = []struct {
	media string
	w     float64
}{
	{model.MediaVoice, 0.33}, {model.MediaWhatsApp, 0.27}, {model.MediaChat, 0.15}, {model.MediaEmail, 0.10},
	{model.MediaInstagram, 0.06}, {model.MediaSMS, 0.05}, {model.MediaReclameAqui, 0.04},
}

// pickMedia picks the media of an interaction started at. The draws walk a
// golden-ratio sequence instead of independent random numbers, so the
// month's media mix is mediaShares to a few legs at any size: a drawn mix
// moved a small media's volume (150 SMS legs of 3,000) by ±8 %, and its
// team's occupancy with it.
func (g *gen) pickMedia(at time.Time) string {
	h := at.Hour()
	for {
		g.mediaDraw = math.Mod(g.mediaDraw+0.6180339887498949, 1)
		x := g.mediaDraw
		m := mediaShares[len(mediaShares)-1].media
		for _, s := range mediaShares {
			if x < s.w {
				m = s.media
				break
			}
			x -= s.w
		}
		if m == model.MediaVoice && (h < 8 || h >= 20) {
			continue // the phone lines open 8h–20h
		}
		return m
	}
}

// ---- directory -----------------------------------------------------------------

func (g *gen) directory() {
	t := g.start
	tick := func() time.Time { t = t.Add(time.Second); return t }
	for _, s := range services {
		g.emit(model.Event{Type: model.TypeServiceUpserted, At: tick(), Service: &model.Named{ID: s.id, Name: s.name}})
	}
	for _, s := range finalizationTags {
		g.emit(model.Event{Type: model.TypeTagUpserted, At: tick(), Tag: &model.Named{ID: s.id, Name: s.name}})
	}
	for _, v := range ivrs {
		g.emit(model.Event{Type: model.TypeIVRUpserted, At: tick(), IVR: &model.Named{ID: v.id, Name: v.name}})
	}
	for i := range g.agents {
		a := &g.agents[i]
		st := "ativo"
		if a.inactiveFrom == 0 {
			st = "inativo"
		}
		g.emit(model.Event{Type: model.TypeUserUpserted, At: tick(), User: &model.User{ID: a.id, Name: a.name, Tags: a.tags, Status: st, Extension: a.ext}})
	}
	for _, cl := range botClients {
		g.emit(model.Event{Type: model.TypeClientUpserted, At: tick(), Client: &model.Named{ID: cl.id, Name: cl.name}})
		for _, cp := range cl.campaigns {
			g.emit(model.Event{Type: model.TypeCampaignUpserted, At: tick(), Campaign: &model.Campaign{ID: cp.id, Name: cp.name, ClientID: cl.id}})
		}
	}
	for _, b := range g.batches {
		at := g.start.Add(time.Duration(b.firstDay)*24*time.Hour + 7*time.Hour)
		g.emit(model.Event{Type: model.TypeBatchUpserted, At: at, Batch: &model.Batch{ID: b.id, Name: b.name, CampaignID: botClients[b.client].campaigns[b.campaign].id}})
		for k := 0; k < b.contactN; k++ {
			c := g.batchContact(b, k)
			g.emit(model.Event{Type: model.TypeContactUpserted, At: at.Add(time.Duration(k) * time.Millisecond), Contact: c.model()})
		}
	}
	for i := 0; i < g.nContacts; i++ {
		if mix(uint64(g.seed), 0x1A7E, uint64(i))%100 < 3 {
			g.lateCt[i] = true // arrives after its interactions
			continue
		}
		c := g.contactAt(i)
		g.emit(model.Event{Type: model.TypeContactUpserted, At: t.Add(time.Duration(i+1) * time.Millisecond), Contact: c.model()})
	}
}

func (g *gen) batchContact(b batchDef, k int) contact {
	c := g.contactAt(b.contactLo + k)
	c.batch = b.id
	return c
}

// lateDirectory: contacts that arrive after their interactions, agents that
// leave during the month, contacts that got a new e-mail.
func (g *gen) lateDirectory() {
	for i := 0; i < g.nContacts; i++ {
		if g.lateCt[i] {
			c := g.contactAt(i)
			g.emit(model.Event{Type: model.TypeContactUpserted, At: g.start.Add(time.Duration(i) * time.Millisecond), Contact: c.model()})
		}
	}
	for i := range g.agents {
		a := &g.agents[i]
		if a.inactiveFrom > 0 {
			at := g.start.AddDate(0, 0, a.inactiveFrom).Add(-2 * time.Hour)
			g.emit(model.Event{Type: model.TypeUserUpserted, At: at, User: &model.User{ID: a.id, Name: a.name, Tags: a.tags, Status: "inativo", Extension: a.ext}})
		}
	}
	mid := g.start.Add(g.end.Sub(g.start) / 2)
	for i := 0; i < g.nContacts; i += 50 {
		c := g.contactAt(i)
		c.emails = append(c.emails[:len(c.emails):len(c.emails)], "novo."+pad(i+1, 6)+"@email.com.br")
		g.emit(model.Event{Type: model.TypeContactUpserted, At: mid.Add(time.Duration(i) * time.Millisecond), Contact: c.model()})
	}
}

// ---- helpers ---------------------------------------------------------------------

type randSource interface{ IntN(int) int }

func mix(xs ...uint64) uint64 {
	h := uint64(0x9E3779B97F4A7C15)
	for _, x := range xs {
		h ^= x + 0x9E3779B97F4A7C15 + h<<6 + h>>2
		h = splitmix(h)
	}
	return h
}

func splitmix(z uint64) uint64 {
	z += 0x9E3779B97F4A7C15
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

func newRand(seed, kind, i uint64) *rand.Rand {
	return rand.New(rand.NewPCG(mix(seed, kind), mix(seed, kind, i)))
}

// between draws a uniform duration in [a, b].
func (g *gen) between(a, b time.Duration) time.Duration {
	if b <= a {
		return a
	}
	return a + time.Duration(g.r.Int64N(int64(b-a)+1))
}

// logn draws a log-normal duration with the given median, clamped.
func (g *gen) logn(median time.Duration, sigma float64, lo, hi time.Duration) time.Duration {
	d := time.Duration(float64(median) * math.Exp(g.r.NormFloat64()*sigma))
	return min(max(d, lo), hi).Round(time.Millisecond)
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }
