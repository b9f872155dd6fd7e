package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/rastro/rastro/internal/analytics"
	"github.com/rastro/rastro/internal/store"
)

// analyticsFlag is --analytics (env RASTRO_ANALYTICS).
func analyticsFlag(fs *flag.FlagSet) *string {
	return fs.String("analytics", os.Getenv("RASTRO_ANALYTICS"),
		"analytics engine: clickhouse://HOST:PORT[,HOST:PORT…]/DATABASE[?cluster=NAME] (env RASTRO_ANALYTICS)")
}

// cmdAnalytics: `rastro analytics sync --analytics URL`: prepares the
// engine's tables on every host, enables analytics for the store (the first
// time: queues a full backfill of every tenant) and ships the outbox until
// it is empty (the backfill, or a one-shot catch-up).
func cmdAnalytics(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "sync" {
		return usageError("usage: rastro analytics sync --analytics URL [--db DSN] [--backfill]")
	}
	fs := flag.NewFlagSet("analytics sync", flag.ContinueOnError)
	dsn := storeFlags(fs)
	url := analyticsFlag(fs)
	backfill := fs.Bool("backfill", false, "send every tenant again (a new, empty engine database, e.g. after adding a shard); stop `rastro serve`'s shipping first")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *url == "" {
		return usageError("analytics sync: --analytics URL (or RASTRO_ANALYTICS) is required")
	}
	db, err := openExistingStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ch, err := analytics.Open(ctx, *url)
	if err != nil {
		return err
	}
	defer ch.Close()
	first, err := db.EnableAnalytics(ctx, "clickhouse")
	if err != nil {
		return err
	}
	if first {
		fmt.Println("analytics enabled for this store: backfilling every tenant")
	}
	if *backfill && !first {
		if err := db.QueueAnalyticsBackfill(ctx); err != nil {
			return err
		}
		fmt.Println("analytics sync: a backfill of every tenant is queued")
	}
	start := time.Now()
	sh := &analytics.Shipper{DB: db, CH: ch, Logf: func(f string, a ...any) { fmt.Printf(f+"\n", a...) }}
	n, err := sh.Drain(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("analytics sync: %d outbox entries shipped in %s\n", n, time.Since(start).Round(time.Millisecond))
	// What was just shipped is merged now, so reads of it skip FINAL
	// (internal/analytics/settle.go).
	start = time.Now()
	settled, err := ch.SettleAll(ctx, 60)
	if err != nil {
		return err
	}
	fmt.Printf("analytics sync: %d partitions merged in %s\n", settled, time.Since(start).Round(time.Millisecond))
	return nil
}

// startAnalytics prepares `serve --analytics`: enables analytics for the
// store and returns the engine (whose tables are created by the shipper as
// soon as the engine answers) and the shipper to run.
func startAnalytics(ctx context.Context, db *store.DB, url string) (*analytics.Engine, *analytics.Shipper, error) {
	ch, err := analytics.New(url)
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.EnableAnalytics(ctx, "clickhouse"); err != nil {
		ch.Close()
		return nil, nil, err
	}
	// Try once now so the first reports already come from the engine.
	mctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := ch.Migrate(mctx); err != nil {
		fmt.Fprintf(os.Stderr, "analytics engine not answering yet (reports come from the store until it does): %v\n", err)
	}
	return ch, &analytics.Shipper{DB: db, CH: ch}, nil
}
