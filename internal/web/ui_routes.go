package web

import "net/http"

// uiRoutes registers the pages. Static assets and the login page are
// public; everything else needs a session.
func (s *Server) uiRoutes() {
	s.handle("GET", "/static/", "none", "", staticHandler().ServeHTTP)
	s.handle("GET", "/login", "none", "", s.loginPage)
	s.handle("POST", "/login", "none", "", s.page(s.loginPost))
	s.handle("POST", "/logout", "ui", "", s.logout)
	s.handle("GET", "/lang", "none", "", s.setLang)
	s.handle("GET", "/{$}", "ui", "", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/rastreio", http.StatusSeeOther)
	})
	s.handle("GET", "/rastreio", "ui", "", s.page(s.uiRastreio))
	s.handle("GET", "/historico/{protocol}", "ui", "", s.page(s.uiHistory))
	s.handle("GET", "/fluxo-agil", "ui", "", s.page(s.uiFluxo))
	s.handle("GET", "/fluxo-agil/{batch}/{contact}", "ui", "", s.page(s.uiFluxoHistory))
	s.handle("GET", "/ivr", "ui", "", s.page(s.uiIVR))
	s.handle("GET", "/agentes", "ui", "", s.page(s.uiAgents))
	s.handle("GET", "/agentes/{agent}/dia", "ui", "", s.page(s.uiAgentDay))
	s.handle("GET", "/auditoria", "ui", "admin", s.page(s.uiAudit))
}
