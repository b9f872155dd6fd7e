// Package ingest turns batches of events (EVENTS.md) into model.Events:
// decoding and validation here, storing in ingest.go.
package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/rastro/rastro/internal/model"
)

// maxLine is the longest NDJSON line DecodeStream reads; a longer line is
// reported as a problem of that line and skipped.
const maxLine = 64 << 20

// Decode reads a batch: NDJSON (one object per line; blank lines ignored but
// counted for line numbers) or a JSON array (body whose first non-space byte
// is '['). It returns the decoded events and every problem found (it does not
// stop at the first). raw[i] is the compact JSON of event i exactly as
// received (for append-only storage). err is a *BatchError when any problem
// was found, else nil; events and raw then hold only the valid events.
func Decode(body []byte, opt Options) (events []model.Event, raw [][]byte, err error) {
	return DecodeStream(bytes.NewReader(body), opt)
}

// DecodeStream is Decode for a reader (CLI files, stdin); line numbers are
// the file's lines. Lines may be up to 64 MiB long.
func DecodeStream(r io.Reader, opt Options) ([]model.Event, [][]byte, error) {
	b, err := decodeStream(r, opt)
	if err != nil {
		return nil, nil, err
	}
	return b.events, b.raw, b.err()
}

// decodeStream decodes a batch keeping each valid event's line (the scope
// check of a limited principal names lines too).
func decodeStream(r io.Reader, opt Options) (*batch, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	b := &batch{v: newValidator(opt)}
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
		return nil, err // the reader failed: not a problem of the batch
	}
	return b, nil
}

// err is the batch's *BatchError, or nil when every event is valid.
func (b *batch) err() error {
	if len(b.errs) > 0 {
		return &BatchError{Errors: b.errs}
	}
	return nil
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
	v      *validator
	events []model.Event
	raw    [][]byte
	lines  []int // lines[i]: the line (or array element) of events[i]
	errs   []FieldError
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
			b.errs = append(b.errs, FieldError{Line: line, Reason: fmt.Sprintf("line longer than %d MiB", maxLine>>20)})
		} else if text = bytes.Trim(text, " \t\r\n"); len(text) > 0 {
			b.one(text, line)
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine reads one line (without its end) of at most maxLine bytes; n is
// how many bytes were consumed, tooLong that the line was longer.
func readLine(br *bufio.Reader) (line []byte, n int, tooLong bool, err error) {
	for {
		frag, e := br.ReadSlice('\n')
		n += len(frag)
		if !tooLong {
			if len(line)+len(frag) > maxLine+2 { // +2: the line's "\r\n"
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

func (b *batch) array(br *bufio.Reader) error {
	dec := json.NewDecoder(br)
	if _, err := dec.Token(); err != nil { // '['
		return b.readErr(err, 1)
	}
	i := 1
	for ; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return b.readErr(err, i)
		}
		b.one(raw, i)
	}
	if _, err := dec.Token(); err != nil { // ']'
		return b.readErr(err, i)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil || isSyntax(err) {
			b.errs = append(b.errs, FieldError{Line: i, Reason: "malformed JSON: data after the array"})
			return nil
		}
		return err
	}
	return nil
}

// readErr turns a syntax error of the array into a problem of element line
// (a JSON array cannot be read past one); other errors are the reader's.
func (b *batch) readErr(err error, line int) error {
	if isSyntax(err) || err == io.ErrUnexpectedEOF || err == io.EOF {
		reason := err.Error()
		if !isSyntax(err) {
			reason = "unexpected end of JSON input"
		}
		b.errs = append(b.errs, FieldError{Line: line, Reason: "malformed JSON: " + reason})
		return nil
	}
	return err
}

func isSyntax(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se)
}

// one decodes and validates the event of one line (or array element).
func (b *batch) one(text []byte, line int) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(text, &m); err != nil {
		if isSyntax(err) {
			b.errs = append(b.errs, FieldError{Line: line, Reason: "malformed JSON: " + err.Error()})
		} else {
			b.errs = append(b.errs, FieldError{Line: line, Reason: "must be a JSON object"})
		}
		return
	}
	if text[0] != '{' { // null
		b.errs = append(b.errs, FieldError{Line: line, Reason: "must be a JSON object"})
		return
	}
	ev, errs := b.v.event(m, line)
	if len(errs) > 0 {
		b.errs = append(b.errs, errs...)
		return
	}
	var buf bytes.Buffer
	buf.Grow(len(text))
	if err := json.Compact(&buf, text); err != nil { // cannot happen: text is valid
		b.errs = append(b.errs, FieldError{Line: line, ID: ev.ID, Reason: "malformed JSON: " + err.Error()})
		return
	}
	b.events = append(b.events, ev)
	b.raw = append(b.raw, buf.Bytes())
	b.lines = append(b.lines, line)
}
