-- depends: 0020_cocopay_passkeys_sign_count
-- The seed's materialized view store_daily_stats (query verbatim, names qualified) and
-- its unique index, which REFRESH ... CONCURRENTLY needs.
-- The seed refreshes it "daily via cron" with REFRESH MATERIALIZED VIEW CONCURRENTLY;
-- only the owner may refresh, so cocopay.refresh_store_daily_stats() does it as the
-- owner (SECURITY DEFINER) for chaindb_app. It pins TimeZone = 'UTC' (decided here):
-- DATE(created_at) of a timestamptz depends on the session's time zone, and the days of
-- the view must not depend on who refreshes it. REFRESH ... CONCURRENTLY may run in a
-- transaction block (unlike CREATE INDEX CONCURRENTLY), so a function can run it; two
-- refreshes of the view serialize on its lock.

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

CREATE FUNCTION cocopay.refresh_store_daily_stats()
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
