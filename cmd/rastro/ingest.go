package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rastro/rastro/internal/connectors/asterisk"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// cmdIngest stores NDJSON files in two passes with bounded memory: the
// first validates every file (nothing is stored if any line is invalid),
// the second reads them again and stores them in transactions of --batch
// events. Standard input and translated formats are spooled to a private
// temp file so they can be read twice. Ctrl-C/SIGTERM stops between
// transactions and says what was stored; event ids are idempotent, so
// running the same command again completes an interrupted run.
func cmdIngest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	dsn := storeFlags(fs)
	tenant := fs.String("tenant", envOr("RASTRO_TENANT", "demo"), "tenant the events belong to")
	create := fs.Bool("create-tenant", false, "create the tenant if it does not exist (otherwise an unknown tenant is refused)")
	batch := fs.Int("batch", 5000, "events per stored transaction")
	format := fs.String("format", "ndjson", "input format: ndjson (EVENTS.md), asterisk-queue-log, asterisk-cdr or asterisk-cel")
	cdrColumns := fs.String("cdr-columns", "", "asterisk-cdr: CDR variable of each column, comma-separated, - skips one (cdr_custom layouts); default: recognised by width (cdr_csv 18/21, cdr_custom sample 19)")
	celColumns := fs.String("cel-columns", "", "asterisk-cel: CEL field of each column, comma-separated, - skips one (custom cel_custom.conf mappings); default: recognised by width (the sample's legacy 21, advanced 23/24)")
	voice := addVoiceFlags(fs)
	follow := fs.Bool("follow", false, "tail the files as they grow: store new lines in batches (within a second), keep the position in the store, follow rename rotation; stops on SIGTERM/Ctrl-C")
	timezone := fs.String("timezone", "", "zone of textual dates (IANA name): asterisk-cdr defaults to the tenant's zone, asterisk-queue-log to UTC (its epochs are UTC anyway)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "ndjson" && *format != "asterisk-queue-log" && *format != "asterisk-cdr" && *format != "asterisk-cel" {
		return usageError("--format must be ndjson, asterisk-queue-log, asterisk-cdr or asterisk-cel")
	}
	tr := translation{format: *format}
	if *cdrColumns != "" {
		if *format != "asterisk-cdr" {
			return usageError("--cdr-columns applies to --format asterisk-cdr only")
		}
		cols, err := asterisk.ParseCDRColumns(*cdrColumns)
		if err != nil {
			return usageError("--cdr-columns: " + err.Error())
		}
		tr.cdrColumns = cols
	}
	if *celColumns != "" {
		if *format != "asterisk-cel" {
			return usageError("--cel-columns applies to --format asterisk-cel only")
		}
		cols, err := asterisk.ParseCELColumns(*celColumns)
		if err != nil {
			return usageError("--cel-columns: " + err.Error())
		}
		tr.celColumns = cols
	}
	if *timezone != "" {
		loc, err := time.LoadLocation(*timezone)
		if err != nil {
			return usageError(fmt.Sprintf("--timezone %q: %v", *timezone, err))
		}
		tr.loc = loc
	}
	if *batch < 1 {
		return usageError("--batch must be at least 1")
	}
	names := fs.Args()
	if len(names) == 0 {
		return usageError("name at least one NDJSON file (- for stdin)")
	}
	// Without --create-tenant the tenant must exist, so the store must too:
	// a typo in --db is refused before it creates an empty store.
	open := openExistingStore
	if *create {
		open = openStore
	}
	db, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *create {
		if err := db.EnsureTenant(ctx, *tenant); err != nil {
			return err
		}
	} else if _, err := db.Tenant(ctx, *tenant); err != nil {
		if errors.Is(err, store.ErrUnknownTenant) {
			return fmt.Errorf("tenant %q does not exist: check --tenant, or pass --create-tenant to create it", *tenant)
		}
		return err
	}
	if tr.loc == nil && (tr.format == "asterisk-cdr" || tr.format == "asterisk-cel") {
		// cdr_csv writes the PBX's local time: by default the tenant's zone.
		tc, err := db.TenantContext(ctx, *tenant)
		if err != nil {
			return err
		}
		tr.loc = tc.Zone
	}
	if err := voice.set(ctx, db, *tenant, &tr); err != nil {
		return err
	}
	in := ingest.New(db)
	opt, err := in.Options(ctx, *tenant)
	if err != nil {
		return err
	}
	if *follow {
		return runFollow(ctx, db, in, opt, *tenant, tr, names)
	}

	// Inputs that cannot be read twice become temp files first.
	inputs := make([]ingestInput, 0, len(names))
	defer func() {
		for _, f := range inputs {
			f.close()
		}
	}()
	for _, name := range names {
		f, err := openIngestInput(ctx, name, tr)
		if err != nil {
			return err
		}
		inputs = append(inputs, f)
	}

	// Pass 1: validate everything; nothing is held but the problems.
	dec := ingest.Decoder{Opt: opt}
	bad := 0
	for _, f := range inputs {
		if _, err := f.rewind(); err != nil {
			return err
		}
		_, err := dec.Each(ctx, f.r(), nil)
		var be *ingest.BatchError
		switch {
		case errors.As(err, &be):
			for _, e := range be.Errors {
				fmt.Fprintf(os.Stderr, "%s:%d: id %q: %s: %s\n", f.name, e.Line, e.ID, orDash(e.Field), e.Reason)
			}
			if be.Omitted > 0 {
				fmt.Fprintf(os.Stderr, "%s: %d more problem(s) not listed\n", f.name, be.Omitted)
			}
			bad += len(be.Errors) + be.Omitted
		case err != nil:
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d problem(s); nothing was stored", bad)
	}

	// Pass 2: store, one transaction per --batch events.
	var total ingest.Result
	for _, f := range inputs {
		if _, err := f.rewind(); err != nil {
			return err
		}
		events := make([]model.Event, 0, *batch)
		raw := make([][]byte, 0, *batch)
		stored := 0
		flush := func() error {
			if len(events) == 0 {
				return nil
			}
			// A signal stops between transactions, never inside one.
			if err := ctx.Err(); err != nil {
				return err
			}
			res, err := in.Store(context.WithoutCancel(ctx), *tenant, events, raw)
			if err != nil {
				return fmt.Errorf("events %d–%d: %w", stored+1, stored+len(events), err)
			}
			stored += len(events)
			total.Accepted += res.Accepted
			total.Duplicates += res.Duplicates
			events, raw = events[:0], raw[:0]
			return nil
		}
		_, err := dec.Each(ctx, f.r(), func(ev model.Event, r []byte) error {
			events = append(events, ev)
			raw = append(raw, r)
			if len(events) == *batch {
				return flush()
			}
			return nil
		})
		if err == nil {
			err = flush()
		}
		if err != nil {
			out, _ := json.Marshal(total)
			fmt.Println(string(out))
			if ctx.Err() != nil {
				return fmt.Errorf("interrupted: %s: its first %d event(s) are stored (%d accepted, %d duplicates in all); run the same command again to store the rest (event ids are idempotent)", f.name, stored, total.Accepted, total.Duplicates)
			}
			return fmt.Errorf("%s: %w (its first %d event(s) are stored; run the same command again once fixed)", f.name, err, stored)
		}
	}
	out, _ := json.Marshal(total)
	fmt.Println(string(out))
	return nil
}

// ingestInput is one input of `rastro ingest`, readable twice.
type ingestInput struct {
	name string
	file *os.File
	temp bool
	size int64 // read up to here both times: a file that grows meanwhile is read as it was
	br   *bufio.Reader
}

func (f *ingestInput) rewind() (int64, error) {
	n, err := f.file.Seek(0, io.SeekStart)
	if err != nil {
		return 0, fmt.Errorf("%s: cannot read it twice: %w", f.name, err)
	}
	f.br.Reset(io.LimitReader(f.file, f.size))
	return n, nil
}

func (f *ingestInput) r() io.Reader { return f.br }

func (f *ingestInput) close() {
	f.file.Close()
	if f.temp {
		os.Remove(f.file.Name())
	}
}

// openIngestInput opens a file to read twice: a regular file as it is;
// stdin, pipes and devices, and queue_logs (translated to NDJSON) are
// copied to a private temp file first, so memory stays bounded.
func openIngestInput(ctx context.Context, name string, tr translation) (ingestInput, error) {
	format := tr.format
	var src *os.File
	if name == "-" {
		src = os.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return ingestInput{}, err
		}
		src = f
	}
	st, err := src.Stat()
	if err != nil {
		return ingestInput{}, fmt.Errorf("%s: %w", name, err)
	}
	if format == "ndjson" && st.Mode().IsRegular() {
		return ingestInput{name: name, file: src, size: st.Size(), br: bufio.NewReaderSize(src, 1<<20)}, nil
	}
	if name != "-" {
		defer src.Close()
	}
	tmp, err := os.CreateTemp("", "rastro-ingest-*.ndjson") // mode 0600
	if err != nil {
		return ingestInput{}, fmt.Errorf("spool %s: %w", name, err)
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<20)
	r := io.Reader(ctxReader{ctx, src})
	switch format {
	case "asterisk-queue-log":
		err = translateQueueLog(name, r, w, tr)
	case "asterisk-cdr":
		err = translateCDR(name, r, w, tr)
	case "asterisk-cel":
		err = translateCEL(name, r, w, tr)
	default:
		_, err = io.Copy(w, r)
		if err != nil {
			err = fmt.Errorf("spool %s: %w", name, err)
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return ingestInput{}, err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return ingestInput{}, err
	}
	keep = true
	return ingestInput{name: name, file: tmp, temp: true, size: size, br: bufio.NewReaderSize(tmp, 1<<20)}, nil
}

// ctxReader stops a copy when ctx ends (a signal while spooling an endless
// input such as a pipe).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// translateQueueLog turns an Asterisk queue_log into NDJSON events written
// to w; every malformed line is reported with its line number and nothing
// is stored.
func translateQueueLog(name string, r io.Reader, w io.Writer, tr translation) error {
	err := asterisk.Translate(r, asterisk.Options{Location: tr.loc, VoiceServer: tr.call.VoiceServer}, ndjsonWriter(w))
	return translated(name, "queue_log", err)
}

// translateCDR turns an Asterisk CDR CSV (cdr_csv or cdr_custom) into NDJSON
// events written to w, like translateQueueLog.
func translateCDR(name string, r io.Reader, w io.Writer, tr translation) error {
	err := asterisk.TranslateCDR(r, asterisk.CDROptions{Location: tr.loc, Columns: tr.cdrColumns, Call: tr.call}, ndjsonWriter(w))
	return translated(name, "CDR", err)
}

// translateCEL turns an Asterisk cel_custom CSV into NDJSON events written
// to w, like translateQueueLog.
func translateCEL(name string, r io.Reader, w io.Writer, tr translation) error {
	err := asterisk.TranslateCEL(r, asterisk.CELOptions{Location: tr.loc, Columns: tr.celColumns, Call: tr.call}, ndjsonWriter(w))
	return translated(name, "CEL", err)
}

// translation is how a non-NDJSON input is read.
type translation struct {
	format     string
	loc        *time.Location // textual dates; nil: UTC
	cdrColumns []string       // asterisk-cdr: nil recognises the layout by width
	celColumns []string       // asterisk-cel: nil recognises the layout by width
	call       asterisk.CallOptions
}

func ndjsonWriter(w io.Writer) func(int, model.Event) error {
	return func(_ int, ev model.Event) error {
		b, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}
}

// translated reports a translator's problems, one per line, on stderr.
func translated(name, what string, err error) error {
	var problems asterisk.Problems
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "%s:%d: %s\n", name, p.Line, p.Reason)
		}
		return fmt.Errorf("%s: %d malformed %s line(s); nothing was stored", name, len(problems), what)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
