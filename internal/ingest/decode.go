// Package ingest turns batches of events (EVENTS.md) into model.Events:
// decoding and validation here, storing in ingest.go.
package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/rastro/rastro/internal/model"
)

// Limits of one batch (EVENTS.md "Answers to a batch"; README "Limits").
// They bound the memory one request can take whatever is sent: a batch
// holds at most MaxBatchEvents events of at most MaxEventBytes each, a
// rejected batch keeps at most MaxErrors problems and counts the rest.
const (
	// MaxBatchEvents events are accepted in one POST; more is a 413.
	MaxBatchEvents = 10_000
	// MaxBatchBytes bytes are accepted in one POST body; more is a 413.
	MaxBatchBytes = 32 << 20
	// MaxErrors problems are listed in a 422; "omitted" counts the rest.
	MaxErrors = 1000
	// MaxEventBytes is the longest event (an NDJSON line or an array
	// element); a longer one is a problem of its line and is skipped
	// without being held in memory.
	MaxEventBytes = 1 << 20
	// MaxTextBytes is the longest string field (text, comments, names…).
	MaxTextBytes = 64 << 10
	// maxListItems is the longest array field (tags, phones, emails).
	maxListItems = 1000
)

// TooLargeError says a batch holds more events than it may; nothing of it
// was stored. The API answers it with 413.
type TooLargeError struct{ Max int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("batch holds more than %d events: split it", e.Max)
}

// Decode reads a batch: NDJSON (one object per line; blank lines ignored but
// counted for line numbers) or a JSON array (body whose first non-space byte
// is '['). It returns the decoded events and every problem found (it does not
// stop at the first), up to MaxErrors listed. raw[i] is the compact JSON of
// event i exactly as received (for append-only storage). err is a
// *BatchError when any problem was found, else nil; events and raw then hold
// only the valid events. A batch of more than MaxBatchEvents events is a
// *TooLargeError, found without reading the rest.
func Decode(body []byte, opt Options) (events []model.Event, raw [][]byte, err error) {
	events, raw, _, err = decodeLines(body, opt, MaxBatchEvents)
	return events, raw, err
}

// decodeLines is Decode that also returns each valid event's line (the
// scope check of a limited principal names lines too).
// maxEvents > 0 bounds the events (*TooLargeError past it).
func decodeLines(body []byte, opt Options, maxEvents int) (events []model.Event, raw [][]byte, lines []int, err error) {
	d := Decoder{Opt: opt, MaxEvents: maxEvents}
	_, err = d.each(context.Background(), bytes.NewReader(body), func(ev model.Event, r []byte, line int) error {
		events = append(events, ev)
		raw = append(raw, r)
		lines = append(lines, line)
		return nil
	})
	var be *BatchError
	if err != nil && !errors.As(err, &be) {
		return nil, nil, nil, err
	}
	return events, raw, lines, err
}

// Decoder validates a stream of events with bounded memory: it holds one
// event at a time and at most MaxErrors problems.
type Decoder struct {
	Opt Options
	// MaxEvents > 0 makes a stream of more events a *TooLargeError.
	MaxEvents int
}

// Each reads every event of r (NDJSON or a JSON array; a UTF-8 BOM is
// skipped) and calls fn with each valid one, in order, with its compact raw
// JSON (fn may be nil: validation only). Line numbers are the stream's
// lines (array: element indexes). It returns how many events (valid or not)
// it read, and a *BatchError listing the problems when there were any, a
// *TooLargeError, ctx's error when ctx ends, the reader's error, or fn's.
// fn is called for valid events even after a problem was found; callers
// that must store nothing of a bad stream validate first (fn nil), then
// read again.
func (d *Decoder) Each(ctx context.Context, r io.Reader, fn func(ev model.Event, raw []byte) error) (int, error) {
	if fn == nil {
		return d.each(ctx, r, nil)
	}
	return d.each(ctx, r, func(ev model.Event, raw []byte, _ int) error { return fn(ev, raw) })
}

func (d *Decoder) each(ctx context.Context, r io.Reader, fn func(ev model.Event, raw []byte, line int) error) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	b := &batch{ctx: ctx, v: newValidator(d.Opt), fn: fn, maxEvents: d.MaxEvents}
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
	}
	var err error
	if isArray(br) {
		err = b.array(br)
	} else {
		err = b.ndjson(br)
	}
	if err != nil {
		return b.n, err // the reader, fn, ctx or the size limit: not a problem list
	}
	if len(b.errs) > 0 {
		return b.n, &BatchError{Errors: b.errs, Omitted: b.omitted}
	}
	return b.n, nil
}

// isArray says whether the first non-space byte is '['; it consumes nothing.
func isArray(br *bufio.Reader) bool {
	for n := 1; n <= br.Size(); n++ {
		p, _ := br.Peek(n)
		if len(p) < n {
			return false
		}
		switch p[n-1] {
		case ' ', '\t', '\r', '\n':
		case '[':
			return true
		default:
			return false
		}
	}
	return false
}

type batch struct {
	ctx       context.Context
	v         *validator
	fn        func(model.Event, []byte, int) error
	maxEvents int
	n         int // events read, valid or not
	errs      []FieldError
	omitted   int
	buf       bytes.Buffer
}

// problem records one problem, or counts it once MaxErrors are listed.
func (b *batch) problem(e FieldError) {
	if len(b.errs) >= MaxErrors {
		b.omitted++
		return
	}
	b.errs = append(b.errs, e)
}

// next counts one more event and says whether the stream may go on.
func (b *batch) next() error {
	b.n++
	if b.maxEvents > 0 && b.n > b.maxEvents {
		return &TooLargeError{Max: b.maxEvents}
	}
	if b.n%1024 == 0 {
		return b.ctx.Err()
	}
	return nil
}

func (b *batch) ndjson(br *bufio.Reader) error {
	for line := 1; ; line++ {
		text, n, tooLong, err := readLine(br)
		if err != nil && err != io.EOF {
			return err
		}
		if n == 0 && err == io.EOF {
			return nil
		}
		if tooLong {
			if e := b.next(); e != nil {
				return e
			}
			b.problem(FieldError{Line: line, Reason: fmt.Sprintf("line longer than %d MiB", MaxEventBytes>>20)})
		} else if text = bytes.Trim(text, " \t\r\n"); len(text) > 0 {
			if e := b.next(); e != nil {
				return e
			}
			if e := b.one(text, line); e != nil {
				return e
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine reads one line (without its end) of at most MaxEventBytes bytes;
// n is how many bytes were consumed, tooLong that the line was longer (its
// bytes are read and dropped, never held).
func readLine(br *bufio.Reader) (line []byte, n int, tooLong bool, err error) {
	for {
		frag, e := br.ReadSlice('\n')
		n += len(frag)
		if !tooLong {
			if len(line)+len(frag) > MaxEventBytes+2 { // +2: the line's "\r\n"
				tooLong, line = true, nil
			} else {
				line = append(line, frag...)
			}
		}
		if e == bufio.ErrBufferFull {
			continue
		}
		return line, n, tooLong, e
	}
}

// errElementTooLong stops an array whose element is longer than
// MaxEventBytes: an array cannot be read past a bad element.
var errElementTooLong = errors.New("element too long")

// boundedReader fails once more than limit bytes were read: the array
// decoder buffers a whole element before handing it over, so this is what
// keeps one huge element from being held in memory.
type boundedReader struct {
	r     io.Reader
	read  int64
	limit int64
}

func (l *boundedReader) Read(p []byte) (int, error) {
	if l.read >= l.limit {
		return 0, errElementTooLong
	}
	if room := l.limit - l.read; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

func (b *batch) array(br *bufio.Reader) error {
	lr := &boundedReader{r: br, limit: MaxEventBytes}
	dec := json.NewDecoder(lr)
	if _, err := dec.Token(); err != nil { // '['
		return b.readErr(err, 1)
	}
	i := 1
	for ; dec.More(); i++ {
		if e := b.next(); e != nil {
			return e
		}
		lr.limit = lr.read + MaxEventBytes + 64<<10
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return b.readErr(err, i)
		}
		if e := b.one(raw, i); e != nil {
			return e
		}
	}
	lr.limit = lr.read + MaxEventBytes
	if _, err := dec.Token(); err != nil { // ']'
		return b.readErr(err, i)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil || isSyntax(err) || errors.Is(err, errElementTooLong) || err == io.ErrUnexpectedEOF {
			b.problem(FieldError{Line: i, Reason: "malformed JSON: data after the array"})
			return nil
		}
		return err
	}
	return nil
}

// readErr turns a syntax error of the array into a problem of element line
// (a JSON array cannot be read past one); other errors are the reader's.
func (b *batch) readErr(err error, line int) error {
	switch {
	case errors.Is(err, errElementTooLong):
		b.problem(FieldError{Line: line, Reason: fmt.Sprintf("element longer than %d MiB; the array was not read further", MaxEventBytes>>20)})
		return nil
	case isSyntax(err) || err == io.ErrUnexpectedEOF || err == io.EOF:
		reason := err.Error()
		if !isSyntax(err) {
			reason = "unexpected end of JSON input"
		}
		b.problem(FieldError{Line: line, Reason: "malformed JSON: " + reason})
		return nil
	}
	return err
}

func isSyntax(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se)
}

// one decodes and validates the event of one line (or array element) and
// hands a valid one to fn.
func (b *batch) one(text []byte, line int) error {
	if !utf8.Valid(text) {
		b.problem(FieldError{Line: line, Reason: "not valid UTF-8"})
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(text, &m); err != nil {
		if isSyntax(err) {
			b.problem(FieldError{Line: line, Reason: "malformed JSON: " + err.Error()})
		} else {
			b.problem(FieldError{Line: line, Reason: "must be a JSON object"})
		}
		return nil
	}
	if text[0] != '{' { // null
		b.problem(FieldError{Line: line, Reason: "must be a JSON object"})
		return nil
	}
	ev, errs := b.v.event(m, line)
	if len(errs) > 0 {
		for _, e := range errs {
			b.problem(e)
		}
		return nil
	}
	if b.fn == nil {
		return nil
	}
	b.buf.Reset()
	if err := json.Compact(&b.buf, text); err != nil { // cannot happen: text is valid
		b.problem(FieldError{Line: line, ID: ev.ID, Reason: "malformed JSON: " + err.Error()})
		return nil
	}
	return b.fn(ev, bytes.Clone(b.buf.Bytes()), line)
}
