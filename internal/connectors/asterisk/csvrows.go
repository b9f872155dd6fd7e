package asterisk

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// newCSVReader reads Asterisk's CSV files (cdr_csv, cdr_custom,
// cel_custom): records of any width (each layout checks its own) and
// quotes taken as they come.
func newCSVReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return cr
}

// eachCSVRecord calls fn with every record of r and its line, skipping
// blank lines and a UTF-8 BOM before the first record. A malformed record
// is a problem of its line and the read goes on; a read error (what names
// the input) or fn's error ends it.
func eachCSVRecord(r io.Reader, what string, problem func(line int, reason string), fn func(line int, rec []string) error) error {
	cr := newCSVReader(r)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			problem(pe.StartLine, "bad CSV: "+pe.Err.Error())
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: read: %w", what, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		line, _ := cr.FieldPos(0)
		if line == 1 && len(rec) > 0 {
			rec[0] = strings.TrimPrefix(rec[0], "\uFEFF")
		}
		if err := fn(line, rec); err != nil {
			return err
		}
	}
}

// csvLineRecord is the record of line n of a followed file: skip for a
// blank line, else the record or the reason it is malformed.
func csvLineRecord(n int, text string) (rec []string, skip bool, reason string) {
	if strings.TrimSpace(text) == "" {
		return nil, true, ""
	}
	if n == 1 {
		text = strings.TrimPrefix(text, "\uFEFF")
	}
	rec, err := newCSVReader(strings.NewReader(text)).Read()
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, false, "bad CSV: " + pe.Err.Error()
	}
	if err != nil {
		return nil, false, "bad CSV: " + err.Error()
	}
	return rec, false, ""
}
