-- clv summarize's per-customer summary, compressed to weighted unique (frequency, recency, T) rows
-- time unit: 30.4375 day(s); observation end: the last date in the table; calibration end: 2024-09-29
WITH purchases AS (
    SELECT "customer_id" AS customer_id,
           date_diff('day', DATE '1970-01-01', CAST("date" AS DATE)) AS purchase_day,
           CAST(0 AS DOUBLE) AS amount
    FROM "transactions"
),
observed AS (
    SELECT customer_id, purchase_day, amount
    FROM purchases
    WHERE customer_id IS NOT NULL AND purchase_day IS NOT NULL
),
observation AS (
    SELECT MAX(purchase_day) AS observation_end FROM observed
),
purchase_days AS (
    SELECT customer_id, purchase_day, SUM(amount) AS total
    FROM observed
    GROUP BY customer_id, purchase_day
),
customer_days AS (
    SELECT customer_id, purchase_day, total, MIN(purchase_day) OVER (PARTITION BY customer_id) AS first_day
    FROM purchase_days
),
customers AS (
    SELECT customer_id,
           COUNT(CASE WHEN purchase_day > first_day AND purchase_day <= 19995 THEN 1 END) AS frequency,
           MAX(CASE WHEN purchase_day <= 19995 THEN purchase_day END) - first_day AS recency_days,
           19995 - first_day AS age_days
    FROM customer_days CROSS JOIN observation
    WHERE first_day <= 19995 AND 19995 <= observation_end
    GROUP BY customer_id, first_day, observation_end
)
SELECT frequency AS "frequency",
       CAST(recency_days AS DOUBLE) / CAST(30.4375 AS DOUBLE) AS "recency",
       CAST(age_days AS DOUBLE) / CAST(30.4375 AS DOUBLE) AS "T",
       COUNT(*) AS "weight"
FROM customers
GROUP BY frequency, recency_days, age_days
ORDER BY 1, 2, 3;
