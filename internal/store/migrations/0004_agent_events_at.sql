-- Agent activity is derived one local day at a time from a two-day window of
-- events, which this index serves.
CREATE INDEX events_agg_at ON events (tenant, agg_kind, agg_key, at);
