-- The Rastreio's first page filters by media and, often, one agent or one
-- service, ordered by entered_at: with these indexes that is a walk of the
-- right slice in order instead of a scan of the month's legs for matches
-- (at 1M legs, single-agent mixes reached seconds without them).
CREATE INDEX legs_media_agent_time ON legs (tenant, media, agent_id, entered_at, k);
CREATE INDEX legs_media_service_time ON legs (tenant, media, service_id, entered_at, k);
