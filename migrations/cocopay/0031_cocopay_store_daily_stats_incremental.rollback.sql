-- Back to 0021's materialized view (created WITH DATA: the seed's query over the current
-- transactions, as 0021 did), its refresh function and the grants 0022 gave on it.

DROP TRIGGER transactions_store_daily_stats_truncate ON cocopay.transactions;

DROP TRIGGER transactions_store_daily_stats_delete ON cocopay.transactions;

DROP TRIGGER transactions_store_daily_stats_update ON cocopay.transactions;

DROP TRIGGER transactions_store_daily_stats_insert ON cocopay.transactions;

DROP FUNCTION cocopay.tg_transactions__store_daily_stats_changes();

DROP TABLE cocopay.store_daily_stats;

CREATE MATERIALIZED VIEW cocopay.store_daily_stats AS
SELECT
    store_id,
    date(created_at) AS date,
    count(*) AS transaction_count,
    sum(amount_usd) AS revenue_usd,
    count(DISTINCT from_user_id) AS unique_customers,
    avg(amount_usd) AS avg_transaction_usd
FROM cocopay.transactions
WHERE
    type = 'payment'
    AND status = 'confirmed'
    AND store_id IS NOT NULL
GROUP BY store_id, date(created_at);

CREATE UNIQUE INDEX idx_store_daily_stats ON cocopay.store_daily_stats (store_id, date);

COMMENT ON MATERIALIZED VIEW cocopay.store_daily_stats IS
'Daily stats per store over confirmed payments; refreshed daily with cocopay.refresh_store_daily_stats() (UTC days).';

COMMENT ON COLUMN cocopay.store_daily_stats.date IS 'The day (UTC when refreshed by refresh_store_daily_stats).';

COMMENT ON COLUMN cocopay.store_daily_stats.unique_customers IS 'Distinct paying users (from_user_id) that day.';

COMMENT ON INDEX cocopay.idx_store_daily_stats IS
'One row per store and day; required by REFRESH MATERIALIZED VIEW CONCURRENTLY.';

CREATE OR REPLACE FUNCTION cocopay.refresh_store_daily_stats()
RETURNS void
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET timezone = 'UTC'
AS $fn$
    REFRESH MATERIALIZED VIEW CONCURRENTLY cocopay.store_daily_stats
$fn$;

COMMENT ON FUNCTION cocopay.refresh_store_daily_stats() IS
'Refreshes cocopay.store_daily_stats concurrently (readers are not blocked) as its owner (SECURITY DEFINER), '
'with TimeZone pinned to UTC. Called daily by the application''s cron job.';

GRANT SELECT ON TABLE cocopay.store_daily_stats TO chaindb_app, chaindb_readonly;

DROP TABLE cocopay.store_daily_stats_changes;
