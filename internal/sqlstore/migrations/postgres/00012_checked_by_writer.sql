-- The three foreign keys that every stored message and transaction paid
-- for make way for the writer's own guarantee and for triggers.
--
-- PostgreSQL checks a foreign key with a query and a row lock per row
-- inserted: over an import of 100,000 messages that was a fifth of the
-- server's time, and PostgreSQL imports took more than twice SQLite's.
-- Every message and transaction is written by Save or Reparse, which lock
-- their subscriber's row for the whole database transaction first
-- (writer.go): the subscriber exists and cannot go away meanwhile, and the
-- transactions a message names are the batch's own or ones it read under
-- that lock. A restore checks the references of what it loaded
-- (restore.go). What the keys did on delete, the triggers below do: a
-- subscriber deleted takes its messages and transactions along, and a
-- transaction deleted leaves its messages unlinked.

-- +goose Up

ALTER TABLE messages DROP CONSTRAINT messages_subscriber_id_fkey;
ALTER TABLE messages DROP CONSTRAINT messages_transaction_id_fkey;
ALTER TABLE transactions DROP CONSTRAINT transactions_subscriber_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION momo_subscribers_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM messages WHERE subscriber_id IN (SELECT id FROM gone);
    DELETE FROM transactions WHERE subscriber_id IN (SELECT id FROM gone);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER subscribers_deleted AFTER DELETE ON subscribers
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION momo_subscribers_deleted();

-- +goose StatementBegin
CREATE FUNCTION momo_transactions_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE messages SET transaction_id = NULL
    WHERE transaction_id IN (SELECT id FROM gone);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER transactions_deleted AFTER DELETE ON transactions
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION momo_transactions_deleted();

-- +goose Down

DROP TRIGGER transactions_deleted ON transactions;
DROP FUNCTION momo_transactions_deleted();
DROP TRIGGER subscribers_deleted ON subscribers;
DROP FUNCTION momo_subscribers_deleted();

-- NOT VALID: the keys hold for what is written from now on, and a row
-- that lost its reference while they were gone does not stop the
-- downgrade (VALIDATE CONSTRAINT finds any such row).
ALTER TABLE transactions ADD CONSTRAINT transactions_subscriber_id_fkey
    FOREIGN KEY (subscriber_id) REFERENCES subscribers (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE messages ADD CONSTRAINT messages_transaction_id_fkey
    FOREIGN KEY (transaction_id) REFERENCES transactions (id) ON DELETE SET NULL NOT VALID;
ALTER TABLE messages ADD CONSTRAINT messages_subscriber_id_fkey
    FOREIGN KEY (subscriber_id) REFERENCES subscribers (id) ON DELETE CASCADE NOT VALID;
