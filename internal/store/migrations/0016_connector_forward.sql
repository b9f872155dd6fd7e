-- Relaying WhatsApp deliveries to the platform rastro sits in front of
-- (`rastro connector add whatsapp --forward-to URL`, issue 15). Meta sends
-- a number's webhooks to one callback URL, so every accepted delivery is
-- relayed unchanged, in order, until the platform answers 2xx; the raw body
-- is already stored, so the forward state is kept beside it and survives a
-- restart. forward_state: NULL (nothing to relay), 'pending' or 'done'.
-- forward_header is the X-Hub-Signature-256 header as received (relayed
-- byte for byte); forward_attempts and forward_error say how it goes.
ALTER TABLE connector_deliveries ADD COLUMN forward_state TEXT;
ALTER TABLE connector_deliveries ADD COLUMN forward_header TEXT;
ALTER TABLE connector_deliveries ADD COLUMN forward_attempts {{bigint}} NOT NULL DEFAULT 0;
ALTER TABLE connector_deliveries ADD COLUMN forward_error TEXT;
CREATE INDEX connector_deliveries_forward ON connector_deliveries (connector_id, forward_state, id);
