package report

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"hash"
	"io"
	"strings"
)

// RowSource streams rows to emit, in order, and stops on emit's error.
type RowSource func(emit func([]string) error) error

// Format of an export.
type Format struct {
	Kind string // csv | xlsx
	Sep  rune   // CSV separator
	BOM  bool   // UTF-8 BOM before the CSV header
}

// ParseFormat reads format and sep: CSV with ";" and a BOM by default (what
// pt-BR spreadsheets open correctly), "," on request (BOM too), or XLSX.
func ParseFormat(format, sep string) (Format, error) {
	errs := &ParamError{}
	f := Format{Kind: "csv", Sep: ';', BOM: true}
	switch format {
	case "", "csv":
	case "xlsx":
		f.Kind = "xlsx"
	default:
		errs.add("format", "must be csv or xlsx")
	}
	switch sep {
	case "", ";", "semicolon":
	case ",", "comma":
		// The BOM stays: without it Excel reads the UTF-8 as Windows-1252
		// whatever the separator ("SERVIÃ‡O").
		f.Sep = ','

	default:
		errs.add("sep", "must be ; or ,")
	}
	return f, errs.err()
}

// ContentType of the export.
func (f Format) ContentType() string {
	if f.Kind == "xlsx" {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Ext is the file extension.
func (f Format) Ext() string { return f.Kind }

// ExportStats is what the audit log records of an export.
type ExportStats struct {
	Rows   int64
	Bytes  int64
	SHA256 string
}

type countingWriter struct {
	w io.Writer
	n int64
	h hash.Hash
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.h.Write(p[:n])
	return n, err
}

// Write streams columns and rows to w in the format; memory stays flat
// whatever the row count (CSV through a buffered writer, XLSX through
// excelize's stream writer, which spills to a temporary file).
func Write(w io.Writer, f Format, columns []string, src RowSource) (ExportStats, error) {
	cw := &countingWriter{w: w, h: sha256.New()}
	var rows int64
	var err error
	if f.Kind == "xlsx" {
		rows, err = writeXLSX(cw, columns, src)
	} else {
		rows, err = writeCSV(cw, f, columns, src)
	}
	return ExportStats{Rows: rows, Bytes: cw.n, SHA256: hex.EncodeToString(cw.h.Sum(nil))}, err
}

func writeCSV(w io.Writer, f Format, columns []string, src RowSource) (int64, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	if f.BOM {
		if _, err := bw.WriteString("\uFEFF"); err != nil {
			return 0, err
		}
	}
	cw := csv.NewWriter(bw)
	cw.Comma = f.Sep
	if err := cw.Write(columns); err != nil {
		return 0, err
	}
	var n int64
	err := src(func(row []string) error {
		n++
		return cw.Write(neutralizeFormulas(row))
	})
	if err != nil {
		// What is still buffered is dropped: when nothing reached w yet the
		// caller can answer with the error instead of a cut file.
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// neutralizeFormulas keeps spreadsheet programs from running text that came
// in an event as a formula (CSV injection): a cell starting with = or @ or a
// control character, or with + or - and containing anything but a phone
// number's characters, gets a leading apostrophe, which spreadsheets hide.
// Phone numbers ("+55 11 91234-5678") and durations stay as they are, equal
// to the JSON. XLSX cells are written as strings and need nothing.
func neutralizeFormulas(row []string) []string {
	for i, c := range row {
		if c == "" {
			continue
		}
		switch c[0] {
		case '=', '@', '\t', '\r':
			row[i] = "'" + c
		case '+', '-':
			if !phoneLike(c) {
				row[i] = "'" + c
			}
		}
	}
	return row
}

func phoneLike(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("+-0123456789 ().", r) {
			return false
		}
	}
	return true
}
