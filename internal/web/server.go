// Package web serves rastro over HTTP: the JSON API of EVENTS.md (events in,
// reports, exports, histories, recordings) and the pt-BR web UI, both behind
// authentication (bearer tokens for the API, sessions with CSRF protection
// for the UI), with security headers on every answer.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
)

// Config of a server.
type Config struct {
	// RecordingsDir resolves relative recording_url values ("rec/x.wav").
	RecordingsDir string
	// MaxBatchBytes bounds one POST /api/v1/events body.
	MaxBatchBytes int64
	// SecureCookies sets the Secure flag (behind TLS).
	SecureCookies bool
	Logger        *slog.Logger
	// Analytics, when set, answers the Rastreio, the Relatório IVR, the
	// Relatório de Agentes and the Fluxo Ágil from the analytics engine
	// (the store answers when it is unreachable); /api/v1/status then says
	// "engine":"clickhouse".
	Analytics report.AnalyticsReader
}

// Server is the HTTP handler of rastro.
type Server struct {
	db      *store.DB
	reports *report.Reports
	ingest  *ingest.Ingester
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux

	routeList []Route
	templates map[string]*template.Template
	plays     *playLog // recent recording playbacks (one audit entry each)
	// refusedHooks remembers refused webhooks (address × reason) so that
	// an unauthenticated caller writes at most one audit entry per window.
	refusedHooks *playLog
}

// New builds the server and its routes.
func New(db *store.DB, cfg Config) (*Server, error) {
	if cfg.MaxBatchBytes == 0 {
		cfg.MaxBatchBytes = ingest.MaxBatchBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RecordingsDir == "" {
		cfg.RecordingsDir = "recordings"
	}
	cfg.RecordingsDir, _ = filepath.Abs(cfg.RecordingsDir)
	s := &Server{db: db, reports: report.New(db), ingest: ingest.New(db), cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), plays: newPlayLog(), refusedHooks: newPlayLog()}
	s.reports.Analytics = cfg.Analytics
	t, err := parseTemplates()
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	s.templates = t
	s.routes()
	return s, nil
}

// ServeHTTP adds the security headers and serves.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if s.cfg.Analytics != nil {
		r = r.WithContext(report.WithSource(r.Context())) // for the pages' dataNote
	}
	s.mux.ServeHTTP(w, r)
}

// Route lists every registered route with its access rule; the access
// matrix test walks it so no route can be added without being tested.
type Route struct {
	Method, Pattern string
	Auth            string // "none" | "api" | "ui"
	Role            string // minimum: "" (any authenticated) | "ingest" | "admin"
}

// routeTable is filled by handle.
func (s *Server) handle(method, pattern, auth, role string, h http.HandlerFunc) {
	s.routeList = append(s.routeList, Route{method, pattern, auth, role})
	var wrapped http.Handler = h
	switch auth {
	case "api":
		wrapped = s.requireAPI(role, h)
	case "ui":
		wrapped = s.requireSession(role, h)
	}
	s.mux.Handle(method+" "+pattern, wrapped)
}

// Routes returns the registered routes.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routeList...) }

type ctxKey int

const principalKey ctxKey = 1
const sessionKey ctxKey = 2

// principal returns the authenticated principal of a request.
func principal(r *http.Request) model.Principal {
	p, _ := r.Context().Value(principalKey).(model.Principal)
	return p
}

func withPrincipal(r *http.Request, p model.Principal) *http.Request {
	notePrincipal(r, p)
	// The tenant's context (zone, threshold, windows, media) is read once
	// per request, whoever asks for it.
	return r.WithContext(context.WithValue(store.WithTenantMemo(r.Context()), principalKey, p))
}

func allowed(p model.Principal, role string) bool {
	switch role {
	case "ingest":
		return p.CanIngest()
	case "admin":
		return p.IsAdmin()
	}
	return true
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// apiError answers {"error": msg}.
func apiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// fail maps report/store errors to HTTP answers.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *report.ParamError
	var be *ingest.BatchError
	var tl *ingest.TooLargeError
	var se *ingest.ScopeError
	switch {
	case errors.As(err, &pe):
		writeJSON(w, http.StatusBadRequest, pe)
	case errors.As(err, &be):
		writeJSON(w, http.StatusUnprocessableEntity, be)
	case errors.As(err, &se):
		writeJSON(w, http.StatusForbidden, se)
	case errors.As(err, &tl):
		apiError(w, http.StatusRequestEntityTooLarge, tl.Error())
	case errors.Is(err, store.ErrStorageFull):
		// Nothing of the request was stored; the client retries later.
		s.log.Error("store is full", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "60")
		apiError(w, http.StatusServiceUnavailable, "the store is out of disk space: nothing was stored; retry later")
	case errors.Is(err, report.ErrNotFound):
		apiError(w, http.StatusNotFound, "not found")
	case errors.Is(err, context.Canceled):
		// client went away
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		apiError(w, http.StatusInternalServerError, "internal error")
	}
}

// audit records an action; failures are logged, not shown to the user,
// because the action itself already happened.
func (s *Server) audit(r *http.Request, action string, detail map[string]any, st *report.ExportStats, exportErr error) {
	p := principal(r)
	e := store.AuditEntry{Tenant: p.Tenant, At: time.Now(), Actor: p.Actor, Action: action, Detail: detail}
	if st != nil {
		e.Rows, e.Bytes, e.SHA256 = &st.Rows, &st.Bytes, st.SHA256
	}
	if exportErr != nil {
		e.Error = exportErr.Error()
	}
	if err := s.db.Audit(context.WithoutCancel(r.Context()), e); err != nil {
		s.log.Error("audit write failed", "action", action, "err", err)
	}
}
