package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
)

// auditPageSize is how many audit entries one page shows.
const auditPageSize = 100

// auditForm is the Auditoria filters: who, what and when
// (report.ParseAudit reads them; before is the page's keyset).
var auditForm = form{
	{"actor", "Usuário"}, {"action", "Ação"}, {"from", "De"}, {"to", "Até"},
}

// auditData is what audit.html shows.
type auditData struct {
	Problems []problem
	Actor    string
	Actions  []option
	Dates    rangeField
	Headers  []string
	Rows     []auditEntryView
	// Count says how many entries this page shows.
	Count     string
	OlderHref string
	// NewestHref is the first page of the same filters ("" on it).
	NewestHref string
	Exports    []exportLink
}

// auditEntryView is one entry as the page shows it: the action and the
// details' keys translated, figures and the date as the page's language
// prints them (the export keeps auditRow's raw text).
type auditEntryView struct {
	K, At, Actor, Action, ActionLabel string
	Details                           []detailItem
	Rows, Bytes, SHA256, Error        string
}

// uiAudit lists the tenant's audit log, newest first, filtered by user,
// action and period, keyset paged by before.
func (s *Server) uiAudit(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	page := newPage(r, "Auditoria", "auditoria")
	v := r.URL.Query()
	loc, err := s.tenantLocation(ctx, p.Tenant)
	if err != nil {
		return err
	}
	data := &auditData{Actor: v.Get("actor"), Dates: newRange(page, auditForm, v, "Período", "date", "até", "from", "to")}
	data.Actions = append([]option{{Value: "", Label: page.T("Todas")}}, auditActionOptions(page, v.Get("action"))...)
	for _, c := range AuditColumns {
		data.Headers = append(data.Headers, page.T(c))
	}
	page.Data = data
	q := auditForm.query(v)
	pq := cloneQuery(q)
	if b := v.Get("before"); b != "" {
		pq.Set("before", b)
	}
	f, err := report.ParseAudit(pq, loc)
	if data.Problems, err = problemsOf(page, auditForm, err); err != nil {
		return err
	}
	if s.badSearch(w, r, page, "audit.html", data.Problems) {
		return nil
	}
	f.Limit = auditPageSize + 1
	list, err := s.db.SearchAudit(ctx, p, f)
	if err != nil {
		return err
	}
	if len(list) > auditPageSize {
		list = list[:auditPageSize]
		data.OlderHref = "/auditoria?" + queryWith(q, "before", strconv.FormatInt(list[len(list)-1].K, 10)).Encode()
	}
	if f.Before > 0 {
		data.NewestHref = "/auditoria?" + q.Encode()
	}
	for _, e := range list {
		data.Rows = append(data.Rows, auditEntryOf(page, e, loc))
	}
	data.Count = plural(page.Lang, int64(len(list)), "{n} registro nesta página", "{n} registros nesta página")
	data.Exports = disableExports(exportLinks(page, "/api/v1/audit/export", q, false), len(list) == 0 && f.Before == 0)
	s.render(w, r, http.StatusOK, "audit.html", page)
	return nil
}

// auditActionOptions lists the audited actions by their labels, the one
// named chosen selected.
func auditActionOptions(page Page, chosen string) []option {
	out := make([]option, len(store.AuditActions))
	for i, a := range store.AuditActions {
		out[i] = option{Value: a, Label: auditActionLabel(page.Lang, a), Selected: a == chosen}
	}
	return out
}

// auditEntryOf is entry e as the page shows it, its date in zone loc.
func auditEntryOf(page Page, e store.AuditEntry, loc *time.Location) auditEntryView {
	num := func(v *int64) string {
		if v == nil {
			return ""
		}
		return formatCount(page.Lang, *v)
	}
	return auditEntryView{
		K: strconv.FormatInt(e.K, 10), At: pageTime(page.Lang, e.At, loc), Actor: e.Actor,
		Action: e.Action, ActionLabel: auditActionLabel(page.Lang, e.Action),
		Details: auditDetails(page.Lang, e.Detail),
		Rows:    num(e.Rows), Bytes: num(e.Bytes), SHA256: e.SHA256, Error: e.Error,
	}
}
