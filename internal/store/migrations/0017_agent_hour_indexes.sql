-- Agentes with an hour filter (hour_from/hour_to) reads the hourly rollups
-- and spans; their report indexes were keyed (agent, bucket), so a month
-- with hours 08–12 walked every hour of every day and dropped 61–79 % of
-- the rows (measured at 100k legs: 65,343 agent_rollup rows read, 25,362
-- kept). These replace them keyed (agent, local hour of day, bucket): the
-- query names its hours (SUBSTR(bucket, 12, 2) IN …), so each (agent, hour)
-- is one bucket-range slice of a covering index and only the rows of those
-- hours are read. The leading (tenant, agent_id) still serves the loose
-- index scan that lists the agents (store.distinct). Without an hour filter
-- the report reads the day-grain tables (0006), not these.
CREATE INDEX agent_rollup_hour ON agent_rollup (tenant, agent_id, (SUBSTR(bucket, 12, 2)), bucket, media, service_id,
    completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n,
    tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n);
DROP INDEX agent_rollup_report;
-- Tags: per agent and hour, then bucket (the hourly read does not name the
-- tags: see agentTags in store/agents_query.go).
CREATE INDEX agent_tag_rollup_hour ON agent_tag_rollup (tenant, agent_id, (SUBSTR(bucket, 12, 2)), bucket, tag_id, media, service_id, n);
DROP INDEX agent_tag_rollup_report;
CREATE INDEX agent_spans_hour ON agent_spans (tenant, agent_id, kind, (SUBSTR(bucket, 12, 2)), bucket, media, reason, seconds);
DROP INDEX agent_spans_report;
