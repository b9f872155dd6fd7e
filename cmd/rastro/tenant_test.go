package main

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/demo"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// ivrServiceLevel is the "Nível de serviço" of the IVR report's totals row.
func ivrServiceLevel(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	p := model.Principal{Tenant: copyTenant, Actor: "cli", Role: model.RoleAdmin, PersonalData: true}
	r := report.New(db)
	q, err := r.ParseIVR(ctx, p, url.Values{"from": {"2026-10-01"}, "to": {"2026-10-31"}})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := r.IVR(ctx, p, q)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range tb.Columns {
		if c == "Nível de serviço" {
			return tb.Totals[i]
		}
	}
	t.Fatalf("no Nível de serviço column in %v", tb.Columns)
	return ""
}

func runTenantSet(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := tenantSet(context.Background(), args, &out)
	return out.String(), err
}

func TestTenantSetServiceLevelChangesIVRAfterRebuild(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		var evs []model.Event
		if err := demo.Generate(ctx, demo.Options{Legs: 300, Days: 5}, func(e model.Event) error {
			evs = append(evs, e)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		ingestEvents(t, s.DB, evs)
		before := ivrServiceLevel(t, s.DB)
		if before == "" {
			t.Fatal("the demo days have no IVR service level")
		}

		// Bad values change nothing and are all named.
		for _, bad := range [][]string{
			{"--sl-seconds", "0"}, {"--sl-seconds", "x"}, {"--timezone", "Mars/Olympus"},
			{"--window", "fax=3"}, {"--window", "chat=0"}, {"--window", "chat"}, {"--window", "voice=3"},
			{"--recording-hosts", "evil.example/x"}, {"--recording-hosts", "a b"}, {"--recording-hosts", "h:99999"},
			{},
		} {
			_, err := runTenantSet(t, append([]string{"--db", s.DSN, "--tenant", copyTenant}, bad...)...)
			var ue usageError
			if !errors.As(err, &ue) {
				t.Errorf("tenant set %v: want a usage error, got %v", bad, err)
			}
		}
		if _, err := runTenantSet(t, "--db", s.DSN, "--tenant", "nobody", "--sl-seconds", "5"); err == nil || !errors.Is(err, store.ErrUnknownTenant) {
			t.Errorf("unknown tenant: %v", err)
		}
		tn, err := s.DB.Tenant(ctx, copyTenant)
		if err != nil {
			t.Fatal(err)
		}
		if tn.SLSeconds != 20 || tn.TZ != "America/Sao_Paulo" || len(tn.ExpirationHours) != 0 || len(tn.RecordingHosts) != 0 {
			t.Fatalf("refused values changed the tenant: %+v", tn)
		}

		out, err := runTenantSet(t, "--db", s.DSN, "--tenant", copyTenant, "--sl-seconds", "1",
			"--window", "chat=48", "--window", "whatsapp=12", "--recording-hosts", "rec.example.com,media.example.com:8443")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"sl-seconds: 20 → 1", "window chat: default → 48 h", "window whatsapp: default → 12 h", "recording-hosts: (none) → rec.example.com,media.example.com:8443", "rastro rebuild --tenant " + copyTenant} {
			if !strings.Contains(out, want) {
				t.Errorf("tenant set output lacks %q:\n%s", want, out)
			}
		}
		tn, _ = s.DB.Tenant(ctx, copyTenant)
		if tn.SLSeconds != 1 || tn.ExpirationHours["chat"] != 48 || tn.ExpirationHours["whatsapp"] != 12 || len(tn.RecordingHosts) != 2 {
			t.Fatalf("tenant after set: %+v", tn)
		}
		if got := ivrServiceLevel(t, s.DB); got != before {
			t.Errorf("service level changed before rebuild: %s → %s", before, got)
		}
		if err := cmdRebuild(ctx, []string{"--db", s.DSN, "--tenant", copyTenant}); err != nil {
			t.Fatal(err)
		}
		after := ivrServiceLevel(t, s.DB)
		if after == before {
			t.Errorf("Nível de serviço is still %s after sl-seconds 20 → 1 and rebuild", after)
		}
		t.Logf("Nível de serviço: %s with 20 s, %s with 1 s", before, after)

		// Setting the same again changes nothing.
		if out, err := runTenantSet(t, "--db", s.DSN, "--tenant", copyTenant, "--sl-seconds", "1"); err != nil || !strings.Contains(out, "nothing changed") {
			t.Errorf("same value: %v %q", err, out)
		}
	})
}

func TestTenantSetHelpGoesToStdout(t *testing.T) {
	out, err := runTenantSet(t, "--help")
	if err != nil || !strings.Contains(out, "--recording-hosts") || !strings.Contains(out, "rebuild") {
		t.Errorf("--help: %v\n%s", err, out)
	}
}
