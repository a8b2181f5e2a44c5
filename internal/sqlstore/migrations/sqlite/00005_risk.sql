-- The fraud-risk verdict kept with a transaction: every outgoing one, and
-- every incoming one that looks like a fake SMS. Reasons are a JSON array
-- of plain sentences (never SMS text).

-- +goose Up

ALTER TABLE transactions ADD COLUMN risk_score INTEGER;
ALTER TABLE transactions ADD COLUMN risk_level TEXT;
ALTER TABLE transactions ADD COLUMN risk_reasons TEXT;
ALTER TABLE transactions ADD COLUMN fake_sms INTEGER NOT NULL DEFAULT 0;

-- Serves the report's risk-level counts and its list of recent alerts.
CREATE INDEX transactions_risk ON transactions (subscriber_id, risk_level, booked_at)
    WHERE risk_level IS NOT NULL;

-- +goose Down

DROP INDEX transactions_risk;
ALTER TABLE transactions DROP COLUMN fake_sms;
ALTER TABLE transactions DROP COLUMN risk_reasons;
ALTER TABLE transactions DROP COLUMN risk_level;
ALTER TABLE transactions DROP COLUMN risk_score;
