package report

import (
	"net/url"
	"strings"
)

// Helpers of the drill-down links (Rastreio query strings behind a count).

func setListParam(v url.Values, name string, list []string) {
	if list != nil {
		v.Set(name, strings.Join(list, ","))
	}
}

func copyValues(v url.Values) url.Values {
	out := make(url.Values, len(v)+1)
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
