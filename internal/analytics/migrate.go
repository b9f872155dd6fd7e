package analytics

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// A migration's statements, rendered for one host. {{db}} is the database,
// {{cluster}} the cluster name; with a cluster, {{legs}} is the local
// table (legs_local) and a Distributed table named legs is created over it;
// without, {{legs}} is legs itself.
type migration struct {
	version int
	name    string
	// local statements run on every host; dist statements only with a
	// cluster (the Distributed tables, after the local ones).
	local, dist []string
	// addsTable: a table the shipper fills; applied to an engine that
	// already held legs, it needs a re-backfill of every tenant.
	addsTable bool
	// addsColumn: a column the shipper fills; the rows already in the
	// engine hold its default, so it needs a re-backfill as addsTable does.
	addsColumn bool
	// run, when set, applies the migration on one host instead of the
	// statements (steps that depend on what a half-applied run left).
	run func(ctx context.Context, conn driver.Conn, db, local string) error
}

// legsColumns is the column list of the legs tables as migration 1 creates
// them, in order (batches on 18.16 need the explicit list: see Shipper);
// later migrations add columns (call_quality: migration 4).
const legsColumns = `tenant String, interaction_id String, leg_id String, version UInt64, deleted UInt8,
    k Int64, seq Int64, protocol String, media String, entered_at Int64,
    local_date String, local_time String, bucket String,
    service_id String, agent_id String, contact_id String,
    status String, voice_status String, expired Nullable(UInt8), portfolio UInt8,
    external_id String, ext_protocol String, direction String,
    queued_at Nullable(Int64), delivered_at Nullable(Int64), answered_at Nullable(Int64), finished_at Int64,
    duration Nullable(Float64), tmp Nullable(Float64), tmi Nullable(Float64), tm1r Nullable(Float64), tmr Nullable(Float64),
    recording_url String, tags Array(String), rphones Array(String), ivrs Array(String), cells String`

// migrations are applied in order on every host and recorded in its
// {{db}}.rastro_migrations table.
//
// legs: one row per version of a finished leg. ReplacingMergeTree(version)
// keeps, at merge time, the highest version of each sorting key, and reads
// use FINAL so only that version counts before merges happen. The sorting
// key must therefore be the leg's identity (tenant, interaction_id, leg_id)
// — entered_at or media change when a leg is re-derived and cannot be in it;
// no partitioning, for the same reason (FINAL only deduplicates inside a
// partition). Sharding by cityHash64(tenant, interaction_id) puts every
// version of every leg of an interaction on one shard, so FINAL on each
// shard is enough.
var migrations = []migration{
	{
		version: 1, name: "legs",
		local: []string{
			`CREATE TABLE IF NOT EXISTS {{db}}.{{legs}} (` + legsColumns + `)
			 ENGINE = ReplacingMergeTree(version) ORDER BY (tenant, interaction_id, leg_id)`,
		},
		dist: []string{
			`CREATE TABLE IF NOT EXISTS {{db}}.legs AS {{db}}.legs_local
			 ENGINE = Distributed({{cluster}}, {{db}}, legs_local, cityHash64(tenant, interaction_id))`,
		},
	},
	// ivr_visits: one row per version of an IVR visit (the Relatório IVR),
	// identified by (tenant, interaction_id, pos) and sharded like the legs
	// (every version of an interaction's visits on one shard; FINAL per
	// shard is enough). sl is the visit's Nível de serviço flag.
	{
		version: 2, name: "ivr_visits", addsTable: true,
		local: []string{
			`CREATE TABLE IF NOT EXISTS {{db}}.ivr_visits{{_local}} (` + ivrVisitsColumns + `)
			 ENGINE = ReplacingMergeTree(version) ORDER BY (tenant, interaction_id, pos)`,
		},
		dist: []string{
			`CREATE TABLE IF NOT EXISTS {{db}}.ivr_visits AS {{db}}.ivr_visits_local
			 ENGINE = Distributed({{cluster}}, {{db}}, ivr_visits_local, cityHash64(tenant, interaction_id))`,
		},
	},
	// agent_spans: one row per version of an agent span (logged-in or pause
	// seconds in one local hour; the Relatório de Agentes), identified by
	// (tenant, agent_id, day, n) — the store replaces an agent's spans a
	// local day at a time — and sharded by agent.
	{
		version: 3, name: "agent_spans", addsTable: true,
		local: []string{
			`CREATE TABLE IF NOT EXISTS {{db}}.agent_spans{{_local}} (` + agentSpansColumns + `)
			 ENGINE = ReplacingMergeTree(version) ORDER BY (tenant, agent_id, day, n)`,
		},
		dist: []string{
			`CREATE TABLE IF NOT EXISTS {{db}}.agent_spans AS {{db}}.agent_spans_local
			 ENGINE = Distributed({{cluster}}, {{db}}, agent_spans_local, cityHash64(tenant, agent_id))`,
		},
	},
	// legs.call_quality: the Rastreio's call_quality filter (the class of
	// QUALIDADE DE CHAMADA, store migration 0009). Added after the table's
	// creation (legsColumns stays the version 1 list) on the local table,
	// then on the Distributed one (its own column list). 18.16 has no ADD
	// COLUMN IF NOT EXISTS: migrateHost skips a column already there (a
	// half-applied migration run again).
	{
		version: 4, name: "legs_call_quality", addsColumn: true,
		local: []string{
			`ALTER TABLE {{db}}.{{legs}} ADD COLUMN call_quality String DEFAULT '' AFTER voice_status`,
		},
		dist: []string{
			`ALTER TABLE {{db}}.legs ADD COLUMN call_quality String DEFAULT '' AFTER voice_status`,
		},
	},
	// bot_conversations: one row per version of a bot conversation (the
	// Fluxo Ágil), identified by (tenant, conversation) and sharded by it
	// (a conversation's contact or batch may change when it is re-derived;
	// its id does not, so every version of it lands on one shard and FINAL
	// per shard is enough). The report's rows (batch, contact, flow) span
	// shards: the Distributed GROUP BY merges them. The rows carry the
	// batch's and contact's names as the store's report joins them.
	{
		version: 5, name: "bot_conversations", addsTable: true,
		local: []string{
			`CREATE TABLE IF NOT EXISTS {{db}}.bot_conversations{{_local}} (` + botColumns + `)
			 ENGINE = ReplacingMergeTree(version) ORDER BY (tenant, conversation)`,
		},
		dist: []string{
			`CREATE TABLE IF NOT EXISTS {{db}}.bot_conversations AS {{db}}.bot_conversations_local
			 ENGINE = Distributed({{cluster}}, {{db}}, bot_conversations_local, cityHash64(tenant, conversation))`,
		},
	},
	// Partitions by time, so that a month's report reads that month's parts
	// only (before: a date range read the tenant's every row; measured on
	// 18.16, two shards, ten months of 100k legs: a month's count with FINAL
	// 0.36 s, the ten months' 6.4 s; see BENCHMARKS.md). The sorting key
	// stays the row's identity; FINAL deduplicates inside a partition only,
	// so a version that moves to another partition (a re-derived leg whose
	// entered_at or bucket changed month) is shipped with a tombstone at
	// its old place (see legPartition and Shipper.shipInteractions).
	//   legs: (30-day period of entered_at, local month of bucket): the
	//   Rastreio filters entered_at, the Agentes bucket; parts are pruned by
	//   the min/max of both columns. An integer period, not a calendar
	//   month, so the shipper computes it exactly as the server does
	//   whatever the server's time zone.
	//   ivr_visits: the local month of bucket (the Relatório IVR's filter).
	//   agent_spans: the month of day, part of its sorting key, so every
	//   version of a span stays in one partition (no tombstone moves); the
	//   Agentes filters day beside bucket (Agentes at ten months of 100k
	//   legs: 4.4 s p50, the spans of every month read).
	// Tables are rebuilt in place: new table, swap, copy (see repartition).
	{
		version: 6, name: "partition_by_month",
		run: func(ctx context.Context, conn driver.Conn, db, local string) error {
			if err := repartition(ctx, conn, db, "legs"+local, legsPartition); err != nil {
				return err
			}
			if err := repartition(ctx, conn, db, "ivr_visits"+local, visitsPartition); err != nil {
				return err
			}
			return repartition(ctx, conn, db, "agent_spans"+local, spansPartition)
		},
	},
	// agent_days: the store's Agentes rollups of an agent's local day —
	// day grain (agent_day_rollup, agent_day_total, their tag twins,
	// agent_day_times) and hourly (agent_rollup, agent_tag_rollup: hour
	// is the local hour "HH", '' in day rows); rollup names which —, one
	// row per version of a rollup row, so the month's Agentes
	// report reads a few rows per agent and day instead of adding up the
	// month's legs and spans (10 M legs, two shards: the leg sums took
	// 0.34 s, the spans 0.29 s; see BENCHMARKS.md). The sorting key is the
	// rollup row's identity (the store's key; the columns a rollup lacks
	// are ''), tenant, rollup, kind and scope first, then day: a report
	// reads one rollup (of times: one kind and scope) of a tenant's date
	// range, one contiguous range. Granules of 1024 rows, not 8192: a
	// month of one rollup is a few thousand rows per shard, and with 8192
	// a read took whole granules of the other rollups (demo month, 20k
	// legs: 10,685 rows read for 1,274 rows of agent_day_total). A rollup
	// row that vanished from the store (its
	// legs moved to another agent or day) is deleted by a tombstone
	// (deleted = 1). Partitioned by the month of day, part of the key (no
	// version moves partition), and sharded by agent like agent_spans: the
	// store ships an agent's day at a time (one version of each key per
	// insert, so settled partitions read without FINAL, settle.go).
	{
		version: 7, name: "agent_days", addsTable: true,
		local: []string{
			`CREATE TABLE IF NOT EXISTS {{db}}.agent_days{{_local}} (` + agentDaysColumns + `)
			 ENGINE = ReplacingMergeTree(version) PARTITION BY ` + agentDaysPartition + `
			 ORDER BY (tenant, rollup, kind, scope, day, hour, agent_id, media, service_id, tag_id, reason)
			 SETTINGS index_granularity = 1024`,
		},
		dist: []string{
			`CREATE TABLE IF NOT EXISTS {{db}}.agent_days AS {{db}}.agent_days_local
			 ENGINE = Distributed({{cluster}}, {{db}}, agent_days_local, cityHash64(tenant, agent_id))`,
		},
	},
	// ivr_rollups: the store's IVR rollups (ivr_rollup; ivr_path_rollup,
	// path '' in the other's rows; rollup names which), one row per version
	// of a rollup row, so the Relatório IVR reads a few rows per local hour
	// and key instead of every IVR visit of the period (10 M legs, two
	// shards: a month's groupings took 267–351 ms p95 over ivr_visits; see
	// BENCHMARKS.md). The sorting key is the rollup row's identity, tenant
	// and rollup first, then bucket: a report reads one rollup of a
	// tenant's date range, one contiguous range. Granules of 1024 rows as
	// agent_days (a month of one rollup of a tenant is a few thousand rows
	// per shard). A rollup row that vanished from the store is deleted by a
	// tombstone (deleted = 1). Partitioned by the month of bucket, part of
	// the key (no version moves partition), and sharded by the rollup key
	// (a key's rows and its paths' on one shard; keys spread evenly).
	{
		version: 8, name: "ivr_rollups", addsTable: true,
		local: []string{
			`CREATE TABLE IF NOT EXISTS {{db}}.ivr_rollups{{_local}} (` + ivrRollupsColumns + `)
			 ENGINE = ReplacingMergeTree(version) PARTITION BY ` + visitsPartition + `
			 ORDER BY (tenant, rollup, bucket, ivr_id, service_id, agent_id, path)
			 SETTINGS index_granularity = 1024`,
		},
		dist: []string{
			`CREATE TABLE IF NOT EXISTS {{db}}.ivr_rollups AS {{db}}.ivr_rollups_local
			 ENGINE = Distributed({{cluster}}, {{db}}, ivr_rollups_local, cityHash64(tenant, bucket, ivr_id, service_id, agent_id))`,
		},
	},
	// bot_rows: the store's Fluxo Ágil rows (bot_rows, store migration
	// 0018: one per batch, contact and flow, with the names the report
	// joins), one row per version, so a search the store answers from
	// bot_rows (store.BotFromRows) reads one row per listed row instead of
	// grouping every conversation of the period (10 M legs, two shards:
	// the month's first page took 589/671 ms p50/p95, the drop-off
	// 410/543 ms; see BENCHMARKS.md). The sorting key is the row's
	// identity and the sharding key hashes it, so every version of a row
	// lands on one shard and FINAL per shard is enough. Partitioned by the
	// months of first_date and last_date: a period's rows (first_date >=
	// from, last_date <= to) read that period's partitions only, and so
	// does the check for rows a period bound cuts (last_date >= from >
	// first_date). A row whose dates move to another partition is shipped
	// with a tombstone at its old place, as the legs are (versions 2·id+1,
	// tombstones 2·id: see rowVersion). A row that vanished from the store
	// is deleted by a tombstone (deleted = 1).
	{
		version: 9, name: "bot_rows", addsTable: true,
		local: []string{
			`CREATE TABLE IF NOT EXISTS {{db}}.bot_rows{{_local}} (` + botRowsColumns + `)
			 ENGINE = ReplacingMergeTree(version) PARTITION BY ` + botRowsPartition + `
			 ORDER BY (tenant, batch_id, contact_id, flow)`,
		},
		dist: []string{
			`CREATE TABLE IF NOT EXISTS {{db}}.bot_rows AS {{db}}.bot_rows_local
			 ENGINE = Distributed({{cluster}}, {{db}}, bot_rows_local, cityHash64(tenant, batch_id, contact_id, flow))`,
		},
	},
	// agent_days gains the rows of the store's hour-grain totals (rollups
	// hour_total and hour_tag_total: store migration 0023), which an hour
	// filter without media or service limits reads. No DDL; an engine
	// filled before lacks those rows, so it is re-backfilled (addsTable).
	{version: 10, name: "agent_days_hour_totals", addsTable: true},
}

// botRowsPartition is bot_rows' partition key (migration 9; botRowPartition
// computes it in Go).
const botRowsPartition = `(substring(first_date, 1, 7), substring(last_date, 1, 7))`

// botRowsColumns is the column list of the bot_rows tables: the store's
// bot_rows columns (the step map as two arrays: step names and their
// earliest positions), the directory values the page prints, version and
// deleted.
const botRowsColumns = `tenant String, batch_id String, contact_id String, flow String, version UInt64, deleted UInt8,
    client_id String, campaign_id String, mixed UInt8, first_date String, last_date String,
    batch_name String, name String, name_key String, document String, phone String, email String,
    conversations Int64, messages Int64, latest_conversation String, last_step String, outcome String, human UInt8,
    step_names Array(String), step_pos Array(Int64)`

// ivrRollupsColumns is the column list of the ivr_rollups tables.
const ivrRollupsColumns = `tenant String, rollup String, bucket String, ivr_id String, service_id String, agent_id String, path String,
    version UInt64, deleted UInt8,
    received Int64, finished Int64, transferred Int64, abandoned Int64, answered Int64, abandoned_q Int64,
    ivr_sum Float64, wait_sum Float64, wait_n Int64, talk_sum Float64, talk_n Int64, sl_n Int64, n Int64`

// agentDaysPartition is agent_days' partition key (migration 7).
const agentDaysPartition = `substring(day, 1, 7)`

// agentDaysColumns is the column list of the agent_days tables.
const agentDaysColumns = `tenant String, agent_id String, day String, hour String, rollup String,
    media String, service_id String, tag_id String, kind String, scope String, reason String,
    version UInt64, deleted UInt8,
    completed Int64, transferred Int64, other Int64,
    dur_sum Float64, dur_n Int64, tm1r_sum Float64, tm1r_n Int64, tmr_sum Float64, tmr_n Int64,
    tmp_sum Float64, tmp_n Int64, tmi_sum Float64, tmi_n Int64,
    n Int64, seconds Float64`

// The partition keys of migration 6 (legPartition and visitPartition
// compute them in Go).
const (
	legsPartition   = `(intDiv(entered_at, 2592000000), substring(bucket, 1, 7))`
	visitsPartition = `substring(bucket, 1, 7)`
	spansPartition  = `substring(day, 1, 7)`
	// partitionPeriodMS is the legs' period: 30 days.
	partitionPeriodMS = 2592000000
)

// legPartition is a leg version's partition in the legs table: two
// versions deduplicate only when it is the same.
func legPartition(enteredAt int64, bucket string) [2]any {
	return [2]any{enteredAt / partitionPeriodMS, month(bucket)}
}

// month is substring(bucket, 1, 7).
func month(bucket string) string {
	if len(bucket) > 7 {
		return bucket[:7]
	}
	return bucket
}

// repartition rebuilds table with a PARTITION BY on one host, keeping its
// columns, engine and sorting key:
//  1. create table_v6 as table, partitioned (empty);
//  2. swap the names in one RENAME (the old table becomes table_v5);
//  3. copy table_v5 into table; 4. drop table_v5.
//
// Inserts made meanwhile go to the new table (between 1 and 2 to the old
// one, copied in 3). A run stopped after 2 resumes at 3 (table_v5 exists);
// a copy repeated holds the same rows at the same versions and partitions,
// which the engine deduplicates.
func repartition(ctx context.Context, conn driver.Conn, db, table, partition string) error {
	old, next := db+"."+table+"_v5", db+"."+table+"_v6"
	var n uint64
	if err := conn.QueryRow(ctx, `SELECT count() FROM system.tables WHERE database = ? AND name = ?`, db, table+"_v5").Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		var current, sorting string
		if err := conn.QueryRow(ctx, `SELECT partition_key, sorting_key FROM system.tables WHERE database = ? AND name = ?`, db, table).Scan(&current, &sorting); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		if current != "" {
			return nil // already partitioned
		}
		if err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+next+` AS `+db+`.`+table+`
			ENGINE = ReplacingMergeTree(version) PARTITION BY `+partition+` ORDER BY (`+sorting+`)`); err != nil {
			return fmt.Errorf("create %s: %w", next, err)
		}
		if err := conn.Exec(ctx, `RENAME TABLE `+db+`.`+table+` TO `+old+`, `+next+` TO `+db+`.`+table); err != nil {
			return fmt.Errorf("swap %s: %w", table, err)
		}
	}
	// FINAL: the latest version of each key only. Before the partitions
	// a moved key had no tombstone at its old place; copied with its old
	// versions, those would land in other partitions than the latest one
	// and count in a read of theirs (and settled reads, settle.go, rely on
	// one row per key in a merged partition).
	if err := conn.Exec(ctx, `INSERT INTO `+db+`.`+table+` SELECT * FROM `+old+` FINAL`); err != nil {
		return fmt.Errorf("copy %s into %s: %w", old, table, err)
	}
	if err := conn.Exec(ctx, `DROP TABLE `+old); err != nil {
		return fmt.Errorf("drop %s: %w", old, err)
	}
	return nil
}

// botColumns is the column list of the bot_conversations tables.
const botColumns = `tenant String, conversation String, version UInt64, deleted UInt8,
    client_id String, campaign_id String, batch_id String, batch_name String,
    contact_id String, name String, name_key String, document String, phone String, email String,
    flow String, started_at Int64, local_date String, outcome String, interaction_id String,
    messages Int64, last_step String, steps Array(String)`

// agentSpansColumns is the column list of the agent_spans tables.
const agentSpansColumns = `tenant String, agent_id String, day String, n Int64, version UInt64, deleted UInt8,
    bucket String, kind String, media String, reason String, seconds Float64`

// ivrVisitsColumns is the column list of the ivr_visits tables.
const ivrVisitsColumns = `tenant String, interaction_id String, pos Int64, version UInt64, deleted UInt8,
    ivr_id String, entered_at Int64, bucket String, outcome String, service_id String, agent_id String, path String,
    answered UInt8, abandoned_q UInt8, ivr_s Float64, wait_s Nullable(Float64), talk_s Nullable(Float64), sl UInt8`

// migrate creates the database and applies pending migrations on every host
// of the URL, one host at a time (no ON CLUSTER: that needs ZooKeeper).
//
// It returns whether the store must queue a re-backfill of every tenant: a
// host's database was created now (it holds nothing), or a migration adding
// a table the shipper fills was applied to a host that already had tables
// (an engine synced by an older rastro).
func migrate(ctx context.Context, cfg Config) (bool, error) {
	backfill := false
	for _, host := range cfg.Hosts {
		b, err := migrateHost(ctx, cfg, host)
		if err != nil {
			return false, fmt.Errorf("analytics: prepare %s on %s: %w", cfg.Database, host, err)
		}
		backfill = backfill || b
	}
	return backfill, nil
}

// openHost connects to one host only (DDL and per-shard checks).
func openHost(cfg Config, host string) (driver.Conn, error) {
	return clickhouse.Open(cfg.options([]string{host}))
}

func migrateHost(ctx context.Context, cfg Config, host string) (backfill bool, err error) {
	conn, err := openHost(cfg, host)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	db := cfg.Database
	if err := conn.Exec(ctx, `CREATE DATABASE IF NOT EXISTS `+db); err != nil {
		return false, err
	}
	if err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+db+`.rastro_migrations (version UInt32, name String, applied_at DateTime) ENGINE = TinyLog`); err != nil {
		return false, err
	}
	applied := map[uint32]bool{}
	rows, err := conn.Query(ctx, `SELECT version FROM `+db+`.rastro_migrations`)
	if err != nil {
		return false, err
	}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return false, err
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	legs := "legs"
	if cfg.Cluster != "" {
		legs = "legs_local"
	}
	suffix := ""
	if cfg.Cluster != "" {
		suffix = "_local"
	}
	r := strings.NewReplacer("{{db}}", db, "{{cluster}}", cfg.Cluster, "{{legs}}", legs, "{{_local}}", suffix)
	// A database with no migration applied holds no row: a store that
	// already has analytics on (an engine lost, or a new cluster pointed
	// at) must send everything again, or the reports would read an empty
	// engine as if it were complete. (A store turning analytics on queues
	// its first backfill itself; QueueAnalyticsBackfill does not queue a
	// tenant twice.)
	backfill = len(applied) == 0
	for _, m := range migrations {
		if applied[uint32(m.version)] {
			continue
		}
		if (m.addsTable || m.addsColumn) && applied[1] {
			backfill = true
		}
		if m.run != nil {
			if err := m.run(ctx, conn, db, suffix); err != nil {
				return false, fmt.Errorf("migration %d %s: %w", m.version, m.name, err)
			}
		}
		stmts := m.local
		if cfg.Cluster != "" {
			stmts = append(append([]string(nil), m.local...), m.dist...)
		}
		for _, s := range stmts {
			if err := conn.Exec(ctx, r.Replace(s)); err != nil && !(m.addsColumn && columnExists(err)) {
				return false, fmt.Errorf("migration %d %s: %w", m.version, m.name, err)
			}
		}
		b, err := conn.PrepareBatch(ctx, `INSERT INTO `+db+`.rastro_migrations (version, name, applied_at)`)
		if err != nil {
			return false, err
		}
		if err := b.Append(uint32(m.version), m.name, time.Now().UTC()); err != nil {
			return false, err
		}
		if err := b.Send(); err != nil {
			return false, fmt.Errorf("record migration %d: %w", m.version, err)
		}
	}
	return backfill, nil
}

// columnExists: err is 18.16's refusal to add a column already there
// (code 44, "Cannot add column …: column with this name already exists").
func columnExists(err error) bool {
	var ex *clickhouse.Exception
	return errors.As(err, &ex) && ex.Code == 44 && strings.Contains(ex.Message, "already exists")
}
