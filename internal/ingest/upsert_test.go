package ingest_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
	"github.com/rastro/rastro/internal/storetest"
)

// ingestOneByOne creates tenant and ingests lines in the given order, one
// event per batch, so that each upsert meets the stored others.
func ingestOneByOne(t *testing.T, db *store.DB, tenant string, lines []string, order []int) *ingest.Ingester {
	t.Helper()
	in := tenantIngester(t, db, tenant)
	for _, i := range order {
		if _, err := in.IngestBody(context.Background(), tenant, []byte(lines[i])); err != nil {
			t.Fatalf("order %v line %d: %v", order, i, err)
		}
	}
	return in
}

// Upserts merge field by field (EVENTS.md): a CRM and Chatwoot each keep
// their own fields of one contact or agent, whatever order they arrive in.
func TestUpsertsMergeFieldByFieldInAnyOrder(t *testing.T) {
	lines := []string{
		// Chatwoot knows the agent's name only.
		`{"id":"u1","type":"user.upserted","at":"2026-10-01T10:00:00Z","user":{"id":"ag-1","name":"Ana Chatwoot"}}`,
		// The HR system sets tags and status later, without a name.
		`{"id":"u2","type":"user.upserted","at":"2026-10-02T10:00:00Z","user":{"id":"ag-1","tags":["t-n1"],"status":"inativo"}}`,
		// An older upsert's name loses to the newer one.
		`{"id":"u0","type":"user.upserted","at":"2026-09-01T10:00:00Z","user":{"id":"ag-1","name":"Old name","extension":"7001"}}`,
		// The CRM's contact: document and portfolio; Chatwoot: name and phones.
		`{"id":"c1","type":"contact.upserted","at":"2026-10-01T10:00:00Z","contact":{"id":"ct-1","document":"39053344705","portfolio":true,"external_id":"CRM-9"}}`,
		`{"id":"c2","type":"contact.upserted","at":"2026-10-03T10:00:00Z","contact":{"id":"ct-1","name":"José","phones":["5511999990000"]}}`,
		// null clears a field.
		`{"id":"c3","type":"contact.upserted","at":"2026-10-04T10:00:00Z","contact":{"id":"ct-1","external_id":null}}`,
		// A service renamed by a partial upsert; a service never named.
		`{"id":"s1","type":"service.upserted","at":"2026-10-01T10:00:00Z","service":{"id":"svc-1","name":"SAC"}}`,
		`{"id":"s2","type":"service.upserted","at":"2026-10-01T09:00:00Z","service":{"id":"svc-2"}}`,
	}
	orders := [][]int{{0, 1, 2, 3, 4, 5, 6, 7}, {7, 5, 4, 2, 3, 1, 0, 6}, {2, 1, 5, 3, 0, 4, 6, 7}}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		for n, order := range orders {
			tenant := []string{"a", "b", "c"}[n]
			ingestOneByOne(t, s.DB, tenant, lines, order)
			p := model.Principal{Tenant: tenant, Role: model.RoleAdmin, PersonalData: true}
			agents, err := s.DB.Agents(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if len(agents) != 1 || agents[0].Name != "Ana Chatwoot" {
				t.Errorf("order %v: agents %+v", order, agents)
			}
			dir := s.DB.Directory(ctx, tenant)
			u, ok := dir.User("ag-1")
			if !ok || u.Name != "Ana Chatwoot" || u.Status != "inativo" || strings.Join(u.Tags, ",") != "t-n1" || u.Extension != "7001" {
				t.Errorf("order %v: user %+v", order, u)
			}
			c, ok := dir.Contact("ct-1")
			if !ok || c.Name != "José" || c.Document != "39053344705" || c.Portfolio == nil || !*c.Portfolio ||
				strings.Join(c.Phones, ",") != "5511999990000" || c.ExternalID != "" {
				t.Errorf("order %v: contact %+v", order, c)
			}
			if dir.ServiceName("svc-1") != "SAC" || dir.ServiceName("svc-2") != "" {
				t.Errorf("order %v: services %q %q", order, dir.ServiceName("svc-1"), dir.ServiceName("svc-2"))
			}
		}
	})
}

func TestNewUserDefaultsToActiveWithoutTags(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		if _, err := tenantIngester(t, s.DB, "a").IngestBody(ctx, "a", []byte(`{"id":"u","type":"user.upserted","at":"2026-10-01T10:00:00Z","user":{"id":"ag-9","name":"Bia"}}`)); err != nil {
			t.Fatal(err)
		}
		u, ok := s.DB.Directory(ctx, "a").User("ag-9")
		if !ok || u.Status != "ativo" || len(u.Tags) != 0 {
			t.Errorf("%+v", u)
		}
	})
}

// ivr.upserted's options and the new flow.upserted (EVENTS.md) are
// accepted, stored raw and read back; a bot conversation's flow id still
// reads as before, though both use the wire name "flow".
func TestFlowAndIVRLabelsAreAcceptedAndKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		in := tenantIngester(t, s.DB, "a")
		body := strings.Join([]string{
			`{"id":"f1","type":"flow.upserted","at":"2026-10-01T10:00:00Z","flow":{"id":"fl-1","name":"Cobrança","steps":{"s1":"Boas-vindas"}}}`,
			`{"id":"i1","type":"ivr.upserted","at":"2026-10-01T10:00:00Z","ivr":{"id":"ivr-1","name":"Principal","options":{"1":"Financeiro"}}}`,
			`{"id":"b1","type":"bot.conversation_started","at":"2026-10-01T10:00:00Z","conversation":"cv-1","flow":"fl-1","client_id":"c","campaign_id":"k","batch_id":"b","contact_id":"ct"}`,
		}, "\n")
		res, err := in.IngestBody(ctx, "a", []byte(body))
		if err != nil || res.Accepted != 3 {
			t.Fatalf("%+v %v", res, err)
		}
		if res, _ := in.IngestBody(ctx, "a", []byte(body)); res.Duplicates != 3 {
			t.Errorf("again: %+v", res)
		}
		if err := in.Rebuild(ctx, "a"); err != nil {
			t.Fatalf("rebuild reads the stored flow.upserted: %v", err)
		}
	})
	bad := `{"id":"f2","type":"flow.upserted","at":"2026-10-01T10:00:00Z","flow":{"name":"sem id","steps":{"s1":7}}}`
	_, _, err := ingest.Decode([]byte(bad), ingest.Options{})
	if err == nil || !strings.Contains(err.Error(), "flow.id: required") || !strings.Contains(err.Error(), "flow.steps.s1: must be a string") {
		t.Errorf("%v", err)
	}
}

// An IVR's menu labels and a flow's step names merge key by key across
// upserts (a menu described one option at a time, by two systems), the
// latest label of a key winning, "" dropping it and null clearing all;
// the result is the same in any arrival order and after a rebuild.
func TestIVROptionsAndFlowStepsMergeKeyByKeyInAnyOrder(t *testing.T) {
	lines := []string{
		`{"id":"i1","type":"ivr.upserted","at":"2026-10-01T10:00:00Z","ivr":{"id":"ivr-1","name":"Principal","options":{"1":"Financeiro","2":"Suporte","9":"Falar com atendente"}}}`,
		`{"id":"i2","type":"ivr.upserted","at":"2026-10-02T10:00:00Z","ivr":{"id":"ivr-1","options":{"1.2":"Segunda via","2":"Suporte técnico","9":""}}}`,
		`{"id":"i3","type":"ivr.upserted","at":"2026-09-01T10:00:00Z","ivr":{"id":"ivr-1","name":"Antiga","options":{"2":"Antigo","3":"Ouvidoria"}}}`,
		`{"id":"i4","type":"ivr.upserted","at":"2026-10-01T10:00:00Z","ivr":{"id":"ivr-2","name":"Noturna","options":{"1":"Recados"}}}`,
		`{"id":"i5","type":"ivr.upserted","at":"2026-10-03T10:00:00Z","ivr":{"id":"ivr-2","options":null}}`,
		`{"id":"f1","type":"flow.upserted","at":"2026-10-01T10:00:00Z","flow":{"id":"fl-1","name":"Cobrança","steps":{"s1":"Boas-vindas"}}}`,
		`{"id":"f2","type":"flow.upserted","at":"2026-10-02T10:00:00Z","flow":{"id":"fl-1","steps":{"s2":"Proposta"}}}`,
	}
	orders := [][]int{{0, 1, 2, 3, 4, 5, 6}, {6, 4, 2, 1, 5, 3, 0}, {1, 3, 4, 0, 6, 5, 2}}
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		for n, order := range orders {
			tenant := []string{"a", "b", "c"}[n]
			in := ingestOneByOne(t, s.DB, tenant, lines, order)
			for _, stage := range []string{"ingested", "rebuilt"} {
				if stage == "rebuilt" {
					if err := in.Rebuild(ctx, tenant); err != nil {
						t.Fatal(err)
					}
				}
				menus, err := s.DB.IVRMenus(ctx, tenant)
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]string{"1": "Financeiro", "1.2": "Segunda via", "2": "Suporte técnico", "3": "Ouvidoria"}
				if m := menus["ivr-1"]; m.Name != "Principal" || !sameLabels(m.Labels, want) {
					t.Errorf("order %v %s: ivr-1 %+v, want Principal %v", order, stage, m, want)
				}
				if m := menus["ivr-2"]; m.Name != "Noturna" || len(m.Labels) != 0 {
					t.Errorf("order %v %s: ivr-2 %+v, want Noturna without labels", order, stage, m)
				}
				flows, err := s.DB.Flows(ctx, tenant)
				if err != nil {
					t.Fatal(err)
				}
				if f := flows["fl-1"]; f.Name != "Cobrança" || !sameLabels(f.Labels, map[string]string{"s1": "Boas-vindas", "s2": "Proposta"}) {
					t.Errorf("order %v %s: fl-1 %+v", order, stage, f)
				}
			}
		}
	})
}

func sameLabels(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// A store that accepted ivr.upserted options and flow.upserted before
// migration 0015 gets their labels when it migrates, merged as if
// ingested afterwards.
func TestMigrationFillsTheLabelsOfUpsertsStoredBeforeIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		body := strings.Join([]string{
			`{"id":"i1","type":"ivr.upserted","at":"2026-10-01T10:00:00Z","ivr":{"id":"ivr-1","name":"Principal","options":{"1":"Financeiro"}}}`,
			`{"id":"i2","type":"ivr.upserted","at":"2026-10-02T10:00:00Z","ivr":{"id":"ivr-1","options":{"2":"Suporte"}}}`,
			`{"id":"f1","type":"flow.upserted","at":"2026-10-01T10:00:00Z","flow":{"id":"fl-1","name":"Cobrança","steps":{"s1":"Boas-vindas"}}}`,
		}, "\n")
		if _, err := tenantIngester(t, s.DB, "a").IngestBody(ctx, "a", []byte(body)); err != nil {
			t.Fatal(err)
		}
		s.DB.Close()
		driver := map[string]string{"sqlite": "sqlite3", "postgres": "pgx"}[s.Name]
		dsn := s.DSN
		if s.Name == "sqlite" {
			dsn = "file:" + dsn
		}
		raw, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		// The store as it was before migration 0015.
		for _, q := range []string{
			`ALTER TABLE ivrs DROP COLUMN options`,
			`DROP TABLE flows`,
			`DELETE FROM schema_migrations WHERE version = '0015_ivr_options_flows.sql'`,
		} {
			if _, err := raw.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		raw.Close()
		db, err := store.Open(ctx, s.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		menus, err := db.IVRMenus(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		if m := menus["ivr-1"]; m.Name != "Principal" || !sameLabels(m.Labels, map[string]string{"1": "Financeiro", "2": "Suporte"}) {
			t.Errorf("ivr-1 after migration 0015: %+v", m)
		}
		flows, err := db.Flows(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		if f := flows["fl-1"]; f.Name != "Cobrança" || !sameLabels(f.Labels, map[string]string{"s1": "Boas-vindas"}) {
			t.Errorf("fl-1 after migration 0015: %+v", f)
		}
	})
}
