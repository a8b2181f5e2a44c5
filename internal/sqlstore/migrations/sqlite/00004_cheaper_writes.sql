-- Indexes that cost less to write and still serve every report query from
-- the index alone, and a table of counterparties' latest sealed names.
--
-- transactions_counterparty put every transaction with a counterparty at
-- its counterparty's place in an index: with a few hundred counterparties,
-- each transaction of a batch dirtied a page of its own, about 15% of
-- BenchmarkSave's time. It served the report's name look-ups, which the
-- small counterparties table now serves, updated once per batch and
-- counterparty, and the counterparty totals, which the report index now
-- covers (they are sorted by counterparty instead of read in that order).

-- +goose Up

CREATE TABLE counterparties (
    subscriber_id    INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    counterparty_key TEXT    NOT NULL,
    currency         TEXT    NOT NULL DEFAULT '',
    -- The sealed name and number of the latest transaction that states
    -- them; NULL while none has.
    name_enc         TEXT,
    number_enc       TEXT,
    PRIMARY KEY (subscriber_id, counterparty_key, currency)
) STRICT;

INSERT INTO counterparties (subscriber_id, counterparty_key, currency, name_enc, number_enc)
SELECT t.subscriber_id, t.counterparty_key, t.currency,
       (SELECT x.counterparty_enc FROM transactions x
        WHERE x.subscriber_id = t.subscriber_id AND x.counterparty_key = t.counterparty_key
          AND x.currency = t.currency AND x.counterparty_enc IS NOT NULL
        ORDER BY x.id DESC LIMIT 1),
       (SELECT x.counterparty_number_enc FROM transactions x
        WHERE x.subscriber_id = t.subscriber_id AND x.counterparty_key = t.counterparty_key
          AND x.currency = t.currency AND x.counterparty_number_enc IS NOT NULL
        ORDER BY x.id DESC LIMIT 1)
FROM transactions t
WHERE t.counterparty_key IS NOT NULL
GROUP BY t.subscriber_id, t.counterparty_key, t.currency;

DROP INDEX transactions_counterparty;

-- Report: the booked transactions of a subscriber between two local days,
-- covering the sums by month, currency, kind and direction, which read it
-- in order without sorting (queries bound the months to seek on, and check
-- the days in the index), and the counterparty totals (whose last id is
-- the row's id). An import writes it at a few places of the current month,
-- so a batch dirties few of its pages.
DROP INDEX transactions_report;
CREATE INDEX transactions_report ON transactions (subscriber_id, local_month, currency,
    kind, direction, local_day, amount, fee, tax, counterparty_key)
    WHERE booked = 1;

-- Report: the last balance stated, per operator and currency, by booked
-- transactions or not: the groups come in index order, without sorting, and
-- the balance at a group's last time is one seek.
CREATE INDEX transactions_balances ON transactions (subscriber_id, operator, currency,
    booked_at, local_day, balance)
    WHERE balance IS NOT NULL;

-- Report: message counts by outcome, one range of days per outcome (the
-- query names them all), and unrecognized messages per operator.
DROP INDEX messages_report;
CREATE INDEX messages_report ON messages (subscriber_id, outcome, local_day, operator);

-- +goose Down

DROP INDEX messages_report;
CREATE INDEX messages_report ON messages (subscriber_id, local_day, outcome);
DROP INDEX transactions_balances;
DROP INDEX transactions_report;
CREATE INDEX transactions_report ON transactions (subscriber_id, local_day, booked,
    local_month, currency, kind, direction, amount, fee, tax);
CREATE INDEX transactions_counterparty ON transactions (subscriber_id, counterparty_key,
    currency, local_day, booked, direction, amount)
    WHERE counterparty_key IS NOT NULL;
DROP TABLE counterparties;
