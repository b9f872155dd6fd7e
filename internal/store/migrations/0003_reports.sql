-- Relatório IVR and Relatório de Agentes read only the rollups. These
-- covering indexes hold every column those reports read, in the order their
-- queries group by, so SQLite answers from the index alone and streams its
-- aggregation passes without sorting (see store/ivr_query.go and
-- store/agents_query.go).

-- IVR: per hour bucket, then IVR, service, agent (groupings by IVR, service,
-- hour and day take a first pass per bucket[, ivr[, service]]).
CREATE INDEX ivr_rollup_report ON ivr_rollup (tenant, bucket, ivr_id, service_id, agent_id,
    received, finished, transferred, abandoned, answered, abandoned_q,
    ivr_sum, wait_sum, wait_n, talk_sum, talk_n, sl_n);
CREATE INDEX ivr_path_rollup_report ON ivr_path_rollup (tenant, bucket, path, ivr_id, service_id, agent_id, n);

-- Agentes rows: per agent, then hour (each query names its agents, so it
-- reads one (agent, date range) slice per agent, already grouped). It
-- replaces agent_rollup_agent (tenant, agent_id, bucket), its prefix, which
-- SQLite (without statistics) would otherwise pick, looking every row up.
CREATE INDEX agent_rollup_report ON agent_rollup (tenant, agent_id, bucket, media, service_id,
    completed, transferred, other, dur_sum, dur_n, tm1r_sum, tm1r_n,
    tmr_sum, tmr_n, tmp_sum, tmp_n, tmi_sum, tmi_n);
DROP INDEX agent_rollup_agent;
-- Tags: per agent and tag (the query names both), then hour.
CREATE INDEX agent_tag_rollup_report ON agent_tag_rollup (tenant, agent_id, tag_id, bucket, media, service_id, n);
-- Logged-in and pause time: per agent and kind, then hour. agent_spans_agent
-- stays for the per-day replacement of an agent's spans.
CREATE INDEX agent_spans_report ON agent_spans (tenant, agent_id, kind, bucket, media, reason, seconds);

-- Agentes chart: per hour bucket.
CREATE INDEX agent_rollup_chart ON agent_rollup (tenant, bucket, agent_id, media, service_id, completed, transferred, other);
