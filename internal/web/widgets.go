package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// The view types the templates draw, shared by every page: options and the
// one checkbox multiselect, table cells and headers, export links, dates.

// option is one entry of a select or checkbox list.
type option struct {
	Value, Label string
	Selected     bool
	// Filters is, for a media option of the Rastreio, the media-specific
	// filters it shows (space-separated, read by app.js).
	Filters string
}

// multiSelect is the checkbox drop-down of a list filter (details/summary:
// it submits repeated parameters, agents=a&agents=b, and works without
// script; app.js keeps the summary current and filters long lists).
type multiSelect struct {
	ID, Name string
	// Label is the field's label, translated.
	Label   string
	Options []option
	Count   int    // selected options
	Summary string // the closed drop-down's text
	Filter  bool   // a text box that filters a long list
	// Words app.js and the template use, translated.
	None, Some, FilterLabel, Empty string
}

// multiFilterMin is the length from which a list gets a filter box.
const multiFilterMin = 9

// newMulti builds the multiselect of f's parameter name over opts,
// ticking the values the query v selects.
func newMulti(page Page, f form, name string, v url.Values, opts []option) multiSelect {
	m := multiSelect{
		ID: fieldID(name), Name: name, Label: page.T(f.label(name)),
		Filter: len(opts) >= multiFilterMin,
		None:   page.T("Todos"), Some: page.T("selecionados"),
		FilterLabel: page.T("Filtrar lista"), Empty: page.T("Nenhuma opção"),
	}
	chosen := querySet(v, name)
	var picked []string
	for _, o := range opts {
		o.Selected = chosen[o.Value]
		if o.Selected {
			picked = append(picked, o.Label)
		}
		m.Options = append(m.Options, o)
	}
	m.Count = len(picked)
	m.Summary = multiSummary(m.None, m.Some, picked)
	return m
}

// multiSummary is the closed drop-down's text (app.js keeps it current
// with the same rule): none, the labels of one or two, or how many.
func multiSummary(none, some string, picked []string) string {
	switch {
	case len(picked) == 0:
		return none
	case len(picked) <= 2:
		return strings.Join(picked, ", ")
	}
	return strconv.Itoa(len(picked)) + " " + some
}

// storeOptions turns a store option list into page options.
func storeOptions(list []store.Option) []option {
	out := make([]option, len(list))
	for i, o := range list {
		out[i] = option{Value: o.ID, Label: o.Label}
	}
	return out
}

// agentOptions lists agents, an inactive one marked as such.
func agentOptions(page Page, list []store.Agent) []option {
	out := make([]option, len(list))
	for i, a := range list {
		out[i] = option{Value: a.ID, Label: a.Name}
		if a.Status == "inativo" {
			out[i].Label += " (" + page.T("inativo") + ")"
		}
	}
	return out
}

// mediaOptions lists the media in the page's language.
func mediaOptions(page Page, list []model.Media) []option {
	out := make([]option, len(list))
	for i, m := range list {
		out[i] = option{Value: m.ID, Label: mediaLabel(page.Lang, m), Filters: strings.Join(m.Filters, " ")}
	}
	return out
}

// mediaLabel is a media's label in language lang.
func mediaLabel(lang string, m model.Media) string {
	if lang == "en" && m.LabelEN != "" {
		return m.LabelEN
	}
	return m.Label
}

// choices are the options of a single select over value/label pairs, the
// one v's param names selected.
func choices(page Page, v url.Values, param string, pairs ...string) []option {
	var out []option
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, option{Value: pairs[i], Label: page.T(pairs[i+1]), Selected: v.Get(param) == pairs[i]})
	}
	return out
}

// cell is one table cell: its text, its link ("" = none), its class
// ("num" for a figure, "" = none) and, for statuses and qualities, the
// class of the badge the value is drawn in.
type cell struct {
	Text, URL, Class, Badge string
}

// header is a column header: a link when the column sorts.
type header struct {
	Label, Class string
	// Col is the column's name as the CSV heads it (stable across
	// languages): the Rastreio's column chooser remembers columns by it.
	Col     string
	URL     string // "" = not sortable
	Current bool
}

// row is one table row with the link of its action ("" = none).
type row struct {
	Key, ActionURL string
	Cells          []cell
}

// exportLink is one Exportar button.
type exportLink struct {
	ID, Label, URL, Format string
	// Hint says what the format is for (the button's title), translated.
	Hint string
	// Disabled: the search found no rows, there is nothing to export.
	Disabled bool
}

// exportHints say what each export format is for (pt-BR dictionary keys).
var exportHints = map[string]string{
	"csv":       "Texto separado por ponto e vírgula (UTF-8 com BOM): abre direto no Excel em português e serve para integrações.",
	"csv-comma": "Texto separado por vírgula (UTF-8 com BOM): para Excel e sistemas configurados em inglês.",
	"xlsx":      "Planilha com colunas tipadas para Excel/LibreOffice: durações somáveis, datas como datas, protocolos e telefones sem perder dígitos.",
}

// disableExports turns the Exportar buttons off when a search found no
// rows (empty): an export would be a header alone.
func disableExports(links []exportLink, empty bool) []exportLink {
	for i := range links {
		links[i].Disabled = empty
	}
	return links
}

// exportLinks are the Exportar buttons of a report over query q (paging
// left out): CSV, CSV with commas (sep=,; the API takes sep=comma too)
// and XLSX. withComma false leaves the comma CSV out (the audit log).
func exportLinks(page Page, path string, q url.Values, withComma bool) []exportLink {
	base := cloneQuery(q)
	base.Del("cursor")
	base.Del("limit")
	link := func(kv ...string) string { return path + "?" + queryWith(base, kv...).Encode() }
	out := []exportLink{{ID: "export-csv", Label: page.T("CSV"), URL: link("format", "csv"), Format: "csv"}}
	if withComma {
		out = append(out, exportLink{ID: "export-csv-comma", Label: page.T("CSV com vírgula"), URL: link("format", "csv", "sep", ","), Format: "csv-comma"})
	}
	out = append(out, exportLink{ID: "export-xlsx", Label: page.T("XLSX"), URL: link("format", "xlsx"), Format: "xlsx"})
	for i := range out {
		out[i].Hint = page.T(exportHints[out[i].Format])
	}
	return out
}

// pageTime prints a time in zone loc as every page does in language lang
// (formatDateTime: dd/mm/aaaa hh:mm:ss in pt-BR), "" for the zero time.
func pageTime(lang string, t time.Time, loc *time.Location) string {
	return formatDateTime(lang, t, loc)
}

// rangeField is a from … to pair of date or time inputs.
type rangeField struct {
	Label, Type, Sep string
	From, To         rangeInput
}

// rangeInput is one input of a rangeField, labelled as its form field.
type rangeInput struct{ ID, Name, Value, Label string }

// newRange builds the typ ("date" or "time") range of parameters from and
// to of form f, labelled label, its inputs joined by sep.
func newRange(page Page, f form, v url.Values, label, typ, sep, from, to string) rangeField {
	in := func(p string) rangeInput {
		return rangeInput{ID: fieldID(p), Name: p, Value: v.Get(p), Label: page.T(f.label(p))}
	}
	return rangeField{Label: page.T(label), Type: typ, Sep: page.T(sep), From: in(from), To: in(to)}
}

// fieldID is the element id of a filter's control.
func fieldID(param string) string { return "f-" + strings.ReplaceAll(param, "_", "-") }
