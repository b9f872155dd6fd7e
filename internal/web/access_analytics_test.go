package web_test

import (
	"context"
	"testing"

	"github.com/rastro/rastro/internal/analytics"
	"github.com/rastro/rastro/internal/analytics/analyticstest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// TestAccessMatrixOnPostgresAndClickHouse runs the access matrix, the
// masking, drill-down, cross-tenant and audit checks of TestAccessMatrix
// against a server on PostgreSQL whose reports (Rastreio, IVR, Agentes,
// Fluxo Ágil) read the two-shard ClickHouse cluster of
// RASTRO_TEST_CLICKHOUSE, synced after seeding; the checks' reference
// answers still come from the store. Like every ClickHouse test it fails
// without RASTRO_TEST_CLICKHOUSE and says how to run it
// (RASTRO_TEST_CLICKHOUSE=skip skips it on purpose, loudly).
func TestAccessMatrixOnPostgresAndClickHouse(t *testing.T) {
	ch := analyticstest.Open(t)
	tenantAdmin := model.Principal{Tenant: tenantA, Role: model.RoleAdmin, PersonalData: true}
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.PostgresDSN(t))
	if err != nil {
		t.Fatalf("open postgres store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	e := newEnvWith(t, storetest.Store{Name: "postgres+clickhouse", DB: db}, func(t *testing.T, db *store.DB) report.AnalyticsReader {
		if _, err := db.EnableAnalytics(ctx, "clickhouse"); err != nil {
			t.Fatal(err)
		}
		ship := &analytics.Shipper{DB: db, CH: ch, Logf: t.Logf}
		if _, err := ship.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		// The reports must really come from the engine: it answers for
		// the seeded tenant.
		r := &analytics.Rastreio{CH: ch, DB: db}
		rows, err := r.BotRows(ctx, tenantAdmin, store.BotFilter{}, false, nil, 5)
		if err != nil || len(rows.Rows) == 0 {
			t.Fatalf("ClickHouse answers the Fluxo Ágil of %s with %d rows, %v", tenantA, len(rows.Rows), err)
		}
		n, err := r.CountLegs(ctx, tenantAdmin, store.LegFilter{Media: "voice"})
		if err != nil || n == 0 {
			t.Fatalf("ClickHouse counts %d voice legs of %s, %v", n, tenantA, err)
		}
		return r
	})
	runAccessMatrix(t, e)
}
