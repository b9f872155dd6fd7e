package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/recordings"
	"github.com/rastro/rastro/internal/store"
)

const tenantUsage = "tenant set --tenant T [--timezone Z] [--sl-seconds N] [--window MEDIA=HOURS]… [--recording-hosts H,…]"

func cmdTenant(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "set" {
		return tenantSet(ctx, args[1:], os.Stdout)
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Println("usage: rastro " + tenantUsage)
		return nil
	}
	return usageError(tenantUsage)
}

// windowFlags collects repeated --window MEDIA=HOURS.
type windowFlags []string

func (w *windowFlags) String() string     { return strings.Join(*w, ",") }
func (w *windowFlags) Set(v string) error { *w = append(*w, v); return nil }

// tenantSet changes a tenant's settings and prints what changed; out gets
// the report (and --help).
func tenantSet(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("tenant set", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintln(out, "usage: rastro "+tenantUsage)
		fmt.Fprintln(out, "\nZone, service level and windows apply to rows derived afterwards: run `rastro rebuild --tenant T` for the past.\nRecording hosts apply at once (ingest and playback); an empty list allows none.\n\nflags:")
		fs.PrintDefaults()
	}
	dsn := storeFlags(fs)
	tenant := fs.String("tenant", "", "tenant to change (required)")
	tz := fs.String("timezone", "", "IANA time zone of the tenant's local dates and hours, e.g. America/Sao_Paulo")
	sl := fs.String("sl-seconds", "", "service-level threshold in seconds (> 0)")
	var windows windowFlags
	fs.Var(&windows, "window", "expiration window override MEDIA=HOURS (hours > 0); repeatable")
	hosts := fs.String("recording-hosts", "", "hosts (host or host:port, comma-separated) an absolute recording_url may point to; \"\" allows none")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError(err.Error())
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *tenant == "" || fs.NArg() > 0 {
		return usageError(tenantUsage)
	}
	if !given["timezone"] && !given["sl-seconds"] && !given["window"] && !given["recording-hosts"] {
		return usageError("nothing to change: give --timezone, --sl-seconds, --window or --recording-hosts")
	}

	// Every value is checked before the store is opened.
	var problems []string
	if given["timezone"] {
		if *tz == "" || strings.EqualFold(*tz, "local") {
			problems = append(problems, fmt.Sprintf("--timezone %q: name an IANA zone such as America/Sao_Paulo", *tz))
		} else if _, err := time.LoadLocation(*tz); err != nil {
			problems = append(problems, fmt.Sprintf("--timezone %q: unknown time zone", *tz))
		}
	}
	slN := 0
	if given["sl-seconds"] {
		n, err := strconv.Atoi(*sl)
		if err != nil || n <= 0 {
			problems = append(problems, fmt.Sprintf("--sl-seconds %q: must be a whole number of seconds > 0", *sl))
		}
		slN = n
	}
	var hostList []string
	if given["recording-hosts"] {
		hostList = splitList(*hosts)
		for _, h := range hostList {
			if err := recordings.ValidHost(h); err != nil {
				problems = append(problems, "--recording-hosts "+err.Error())
			}
		}
	}
	type win struct {
		media string
		hours int
	}
	var wins []win
	for _, w := range windows {
		m, h, ok := strings.Cut(w, "=")
		n, err := strconv.Atoi(h)
		if !ok || m == "" || err != nil || n <= 0 {
			problems = append(problems, fmt.Sprintf("--window %q: must be MEDIA=HOURS with hours > 0", w))
			continue
		}
		wins = append(wins, win{strings.TrimSpace(m), n})
	}
	if len(problems) > 0 && len(wins) == 0 {
		return usageError(strings.Join(problems, "; "))
	}

	db, err := openExistingStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	// The settings as the reports and the derivation read them.
	tc, err := db.TenantContext(ctx, *tenant)
	if err != nil {
		return err
	}
	if len(wins) > 0 {
		known := map[string]int{}
		for _, m := range tc.Media {
			known[m.ID] = m.ExpirationWindowHours
		}
		for _, w := range wins {
			def, ok := known[w.media]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("--window %s: unknown media (one of %s)", w.media, strings.Join(slices.Sorted(maps.Keys(known)), ", ")))
			case def == 0:
				problems = append(problems, fmt.Sprintf("--window %s: this media has no expiration window", w.media))
			}
		}
	}
	if len(problems) > 0 {
		return usageError(strings.Join(problems, "; "))
	}

	t := tc.Tenant
	before := t
	var changes []string
	rebuild := false
	if given["timezone"] && *tz != t.TZ {
		changes = append(changes, fmt.Sprintf("timezone: %s → %s", t.TZ, *tz))
		t.TZ, rebuild = *tz, true
	}
	if given["sl-seconds"] && slN != t.SLSeconds {
		changes = append(changes, fmt.Sprintf("sl-seconds: %d → %d", t.SLSeconds, slN))
		t.SLSeconds, rebuild = slN, true
	}
	if len(wins) > 0 {
		t.ExpirationHours = maps.Clone(before.ExpirationHours)
		if t.ExpirationHours == nil {
			t.ExpirationHours = map[string]int{}
		}
		for _, w := range wins {
			old, had := t.ExpirationHours[w.media]
			if had && old == w.hours {
				continue
			}
			from := "default"
			if had {
				from = strconv.Itoa(old) + " h"
			}
			changes = append(changes, fmt.Sprintf("window %s: %s → %d h", w.media, from, w.hours))
			t.ExpirationHours[w.media], rebuild = w.hours, true
		}
	}
	if given["recording-hosts"] && !slices.Equal(hostList, t.RecordingHosts) {
		changes = append(changes, fmt.Sprintf("recording-hosts: %s → %s", listOrNone(t.RecordingHosts), listOrNone(hostList)))
		t.RecordingHosts = hostList
	}
	if len(changes) == 0 {
		fmt.Fprintf(out, "tenant %s: nothing changed\n", t.ID)
		return nil
	}
	if err := db.UpdateTenantSettings(ctx, t); err != nil {
		return fmt.Errorf("tenant %s: %w", t.ID, err)
	}
	if err := db.Audit(ctx, store.AuditEntry{Tenant: t.ID, Actor: "cli", Action: "tenant.set", Detail: map[string]any{"changes": changes}}); err != nil {
		return err
	}
	fmt.Fprintf(out, "tenant %s:\n", t.ID)
	for _, c := range changes {
		fmt.Fprintln(out, "  "+c)
	}
	if rebuild {
		fmt.Fprintf(out, "Rows derived before keep the old zone, service level and windows: run `rastro rebuild --tenant %s` to apply the change to past rows.\n", t.ID)
	}
	return nil
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "(none)"
	}
	return strings.Join(l, ",")
}
