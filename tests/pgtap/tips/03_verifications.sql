-- tips: event_verifications (each CHECK on both sides, immutable columns) and the worker's functions:
-- claim (lease, attempt count, due rows only), verify, fail, release, each only by the claim's holder.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(59);
\ir ../helpers.psql
\ir fixtures.psql

SELECT pg_temp.tip('v' || n) FROM generate_series(1, 6) AS n;
-- the owner moves rows by hand here, to reach each CHECK
CREATE FUNCTION pg_temp.set(p_event text, p_assignments text) RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.refused(format('UPDATE tips.event_verifications SET %s WHERE event_id = %L', p_assignments, p_event))
$$;

-- CHECKs, both sides
SELECT is(pg_temp.set('v1', $$status = 'verified', slot = 0, verified_at = now(), helius_response = '{"slot": 0}'$$),
    NULL, 'verified with a slot (0 is a slot), verified_at and an answer for that slot');
SELECT is(pg_temp.set('v2', $$status = 'verified', slot = -1, verified_at = now(), helius_response = '{"slot": -1}'$$),
    '23514 event_verifications_slot_check', 'a slot is never negative');
SELECT is(pg_temp.set('v2', $$status = 'verified', verified_at = now(), helius_response = '{"found": true}'$$),
    '23514 event_verifications_slot_status_check', 'verified requires a slot');
SELECT is(pg_temp.set('v2', $$slot = 5$$), '23514 event_verifications_slot_status_check', 'a pending row has no slot');
SELECT is(pg_temp.set('v2', $$status = 'verified', slot = 5, helius_response = '{"slot": 5}'$$),
    '23514 event_verifications_verified_at_check', 'verified requires verified_at');
SELECT is(pg_temp.set('v2', $$verified_at = now()$$), '23514 event_verifications_verified_at_check',
    'a pending row has no verified_at');
SELECT is(pg_temp.set('v2', $$status = 'verified', slot = 5, verified_at = now(), helius_response = '{"slot": 6}'$$),
    '23514 event_verifications_helius_response_slot_check', 'a verified row''s answer is for its slot');
SELECT is(pg_temp.set('v2', $$status = 'verified', slot = 5, verified_at = now(), helius_response = '{}'$$),
    '23514 event_verifications_helius_response_check', 'a verified row has an answer');
SELECT is(pg_temp.set('v2', $$helius_response = '{"found": false}'$$),
    '23514 event_verifications_helius_response_check', 'a pending row has no answer yet');
SELECT is(pg_temp.set('v2', $$status = 'failed', error_code = 'X', helius_response = '[]'$$),
    '23514 event_verifications_helius_response_check', 'the answer is a JSON object');
SELECT is(pg_temp.set('v2', $$status = 'verified', slot = 5, verified_at = now(), helius_response = '{"slot": 5}',
                              error_code = 'X'$$),
    '23514 event_verifications_error_code_check', 'a verified row has no error code');
SELECT is(pg_temp.set('v2', $$status = 'failed', helius_response = '{"found": false}'$$),
    '23514 event_verifications_error_code_check', 'failed requires an error code');
SELECT is(pg_temp.set('v2', $$status = 'failed', error_code = 'not found', helius_response = '{"found": false}'$$),
    '23514 event_verifications_error_code_format_check', 'an error code is upper case, digits and _');
SELECT is(pg_temp.set('v2', $$status = 'failed', error_code = 'TX_NOT_FOUND', slot = 9,
                              helius_response = '{"found": true}', claim_token = gen_random_uuid()$$),
    '23514 event_verifications_claim_check', 'a decided row holds no claim');
SELECT is(pg_temp.set('v2', $$claim_token = gen_random_uuid()$$), NULL, 'a pending row may be claimed');
SELECT is(pg_temp.set('v2', $$status = 'failed', error_code = 'TX_NOT_FOUND', slot = 9, claim_token = NULL,
                              helius_response = '{"found": true}'$$),
    NULL, 'failed with a code, and a slot when the transaction was found');
SELECT is(pg_temp.set('v3', $$attempt_count = -1$$), '23514 event_verifications_attempt_count_check',
    'attempt_count is never negative');

-- immutable and set-once columns
SELECT is(pg_temp.set('v3', $$signature = pg_temp.sig('v4')$$), 'CD003 event_verifications_signature_immutable',
    'the signature never changes');
SELECT is(pg_temp.set('v3', $$event_id = 'v4'$$), 'CD003 event_verifications_event_id_immutable',
    'the event never changes');
SELECT is(pg_temp.set('v3', $$created_at = now() - interval '1 day'$$),
    'CD003 event_verifications_created_at_immutable', 'created_at never changes');
SELECT is(pg_temp.set('v2', $$slot = 10$$), 'CD003 event_verifications_slot_immutable', 'a slot is set once');
SELECT is(pg_temp.set('v2', $$error_code = 'TX_FAILED'$$), 'CD003 event_verifications_error_code_immutable',
    'an error code is set once');
SELECT is(pg_temp.set('v1', $$verified_at = now() + interval '1 second'$$),
    'CD003 event_verifications_verified_at_immutable', 'verified_at is set once');

-- claim: due pending rows, oldest first, one token, a lease, attempt_count + 1
UPDATE tips.event_verifications SET available_at = now() - interval '1 minute' * (10 - substr(event_id, 2)::int)
WHERE event_id IN ('v3', 'v4', 'v5', 'v6');
CREATE TEMP TABLE claimed AS SELECT * FROM tips.claim_verifications(2, '90 seconds');
SELECT is((SELECT array_agg(event_id::text ORDER BY event_id) FROM claimed), ARRAY['v3', 'v4'],
    'the oldest due pending rows are claimed, at most max_rows');
SELECT is((SELECT count(DISTINCT claim_token)::int FROM claimed
           WHERE claim_token IS NOT NULL), 1,
    'one claim token for the whole claim');
SELECT is((SELECT array_agg(DISTINCT row(attempt_count, available_at = now() + interval '90 seconds')::text) FROM claimed),
    ARRAY['(1,t)'], 'each claimed row counts an attempt and is held until now + lease');
SELECT is((SELECT array_agg(event_id::text ORDER BY event_id) FROM tips.claim_verifications(10, '1 minute')), ARRAY['v5', 'v6'],
    'a second claim skips the held rows and the decided ones');
SELECT is((SELECT count(*)::int FROM tips.claim_verifications(10, '1 minute')), 0, 'nothing is due now');
UPDATE tips.event_verifications SET available_at = now() - interval '1 second'
    WHERE event_id = 'v3';
CREATE TEMP TABLE reclaimed AS SELECT * FROM tips.claim_verifications(10, '1 minute');
SELECT is((SELECT (r.event_id, r.attempt_count, r.claim_token <> (SELECT c.claim_token FROM claimed AS c
                                                                    WHERE c.event_id = 'v3'))::text
           FROM reclaimed AS r), '(v3,2,t)',
    'a row whose lease ran out (its worker died) is claimed again: a new token, a second attempt');
SELECT throws_ok($$SELECT tips.claim_verifications(0, '1 minute')$$, '22023', NULL, 'max_rows is at least 1');
SELECT throws_ok($$SELECT tips.claim_verifications(1001, '1 minute')$$, '22023', NULL, 'max_rows is at most 1000');
SELECT throws_ok($$SELECT tips.claim_verifications(NULL, '1 minute')$$, '22023', NULL, 'max_rows is required');
SELECT throws_ok($$SELECT tips.claim_verifications(1, '0.5 seconds')$$, '22023', NULL, 'a lease is at least a second');
SELECT throws_ok($$SELECT tips.claim_verifications(1, '61 minutes')$$, '22023', NULL, 'a lease is at most an hour');
SELECT lives_ok($$SELECT tips.claim_verifications(1000, '1 hour')$$, 'max_rows 1000 and a lease of an hour are fine');
SELECT lives_ok($$SELECT tips.claim_verifications(1, '1 second')$$, 'max_rows 1 and a lease of a second are fine');

-- the outcome needs the claim's token
SELECT is(
    pg_temp.error_fields(format($$SELECT tips.verify_event(%L, %L, 11, '{"slot": 11}')$$,
        (SELECT id FROM claimed
         WHERE event_id = 'v3'), (SELECT claim_token FROM claimed
                                                         WHERE event_id = 'v3'))),
    ARRAY['CD007', 'event_verifications_claim_held', 'event_verifications',
          format('id=%s claim_token=%s', (SELECT id FROM claimed
                                          WHERE event_id = 'v3'),
                 (SELECT claim_token FROM claimed
                  WHERE event_id = 'v3'))],
    'a worker whose row was claimed again cannot record its outcome (CD007)'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.verify_event(%L, NULL, 11, '{"slot": 11}')$$,
        (SELECT id FROM claimed
         WHERE event_id = 'v3'))),
    'CD007 event_verifications_claim_held', 'no token, no outcome'
);
SELECT is(
    pg_temp.error_fields($$SELECT tips.verify_event('00000000-0000-4000-8000-000000000000', gen_random_uuid(), 1, '{}')$$),
    ARRAY['CD005', '', 'event_verifications', 'key=00000000-0000-4000-8000-000000000000'],
    'an unknown verification: CD005'
);
SELECT is(
    (SELECT (v.status, v.slot, v.helius_response, v.verified_at = now(), v.claim_token IS NULL)::text
     FROM tips.verify_event((SELECT id FROM reclaimed), (SELECT claim_token FROM reclaimed), 11,
                            '{"found": true, "slot": 11}') AS v),
    ROW('verified'::tips.verification_status, 11::bigint, '{"found": true, "slot": 11}'::jsonb, true, true)::text,
    'the holder verifies: slot, answer, verified_at = now, the claim released'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT tips.verify_event(%L, %L, 11, '{"slot": 11}')$$,
        (SELECT id FROM reclaimed), (SELECT claim_token FROM reclaimed))),
    ARRAY['CD001', 'event_verifications_status_transition', 'event_verifications', 'from=verified to=verified'],
    'a decided verification is not decided again (CD001)'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.fail_verification(%L, %L, 'TX_FAILED', NULL, '{"found": true}')$$,
        (SELECT id FROM reclaimed), (SELECT claim_token FROM reclaimed))),
    'CD001 event_verifications_status_transition', 'a verified tip never becomes failed'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.verify_event(%L, %L, NULL, '{"found": true}')$$,
        (SELECT id FROM claimed
         WHERE event_id = 'v4'), (SELECT claim_token FROM claimed
                                                         WHERE event_id = 'v4'))),
    '23514 event_verifications_slot_status_check', 'verify_event needs a slot'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.verify_event(%L, %L, 12, '{"slot": 13}')$$,
        (SELECT id FROM claimed
         WHERE event_id = 'v4'), (SELECT claim_token FROM claimed
                                                         WHERE event_id = 'v4'))),
    '23514 event_verifications_helius_response_slot_check', 'verify_event''s answer is for its slot'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.fail_verification(%L, %L, NULL, NULL, '{"found": false}')$$,
        (SELECT id FROM claimed
         WHERE event_id = 'v4'), (SELECT claim_token FROM claimed
                                                         WHERE event_id = 'v4'))),
    '23514 event_verifications_error_code_check', 'fail_verification needs an error code'
);
SELECT is(
    (SELECT (v.status, v.error_code, v.slot, v.helius_response, v.verified_at, v.claim_token)::text
     FROM tips.fail_verification((SELECT id FROM claimed
                                  WHERE event_id = 'v4'),
                                 (SELECT claim_token FROM claimed
                                  WHERE event_id = 'v4'),
                                 'AMOUNT_MISMATCH', 12, '{"found": true, "slot": 12, "received": 1}') AS v),
    ROW('failed'::tips.verification_status, 'AMOUNT_MISMATCH', 12::bigint,
        '{"found": true, "slot": 12, "received": 1}'::jsonb, NULL::timestamptz, NULL::uuid)::text,
    'the holder fails it: the code, the slot, the answer, the claim released'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.verify_event(%L, %L, 12, '{"slot": 12}')$$,
        (SELECT id FROM claimed
         WHERE event_id = 'v4'), (SELECT claim_token FROM claimed
                                                         WHERE event_id = 'v4'))),
    'CD001 event_verifications_status_transition', 'a failed tip never becomes verified'
);

-- release: undecided, unclaimed, due again after retry_in
CREATE TEMP TABLE held AS SELECT * FROM tips.event_verifications
                          WHERE event_id = 'v5';
SELECT is(
    (SELECT (v.status, v.claim_token, v.available_at = now() + interval '15 seconds', v.attempt_count)::text
     FROM tips.release_verification((SELECT id FROM held), (SELECT claim_token FROM held), '15 seconds') AS v),
    ROW('pending'::tips.verification_status, NULL::uuid, true, 1)::text,
    'released: still pending, unclaimed, due again in retry_in, its attempt counted'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.release_verification(%L, %L, '0')$$, (SELECT id FROM held),
                           (SELECT claim_token FROM held))),
    'CD007 event_verifications_claim_held', 'released once: the token holds nothing any more'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.verify_event(%L, NULL, 11, '{"slot": 11}')$$, (SELECT id FROM held))),
    'CD007 event_verifications_claim_held', 'an unclaimed row is not decided without a token either'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT tips.release_verification(%L, %L, '0')$$,
        (SELECT id FROM reclaimed), (SELECT claim_token FROM reclaimed))),
    ARRAY['CD001', 'event_verifications_status_transition', 'event_verifications', 'from=verified to=pending'],
    'a decided verification is never released back to pending'
);
CREATE TEMP TABLE v6 AS SELECT * FROM tips.event_verifications
                        WHERE event_id = 'v6';
SELECT throws_ok(format($$SELECT tips.release_verification(%L, %L, '-1 second')$$, (SELECT id FROM v6),
                        (SELECT claim_token FROM v6)), '22023', NULL, 'retry_in is not negative');
SELECT throws_ok(format($$SELECT tips.release_verification(%L, %L, '25 hours')$$, (SELECT id FROM v6),
                        (SELECT claim_token FROM v6)), '22023', NULL, 'retry_in is at most a day');
SELECT is(
    (SELECT v.available_at = now() FROM tips.release_verification((SELECT id FROM v6), (SELECT claim_token FROM v6), '0')
     AS v),
    true, 'retry_in 0: due again at once'
);

-- the app role: reads, and writes only through the functions
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_app', 'UPDATE tips.event_verifications SET status = ''verified''')$$,
    '42501', NULL, 'the app cannot move a verification by hand');
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_app', 'UPDATE tips.event_verifications SET claim_token = NULL')$$,
    '42501', NULL, 'the app cannot steal or drop a claim by hand'
);
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_app', format('INSERT INTO tips.event_verifications (event_id, signature)
        VALUES (''v1'', %L)', pg_temp.sig('v1')))$$,
    '42501', NULL, 'the app cannot insert a verification by hand'
);
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_app', 'DELETE FROM tips.event_verifications')$$,
    '42501', NULL, 'the app cannot delete a verification');
SELECT lives_ok($$SELECT pg_temp.as_role('chaindb_app', 'SELECT tips.claim_verifications(1, ''1 minute'')')$$,
    'the app claims through the function');

SELECT * FROM finish();
ROLLBACK;
