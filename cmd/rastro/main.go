// Command rastro ingests contact-center events and serves the reports:
// `rastro serve`, `rastro ingest`, `rastro token create`, `rastro demo`,
// `rastro rebuild`, `rastro report …`, `rastro copy` and the admin commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func usage(w io.Writer) {
	fmt.Fprint(w, `rastro — contact-center reporting

usage: rastro COMMAND [flags]

  serve            serve the web UI and the API (--addr, --db, --demo-if-empty, --metrics-addr, --analytics URL)
  ingest FILE...   validate and store NDJSON events (- for stdin) (--tenant, --format ndjson|asterisk-queue-log|asterisk-cdr|asterisk-cel, --cdr-columns, --cel-columns, --timezone, --follow, --voice-server, --inbound-contexts)
  token create     create an API token (--tenant T --role R [--services a,b] [--clients x,y] [--personal=true|false])
  token revoke ID  revoke a token
  token list       list a tenant's tokens (--tenant)
  user add         add or update a UI login (--tenant --username --role [--password | RASTRO_PASSWORD])
  tenant set       change a tenant's settings (--tenant T [--timezone Z] [--sl-seconds N] [--window MEDIA=HOURS]… [--recording-hosts H,…])
  demo             write a deterministic demo month through ingestion (--tenant --legs; recordings synthesised on request)
  rebuild          recompute everything derived from the raw events (--tenant, default all)
  directory        directory import FILE.csv: name queues, agents, IVRs and tags (kind,id,name)
  report NAME      print a report: interactions, fluxo-agil, ivr, agents (--tenant --format csv|xlsx|json [report params as --name value])
  contact anonymize ID   irreversibly remove a contact's personal data (--tenant)
  backup FILE      online, consistent copy of the embedded store
  copy             copy a whole store into a new, empty one, e.g. SQLite into PostgreSQL (--from SRC --to DST)
  analytics sync   create the analytics engine's tables, backfill it (first time) or ship what is pending (--analytics URL)
  connector add chatwoot   webhook connector: prints /hooks/chatwoot/KEY (--tenant T [--secret S] [--api-inbox-media MEDIA])
  connector list|revoke ID|errors|replay   list, revoke; list untranslated deliveries, translate them again (--tenant)
  bench            measure report latencies and export throughput on the store (--tenant)

Every command that touches the store takes --db (env RASTRO_DB; a file path
for the embedded store or a postgres:// URL; default ./rastro.db).
`)
}

func main() {
	privateUmask()
	if len(os.Args) < 2 {
		usage(os.Stderr)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, args)
	case "ingest":
		err = cmdIngest(ctx, args)
	case "token":
		err = cmdToken(ctx, args)
	case "user":
		err = cmdUser(ctx, args)
	case "tenant":
		err = cmdTenant(ctx, args)
	case "demo":
		err = cmdDemo(ctx, args)
	case "rebuild":
		err = cmdRebuild(ctx, args)
	case "directory":
		err = cmdDirectory(ctx, args)
	case "report":
		err = cmdReport(ctx, args)
	case "contact":
		err = cmdContact(ctx, args)
	case "backup":
		err = cmdBackup(ctx, args)
	case "copy":
		err = cmdCopy(ctx, args)
	case "bench":
		err = cmdBench(ctx, args)
	case "analytics":
		err = cmdAnalytics(ctx, args)
	case "connector":
		err = cmdConnector(ctx, args)
	case "help", "-h", "--help":
		usage(os.Stdout)
		return
	default:
		fmt.Fprintf(os.Stderr, "rastro: unknown command %q\n\n", cmd)
		usage(os.Stderr)
		os.Exit(2)
	}
	if errors.Is(err, errHelpShown) {
		return
	}
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, "rastro "+cmd+": "+err.Error())
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "rastro "+cmd+": "+err.Error())
		os.Exit(1)
	}
}

// errHelpShown: --help was asked and answered on stdout (exit status 0).
var errHelpShown = errors.New("help shown")

// usageError is a mistake in the command line (exit status 2).
type usageError string

func (e usageError) Error() string { return string(e) }

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
