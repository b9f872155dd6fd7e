package report_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/storetest"
)

// dayLines prints a day's entries as "kind start–end detail" in local time.
func dayLines(d report.AgentDay) []string {
	var out []string
	for _, e := range d.Entries {
		end := "…"
		if e.End != nil {
			end = e.End.Format("15:04:05")
		}
		detail := ""
		switch e.Kind {
		case report.AgentDayLogin:
			detail = "media=" + e.Media
		case report.AgentDayPause:
			detail = e.Reason
		case report.AgentDayLeg:
			detail = fmt.Sprintf("%s %s %s %s", e.Protocol, e.Media, e.Service, e.Status)
		}
		out = append(out, fmt.Sprintf("%s %s–%s %s", e.Kind, e.Start.Format("15:04:05"), end, detail))
	}
	return out
}

// Ana's 2025-06-02 (scenario): two logins without media, three pauses and
// four legs, in time order; the day's totals are her Agentes row's (8 h
// logged, 35 min paused). A supervisor limited to Financeiro sees her day
// with only its Financeiro leg, and does not see Dora, who has no legs there.
func TestAgentDayListsLoginsPausesAndLegsInOrder(t *testing.T) {
	body := ndjson(t, scenario)
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", body, nil)
		ctx := context.Background()
		d, err := r.AgentDay(ctx, admin("acme"), "ag-ana", "2025-06-02")
		if err != nil {
			t.Fatal(err)
		}
		if d.Agent != "Ana" || d.Day != "2025-06-02" || d.LoggedIn != "08:00:00" || d.Paused != "00:35:00" {
			t.Errorf("day = %s %s logged %q paused %q", d.Agent, d.Day, d.LoggedIn, d.Paused)
		}
		want := []string{
			"login 08:00:00–12:00:00 media=",
			"leg 09:00:41–09:05:45 20250602120000 voice SAC service completed",
			"leg 09:36:10–09:40:10 000004768847100032120605202 chat SAC service completed",
			"pause 10:00:00–10:05:00 Banheiro",
			"leg 10:20:30–10:30:30 000004078847100023120605202 chat SAC service completed",
			"pause 11:00:00–11:20:00 Feedback",
			"login 13:00:00–17:00:00 media=",
			"leg 14:01:00–14:03:02 20250602170000 voice Financeiro service completed",
			"pause 15:00:00–15:10:00 Banheiro",
		}
		if got := dayLines(d); !reflect.DeepEqual(got, want) {
			t.Errorf("entries =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		fin := admin("acme", "svc-fin")
		d, err = r.AgentDay(ctx, fin, "ag-ana", "2025-06-02")
		if err != nil {
			t.Fatal(err)
		}
		var legs []string
		for _, l := range dayLines(d) {
			if strings.HasPrefix(l, "leg ") {
				legs = append(legs, l)
			}
		}
		if !reflect.DeepEqual(legs, []string{want[7]}) {
			t.Errorf("legs seen by a Financeiro supervisor = %q", legs)
		}
		if _, err := r.AgentDay(ctx, fin, "ag-dora", "2025-06-02"); !errors.Is(err, report.ErrNotFound) {
			t.Errorf("Dora for a Financeiro supervisor: err = %v, want not found", err)
		}

		// Dora's Voz login (with its pause) on an unlimited principal's day.
		d, err = r.AgentDay(ctx, admin("acme"), "ag-dora", "2025-06-02")
		if err != nil {
			t.Fatal(err)
		}
		if got := dayLines(d); !reflect.DeepEqual(got, []string{"login 13:00:00–14:00:00 media=voice", "pause 13:10:00–13:40:00 Almoço"}) {
			t.Errorf("Dora's day = %q", got)
		}
		// A day without activity is empty, not an error.
		if d, err = r.AgentDay(ctx, admin("acme"), "ag-ana", "2025-06-05"); err != nil || len(d.Entries) != 0 || d.LoggedIn != "" {
			t.Errorf("an empty day = %+v, %v", d, err)
		}
	})
}

func TestAgentDayRefusesAMissingOrMalformedDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		r := seed(t, s, "acme", nil, nil)
		for _, c := range []struct{ query, reason string }{
			{"", "day: required"},
			{"day=02/06/2025", `day: must be a date AAAA-MM-DD, got "02/06/2025"`},
			{"day=2025-06-02&media=voice", "media"},
		} {
			v, _ := url.ParseQuery(c.query)
			_, err := r.ParseAgentDay(context.Background(), admin("acme"), v)
			var pe *report.ParamError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.reason) {
				t.Errorf("%q: err = %v, want a problem %q", c.query, err, c.reason)
			}
		}
	})
}
