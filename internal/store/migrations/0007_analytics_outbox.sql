-- Analytics engine (ClickHouse) feed. Once analytics is enabled for this
-- store (analytics_state has its row: set by the first `rastro analytics
-- sync` or `serve --analytics`), every transaction that re-derives an
-- interaction's legs adds an outbox entry in the same transaction
-- (kind 'interaction', key = interaction id), and `rebuild` replaces a
-- tenant's pending entries with one 'tenant' entry (re-backfill the tenant).
-- The shipper reads the current rows from the store, sends them with
-- version = the entry's id (monotonic per tenant: writers of a tenant are
-- serialised), and deletes the entries only after ClickHouse acknowledged.
CREATE TABLE analytics_outbox (
    id         {{serial}},
    tenant     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    created_at {{bigint}} NOT NULL
);
CREATE INDEX analytics_outbox_tenant ON analytics_outbox (tenant, id);

-- One row (id = 1) when analytics is enabled; backfill_queued = 1 once every
-- tenant present when it was enabled got its 'tenant' entry.
CREATE TABLE analytics_state (
    id              INTEGER PRIMARY KEY,
    engine          TEXT NOT NULL,
    enabled_at      {{bigint}} NOT NULL,
    backfill_queued INTEGER NOT NULL
);
