package report

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/store"
)

// ParseAudit reads the audit log's filters (the Auditoria page, GET
// /api/v1/audit and its export): actor (a bare user name means
// "user:NAME", as logins are recorded), action (one of
// store.AuditActions), from and to (local dates AAAA-MM-DD of loc, both
// inclusive) and before (the keyset: an entry id). extra names the
// parameters the caller reads itself (format, sep, lang); any other is
// refused. Limit is left to the caller.
func ParseAudit(v url.Values, loc *time.Location, extra ...string) (store.AuditFilter, error) {
	errs := &ParamError{}
	p := newParams(v, errs)
	p.known(extra...)
	var f store.AuditFilter
	if f.Actor = p.single("actor"); f.Actor != "" && !strings.Contains(f.Actor, ":") && f.Actor != "cli" {
		f.Actor = "user:" + f.Actor
	}
	if f.Action = p.single("action"); f.Action != "" {
		p.enum("action", []string{f.Action}, store.AuditActions...)
	}
	d := p.period()
	fromMS, toMS := d.instants(loc)
	if fromMS != 0 {
		f.From = time.UnixMilli(fromMS)
	}
	if toMS != 0 {
		f.To = time.UnixMilli(toMS)
	}
	if s := p.single("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			errs.add("before", "must be a positive audit entry id")
		}
		f.Before = n
	}
	p.unknown()
	return f, errs.err()
}
