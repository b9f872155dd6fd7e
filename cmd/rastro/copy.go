package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rastro/rastro/internal/store"
)

// cmdCopy copies a whole store into a freshly created one: the embedded
// store into PostgreSQL, or PostgreSQL into a new file for an offline copy.
func cmdCopy(ctx context.Context, args []string) error {
	return copyCommand(ctx, args, os.Stdout)
}

func copyCommand(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("copy", flag.ContinueOnError)
	from := fs.String("from", "", "source store: file path (SQLite) or postgres:// URL")
	to := fs.String("to", "", "destination store, freshly created: a new file path or a postgres:// URL of an empty database or schema")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return usageError("copy --from SRC --to DST")
	}
	if *from == *to {
		return usageError("--from and --to name the same store")
	}
	src, err := openExistingStore(ctx, *from)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer src.Close()
	dst, err := openStore(ctx, *to)
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	defer dst.Close()

	fmt.Fprintf(out, "copying %s store %s into %s store %s\n", src.Dialect(), redact(*from), dst.Dialect(), redact(*to))
	fmt.Fprintf(out, "%-22s %12s %9s %12s\n", "table", "rows", "seconds", "rows/s")
	start := time.Now()
	var rows int64
	var inTables time.Duration
	err = store.CopyStore(ctx, src, dst, func(table string, n int64, el time.Duration) {
		rows += n
		inTables += el
		fmt.Fprintf(out, "%-22s %12d %9.2f %12.0f\n", table, n, el.Seconds(), perSecond(n, el))
	})
	if err != nil {
		return fmt.Errorf("copy %s into %s: %w", redact(*from), redact(*to), err)
	}
	el := time.Since(start)
	if dst.Dialect() == store.Postgres {
		fmt.Fprintf(out, "%-22s %12s %9.2f\n", "(keys, commit, ANALYZE)", "", (el - inTables).Seconds())
	} else {
		fmt.Fprintf(out, "%-22s %12s %9.2f\n", "(commit)", "", (el - inTables).Seconds())
	}
	fmt.Fprintf(out, "%-22s %12d %9.2f %12.0f\n", "total", rows, el.Seconds(), perSecond(rows, el))
	return nil
}

func perSecond(n int64, el time.Duration) float64 {
	if el <= 0 {
		return 0
	}
	return float64(n) / el.Seconds()
}
