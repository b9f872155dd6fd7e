package web

import (
	"fmt"
	"net/http"
	"time"
)

// dataNote is a report page's line about where its numbers come from
// (Page.DataNote, shown by layout.html): with the analytics engine, its lag
// when the engine answered while the tenant has updates not shipped yet
// ("dados até HH:MM"), or that the store answered because the engine is
// unreachable; "" otherwise (no engine, no report read, nothing pending).
func (s *Server) dataNote(r *http.Request, page Page) string {
	if s.cfg.Analytics == nil || page.Principal.Tenant == "" {
		return ""
	}
	ds, err := s.reports.DataSource(r.Context(), page.Principal)
	if err != nil {
		s.log.Warn("analytics lag for the page", "err", err)
		return ""
	}
	switch {
	case ds.Fallback:
		return page.T("O motor de análise (ClickHouse) não responde: estes números vêm do banco principal (mais lento).")
	case ds.Pending == 0:
		return ""
	}
	until := ds.Until.Format("15:04")
	if ds.Until.Format("2006-01-02") != time.Now().In(ds.Until.Location()).Format("2006-01-02") {
		until = formatDateTime(page.Lang, *ds.Until, ds.Until.Location()) // an older day: the date too
	}
	return fmt.Sprintf(plural(page.Lang, ds.Pending, "Dados até %s: {n} atualização ainda a caminho do motor de análise.", "Dados até %s: {n} atualizações ainda a caminho do motor de análise."), until)
}
