package web

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/rastro/rastro/internal/store"
)

// auditRow formats an audit entry for the page and the export, with times
// in the tenant's zone.
func auditRow(e store.AuditEntry, loc *time.Location) []string {
	detail, _ := json.Marshal(e.Detail)
	num := func(v *int64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatInt(*v, 10)
	}
	return []string{strconv.FormatInt(e.K, 10), e.At.In(loc).Format("2006-01-02 15:04:05"), e.Actor, e.Action, string(detail), num(e.Rows), num(e.Bytes), e.SHA256, e.Error}
}

// tenantLocation is the tenant's time zone (store.TenantContext).
func (s *Server) tenantLocation(ctx context.Context, tenant string) (*time.Location, error) {
	tc, err := s.db.TenantContext(ctx, tenant)
	if err != nil {
		return nil, err
	}
	return tc.Zone, nil
}
