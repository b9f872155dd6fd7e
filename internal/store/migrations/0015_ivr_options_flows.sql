-- IVR menu labels (ivr.upserted's optional options) and bot flows
-- (flow.upserted), for the screens that name menu options, flows and
-- steps. options and steps are JSON objects {key: label}, each merged key by
-- key across a directory object's upserts (store/directory.go).
ALTER TABLE ivrs ADD COLUMN options TEXT NOT NULL DEFAULT '{}';
CREATE TABLE flows (
    tenant TEXT NOT NULL,
    id     TEXT NOT NULL,
    name   TEXT NOT NULL,
    steps  TEXT NOT NULL DEFAULT '{}',
    at     {{bigint}} NOT NULL,
    ev     TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
);
