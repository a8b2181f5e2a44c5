-- The fraud-risk verdict kept with a transaction, as in the SQLite
-- migration of the same number. Reasons are a JSON array of plain
-- sentences (never SMS text), kept as TEXT as on SQLite.

-- +goose Up

ALTER TABLE transactions ADD COLUMN risk_score INTEGER;
ALTER TABLE transactions ADD COLUMN risk_level TEXT COLLATE "C";
ALTER TABLE transactions ADD COLUMN risk_reasons TEXT COLLATE "C";
ALTER TABLE transactions ADD COLUMN fake_sms INTEGER NOT NULL DEFAULT 0 CHECK (fake_sms IN (0, 1));

-- Serves the report's risk-level counts.
CREATE INDEX transactions_risk ON transactions (subscriber_id, risk_level, local_day)
    WHERE risk_level IS NOT NULL;

-- Serves the report's list of recent alerts, newest first.
CREATE INDEX transactions_alerts ON transactions (subscriber_id, booked_at)
    WHERE risk_level IN ('HIGH', 'CRITICAL');

-- +goose Down

DROP INDEX transactions_alerts;
DROP INDEX transactions_risk;
ALTER TABLE transactions DROP COLUMN fake_sms;
ALTER TABLE transactions DROP COLUMN risk_reasons;
ALTER TABLE transactions DROP COLUMN risk_level;
ALTER TABLE transactions DROP COLUMN risk_score;
