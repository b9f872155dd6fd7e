package web

import (
	"errors"
	"net/url"
	"strings"

	"github.com/rastro/rastro/internal/report"
)

// Reading a page's parameters. A page declares its filters once as a form
// (parameter and label); the form says whether a search was asked for,
// keeps the query its links and exports carry, and names a problem the way
// its field is labelled.

// uiOnlyParams are query parameters the pages add and the report parsers
// do not know; they never reach a parser, a link or an export.
var uiOnlyParams = []string{"lang"}

// field is one filter of a page: its parameter and its pt-BR label.
type field struct{ Param, Label string }

// form is the filters of a page, in the order the page shows them.
type form []field

// params lists the form's parameters.
func (f form) params() []string {
	out := make([]string, len(f))
	for i, x := range f {
		out[i] = x.Param
	}
	return out
}

// has says whether param is one of the form's filters.
func (f form) has(param string) bool {
	for _, x := range f {
		if x.Param == param {
			return true
		}
	}
	return false
}

// label is param's pt-BR label (the parameter itself when the form has no
// such field).
func (f form) label(param string) string {
	for _, x := range f {
		if x.Param == param {
			return x.Label
		}
	}
	return param
}

// searched says whether the form was submitted (any filter present, even
// empty): an untouched page shows the form only, as the platform does.
func (f form) searched(v url.Values) bool {
	for _, x := range f {
		if _, ok := v[x.Param]; ok {
			return true
		}
	}
	return false
}

// query keeps the non-empty values of the form's parameters (the form
// sends every field, empty ones too): the basis of export, paging and
// drill-down links.
func (f form) query(v url.Values) url.Values {
	return filterQuery(v, f.has)
}

// filterQuery keeps the values of the parameters keep accepts, trimmed,
// leaving out UI-only parameters and blank values (empty form inputs).
func filterQuery(v url.Values, keep func(string) bool) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if containsString(uiOnlyParams, k) || !keep(k) {
			continue
		}
		for _, x := range vs {
			if x = strings.TrimSpace(x); x != "" {
				out.Add(k, x)
			}
		}
	}
	return out
}

// queryList reads a list parameter as the report parsers do: repeated
// and/or comma-separated.
func queryList(v url.Values, name string) []string {
	var out []string
	for _, raw := range v[name] {
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// querySet is queryList as a set.
func querySet(v url.Values, name string) map[string]bool {
	m := map[string]bool{}
	for _, x := range queryList(v, name) {
		m[x] = true
	}
	return m
}

// cloneQuery copies v deeply.
func cloneQuery(v url.Values) url.Values {
	c := url.Values{}
	for k, x := range v {
		c[k] = append([]string(nil), x...)
	}
	return c
}

// queryWith is a copy of v with the pairs kv set (an empty value deletes).
func queryWith(v url.Values, kv ...string) url.Values {
	c := cloneQuery(v)
	for i := 0; i+1 < len(kv); i += 2 {
		setOrDel(c, kv[i], kv[i+1])
	}
	return c
}

// setOrDel sets k to x, or deletes k when x is empty.
func setOrDel(v url.Values, k, x string) {
	if x == "" {
		v.Del(k)
	} else {
		v.Set(k, x)
	}
}

// problem is one bad parameter, named as the page's form labels it, with
// the reason in the page's language.
type problem struct {
	Label, Reason string
}

// problemsOf names the parameter problems of err by f's labels. It returns
// err itself when err is not about parameters (nil problems then).
func problemsOf(page Page, f form, err error) ([]problem, error) {
	var pe *report.ParamError
	if err == nil || !errors.As(err, &pe) || len(pe.Problems) == 0 {
		return nil, err
	}
	out := make([]problem, len(pe.Problems))
	for i, p := range pe.Problems {
		out[i] = problem{Label: page.T(f.label(p.Param)), Reason: reason(page.Lang, p.Reason)}
	}
	return out, nil
}
