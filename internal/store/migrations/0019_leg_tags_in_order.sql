-- A Rastreio search by tag walked the media's legs in date order and tested
-- the tag on each: at 1M legs, media=reclameaqui&tags=tag-acordo (no leg
-- matches) fetched the month's 38k ReclameAqui legs (26k pages) on
-- PostgreSQL, the slowest first pages (p95 60–85 ms). leg_tags now carries
-- its leg's media and entered_at (copied at derivation: a leg's rows are
-- always written together, InsertLegs), indexed (tenant, tag_id, media,
-- entered_at, leg_k), so a tag filter walks the tag's own legs of the media
-- in the page's order (legsFrom, store/legs_query.go).
--
-- Rebuilt as a new table rather than ALTERed and UPDATEd: PostgreSQL would
-- keep a dead copy of every row until VACUUM, and the indexes are built
-- once after the rows. The primary key stays (leg_k, tag_id) (rollups and
-- deletes reach the rows from the leg); the new index starts (tenant,
-- tag_id), so it replaces leg_tags_tag for the other readers (the loose
-- index scan of the tags, the directory's rename of a tag). On PostgreSQL
-- the migration then runs ANALYZE leg_tags (analyzeLegTags).
CREATE TABLE leg_tags_0019 (tenant TEXT NOT NULL, leg_k {{bigint}} NOT NULL, tag_id TEXT NOT NULL,
    media TEXT NOT NULL, entered_at {{bigint}} NOT NULL, CONSTRAINT leg_tags_key PRIMARY KEY (leg_k, tag_id));
INSERT INTO leg_tags_0019 (tenant, leg_k, tag_id, media, entered_at)
    SELECT lt.tenant, lt.leg_k, lt.tag_id, l.media, l.entered_at FROM leg_tags lt JOIN legs l ON l.k = lt.leg_k;
DROP TABLE leg_tags;
ALTER TABLE leg_tags_0019 RENAME TO leg_tags;
CREATE INDEX leg_tags_tag_time ON leg_tags (tenant, tag_id, media, entered_at, leg_k);
