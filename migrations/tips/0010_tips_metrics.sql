-- depends: 0009_tips_dynamic_sessions
-- The seed's derived views, which it names but never shows; decided here:
--   tips.verified_tips   the one definition of a tip that counts: an event whose verification is
--                        verified. The overview queries (queries/tips/overview.sql) and the host
--                        metrics read it, never events alone, so a pending or failed tip can
--                        never be counted ("API consumers must treat status as source of truth").
--   tips.host_metrics    materialized host metrics over verified tips, per host and mint (amounts
--                        of different mints do not add up): how many, how much, first and last,
--                        mean verification latency (verified_at - received), and the payout
--                        completion counts (settled, open = pending or queued, failed,
--                        cancelled). host_metrics_host_mint_key is the unique index REFRESH ...
--                        CONCURRENTLY needs; host_metrics_mint_verified_amount_idx serves the top list.
--   tips.refresh_host_metrics()  refreshes it concurrently (readers are not blocked) as its
--                        owner, for chaindb_app (only the owner may refresh).

CREATE VIEW tips.verified_tips AS
SELECT
    e.id AS event_id,
    e.host,
    e.signer,
    e.amount,
    e.mint,
    e.signature,
    e.created_at AS received_at,
    v.id AS verification_id,
    v.slot,
    v.verified_at
FROM tips.events AS e
INNER JOIN tips.event_verifications AS v ON e.id = v.event_id
WHERE v.status = 'verified';

COMMENT ON VIEW tips.verified_tips IS
'Tips whose verification is verified: the only tips that are counted (overview queries, host_metrics).';
COMMENT ON COLUMN tips.verified_tips.received_at IS 'When the webhook was ingested (events.created_at).';

CREATE MATERIALIZED VIEW tips.host_metrics AS
SELECT
    t.host,
    t.mint,
    count(*) AS verified_tips,
    sum(t.amount) AS verified_amount,
    min(t.verified_at) AS first_verified_at,
    max(t.verified_at) AS last_verified_at,
    avg(extract(EPOCH FROM t.verified_at - t.received_at)) AS mean_verification_seconds,
    count(p.id) FILTER (WHERE p.status = 'settled') AS payouts_settled,
    count(p.id) FILTER (WHERE p.status IN ('pending', 'queued')) AS payouts_open,
    count(p.id) FILTER (WHERE p.status = 'failed') AS payouts_failed,
    count(p.id) FILTER (WHERE p.status = 'cancelled') AS payouts_cancelled
FROM tips.verified_tips AS t
LEFT JOIN tips.reflect_payouts AS p ON t.event_id = p.event_id
GROUP BY t.host, t.mint;

CREATE UNIQUE INDEX host_metrics_host_mint_key ON tips.host_metrics (host, mint);

COMMENT ON MATERIALIZED VIEW tips.host_metrics IS
'Host metrics over verified tips only, per host and mint, with payout completion counts; as of the last '
'tips.refresh_host_metrics().';
COMMENT ON COLUMN tips.host_metrics.verified_amount IS 'Sum of the verified tips, in the mint''s smallest unit.';
COMMENT ON COLUMN tips.host_metrics.mean_verification_seconds IS
'Mean seconds from ingest to verification (verified_at - received_at).';
COMMENT ON COLUMN tips.host_metrics.payouts_settled IS 'Payouts of these tips that Reflect settled.';
COMMENT ON COLUMN tips.host_metrics.payouts_open IS 'Payouts still pending or queued.';
COMMENT ON COLUMN tips.host_metrics.payouts_failed IS 'Payouts Reflect failed.';
COMMENT ON COLUMN tips.host_metrics.payouts_cancelled IS 'Payouts given up.';
CREATE INDEX host_metrics_mint_verified_amount_idx ON tips.host_metrics (mint, verified_amount DESC, host);

COMMENT ON INDEX tips.host_metrics_host_mint_key IS
'One row per host and mint; required by REFRESH MATERIALIZED VIEW CONCURRENTLY.';
COMMENT ON INDEX tips.host_metrics_mint_verified_amount_idx IS
'The top hosts of a mint by verified amount (host_metrics_top: no sort under its LIMIT).';

CREATE FUNCTION tips.refresh_host_metrics()
RETURNS void
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    REFRESH MATERIALIZED VIEW CONCURRENTLY tips.host_metrics
$fn$;

COMMENT ON FUNCTION tips.refresh_host_metrics() IS
'Refreshes tips.host_metrics concurrently (readers are not blocked) as its owner (SECURITY DEFINER); two refreshes '
'serialize on the view''s lock.';

GRANT SELECT ON tips.verified_tips, tips.host_metrics TO chaindb_app, chaindb_readonly;
GRANT EXECUTE ON FUNCTION tips.refresh_host_metrics() TO chaindb_app;
