package web

import "net/http"

// routes registers every endpoint. API routes answer JSON and accept bearer
// tokens (or the UI session); UI routes render pages.
func (s *Server) routes() {
	s.handle("GET", "/healthz", "none", "", s.healthz)

	s.handle("POST", "/api/v1/events", "api", "ingest", s.postEvents)

	// Webhooks of real platforms: the key in the path is the credential
	// (hooks.go).
	s.handle("POST", "/hooks/chatwoot/{key}", "none", "", s.postHook(chatwootHook()))
	s.handle("GET", "/hooks/whatsapp/{key}", "none", "", s.getWhatsApp)
	s.handle("POST", "/hooks/whatsapp/{key}", "none", "", s.postHook(whatsAppHook()))

	s.handle("GET", "/api/v1/media", "api", "", s.apiMedia)
	s.handle("GET", "/api/v1/directory/{kind}", "api", "", s.apiDirectory)
	s.handle("GET", "/api/v1/contacts", "api", "", s.apiContacts)

	s.handle("GET", "/api/v1/reports/interactions/summary", "api", "", s.apiInteractionsSummary)
	s.handle("GET", "/api/v1/interactions/{protocol}/history", "api", "", s.apiHistory)
	s.handle("GET", "/api/v1/interactions/{protocol}/recording", "api", "", s.apiRecording)

	s.handle("GET", "/api/v1/reports/fluxo-agil/dropoff", "api", "", s.apiFluxoDropoff)
	s.handle("GET", "/api/v1/fluxo-agil/{batch}/{contact}/history", "api", "", s.apiFluxoHistory)

	// The four reports, from their one table.
	for _, rep := range s.reports.All() {
		s.handle("GET", "/api/v1/reports/"+rep.Name(), "api", "", s.apiReport(rep))
		s.handle("GET", "/api/v1/reports/"+rep.Name()+"/export", "api", "", s.apiReportExport(rep))
	}

	s.handle("GET", "/api/v1/agents/{agent}/day", "api", "", s.apiAgentDay)

	s.handle("GET", "/api/v1/audit", "api", "admin", s.apiAudit)
	s.handle("GET", "/api/v1/audit/export", "api", "admin", s.apiAuditExport)
	s.handle("GET", "/api/v1/status", "api", "admin", s.apiStatus)

	s.uiRoutes()
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if _, err := s.db.Media(r.Context()); err != nil {
		apiError(w, http.StatusServiceUnavailable, "store unavailable")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
