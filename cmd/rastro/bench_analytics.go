package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/analytics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
)

// benchAnalytics points the reports of a benchmark at the analytics engine
// (url "": the store alone). The returned close is never nil.
func benchAnalytics(ctx context.Context, r *report.Reports, rawURL string) (*analytics.Engine, func(), error) {
	if rawURL == "" {
		return nil, func() {}, nil
	}
	ch, err := analytics.Open(ctx, rawURL)
	if err != nil {
		return nil, nil, err
	}
	r.Analytics = &analytics.Rastreio{CH: ch, DB: r.DB}
	var n uint64
	if err := ch.LegRows(ctx, &n); err != nil {
		ch.Close()
		return nil, nil, err
	}
	cfg := ch.Config()
	fmt.Printf("analytics: clickhouse, %d host(s), cluster %q, %d leg rows (every version and tenant)\n", len(cfg.Hosts), cfg.Cluster, n)
	return ch, func() { ch.Close() }, nil
}

// benchEngineText compares the Rastreio's CSV export of the month, read
// from the engine, with ClickHouse writing the same rows as text itself:
// the export's own query (scope, filters, FINAL, order), as admin, run by
// clickhouse-client into /dev/null, its time as the client reports it
// (--time). Three alternating rounds per media; medians.
func benchEngineText(ctx context.Context, r *report.Reports, ch *analytics.Engine, p model.Principal, from, to, client string) error {
	rastreio := r.Analytics.(*analytics.Rastreio)
	cfg := ch.Config()
	for _, media := range []string{"whatsapp", "voice"} {
		q, err := r.ParseInteractions(ctx, p, url.Values{"media": {media}, "from": {from}, "to": {to}})
		if err != nil {
			return err
		}
		sql, args, err := rastreio.ExportQuery(ctx, p, q.Filter, q.Desc)
		if err != nil {
			return err
		}
		text, err := analytics.Inline(sql, args)
		if err != nil {
			return err
		}
		var exp, eng []float64
		var rows int64
		for round := 0; round < 3; round++ {
			f, _ := report.ParseFormat("csv", "")
			start := time.Now()
			st, err := report.Write(io.Discard, f, q.Columns(), r.InteractionRows(ctx, p, q))
			if err != nil {
				return err
			}
			rows = st.Rows
			exp = append(exp, float64(st.Rows)/time.Since(start).Seconds())
			secs, err := clientText(ctx, client, cfg, text)
			if err != nil {
				return err
			}
			eng = append(eng, float64(st.Rows)/secs)
		}
		e, c := median(exp), median(eng)
		fmt.Printf("export csv from clickhouse %-9s rows %8d  %9.0f rows/s;  clickhouse-client TSV of the same query %9.0f rows/s;  export at %3.0f %%  (medians of 3)\n",
			media, rows, e, c, 100*e/c)
	}
	return nil
}

// clientText runs query with clickhouse-client, its TSV output into
// /dev/null, and returns the elapsed seconds it reports.
func clientText(ctx context.Context, client string, cfg analytics.Config, query string) (float64, error) {
	host, port, _ := strings.Cut(cfg.Hosts[0], ":")
	args := []string{"--host", host, "--port", port, "--time", "--format", "TabSeparated", "--query", query}
	if cfg.User != "" {
		args = append(args, "--user", cfg.User)
	}
	if cfg.Password != "" {
		args = append(args, "--password", cfg.Password)
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return 0, err
	}
	defer devnull.Close()
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, client, args...)
	cmd.Stdout = devnull
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s: %w: %s", client, err, stderr.String())
	}
	lines := strings.Fields(stderr.String())
	if len(lines) == 0 {
		return 0, fmt.Errorf("%s --time printed no time", client)
	}
	secs, err := strconv.ParseFloat(lines[len(lines)-1], 64)
	if err != nil || secs <= 0 {
		return 0, fmt.Errorf("%s --time printed %q", client, stderr.String())
	}
	return secs, nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// cmdBenchLoad: `rastro bench load-analytics` (benchmarks only): fills the
// analytics engine with copies of a synced month (see
// analytics.Engine.BenchReplicate), optionally merging its tables.
func cmdBenchLoad(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench load-analytics", flag.ContinueOnError)
	rawURL := analyticsFlag(fs)
	tenant := fs.String("tenant", "demo", "tenant")
	from := fs.String("from", "2026-10-01", "first local date of the synced month copied")
	to := fs.String("to", "2026-10-30", "last local date of the synced month copied")
	months := fs.Int("months", 10, "months in the engine after the load, the synced one the last: each earlier month is a copy shifted to its first day")
	optimize := fs.Bool("optimize", false, "merge every table afterwards (OPTIMIZE … FINAL: rewrites every row)")
	copies := fs.Int("copies", 1, "copies of the synced month per month (the synced month itself counts as one), for a source smaller than a month's legs")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *rawURL == "" {
		return usageError("bench load-analytics: --analytics URL (or RASTRO_ANALYTICS) is required")
	}
	first, err := time.Parse("2006-01-02", *from)
	if err != nil {
		return usageError(fmt.Sprintf("bench load-analytics: --from %q: want AAAA-MM-DD", *from))
	}
	if *months < 1 || *months > 120 {
		return usageError(fmt.Sprintf("bench load-analytics: --months %d: want 1 to 120", *months))
	}
	if *copies < 1 || *copies > 99 {
		return usageError(fmt.Sprintf("bench load-analytics: --copies %d: want 1 to 99", *copies))
	}
	var shifts []analytics.BenchCopy
	for m := 0; m < *months; m++ {
		for c := 0; c < *copies; c++ {
			if m > 0 || c > 0 {
				shifts = append(shifts, analytics.BenchCopy{Days: int(first.Sub(first.AddDate(0, -m, 0)).Hours() / 24), N: c})
			}
		}
	}
	ch, err := analytics.Open(ctx, *rawURL)
	if err != nil {
		return err
	}
	defer ch.Close()
	start := time.Now()
	logf := func(f string, a ...any) { fmt.Printf(f+"\n", a...) }
	if err := ch.BenchReplicate(ctx, *tenant, *from, *to, shifts, logf); err != nil {
		return err
	}
	fmt.Printf("bench load-analytics: %d copies in %s\n", len(shifts), time.Since(start).Round(time.Second))
	if *optimize {
		if err := ch.Optimize(ctx); err != nil {
			return err
		}
	}
	// What `rastro serve` does within minutes: merge the partitions that
	// hold several parts, so reads of them skip FINAL (settle.go).
	settleStart := time.Now()
	settled, err := ch.SettleAll(ctx, 60)
	if err != nil {
		return err
	}
	fmt.Printf("bench load-analytics: %d partitions merged in %s\n", settled, time.Since(settleStart).Round(time.Second))
	var n uint64
	if err := ch.LegRows(ctx, &n); err != nil {
		return err
	}
	fmt.Printf("bench load-analytics: done in %s: %d leg rows\n", time.Since(start).Round(time.Second), n)
	return nil
}
