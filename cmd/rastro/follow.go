package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/connectors/asterisk"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// followPoll is how often a follower looks for new lines: a batch is
// stored well within a second of its first line.
const followPoll = 200 * time.Millisecond

// followMaxBatch bounds the lines read into one stored batch.
const followMaxBatch = 5000

// follower tails one file: it stores the events of new complete lines in
// batches, keeps its position in the store (follow_positions), and on a
// restart re-reads the file up to that position without storing, so the
// translator's state is what it was (event ids are deterministic: anything
// stored twice is a duplicate). A rename rotation is followed: the old file
// is read to its end, then the new one from its beginning.
type follower struct {
	db     *store.DB
	in     *ingest.Ingester
	opt    ingest.Options
	tenant string
	tr     translation
	path   string // absolute, the key of the stored position

	file    *os.File
	name    string // the file being read (path, or a rotated path.N)
	id      string
	off     int64 // bytes consumed (end of the last complete line)
	lines   int64
	buf     []byte
	stream  asterisk.Stream
	pending []pendingEvent
	replay  bool // re-reading what was stored before: emit nothing
	saved   store.FollowPosition
}

type pendingEvent struct {
	line int64
	ev   model.Event
}

// runFollow tails names until ctx ends (SIGTERM, Ctrl-C), then stores
// what it has read and returns.
func runFollow(ctx context.Context, db *store.DB, in *ingest.Ingester, opt ingest.Options, tenant string, tr translation, names []string) error {
	var fs []*follower
	defer func() {
		for _, f := range fs {
			if f.file != nil {
				f.file.Close()
			}
		}
	}()
	for _, n := range names {
		if n == "-" {
			return usageError("--follow reads files, not standard input")
		}
		abs, err := filepath.Abs(n)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		f := &follower{db: db, in: in, opt: opt, tenant: tenant, tr: tr, path: abs}
		if err := f.start(ctx); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "following %s from line %d\n", f.name, f.lines+1)
		fs = append(fs, f)
	}
	tick := time.NewTicker(followPoll)
	defer tick.Stop()
	for {
		done := ctx.Err() != nil
		for _, f := range fs {
			// The last round (after a signal) still stores what was read.
			if err := f.poll(context.WithoutCancel(ctx)); err != nil {
				return err
			}
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
}

// start finds where to resume: the stored position's file (path itself,
// or a rotated path.N holding the same inode), re-read up to the stored
// offset without storing; a first run starts at the beginning of path.
func (f *follower) start(ctx context.Context) error {
	pos, ok, err := f.db.FollowPosition(ctx, f.tenant, f.path)
	if err != nil {
		return err
	}
	if ok && pos.Format != f.tr.format {
		return fmt.Errorf("%s was followed as %s, not %s (its position is kept per file)", f.path, pos.Format, f.tr.format)
	}
	st, err := os.Stat(f.path)
	if err != nil {
		return fmt.Errorf("follow %s: %w", f.path, err)
	}
	if !ok {
		// A first run: record the file now, so that a restart after a
		// rotation finds it (by inode) even if nothing was stored yet.
		if err := f.open(f.path, 0, 0); err != nil {
			return err
		}
		return f.savePosition(ctx)
	}
	if fileID(st) == pos.FileID && pos.FileID != "" {
		if st.Size() < pos.Offset { // truncated in place (copytruncate)
			fmt.Fprintf(os.Stderr, "%s: shorter than the %d bytes already stored: truncated, read from its beginning\n", f.path, pos.Offset)
			return f.open(f.path, 0, 0)
		}
		return f.open(f.path, pos.Offset, pos.Lines)
	}
	// Rotated while stopped: the file stored last is among path.N; the
	// files newer than it come next (see next).
	for _, r := range rotatedFiles(f.path) {
		if rs, err := os.Stat(r); err == nil && fileID(rs) == pos.FileID && pos.FileID != "" {
			return f.open(r, pos.Offset, pos.Lines)
		}
	}
	fmt.Fprintf(os.Stderr, "%s: the file stored up to line %d was rotated away and is not beside it (%s.N); reading %s from its beginning\n", f.path, pos.Lines, f.path, f.path)
	return f.open(f.path, 0, 0)
}

// rotatedFiles are path.1, path.2, … (logrotate's names), oldest first.
func rotatedFiles(path string) []string {
	matches, _ := filepath.Glob(path + ".*")
	type rf struct {
		name string
		n    int
	}
	var out []rf
	for _, m := range matches {
		n, err := strconv.Atoi(strings.TrimPrefix(m, path+"."))
		if err == nil && n > 0 {
			out = append(out, rf{m, n})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].n > out[j].n })
	names := make([]string, len(out))
	for i, r := range out {
		names[i] = r.name
	}
	return names
}

// open starts reading name with a fresh translator; the first replayTo
// bytes (replayLines lines) were stored before and are re-read silently.
func (f *follower) open(name string, replayTo, replayLines int64) error {
	if f.file != nil {
		f.file.Close()
	}
	file, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("follow %s: %w", name, err)
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return fmt.Errorf("follow %s: %w", name, err)
	}
	f.file, f.name, f.id, f.off, f.lines, f.buf = file, name, fileID(st), 0, 0, nil
	f.stream = f.newStream()
	if replayTo > 0 {
		f.replay = true
		err := f.readLines(replayTo)
		f.replay = false
		f.pending = nil
		if err != nil {
			return err
		}
		if f.off != replayTo || f.lines != replayLines {
			return fmt.Errorf("follow %s: re-reading the %d stored lines ended at byte %d, line %d, not %d: the file changed in place", name, replayLines, f.off, f.lines, replayTo)
		}
	}
	return nil
}

func (f *follower) newStream() asterisk.Stream {
	emit := func(line int, ev model.Event) error {
		if !f.replay {
			f.pending = append(f.pending, pendingEvent{int64(line), ev})
		}
		return nil
	}
	switch f.tr.format {
	case "asterisk-queue-log":
		return asterisk.NewQueueLogStream(asterisk.Options{Location: f.tr.loc, VoiceServer: f.tr.call.VoiceServer}, emit)
	case "asterisk-cdr":
		return asterisk.NewCDRStream(asterisk.CDROptions{Location: f.tr.loc, Columns: f.tr.cdrColumns, Call: f.tr.call}, emit)
	case "asterisk-cel":
		return asterisk.NewCELStream(asterisk.CELOptions{Location: f.tr.loc, Columns: f.tr.celColumns, Call: f.tr.call}, emit)
	}
	return &ndjsonStream{emit: emit}
}

// readLines feeds the complete lines from the current offset to the
// translator, up to limit bytes (0: to the end of the file as it is now,
// at most followMaxBatch lines).
func (f *follower) readLines(limit int64) error {
	chunk := make([]byte, 64<<10)
	read := 0
	for {
		want := int64(len(chunk))
		at := f.off + int64(len(f.buf))
		if limit > 0 {
			if at >= limit {
				break
			}
			if limit-at < want {
				want = limit - at
			}
		}
		n, err := f.file.ReadAt(chunk[:want], at)
		f.buf = append(f.buf, chunk[:n]...)
		for {
			i := bytes.IndexByte(f.buf, '\n')
			if i < 0 {
				break
			}
			line := string(f.buf[:i])
			f.buf = f.buf[i+1:]
			f.off += int64(i + 1)
			f.lines++
			read++
			problem, err := f.stream.Line(int(f.lines), strings.TrimRight(line, "\r"))
			if err != nil {
				return fmt.Errorf("%s: %w", f.name, err)
			}
			if problem != "" && !f.replay {
				fmt.Fprintf(os.Stderr, "%s:%d: %s (skipped)\n", f.name, f.lines, problem)
			}
		}
		if errors.Is(err, io.EOF) || n == 0 {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if limit == 0 && read >= followMaxBatch {
			break
		}
	}
	// A partial last line waits for its end; it is read again next time.
	f.buf = nil
	return f.stream.Flush()
}

// poll stores the new lines of the file; at its end, a rotated file
// gives way to the next one.
func (f *follower) poll(ctx context.Context) error {
	for {
		if err := f.readLines(0); err != nil {
			return err
		}
		if err := f.store(ctx); err != nil {
			return err
		}
		next, err := f.next()
		if err != nil || next == "" {
			return err
		}
		// Whatever the old file got since the last read, then the next.
		if err := f.readLines(0); err != nil {
			return err
		}
		if err := f.store(ctx); err != nil {
			return err
		}
		if err := f.open(next, 0, 0); err != nil {
			return err
		}
		if err := f.savePosition(ctx); err != nil {
			return err
		}
	}
}

// next is the file to read after the current one, "" to stay. While the
// current file is path, stay (unless it was truncated in place). Once it
// was renamed away (path.1, then path.2, … as logrotate names them), the
// next is the rotated file just newer than it, or path itself: so files
// rotated twice while a follower was stopped or busy are all read, in
// order.
func (f *follower) next() (string, error) {
	st, err := os.Stat(f.path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", nil // between the rename and the new file
		}
		return "", fmt.Errorf("follow %s: %w", f.path, err)
	}
	id := fileID(st)
	if id == "" || id == f.id {
		if st.Size() < f.off && f.name == f.path {
			fmt.Fprintf(os.Stderr, "%s: truncated (copytruncate?): read again from its beginning\n", f.path)
			return f.path, nil
		}
		return "", nil
	}
	cands := append(rotatedFiles(f.path), f.path)
	for i, c := range cands {
		if cs, err := os.Stat(c); err == nil && fileID(cs) == f.id && i+1 < len(cands) {
			return cands[i+1], nil
		}
	}
	return f.path, nil
}

// store validates and stores the pending events, then the position.
func (f *follower) store(ctx context.Context) error {
	if len(f.pending) == 0 {
		return f.savePosition(ctx)
	}
	events := make([]model.Event, 0, len(f.pending))
	raw := make([][]byte, 0, len(f.pending))
	for _, p := range f.pending {
		b, err := json.Marshal(p.ev)
		if err != nil {
			return err
		}
		evs, rs, err := ingest.Decode(b, f.opt)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s:%d: event %s refused (skipped): %v\n", f.name, p.line, p.ev.ID, err)
			continue
		}
		events, raw = append(events, evs...), append(raw, rs...)
	}
	if len(events) > 0 {
		if _, err := f.in.Store(ctx, f.tenant, events, raw); err != nil {
			return fmt.Errorf("%s: store lines up to %d: %w", f.name, f.lines, err)
		}
	}
	f.pending = f.pending[:0]
	return f.savePosition(ctx)
}

func (f *follower) savePosition(ctx context.Context) error {
	p := store.FollowPosition{Format: f.tr.format, FileID: f.id, Offset: f.off, Lines: f.lines}
	if p == f.saved {
		return nil
	}
	if err := f.db.SetFollowPosition(ctx, f.tenant, f.path, p); err != nil {
		return err
	}
	f.saved = p
	return nil
}

// ndjsonStream reads EVENTS.md NDJSON one line at a time.
type ndjsonStream struct {
	emit func(int, model.Event) error
}

func (s *ndjsonStream) Line(n int, text string) (string, error) {
	if strings.TrimSpace(text) == "" {
		return "", nil
	}
	var ev model.Event
	if err := json.Unmarshal([]byte(text), &ev); err != nil {
		return "not a JSON event: " + err.Error(), nil
	}
	return "", s.emit(n, ev)
}

func (s *ndjsonStream) Flush() error { return nil }
