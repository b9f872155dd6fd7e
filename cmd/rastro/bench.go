package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/rastro/rastro/internal/model"
	"github.com/rastro/rastro/internal/report"
	"github.com/rastro/rastro/internal/store"
)

// cmdBench measures the reports on whatever the store holds (load it first
// with `rastro demo --legs N`). Timings are printed, never asserted.
func cmdBench(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "load-analytics" {
		return cmdBenchLoad(ctx, args[1:])
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	dsn := storeFlags(fs)
	tenant := fs.String("tenant", "demo", "tenant")
	mixes := fs.Int("mixes", 200, "random filter mixes for the first-page latency")
	from := fs.String("from", "2026-10-01", "first local date of the month measured")
	to := fs.String("to", "2026-10-30", "last local date of the month measured")
	only := fs.String("only", "", "comma-separated subset: page,export,fluxo,ivr,agents,copy,chtext,size,ingest,bulk")
	analyticsURL := analyticsFlag(fs)
	chClient := fs.String("clickhouse-client", "clickhouse-client", "with --analytics: the client that writes the export's rows as text (chtext)")
	chFinal := fs.Bool("analytics-final", false, "with --analytics: read every table FINAL, as before settled partitions (to measure what they save)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	ib := ingestBench{clients: 4, batch: 1000} // only=size,ingest,bulk: see bench_ingest.go
	fs.IntVar(&ib.legs, "ingest-legs", 20000, "demo legs of the bulk load measure (--only bulk; a scratch store)")
	fs.IntVar(&ib.events, "ingest-events", 100000, "events sent as concurrent API batches (--only ingest; a scratch store)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	db, err := openExistingStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	p := model.Principal{Tenant: *tenant, Actor: "bench", Role: model.RoleAdmin, PersonalData: true}
	r := report.New(db)
	ch, closeCH, err := benchAnalytics(ctx, r, *analyticsURL)
	if err != nil {
		return err
	}
	defer closeCH()
	if ch != nil && *chFinal {
		ch.SetSettledReads(false)
		fmt.Println("analytics: every read FINAL (--analytics-final)")
	}
	want := func(name string) bool { return *only == "" || strings.Contains(","+*only+",", ","+name+",") }
	total, err := db.CountLegs(ctx, p, store.LegFilter{Media: "voice"})
	if err != nil {
		return err
	}
	fmt.Printf("store: %s   tenant: %s   voice legs: %d   GOMAXPROCS: %d\n", db.Dialect(), *tenant, total, runtime.GOMAXPROCS(0))

	reports := map[string]report.Report{}
	for _, rep := range r.All() {
		reports[rep.Name()] = rep
	}
	if want("page") {
		if err := benchFirstPage(ctx, db, reports["interactions"], p, *mixes, *from, *to); err != nil {
			return err
		}
	}
	if want("export") {
		rep := reports["interactions"]
		for _, media := range []string{"whatsapp", "voice"} {
			q, err := rep.Parse(ctx, p, url.Values{"media": {media}, "from": {*from}, "to": {*to}})
			if err != nil {
				return err
			}
			f, _ := report.ParseFormat("csv", "")
			start := time.Now()
			e := rep.Export(ctx, p, q)
			st, err := report.Write(io.Discard, f, e.Columns, e.Rows)
			if err != nil {
				return err
			}
			el := time.Since(start)
			fmt.Printf("export csv %-9s rows %8d  %7.2fs  %9.0f rows/s  %6.1f MB  peak RSS %d MB\n", media, st.Rows, el.Seconds(), float64(st.Rows)/el.Seconds(), float64(st.Bytes)/1e6, peakRSSMB())
		}
	}
	timeIt := func(name string, n int, fn func() error) error {
		var d []time.Duration
		for i := 0; i < n; i++ {
			start := time.Now()
			if err := fn(); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			d = append(d, time.Since(start))
		}
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		fmt.Printf("%-40s n=%d  p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms\n", name, n, ms(d[n/2]), ms(d[n*95/100]), ms(d[n-1]))
		return nil
	}
	// timeTable times the page of a report for parameters v.
	timeTable := func(rep report.Report, name string, v url.Values) error {
		q, err := rep.Parse(ctx, p, v)
		if err != nil {
			return err
		}
		return timeIt(name, 20, func() error { _, err := rep.Table(ctx, p, q); return err })
	}
	month := url.Values{"from": {*from}, "to": {*to}}
	if want("fluxo") {
		rep := reports["fluxo-agil"]
		q, err := rep.Parse(ctx, p, month)
		if err != nil {
			return err
		}
		if err := timeIt("fluxo-agil month, first page", 20, func() error { _, err := rep.Table(ctx, p, q); return err }); err != nil {
			return err
		}
		if err := timeIt("fluxo-agil month, drop-off", 20, func() error { _, err := r.FluxoDropoff(ctx, p, q.(report.FluxoQuery)); return err }); err != nil {
			return err
		}
	}
	if want("ivr") {
		for _, g := range []string{"ivr", "service", "agent", "hour", "day"} {
			v := url.Values{"from": {*from}, "to": {*to}, "group_by": {g}}
			if err := timeTable(reports["ivr"], "ivr month group_by="+g, v); err != nil {
				return err
			}
		}
	}
	if want("agents") {
		for _, v := range []url.Values{month, {"from": {*from}, "to": {*to}, "media": {"whatsapp"}}, {"from": {*from}, "to": {*to}, "hour_from": {"08:00"}, "hour_to": {"12:00"}}} {
			if err := timeTable(reports["agents"], "agents "+v.Encode(), v); err != nil {
				return err
			}
		}
	}
	if want("copy") && db.Dialect() == store.Postgres {
		for _, media := range []string{"whatsapp", "voice"} {
			q, err := reports["interactions"].Parse(ctx, p, url.Values{"media": {media}, "from": {*from}, "to": {*to}})
			if err != nil {
				return err
			}
			start := time.Now()
			n, err := db.CopyLegCells(ctx, p, q.(report.InteractionQuery).Filter, io.Discard)
			if err != nil {
				return err
			}
			el := time.Since(start)
			fmt.Printf("COPY (legs cells) TO STDOUT %-9s rows %8d  %7.2fs  %9.0f rows/s (ceiling)\n", media, n, el.Seconds(), float64(n)/el.Seconds())
		}
	}
	if want("chtext") && ch != nil {
		if err := benchEngineText(ctx, r, ch, p, *from, *to, *chClient); err != nil {
			return err
		}
	}
	ib.dsn = *dsn
	return ib.run(ctx, db, want)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchFirstPage times the first Rastreio page over random filter mixes.
func benchFirstPage(ctx context.Context, db *store.DB, rep report.Report, p model.Principal, n int, from, to string) error {
	rng := rand.New(rand.NewSource(42))
	agents, err := db.Agents(ctx, p)
	if err != nil {
		return err
	}
	services, err := db.Services(ctx, p)
	if err != nil {
		return err
	}
	tags, err := db.Tags(ctx, p)
	if err != nil {
		return err
	}
	medias := []string{"whatsapp", "voice", "chat", "email", "sms", "instagram", "reclameaqui"}
	day, _ := time.Parse("2006-01-02", from)
	last, _ := time.Parse("2006-01-02", to)
	span := int(last.Sub(day).Hours()/24) + 1
	type timed struct {
		d   time.Duration
		mix string
	}
	var runs []timed
	for i := 0; i < n; i++ {
		media := medias[rng.Intn(len(medias))]
		v := url.Values{"media": {media}}
		if rng.Intn(2) == 0 {
			a := day.AddDate(0, 0, rng.Intn(span))
			v.Set("from", a.Format("2006-01-02"))
			v.Set("to", a.AddDate(0, 0, rng.Intn(7)).Format("2006-01-02"))
		} else {
			v.Set("from", from)
			v.Set("to", to)
		}
		if rng.Intn(3) == 0 && len(agents) > 0 {
			v.Set("agents", agents[rng.Intn(len(agents))].ID)
		}
		if rng.Intn(3) == 0 && len(services) > 0 {
			v.Set("services", services[rng.Intn(len(services))].ID)
		}
		if rng.Intn(4) == 0 && len(tags) > 0 {
			v.Set("tags", tags[rng.Intn(len(tags))].ID)
		}
		if rng.Intn(4) == 0 {
			v.Set("hour_from", fmt.Sprintf("%02d:00", 8+rng.Intn(4)))
			v.Set("hour_to", fmt.Sprintf("%02d:00", 13+rng.Intn(6)))
		}
		if media == "voice" && rng.Intn(2) == 0 {
			v.Set("voice_status", model.VoiceStatuses[rng.Intn(len(model.VoiceStatuses))])
		}
		if (media == "whatsapp" || media == "chat") && rng.Intn(3) == 0 {
			v.Set("expiration_status", []string{"active", "expired"}[rng.Intn(2)])
		}
		if rng.Intn(5) == 0 {
			v.Set("portfolio", []string{"true", "false"}[rng.Intn(2)])
		}
		q, err := rep.Parse(ctx, p, v)
		if err != nil {
			return fmt.Errorf("mix %v: %w", v, err)
		}
		start := time.Now()
		if _, err := rep.Table(ctx, p, q); err != nil {
			return err
		}
		runs = append(runs, timed{time.Since(start), v.Encode()})
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].d < runs[j].d })
	fmt.Printf("rastreio first page (%d random filter mixes)  p50 %.1f ms  p95 %.1f ms  max %.1f ms\n", n, ms(runs[n/2].d), ms(runs[n*95/100].d), ms(runs[n-1].d))
	// The slowest mixes say which filter combination an index misses.
	for i := n - 1; i >= max(0, n-5); i-- {
		fmt.Printf("  slow mix %8.1f ms  %s\n", ms(runs[i].d), runs[i].mix)
	}
	return nil
}

// peakRSSMB reads the process's peak resident set (VmHWM) on Linux.
func peakRSSMB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb int
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d", &kb)
			return kb / 1024
		}
	}
	return -1
}
