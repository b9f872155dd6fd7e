// Package analyticstest gives a test a fresh database on the ClickHouse
// cluster named by RASTRO_TEST_CLICKHOUSE (which `make test` starts with
// scripts/with-clickhouse.sh: two servers, two shards). ClickHouse is never
// skipped silently: without RASTRO_TEST_CLICKHOUSE the test fails and says
// how to run it, unless RASTRO_TEST_CLICKHOUSE=skip is set on purpose (then
// it is skipped loudly).
package analyticstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/rastro/rastro/internal/analytics"
)

// URL returns the analytics URL of a fresh database (t_<random>) on the
// test cluster; the database is dropped on every host after the test.
func URL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("RASTRO_TEST_CLICKHOUSE")
	switch base {
	case "":
		t.Fatal("RASTRO_TEST_CLICKHOUSE is not set: ClickHouse tests need a cluster. Run `make test` (it starts a private two-shard cluster), " +
			"or wrap the command in scripts/with-clickhouse.sh, or set RASTRO_TEST_CLICKHOUSE=clickhouse://HOST:PORT,HOST:PORT/DB?cluster=NAME " +
			"(RASTRO_TEST_CLICKHOUSE=skip skips them on purpose)")
	case "skip":
		t.Skip("ClickHouse skipped on purpose: RASTRO_TEST_CLICKHOUSE=skip")
	}
	cfg, err := analytics.ParseURL(base)
	if err != nil {
		t.Fatalf("RASTRO_TEST_CLICKHOUSE: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	db := "t_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, h := range cfg.Hosts {
			conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{h}, DialTimeout: 2 * time.Second})
			if err != nil {
				continue
			}
			_ = conn.Exec(ctx, `DROP DATABASE IF EXISTS `+db)
			conn.Close()
		}
	})
	host, rest, _ := strings.Cut(strings.TrimPrefix(base, "clickhouse://"), "/")
	_, query, _ := strings.Cut(rest, "?")
	u := "clickhouse://" + host + "/" + db
	if query != "" {
		u += "?" + query
	}
	return u
}

// Open opens the engine on a fresh database (URL) and closes it after the
// test.
func Open(t *testing.T) *analytics.Engine {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := analytics.Open(ctx, URL(t))
	if err != nil {
		t.Fatalf("open analytics: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}
