-- Registry additions over V1 (registry tables only; tracking owns V2).

-- A validation is either a fixed threshold check or a comparison with the version it would
-- replace in production; the gate re-evaluates the latter, so the kind must be stored.
ALTER TABLE model_version_validations
  ADD COLUMN check_kind VARCHAR(32) DEFAULT 'threshold' NOT NULL;
-- For a comparison: the version compared with when recorded (NULL when there was none).
ALTER TABLE model_version_validations ADD COLUMN compared_version INTEGER;

-- Receivers deduplicate on the event id; one event fans out to one delivery per webhook.
ALTER TABLE webhook_deliveries ADD COLUMN event_id VARCHAR(64);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id);

-- Every HTTP attempt of a delivery, so failures can be diagnosed after the fact.
CREATE TABLE webhook_delivery_attempts (
  delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  attempted_at BIGINT NOT NULL,
  status_code INTEGER,
  error VARCHAR(2000),
  PRIMARY KEY (delivery_id, attempt)
);

-- resolve() and get-latest-versions look versions up by stage.
CREATE INDEX model_versions_by_stage ON model_versions (name, current_stage, version);
