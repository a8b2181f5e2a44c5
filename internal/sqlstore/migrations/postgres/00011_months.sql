-- Monthly totals beside the daily ones of migration 00009: reports read
-- the months wholly inside their range from these, and only the days of
-- the months its ends cut from the daily tables. Over twenty years of a
-- busy account the daily tables hold 8,000 to 35,000 rows a subscriber;
-- grouping them on every dashboard view took 20 ms of the 50 a view may
-- take. Save and Reparse keep them with the other totals (totals.go): a
-- batch adds its sums to its months as to its days; the months of days
-- whose money is summed again are summed again from money_days.

-- +goose Up

-- Booked transactions by month, currency, kind and direction.
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

-- Messages by month, outcome and operator.
CREATE TABLE message_months (
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    local_month   TEXT COLLATE "C" NOT NULL,
    outcome       TEXT COLLATE "C" NOT NULL,
    operator      TEXT COLLATE "C" NOT NULL,
    count         BIGINT NOT NULL,
    PRIMARY KEY (subscriber_id, local_month, outcome, operator)
);

-- Assessed transactions by month and risk level.
CREATE TABLE risk_months (
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    local_month   TEXT COLLATE "C" NOT NULL,
    risk_level    TEXT COLLATE "C" NOT NULL,
    count         BIGINT NOT NULL,
    min_score     BIGINT NOT NULL,
    PRIMARY KEY (subscriber_id, local_month, risk_level)
);

-- The last balance stated in each month per operator and currency.
CREATE TABLE balance_months (
    subscriber_id  BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    local_month    TEXT COLLATE "C" NOT NULL,
    operator       TEXT COLLATE "C" NOT NULL,
    currency       TEXT COLLATE "C" NOT NULL,
    booked_at      TEXT COLLATE "C" NOT NULL,
    transaction_id BIGINT NOT NULL,
    balance        BIGINT NOT NULL,
    PRIMARY KEY (subscriber_id, local_month, operator, currency)
);

-- Risk levels count booked transactions alone from now on, as every other
-- figure does: a bundle's confirmation that repeats a payment was counted
-- in the levels but in no total.
DELETE FROM risk_days;
INSERT INTO risk_days (subscriber_id, local_day, risk_level, count, min_score)
SELECT subscriber_id, local_day, risk_level, COUNT(*), MIN(risk_score)
FROM transactions WHERE booked = 1 AND risk_level IS NOT NULL
GROUP BY subscriber_id, local_day, risk_level;

-- The same sums as totals.go's monthTotals, over every subscriber.
INSERT INTO money_months (subscriber_id, local_month, currency, kind, direction, count, total, fees, taxes)
SELECT subscriber_id, substr(local_day, 1, 7), currency, kind, direction,
       SUM(count), SUM(total), SUM(fees), SUM(taxes)
FROM money_days
GROUP BY subscriber_id, substr(local_day, 1, 7), currency, kind, direction;

INSERT INTO message_months (subscriber_id, local_month, outcome, operator, count)
SELECT subscriber_id, substr(local_day, 1, 7), outcome, operator, SUM(count)
FROM message_days
GROUP BY subscriber_id, substr(local_day, 1, 7), outcome, operator;

INSERT INTO risk_months (subscriber_id, local_month, risk_level, count, min_score)
SELECT subscriber_id, substr(local_day, 1, 7), risk_level, SUM(count), MIN(min_score)
FROM risk_days
GROUP BY subscriber_id, substr(local_day, 1, 7), risk_level;

INSERT INTO balance_months (subscriber_id, local_month, operator, currency, booked_at, transaction_id, balance)
SELECT subscriber_id, local_month, operator, currency, booked_at, transaction_id, balance
FROM (SELECT subscriber_id, substr(local_day, 1, 7) AS local_month, operator, currency,
             booked_at, transaction_id, balance,
             ROW_NUMBER() OVER (PARTITION BY subscriber_id, substr(local_day, 1, 7), operator, currency
                                ORDER BY booked_at DESC, transaction_id DESC) AS nth
      FROM balance_days) last
WHERE nth = 1;

-- +goose Down

DELETE FROM risk_days;
INSERT INTO risk_days (subscriber_id, local_day, risk_level, count, min_score)
SELECT subscriber_id, local_day, risk_level, COUNT(*), MIN(risk_score)
FROM transactions WHERE risk_level IS NOT NULL
GROUP BY subscriber_id, local_day, risk_level;

DROP TABLE balance_months;
DROP TABLE risk_months;
DROP TABLE message_months;
DROP TABLE money_months;
