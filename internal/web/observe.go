package web

import (
	"errors"
	"net/http"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/reqinfo"
)

// The hooks below fill the request's reqinfo.Info (put in the context by
// the serving middleware, internal/httpserve) for its log line and the
// metrics; without the middleware they do nothing.

// notePrincipal records who made the request.
func notePrincipal(r *http.Request, p model.Principal) {
	reqinfo.From(r.Context()).SetPrincipal(p.Actor, p.Tenant)
}

// noteIngest records a batch's outcome: its accepted and duplicate events,
// or, when it was refused as invalid, how many of its events were invalid.
func noteIngest(r *http.Request, res ingest.Result, err error) {
	info := reqinfo.From(r.Context())
	if err == nil {
		info.AddIngest(res.Accepted, res.Duplicates, 0)
		return
	}
	var be *ingest.BatchError
	if errors.As(err, &be) {
		lines := map[int]bool{}
		for _, fe := range be.Errors {
			lines[fe.Line] = true
		}
		info.AddIngest(0, 0, len(lines))
	}
}

// noteExport records the data rows an export wrote.
func noteExport(r *http.Request, name string, st report.ExportStats) {
	reqinfo.From(r.Context()).SetExport(name, st.Rows)
}
