package report

import (
	"context"
	"net/url"
	"reflect"
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
