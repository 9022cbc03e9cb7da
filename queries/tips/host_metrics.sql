-- Host metrics (materialized, verified tips only): refresh, read.

-- name: host_metrics_refresh#
-- Refreshes tips.host_metrics concurrently, as its owner (tips.refresh_host_metrics); readers are not blocked.
SELECT tips.refresh_host_metrics();

-- name: host_metrics_list_by_host(host)
-- A host's metrics per mint, as of the last refresh (verified tips only, with payout completion counts).
-- @not-null host, mint, verified_tips, verified_amount, first_verified_at, last_verified_at
-- @not-null mean_verification_seconds, payouts_settled, payouts_open, payouts_failed, payouts_cancelled
SELECT m.* FROM tips.host_metrics AS m
WHERE m.host = :host::varchar
ORDER BY m.mint;

-- name: host_metrics_top(mint, max_rows)
-- The hosts with the largest verified amount in a mint, as of the last refresh.
-- @not-null host, mint, verified_tips, verified_amount, first_verified_at, last_verified_at
-- @not-null mean_verification_seconds, payouts_settled, payouts_open, payouts_failed, payouts_cancelled
SELECT m.* FROM tips.host_metrics AS m
WHERE m.mint = :mint::varchar
ORDER BY m.verified_amount DESC, m.host ASC
LIMIT :max_rows::integer;
