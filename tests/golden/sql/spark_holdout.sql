-- clv summarize's per-customer summary
-- time unit: 7 day(s); observation end: 2024-12-31; calibration end: 2024-09-29
WITH purchases AS (
    SELECT `customer id` AS customer_id,
           datediff(CAST(`ordered "on"` AS DATE), DATE '1970-01-01') AS purchase_day,
           CAST(`Total` AS DOUBLE) AS amount
    FROM `transactions`
),
observed AS (
    SELECT customer_id, purchase_day, amount
    FROM purchases
    WHERE customer_id IS NOT NULL AND purchase_day IS NOT NULL AND purchase_day <= 20088
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
           19995 - first_day AS age_days,
           COALESCE(AVG(CASE WHEN purchase_day > first_day AND purchase_day <= 19995 THEN total END), 0) AS monetary_value,
           COUNT(CASE WHEN purchase_day > 19995 THEN 1 END) AS frequency_holdout,
           COALESCE(AVG(CASE WHEN purchase_day > 19995 THEN total END), 0) AS monetary_value_holdout,
           20088 - 19995 AS holdout_days
    FROM customer_days
    WHERE first_day <= 19995
    GROUP BY customer_id, first_day
)
SELECT customer_id AS `customer_id`,
       frequency AS `frequency`,
       CAST(recency_days AS DOUBLE) / CAST(7 AS DOUBLE) AS `recency`,
       CAST(age_days AS DOUBLE) / CAST(7 AS DOUBLE) AS `T`,
       monetary_value AS `monetary_value`,
       frequency_holdout AS `frequency_holdout`,
       monetary_value_holdout AS `monetary_value_holdout`,
       CAST(holdout_days AS DOUBLE) / CAST(7 AS DOUBLE) AS `duration_holdout`
FROM customers;
