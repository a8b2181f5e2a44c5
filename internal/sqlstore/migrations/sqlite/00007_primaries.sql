-- The PostgreSQL migration of this number adds an index for companions'
-- search for the transaction they repeat. SQLite's planner serves that
-- search from transactions_booked_at already, so that the two databases
-- keep the same schema versions, this one changes nothing.

-- +goose Up

SELECT 1;

-- +goose Down

SELECT 1;
