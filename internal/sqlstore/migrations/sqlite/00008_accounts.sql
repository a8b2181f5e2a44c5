-- Web accounts, server-side sessions, remember-me tokens and the audit log.
-- Sessions and tokens are kept by the hash of their secret part, never the
-- secret. Booleans are INTEGER 0/1 here and in PostgreSQL, so that the same
-- queries run on both.

-- +goose Up

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL,
    username_key  TEXT    NOT NULL UNIQUE,
    email         TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    admin         INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT    NOT NULL,
    last_login_at TEXT
) STRICT;

-- One row that every change of accounts, roles or status updates first:
-- it serialises those transactions, so that "the first account is admin"
-- and "never the last admin" hold when two requests race, on SQLite and on
-- PostgreSQL alike.
CREATE TABLE account_lock (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;
INSERT INTO account_lock (id, version) VALUES (1, 0);

CREATE TABLE sessions (
    id_hash         TEXT    PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      TEXT    NOT NULL,
    last_seen_at    TEXT    NOT NULL,
    expires_at      TEXT    NOT NULL,
    user_agent_hash TEXT    NOT NULL,
    ip              TEXT    NOT NULL,
    reauth          INTEGER NOT NULL DEFAULT 0 CHECK (reauth IN (0, 1))
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE remember_tokens (
    selector       TEXT    PRIMARY KEY,
    validator_hash TEXT    NOT NULL,
    previous_hash  TEXT    NOT NULL DEFAULT '',
    rotated_at     TEXT,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     TEXT    NOT NULL,
    expires_at     TEXT    NOT NULL
) STRICT;
CREATE INDEX remember_tokens_user ON remember_tokens (user_id);
CREATE INDEX remember_tokens_expires ON remember_tokens (expires_at);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT    NOT NULL,
    actor_id   INTEGER,
    actor      TEXT    NOT NULL DEFAULT '',
    action     TEXT    NOT NULL,
    target_id  INTEGER,
    ip         TEXT    NOT NULL DEFAULT '',
    user_agent TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);

-- The account a subscriber's data belongs to; NULL until linked. A user
-- sees only the subscribers linked to them.
ALTER TABLE subscribers ADD COLUMN user_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX subscribers_user ON subscribers (user_id) WHERE user_id IS NOT NULL;

-- +goose Down

DROP INDEX subscribers_user;
ALTER TABLE subscribers DROP COLUMN user_id;
DROP TABLE audit_log;
DROP TABLE remember_tokens;
DROP TABLE sessions;
DROP TABLE account_lock;
DROP TABLE users;
