package report

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"sort"
	"testing"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/storetest"
)

// TestEveryReportListsTheParametersItReads: the parameters a report
// declares (Params: `rastro report NAME --help`) are exactly those its
// parse reads, so the help cannot drift from the parser.
func TestEveryReportListsTheParametersItReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		if err := s.DB.EnsureTenant(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		r := New(s.DB)
		p := model.Principal{Tenant: "acme", Actor: "t", Role: model.RoleAdmin, PersonalData: true}
		for _, rep := range r.All() {
			var seen []*params
			v := url.Values{}
			if rep.Name() == "interactions" {
				v.Set("media", model.MediaVoice)
			}
			_, _ = rep.Parse(context.WithValue(ctx, paramsSeenKey{}, &seen), p, v)
			if len(seen) != 1 {
				t.Fatalf("%s: %d parses seen", rep.Name(), len(seen))
			}
			if got, want := seen[0].names(), rep.Params(); !reflect.DeepEqual(got, want) {
				t.Errorf("%s reads %q, declares %q", rep.Name(), got, want)
			}
		}
	})
}

// TestEveryBadParamIsReportedAtOnce: a request with several bad parameters
// gets one ParamError (a 400) naming each of them; a period or an hour
// range given backwards names its end; the parameters a caller reads
// itself (format, sep) are accepted when it says so.
func TestEveryBadParamIsReportedAtOnce(t *testing.T) {
	cases := []struct {
		report, query string
		extra         []string
		want          []string // the params named, sorted; nil: no error
	}{
		{"agents", "media=voice,fax&hour_from=25:00&hour_to=9h&user_status=ferias&group_by=agent&from=ontem", nil,
			[]string{"from", "group_by", "hour_from", "hour_to", "media", "user_status"}},
		{"agents", "hour_from=18:00&hour_to=08:00", nil, []string{"hour_to"}},
		{"ivr", "group_by=week&from=2025-13-01&to=2025-06-31&limit=10&media=voice", nil,
			[]string{"from", "group_by", "limit", "media", "to"}},
		{"ivr", "from=2025-06-10&to=2025-06-01", nil, []string{"to"}},
		{"ivr", "format=csv&sep=,", []string{"format", "sep"}, nil},
		{"agents", "format=xlsx", []string{"format"}, nil},
	}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		if err := s.DB.EnsureTenant(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		p := model.Principal{Tenant: "acme", Actor: "t", Role: model.RoleAdmin, PersonalData: true}
		reports := map[string]Report{}
		for _, rep := range New(s.DB).All() {
			reports[rep.Name()] = rep
		}
		for _, c := range cases {
			v, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			_, err = reports[c.report].Parse(ctx, p, v, c.extra...)
			var pe *ParamError
			if c.want == nil {
				if err != nil {
					t.Errorf("%s %s: %v, want no error", c.report, c.query, err)
				}
				continue
			}
			if !errors.As(err, &pe) {
				t.Errorf("%s %s: %v, want a ParamError", c.report, c.query, err)
				continue
			}
			seen := map[string]bool{}
			var got []string
			for _, pr := range pe.Problems {
				if !seen[pr.Param] {
					seen[pr.Param] = true
					got = append(got, pr.Param)
				}
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s %s: problems with %q (%+v), want %q", c.report, c.query, got, pe.Problems, c.want)
			}
		}
	})
}
