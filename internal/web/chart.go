package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/rastro/rastro/internal/report"
)

// Charts are drawn on the server as inline SVG: no script, no CDN, no inline
// style (the CSP forbids it). Sizes, positions and colours are SVG
// presentation attributes; app.css only refines them. Every text that
// comes from data is escaped.

// chartPalette colours the series (colour-blind friendly, Okabe–Ito based).
var chartPalette = []string{"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#555555"}

// chartGeometry of the series chart.
const (
	chartW       = 960
	chartPadL    = 64
	chartPadR    = 16
	chartPadTop  = 16
	chartPlotH   = 260
	chartLegendH = 22
	// chartMaxBars: above this many bars the chart draws lines instead.
	chartMaxBars = 72
)

// chartEsc escapes text for SVG element content and attribute values.
func chartEsc(s string) string { return template.HTMLEscapeString(s) }

// chartNum prints a chart value: integers without decimals, others with one.
func chartNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// chartCoord prints an SVG coordinate compactly.
func chartCoord(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// chartScale picks the axis maximum and tick step for values up to max: a
// step of 1, 2 or 5 × 10^k giving about five ticks.
func chartScale(max float64) (top, step float64) {
	if !(max > 0) || math.IsInf(max, 0) {
		return 1, 1
	}
	raw := max / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*mag {
			step = m * mag
			break
		}
	}
	if step < 1 && max >= 1 {
		step = 1
	}
	top = math.Ceil(max/step) * step
	if top < max {
		top += step
	}
	return top, step
}

// chartSVG draws c as an accessible SVG: grouped bars when there are few
// points (IVR by hour, agents), lines when there are many (by day over
// months); axis, tick and category labels, a legend, a <title>/<desc> for
// screen readers and a <title> tooltip on every bar or point. An empty chart
// (no labels or no series) gives "" so the page can say so in words.
func chartSVG(c report.Chart) template.HTML {
	n := len(c.Labels)
	if n == 0 || len(c.Series) == 0 {
		return ""
	}
	max := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v > max && !math.IsInf(v, 0) {
				max = v
			}
		}
	}
	top, step := chartScale(max)

	// Category labels: rotated when long or many; thinned when crowded.
	longest := 0
	for _, l := range c.Labels {
		if k := len([]rune(l)); k > longest {
			longest = k
		}
	}
	plotW := float64(chartW - chartPadL - chartPadR)
	slot := plotW / float64(n)
	rotate := float64(longest)*7 > slot
	every := 1
	if rotate {
		// rotated labels need ~14px of slot each
		every = int(math.Ceil(14 / slot))
	}
	if every < 1 {
		every = 1
	}
	labelH := 24.0
	if rotate {
		labelH = math.Min(float64(longest)*5.2, 110) + 16
	}
	legendRows := chartLegend(c.Series, chartW-chartPadL-chartPadR)
	legendTop := float64(chartPadTop)
	plotTop := legendTop + float64(len(legendRows)*chartLegendH) + 8
	plotBottom := plotTop + chartPlotH
	height := plotBottom + labelH + 8

	id := chartIDOf(c)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %s" width="%d" height="%s" role="img" aria-labelledby="%s-t %s-d" preserveAspectRatio="xMinYMin meet">`,
		chartW, chartCoord(height), chartW, chartCoord(height), id, id)
	title := c.Title
	if title == "" {
		title = "Gráfico"
	}
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`, id, chartEsc(title))
	names := make([]string, len(c.Series))
	for i, s := range c.Series {
		names[i] = s.Name
	}
	fmt.Fprintf(&b, `<desc id="%s-d">%s</desc>`, id, chartEsc(fmt.Sprintf("%s: %s; %d × %s–%s", title, strings.Join(names, ", "), n, c.Labels[0], c.Labels[n-1])))

	// Legend.
	for r, row := range legendRows {
		y := legendTop + float64(r*chartLegendH)
		for _, it := range row {
			x := float64(chartPadL) + it.x
			fmt.Fprintf(&b, `<g class="legend"><rect x="%s" y="%s" width="12" height="12" rx="2" fill="%s" class="ser-%d"/><text x="%s" y="%s" font-size="12" fill="#333">%s</text></g>`,
				chartCoord(x), chartCoord(y+1), chartPalette[it.i%len(chartPalette)], it.i%len(chartPalette), chartCoord(x+17), chartCoord(y+11), chartEsc(c.Series[it.i].Name))
		}
	}

	// Grid and y axis.
	yOf := func(v float64) float64 {
		if v < 0 || math.IsNaN(v) {
			v = 0
		}
		return plotBottom - v/top*chartPlotH
	}
	b.WriteString(`<g class="axis y">`)
	for v := 0.0; v <= top+step/2; v += step {
		y := yOf(v)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="#e3e6ea" stroke-width="1"/>`, chartPadL, chartW-chartPadR, chartCoord(y), chartCoord(y))
		fmt.Fprintf(&b, `<text x="%d" y="%s" font-size="11" text-anchor="end" fill="#555">%s</text>`, chartPadL-6, chartCoord(y+4), chartNum(v))
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="#888" stroke-width="1"/>`, chartPadL, chartW-chartPadR, chartCoord(plotBottom), chartCoord(plotBottom))
	b.WriteString(`</g>`)

	// X labels.
	b.WriteString(`<g class="axis x">`)
	for i, l := range c.Labels {
		if i%every != 0 {
			continue
		}
		x := float64(chartPadL) + slot*(float64(i)+0.5)
		if rotate {
			y := plotBottom + 12
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" text-anchor="end" fill="#555" transform="rotate(-45 %s %s)">%s</text>`, chartCoord(x), chartCoord(y), chartCoord(x), chartCoord(y), chartEsc(l))
		} else {
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" text-anchor="middle" fill="#555">%s</text>`, chartCoord(x), chartCoord(plotBottom+16), chartEsc(l))
		}
	}
	b.WriteString(`</g>`)

	value := func(s report.Series, i int) float64 {
		if i < len(s.Values) {
			return s.Values[i]
		}
		return 0
	}
	tip := func(label string, s report.Series, v float64) string {
		return chartEsc(label + " — " + s.Name + ": " + chartNum(v))
	}
	if n*len(c.Series) <= chartMaxBars {
		// Grouped bars.
		group := slot * 0.8
		bw := group / float64(len(c.Series))
		for si, s := range c.Series {
			color := chartPalette[si%len(chartPalette)]
			fmt.Fprintf(&b, `<g class="series ser-%d" fill="%s">`, si%len(chartPalette), color)
			for i, l := range c.Labels {
				v := value(s, i)
				x := float64(chartPadL) + slot*float64(i) + slot*0.1 + bw*float64(si)
				y := yOf(v)
				h := plotBottom - y
				fmt.Fprintf(&b, `<rect class="bar" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`,
					chartCoord(x), chartCoord(y), chartCoord(math.Max(bw-1, 1)), chartCoord(h), tip(l, s, v))
			}
			b.WriteString(`</g>`)
		}
	} else {
		// Lines with a dot per point.
		for si, s := range c.Series {
			color := chartPalette[si%len(chartPalette)]
			pts := make([]string, n)
			for i := range c.Labels {
				pts[i] = chartCoord(float64(chartPadL)+slot*(float64(i)+0.5)) + "," + chartCoord(yOf(value(s, i)))
			}
			fmt.Fprintf(&b, `<g class="series ser-%d"><polyline class="line" fill="none" stroke="%s" stroke-width="2" points="%s"/>`, si%len(chartPalette), color, strings.Join(pts, " "))
			for i, l := range c.Labels {
				v := value(s, i)
				fmt.Fprintf(&b, `<circle class="point" cx="%s" cy="%s" r="2.5" fill="%s"><title>%s</title></circle>`,
					chartCoord(float64(chartPadL)+slot*(float64(i)+0.5)), chartCoord(yOf(v)), color, tip(l, s, v))
			}
			b.WriteString(`</g>`)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

type chartLegendItem struct {
	i int
	x float64
}

// chartLegend flows the legend entries into rows of width w.
func chartLegend(series []report.Series, w int) [][]chartLegendItem {
	var rows [][]chartLegendItem
	var row []chartLegendItem
	x := 0.0
	for i, s := range series {
		iw := 17 + float64(len([]rune(s.Name)))*7 + 18
		if x > 0 && x+iw > float64(w) {
			rows = append(rows, row)
			row, x = nil, 0
		}
		row = append(row, chartLegendItem{i, x})
		x += iw
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

// chartIDOf derives a stable id for the chart's title/desc elements.
func chartIDOf(c report.Chart) string {
	h := uint32(2166136261)
	for _, s := range append([]string{c.Title}, c.Labels...) {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint32(s[i])) * 16777619
		}
	}
	return "chart-" + strconv.FormatUint(uint64(h), 36)
}

// dropoffText are the (translated) words of the drop-off chart.
type dropoffText struct {
	Title, Reached, Stopped string
	// Abandoned and Finished label the contacts whose flow was abandoned
	// (abandoned, expired) or finished (finished, handed off) at a step.
	Abandoned, Finished string
	// Selected is the step the page filters on (highlighted).
	Selected string
	// Name, when not nil, gives a step's name (flow.upserted) for its id.
	Name func(step string) string
	// Lang is the page's language: each row's counts read as its count
	// messages do (plural: "1 chegou · 0 abandonaram aqui · 1 concluiu aqui").
	Lang string
}

// counts is a step's counts as the chart writes them beside its bars.
func (l dropoffText) counts(s report.StepCount) string {
	return plural(l.Lang, int64(s.Contacts), "{n} chegou", "{n} chegaram") + " · " +
		plural(l.Lang, int64(s.Abandoned), "{n} abandonou aqui", "{n} abandonaram aqui") + " · " +
		plural(l.Lang, int64(s.Finished), "{n} concluiu aqui", "{n} concluíram aqui")
}

// dropoffSVG draws the Fluxo Ágil drop-off: one row per step, a light bar
// for the contacts that reached the step and, inside it, a red bar for the
// ones whose flow was abandoned there and a green one for those whose flow
// finished there (a finished or handed-off conversation is not an
// abandonment; one still open is neither). Widths are proportional to the
// step reached by most contacts. links[i], when not empty, makes row i a
// link (the page's step filter: every contact that stopped there).
func dropoffSVG(steps []report.StepCount, l dropoffText, links []string) template.HTML {
	if len(steps) == 0 {
		return ""
	}
	const (
		w      = 960
		labelW = 190
		numW   = 330
		rowH   = 30
		barH   = 20
		top    = 30
	)
	name := func(step string) string {
		if l.Name != nil {
			return l.Name(step)
		}
		return step
	}
	max := 0
	for _, s := range steps {
		if s.Contacts > max {
			max = s.Contacts
		}
		if s.LastHere > max {
			max = s.LastHere
		}
	}
	if max == 0 {
		max = 1
	}
	plotW := float64(w - labelW - numW)
	height := top + len(steps)*rowH + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart dropoff" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="dropoff-t dropoff-d" preserveAspectRatio="xMinYMin meet">`, w, height, w, height)
	fmt.Fprintf(&b, `<title id="dropoff-t">%s</title>`, chartEsc(l.Title))
	desc := make([]string, len(steps))
	for i, s := range steps {
		desc[i] = name(s.Step) + ": " + l.counts(s)
	}
	fmt.Fprintf(&b, `<desc id="dropoff-d">%s</desc>`, chartEsc(strings.Join(desc, "; ")))
	// Legend.
	x := labelW
	legend := func(fill, class, text string) {
		fmt.Fprintf(&b, `<rect x="%d" y="6" width="12" height="12" rx="2" fill="%s" class="%s"/><text x="%d" y="16" font-size="12" fill="#333">%s</text>`, x, fill, class, x+17, chartEsc(text))
		x += 17 + len([]rune(text))*7 + 24
	}
	b.WriteString(`<g class="legend">`)
	legend("#9ec5e8", "legend-reached", l.Reached)
	legend("#c0392b", "legend-stopped", l.Abandoned)
	legend("#2e8b57", "legend-finished", l.Finished)
	b.WriteString(`</g>`)
	for i, s := range steps {
		y := top + i*rowH
		label := name(s.Step)
		if r := []rune(label); len(r) > 26 {
			label = string(r[:25]) + "…"
		}
		wReached := plotW * float64(s.Contacts) / float64(max)
		wAbandoned := plotW * float64(s.Abandoned) / float64(max)
		wFinished := plotW * float64(s.Finished) / float64(max)
		link := ""
		if i < len(links) {
			link = links[i]
		}
		if link != "" {
			fmt.Fprintf(&b, `<a href="%s">`, chartEsc(link))
		}
		cls, weight := "drop-step", "normal"
		if s.Step == l.Selected {
			cls, weight = "drop-step selected", "bold"
		}
		fmt.Fprintf(&b, `<g class="%s" data-step="%s" data-reached="%d" data-stopped="%d" data-abandoned="%d" data-finished="%d"><title>%s</title>`,
			cls, chartEsc(s.Step), s.Contacts, s.LastHere, s.Abandoned, s.Finished,
			chartEsc(fmt.Sprintf("%s — %s (%d %s)", name(s.Step), l.counts(s), s.LastHere, l.Stopped)))
		if s.Step == l.Selected {
			fmt.Fprintf(&b, `<rect x="0" y="%d" width="%d" height="%d" fill="#fff4d6"/>`, y-4, w, rowH)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" font-weight="%s" text-anchor="end" fill="#222">%s</text>`, labelW-8, y+barH/2+5, weight, chartEsc(label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%s" height="%d" fill="#eef1f4"/>`, labelW, y, chartCoord(plotW), barH)
		fmt.Fprintf(&b, `<rect class="bar reached" x="%d" y="%d" width="%s" height="%d" fill="#9ec5e8"/>`, labelW, y, chartCoord(wReached), barH)
		fmt.Fprintf(&b, `<rect class="bar stopped" x="%d" y="%d" width="%s" height="%d" fill="#c0392b"/>`, labelW, y, chartCoord(wAbandoned), barH)
		fmt.Fprintf(&b, `<rect class="bar finished" x="%s" y="%d" width="%s" height="%d" fill="#2e8b57"/>`, chartCoord(float64(labelW)+wAbandoned), y, chartCoord(wFinished), barH)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="#333">%s</text></g>`, labelW+int(plotW)+8, y+barH/2+5, chartEsc(l.counts(s)))
		if link != "" {
			b.WriteString(`</a>`)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
