-- What the dashboard needs: one-time codes that link a chat to a web
-- account, each account's preferences, and the list of recent
-- unrecognized messages by day.
--
-- Link codes are kept by their keyed hash: a copy of the database cannot
-- link a chat to anyone. A user has at most one live code (the store
-- deletes the older ones when it makes a new one); the index on user_id
-- serves that delete and the cascade when an account goes, the one on
-- expires_at the clean-up of expired codes (Store.DeleteExpired).
--
-- Transactions listed newest first need no new index: the list bounds
-- booked_at by the local days asked for (widened by the largest timezone
-- offsets) and walks transactions_booked_at backwards; every index more
-- would slow imports.

-- +goose Up

CREATE TABLE link_codes (
    hash       TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
) STRICT;
CREATE INDEX link_codes_user ON link_codes (user_id);
CREATE INDEX link_codes_expires ON link_codes (expires_at);

-- How the account reads its data: an IANA timezone and the currency shown
-- first; empty is no preference. New subscribers of the account (its
-- uploads, a chat it links) take them as defaults.
ALTER TABLE users ADD COLUMN timezone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN currency TEXT NOT NULL DEFAULT '';

-- The dashboard lists the latest unrecognized messages of a range of local
-- days, newest day first: the day in the index lets that read only the
-- rows it returns. It stays partial, so imports write it only for the few
-- unrecognized messages. Store.Unrecognized, which lists them in id order,
-- now sorts one subscriber's unrecognized messages: a few per cent of its
-- messages, and a command-line listing, not a page.
DROP INDEX messages_unrecognized;
CREATE INDEX messages_unrecognized ON messages (subscriber_id, local_day, id)
    WHERE outcome = 'unrecognized';

-- +goose Down

DROP INDEX messages_unrecognized;
CREATE INDEX messages_unrecognized ON messages (subscriber_id) WHERE outcome = 'unrecognized';
ALTER TABLE users DROP COLUMN currency;
ALTER TABLE users DROP COLUMN timezone;
DROP TABLE link_codes;
