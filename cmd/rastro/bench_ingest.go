package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rastro/rastro/internal/demo"
	"github.com/rastro/rastro/internal/ingest"
	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/store"
)

// ingestBench sets the ingest measures of `rastro bench`. They write, so
// they never touch the benchmarked store: each runs on a scratch store of
// the same kind beside it (SQLite: a temporary file in the store's folder,
// on the same disk; PostgreSQL: a temporary schema in the store's
// database), removed afterwards. The store size per leg is read from the
// benchmarked store itself.
type ingestBench struct {
	dsn     string
	legs    int // demo legs loaded by the bulk measure
	clients int // concurrent API clients
	batch   int // events per API batch
	events  int // events sent through the API in all
}

// run prints the measures the --only filter wants: "ingest" (API batches),
// "bulk" (bulk append, its derivation, rebuild) and "size".
func (b ingestBench) run(ctx context.Context, db *store.DB, want func(string) bool) error {
	if want("size") {
		if err := benchStoreSize(ctx, "store size", db); err != nil {
			return err
		}
	}
	if want("ingest") {
		if err := b.api(ctx); err != nil {
			return fmt.Errorf("api ingest: %w", err)
		}
	}
	if want("bulk") {
		if err := b.bulk(ctx); err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
	}
	return nil
}

func benchStoreSize(ctx context.Context, label string, db *store.DB) error {
	size, err := db.SizeBytes(ctx)
	if err != nil {
		return err
	}
	legs, err := db.LegTotal(ctx)
	if err != nil {
		return err
	}
	perLeg := 0.0
	if legs > 0 {
		perLeg = float64(size) / float64(legs) / 1024
	}
	fmt.Printf("%-10s %10.1f MB  legs %9d  %7.2f KB per leg\n", label, float64(size)/1e6, legs, perLeg)
	return nil
}

// api sends the first b.events events of a demo month as NDJSON batches
// of b.batch events from b.clients concurrent clients (client c sends
// batches c, c+clients, …) through the same decode, validation and store
// path as POST /api/v1/events, on a durable store (fsync at every
// commit). The bodies are encoded before the clock starts.
func (b ingestBench) api(ctx context.Context) error {
	db, cleanup, err := b.scratch(ctx, store.Options{})
	if err != nil {
		return err
	}
	defer cleanup()
	const tenant = "bench"
	if err := db.EnsureTenant(ctx, tenant); err != nil {
		return err
	}
	var bodies [][]byte
	var body []byte
	n, total := 0, 0
	errEnough := errors.New("enough events")
	err = demo.Generate(ctx, demo.Options{Tenant: tenant, Legs: max(b.legs, b.events/10)}, func(ev model.Event) error {
		j, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		body = append(append(body, j...), '\n')
		n++
		total++
		if n == b.batch {
			bodies = append(bodies, body)
			body, n = nil, 0
		}
		if total == b.events {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return err
	}
	if n > 0 {
		bodies = append(bodies, body)
	}
	in := ingest.New(db)
	p := model.Principal{Tenant: tenant, Actor: "bench", Role: model.RoleAdmin}
	var mu sync.Mutex
	var accepted int
	var first error
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < b.clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := c; i < len(bodies); i += b.clients {
				res, err := in.IngestBodyAs(ctx, p, bodies[i])
				mu.Lock()
				accepted += res.Accepted
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}(c)
	}
	wg.Wait()
	el := time.Since(start)
	if first != nil {
		return first
	}
	fmt.Printf("ingest api %d clients x %d-event batches, durable  events %8d  %7.2fs  %9.0f events/s\n",
		b.clients, b.batch, accepted, el.Seconds(), float64(accepted)/el.Seconds())
	return nil
}

// bulk loads b.legs demo legs as `rastro demo --bulk` does (NDJSON batches
// of 5,000 events decoded and validated, appended without derivation, then
// one rebuild), timing the append and the derivation apart, then rebuilds
// the same store again.
func (b ingestBench) bulk(ctx context.Context) error {
	db, cleanup, err := b.scratch(ctx, store.Options{Bulk: true})
	if err != nil {
		return err
	}
	defer cleanup()
	const tenant = "bench"
	if err := db.EnsureTenant(ctx, tenant); err != nil {
		return err
	}
	in := ingest.New(db)
	vopt, err := in.Options(ctx, tenant)
	if err != nil {
		return err
	}
	var body []byte
	n, events := 0, 0
	var appendTime, storeTime time.Duration
	flush := func() error {
		if n == 0 {
			return nil
		}
		start := time.Now()
		evs, raw, err := ingest.Decode(body, vopt)
		if err != nil {
			return err
		}
		storeStart := time.Now()
		res, err := in.Append(ctx, tenant, evs, raw)
		if err != nil {
			return err
		}
		storeTime += time.Since(storeStart)
		appendTime += time.Since(start)
		events += res.Accepted + res.Duplicates
		body, n = body[:0], 0
		return nil
	}
	err = demo.Generate(ctx, demo.Options{Tenant: tenant, Legs: b.legs}, func(ev model.Event) error {
		j, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		body = append(append(body, j...), '\n')
		if n++; n == 5000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	start := time.Now()
	if err := in.Rebuild(ctx, tenant); err != nil {
		return err
	}
	derive := time.Since(start)
	start = time.Now()
	if err := in.Rebuild(ctx, tenant); err != nil {
		return err
	}
	rebuild := time.Since(start)
	rate := func(d time.Duration) float64 { return float64(events) / d.Seconds() }
	fmt.Printf("bulk append (decode, validate, append)  events %8d  %7.2fs  %9.0f events/s  (the store's part %.2fs: %.0f events/s)\n", events, appendTime.Seconds(), rate(appendTime), storeTime.Seconds(), rate(storeTime))
	fmt.Printf("bulk derivation (first rebuild)         events %8d  %7.2fs  %9.0f events/s\n", events, derive.Seconds(), rate(derive))
	fmt.Printf("bulk end to end (append + derivation)   events %8d  %7.2fs  %9.0f events/s\n", events, (appendTime + derive).Seconds(), rate(appendTime+derive))
	fmt.Printf("rebuild (a derived store again)         events %8d  %7.2fs  %9.0f events/s\n", events, rebuild.Seconds(), rate(rebuild))
	return benchStoreSize(ctx, "bulk store", db)
}

// scratch opens an empty store of the benchmarked store's kind.
func (b ingestBench) scratch(ctx context.Context, opt store.Options) (*store.DB, func(), error) {
	var tag [6]byte
	_, _ = rand.Read(tag[:])
	name := "rastro_bench_" + hex.EncodeToString(tag[:])
	if !store.IsPostgresDSN(b.dsn) {
		dir, err := os.MkdirTemp(filepath.Dir(b.dsn), name)
		if err != nil {
			return nil, nil, fmt.Errorf("scratch store: %w", err)
		}
		db, err := store.OpenWith(ctx, filepath.Join(dir, "scratch.db"), opt)
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, fmt.Errorf("scratch store: %w", err)
		}
		return db, func() { db.Close(); os.RemoveAll(dir) }, nil
	}
	admin, err := sql.Open("pgx", b.dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("scratch schema: %w", err)
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
		admin.Close()
		return nil, nil, fmt.Errorf("scratch schema: %w", err)
	}
	drop := func() {
		_, _ = admin.ExecContext(context.Background(), `DROP SCHEMA `+name+` CASCADE`)
		admin.Close()
	}
	u, err := url.Parse(b.dsn)
	if err != nil {
		drop()
		return nil, nil, fmt.Errorf("scratch schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	db, err := store.OpenWith(ctx, u.String(), opt)
	if err != nil {
		drop()
		return nil, nil, fmt.Errorf("scratch schema: %w", err)
	}
	return db, func() { db.Close(); drop() }, nil
}
