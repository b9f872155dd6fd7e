-- Fluxo Ágil: one row per (batch, contact, flow) of a tenant, what the
-- report lists and the drop-off counts, maintained in the ingesting
-- transaction from the row's bot_conversations (store/bot_rows.go), so a
-- month's page and drop-off read these rows instead of ranking every
-- conversation with a window. Names are not copied: the batch's name and the
-- contact's name_key are joined at read time, so a directory rename changes
-- nothing here.
--   client_id, campaign_id: of the latest conversation; mixed = 1 when the
--     row's conversations do not all share them (then scope and the client
--     and campaign filters cannot be answered per row: the report falls back
--     to the conversations).
--   first_date, last_date: local dates of the earliest and latest start;
--     a period that cuts between them also falls back.
--   latest_conversation, last_step, outcome: of the latest conversation
--     (started_at, then conversation id, as the report's window orders them).
--   human = 1 when a conversation reached a human (metrics.ReachedHuman).
--   steps: JSON object, each step reached in a conversation of the row and
--     its earliest position in one (0 = first).
-- The Go backfill (backfillBotRows) fills it from the stored conversations.
CREATE TABLE bot_rows (
    tenant TEXT NOT NULL, batch_id TEXT NOT NULL, contact_id TEXT NOT NULL, flow TEXT NOT NULL,
    client_id TEXT NOT NULL, campaign_id TEXT NOT NULL, mixed INTEGER NOT NULL,
    first_date TEXT NOT NULL, last_date TEXT NOT NULL,
    conversations INTEGER NOT NULL, messages INTEGER NOT NULL,
    latest_conversation TEXT NOT NULL, last_step TEXT NOT NULL, outcome TEXT NOT NULL,
    human INTEGER NOT NULL, steps TEXT NOT NULL,
    PRIMARY KEY (tenant, batch_id, contact_id, flow)
);
-- A period's rows (first_date >= from), and the check that no row straddles
-- a bound (last_date >= from AND first_date < from).
CREATE INDEX bot_rows_date ON bot_rows (tenant, first_date, last_date);
CREATE INDEX bot_rows_last ON bot_rows (tenant, last_date, first_date);
CREATE INDEX bot_rows_client ON bot_rows (tenant, client_id, first_date);
CREATE INDEX bot_rows_campaign ON bot_rows (tenant, campaign_id, first_date);
-- Contacts that reached a human (the "chegou a humano" filter).
CREATE INDEX bot_rows_contact ON bot_rows (tenant, contact_id);
CREATE INDEX bot_rows_mixed ON bot_rows (tenant) WHERE mixed = 1;
