package report_test

import (
	"database/sql"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestScratchPlans(t *testing.T) {
	path := os.Getenv("SCRATCH_DB")
	if path == "" {
		t.Skip()
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_cache_size=-65536")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	for _, stmt := range strings.Split(os.Getenv("SCRATCH_EXEC"), ";;") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		s := time.Now()
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
		fmt.Println("exec", time.Since(s), stmt[:min(60, len(stmt))])
	}
	for _, q := range strings.Split(os.Getenv("SCRATCH_Q"), ";;") {
		if strings.TrimSpace(q) == "" {
			continue
		}
		rows, err := db.Query("EXPLAIN QUERY PLAN " + q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, b, c int
			var d string
			rows.Scan(&a, &b, &c, &d)
			fmt.Println("   ", d)
		}
		rows.Close()
		best, bestW, n := time.Hour, time.Hour, 0
		for i := 0; i < 3; i++ {
			c0, w0 := cpuNow(), time.Now()
			rows, err := db.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			n = 0
			for rows.Next() {
				n++
			}
			rows.Close()
			best, bestW = min(best, cpuNow()-c0), min(bestW, time.Since(w0))
		}
		fmt.Printf("cpu %v wall %v rows %d :: %s\n\n", best.Round(time.Millisecond), bestW.Round(time.Millisecond), n, q[:min(150, len(q))])
	}
}
