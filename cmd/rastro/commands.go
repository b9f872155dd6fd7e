package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/analytics"
	"github.com/rastro/rastro/internal/connectors/inbox"
	"github.com/rastro/rastro/internal/demo"
	"github.com/rastro/rastro/internal/httpserve"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/recordings"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/web"
)

// storeFlags adds --db to a flag set.
func storeFlags(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("RASTRO_DB", "./rastro.db"), "store: file path (SQLite) or postgres:// URL (env RASTRO_DB)")
}

// openStore opens the store at dsn, creating it when missing: for the
// commands that make a store (serve, demo, user add, token create, copy --to).
func openStore(ctx context.Context, dsn string) (*store.DB, error) {
	return openStoreWith(ctx, dsn, store.Options{})
}

// openExistingStore opens a store that must exist: the commands that read
// or maintain one refuse a --db that holds none, so a typo is an error
// instead of a new empty store.
func openExistingStore(ctx context.Context, dsn string) (*store.DB, error) {
	return openStoreWith(ctx, dsn, store.Options{MustExist: true})
}

// firstLoginHelp tells whoever serves a store without any login how to
// create the first one (nobody could log in otherwise).
func firstLoginHelp(dsn string) string {
	return "rastro: this store has no login yet. Create the first one with\n" +
		"  rastro user add --db " + redact(dsn) + " --tenant TENANT --username admin --role admin\n" +
		"(it prints a generated password unless --password is given), or serve the demo month with --demo-if-empty.\n"
}

func openStoreWith(ctx context.Context, dsn string, opt store.Options) (*store.DB, error) {
	opt.Progress = os.Stderr // converting an older store in place can take minutes
	db, err := store.OpenWith(ctx, dsn, opt)
	if errors.Is(err, store.ErrNoStore) {
		return nil, fmt.Errorf("no rastro store at %s (check --db or RASTRO_DB; `rastro serve`, `rastro demo` or `rastro user add` create one)", redact(dsn))
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", redact(dsn), err)
	}
	return db, nil
}

// redact hides a password in a postgres URL for messages.
func redact(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.LastIndex(dsn, "@"); at > i {
			if c := strings.Index(dsn[i+3:at], ":"); c >= 0 {
				return dsn[:i+3+c+1] + "***" + dsn[at:]
			}
		}
	}
	return dsn
}

// parse reads a command's flags. -h/--help prints the command's flags to
// stdout and ends the command with exit status 0; a bad flag is a
// usageError (exit status 2) explained on stderr.
func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard) // the flag package's own messages: written below
	if err := fs.Parse(args); err != nil {
		out := io.Writer(os.Stderr)
		if errors.Is(err, flag.ErrHelp) {
			out = os.Stdout
		}
		fs.SetOutput(out)
		fmt.Fprintf(out, "usage: rastro %s [flags]\n", fs.Name())
		fs.PrintDefaults()
		if errors.Is(err, flag.ErrHelp) {
			return errHelpShown
		}
		return usageError(err.Error())
	}
	return nil
}

// recordingsDir defaults to a "recordings" folder beside the embedded store.
func recordingsDir(dsn string) string {
	if v := os.Getenv("RASTRO_RECORDINGS"); v != "" {
		return v
	}
	if store.IsPostgresDSN(dsn) {
		return "recordings"
	}
	return filepath.Join(filepath.Dir(dsn), "recordings")
}

func cmdServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dsn := storeFlags(fs)
	addr := fs.String("addr", envOr("RASTRO_ADDR", "127.0.0.1:8080"), "listen address (env RASTRO_ADDR)")
	recs := fs.String("recordings", "", "folder of recording files (default: beside the store)")
	demoIfEmpty := fs.Bool("demo-if-empty", false, "load the demo month and print credentials when the store has no events")
	legs := fs.Int("demo-legs", 3000, "legs of the demo month for --demo-if-empty")
	secure := fs.Bool("secure-cookies", os.Getenv("RASTRO_SECURE_COOKIES") == "1", "mark cookies Secure (behind TLS)")
	metricsAddr := fs.String("metrics-addr", os.Getenv("RASTRO_METRICS_ADDR"), "serve Prometheus GET /metrics, without authentication, on this separate address (env RASTRO_METRICS_ADDR; default off)")
	analyticsURL := analyticsFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *recs == "" {
		*recs = recordingsDir(*dsn)
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	// Recordings of the shared-folder days move into their tenants' folders.
	if _, err := recordings.Migrate(ctx, db, *recs, log); err != nil {
		return fmt.Errorf("move recordings into tenant folders: %w", err)
	}
	if *demoIfEmpty {
		if err := seedDemo(ctx, db, "demo", *legs, os.Stdout); err != nil {
			return err
		}
	}
	if has, err := db.HasLogins(ctx); err != nil {
		return err
	} else if !has {
		fmt.Fprint(os.Stderr, firstLoginHelp(*dsn))
	}
	wcfg := web.Config{RecordingsDir: *recs, SecureCookies: *secure, Logger: log}
	if *analyticsURL != "" {
		ch, shipper, err := startAnalytics(ctx, db, *analyticsURL)
		if err != nil {
			return err
		}
		defer ch.Close()
		shipper.Logf = func(f string, a ...any) { log.Info(fmt.Sprintf(f, a...)) }
		go shipper.Run(ctx, 500*time.Millisecond)
		// Closed months become single-part, so their reads skip FINAL
		// (internal/analytics/settle.go): a partition quiet for 2 minutes
		// is merged, checked every minute.
		go ch.RunSettler(ctx, time.Minute, 2*time.Minute, shipper.Logf)
		wcfg.Analytics = &analytics.Rastreio{CH: ch, DB: db}
	}
	srv, err := web.New(db, wcfg)
	if err != nil {
		return err
	}
	// WhatsApp connectors with --forward-to relay their deliveries.
	go inbox.NewForwarder(db, log).Run(ctx)
	metrics := httpserve.NewMetrics()
	metrics.SetStore(db.Dialect())
	if *analyticsURL != "" {
		metrics.AddGauge("rastro_analytics_pending", "Derived rows waiting in the outbox for the analytics engine, all tenants.", func(ctx context.Context) (float64, error) {
			n, _, err := db.OutboxTotals(ctx)
			return float64(n), err
		})
		metrics.AddGauge("rastro_analytics_lag_seconds", "Age of the oldest outbox entry not yet in the analytics engine (0 when none), all tenants.", func(ctx context.Context) (float64, error) {
			_, oldest, err := db.OutboxTotals(ctx)
			if err != nil || oldest == nil {
				return 0, err
			}
			return time.Since(*oldest).Seconds(), nil
		})
	}
	cfg := httpserve.Defaults()
	cfg.Metrics, cfg.Logger = metrics, log
	if nofile, err := httpserve.ApplyFileLimit(&cfg); err != nil {
		log.Warn("could not read the open files limit", "err", err)
	} else if nofile > 0 {
		log.Info("connection limits", "open_files", nofile, "max_open", cfg.MaxOpen, "max_pending", cfg.MaxPending, "max_pending_per_address", cfg.MaxPendingPerAddr)
	}
	hs := httpserve.New(srv, cfg)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *addr, err)
	}
	errc := make(chan error, 2)
	var ms *http.Server
	if *metricsAddr != "" {
		mln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen %s (metrics): %w", *metricsAddr, err)
		}
		ms = httpserve.MetricsServer(metrics)
		log.Info("rastro metrics", "url", "http://"+mln.Addr().String()+"/metrics")
		go func() { errc <- ms.Serve(mln) }()
	}
	log.Info("rastro serving", "url", "http://"+ln.Addr().String(), "store", db.Dialect())
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		hs.Close()
		if ms != nil {
			ms.Close()
		}
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if ms != nil {
			ms.Close()
		}
		return hs.Shutdown(sctx)
	}
}

// seedDemo loads the demo month into an empty tenant and prints how to log in.
func seedDemo(ctx context.Context, db *store.DB, tenant string, legs int, out io.Writer) error {
	if err := db.EnsureTenant(ctx, tenant); err != nil {
		return err
	}
	n, err := db.EventCount(ctx, tenant)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintf(out, "store already has %d events for tenant %q: not loading the demo again\n", n, tenant)
		return nil
	}
	fmt.Fprintf(out, "loading the demo month (%d legs) into tenant %q…\n", legs, tenant)
	start := time.Now()
	res, err := loadDemo(ctx, db, tenant, demo.Options{Tenant: tenant, Legs: legs}, true, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "demo loaded: %d events in %s\n", res.Accepted, time.Since(start).Round(time.Millisecond))
	password := randomPassword()
	if err := db.CreateUser(ctx, "admin", password, store.Grant{Tenant: tenant, Role: model.RoleAdmin}); err != nil {
		return err
	}
	_, token, err := db.CreateToken(ctx, store.Grant{Tenant: tenant, Role: model.RoleAdmin}, "demo")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nLog in to the UI with  user: admin   password: %s\nAPI token (admin):     %s\n\n", password, token)
	return nil
}

func randomPassword() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// loadDemo streams the demo generator through the ingestion path: each
// batch is encoded as NDJSON and decoded and validated like any client's,
// then stored. With bulk, batches are only appended and one Rebuild derives
// everything at the end (much faster for large sets). Progress goes to
// progress (when not nil) every 500,000 events.
func loadDemo(ctx context.Context, db *store.DB, tenant string, opt demo.Options, bulk bool, progress io.Writer) (ingest.Result, error) {
	in := ingest.New(db)
	vopt, err := in.Options(ctx, tenant)
	if err != nil {
		return ingest.Result{}, err
	}
	var total ingest.Result
	const batch = 5000
	start := time.Now()
	var body []byte
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		events, raw, err := ingest.Decode(body, vopt)
		if err != nil {
			return fmt.Errorf("demo batch rejected: %w", err)
		}
		store := in.Store
		if bulk {
			store = in.Append
		}
		res, err := store(ctx, tenant, events, raw)
		if err != nil {
			return err
		}
		before := (total.Accepted + total.Duplicates) / 500_000
		total.Accepted += res.Accepted
		total.Duplicates += res.Duplicates
		body, n = body[:0], 0
		if done := total.Accepted + total.Duplicates; progress != nil && done/500_000 > before {
			fmt.Fprintf(progress, "  %d events in %s (%.0f/s)\n", done, time.Since(start).Round(time.Second), float64(done)/time.Since(start).Seconds())
		}
		return nil
	}
	err = demo.Generate(ctx, opt, func(ev model.Event) error {
		b, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		body = append(append(body, b...), '\n')
		if n++; n == batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil && bulk {
		if progress != nil {
			fmt.Fprintf(progress, "  appended in %s; deriving reports (rebuild)…\n", time.Since(start).Round(time.Second))
		}
		err = in.Rebuild(ctx, tenant)
	}
	return total, err
}

func cmdDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	dsn := storeFlags(fs)
	tenant := fs.String("tenant", "demo", "tenant")
	legs := fs.Int("legs", 3000, "approximate number of finished legs")
	seed := fs.Int64("seed", 1, "random seed")
	days := fs.Int("days", 30, "days of data")
	recs := fs.String("recordings", "", "folder of the store's recording files (default: beside the store); demo recordings are synthesised on request, no file is written")
	bulk := fs.Bool("bulk", false, "initial import: append every event, then derive once (rebuild); on SQLite without fsync until done (not crash-safe)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *recs == "" {
		*recs = recordingsDir(*dsn)
	}
	db, err := store.OpenWith(ctx, *dsn, store.Options{Bulk: *bulk, Progress: os.Stderr})
	if err != nil {
		return fmt.Errorf("open store %s: %w", redact(*dsn), err)
	}
	defer db.Close()
	if err := db.EnsureTenant(ctx, *tenant); err != nil {
		return err
	}
	if _, err := recordings.Migrate(ctx, db, *recs, nil); err != nil {
		return fmt.Errorf("move recordings into tenant folders: %w", err)
	}
	start := time.Now()
	res, err := loadDemo(ctx, db, *tenant, demo.Options{Tenant: *tenant, Legs: *legs, Seed: *seed, Days: *days}, *bulk, os.Stderr)
	if err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Printf("demo: %d events accepted, %d duplicates, in %s (%.0f events/s)\n", res.Accepted, res.Duplicates, el.Round(time.Millisecond), float64(res.Accepted+res.Duplicates)/el.Seconds())
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func cmdRebuild(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("rebuild", flag.ContinueOnError)
	dsn := storeFlags(fs)
	tenant := fs.String("tenant", "", "tenant (default: every tenant)")
	bulk := fs.Bool("bulk", false, "embedded store: no fsync and a large cache while rebuilding (not crash-safe; rerun if interrupted)")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openStoreWith(ctx, *dsn, store.Options{Bulk: *bulk, MustExist: true})
	if err != nil {
		return err
	}
	defer db.Close()
	tenants := []string{*tenant}
	if *tenant == "" {
		if tenants, err = db.Tenants(ctx); err != nil {
			return err
		}
	}
	in := ingest.New(db)
	for _, t := range tenants {
		start := time.Now()
		if err := in.Rebuild(ctx, t); err != nil {
			return fmt.Errorf("rebuild %s: %w", t, err)
		}
		fmt.Printf("rebuilt tenant %s in %s\n", t, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// grantFlags reads the scope flags shared by tokens and users.
type grantFlags struct {
	tenant, role, services, clients, personal *string
}

func addGrantFlags(fs *flag.FlagSet) grantFlags {
	return grantFlags{
		tenant:   fs.String("tenant", "", "tenant (created if missing)"),
		role:     fs.String("role", "", "admin | supervisor | analyst | viewer"),
		services: fs.String("services", "", "limit Rastreio/IVR/Agentes to these service ids (comma-separated)"),
		clients:  fs.String("clients", "", "limit Fluxo Ágil to these client ids (comma-separated)"),
		personal: fs.String("personal", "", "may see CPF/phone/e-mail unmasked: true|false (default: admin and supervisor yes)"),
	}
}

func (g grantFlags) grant() (store.Grant, error) {
	if *g.tenant == "" || *g.role == "" {
		return store.Grant{}, usageError("--tenant and --role are required")
	}
	if err := model.ValidTenantID(*g.tenant); err != nil {
		return store.Grant{}, usageError("--tenant: " + err.Error())
	}
	if !model.ValidRole(*g.role) {
		return store.Grant{}, usageError(fmt.Sprintf("--role %q: must be admin, supervisor, analyst or viewer", *g.role))
	}
	gr := store.Grant{Tenant: *g.tenant, Role: model.Role(*g.role), Services: splitList(*g.services), Clients: splitList(*g.clients)}
	switch *g.personal {
	case "":
	case "true", "false":
		b := *g.personal == "true"
		gr.Personal = &b
	default:
		return gr, usageError("--personal must be true or false")
	}
	return gr, nil
}

func cmdToken(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError("token create | token revoke ID | token list")
	}
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	dsn := storeFlags(fs)
	switch args[0] {
	case "create":
		gf := addGrantFlags(fs)
		label := fs.String("label", "", "what the token is for")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		g, err := gf.grant()
		if err != nil {
			return err
		}
		db, err := openStore(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		id, token, err := db.CreateToken(ctx, g, *label)
		if err != nil {
			return err
		}
		fmt.Printf("token %s for tenant %s, role %s (shown once; store it now)\n%s\n", id, g.Tenant, g.Role, token)
		return nil
	case "revoke":
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usageError("token revoke ID")
		}
		db, err := openExistingStore(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.RevokeToken(ctx, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Println("revoked", fs.Arg(0))
		return nil
	case "list":
		tenant := fs.String("tenant", "", "tenant")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		db, err := openExistingStore(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		list, err := db.Tokens(ctx, *tenant)
		if err != nil {
			return err
		}
		for _, t := range list {
			state := "active"
			if t.RevokedAt != nil {
				state = "revoked " + t.RevokedAt.Format(time.RFC3339)
			}
			used := "never used"
			if t.LastUsedAt != nil {
				used = "last used " + t.LastUsedAt.Format(time.RFC3339)
			}
			fmt.Printf("%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, t.Label, t.CreatedAt.Format(time.RFC3339), used, state)
		}
		return nil
	}
	return usageError("token create | token revoke ID | token list")
}

func cmdUser(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return usageError("user add --tenant T --username U --role R [--password P]")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	dsn := storeFlags(fs)
	gf := addGrantFlags(fs)
	username := fs.String("username", "", "login name")
	password := fs.String("password", os.Getenv("RASTRO_PASSWORD"), "password (env RASTRO_PASSWORD; generated when empty)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *username == "" {
		return usageError("--username is required")
	}
	g, err := gf.grant()
	if err != nil {
		return err
	}
	pw := *password
	generated := pw == ""
	if generated {
		pw = randomPassword()
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateUser(ctx, *username, pw, g); err != nil {
		return err
	}
	fmt.Printf("user %s (%s, tenant %s) saved\n", *username, g.Role, g.Tenant)
	if generated {
		fmt.Printf("password: %s\n", pw)
	}
	return nil
}

func cmdContact(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "anonymize" {
		return usageError("contact anonymize ID --tenant T")
	}
	fs := flag.NewFlagSet("contact anonymize", flag.ContinueOnError)
	dsn := storeFlags(fs)
	tenant := fs.String("tenant", "", "tenant")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 || *tenant == "" {
		return usageError("contact anonymize ID --tenant T")
	}
	db, err := openExistingStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := ingest.New(db).AnonymizeContact(ctx, *tenant, fs.Arg(0))
	if err != nil {
		return err
	}
	if err := db.Audit(ctx, store.AuditEntry{Tenant: *tenant, Actor: "cli", Action: "contact.anonymize", Detail: map[string]any{"contact": fs.Arg(0), "events_rewritten": n}}); err != nil {
		return err
	}
	fmt.Printf("contact %s anonymized (%d stored events rewritten)\n", fs.Arg(0), n)
	return nil
}

func cmdBackup(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	dsn := storeFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("backup FILE")
	}
	db, err := openExistingStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Println("backup written to", fs.Arg(0))
	return nil
}
