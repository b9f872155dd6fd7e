package report

import (
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// params reads url.Values, remembering which names were used so that the
// rest can be reported as unknown.
type params struct {
	v    url.Values
	used map[string]bool
	errs *ParamError
}

func newParams(v url.Values, errs *ParamError) *params {
	return &params{v: v, used: map[string]bool{}, errs: errs}
}

// paramsSeenKey keys, in a context, a list that collects the params of
// every parse under it: TestEveryReportListsTheParametersItReads compares
// what a parse reads with the report's declared Params.
type paramsSeenKey struct{}

// names lists the parameters read so far, sorted.
func (p *params) names() []string {
	out := make([]string, 0, len(p.used))
	for n := range p.used {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// known marks names that are accepted but read elsewhere (paging, format).
func (p *params) known(names ...string) {
	for _, n := range names {
		p.used[n] = true
	}
}

// Parameter limits (README "Limits"): lists up to MaxListItems items,
// values up to MaxValueRunes characters (cursors up to maxCursorRunes). Past
// them the store would answer 500 (SQLite's 32,766 bound variables, its
// LIKE pattern limit) or spend time on what no one asks on purpose.
const (
	MaxListItems   = 5000
	MaxValueRunes  = 200
	maxCursorRunes = 1024
)

func (p *params) str(name string) string {
	p.used[name] = true
	v := strings.TrimSpace(p.v.Get(name))
	max := MaxValueRunes
	if name == "cursor" {
		max = maxCursorRunes
	}
	if utf8.RuneCountInString(v) > max {
		p.errs.add(name, "must be at most %d characters", max)
		return ""
	}
	return v
}

func (p *params) has(name string) bool {
	_, ok := p.v[name]
	return ok && strings.TrimSpace(strings.Join(p.v[name], "")) != ""
}

// list reads a comma-separated or repeated list; nil when absent.
func (p *params) list(name string) []string {
	p.used[name] = true
	var out []string
	for _, raw := range p.v[name] {
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			if len(out) == MaxListItems {
				p.errs.add(name, "must have at most %d items", MaxListItems)
				return nil
			}
			if utf8.RuneCountInString(s) > MaxValueRunes {
				p.errs.add(name, "items must be at most %d characters", MaxValueRunes)
				return nil
			}
			out = append(out, s)
		}
	}
	return out
}

func (p *params) unknown() {
	var names []string
	for n := range p.v {
		if !p.used[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		p.errs.add(n, "unknown parameter")
	}
}

var dateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// date parses AAAA-MM-DD (as midnight UTC); ok false when absent or bad
// (bad is reported).
func (p *params) date(name string) (time.Time, bool) {
	s := p.str(name)
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil || !dateRe.MatchString(s) {
		p.errs.add(name, "must be a date AAAA-MM-DD, got %q", s)
		return time.Time{}, false
	}
	return t, true
}

var hourRe = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$`)

// hour parses HH:MM (or HH:MM:SS) into "HH:MM:SS"; end=true pads an HH:MM
// upper bound to HH:MM:59 so the range is inclusive.
func (p *params) hour(name string, end bool) string {
	s := p.str(name)
	if s == "" {
		return ""
	}
	if !hourRe.MatchString(s) {
		p.errs.add(name, "must be a time of day HH:MM, got %q", s)
		return ""
	}
	if len(s) == 5 {
		if end {
			return s + ":59"
		}
		return s + ":00"
	}
	return s
}

func (p *params) boolean(name string) *bool {
	s := p.str(name)
	if s == "" {
		return nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		p.errs.add(name, "must be true or false, got %q", s)
		return nil
	}
	return &b
}

// enum checks every value of a list against allowed.
func (p *params) enum(name string, values []string, allowed ...string) {
	for _, v := range values {
		ok := false
		for _, a := range allowed {
			if v == a {
				ok = true
			}
		}
		if !ok {
			p.errs.add(name, "%q is not one of: %s", v, strings.Join(allowed, ", "))
		}
	}
}

// period is the from/to of a request: local dates (AAAA-MM-DD), both
// inclusive, read once for every report (period).
type period struct {
	from, to   time.Time // the dates, at midnight UTC
	hasF, hasT bool
}

// period reads from and to; to before from is a problem of to.
func (p *params) period() period {
	var d period
	d.from, d.hasF = p.date("from")
	d.to, d.hasT = p.date("to")
	if d.hasF && d.hasT && d.to.Before(d.from) {
		p.errs.add("to", "must not be before from")
	}
	return d
}

// dates prints the period as the rollups' bucket text ("" when open).
func (d period) dates() (from, to string) {
	if d.hasF {
		from = d.from.Format("2006-01-02")
	}
	if d.hasT {
		to = d.to.Format("2006-01-02")
	}
	return from, to
}

// instants turns the period into the instant range [from 00:00, to+1d
// 00:00) in loc, in epoch milliseconds (0 = open).
func (d period) instants(loc *time.Location) (fromMS, toMS int64) {
	if d.hasF {
		fromMS = time.Date(d.from.Year(), d.from.Month(), d.from.Day(), 0, 0, 0, 0, loc).UnixMilli()
	}
	if d.hasT {
		toMS = time.Date(d.to.Year(), d.to.Month(), d.to.Day()+1, 0, 0, 0, 0, loc).UnixMilli()
	}
	return fromMS, toMS
}

// single reads a one-value parameter; a repeated one is a problem.
func (p *params) single(name string) string {
	if len(p.v[name]) > 1 {
		p.errs.add(name, "takes one value")
	}
	return p.str(name)
}

// Paging reads limit and cursor.
func (p *params) paging(def, max int) (int, string) {
	limit := def
	if s := p.str("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > max {
			p.errs.add("limit", "must be a number from 1 to %d", max)
		} else {
			limit = n
		}
	}
	return limit, p.str("cursor")
}
