package ingest

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rastro/rastro/internal/model"
)

// FieldError is one problem of a batch, as EVENTS.md answers it in a 422.
type FieldError struct {
	Line   int    `json:"line"`   // 1-based line in NDJSON; 1-based element index in a JSON array
	ID     string `json:"id"`     // the event id when it could be read, else ""
	Field  string `json:"field"`  // dotted path, e.g. "contact.phones[1]"; "" for a malformed line or the event as a whole
	Reason string `json:"reason"` // short English reason
}

func (e FieldError) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "line %d", e.Line)
	if e.ID != "" {
		fmt.Fprintf(&b, " (id %q)", e.ID)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " %s", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// BatchError holds every problem of a rejected batch. Marshalled to JSON it
// is the 422 body of EVENTS.md: {"errors":[{"line":…,"id":…,"field":…,"reason":…}]}.
type BatchError struct {
	Errors []FieldError `json:"errors"`
	// Omitted counts the problems found beyond the MaxErrors listed.
	Omitted int `json:"omitted,omitempty"`
}

func (e *BatchError) Error() string {
	const show = 3
	var b strings.Builder
	fmt.Fprintf(&b, "invalid batch: %d problem(s)", len(e.Errors)+e.Omitted)
	for i, fe := range e.Errors {
		if i == show {
			fmt.Fprintf(&b, "; and %d more", len(e.Errors)+e.Omitted-show)
			break
		}
		b.WriteString("; ")
		b.WriteString(fe.String())
	}
	return b.String()
}

// Options for validation.
type Options struct {
	// Tenant is the credential's tenant: an event's "tenant", when given,
	// must equal it. Empty disables the check.
	Tenant string
	// Media holds the valid media ids (nil → model.DefaultMedia).
	Media map[string]bool
	// ValidateDocument checks a CPF/CNPJ (nil → no document check); its
	// error text becomes the reason. Empty documents are not checked.
	ValidateDocument func(string) (string, error)
	// Now is the moment the batch is received: no timestamp may lie more
	// than 24 h after it (zero: the validator's creation time).
	Now time.Time
	// RecordingURL checks a call.updated recording_url (nil → no check);
	// its error text becomes the reason.
	RecordingURL func(string) error
}

// Timestamp bounds (EVENTS.md): from 2000-01-01T00:00Z to 24 h after the
// batch is received. Both stores and every report handle these years; a
// far-future upsert could otherwise never be overridden.
var minTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

const maxAhead = 24 * time.Hour

const (
	maxIDLen      = 128
	maxShortRunes = 256
)

// validator checks events against the schemas with one set of Options.
type validator struct {
	opt        Options
	media      map[string]bool
	mediaNames []string // for the "not one of" reason
	maxTime    time.Time
}

func newValidator(opt Options) *validator {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	v := &validator{opt: opt, media: opt.Media, maxTime: opt.Now.Add(maxAhead)}
	if v.media == nil {
		v.media = map[string]bool{}
		for _, m := range model.DefaultMedia {
			v.media[m.ID] = true
			v.mediaNames = append(v.mediaNames, m.ID)
		}
	} else {
		for id, ok := range v.media {
			if ok {
				v.mediaNames = append(v.mediaNames, id)
			}
		}
		sort.Strings(v.mediaNames)
	}
	return v
}

// check is the validation of one event: where it is and what went wrong.
type check struct {
	v    *validator
	line int
	id   string
	errs []FieldError
}

func (c *check) fail(field, reason string) {
	c.errs = append(c.errs, FieldError{Line: c.line, ID: clip(c.id, 2*maxIDLen), Field: field, Reason: reason})
}

// clip shortens s to at most n runes for an error message, so an answer
// never echoes megabytes of what was sent.
func clip(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}

// quote is strconv.Quote of a clipped value, for reasons.
func quote(s string) string { return strconv.Quote(clip(s, 64)) }

// text checks what every string field must be: no NUL (PostgreSQL cannot
// store it and it truncates C strings), at most MaxTextBytes. Invalid UTF-8
// never gets here: the whole line is checked first.
func (c *check) text(path, s string) bool {
	switch {
	case len(s) > MaxTextBytes:
		c.fail(path, fmt.Sprintf("must be at most %d bytes", MaxTextBytes))
		return false
	case strings.IndexByte(s, 0) >= 0:
		c.fail(path, "must not contain NUL")
		return false
	}
	return true
}

// ident checks an identifier: a text without bidirectional control
// characters, which would make an id display as another.
func (c *check) ident(path, s string) bool {
	if !c.text(path, s) {
		return false
	}
	if i := strings.IndexFunc(s, model.IsBidiControl); i >= 0 {
		c.fail(path, fmt.Sprintf("must not contain the bidirectional control character U+%04X", []rune(s[i:])[0]))
		return false
	}
	return true
}

// timestamp parses an RFC 3339 timestamp within the accepted bounds.
func (c *check) timestamp(path, s string) (time.Time, bool) {
	t, ok := parseTime(s)
	switch {
	case !ok:
		c.fail(path, "must be RFC 3339 with offset")
	case t.Before(minTime):
		c.fail(path, "must not be before 2000-01-01T00:00:00Z")
		ok = false
	case t.After(c.v.maxTime):
		c.fail(path, "must not be more than 24 h after the batch is received ("+c.v.maxTime.UTC().Format(time.RFC3339)+")")
		ok = false
	}
	return t, ok
}

// get returns a field's raw value; JSON null counts as absent.
func get(m map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	raw, ok := m[name]
	if !ok || string(raw) == "null" {
		return nil, false
	}
	return raw, true
}

func asString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// event validates one decoded JSON object and, when it has no problem,
// returns it as a model.Event. Problems are appended to c.errs.
func (v *validator) event(m map[string]json.RawMessage, line int) (model.Event, []FieldError) {
	c := &check{v: v, line: line}
	var ev model.Event

	// id: read first, so every problem of the event names it.
	if raw, ok := get(m, "id"); !ok {
		c.fail("id", "required")
	} else if s, ok := asString(raw); !ok {
		c.fail("id", "must be a string")
	} else {
		c.id = s
		switch {
		case s == "":
			c.fail("id", "must not be empty")
		case utf8.RuneCountInString(s) > maxIDLen:
			c.fail("id", fmt.Sprintf("must be at most %d characters", maxIDLen))
		default:
			c.ident("id", s)
		}
		ev.ID = s
	}

	var fields []field
	if raw, ok := get(m, "type"); !ok {
		c.fail("type", "required")
	} else if s, ok := asString(raw); !ok {
		c.fail("type", "must be a string")
	} else if fs, ok := schemas[s]; !ok {
		c.fail("type", "unknown type "+quote(s))
	} else {
		ev.Type, fields = s, fs
	}

	if raw, ok := get(m, "at"); !ok {
		c.fail("at", "required")
	} else if s, ok := asString(raw); !ok {
		c.fail("at", "must be a string")
	} else if t, ok := c.timestamp("at", s); ok {
		ev.At = t
	}

	if raw, ok := get(m, "tenant"); ok {
		if s, ok := asString(raw); !ok {
			c.fail("tenant", "must be a string")
		} else if v.opt.Tenant != "" && s != v.opt.Tenant {
			c.fail("tenant", "does not match the credential's tenant "+quote(v.opt.Tenant))
		} else {
			ev.Tenant = s
		}
	}

	if fields != nil {
		c.object(m, fields, "", reflect.ValueOf(&ev).Elem())
		if ev.Type == model.TypeCallUpdated && !anyGiven(m, callFields) {
			c.fail("", "needs at least one call field")
		}
		if ev.RecordingURL != "" && v.opt.RecordingURL != nil {
			if err := v.opt.RecordingURL(ev.RecordingURL); err != nil {
				c.fail("recording_url", err.Error())
			}
		}
	}
	if len(c.errs) > 0 {
		return model.Event{}, c.errs
	}
	return ev, nil
}

func anyGiven(m map[string]json.RawMessage, fs []field) bool {
	for _, f := range fs {
		if _, ok := get(m, f.name); ok {
			return true
		}
	}
	return false
}

// object checks the fields fs of m and stores them into dst, a struct value
// whose JSON tags are the field names (checked by checkSchema at init).
func (c *check) object(m map[string]json.RawMessage, fs []field, prefix string, dst reflect.Value) {
	idx := jsonFields[dst.Type()]
	for _, f := range fs {
		path := prefix + f.name
		raw, ok := get(m, f.name)
		if !ok {
			if f.req {
				c.fail(path, "required")
			}
			continue
		}
		c.value(raw, f, path, dst.Field(idx[f.key()]))
	}
}

// value checks one given (non-null) field and stores it into dst.
func (c *check) value(raw json.RawMessage, f field, path string, dst reflect.Value) {
	switch f.kind {
	case kString, kID, kEnum, kMedia, kDocument:
		s, ok := asString(raw)
		if !ok {
			c.fail(path, "must be a string")
			return
		}
		if s == "" && (f.req || f.kind == kID || f.kind == kEnum || f.kind == kMedia) {
			c.fail(path, "must not be empty")
			return
		}
		if f.kind == kID {
			if len(s) > MaxTextBytes || utf8.RuneCountInString(s) > maxIDLen {
				c.fail(path, fmt.Sprintf("must be at most %d characters", maxIDLen))
				return
			}
			if !c.ident(path, s) {
				return
			}
		} else if !c.text(path, s) {
			return
		} else if !f.long && utf8.RuneCountInString(s) > maxShortRunes {
			c.fail(path, fmt.Sprintf("must be at most %d characters", maxShortRunes))
			return
		}
		switch f.kind {
		case kEnum:
			if !contains(f.enum, s) {
				c.fail(path, "not one of: "+strings.Join(f.enum, ", "))
				return
			}
		case kMedia:
			if !c.v.media[s] {
				c.fail(path, "not one of: "+strings.Join(c.v.mediaNames, ", "))
				return
			}
		case kDocument:
			if s != "" && c.v.opt.ValidateDocument != nil {
				if _, err := c.v.opt.ValidateDocument(s); err != nil {
					c.fail(path, err.Error())
					return
				}
			}
		}
		dst.SetString(s)

	case kTime:
		s, ok := asString(raw)
		if !ok {
			c.fail(path, "must be a string")
			return
		}
		t, ok := c.timestamp(path, s)
		if !ok {
			return
		}
		if dst.Kind() == reflect.Pointer {
			dst.Set(reflect.ValueOf(&t))
		} else {
			dst.Set(reflect.ValueOf(t))
		}

	case kBool:
		var b bool
		switch string(raw) {
		case "true":
			b = true
		case "false":
		default:
			c.fail(path, "must be a boolean")
			return
		}
		dst.Set(reflect.ValueOf(&b))

	case kNumber, kPercent:
		if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
			c.fail(path, "must be a number")
			return
		}
		n, err := strconv.ParseFloat(string(raw), 64)
		switch {
		case err != nil || math.IsInf(n, 0) || math.IsNaN(n):
			c.fail(path, "must be a finite number")
		case n < 0:
			c.fail(path, "must not be negative")
		case f.kind == kPercent && n > 100:
			c.fail(path, "must be at most 100")
		default:
			dst.Set(reflect.ValueOf(&n))
		}

	case kIDList, kStringList:
		if raw[0] != '[' {
			c.fail(path, "must be an array of strings")
			return
		}
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil {
			c.fail(path, "must be an array of strings")
			return
		}
		if len(elems) > maxListItems {
			c.fail(path, fmt.Sprintf("must have at most %d items", maxListItems))
			return
		}
		list := make([]string, 0, len(elems))
		good := true
		for i, e := range elems {
			s, ok := asString(e)
			switch {
			case !ok:
				c.fail(fmt.Sprintf("%s[%d]", path, i), "must be a string")
				good = false
			case s == "" && f.kind == kIDList:
				c.fail(fmt.Sprintf("%s[%d]", path, i), "must not be empty")
				good = false
			case f.kind == kIDList && utf8.RuneCountInString(s) > maxIDLen:
				c.fail(fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf("must be at most %d characters", maxIDLen))
				good = false
			case f.kind == kIDList && !c.ident(fmt.Sprintf("%s[%d]", path, i), s):
				good = false
			case f.kind == kStringList && !c.text(fmt.Sprintf("%s[%d]", path, i), s):
				good = false
			case f.kind == kStringList && utf8.RuneCountInString(s) > maxShortRunes:
				c.fail(fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf("must be at most %d characters", maxShortRunes))
				good = false
			}
			list = append(list, s)
		}
		if good {
			dst.Set(reflect.ValueOf(list))
		}

	case kLabels:
		if raw[0] != '{' {
			c.fail(path, "must be an object of strings")
			return
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			c.fail(path, "must be an object of strings")
			return
		}
		if len(m) > maxListItems {
			c.fail(path, fmt.Sprintf("must have at most %d keys", maxListItems))
			return
		}
		labels := make(map[string]string, len(m))
		good := true
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys) // problems in a stable order
		for _, k := range keys {
			v := m[k]
			p := path + "." + k
			if utf8.RuneCountInString(k) > maxIDLen {
				c.fail(path, fmt.Sprintf("keys must be at most %d characters", maxIDLen))
				return
			}
			s, ok := asString(v)
			switch {
			case !ok:
				c.fail(p, "must be a string")
				good = false
			case !c.text(p, s) || !c.ident(p, k):
				good = false
			case utf8.RuneCountInString(s) > maxShortRunes:
				c.fail(p, fmt.Sprintf("must be at most %d characters", maxShortRunes))
				good = false
			}
			labels[k] = s
		}
		if good {
			dst.Set(reflect.ValueOf(labels))
		}

	case kObject:
		if raw[0] != '{' {
			c.fail(path, "must be an object")
			return
		}
		var sub map[string]json.RawMessage
		if json.Unmarshal(raw, &sub) != nil {
			c.fail(path, "must be an object")
			return
		}
		obj := reflect.New(dst.Type().Elem())
		c.object(sub, f.sub, path+".", obj.Elem())
		dst.Set(obj)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// rfc3339 is the date-time of RFC 3339 §5.6: a time offset is mandatory;
// fractions of any length are allowed; "T" and "Z" may be lower case.
var rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$`)

// parseTime parses an RFC 3339 timestamp with offset (time.Parse alone also
// takes a comma before the fraction and other liberties).
func parseTime(s string) (time.Time, bool) {
	if !rfc3339.MatchString(s) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
