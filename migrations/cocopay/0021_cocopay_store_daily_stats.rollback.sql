DROP FUNCTION cocopay.refresh_store_daily_stats();

DROP MATERIALIZED VIEW cocopay.store_daily_stats;
