-- Companions find the transaction they repeat (findPrimarySQL in bulk.go):
-- the same subscriber, currency and amount, booked, within a window of
-- booked_at. Without an index that leads with all three, PostgreSQL's
-- planner, whose statistics lag behind a large import, picked
-- transactions_report and filtered every booked transaction of the
-- subscriber in the currency for each companion: an import of 100,000
-- messages took ten times longer than on SQLite. This index makes each
-- search a few rows. transactions_booked_at served only that search (the
-- report's balances and alerts have their own indexes): it goes, and the
-- import writes one index fewer.
--
-- SQLite's planner already reads transactions_booked_at for the window;
-- its migration of this number changes nothing.

-- +goose Up

CREATE INDEX transactions_primaries ON transactions (subscriber_id, currency, amount, booked_at)
    WHERE booked = 1 AND companion_kinds IS NULL AND companion_of IS NULL;

DROP INDEX transactions_booked_at;

-- +goose Down

CREATE INDEX transactions_booked_at ON transactions (subscriber_id, booked_at);
DROP INDEX transactions_primaries;
