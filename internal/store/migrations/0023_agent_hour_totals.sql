-- Hour-grain twins of agent_day_total and agent_day_tag_total: per local
-- hour and agent, every media and service added up. With an hour filter
-- and neither media nor services limited (by the filter or the principal)
-- the Agentes report reads these instead of agent_rollup and
-- agent_tag_rollup (per hour, media, service and agent): on the 20k-leg
-- demo month, hours 08–12, 6,173 leg rows → 2,484 agent-hours and 5,936
-- tag rows → 5,104. Keyed for the report like 0017's indexes (agent, local
-- hour of day, bucket), covering. Maintained with the hourly rollups and
-- filled, from the legs already stored, by this migration's backfill
-- (store/rollups.go).

CREATE TABLE agent_hour_total (
    tenant TEXT NOT NULL, bucket TEXT NOT NULL, agent_id TEXT NOT NULL,
    completed {{bigint}} NOT NULL, transferred {{bigint}} NOT NULL, other {{bigint}} NOT NULL,
    dur_sum {{float}} NOT NULL, dur_n {{bigint}} NOT NULL,
    tm1r_sum {{float}} NOT NULL, tm1r_n {{bigint}} NOT NULL,
    tmr_sum {{float}} NOT NULL, tmr_n {{bigint}} NOT NULL,
    tmp_sum {{float}} NOT NULL, tmp_n {{bigint}} NOT NULL,
    tmi_sum {{float}} NOT NULL, tmi_n {{bigint}} NOT NULL,
    PRIMARY KEY (tenant, bucket, agent_id)
);
CREATE INDEX agent_hour_total_hour ON agent_hour_total (tenant, agent_id, (SUBSTR(bucket, 12, 2)), bucket,
    completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n,
    tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n);

CREATE TABLE agent_hour_tag_total (
    tenant TEXT NOT NULL, bucket TEXT NOT NULL, agent_id TEXT NOT NULL, tag_id TEXT NOT NULL, n {{bigint}} NOT NULL,
    PRIMARY KEY (tenant, bucket, agent_id, tag_id)
);
CREATE INDEX agent_hour_tag_total_hour ON agent_hour_tag_total (tenant, agent_id, (SUBSTR(bucket, 12, 2)), bucket, tag_id, n);
