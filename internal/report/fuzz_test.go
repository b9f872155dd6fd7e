package report_test

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
)

// FuzzReportParametersAnswerRowsOrAParamError: any query string given to
// any of the four reports (cursors included) ends in rows or a 400 naming
// the parameters — never a store error (a 500) nor a panic. The store holds
// a small demo so queries reach real rows and cursors.
func FuzzReportParametersAnswerRowsOrAParamError(f *testing.F) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	if err := db.EnsureTenant(ctx, "demo"); err != nil {
		f.Fatal(err)
	}
	if _, err := ingest.New(db).IngestBody(ctx, "demo", demoBody(f, 200)); err != nil {
		f.Fatal(err)
	}
	r := report.New(db)
	p := model.Principal{Tenant: "demo", Role: model.RoleAdmin, PersonalData: true}
	limited := model.Principal{Tenant: "demo", Role: model.RoleSupervisor, Services: []string{"svc-sac"}}

	// A real next cursor of the Rastreio as a seed.
	q, err := r.ParseInteractions(ctx, p, url.Values{"media": {"whatsapp"}, "limit": {"2"}})
	if err != nil {
		f.Fatal(err)
	}
	tab, err := r.Interactions(ctx, p, q)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"media=whatsapp&cursor=" + tab.NextCursor,
		"media=voice&from=2026-10-01&to=2026-10-31&hour_from=08:00&hour_to=12:00&voice_status=answered",
		"media=chat&agents=a,b&services=svc-sac&tags=x&order=desc&limit=5",
		"media=email&email=%25_&phone=11&protocol=2026",
		"group_by=hour&ivrs=ivr-1&from=2026-10-01",
		"client=c&campaign=k&batch=b&sort=name&step=s&cursor=AAAA",
		"media=sms&expiration_status=expired&portfolio=true&user_tags=t&contacts=c1",
		"from=2026-02-30&to=1999-01-01&hour_from=24:00",
	} {
		f.Add(s)
	}
	check := func(t *testing.T, what string, err error) {
		var pe *report.ParamError
		if err != nil && !errors.As(err, &pe) && !errors.Is(err, report.ErrNotFound) {
			t.Fatalf("%s: %T %v", what, err, err)
		}
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, who := range []model.Principal{p, limited} {
			if q, err := r.ParseInteractions(ctx, who, v); err == nil {
				_, err = r.Interactions(ctx, who, q)
				check(t, "interactions", err)
			} else {
				check(t, "interactions params", err)
			}
			if q, err := r.ParseIVR(ctx, who, v); err == nil {
				_, err = r.IVR(ctx, who, q)
				check(t, "ivr", err)
			} else {
				check(t, "ivr params", err)
			}
			if q, err := r.ParseAgents(ctx, who, v); err == nil {
				_, err = r.Agents(ctx, who, q)
				check(t, "agents", err)
			} else {
				check(t, "agents params", err)
			}
			if q, err := r.ParseFluxo(ctx, who, v); err == nil {
				_, err = r.Fluxo(ctx, who, q)
				check(t, "fluxo", err)
			} else {
				check(t, "fluxo params", err)
			}
		}
	})
}
