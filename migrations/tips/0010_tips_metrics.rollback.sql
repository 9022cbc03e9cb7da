-- Undoes 0010_tips_metrics: dropping a function or view drops its grants.

DROP FUNCTION tips.refresh_host_metrics();

DROP MATERIALIZED VIEW tips.host_metrics;

DROP VIEW tips.verified_tips;
