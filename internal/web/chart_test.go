package web

import (
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/report"
)

// svgCheck parses an SVG (it must be well-formed XML) and counts elements by
// class and collects the text content.
type svgCheck struct {
	classes map[string]int
	texts   []string
	titles  []string
	root    xml.StartElement
}

func parseSVG(t *testing.T, svg string) svgCheck {
	t.Helper()
	c := svgCheck{classes: map[string]int{}}
	d := xml.NewDecoder(strings.NewReader(svg))
	var stack []string
	first := true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, svg)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if first {
				c.root, first = e, false
			}
			stack = append(stack, e.Name.Local)
			for _, a := range e.Attr {
				if a.Name.Local == "class" {
					for _, k := range strings.Fields(a.Value) {
						c.classes[e.Name.Local+"."+k]++
					}
				}
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			switch stack[len(stack)-1] {
			case "text":
				c.texts = append(c.texts, string(e))
			case "title":
				c.titles = append(c.titles, string(e))
			}
		}
	}
	return c
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestChartSVGBars(t *testing.T) {
	c := report.Chart{
		Title:  `Chamadas <por> "hora" & dia`,
		Labels: []string{"08", "09", "<b>10</b>"},
		Series: []report.Series{
			{Name: "Recebidas", Values: []float64{10, 25, 7}},
			{Name: `Aband<onadas> & "cia"`, Values: []float64{1, 3}}, // short: missing values draw as 0
		},
	}
	svg := string(chartSVG(c))
	for _, raw := range []string{"<b>", "<por>", "<onadas>", `"hora"`, " & "} {
		if strings.Contains(svg, raw) {
			t.Errorf("SVG contains unescaped %q", raw)
		}
	}
	got := parseSVG(t, svg)
	if got.root.Name.Local != "svg" || attr(got.root, "role") != "img" || attr(got.root, "aria-labelledby") == "" {
		t.Errorf("root = %v, want an accessible <svg role=img aria-labelledby=…>", got.root)
	}
	if n := got.classes["rect.bar"]; n != 6 {
		t.Errorf("bars = %d, want 6 (3 labels × 2 series)", n)
	}
	if n := got.classes["g.legend"]; n != 2 {
		t.Errorf("legend entries = %d, want 2", n)
	}
	if len(got.titles) == 0 || got.titles[0] != c.Title {
		t.Errorf("first <title> = %q, want the chart title %q (unescaped after parsing)", got.titles, c.Title)
	}
	texts := strings.Join(got.texts, "|")
	for _, want := range []string{"08", "09", "<b>10</b>", "Recebidas", `Aband<onadas> & "cia"`} {
		if !strings.Contains(texts, want) {
			t.Errorf("texts %q lack %q", texts, want)
		}
	}
	// Axis: ticks from 0 up to a nice maximum ≥ 25.
	if !strings.Contains(texts, "|0|") && !strings.HasPrefix(texts, "0|") {
		t.Errorf("no 0 tick in %q", texts)
	}
	if !strings.Contains(texts, "25") && !strings.Contains(texts, "30") {
		t.Errorf("no top tick ≥ 25 in %q", texts)
	}
	// Tooltips name label, series and value.
	if !strings.Contains(strings.Join(got.titles, "|"), "09 — Recebidas: 25") {
		t.Errorf("bar tooltips %q lack %q", got.titles, "09 — Recebidas: 25")
	}
	if strings.Contains(svg, "style=") {
		t.Error("SVG uses a style attribute (CSP forbids inline style)")
	}
}

func TestChartSVGLinesWhenCrowded(t *testing.T) {
	c := report.Chart{Title: "Chamadas por dia"}
	for i := 0; i < 31; i++ {
		c.Labels = append(c.Labels, "2026-10-"+twoDigit(i+1))
	}
	for _, name := range []string{"Recebidas", "Atendidas", "Abandonadas"} {
		s := report.Series{Name: name}
		for i := range c.Labels {
			s.Values = append(s.Values, float64(i%7))
		}
		c.Series = append(c.Series, s)
	}
	got := parseSVG(t, string(chartSVG(c)))
	if got.classes["rect.bar"] != 0 || got.classes["polyline.line"] != 3 || got.classes["circle.point"] != 93 {
		t.Errorf("classes = %v, want 3 lines with 31 points each and no bars", got.classes)
	}
}

func TestChartSVGEmpty(t *testing.T) {
	if s := chartSVG(report.Chart{Title: "x"}); s != "" {
		t.Errorf("empty chart = %q, want \"\"", s)
	}
	if s := chartSVG(report.Chart{Title: "x", Labels: []string{"a"}}); s != "" {
		t.Errorf("chart without series = %q, want \"\"", s)
	}
	// All zeros still draws a valid axis.
	got := parseSVG(t, string(chartSVG(report.Chart{Labels: []string{"a"}, Series: []report.Series{{Name: "s", Values: []float64{0}}}})))
	if got.classes["rect.bar"] != 1 {
		t.Errorf("zero chart bars = %d, want 1", got.classes["rect.bar"])
	}
}

func TestDropoffSVG(t *testing.T) {
	steps := []report.StepCount{
		{Step: "saudacao", Contacts: 100, LastHere: 10, Abandoned: 8},
		{Step: "<menu>", Contacts: 60, LastHere: 20, Abandoned: 15, Finished: 5},
		{Step: "encerramento", Contacts: 40, LastHere: 40, Finished: 40},
	}
	links := []string{"/fluxo-agil?step=saudacao", "/fluxo-agil?a=1&step=%3Cmenu%3E", ""}
	svg := string(dropoffSVG(steps, dropoffText{Title: "Abandono", Reached: "chegaram", Stopped: "pararam", Selected: "<menu>"}, links))
	if strings.Contains(svg, "<menu>") || strings.Contains(svg, "a=1&step") {
		t.Error("drop-off SVG has unescaped text or URL")
	}
	got := parseSVG(t, svg)
	if got.classes["rect.reached"] != 3 || got.classes["rect.stopped"] != 3 || got.classes["rect.finished"] != 3 {
		t.Errorf("classes = %v, want 3 reached, 3 stopped and 3 finished bars", got.classes)
	}
	// A flow that finished at its last step is not drawn as abandonment:
	// its red bar is empty, its green one as wide as those who reached it.
	if !regexp.MustCompile(`data-step="encerramento"[^>]*>.*?<rect class="bar stopped" x="190" y="\d+" width="0" .*?<rect class="bar finished" x="190" y="\d+" width="176"`).MatchString(svg) {
		t.Errorf("encerramento drawn as abandonment:\n%s", svg)
	}
	if got.classes["g.selected"] != 1 {
		t.Errorf("selected steps = %d, want 1", got.classes["g.selected"])
	}
	if n := strings.Count(svg, "<a href="); n != 2 {
		t.Errorf("links = %d, want 2", n)
	}
	if !strings.Contains(strings.Join(got.texts, "|"), "<menu>") {
		t.Errorf("texts %q lack the step name", got.texts)
	}
	if dropoffSVG(nil, dropoffText{}, nil) != "" {
		t.Error("empty drop-off should be empty")
	}
}

func TestChartScale(t *testing.T) {
	for _, tc := range []struct{ max, top, step float64 }{
		{0, 1, 1}, {1, 1, 1}, {7, 8, 2}, {25, 25, 5}, {26, 30, 10}, {98, 100, 20}, {1234, 1500, 500}, {0.4, 0.4, 0.1},
	} {
		top, step := chartScale(tc.max)
		if top != tc.top || step != tc.step {
			t.Errorf("chartScale(%v) = %v, %v; want %v, %v", tc.max, top, step, tc.top, tc.step)
		}
	}
}

func twoDigit(n int) string {
	if n < 10 {
		return "0" + string(rune('0'+n))
	}
	return string(rune('0'+n/10)) + string(rune('0'+n%10))
}
