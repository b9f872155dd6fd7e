package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
)

func (s *Server) postEvents(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBatchBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			apiError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("batch larger than %d bytes: split it", s.cfg.MaxBatchBytes))
			return
		}
		apiError(w, http.StatusBadRequest, "could not read body: "+err.Error())
		return
	}
	res, err := s.ingest.IngestBodyAs(r.Context(), p, body)
	noteIngest(r, res, err)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiMedia(w http.ResponseWriter, r *http.Request) {
	m, err := s.db.Media(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) apiDirectory(w http.ResponseWriter, r *http.Request) {
	p, ctx := principal(r), r.Context()
	var v any
	var err error
	switch kind := r.PathValue("kind"); kind {
	case "services":
		v, err = s.db.Services(ctx, p)
	case "tags":
		v, err = s.db.Tags(ctx, p)
	case "ivrs":
		v, err = s.db.IVRs(ctx, p)
	case "user_tags":
		v, err = s.db.UserTags(ctx, p)
	case "agents":
		v, err = s.db.Agents(ctx, p)
	case "clients":
		v, err = s.db.Clients(ctx, p)
	case "campaigns":
		v, err = s.db.Campaigns(ctx, p, r.URL.Query().Get("client"))
	case "batches":
		v, err = s.db.Batches(ctx, p, r.URL.Query().Get("campaign"))
	default:
		apiError(w, http.StatusNotFound, "unknown directory "+strconv.Quote(kind))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiContacts(w http.ResponseWriter, r *http.Request) {
	text := r.URL.Query().Get("q")
	if utf8.RuneCountInString(text) > report.MaxValueRunes {
		writeJSON(w, http.StatusBadRequest, &report.ParamError{Problems: []report.Problem{{Param: "q", Reason: fmt.Sprintf("must be at most %d characters", report.MaxValueRunes)}}})
		return
	}
	list, err := s.db.SearchContacts(r.Context(), principal(r), text, 50)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if list == nil {
		writeJSON(w, http.StatusOK, []any{})
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// apiReport answers a page of a report (report.Reports.All) as JSON.
func (s *Server) apiReport(rep report.Report) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		q, err := rep.Parse(r.Context(), p, r.URL.Query())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		t, err := rep.Table(r.Context(), p, q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, t)
	}
}

// apiReportExport streams a report's CSV/XLSX export.
func (s *Server) apiReportExport(rep report.Report) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		v := r.URL.Query()
		f, ferr := report.ParseFormat(v.Get("format"), v.Get("sep"))
		q, err := rep.Parse(r.Context(), p, v, exportParams...)
		if err = joinParamErrors(ferr, err); err != nil {
			s.fail(w, r, err)
			return
		}
		e := rep.Export(r.Context(), p, q)
		rows, err := e.Count()
		if err != nil {
			if r.Context().Err() != nil {
				return
			}
			s.fail(w, r, err)
			return
		}
		s.export(w, r, rep.Name(), f, e.File, e.Columns, rows, e.Rows)
	}
}

// apiInteractionsSummary answers the totals of a Rastreio search (the
// summary strip): the page's parameters, paging ones accepted and ignored.
func (s *Server) apiInteractionsSummary(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	q, err := s.reports.ParseInteractions(r.Context(), p, r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sum, err := s.reports.InteractionsSummary(r.Context(), p, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sum)
}

// exportParams are read by the export handlers themselves.
var exportParams = []string{"format", "sep", "lang"}

// joinParamErrors merges two validation results so one answer names every
// bad parameter.
func joinParamErrors(errs ...error) error {
	var all report.ParamError
	for _, err := range errs {
		if err == nil {
			continue
		}
		var pe *report.ParamError
		if !errors.As(err, &pe) {
			return err
		}
		all.Problems = append(all.Problems, pe.Problems...)
	}
	if len(all.Problems) == 0 {
		return nil
	}
	return &all
}

// RowsHeader carries the number of data rows (the header row excluded) an
// export will hold, when the handler knows it before the first byte; the
// UI turns it into a percentage. Absent when it would cost a second pass
// over the data (Fluxo Ágil, audit log).
const RowsHeader = "X-Rastro-Rows"

// export streams a report file and audits it (who, filters, rows, size,
// hash, or the error that cut it short). rows is the number of data rows
// src will emit, or -1 when unknown.
func (s *Server) export(w http.ResponseWriter, r *http.Request, name string, f report.Format, file string, columns []string, rows int64, src report.RowSource) {
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.%s"`, file, time.Now().Format("20060102-150405"), f.Ext()))
	w.Header().Set("Cache-Control", "no-store")
	if rows >= 0 {
		w.Header().Set(RowsHeader, strconv.FormatInt(rows, 10))
	}
	st, err := report.Write(w, f, columns, src)
	noteExport(r, name, st)
	detail := map[string]any{"report": name, "format": f.Kind, "filters": r.URL.Query()}
	s.audit(r, "export", detail, &st, err)
	if err == nil {
		return
	}
	s.log.Error("export failed", "report", name, "err", err)
	if st.Bytes == 0 {
		// Nothing reached the client yet: answer with the error instead.
		for _, h := range []string{"Content-Type", "Content-Disposition", RowsHeader} {
			w.Header().Del(h)
		}
		s.fail(w, r, err)
		return
	}
	// The status line went out with the first byte: break the connection
	// instead of ending the body cleanly, so neither a browser download nor
	// a script saves a cut file as complete.
	panic(http.ErrAbortHandler)
}

func (s *Server) apiHistory(w http.ResponseWriter, r *http.Request) {
	order := r.URL.Query().Get("order")
	if order != "" && order != "asc" && order != "desc" {
		writeJSON(w, http.StatusBadRequest, &report.ParamError{Problems: []report.Problem{{Param: "order", Reason: "must be asc or desc"}}})
		return
	}
	protocol := r.PathValue("protocol")
	h, err := s.reports.History(r.Context(), principal(r), protocol, order == "desc")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, "history.view", map[string]any{"protocol": protocol}, nil, nil)
	writeJSON(w, http.StatusOK, h)
}

func (s *Server) apiFluxoDropoff(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	q, err := s.reports.ParseFluxo(r.Context(), p, r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.reports.FluxoDropoff(r.Context(), p, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) apiFluxoHistory(w http.ResponseWriter, r *http.Request) {
	batch, contact := r.PathValue("batch"), r.PathValue("contact")
	h, err := s.reports.FluxoHistory(r.Context(), principal(r), batch, contact)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, "history.view", map[string]any{"batch": batch, "contact": contact}, nil, nil)
	writeJSON(w, http.StatusOK, h)
}

// apiAudit answers a page of the audit log (200 entries, newest first)
// filtered as the Auditoria page is (report.ParseAudit: actor, action,
// from, to, before).
func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	loc, err := s.tenantLocation(r.Context(), p.Tenant)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := report.ParseAudit(r.URL.Query(), loc, "lang")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Limit = 200
	list, err := s.db.SearchAudit(r.Context(), p, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// AuditColumns is the audit log export header.
var AuditColumns = []string{"ID", "DATA", "USUÁRIO", "AÇÃO", "DETALHES", "LINHAS", "BYTES", "SHA256", "ERRO"}

// apiAuditExport exports the audit log the filters select (those of
// apiAudit; before is ignored: an export holds every entry).
func (s *Server) apiAuditExport(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	fm, err := report.ParseFormat(r.URL.Query().Get("format"), r.URL.Query().Get("sep"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	loc, err := s.tenantLocation(r.Context(), p.Tenant)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	filter, err := report.ParseAudit(r.URL.Query(), loc, exportParams...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	filter.Before, filter.Limit = 0, store.MaxAuditPage
	src := func(emit func([]string) error) error {
		for {
			list, err := s.db.SearchAudit(r.Context(), p, filter)
			if err != nil {
				return err
			}
			for _, e := range list {
				if err := emit(auditRow(e, loc)); err != nil {
					return err
				}
				filter.Before = e.K
			}
			if len(list) < filter.Limit {
				return nil
			}
		}
	}
	s.export(w, r, "audit", fm, "auditoria", AuditColumns, -1, src)
}

// apiStatus answers the analytics engine's state for the admin's tenant:
// {"analytics":{"engine":"clickhouse"|"none","pending":N,"oldest_pending_at":RFC 3339|null}}.
// pending counts the tenant's outbox entries not yet acknowledged by the
// engine (they accumulate while it is down, or while no server ships them).
func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	pending, oldest, err := s.db.OutboxStats(r.Context(), principal(r).Tenant)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	engine := "none"
	if s.cfg.Analytics != nil {
		engine = "clickhouse"
	}
	type analyticsStatus struct {
		Engine          string  `json:"engine"`
		Pending         int64   `json:"pending"`
		OldestPendingAt *string `json:"oldest_pending_at"`
	}
	st := analyticsStatus{Engine: engine, Pending: pending}
	if oldest != nil {
		at := oldest.UTC().Format(time.RFC3339)
		st.OldestPendingAt = &at
	}
	writeJSON(w, http.StatusOK, map[string]any{"analytics": st})
}
