-- Booked transactions by month, as money_days sums them by day: the
-- report's money over the months wholly inside its range. Grouping twenty
-- years of daily sums into months took 40 ms of every dashboard view of a
-- busy account; the days of the months cut by the range's ends are still
-- read from money_days. Save and Reparse keep it with the other totals
-- (totals.go): a batch adds its new transactions, and the months of days
-- summed again are summed again from money_days.

-- +goose Up

CREATE TABLE money_months (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    local_month   TEXT    NOT NULL,
    currency      TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    direction     TEXT    NOT NULL,
    count         INTEGER NOT NULL,
    total         INTEGER NOT NULL, -- amounts, an unknown one counting 0
    fees          INTEGER NOT NULL,
    taxes         INTEGER NOT NULL,
    PRIMARY KEY (subscriber_id, local_month, currency, kind, direction)
) STRICT, WITHOUT ROWID;

INSERT INTO money_months (subscriber_id, local_month, currency, kind, direction, count, total, fees, taxes)
SELECT subscriber_id, substr(local_day, 1, 7), currency, kind, direction,
       SUM(count), SUM(total), SUM(fees), SUM(taxes)
FROM money_days
GROUP BY subscriber_id, substr(local_day, 1, 7), currency, kind, direction;

-- +goose Down

DROP TABLE money_months;
