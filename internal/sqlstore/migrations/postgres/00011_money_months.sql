-- Booked transactions by month, as money_days sums them by day: the
-- report's money over the months wholly inside its range. Grouping twenty
-- years of daily sums into months took 40 ms of every dashboard view of a
-- busy account; the days of the months cut by the range's ends are still
-- read from money_days. Save and Reparse keep it with the other totals
-- (totals.go): a batch adds its new transactions, and the months of days
-- summed again are summed again from money_days.

-- +goose Up

CREATE TABLE money_months (
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    local_month   TEXT COLLATE "C" NOT NULL,
    currency      TEXT COLLATE "C" NOT NULL,
    kind          TEXT COLLATE "C" NOT NULL,
    direction     TEXT COLLATE "C" NOT NULL,
    count         BIGINT NOT NULL,
    total         BIGINT NOT NULL, -- amounts, an unknown one counting 0
    fees          BIGINT NOT NULL,
    taxes         BIGINT NOT NULL,
    PRIMARY KEY (subscriber_id, local_month, currency, kind, direction)
);

INSERT INTO money_months (subscriber_id, local_month, currency, kind, direction, count, total, fees, taxes)
SELECT subscriber_id, substr(local_day, 1, 7), currency, kind, direction,
       SUM(count), SUM(total), SUM(fees), SUM(taxes)
FROM money_days
GROUP BY subscriber_id, substr(local_day, 1, 7), currency, kind, direction;

-- +goose Down

DROP TABLE money_months;
