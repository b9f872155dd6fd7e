// Package analytics is rastro's analytics engine: a ClickHouse server or
// cluster holding what the reports read (today: the Rastreio's finished
// legs, with their stored cells and filter columns, the rollup rows the
// Relatório IVR and the Relatório de Agentes read, agent spans and bot
// conversations), fed from the store's outbox (see Shipper) and read
// with the store's scope (see Rastreio). The store remains the system of
// record.
//
// Kept to SQL that ClickHouse 18.16 (the Debian package) and current
// releases both accept: no window functions, CTEs, DateTime64, TTL, codecs,
// data skipping indexes, JSON functions, ILIKE or EXPLAIN; no ON CLUSTER
// (it needs ZooKeeper): tables are created on every host of the URL.
package analytics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Config is a parsed analytics URL:
// clickhouse://[USER[:PASSWORD]@]HOST:PORT[,HOST:PORT…]/DATABASE[?cluster=NAME].
type Config struct {
	Hosts    []string
	Database string
	Cluster  string
	User     string
	Password string
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParseURL parses and checks an analytics URL, naming every problem.
func ParseURL(raw string) (Config, error) {
	var c Config
	var problems []string
	rest, ok := strings.CutPrefix(raw, "clickhouse://")
	if !ok {
		return c, fmt.Errorf("analytics URL %q: must start with clickhouse:// (clickhouse://HOST:PORT[,HOST:PORT…]/DATABASE[?cluster=NAME])", raw)
	}
	// The host list (with commas) is not a valid url.URL host: split it off.
	hostPart, pathPart, _ := strings.Cut(rest, "/")
	if at := strings.LastIndex(hostPart, "@"); at >= 0 {
		cred := hostPart[:at]
		hostPart = hostPart[at+1:]
		u, p, _ := strings.Cut(cred, ":")
		var err1, err2 error
		c.User, err1 = url.PathUnescape(u)
		c.Password, err2 = url.PathUnescape(p)
		if err1 != nil || err2 != nil {
			problems = append(problems, "user or password is not URL-encoded")
		}
	}
	if hostPart == "" {
		problems = append(problems, "no HOST:PORT")
	}
	for _, h := range strings.Split(hostPart, ",") {
		if hostPart == "" {
			break
		}
		host, port, err := net.SplitHostPort(h)
		if err != nil || host == "" || port == "" {
			problems = append(problems, fmt.Sprintf("host %q must be HOST:PORT (the native protocol port, e.g. 9000)", h))
			continue
		}
		c.Hosts = append(c.Hosts, h)
	}
	dbPart, query, _ := strings.Cut(pathPart, "?")
	c.Database = dbPart
	if !identRe.MatchString(c.Database) {
		problems = append(problems, fmt.Sprintf("database %q must be a name of letters, digits and _", c.Database))
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		problems = append(problems, "bad query string: "+err.Error())
	}
	for k := range q {
		if k != "cluster" {
			problems = append(problems, fmt.Sprintf("unknown parameter %q (only cluster is known)", k))
		}
	}
	if q.Has("cluster") {
		c.Cluster = q.Get("cluster")
		if !identRe.MatchString(c.Cluster) {
			problems = append(problems, fmt.Sprintf("cluster %q must be a name of letters, digits and _ (as in the servers' remote_servers)", c.Cluster))
		}
	}
	if len(problems) > 0 {
		return Config{}, fmt.Errorf("analytics URL %q: %s", redact(raw), strings.Join(problems, "; "))
	}
	return c, nil
}

func redact(raw string) string {
	if i := strings.Index(raw, "@"); i > 0 {
		if j := strings.Index(raw, "://"); j >= 0 && j < i {
			return raw[:j+3] + "…@" + raw[i+1:]
		}
	}
	return raw
}

// Engine is an open analytics engine.
type Engine struct {
	cfg  Config
	conn driver.Conn // any host (in order, failing over): reads and inserts go through the Distributed tables
	// ready is set once the database and tables exist on every host
	// (Migrate); until then reads answer ErrNotReady (the store answers).
	ready atomic.Bool
	// backfill is set when Migrate added a table to an engine that already
	// held legs: the shipper queues a re-backfill of every tenant.
	backfill atomic.Bool
	// settled: reads skip FINAL on settled partitions (settle.go); off
	// when a shard has replicas.
	settled atomic.Bool
	// lastParts is the latest listing of the tables' parts (settle.go).
	lastParts partsListing
}

// ErrNotReady: the engine's tables are not known to exist yet (it was down
// when rastro started); Unreachable reports it.
var ErrNotReady = errors.New("analytics engine not ready (its tables were not created yet)")

// Ready reports whether Migrate succeeded.
func (e *Engine) Ready() bool { return e.ready.Load() }

// Config returns the parsed URL.
func (e *Engine) Config() Config { return e.cfg }

func (c Config) options(hosts []string) *clickhouse.Options {
	return &clickhouse.Options{
		Addr:             hosts,
		Auth:             clickhouse.Auth{Database: "default", Username: c.User, Password: c.Password},
		DialTimeout:      3 * time.Second,
		ReadTimeout:      5 * time.Minute,
		MaxOpenConns:     16,
		MaxIdleConns:     4,
		ConnOpenStrategy: clickhouse.ConnOpenInOrder,
	}
}

// Open connects to the engine and creates (or migrates) its database and
// tables on every host of the URL.
func Open(ctx context.Context, rawURL string) (*Engine, error) {
	e, err := New(rawURL)
	if err != nil {
		return nil, err
	}
	if err := e.Migrate(ctx); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// New parses the URL and sets up the connection pool without touching the
// servers (rastro serve starts while the engine is down); Migrate prepares
// the tables.
func New(rawURL string) (*Engine, error) {
	cfg, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	conn, err := clickhouse.Open(cfg.options(cfg.Hosts))
	if err != nil {
		return nil, fmt.Errorf("analytics: connect %s: %w", strings.Join(cfg.Hosts, ","), err)
	}
	return &Engine{cfg: cfg, conn: conn}, nil
}

// Migrate creates the database and tables on every host of the URL (and
// applies pending migrations); reads are served from then on.
func (e *Engine) Migrate(ctx context.Context) error {
	backfill, err := migrate(ctx, e.cfg)
	if err != nil {
		return err
	}
	if backfill {
		e.backfill.Store(true)
	}
	replicated, err := e.replicated(ctx)
	if err != nil {
		return err
	}
	e.settled.Store(!replicated)
	e.ready.Store(true)
	return nil
}

// replicated reports whether a shard of the cluster has several replicas
// (reads without FINAL are then off: see settle.go).
func (e *Engine) replicated(ctx context.Context) (bool, error) {
	if e.cfg.Cluster == "" {
		return false, nil
	}
	var n uint64
	if err := e.conn.QueryRow(ctx, `SELECT count() FROM system.clusters WHERE cluster = ? AND replica_num > 1`, e.cfg.Cluster).Scan(&n); err != nil {
		return false, fmt.Errorf("analytics: cluster %s replicas: %w", e.cfg.Cluster, err)
	}
	return n > 0, nil
}

// SetSettledReads turns reads without FINAL of settled partitions on or
// off (tests compare both; see settle.go).
func (e *Engine) SetSettledReads(on bool) { e.settled.Store(on) }

// Close closes the connections.
func (e *Engine) Close() error { return e.conn.Close() }

// Ping checks that the engine answers.
func (e *Engine) Ping(ctx context.Context) error { return e.conn.Ping(ctx) }

// table is the qualified name of a table rastro reads and writes: the
// Distributed table with a cluster, the plain table without.
func (e *Engine) table(name string) string { return e.cfg.Database + "." + name }

// Unreachable reports whether err means the engine could not be reached (a
// connection refused, reset or timed out), as opposed to a query error:
// readers fall back to the store on it.
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrNotReady) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	s := err.Error()
	for _, m := range []string{"connection refused", "connection reset", "broken pipe", "EOF", "i/o timeout", "no such host", "acquire conn timeout", "ALL_CONNECTION_TRIES_FAILED", "Code: 279", "Code: 209", "Code: 210"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}
