-- Small named values about the database itself, such as the proofs of
-- which keys its data was written with (see Store.Meta).

-- +goose Up

CREATE TABLE meta (
    name  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    value TEXT COLLATE "C" NOT NULL
);

-- +goose Down

DROP TABLE meta;
