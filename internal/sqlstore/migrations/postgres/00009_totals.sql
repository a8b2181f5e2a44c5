-- Totals that reports read instead of the transactions and messages
-- themselves: over 1,000,000 transactions the report summed every row of
-- wide covering indexes (2.5 s); the totals hold a few rows per day.
-- Save and Reparse keep them in the same database transaction as the rows
-- they sum (totals.go): a batch adds its new rows; the days (and months)
-- of stored transactions it made companions, which stop counting, are
-- summed again from the base tables, as Reparse sums all of a subscriber's.
--
-- Which index serves which query after this migration:
--   transactions_days (local_day, subscriber_id): summing again the money
--     of the days (and the counterparties of the months) whose stored
--     transactions a batch made companions, and the report's
--     counterparties of the partial months at the ends of a date range.
--     The day leads: an index leading with subscriber_id alone would tie,
--     for SQLite's planner without statistics, with the partial index
--     that companions search (transactions_open_companions), and win: the
--     import then read every transaction of the subscriber per batch.
--     Messages need no such index: a batch only adds to their counts;
--   messages_unrecognized: the list of a subscriber's unrecognized
--     messages, newest first (Store.Unrecognized);
--   transactions_alerts (unchanged): the report's recent alerts;
--   transactions_open_companions, transactions_primaries,
--     transactions_companion_of (unchanged): companion pairing;
--   each totals table's primary key: the report's sums, by subscriber and
--     day (or month).
-- Gone: transactions_report, transactions_balances, transactions_risk and
-- messages_report, which served only the report's sums: the import writes
-- four indexes fewer, two of them wide, and two narrow ones more.

-- The same tables, indexes and sums as the SQLite migration of this
-- number; its comments say which index serves which query.

-- +goose Up

-- Booked transactions (booked = 1) by day, currency, kind and direction:
-- the report's count, months, kinds and charges.
CREATE TABLE money_days (
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    local_day     TEXT COLLATE "C" NOT NULL,
    currency      TEXT COLLATE "C" NOT NULL,
    kind          TEXT COLLATE "C" NOT NULL,
    direction     TEXT COLLATE "C" NOT NULL,
    count         BIGINT NOT NULL,
    total         BIGINT NOT NULL, -- amounts, an unknown one counting 0
    fees          BIGINT NOT NULL,
    taxes         BIGINT NOT NULL,
    PRIMARY KEY (subscriber_id, local_day, currency, kind, direction)
);

-- Messages by day, outcome and operator: the report's message counts.
CREATE TABLE message_days (
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    local_day     TEXT COLLATE "C" NOT NULL,
    outcome       TEXT COLLATE "C" NOT NULL,
    operator      TEXT COLLATE "C" NOT NULL,
    count         BIGINT NOT NULL,
    PRIMARY KEY (subscriber_id, local_day, outcome, operator)
);

-- Assessed transactions (booked or not) by day and risk level; the lowest
-- score orders the levels.
CREATE TABLE risk_days (
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    local_day     TEXT COLLATE "C" NOT NULL,
    risk_level    TEXT COLLATE "C" NOT NULL,
    count         BIGINT NOT NULL,
    min_score     BIGINT NOT NULL,
    PRIMARY KEY (subscriber_id, local_day, risk_level)
);

-- The last balance stated on each day per operator and currency, by any
-- transaction (booked or not): the latest by booked_at, then the last
-- stored. The last balance of a range is the latest of its days'.
CREATE TABLE balance_days (
    subscriber_id  BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    local_day      TEXT COLLATE "C" NOT NULL,
    operator       TEXT COLLATE "C" NOT NULL,
    currency       TEXT COLLATE "C" NOT NULL,
    booked_at      TEXT COLLATE "C" NOT NULL,
    transaction_id BIGINT NOT NULL,
    balance        BIGINT NOT NULL,
    PRIMARY KEY (subscriber_id, local_day, operator, currency)
);

-- Booked transactions with a counterparty by month: the report's top
-- counterparties over whole months (the partial months at the edges of a
-- range are summed from the transactions). last_id is the latest
-- transaction's id, which names the subscriber whose sealed name shows.
CREATE TABLE counterparty_months (
    subscriber_id    BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    local_month      TEXT COLLATE "C" NOT NULL,
    counterparty_key TEXT COLLATE "C" NOT NULL,
    currency         TEXT COLLATE "C" NOT NULL,
    count            BIGINT NOT NULL,
    money_in         BIGINT NOT NULL,
    money_out        BIGINT NOT NULL,
    last_id          BIGINT NOT NULL,
    PRIMARY KEY (subscriber_id, local_month, counterparty_key, currency)
);

CREATE INDEX transactions_days ON transactions (local_day, subscriber_id);
CREATE INDEX messages_unrecognized ON messages (subscriber_id) WHERE outcome = 'unrecognized';

DROP INDEX transactions_report;
DROP INDEX transactions_balances;
DROP INDEX transactions_risk;
DROP INDEX messages_report;

-- The same sums as totals.go's, over every subscriber.
INSERT INTO money_days (subscriber_id, local_day, currency, kind, direction, count, total, fees, taxes)
SELECT subscriber_id, local_day, currency, kind, direction, COUNT(*),
       COALESCE(SUM(amount), 0), COALESCE(SUM(fee), 0), COALESCE(SUM(tax), 0)
FROM transactions WHERE booked = 1
GROUP BY subscriber_id, local_day, currency, kind, direction;

INSERT INTO message_days (subscriber_id, local_day, outcome, operator, count)
SELECT subscriber_id, local_day, outcome, operator, COUNT(*)
FROM messages
GROUP BY subscriber_id, local_day, outcome, operator;

INSERT INTO risk_days (subscriber_id, local_day, risk_level, count, min_score)
SELECT subscriber_id, local_day, risk_level, COUNT(*), MIN(risk_score)
FROM transactions WHERE risk_level IS NOT NULL
GROUP BY subscriber_id, local_day, risk_level;

INSERT INTO balance_days (subscriber_id, local_day, operator, currency, booked_at, transaction_id, balance)
SELECT subscriber_id, local_day, operator, currency, booked_at, id, balance
FROM (SELECT subscriber_id, local_day, operator, currency, booked_at, id, balance,
             ROW_NUMBER() OVER (PARTITION BY subscriber_id, local_day, operator, currency
                                ORDER BY booked_at DESC, id DESC) AS nth
      FROM transactions WHERE balance IS NOT NULL) last
WHERE nth = 1;

INSERT INTO counterparty_months (subscriber_id, local_month, counterparty_key, currency,
    count, money_in, money_out, last_id)
SELECT subscriber_id, local_month, counterparty_key, currency, COUNT(*),
       COALESCE(SUM(CASE WHEN direction = 'in' THEN amount END), 0),
       COALESCE(SUM(CASE WHEN direction = 'out' THEN amount END), 0), MAX(id)
FROM transactions WHERE booked = 1 AND counterparty_key IS NOT NULL
GROUP BY subscriber_id, local_month, counterparty_key, currency;

-- +goose Down

CREATE INDEX messages_report ON messages (subscriber_id, outcome, local_day, operator);
CREATE INDEX transactions_risk ON transactions (subscriber_id, risk_level, local_day)
    WHERE risk_level IS NOT NULL;
CREATE INDEX transactions_balances ON transactions (subscriber_id, operator, currency,
    booked_at, local_day, balance)
    WHERE balance IS NOT NULL;
CREATE INDEX transactions_report ON transactions (subscriber_id, local_month, currency,
    kind, direction, local_day, amount, fee, tax, counterparty_key)
    WHERE booked = 1;
DROP INDEX messages_unrecognized;
DROP INDEX transactions_days;
DROP TABLE counterparty_months;
DROP TABLE balance_days;
DROP TABLE risk_days;
DROP TABLE message_days;
DROP TABLE money_days;
