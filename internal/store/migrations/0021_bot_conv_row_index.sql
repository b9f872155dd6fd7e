-- Fluxo Ágil: a period that cuts a row (some of its conversations in the
-- period, some not) recomputes that row from its conversations in the
-- period (store/bot_query.go, botPickedCTE): one lookup per cut row by
-- (contact, batch, flow) and the period's dates. bot_conv_contact was keyed
-- (tenant, contact_id, batch_id) only, so SQLite chose bot_conv_batch
-- (batch and date range) instead and walked every conversation of the
-- batch in the period for each cut row: on a 20k-leg demo month, days
-- 10–20, the drop-off took 235,220 SQLite VM steps, 176,990 with this key
-- (BENCHMARKS.md). The wider key serves the same look-ups as before
-- (RefreshBotRows names the flow too), so it replaces the old one.
DROP INDEX bot_conv_contact;
CREATE INDEX bot_conv_contact ON bot_conversations (tenant, contact_id, batch_id, flow, local_date);
