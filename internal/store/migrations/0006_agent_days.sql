-- Day-grain twins of the Agentes rollups. Without an hour filter the report
-- reads these (bucket = local day "AAAA-MM-DD") instead of the hourly rows,
-- and, without media or service limits, the *_total tables (every media and
-- service added up). At 1M legs: 609k hourly leg rows → 182k per day, media
-- and service → 40k per day; tags 682k → 403k → 192k; times 559k → 168k.
-- They are maintained with the hourly ones and filled, from the legs and
-- spans already stored, by this migration's backfill (store/agent_days.go).

CREATE TABLE agent_day_rollup (
    tenant TEXT NOT NULL, bucket TEXT NOT NULL, media TEXT NOT NULL, service_id TEXT NOT NULL, agent_id TEXT NOT NULL,
    completed {{bigint}} NOT NULL, transferred {{bigint}} NOT NULL, other {{bigint}} NOT NULL,
    dur_sum {{float}} NOT NULL, dur_n {{bigint}} NOT NULL,
    tm1r_sum {{float}} NOT NULL, tm1r_n {{bigint}} NOT NULL,
    tmr_sum {{float}} NOT NULL, tmr_n {{bigint}} NOT NULL,
    tmp_sum {{float}} NOT NULL, tmp_n {{bigint}} NOT NULL,
    tmi_sum {{float}} NOT NULL, tmi_n {{bigint}} NOT NULL,
    PRIMARY KEY (tenant, bucket, media, service_id, agent_id)
);
-- Per agent, then media: a media filter reads only its slices.
CREATE INDEX agent_day_rollup_report ON agent_day_rollup (tenant, agent_id, media, bucket, service_id,
    completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n,
    tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n);

CREATE TABLE agent_day_tag_rollup (
    tenant TEXT NOT NULL, bucket TEXT NOT NULL, media TEXT NOT NULL, service_id TEXT NOT NULL, agent_id TEXT NOT NULL,
    tag_id TEXT NOT NULL, n {{bigint}} NOT NULL,
    PRIMARY KEY (tenant, bucket, media, service_id, agent_id, tag_id)
);
CREATE INDEX agent_day_tag_rollup_report ON agent_day_tag_rollup (tenant, agent_id, media, tag_id, bucket, service_id, n);

CREATE TABLE agent_day_total (
    tenant TEXT NOT NULL, bucket TEXT NOT NULL, agent_id TEXT NOT NULL,
    completed {{bigint}} NOT NULL, transferred {{bigint}} NOT NULL, other {{bigint}} NOT NULL,
    dur_sum {{float}} NOT NULL, dur_n {{bigint}} NOT NULL,
    tm1r_sum {{float}} NOT NULL, tm1r_n {{bigint}} NOT NULL,
    tmr_sum {{float}} NOT NULL, tmr_n {{bigint}} NOT NULL,
    tmp_sum {{float}} NOT NULL, tmp_n {{bigint}} NOT NULL,
    tmi_sum {{float}} NOT NULL, tmi_n {{bigint}} NOT NULL,
    PRIMARY KEY (tenant, bucket, agent_id)
);
CREATE INDEX agent_day_total_report ON agent_day_total (tenant, agent_id, bucket,
    completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n,
    tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n);
CREATE TABLE agent_day_tag_total (
    tenant TEXT NOT NULL, bucket TEXT NOT NULL, agent_id TEXT NOT NULL, tag_id TEXT NOT NULL, n {{bigint}} NOT NULL,
    PRIMARY KEY (tenant, bucket, agent_id, tag_id)
);
CREATE INDEX agent_day_tag_total_report ON agent_day_tag_total (tenant, agent_id, tag_id, bucket, n);

-- Logged-in and pause seconds per agent and local day. Pause rows: scope ''
-- and the reason. Login rows have no reason and a scope: '*' = every media
-- (per hour the largest login span of any media, added up over the day's
-- hours), or a media id m (the same over m's and the all-media logins ''),
-- or '' (the all-media logins alone). A one-media report takes, per day,
-- MAX over scopes (m, ''), which is m's row when there is one: the exact
-- hourly answer. Other media sets fall back to the hourly spans.
CREATE TABLE agent_day_times (
    tenant TEXT NOT NULL, agent_id TEXT NOT NULL, bucket TEXT NOT NULL, kind TEXT NOT NULL,
    scope TEXT NOT NULL, reason TEXT NOT NULL, seconds {{float}} NOT NULL,
    PRIMARY KEY (tenant, agent_id, kind, scope, reason, bucket)
);
-- Logins read (agent, 'login', scope) slices in day order; pauses read
-- (agent, 'pause') in reason order, grouped as they come. The key has the
-- same order, so no planner prefers it over this covering copy.
CREATE INDEX agent_day_times_report ON agent_day_times (tenant, agent_id, kind, scope, reason, bucket, seconds);
