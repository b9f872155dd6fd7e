package web

import (
	"net/http"
	"strconv"
)

// auditPageSize is how many audit entries one page shows.
const auditPageSize = 100

// auditData is what audit.html shows.
type auditData struct {
	Headers   []string
	Rows      [][]string
	OlderHref string
	IsFirst   bool
	Exports   []exportLink
}

// uiAudit lists the tenant's audit log, newest first, keyset paged by k.
func (s *Server) uiAudit(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	page := newPage(r, "Auditoria", "auditoria")
	before, err := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	if err != nil || before < 0 {
		before = 0
	}
	list, err := s.db.AuditLog(r.Context(), p.Tenant, before, auditPageSize+1)
	if err != nil {
		return err
	}
	data := auditData{IsFirst: before == 0, Exports: exportLinks(page, "/api/v1/audit/export", nil, false)}
	for _, c := range AuditColumns {
		data.Headers = append(data.Headers, page.T(c))
	}
	if len(list) > auditPageSize {
		list = list[:auditPageSize]
		data.OlderHref = "/auditoria?before=" + strconv.FormatInt(list[len(list)-1].K, 10)
	}
	loc, err := s.tenantLocation(r.Context(), p.Tenant)
	if err != nil {
		return err
	}
	for _, e := range list {
		data.Rows = append(data.Rows, auditRow(e, loc))
	}
	page.Data = data
	s.render(w, r, http.StatusOK, "audit.html", page)
	return nil
}
