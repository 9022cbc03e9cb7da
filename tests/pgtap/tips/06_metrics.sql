-- tips: verified_tips (the one definition of a counted tip) and host_metrics (materialized,
-- refreshed concurrently): pending and failed tips never appear; payout completion counts.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(15);
\ir ../helpers.psql
\ir fixtures.psql

SELECT pg_temp.tip(t.event_id, t.amount)
FROM (VALUES ('ok-1', 1000000), ('ok-2', 2000000), ('ok-3', 500000), ('pending', 4000000), ('failed', 8000000))
    AS t (event_id, amount);
SELECT tips.ingest_tip('sol', pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 30000000, pg_temp.wsol(),
                       pg_temp.sig('sol'));
SELECT tips.ingest_tip('b-failed', pg_temp.pubkey('host b'), pg_temp.pubkey('signer'), 16000000, pg_temp.usdc(),
                       pg_temp.sig('b-failed'));
SELECT pg_temp.decide(e, 'verified') FROM unnest(ARRAY['ok-1', 'ok-2', 'ok-3', 'sol']) AS e;
SELECT pg_temp.decide(e, 'AMOUNT_MISMATCH') FROM unnest(ARRAY['failed', 'b-failed']) AS e;
SELECT tips.create_payout(e, 'USDC', 1) FROM unnest(ARRAY['ok-1', 'ok-2', 'ok-3']) AS e;
UPDATE tips.reflect_payouts SET status = 'queued', reflect_tip_id = 'rfl_' || event_id;
UPDATE tips.reflect_payouts SET status = 'settled'
    WHERE event_id = 'ok-1';
UPDATE tips.reflect_payouts SET status = 'failed', last_error = 'no'
    WHERE event_id = 'ok-3';

SELECT set_eq(
    $$SELECT event_id::text FROM tips.verified_tips$$, ARRAY['ok-1', 'ok-2', 'ok-3', 'sol'],
    'verified_tips holds the verified tips only: no pending, no failed'
);
SELECT is(
    (SELECT (host, signer, amount, mint, signature, slot, verified_at = now(), received_at = now())::text
     FROM tips.verified_tips
         WHERE event_id = 'ok-1'),
    ROW(pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 1000000::bigint, pg_temp.usdc(), pg_temp.sig('ok-1'),
        7::bigint, true, true)::text,
    'a verified tip with its event''s fields, its slot and times'
);
SELECT is((SELECT count(*)::int FROM tips.host_metrics), 0, 'host_metrics shows the last refresh (none yet)');
SELECT lives_ok($$SELECT pg_temp.as_role('chaindb_app', 'SELECT tips.refresh_host_metrics()')$$,
    'the app refreshes host_metrics through the function (concurrently)');
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_app', 'REFRESH MATERIALIZED VIEW tips.host_metrics')$$,
    '42501', NULL, 'only the owner refreshes the view itself');
SELECT results_eq(
    $$SELECT host::text, mint::text, verified_tips, verified_amount, payouts_settled, payouts_open, payouts_failed,
             payouts_cancelled
      FROM tips.host_metrics ORDER BY host, mint$$,
    format($$VALUES (%L, %L, 3::bigint, 3500000::numeric, 1::bigint, 1::bigint, 1::bigint, 0::bigint),
                   (%L, %L, 1::bigint, 30000000::numeric, 0::bigint, 0::bigint, 0::bigint, 0::bigint)$$,
           pg_temp.pubkey('host a'), pg_temp.usdc(), pg_temp.pubkey('host a'), pg_temp.wsol()),
    'per host and mint: verified tips and their sum only; the payout completion counts'
);
SELECT is((SELECT count(*)::int FROM tips.host_metrics
           WHERE host = pg_temp.pubkey('host b')), 0,
    'a host with failed tips only has no metrics');
SELECT is(
    (SELECT (first_verified_at, last_verified_at, mean_verification_seconds = 0)::text FROM tips.host_metrics
     WHERE mint = pg_temp.usdc()),
    ROW(now(), now(), true)::text, 'first and last verification, mean latency from ingest to verification'
);

-- a refresh picks up what changed, and nothing pending
SELECT pg_temp.decide('pending', 'verified');
SELECT is((SELECT verified_tips FROM tips.host_metrics
           WHERE mint = pg_temp.usdc()), 3::bigint,
    'until the next refresh the view keeps its rows');
SELECT tips.refresh_host_metrics();
SELECT is((SELECT (verified_tips, verified_amount)::text FROM tips.host_metrics
           WHERE mint = pg_temp.usdc()),
    '(4,7500000)', 'after the refresh, the newly verified tip counts');
SELECT pg_temp.tip('late', 99000000);
SELECT tips.refresh_host_metrics();
SELECT is((SELECT verified_amount FROM tips.host_metrics
           WHERE mint = pg_temp.usdc()), 7500000::numeric,
    'a new pending tip never appears, refresh or not');
-- the view and the materialized view for the roles
SELECT lives_ok($$SELECT pg_temp.as_role('chaindb_readonly', 'SELECT * FROM tips.host_metrics, tips.verified_tips')$$,
    'chaindb_readonly reads the metrics and the verified tips');
SELECT lives_ok($$SELECT pg_temp.as_role('chaindb_app', 'SELECT * FROM tips.host_metrics, tips.verified_tips')$$,
    'chaindb_app reads the metrics and the verified tips');
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_readonly', 'SELECT tips.refresh_host_metrics()')$$,
    '42501', NULL, 'chaindb_readonly does not refresh');
SELECT is(
    (SELECT relispopulated FROM pg_class
     WHERE oid = 'tips.host_metrics'::regclass), true,
    'host_metrics is populated from the start (REFRESH ... CONCURRENTLY needs it)'
);

SELECT * FROM finish();
ROLLBACK;
