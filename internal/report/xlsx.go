package report

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/rastro/rastro/internal/model"
)

// The XLSX export is the spreadsheet path: every cell shows the same text
// as the CSV, but durations, dates and counts are typed values behind a
// number format, so a supervisor can sum a column or sort by date without
// converting anything. Identifiers (protocols, phones, documents) stay text
// whatever they look like: a spreadsheet would turn an 18-digit PROTOCOLO
// into 2.02503171300001E+17 (LibreOffice did, reading the CSV).
//
// Typing is by the cell's own shape, which the formatting code in
// internal/metrics fixes: a value becomes a number only when its shape
// round-trips to the same text through the format below (at most 15
// significant digits, no leading zero, no sign other than a duration's),
// so no value can lose a digit or change its text. Decimals and
// percentages ("72,5%") stay text: a spreadsheet in an English locale
// would show them with a decimal point, another text than the CSV's.

var (
	reInt      = regexp.MustCompile(`^(0|[1-9][0-9]{0,14})$`)
	reDuration = regexp.MustCompile(`^([0-9]{2,}):([0-5][0-9]):([0-5][0-9])$`)
	reDateTime = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$`)
	reDTDMY    = regexp.MustCompile(`^[0-9]{2}-[0-9]{2}-[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}$`)
	reDate     = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// clockColumns hold a time of day, not a duration (same shape, other format).
var clockColumns = map[string]bool{
	"HORA": true, "HORA DE ENTRADA EM FILA": true, "HORA ENTREGUE AO AGENTE": true, "HORA MENSAGEM INICIAL": true,
}

// xlsxStyles are the style ids of one workbook.
type xlsxStyles struct {
	header, duration, dateTime, dateTimeDMY, date, clock int
}

func newXLSXStyles(x *excelize.File) (xlsxStyles, error) {
	var s xlsxStyles
	num := func(format string) (int, error) {
		f := format
		return x.NewStyle(&excelize.Style{CustomNumFmt: &f})
	}
	var err error
	if s.header, err = x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return s, err
	}
	for _, p := range []struct {
		id  *int
		fmt string
	}{
		{&s.duration, "[hh]:mm:ss"}, {&s.dateTime, "yyyy-mm-dd hh:mm:ss"}, {&s.dateTimeDMY, "dd-mm-yyyy hh:mm:ss"},
		{&s.date, "yyyy-mm-dd"}, {&s.clock, "hh:mm:ss"},
	} {
		if *p.id, err = num(p.fmt); err != nil {
			return s, fmt.Errorf("xlsx style %s: %w", p.fmt, err)
		}
	}
	return s, nil
}

// xlsxCell is v as written into column col: a typed value with its style,
// or the text itself.
func (s xlsxStyles) cell(col, v string) any {
	if v == "" || model.IdentifierColumns[col] {
		return v
	}
	switch {
	case reInt.MatchString(v):
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			return n
		}
	case reDuration.MatchString(v):
		m := reDuration.FindStringSubmatch(v)
		h, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || h > 99999 {
			return v
		}
		mi, _ := strconv.Atoi(m[2])
		se, _ := strconv.Atoi(m[3])
		secs := float64(h*3600 + int64(mi)*60 + int64(se))
		style := s.duration
		if clockColumns[col] {
			style = s.clock
		}
		return excelize.Cell{StyleID: style, Value: secs / 86400}
	case reDateTime.MatchString(v):
		if t, err := time.Parse("2006-01-02 15:04:05", v); err == nil {
			return excelize.Cell{StyleID: s.dateTime, Value: excelSerial(t)}
		}
	case reDTDMY.MatchString(v):
		if t, err := time.Parse("02-01-2006 15:04:05", v); err == nil {
			return excelize.Cell{StyleID: s.dateTimeDMY, Value: excelSerial(t)}
		}
	case reDate.MatchString(v):
		if t, err := time.Parse("2006-01-02", v); err == nil {
			return excelize.Cell{StyleID: s.date, Value: excelSerial(t)}
		}
	}
	return v
}

// excelEpoch is day 0 of the 1900 date system as spreadsheets count it
// (1899-12-30, which absorbs Lotus' phantom 1900-02-29 for every date
// after February 1900).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// excelSerial is t's wall-clock reading as a spreadsheet date serial. The
// cells are already in the tenant's zone: the serial keeps the reading,
// never converts it.
func excelSerial(t time.Time) float64 {
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	return wall.Sub(excelEpoch).Seconds() / 86400
}

// writeXLSX streams one sheet: a bold header row frozen above an autofilter,
// columns wide enough for their labels, typed cells (see above).
func writeXLSX(w io.Writer, columns []string, src RowSource) (int64, error) {
	x := excelize.NewFile()
	defer x.Close()
	sheet := "Relatório"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return 0, err
	}
	styles, err := newXLSXStyles(x)
	if err != nil {
		return 0, err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return 0, err
	}
	// Widths and panes must precede the first row in a stream writer.
	for i, c := range columns {
		width := float64(len([]rune(c))) + 4
		if width < 12 {
			width = 12
		}
		if width > 40 {
			width = 40
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return 0, fmt.Errorf("xlsx column width: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return 0, fmt.Errorf("xlsx panes: %w", err)
	}
	header := make([]any, len(columns))
	for i, c := range columns {
		header[i] = excelize.Cell{StyleID: styles.header, Value: c}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return 0, err
	}
	var n int64
	vals := make([]any, len(columns))
	err = src(func(row []string) error {
		n++
		cell, err := excelize.CoordinatesToCellName(1, int(n)+1)
		if err != nil {
			return err
		}
		vals = vals[:0]
		for i, v := range row {
			col := ""
			if i < len(columns) {
				col = columns[i]
			}
			vals = append(vals, styles.cell(col, v))
		}
		return sw.SetRow(cell, vals)
	})
	if err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, fmt.Errorf("xlsx flush: %w", err)
	}
	if len(columns) > 0 {
		last, err := excelize.CoordinatesToCellName(len(columns), int(n)+1)
		if err != nil {
			return n, err
		}
		if err := x.AutoFilter(sheet, "A1:"+last, nil); err != nil {
			return n, fmt.Errorf("xlsx autofilter: %w", err)
		}
	}
	_, err = x.WriteTo(w)
	return n, err
}
