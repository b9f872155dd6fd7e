-- Fluxo Ágil: the Campanha filter (and its look-up) and a contact's history
-- (Ação: every conversation of a contact in a batch).
CREATE INDEX bot_conv_campaign ON bot_conversations (tenant, campaign_id, local_date);
CREATE INDEX bot_conv_contact ON bot_conversations (tenant, contact_id, batch_id);
