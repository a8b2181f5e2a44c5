-- The first schema of MoMo Analytics on SQLite.
--
-- Conventions, shared with the PostgreSQL migrations to come:
--   * money is an INTEGER count of the currency's minor unit, NULL when the
--     SMS does not state it (NULL is not 0);
--   * times are UTC in TEXT of fixed width, "2006-01-02T15:04:05.000Z", so
--     that they compare and sort as strings; NULL when unknown;
--   * columns ending in _enc hold Fernet tokens, never plaintext;
--   * local_day / local_month are dates in the subscriber's timezone,
--     computed by the application ("2006-01-02" / "2006-01").

-- +goose Up

CREATE TABLE subscribers (
    id           INTEGER PRIMARY KEY,
    channel      TEXT    NOT NULL,
    ref          TEXT    NOT NULL,
    timezone     TEXT    NOT NULL DEFAULT '',
    currency     TEXT    NOT NULL DEFAULT '',
    daily_budget INTEGER,
    created_at   TEXT    NOT NULL,
    UNIQUE (channel, ref)
) STRICT;

CREATE TABLE transactions (
    id                      INTEGER PRIMARY KEY,
    subscriber_id           INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    dedup_key               TEXT    NOT NULL,
    operator                TEXT    NOT NULL DEFAULT '',
    country                 TEXT    NOT NULL DEFAULT '',
    currency                TEXT    NOT NULL DEFAULT '',
    kind                    TEXT    NOT NULL,
    direction               TEXT    NOT NULL CHECK (direction IN ('in', 'out', 'none')),
    status                  TEXT    NOT NULL DEFAULT '' CHECK (status IN ('', 'completed', 'pending', 'failed')),
    amount                  INTEGER,
    fee                     INTEGER,
    tax                     INTEGER,
    balance                 INTEGER,
    counterparty_enc        TEXT,
    counterparty_number_enc TEXT,
    counterparty_key        TEXT,
    operator_txid           TEXT,
    occurred_at             TEXT,
    booked_at               TEXT    NOT NULL,
    local_day               TEXT    NOT NULL,
    local_month             TEXT    NOT NULL,
    template                TEXT    NOT NULL DEFAULT '',
    -- 1 when the transaction counts in reports: it moves money, did not fail,
    -- is not pending, and is not the companion of another transaction.
    booked                  INTEGER NOT NULL CHECK (booked IN (0, 1)),
    -- The template's companion rule, NULL when it declared none: the kinds it
    -- may repeat as ",kind,kind," and the window around booked_at in which
    -- the repeated transaction must lie, as two times.
    companion_kinds         TEXT,
    companion_from          TEXT,
    companion_to            TEXT,
    -- The transaction this one repeats; set only on the companion.
    companion_of            INTEGER REFERENCES transactions (id) ON DELETE SET NULL,
    created_at              TEXT    NOT NULL,
    UNIQUE (subscriber_id, dedup_key)
) STRICT;

CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    subscriber_id  INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    hash           TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    sender_enc     TEXT    NOT NULL DEFAULT '',
    body_enc       TEXT    NOT NULL DEFAULT '',
    received_at    TEXT,
    imported_at    TEXT    NOT NULL,
    -- The message's day in the subscriber's timezone: its transaction's
    -- local_day, else the day it was received (or imported) in the
    -- subscriber's timezone, else in UTC.
    local_day      TEXT    NOT NULL,
    outcome        TEXT    NOT NULL CHECK (outcome IN ('parsed', 'unrecognized', 'rejected', 'duplicate')),
    reason         TEXT    NOT NULL DEFAULT '',
    operator       TEXT    NOT NULL DEFAULT '',
    template       TEXT    NOT NULL DEFAULT '',
    transaction_id INTEGER REFERENCES transactions (id) ON DELETE SET NULL,
    UNIQUE (subscriber_id, hash)
) STRICT;

-- Report: every section filters a subscriber's transactions between two
-- local days, booked ones (months, kinds, charges, the count) or all (the
-- last balance). The columns after booked make the index cover the sums of
-- months, kinds and charges.
CREATE INDEX transactions_report ON transactions (subscriber_id, local_day, booked,
    local_month, currency, kind, direction, amount, fee, tax);

-- Counterparty lookups: the report's top counterparties (covering the sums,
-- so that the rows themselves, heavy with sealed names, are not read), their
-- latest name, and the questions risk rules ask about one counterparty.
CREATE INDEX transactions_counterparty ON transactions (subscriber_id, counterparty_key,
    currency, local_day, booked, direction, amount)
    WHERE counterparty_key IS NOT NULL;

-- Time-ordered access: a companion looking for the transaction it repeats
-- within its window, and the report's last stated balance.
CREATE INDEX transactions_booked_at ON transactions (subscriber_id, booked_at);

-- Booked companions not linked yet, found by a new transaction of the same
-- amount inside their window; small, since most transactions have no
-- companion rule. Ordered by the window's end, so that the companions whose
-- window closed long ago (never paired) are not read again and again.
CREATE INDEX transactions_open_companions ON transactions (subscriber_id, currency, amount, companion_to)
    WHERE companion_kinds IS NOT NULL AND companion_of IS NULL AND booked = 1;

-- At most one companion per transaction; also serves the "already has a
-- companion" check and the foreign-key check when transactions are deleted.
CREATE UNIQUE INDEX transactions_companion_of ON transactions (companion_of)
    WHERE companion_of IS NOT NULL;

-- Report: message counts by outcome and unrecognized messages per operator.
CREATE INDEX messages_report ON messages (subscriber_id, local_day, outcome);

-- Reparse: walks a subscriber's messages in the order they were received.
CREATE INDEX messages_received ON messages (subscriber_id, COALESCE(received_at, imported_at), id);

-- Foreign-key check when reparse deletes a subscriber's transactions.
CREATE INDEX messages_transaction ON messages (transaction_id);

-- +goose Down

DROP TABLE messages;
DROP TABLE transactions;
DROP TABLE subscribers;
