-- The fraud-risk verdict kept with a transaction: every outgoing one, and
-- every incoming one that looks like a fake SMS. Reasons are a JSON array
-- of plain sentences (never SMS text).

-- +goose Up

ALTER TABLE transactions ADD COLUMN risk_score INTEGER;
ALTER TABLE transactions ADD COLUMN risk_level TEXT;
ALTER TABLE transactions ADD COLUMN risk_reasons TEXT;
ALTER TABLE transactions ADD COLUMN fake_sms INTEGER NOT NULL DEFAULT 0;

-- Serves the report's risk-level counts.
CREATE INDEX transactions_risk ON transactions (subscriber_id, risk_level, local_day)
    WHERE risk_level IS NOT NULL;

-- Serves the report's list of recent alerts: a few rows, newest first,
-- without reading the rest of the history. The report's query repeats
-- this WHERE word for word, which SQLite needs to use a partial index.
CREATE INDEX transactions_alerts ON transactions (subscriber_id, booked_at)
    WHERE risk_level IN ('HIGH', 'CRITICAL');

-- +goose Down

DROP INDEX transactions_alerts;
DROP INDEX transactions_risk;
ALTER TABLE transactions DROP COLUMN fake_sms;
ALTER TABLE transactions DROP COLUMN risk_reasons;
ALTER TABLE transactions DROP COLUMN risk_level;
ALTER TABLE transactions DROP COLUMN risk_score;
