-- rastro schema v1. {{serial}}, {{float}} and {{bigint}} are replaced per dialect.
-- Instants are Unix milliseconds (UTC); ids are TEXT, '' when absent, so
-- that they can be part of rollup keys.

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    tz          TEXT NOT NULL DEFAULT 'America/Sao_Paulo',
    sl_seconds  INTEGER NOT NULL DEFAULT 20,
    settings    TEXT NOT NULL DEFAULT '{}',
    last_seq    {{bigint}} NOT NULL DEFAULT 0,
    created_at  {{bigint}} NOT NULL
);

CREATE TABLE media (
    id            TEXT PRIMARY KEY,
    label         TEXT NOT NULL,
    label_en      TEXT NOT NULL,
    filters       TEXT NOT NULL,
    window_hours  INTEGER NOT NULL DEFAULT 0,
    position      INTEGER NOT NULL DEFAULT 0
);

-- Raw events, append-only: the system of record every derived table is rebuilt from.
CREATE TABLE events (
    tenant      TEXT NOT NULL,
    id          TEXT NOT NULL,
    seq         {{bigint}} NOT NULL,
    type        TEXT NOT NULL,
    at          {{bigint}} NOT NULL,
    agg_kind    TEXT NOT NULL,
    agg_key     TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at {{bigint}} NOT NULL,
    PRIMARY KEY (tenant, id)
);
-- Aggregates load their events in arrival order; seq in the index spares a
-- sort and keeps SQLite from scanning the whole tenant by seq.
CREATE INDEX events_agg ON events (tenant, agg_kind, agg_key, seq);

-- Directory (latest `at` wins; ties: the greater event id).
CREATE TABLE services (tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, at {{bigint}} NOT NULL, ev TEXT NOT NULL, PRIMARY KEY (tenant, id));
CREATE TABLE tags     (tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, at {{bigint}} NOT NULL, ev TEXT NOT NULL, PRIMARY KEY (tenant, id));
CREATE TABLE ivrs     (tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, at {{bigint}} NOT NULL, ev TEXT NOT NULL, PRIMARY KEY (tenant, id));
CREATE TABLE clients  (tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, at {{bigint}} NOT NULL, ev TEXT NOT NULL, PRIMARY KEY (tenant, id));
CREATE TABLE campaigns (tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, client_id TEXT NOT NULL, at {{bigint}} NOT NULL, ev TEXT NOT NULL, PRIMARY KEY (tenant, id));
CREATE TABLE batches  (tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, campaign_id TEXT NOT NULL, at {{bigint}} NOT NULL, ev TEXT NOT NULL, PRIMARY KEY (tenant, id));
CREATE TABLE users (
    tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL,
    extension TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '[]',
    at {{bigint}} NOT NULL, ev TEXT NOT NULL, PRIMARY KEY (tenant, id)
);
CREATE TABLE user_tags (tenant TEXT NOT NULL, user_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (tenant, user_id, tag));
CREATE INDEX user_tags_tag ON user_tags (tenant, tag);
CREATE TABLE contacts (
    tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', name_key TEXT NOT NULL DEFAULT '',
    document TEXT NOT NULL DEFAULT '', phones TEXT NOT NULL DEFAULT '[]', emails TEXT NOT NULL DEFAULT '[]',
    external_id TEXT NOT NULL DEFAULT '', portfolio INTEGER NOT NULL DEFAULT 0, batch_id TEXT NOT NULL DEFAULT '',
    anonymized INTEGER NOT NULL DEFAULT 0,
    at {{bigint}} NOT NULL, ev TEXT NOT NULL, PRIMARY KEY (tenant, id)
);
CREATE INDEX contacts_name ON contacts (tenant, name_key);
CREATE TABLE contact_emails (tenant TEXT NOT NULL, contact_id TEXT NOT NULL, email TEXT NOT NULL, PRIMARY KEY (tenant, contact_id, email));
CREATE INDEX contact_emails_email ON contact_emails (tenant, email);

-- Interactions and their finished legs (the Rastreio rows).
CREATE TABLE interactions (
    tenant TEXT NOT NULL, id TEXT NOT NULL, media TEXT NOT NULL DEFAULT '',
    protocol_given TEXT NOT NULL DEFAULT '', protocol_base TEXT NOT NULL DEFAULT '', protocol TEXT NOT NULL DEFAULT '',
    created_at {{bigint}} NOT NULL DEFAULT 0, contact_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant, id)
);
CREATE INDEX interactions_protocol ON interactions (tenant, protocol);
CREATE INDEX interactions_base ON interactions (tenant, protocol_base);
CREATE INDEX interactions_contact ON interactions (tenant, contact_id);

CREATE TABLE legs (
    k              {{serial}},
    tenant         TEXT NOT NULL,
    interaction_id TEXT NOT NULL,
    leg_id         TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    protocol       TEXT NOT NULL,
    media          TEXT NOT NULL,
    entered_at     {{bigint}} NOT NULL,
    local_date     TEXT NOT NULL,
    local_time     TEXT NOT NULL,
    bucket         TEXT NOT NULL,
    service_id     TEXT NOT NULL,
    agent_id       TEXT NOT NULL,
    contact_id     TEXT NOT NULL,
    status         TEXT NOT NULL,
    voice_status   TEXT NOT NULL,
    expired        INTEGER,
    portfolio      INTEGER NOT NULL,
    external_id    TEXT NOT NULL,
    ext_protocol   TEXT NOT NULL,
    direction      TEXT NOT NULL,
    queued_at      {{bigint}},
    delivered_at   {{bigint}},
    answered_at    {{bigint}},
    finished_at    {{bigint}} NOT NULL,
    duration       {{float}},
    tmp            {{float}},
    tmi            {{float}},
    tm1r           {{float}},
    tmr            {{float}},
    recording_url  TEXT NOT NULL,
    cells          TEXT NOT NULL
);
CREATE UNIQUE INDEX legs_identity ON legs (tenant, interaction_id, leg_id);
CREATE INDEX legs_media_time ON legs (tenant, media, entered_at, k);
CREATE INDEX legs_protocol ON legs (tenant, protocol);
CREATE INDEX legs_agent ON legs (tenant, agent_id, bucket);
CREATE INDEX legs_service ON legs (tenant, service_id, entered_at);
CREATE INDEX legs_contact ON legs (tenant, contact_id);
CREATE INDEX legs_external ON legs (tenant, external_id);
CREATE INDEX legs_ext_protocol ON legs (tenant, ext_protocol);
CREATE INDEX legs_bucket ON legs (tenant, bucket);

-- Keyed by leg first: rollups and deletes reach them from the leg (k is
-- unique across tenants); filters use the (tenant, value) indexes.
CREATE TABLE leg_tags (tenant TEXT NOT NULL, leg_k {{bigint}} NOT NULL, tag_id TEXT NOT NULL, PRIMARY KEY (leg_k, tag_id));
CREATE INDEX leg_tags_tag ON leg_tags (tenant, tag_id, leg_k);
-- Phone digits reversed, so that a number typed without country or area code
-- (a suffix) is a prefix range scan.
CREATE TABLE leg_phones (tenant TEXT NOT NULL, leg_k {{bigint}} NOT NULL, rdigits TEXT NOT NULL, PRIMARY KEY (leg_k, rdigits));
CREATE INDEX leg_phones_r ON leg_phones (tenant, rdigits, leg_k);

-- IVR visits and rollups.
CREATE TABLE ivr_visits (
    tenant TEXT NOT NULL, interaction_id TEXT NOT NULL, pos INTEGER NOT NULL,
    ivr_id TEXT NOT NULL, entered_at {{bigint}} NOT NULL, bucket TEXT NOT NULL,
    outcome TEXT NOT NULL, service_id TEXT NOT NULL, agent_id TEXT NOT NULL, path TEXT NOT NULL,
    answered INTEGER NOT NULL, abandoned_q INTEGER NOT NULL,
    ivr_s {{float}} NOT NULL, wait_s {{float}}, talk_s {{float}},
    PRIMARY KEY (tenant, interaction_id, pos)
);
CREATE INDEX ivr_visits_bucket ON ivr_visits (tenant, bucket, ivr_id, service_id, agent_id);

CREATE TABLE ivr_rollup (
    tenant TEXT NOT NULL, bucket TEXT NOT NULL, ivr_id TEXT NOT NULL, service_id TEXT NOT NULL, agent_id TEXT NOT NULL,
    received {{bigint}} NOT NULL, finished {{bigint}} NOT NULL, transferred {{bigint}} NOT NULL, abandoned {{bigint}} NOT NULL,
    answered {{bigint}} NOT NULL, abandoned_q {{bigint}} NOT NULL,
    ivr_sum {{float}} NOT NULL, wait_sum {{float}} NOT NULL, wait_n {{bigint}} NOT NULL,
    talk_sum {{float}} NOT NULL, talk_n {{bigint}} NOT NULL, sl_n {{bigint}} NOT NULL,
    PRIMARY KEY (tenant, bucket, ivr_id, service_id, agent_id)
);
CREATE TABLE ivr_path_rollup (
    tenant TEXT NOT NULL, bucket TEXT NOT NULL, ivr_id TEXT NOT NULL, service_id TEXT NOT NULL, agent_id TEXT NOT NULL,
    path TEXT NOT NULL, n {{bigint}} NOT NULL,
    PRIMARY KEY (tenant, bucket, ivr_id, service_id, agent_id, path)
);

-- Agent rollups: legs per (hour, media, service, agent).
CREATE TABLE agent_rollup (
    tenant TEXT NOT NULL, bucket TEXT NOT NULL, media TEXT NOT NULL, service_id TEXT NOT NULL, agent_id TEXT NOT NULL,
    completed {{bigint}} NOT NULL, transferred {{bigint}} NOT NULL, other {{bigint}} NOT NULL,
    dur_sum {{float}} NOT NULL, dur_n {{bigint}} NOT NULL,
    tm1r_sum {{float}} NOT NULL, tm1r_n {{bigint}} NOT NULL,
    tmr_sum {{float}} NOT NULL, tmr_n {{bigint}} NOT NULL,
    tmp_sum {{float}} NOT NULL, tmp_n {{bigint}} NOT NULL,
    tmi_sum {{float}} NOT NULL, tmi_n {{bigint}} NOT NULL,
    PRIMARY KEY (tenant, bucket, media, service_id, agent_id)
);
CREATE INDEX agent_rollup_agent ON agent_rollup (tenant, agent_id, bucket);
CREATE TABLE agent_tag_rollup (
    tenant TEXT NOT NULL, bucket TEXT NOT NULL, media TEXT NOT NULL, service_id TEXT NOT NULL, agent_id TEXT NOT NULL,
    tag_id TEXT NOT NULL, n {{bigint}} NOT NULL,
    PRIMARY KEY (tenant, bucket, media, service_id, agent_id, tag_id)
);
-- Logged-in and pause time, clipped to local hours (derived per agent).
CREATE TABLE agent_spans (
    tenant TEXT NOT NULL, agent_id TEXT NOT NULL, bucket TEXT NOT NULL, kind TEXT NOT NULL,
    media TEXT NOT NULL, reason TEXT NOT NULL, seconds {{float}} NOT NULL
);
CREATE INDEX agent_spans_agent ON agent_spans (tenant, agent_id, bucket);
CREATE INDEX agent_spans_bucket ON agent_spans (tenant, bucket);

-- Bot conversations (Fluxo Ágil).
CREATE TABLE bot_conversations (
    tenant TEXT NOT NULL, conversation TEXT NOT NULL, flow TEXT NOT NULL,
    client_id TEXT NOT NULL, campaign_id TEXT NOT NULL, batch_id TEXT NOT NULL, contact_id TEXT NOT NULL,
    channel TEXT NOT NULL, started_at {{bigint}} NOT NULL, local_date TEXT NOT NULL,
    ended_at {{bigint}}, outcome TEXT NOT NULL, interaction_id TEXT NOT NULL,
    messages INTEGER NOT NULL, last_step TEXT NOT NULL, steps TEXT NOT NULL,
    PRIMARY KEY (tenant, conversation)
);
CREATE INDEX bot_conv_batch ON bot_conversations (tenant, batch_id, local_date);
CREATE INDEX bot_conv_client ON bot_conversations (tenant, client_id, local_date);
CREATE INDEX bot_conv_date ON bot_conversations (tenant, local_date);

-- Credentials, sessions, audit.
CREATE TABLE accounts (
    username TEXT PRIMARY KEY, tenant TEXT NOT NULL, pw_hash TEXT NOT NULL, role TEXT NOT NULL,
    services TEXT, clients TEXT, personal INTEGER NOT NULL, created_at {{bigint}} NOT NULL, disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE tokens (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL, role TEXT NOT NULL,
    services TEXT, clients TEXT, personal INTEGER NOT NULL, label TEXT NOT NULL DEFAULT '',
    created_at {{bigint}} NOT NULL, last_used_at {{bigint}}, revoked_at {{bigint}}
);
CREATE TABLE sessions (
    hash TEXT PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL,
    created_at {{bigint}} NOT NULL, expires_at {{bigint}} NOT NULL
);
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_at {{bigint}} NOT NULL
);
CREATE TABLE audit (
    k {{serial}}, tenant TEXT NOT NULL, at {{bigint}} NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    detail TEXT NOT NULL, row_count {{bigint}}, byte_count {{bigint}}, sha256 TEXT, error TEXT
);
CREATE INDEX audit_tenant ON audit (tenant, k);
