-- Store daily stats: refresh the materialized view, read it.

-- name: store_daily_stats_refresh#
-- Refresh cocopay.store_daily_stats concurrently (UTC days), as its owner (cocopay.refresh_store_daily_stats).
SELECT cocopay.refresh_store_daily_stats();

-- name: store_daily_stats_list(store_id, from_date, to_date)
-- A store's daily stats between two days (inclusive), oldest first, as of the last refresh.
-- @not-null *
SELECT
    d.store_id,
    d.date,
    d.transaction_count,
    d.revenue_usd,
    d.unique_customers,
    d.avg_transaction_usd
FROM cocopay.store_daily_stats AS d
WHERE d.store_id = :store_id::uuid AND d.date BETWEEN :from_date::date AND :to_date::date
ORDER BY d.date;

-- name: store_daily_stats_get(store_id, date)^
-- A store's stats of one day, as of the last refresh; None when it had no confirmed payment that day.
-- @not-null *
SELECT
    d.store_id,
    d.date,
    d.transaction_count,
    d.revenue_usd,
    d.unique_customers,
    d.avg_transaction_usd
FROM cocopay.store_daily_stats AS d
WHERE d.store_id = :store_id::uuid AND d.date = :date::date;
