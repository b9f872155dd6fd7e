-- Where `rastro ingest --follow` is in each file it tails: the file's
-- identity (device and inode, to recognise it after a rename rotation),
-- the byte offset and line count stored so far. The translator's state is
-- not kept: a restarted follower re-reads the file up to the offset without
-- storing (event ids are deterministic), then goes on.
CREATE TABLE follow_positions (
    tenant  TEXT NOT NULL,
    path    TEXT NOT NULL,
    format  TEXT NOT NULL,
    file_id TEXT NOT NULL,
    byte_offset {{bigint}} NOT NULL,
    lines   {{bigint}} NOT NULL,
    at      {{bigint}} NOT NULL,
    PRIMARY KEY (tenant, path)
);
