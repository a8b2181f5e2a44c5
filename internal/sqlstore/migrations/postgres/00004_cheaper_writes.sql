-- The SQLite migration of the same number on PostgreSQL: a table of
-- counterparties' latest sealed names, and the report's indexes reshaped
-- (see the SQLite file for why).

-- +goose Up

CREATE TABLE counterparties (
    subscriber_id    BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    counterparty_key TEXT COLLATE "C" NOT NULL,
    currency         TEXT COLLATE "C" NOT NULL DEFAULT '',
    -- The sealed name and number of the latest transaction that states
    -- them; NULL while none has.
    name_enc         TEXT COLLATE "C",
    number_enc       TEXT COLLATE "C",
    PRIMARY KEY (subscriber_id, counterparty_key, currency)
);

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

DROP INDEX transactions_report;
CREATE INDEX transactions_report ON transactions (subscriber_id, local_month, currency,
    kind, direction, local_day, amount, fee, tax, counterparty_key)
    WHERE booked = 1;

CREATE INDEX transactions_balances ON transactions (subscriber_id, operator, currency,
    booked_at, local_day, balance)
    WHERE balance IS NOT NULL;

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
