-- Small named values about the database itself, such as the proofs of
-- which keys its data was written with (see Store.Meta).

-- +goose Up

CREATE TABLE meta (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- +goose Down

DROP TABLE meta;
