package report

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// Kinds of an AgentDay entry.
const (
	AgentDayLogin = "login"
	AgentDayPause = "pause"
	AgentDayLeg   = "leg"
)

// AgentDay is one agent's local day, opened from a Relatório de Agentes
// row: its logins (with media), pauses (with reason) and legs in time
// order, and the day's Tempo logado and Tempo em pausa as the report
// counts them (every media).
type AgentDay struct {
	AgentID string `json:"agent_id"`
	Agent   string `json:"agent"` // directory name (the id while unknown)
	Day     string `json:"day"`   // AAAA-MM-DD, the tenant's local day
	// Start and End bound the local day (End is the next midnight).
	Start    time.Time       `json:"start"`
	End      time.Time       `json:"end"`
	LoggedIn string          `json:"logged_in"` // HH:MM:SS, "" without logged-in time
	Paused   string          `json:"paused"`    // HH:MM:SS, "" without pauses
	Entries  []AgentDayEntry `json:"entries"`
}

// AgentDayEntry is one login, pause or leg of the day. A login or pause is
// listed whole when any part of it falls in the day (its times may lie in
// the day before or after); End is nil while it is still open.
type AgentDayEntry struct {
	Kind     string     `json:"kind"` // login | pause | leg
	Start    time.Time  `json:"start"`
	End      *time.Time `json:"end"`
	Media    string     `json:"media,omitempty"`    // login: "" = every media; leg: its media
	Reason   string     `json:"reason,omitempty"`   // pause
	Protocol string     `json:"protocol,omitempty"` // leg: its interaction's history key
	Service  string     `json:"service,omitempty"`  // leg: the service's name (its id while unknown)
	Status   string     `json:"status,omitempty"`   // leg: STATUS (service completed, …)
}

// ParseAgentDay validates the day parameter (required, AAAA-MM-DD).
func (r *Reports) ParseAgentDay(ctx context.Context, p model.Principal, v url.Values) (string, error) {
	ps, _, err := r.parse(ctx, p, v, nil)
	if err != nil {
		return "", err
	}
	if ps.str("day") == "" {
		ps.errs.add("day", "required")
	}
	d, _ := ps.date("day")
	ps.unknown()
	if err := ps.errs.err(); err != nil {
		return "", err
	}
	return d.Format("2006-01-02"), nil
}

// AgentDay answers one agent's local day for p: ErrNotFound when p is
// limited to services and the agent has no legs in them (its activity has
// no service, as in the Relatório de Agentes), else the day, empty or not.
// Legs are those of the day in p's scope; logins and pauses are read from
// the activity with the rules of the report (metrics.AgentPeriods).
func (r *Reports) AgentDay(ctx context.Context, p model.Principal, agentID, day string) (AgentDay, error) {
	visible, err := r.DB.AgentVisible(ctx, p, agentID)
	if err != nil || !visible {
		if err == nil {
			err = ErrNotFound
		}
		return AgentDay{}, err
	}
	tc, err := r.tenant(ctx, p)
	if err != nil {
		return AgentDay{}, err
	}
	loc := tc.Zone
	start, err := time.ParseInLocation("2006-01-02", day, loc)
	if err != nil {
		return AgentDay{}, &ParamError{Problems: []Problem{{Param: "day", Reason: "must be a date AAAA-MM-DD"}}}
	}
	end := start.AddDate(0, 0, 1)
	var (
		events      []model.Event
		legs        []store.AgentDayLeg
		users, svcs map[string]string
	)
	err = runConcurrently(
		// The day before too: a login begun yesterday is still open today
		// (the derivation's two-day window); the day after closes today's.
		func() (err error) {
			events, err = r.DB.AgentActivity(ctx, p, agentID, start.AddDate(0, 0, -1), end.AddDate(0, 0, 1))
			return
		},
		func() (err error) { legs, err = r.DB.AgentDayLegs(ctx, p, agentID, day); return },
		func() (err error) { users, err = r.DB.Names(ctx, p.Tenant, "users"); return },
		func() (err error) { svcs, err = r.DB.Names(ctx, p.Tenant, "services"); return },
	)
	if err != nil {
		return AgentDay{}, err
	}
	out := AgentDay{AgentID: agentID, Agent: nonEmptyName(users[agentID], agentID), Day: day, Start: start, End: end, Entries: []AgentDayEntry{}}
	for _, pd := range metrics.AgentPeriods(events) {
		if !pd.Start.Before(end) || (pd.End != nil && !pd.End.After(start)) {
			continue
		}
		e := AgentDayEntry{Kind: AgentDayLogin, Start: pd.Start.In(loc), End: inZone(pd.End, loc), Media: pd.Media}
		if pd.Kind == metrics.SpanPause {
			e = AgentDayEntry{Kind: AgentDayPause, Start: pd.Start.In(loc), End: inZone(pd.End, loc), Reason: pd.Reason}
		}
		out.Entries = append(out.Entries, e)
	}
	for _, l := range legs {
		st := l.EnteredAt
		if l.DeliveredAt != nil {
			st = *l.DeliveredAt // the agent's part begins at the delivery
		}
		fin := l.FinishedAt
		out.Entries = append(out.Entries, AgentDayEntry{Kind: AgentDayLeg, Start: st.In(loc), End: inZone(&fin, loc), Media: l.Media,
			Protocol: l.Protocol, Service: nonEmptyName(svcs[l.ServiceID], l.ServiceID), Status: l.Status})
	}
	rank := map[string]int{AgentDayLogin: 0, AgentDayPause: 1, AgentDayLeg: 2}
	sort.SliceStable(out.Entries, func(i, j int) bool {
		a, b := out.Entries[i], out.Entries[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		return rank[a.Kind] < rank[b.Kind]
	})
	spans, err := metrics.AgentDaySpans(events, tc.Config, day)
	if err != nil {
		return AgentDay{}, err
	}
	paused := 0.0
	byReason := metrics.PausedSeconds(spans, nil)
	for _, reason := range slices.Sorted(maps.Keys(byReason)) { // one order, one sum
		paused += byReason[reason]
	}
	logged := metrics.LoggedInSeconds(spans, nil)
	out.LoggedIn, out.Paused = fmtTotalDuration(logged, logged > 0), fmtTotalDuration(paused, paused > 0)
	return out, nil
}

func inZone(t *time.Time, loc *time.Location) *time.Time {
	if t == nil {
		return nil
	}
	v := t.In(loc)
	return &v
}

func nonEmptyName(name, id string) string {
	if strings.TrimSpace(name) == "" {
		return id
	}
	return name
}
