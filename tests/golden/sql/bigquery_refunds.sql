-- clv summarize's per-customer summary
-- time unit: 1 day(s); observation end: the last date in the table
WITH purchases AS (
    SELECT `customer_id` AS customer_id,
           UNIX_DATE(CAST(`ordered_at` AS DATE)) AS purchase_day,
           CAST(`total` AS FLOAT64) AS amount
    FROM `my-project`.`shop`.`orders`
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
    HAVING NOT (SUM(amount) <= 0 AND MIN(amount) < 0)
),
customer_days AS (
    SELECT customer_id, purchase_day, total, MIN(purchase_day) OVER (PARTITION BY customer_id) AS first_day
    FROM purchase_days
),
customers AS (
    SELECT customer_id,
           COUNT(CASE WHEN purchase_day > first_day THEN 1 END) AS frequency,
           MAX(purchase_day) - first_day AS recency_days,
           observation_end - first_day AS age_days,
           COALESCE(AVG(CASE WHEN purchase_day > first_day THEN total END), 0) AS monetary_value
    FROM customer_days CROSS JOIN observation
    WHERE first_day <= observation_end
    GROUP BY customer_id, first_day, observation_end
)
SELECT customer_id AS `customer_id`,
       frequency AS `frequency`,
       CAST(recency_days AS FLOAT64) AS `recency`,
       CAST(age_days AS FLOAT64) AS `T`,
       monetary_value AS `monetary_value`
FROM customers;
