-- Raw event bodies compressed (store/body.go): zbody holds the zstd frame
-- and body is '' once a row is compressed. Rows stored before keep their
-- plain body (zbody NULL) until compressPlainBodies converts them, in
-- batches committed one by one after this migration (resumable: the
-- NULL marks what is left). At 50k demo legs the bodies were 138 of the
-- store's 381 MB.
ALTER TABLE events ADD COLUMN zbody {{blob}};
-- events_agg_at served one query, an agent's events in a time window
-- (AgentEventsBetween), but indexed every event: agent events are 2 % of
-- them (14,160 of 732,187 at 50k demo legs), and the index took 27 MB.
-- The partial index holds those rows only; the query names agg_kind 'a'
-- literally so both planners can use it.
DROP INDEX events_agg_at;
CREATE INDEX events_agent_at ON events (tenant, agg_key, at) WHERE agg_kind = 'a';
-- The rows left to convert: empty once every body is compressed (new rows
-- never enter it), so finding that nothing is left costs nothing at Open.
CREATE INDEX events_plain ON events (tenant, id) WHERE zbody IS NULL;
