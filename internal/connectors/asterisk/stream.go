package asterisk

import (
	"fmt"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
)

// A Stream translates a file one line at a time, for a follower that reads
// a file as it grows (`rastro ingest --follow`). Line returns the reason a
// line is malformed ("" when it is not) and only emit's errors; Flush
// emits what a format holds until it knows a call is complete and the
// follower has reached the end of the file for now.
type Stream interface {
	Line(n int, text string) (problem string, err error)
	Flush() error
}

// NewQueueLogStream is Translate one line at a time: the same state, the
// same events and ids.
func NewQueueLogStream(opt Options, emit func(line int, ev model.Event) error) Stream {
	t := &translator{
		opt:    opt,
		emit:   fitting(emit),
		calls:  map[string]*callState{},
		dids:   map[string]didInfo{},
		agents: map[string]*agentState{},
	}
	if t.opt.Location == nil {
		t.opt.Location = time.UTC
	}
	if t.opt.PauseReason == "" {
		t.opt.PauseReason = DefaultPauseReason
	}
	return &queueLogStream{t: t}
}

type queueLogStream struct{ t *translator }

func (s *queueLogStream) Line(n int, text string) (string, error) {
	if n == 1 {
		text = strings.TrimPrefix(text, "\uFEFF")
	}
	if len(text) > maxLine {
		return fmt.Sprintf("line longer than %d KiB", maxLine>>10), nil
	}
	before := len(s.t.problems)
	if err := s.t.line(n, strings.TrimRight(text, "\r")); err != nil {
		return "", fmt.Errorf("asterisk: line %d: %w", n, err)
	}
	if len(s.t.problems) > before {
		p := s.t.problems[len(s.t.problems)-1]
		s.t.problems = s.t.problems[:before] // nothing accumulates in a follower
		return p.Reason, nil
	}
	return "", nil
}

func (s *queueLogStream) Flush() error { return nil }

// NewCDRStream reads CDR rows one line at a time; Flush emits every call
// read so far. cdr_csv and cdr_custom write all the rows of a call together
// when it ends, so a call is complete once the follower reaches the end of
// the file.
func NewCDRStream(opt CDROptions, emit func(line int, ev model.Event) error) Stream {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	return &cdrStream{opt: opt, emit: fitting(emit), groups: map[string]*cdrGroup{}}
}

type cdrStream struct {
	opt    CDROptions
	emit   func(int, model.Event) error
	groups map[string]*cdrGroup
	order  []string
}

func (s *cdrStream) Line(n int, text string) (string, error) {
	rec, skip, reason := csvLineRecord(n, text)
	if skip || reason != "" {
		return reason, nil
	}
	row, reason := parseCDRRow(n, rec, s.opt)
	if reason != "" {
		return reason, nil
	}
	key := row.get("linkedid")
	if key == "" {
		key = row.get("uniqueid")
	}
	g := s.groups[key]
	if g == nil {
		g = &cdrGroup{key: key, first: n}
		s.groups[key] = g
		s.order = append(s.order, key)
	}
	g.rows = append(g.rows, row)
	return "", nil
}

func (s *cdrStream) Flush() error {
	for _, k := range s.order {
		if err := emitCall(s.groups[k], s.opt.Call, s.emit); err != nil {
			return err
		}
		delete(s.groups, k)
	}
	s.order = s.order[:0]
	return nil
}

// NewCELStream reads CEL rows one line at a time and emits a call at its
// LINKEDID_END (cel.conf must track it, as events=ALL does): a live file
// is written in time order, so the call is complete then.
func NewCELStream(opt CELOptions, emit func(line int, ev model.Event) error) Stream {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	return &celStream{opt: opt, emit: fitting(emit), groups: map[string][]*celRow{}}
}

type celStream struct {
	opt    CELOptions
	emit   func(int, model.Event) error
	groups map[string][]*celRow
}

func (s *celStream) Line(n int, text string) (string, error) {
	rec, skip, reason := csvLineRecord(n, text)
	if skip || reason != "" {
		return reason, nil
	}
	row, reason := parseCELRow(n, rec, s.opt)
	if reason != "" {
		return reason, nil
	}
	key := row.get("linkedid")
	s.groups[key] = append(s.groups[key], row)
	if row.event == "LINKEDID_END" {
		rows := s.groups[key]
		delete(s.groups, key)
		return "", emitCELCall(key, rows, s.opt.Call, s.emit)
	}
	return "", nil
}

func (s *celStream) Flush() error { return nil }
