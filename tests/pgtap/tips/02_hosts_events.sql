-- tips: hosts and events (each CHECK and unique on both sides, immutability), and the ingest:
-- event + pending verification together or not at all, idempotent on the event id.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(46);
\ir ../helpers.psql
\ir fixtures.psql

-- hosts
SELECT lives_ok(
    $$INSERT INTO tips.hosts (wallet, handle) VALUES (pg_temp.pubkey('host c'), 'c.host-3_')$$,
    'a host: a Solana wallet and a handle of a-z 0-9 _ . -'
);
SELECT is(pg_temp.refused($$INSERT INTO tips.hosts (wallet, handle) VALUES ('0x1234', 'h1')$$),
    '23514 hosts_wallet_check', 'a host''s wallet is a Solana public key');
SELECT is(pg_temp.refused($$INSERT INTO tips.hosts (wallet, handle) VALUES (repeat('z', 44), 'h1')$$),
    '23514 hosts_wallet_check', 'base58 of 44 characters that is not 32 bytes is not a public key');
SELECT is(pg_temp.refused($$INSERT INTO tips.hosts (wallet, handle) VALUES (pg_temp.pubkey('h2'), 'Host Two')$$),
    '23514 hosts_handle_check', 'a handle has no upper case or spaces');
SELECT is(pg_temp.refused($$INSERT INTO tips.hosts (wallet, handle) VALUES (pg_temp.pubkey('h3'), '.dot')$$),
    '23514 hosts_handle_check', 'a handle does not start with a dot');
SELECT is(pg_temp.refused($$INSERT INTO tips.hosts (wallet, handle) VALUES (pg_temp.pubkey('host a'), 'other')$$),
    '23505 hosts_wallet_key', 'a wallet is one host');
SELECT is(pg_temp.refused($$INSERT INTO tips.hosts (wallet, handle) VALUES (pg_temp.pubkey('h4'), 'host_a')$$),
    '23505 hosts_handle_key', 'a handle is one host');
SELECT is(pg_temp.refused($$UPDATE tips.hosts SET wallet = pg_temp.pubkey('h5') WHERE handle = 'host_a'$$),
    'CD003 hosts_wallet_immutable', 'a host''s wallet never changes (its tips name it)');
SELECT lives_ok($$UPDATE tips.hosts SET handle = 'host_a2' WHERE handle = 'host_a'$$, 'a host may be renamed');
UPDATE tips.hosts SET handle = 'host_a'
    WHERE handle = 'host_a2';

-- ingest
SELECT is(
    (SELECT (v.status, v.signature, v.slot, v.helius_response, v.error_code, v.verified_at, v.attempt_count,
             v.claim_token, v.available_at = v.created_at)::text
     FROM tips.ingest_tip('e1', pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 2500000, pg_temp.usdc(),
                          pg_temp.sig('e1')) AS v),
    ROW('pending'::tips.verification_status, pg_temp.sig('e1'), NULL::bigint, '{}'::jsonb, NULL::text,
        NULL::timestamptz, 0, NULL::uuid, true)::text,
    'ingest returns the pending verification: the signature copied, no answer yet, due at once'
);
SELECT is(
    (SELECT (e.host, e.signer, e.amount, e.mint, e.signature)::text FROM tips.events AS e
     WHERE e.id = 'e1'),
    ROW(pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 2500000::bigint, pg_temp.usdc(), pg_temp.sig('e1'))::text,
    'ingest stores the event as reported'
);
SELECT is(
    (SELECT v.id FROM tips.ingest_tip('e1', pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 2500000,
                                      pg_temp.usdc(), pg_temp.sig('e1')) AS v),
    (SELECT v.id FROM tips.event_verifications AS v
     WHERE v.event_id = 'e1'),
    'the same webhook again returns the same verification'
);
SELECT is(
    (SELECT (count(*), (SELECT count(*) FROM tips.event_verifications AS v
                        WHERE v.event_id = 'e1'))::text
     FROM tips.events
         WHERE id = 'e1'),
    '(1,1)', 'a replay adds nothing: one event, one verification'
);
SELECT pg_temp.decide('e1', 'verified');
SELECT is(
    (SELECT v.status FROM tips.ingest_tip('e1', pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 2500000,
                                          pg_temp.usdc(), pg_temp.sig('e1')) AS v),
    'verified', 'a replay after the verification returns it as it stands, unchanged'
);
SELECT is(
    pg_temp.error_fields($$SELECT tips.ingest_tip('e1', pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 2500001,
                                                  pg_temp.usdc(), pg_temp.sig('e1'))$$),
    ARRAY['CD002', 'events_pkey', 'events', 'event_id=e1 differs in: amount'],
    'the same event id with another amount: CD002, the field in DETAIL'
);
SELECT is(
    (pg_temp.error_fields($$SELECT tips.ingest_tip('e1', pg_temp.pubkey('host b'), pg_temp.pubkey('other'), 2500000,
                                                   pg_temp.wsol(), pg_temp.sig('e1x'))$$))[4],
    'event_id=e1 differs in: host, signer, mint, signature',
    'every field that differs is named'
);
SELECT is(pg_temp.refused($$SELECT tips.ingest_tip('e2', pg_temp.pubkey('nobody'), pg_temp.pubkey('signer'), 1,
                                                   pg_temp.usdc(), pg_temp.sig('e2'))$$),
    '23503 events_host_fkey', 'a tip to an unknown host is refused');
SELECT is(pg_temp.refused($$SELECT tips.ingest_tip('e3', pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 1,
                                                   pg_temp.usdc(), pg_temp.sig('e1'))$$),
    '23505 events_signature_key', 'a transaction ingested under another event id is refused (one tip per transaction)');
SELECT is(pg_temp.refused($$SELECT pg_temp.tip('e 4')$$), '23514 events_id_check', 'an event id has no spaces');
SELECT is(pg_temp.refused($$SELECT pg_temp.tip('')$$), '23514 events_id_check', 'an event id is not empty');
SELECT lives_ok($$SELECT pg_temp.tip('evt_AZ-09:~!.' || repeat('x', 59))$$,
    'an event id is any printable ASCII, up to 72 characters');
SELECT throws_ok($$SELECT pg_temp.tip(repeat('x', 73))$$, '22001', NULL, 'an event id is at most 72 characters');
SELECT is(pg_temp.refused($$SELECT tips.ingest_tip('e5', pg_temp.pubkey('host a'), 'not-a-key', 1, pg_temp.usdc(),
                                                   pg_temp.sig('e5'))$$),
    '23514 events_signer_check', 'the signer is a Solana public key');
SELECT is(pg_temp.refused($$SELECT tips.ingest_tip('e6', pg_temp.pubkey('host a'), pg_temp.pubkey('host a'), 1,
                                                   pg_temp.usdc(), pg_temp.sig('e6'))$$),
    '23514 events_signer_host_check', 'no self-tips: the signer is not the host');
SELECT is(pg_temp.refused($$SELECT pg_temp.tip('e7', 0)$$), '23514 events_amount_check', 'a tip of 0 is refused');
SELECT is(pg_temp.refused($$SELECT pg_temp.tip('e8', -5)$$), '23514 events_amount_check', 'a negative tip is refused');
SELECT lives_ok($$SELECT pg_temp.tip('e9', 1)$$, 'a tip of 1 (the smallest unit) is accepted');
SELECT is(pg_temp.refused($$SELECT tips.ingest_tip('e10', pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 1,
                                                   'USDC', pg_temp.sig('e10'))$$),
    '23514 events_mint_check', 'the mint is a Solana public key');
SELECT is(pg_temp.refused($$SELECT tips.ingest_tip('e11', pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 1,
                                                   pg_temp.usdc(), pg_temp.pubkey('e11'))$$),
    '23514 events_signature_check', 'the signature is 64 bytes of base58, not a key');
SELECT is(
    (SELECT count(*)::int FROM tips.events
     WHERE id IN ('e2', 'e3', 'e 4', '', 'e5', 'e6', 'e7', 'e8', 'e10', 'e11'))
    + (SELECT count(*)::int FROM tips.event_verifications
       WHERE event_id IN ('e2', 'e3', 'e 4', '', 'e5', 'e6', 'e7', 'e8', 'e10', 'e11')),
    0, 'a refused ingest writes nothing: neither the event nor a verification'
);
SELECT throws_ok($$SELECT tips.ingest_tip(NULL, pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 1, pg_temp.usdc(),
                                          pg_temp.sig('null'))$$,
    '23502', NULL, 'an event without an id is refused');

SET CONSTRAINTS ALL IMMEDIATE;
SELECT lives_ok($$SELECT pg_temp.tip('e14')$$,
    'ingest stores event and verification in one statement: it works with the constraints IMMEDIATE too');

-- events are append-only, for every role
SELECT is(pg_temp.refused($$UPDATE tips.events SET amount = 1 WHERE id = 'e1'$$), 'CD003 events_append_only',
    'an event is never updated (the owner neither)');
SELECT is(pg_temp.refused($$DELETE FROM tips.events WHERE id = 'e9'$$), 'CD003 events_append_only',
    'an event is never deleted');
SET LOCAL client_min_messages = warning;
SELECT is(pg_temp.refused($$TRUNCATE tips.events CASCADE$$), 'CD003 events_append_only', 'events are never truncated');
SET CONSTRAINTS ALL DEFERRED;
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_app', 'UPDATE tips.events SET amount = 1')$$, '42501', NULL,
    'the app has no UPDATE on events');
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_app', 'DELETE FROM tips.events')$$, '42501', NULL,
    'the app has no DELETE on events');
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_app', format('INSERT INTO tips.events (id, host, signer, amount, mint, signature)
        VALUES (''e12'', %L, %L, 1, %L, %L)', pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), pg_temp.usdc(),
        pg_temp.sig('e12')))$$,
    '42501', NULL, 'the app stores a tip only through ingest_tip'
);
SELECT lives_ok(
    $$SELECT pg_temp.as_role('chaindb_app', format('SELECT tips.ingest_tip(''e13'', %L, %L, 1, %L, %L)',
        pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), pg_temp.usdc(), pg_temp.sig('e13')))$$,
    'the app ingests through ingest_tip'
);

-- at commit, every event has its verification (whoever inserted it)
CREATE FUNCTION pg_temp.event_alone(p_with_verification boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tips.events (id, host, signer, amount, mint, signature)
    VALUES ('alone', pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 1, pg_temp.usdc(), pg_temp.sig('alone'));
    IF p_with_verification THEN
        INSERT INTO tips.event_verifications (event_id, signature) VALUES ('alone', pg_temp.sig('alone'));
    END IF;
    SET CONSTRAINTS tips.events_verification_required IMMEDIATE;
    SET CONSTRAINTS tips.events_verification_required DEFERRED;
END
$$;
SELECT is(
    pg_temp.error_fields($$SELECT pg_temp.event_alone(false)$$),
    ARRAY['CD007', 'events_verification_required', 'events', 'event_id=alone'],
    'an event stored without its verification is refused at commit (CD007), even by the owner'
);
SELECT is((SELECT count(*)::int FROM tips.events
           WHERE id = 'alone'), 0, '... and is not stored');
SELECT lives_ok($$SELECT pg_temp.event_alone(true)$$, 'an event stored with its verification is accepted');
SELECT is(
    (SELECT count(*)::int FROM tips.event_verifications
     WHERE event_id = 'alone'), 1,
    '... event and verification together'
);
SELECT is(pg_temp.refused($$INSERT INTO tips.event_verifications (event_id, signature) VALUES ('e1', pg_temp.sig('e1'))$$),
    '23505 event_verifications_event_id_key', 'one verification per event');
CREATE FUNCTION pg_temp.mismatched() RETURNS void LANGUAGE sql AS $$
    INSERT INTO tips.events (id, host, signer, amount, mint, signature)
    VALUES ('e15', pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 1, pg_temp.usdc(), pg_temp.sig('e15'));
    INSERT INTO tips.event_verifications (event_id, signature) VALUES ('e15', pg_temp.sig('e1'));
$$;
SELECT is(pg_temp.refused($$SELECT pg_temp.mismatched()$$),
    '23503 event_verifications_event_id_signature_fkey', 'a verification''s signature is its event''s');
SELECT is(pg_temp.refused($$INSERT INTO tips.event_verifications (event_id, signature) VALUES ('none', pg_temp.sig('x'))$$),
    '23503 event_verifications_event_id_signature_fkey', 'a verification needs its event');

SELECT * FROM finish();
ROLLBACK;
