-- A subscriber's answers about counterparties: to an alert ("that was me",
-- "fraud", "block") or unprompted ("trust"). Counterparties are named by
-- their keyed hash, never by name or number. The risk engine replays the
-- answers in order into its settings.

-- +goose Up

CREATE TABLE answers (
    id               INTEGER PRIMARY KEY,
    subscriber_id    INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    counterparty_key TEXT    NOT NULL,
    answer           TEXT    NOT NULL CHECK (answer IN ('legitimate', 'fraud', 'block', 'trust')),
    answered_at      TEXT    NOT NULL
) STRICT;

CREATE INDEX answers_subscriber ON answers (subscriber_id, id);

-- +goose Down

DROP TABLE answers;
