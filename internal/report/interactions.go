package report

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/rastro/rastro/internal/metrics"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// InteractionQuery is a validated Rastreio de Interações request.
type InteractionQuery struct {
	Media   model.Media
	Filter  store.LegFilter
	Desc    bool
	Limit   int
	After   *store.Cursor
	columns []string
	// Raw keeps the accepted parameters, for the audit log and drill-downs.
	Raw url.Values
}

// mediaFilters are the Rastreio parameters that only some media accept
// (SPEC.md §3 visibility rules); the others apply to every media.
var mediaFilters = map[string]string{
	"expiration_status": "expiration_status", "voice_status": "voice_status", "call_quality": "call_quality",
	"service_status": "service_status", "email": "email", "phone": "phone",
}

// ParseInteractions validates Rastreio parameters, collecting every problem.
// extra names parameters the caller reads itself (format, sep, …).
func (r *Reports) ParseInteractions(ctx context.Context, p model.Principal, v url.Values, extra ...string) (InteractionQuery, error) {
	ps, tc, err := r.parse(ctx, p, v, extra)
	q := InteractionQuery{Raw: v}
	if err != nil {
		return q, err
	}
	errs := ps.errs
	mediaID := ps.str("media")
	var found bool
	q.Media, found = tc.MediaByID(mediaID)
	switch {
	case mediaID == "":
		errs.add("media", "required")
	case !found:
		errs.add("media", "%q is not one of: %s", mediaID, strings.Join(tc.MediaIDs(), ", "))
	}
	if found {
		for name := range mediaFilters {
			if ps.has(name) && !q.Media.HasFilter(name) {
				errs.add(name, "does not apply to media %s", q.Media.ID)
			}
		}
	}
	f := store.LegFilter{Media: mediaID}
	f.FromMS, f.ToMS = ps.period().instants(tc.Zone)
	f.HourFrom, f.HourTo = ps.hour("hour_from", false), ps.hour("hour_to", true)
	f.Portfolio = ps.boolean("portfolio")
	if s := ps.str("expiration_status"); s != "" {
		ps.enum("expiration_status", []string{s}, "active", "expired")
		b := s == "expired"
		f.Expired = &b
	}
	if vs := ps.list("voice_status"); vs != nil {
		ps.enum("voice_status", vs, model.VoiceStatuses...)
		f.VoiceStatus = vs
	}
	if cq := ps.list("call_quality"); cq != nil {
		ps.enum("call_quality", cq, model.CallQualities...)
		f.CallQuality = cq
	}
	ss := ps.list("service_status")
	ps.enum("service_status", ss, "completed", "transferred", "all")
	if found && q.Media.HasFilter("service_status") && !containsStr(ss, "all") {
		if ss == nil {
			ss = []string{"completed"} // SPEC: Service Completed is selected by default
		}
		for _, s := range ss {
			f.Statuses = append(f.Statuses, map[string]string{"completed": "service completed", "transferred": model.StatusTransfer}[s])
		}
	}
	f.Tags, f.Agents, f.Services = ps.list("tags"), ps.list("agents"), ps.list("services")
	f.UserTags, f.Contacts, f.IVRs = ps.list("user_tags"), ps.list("contacts"), ps.list("ivrs")
	f.Email = strings.ToLower(ps.str("email"))
	if ph := ps.str("phone"); ph != "" {
		f.Phone = metrics.DigitsOnly(ph)
		if f.Phone == "" {
			errs.add("phone", "must contain digits")
		}
	}
	f.Protocol, f.ExternalID, f.ExternalProtocol = ps.str("protocol"), ps.str("external_id"), ps.str("external_protocol")
	switch o := ps.str("order"); o {
	case "", "desc":
		q.Desc = true
	case "asc":
	default:
		errs.add("order", "must be asc or desc")
	}
	var cursor string
	q.Limit, cursor = ps.paging(50, 1000)
	if cursor != "" {
		c, err := decodeCursor(cursor)
		if err != nil {
			errs.add("cursor", "invalid cursor")
		}
		q.After = c
	}
	ps.unknown()
	q.Filter = f
	q.columns = model.ColumnsFor(mediaID)
	return q, errs.err()
}

// Columns is the header of the media's Rastreio (model.ColumnsFor).
func (q InteractionQuery) Columns() []string { return q.columns }

func encodeCursor(c *store.Cursor) string {
	if c == nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.EnteredAt, 10) + "." + strconv.FormatInt(c.K, 10)))
}

func decodeCursor(s string) (*store.Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	a, k, ok := strings.Cut(string(b), ".")
	if !ok {
		return nil, fmt.Errorf("bad cursor")
	}
	at, err1 := strconv.ParseInt(a, 10, 64)
	kk, err2 := strconv.ParseInt(k, 10, 64)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("bad cursor")
	}
	return &store.Cursor{EnteredAt: at, K: kk}, nil
}

// Interactions answers one page of the Rastreio de Interações.
func (r *Reports) Interactions(ctx context.Context, p model.Principal, q InteractionQuery) (Table, error) {
	page, err := r.legs(ctx, p, q.Filter, q.Desc, q.After, q.Limit)
	if err != nil {
		return Table{}, err
	}
	mask := masker(p, q.columns)
	t := Table{Columns: q.columns, Rows: make([][]string, len(page.Rows)), Keys: make([]string, len(page.Rows)), NextCursor: encodeCursor(page.Next)}
	for i, row := range page.Rows {
		t.Keys[i] = row.Protocol
		cells := fit(row.Cells, len(q.columns))
		if mask != nil {
			mask(cells)
		}
		t.Rows[i] = cells
	}
	return t, nil
}

// fit pads or cuts stored cells to the column count (a media whose extra
// columns changed since the row was derived still prints aligned).
func fit(cells []string, n int) []string {
	if len(cells) == n {
		return cells
	}
	out := make([]string, n)
	copy(out, cells)
	return out
}

// InteractionRows streams every row of a Rastreio query, for exports.
// Exports run chronologically unless order=desc was asked for.
func (r *Reports) InteractionRows(ctx context.Context, p model.Principal, q InteractionQuery) RowSource {
	desc := q.Raw.Get("order") == "desc"
	mask := masker(p, q.columns)
	n := len(q.columns)
	return func(emit func([]string) error) error {
		row := make([]string, 0, n)
		return prefetch(ctx, 1024, func(ctx context.Context, send func(string) error) error {
			return r.eachLeg(ctx, p, q.Filter, desc, 5000, send)
		}, func(cells string) error {
			// One row slice for the whole export: the writers copy its
			// cells out before the next row.
			row = fit(store.DecodeCellsInto(row, cells), n)
			if mask != nil {
				mask(row)
			}
			return emit(row)
		})
	}
}

// containsStr reports whether list holds v. service_status=all (our
// addition) lifts the default so abandoned, dequeued… legs can be listed.
func containsStr(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
