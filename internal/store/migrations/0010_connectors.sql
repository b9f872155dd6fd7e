-- Webhook connectors (issue 15): one row per key pasted into a platform
-- (Chatwoot, WhatsApp Business Cloud API). The key is the credential of
-- /hooks/KIND/KEY: only its SHA-256 is kept (key_hash), like API tokens.
-- settings is a JSON object of the kind's options (secret, verify token,
-- app secret, api-inbox-media, chatwoot-url, forward-to).
CREATE TABLE connectors (
    id         TEXT PRIMARY KEY,
    tenant     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    settings   TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    revoked_at {{bigint}}
);
CREATE INDEX connectors_tenant ON connectors (tenant, created_at);

-- The durable raw inbox: every accepted delivery is stored here first, then
-- translated into events. A redelivery (same delivery id, or the same body)
-- hits one of the unique indexes and is stored once. state is 'pending'
-- (stored, not translated yet), 'translated' or 'failed' (error says why;
-- kept, listed by `rastro connector errors`, translated again by `replay`).
-- thread groups the deliveries one translation reads together (a Chatwoot
-- conversation); event_at orders them (the platform's own time, ms).
CREATE TABLE connector_deliveries (
    id           {{serial}},
    connector_id TEXT NOT NULL,
    tenant       TEXT NOT NULL,
    delivery_id  TEXT,
    payload_sha  TEXT NOT NULL,
    event        TEXT NOT NULL,
    thread       TEXT NOT NULL,
    event_at     {{bigint}} NOT NULL,
    received_at  {{bigint}} NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL,
    error        TEXT
);
CREATE UNIQUE INDEX connector_deliveries_sha ON connector_deliveries (connector_id, payload_sha);
CREATE UNIQUE INDEX connector_deliveries_delivery ON connector_deliveries (connector_id, delivery_id);
CREATE INDEX connector_deliveries_thread ON connector_deliveries (connector_id, thread, event_at);
CREATE INDEX connector_deliveries_state ON connector_deliveries (tenant, state, id);
