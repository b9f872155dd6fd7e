package report

import (
	"strconv"
	"time"

	"github.com/rastro/rastro/internal/store"
)

// Chart is a series chart a page draws (server-side SVG, no CDN).
type Chart struct {
	Title  string   `json:"title"`
	Labels []string `json:"labels"` // x axis (hours, days)
	Series []Series `json:"series"`
}

// Series is one line/bar set of a Chart.
type Series struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// seriesChart builds the by-hour or by-day chart of three counts per key,
// with every hour or day of chartLabels present (missing keys are zero).
func seriesChart(by string, titles map[string]string, names [3]string, keys []string, vals map[string][3]float64) Chart {
	c := Chart{Title: titles[by], Labels: chartLabels(by, keys)}
	for _, n := range names {
		c.Series = append(c.Series, Series{Name: n})
	}
	for _, l := range c.Labels {
		v := vals[l]
		for i := range c.Series {
			c.Series[i].Values = append(c.Series[i].Values, v[i])
		}
	}
	return c
}

// countsChart draws three counts per group key (the rollup reports' by-hour
// or by-day charts): titles names the chart per grain (store.ByHour,
// store.ByDay), names the three series, counts reads a group's three counts.
func countsChart[G any](by string, titles map[string]string, names [3]string, groups []G, key func(G) string, counts func(G) [3]int64) Chart {
	keys := make([]string, 0, len(groups))
	vals := make(map[string][3]float64, len(groups))
	for _, g := range groups {
		k, c := key(g), counts(g)
		keys = append(keys, k)
		vals[k] = [3]float64{float64(c[0]), float64(c[1]), float64(c[2])}
	}
	return seriesChart(by, titles, names, keys, vals)
}

// chartGrain picks the chart's x axis: hours for group_by=hour or a
// one-day period, days otherwise.
func chartGrain(groupBy, from, to string) string {
	if groupBy == store.ByHour || (from != "" && from == to) {
		return store.ByHour
	}
	return store.ByDay
}

// chartLabels lists every hour 00..23, or every day from the first to the
// last key (keys sorted ascending, AAAA-MM-DD).
func chartLabels(by string, keys []string) []string {
	var out []string
	if by == store.ByHour {
		for h := 0; h < 24; h++ {
			out = append(out, hourLabel(h))
		}
		return out
	}
	if len(keys) == 0 {
		return out
	}
	first, err1 := time.Parse("2006-01-02", keys[0])
	last, err2 := time.Parse("2006-01-02", keys[len(keys)-1])
	if err1 != nil || err2 != nil {
		return keys
	}
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format("2006-01-02"))
	}
	return out
}

func hourLabel(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
