-- tips: the keys that serve another rule. events_id_signature_key (id is the primary key already) is what
-- event_verifications_event_id_signature_fkey references, so that a verification carries its event's
-- signature; host_metrics_host_mint_key is the unique index REFRESH MATERIALIZED VIEW CONCURRENTLY needs.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(4);
\ir ../helpers.psql
\ir fixtures.psql

-- an event without its verification yet (events_verification_required waits for a commit that never comes)
INSERT INTO tips.events (id, host, signer, amount, mint, signature)
VALUES ('k1', pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 1, pg_temp.usdc(), pg_temp.sig('k1'));

SELECT is(
    pg_temp.verdict(format(
        'INSERT INTO tips.event_verifications (event_id, signature) VALUES (%L, %L)', 'k1', pg_temp.sig('other')
    )),
    '23503 event_verifications_event_id_signature_fkey',
    'a verification with another signature than its event''s is refused (the key events_id_signature_key)'
);
SELECT is(
    pg_temp.verdict(format(
        'INSERT INTO tips.event_verifications (event_id, signature) VALUES (%L, %L)', 'k1', pg_temp.sig('k1')
    )),
    'admitted',
    'a verification with its event''s signature is admitted'
);

SELECT pg_temp.tip('k2');
SELECT pg_temp.decide('k2', 'verified');
SELECT lives_ok(
    'SELECT tips.refresh_host_metrics()',
    'host_metrics refreshes concurrently: host_metrics_host_mint_key is its unique index'
);
SELECT is(
    (
        SELECT count(*) FROM tips.host_metrics
        WHERE host = pg_temp.pubkey('host a') AND mint = pg_temp.usdc()
    ),
    1::bigint,
    'one row per host and mint after the refresh'
);

SELECT * FROM finish();
ROLLBACK;
