package report

import (
	"net/url"
	"strings"
)

// Helpers of the drill-down links (Rastreio query strings behind a count).

// setParam sets a parameter that has a value.
func setParam(v url.Values, name, value string) {
	if value != "" {
		v.Set(name, value)
	}
}

// setListParam sets a list parameter that was given (nil = absent).
func setListParam(v url.Values, name string, list []string) {
	if list != nil {
		v.Set(name, strings.Join(list, ","))
	}
}

// copyValues copies v, for one link per column.
func copyValues(v url.Values) url.Values {
	out := make(url.Values, len(v)+1)
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
