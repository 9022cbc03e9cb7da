-- game_market: payouts (0009, 0011): the CHECKs, uniques, immutable columns; create_payout once per paid purchase,
-- claim_payouts (pending, failed after the backoff, sending after the lease), complete_payout, fail_payout with the
-- attempt it ends. (Concurrent claimers, SKIP LOCKED: tests/python/game_market/test_concurrency.py.)
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(55);
\ir ../helpers.psql
\ir fixtures.psql

SELECT pg_temp.gm_store('ned') AS game \gset
SELECT developer_user_id AS dev FROM game_market.games
WHERE id = :'game' \gset
SELECT pg_temp.gm_user('oli') AS oli \gset
SELECT pg_temp.gm_paid(:'game', :'oli', 'inv-1', 1000) AS p1 \gset
SELECT id AS po1 FROM game_market.payouts
WHERE purchase_id = :'p1' \gset
SELECT pg_temp.gm_buy(:'game', :'oli', 'inv-pending', 1000) AS pending \gset

-- CHECKs and uniques (written directly, as the owner could)
PREPARE payout (uuid, text, bigint, text) AS
INSERT INTO game_market.payouts (purchase_id, developer_user_id, destination_ln_address, amount_msat, idempotency_key)
VALUES ($1, (SELECT developer_user_id FROM game_market.games
             WHERE slug = 'ned'), $2, $3, $4);
SELECT is(pg_temp.gm_refused(format($$EXECUTE payout(%L, 'ned@pay', 1, 'k1')$$, :'pending')),
    '23514 payouts_destination_ln_address_check', 'the destination is a Lightning address');
SELECT is(pg_temp.gm_refused(format($$EXECUTE payout(%L, 'ned@pay.example.com', 0, 'k1')$$, :'pending')),
    '23514 payouts_amount_msat_check', 'a payout of 0 is refused');
SELECT is(pg_temp.gm_refused(format($$EXECUTE payout(%L, 'ned@pay.example.com', 1, 'k1')$$, :'pending')),
    '23514 payouts_idempotency_key_check', 'an idempotency key other than game_market:payout:<purchase id> is refused');
SELECT is(
    pg_temp.gm_refused(format($$EXECUTE payout(%L, 'ned@pay.example.com', 1, %L)$$, :'pending', 'game_market:payout:' || :'p1')),
    '23514 payouts_idempotency_key_check', 'another purchase''s key is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$EXECUTE payout(%L, 'ned@pay.example.com', 1, %L)$$, :'p1', 'game_market:payout:' || :'p1')),
    '23505 payouts_purchase_id_key', 'one payout per purchase'
);
SELECT lives_ok(
    format($$EXECUTE payout(%L, 'ned@pay.example.com', 1, %L)$$, :'pending', 'game_market:payout:' || :'pending'),
    'a payout with its purchase''s key is accepted (written directly: the owner could)'
);
DELETE FROM game_market.payouts
WHERE purchase_id = :'pending';
SELECT is(
    pg_temp.gm_refused(format(
        $$INSERT INTO game_market.payouts (purchase_id, developer_user_id, destination_ln_address, amount_msat,
                                           idempotency_key, status, attempt_count)
          VALUES (%L, %L, 'ned@pay.example.com', 1, 'k2', 'sending', 1)$$, :'pending', :'dev')),
    'CD007 payouts_initial_status', 'a payout starts pending'
);
SELECT is(pg_temp.gm_refused(format($$UPDATE game_market.payouts SET attempt_count = 1 WHERE id = %L$$, :'po1')),
    '23514 payouts_attempt_count_check', 'a pending payout has no attempt');
SELECT is(pg_temp.gm_refused(format($$UPDATE game_market.payouts SET status = 'sending' WHERE id = %L$$, :'po1')),
    '23514 payouts_attempt_count_check', 'a payout being sent has an attempt');
SELECT is(
    pg_temp.gm_refused(format($$UPDATE game_market.payouts SET status = 'sending', attempt_count = 1, last_error = ''
                                WHERE id = %L$$, :'po1')),
    '23514 payouts_last_error_check', 'an empty error is refused'
);
SELECT is(pg_temp.gm_refused(format($$UPDATE game_market.payouts SET amount_msat = 1 WHERE id = %L$$, :'po1')),
    'CD003 payouts_amount_msat_immutable', 'the amount never changes');
SELECT is(
    pg_temp.gm_refused(format($$UPDATE game_market.payouts SET destination_ln_address = 'thief@evil.example.com'
                                WHERE id = %L$$, :'po1')),
    'CD003 payouts_destination_ln_address_immutable', 'the destination never changes'
);
SELECT is(pg_temp.gm_refused(format($$UPDATE game_market.payouts SET idempotency_key = 'other' WHERE id = %L$$, :'po1')),
    'CD003 payouts_idempotency_key_immutable', 'the idempotency key never changes');

-- create_payout
SELECT is((SELECT id FROM game_market.create_payout(:'p1'))::text, :'po1',
    'create_payout: a settled purchase''s payout exists already and is returned');
SELECT is(
    pg_temp.error_fields(format($$SELECT game_market.create_payout(%L)$$, :'pending')),
    ARRAY['CD007', 'payouts_purchase_paid', 'payouts', format('purchase_id=%s status=pending', :'pending')],
    'an unpaid purchase gets no payout (CD007)'
);
SELECT is(
    pg_temp.error_fields($$SELECT game_market.create_payout('00000000-0000-4000-8000-000000000000')$$),
    ARRAY['CD005', '', 'purchases', 'key=00000000-0000-4000-8000-000000000000'], 'an unknown purchase is CD005'
);
-- a paid purchase without its payout (as only the owner could leave it)
SELECT pg_temp.gm_buy(:'game', :'oli', 'inv-bare', 5000) AS bare \gset
UPDATE game_market.purchases SET status = 'paid', paid_at = now()
WHERE id = :'bare';
INSERT INTO game_market.ledger_entries (purchase_id, type, amount_msat)
VALUES (:'bare', 'sale', 5000), (:'bare', 'platform_fee', 500), (:'bare', 'developer_share', 4500);
UPDATE game_market.developer_profiles SET payout_ln_address = 'ned@later.example.com'
WHERE user_id = :'dev';
SELECT results_eq(
    format($$SELECT purchase_id, developer_user_id, destination_ln_address, amount_msat, status::text, attempt_count,
                    idempotency_key
             FROM game_market.create_payout(%L)$$, :'bare'),
    format($$VALUES (%L::uuid, %L::uuid, 'ned@later.example.com', 4500::bigint, 'pending', 0, %L)$$,
        :'bare', :'dev', 'game_market:payout:' || :'bare'),
    'create_payout: the developer, the profile''s address now, the developer share, pending, the key from the purchase'
);
SELECT is((SELECT count(*)::integer FROM game_market.payouts
           WHERE purchase_id = :'bare'), 1, '... once');

-- claim_payouts
SELECT throws_ok($$SELECT game_market.claim_payouts(0)$$, '22023', 'payouts: max_rows must be 1 to 1000, not 0',
    'claim_payouts: max_rows below 1 is refused (22023)');
SELECT throws_ok($$SELECT game_market.claim_payouts(1001)$$, '22023', NULL, 'max_rows above 1000 is refused');
SELECT throws_ok($$SELECT game_market.claim_payouts(NULL)$$, '22023', NULL, 'max_rows NULL is refused');
SELECT pg_temp.gm_paid(:'game', :'oli', 'inv-2', 2000) AS p2 \gset
SELECT id AS po2 FROM game_market.payouts
WHERE purchase_id = :'p2' \gset
SELECT id AS po_bare FROM game_market.payouts
WHERE purchase_id = :'bare' \gset
SELECT pg_temp.gm_age('game_market.payouts', :'po1', '3 seconds');
SELECT pg_temp.gm_age('game_market.payouts', :'po2', '2 seconds');
SELECT results_eq(
    $$SELECT id, status::text, attempt_count FROM game_market.claim_payouts(2) ORDER BY attempt_count, updated_at$$,
    format($$VALUES (%L::uuid, 'sending', 1), (%L::uuid, 'sending', 1)$$, :'po1', :'po2'),
    'claim_payouts(2): the two pending payouts updated longest ago, now sending, attempt 1'
);
SELECT is(
    (
        SELECT array_agg(DISTINCT updated_at) FROM game_market.payouts
        WHERE id IN (:'po1', :'po2')
    ),
    ARRAY[now()],
    'a claim sets updated_at (payouts_updated_at): the lease counts from the claim, not from the payout''s creation'
);
SELECT results_eq($$SELECT id FROM game_market.claim_payouts(10)$$, format($$VALUES (%L::uuid)$$, :'po_bare'),
    'the next claim gets the third');
SELECT is_empty($$SELECT id FROM game_market.claim_payouts(10)$$, 'then none: a payout being sent is not claimed again');
SELECT pg_temp.gm_age('game_market.payouts', :'po1', '9 minutes 50 seconds');
SELECT is_empty($$SELECT id FROM game_market.claim_payouts(10)$$, 'not within its 10-minute lease');
SELECT pg_temp.gm_age('game_market.payouts', :'po1', '20 seconds');
SELECT results_eq($$SELECT id, status::text, attempt_count FROM game_market.claim_payouts(10)$$,
    format($$VALUES (%L::uuid, 'sending', 2)$$, :'po1'),
    'after its lease a sending payout is claimed again (its worker is presumed gone): attempt 2');

-- fail_payout
SELECT results_eq(
    format($$SELECT status::text, attempt_count, last_error FROM game_market.fail_payout(%L, 1, 'no route')$$, :'po2'),
    $$VALUES ('failed', 1, 'no route')$$, 'fail_payout: sending -> failed with the error'
);
SELECT ctid AS failed_ctid FROM game_market.payouts
WHERE id = :'po2' \gset
SELECT results_eq(format($$SELECT status::text, last_error FROM game_market.fail_payout(%L, 1, 'other')$$, :'po2'),
    $$VALUES ('failed', 'no route')$$, 'the same attempt failed again returns the payout');
SELECT is((SELECT ctid::text FROM game_market.payouts
           WHERE id = :'po2'), :'failed_ctid', '... unchanged');
SELECT is(
    pg_temp.error_fields(format($$SELECT game_market.fail_payout(%L, 1, 'late')$$, :'po1')),
    ARRAY['CD007', 'payouts_attempt_current', 'payouts', format('payout_id=%s attempt_count=1 current=2', :'po1')],
    'a worker whose payout was claimed again since cannot fail it (CD007)'
);
SELECT is((pg_temp.error_fields(format($$SELECT game_market.fail_payout(%L, 1, NULL)$$, :'po_bare')))[1:2],
    ARRAY['23514', 'payouts_last_error_check'], 'a failure says why (23514)');
SELECT is(
    (SELECT last_error FROM game_market.fail_payout(:'po_bare', 1, repeat('e', 3000))), repeat('e', 2000),
    'the error is kept to 2000 characters'
);
SELECT pg_temp.gm_paid(:'game', :'oli', 'inv-3', 3000) AS p3 \gset
SELECT id AS po3 FROM game_market.payouts
WHERE purchase_id = :'p3' \gset
SELECT is(
    pg_temp.error_fields(format($$SELECT game_market.fail_payout(%L, 0, 'x')$$, :'po3')),
    ARRAY['CD001', 'payouts_status_transition', 'payouts', 'from=pending to=failed'],
    'a pending payout is not failed (CD001)'
);
SELECT is(
    pg_temp.error_fields($$SELECT game_market.fail_payout('00000000-0000-4000-8000-000000000000', 1, 'x')$$),
    ARRAY['CD005', '', 'payouts', 'key=00000000-0000-4000-8000-000000000000'], 'fail_payout: an unknown payout is CD005'
);

-- the backoff of failed payouts: 2^(attempt_count - 1) minutes, at most an hour
SELECT results_eq($$SELECT id, attempt_count FROM game_market.claim_payouts(10)$$, format($$VALUES (%L::uuid, 1)$$, :'po3'),
    'a new payout is claimed at once, failed ones wait');
SELECT pg_temp.gm_age('game_market.payouts', :'po2', '59 seconds');
SELECT is_empty($$SELECT id FROM game_market.claim_payouts(10)$$, 'a payout failed once waits a minute');
SELECT pg_temp.gm_age('game_market.payouts', :'po2', '2 seconds');
SELECT results_eq($$SELECT id, attempt_count FROM game_market.claim_payouts(10)$$,
    format($$VALUES (%L::uuid, 2)$$, :'po2'), 'after a minute it is claimed again: attempt 2');
SELECT FROM game_market.fail_payout(:'po2', 2, 'no route again');
SELECT pg_temp.gm_age('game_market.payouts', :'po2', '119 seconds');
SELECT is_empty($$SELECT id FROM game_market.claim_payouts(10)$$, 'after two failures it waits two minutes');
SELECT pg_temp.gm_age('game_market.payouts', :'po2', '2 seconds');
SELECT results_eq($$SELECT id, attempt_count FROM game_market.claim_payouts(10)$$,
    format($$VALUES (%L::uuid, 3)$$, :'po2'), '... then attempt 3');
ALTER TABLE game_market.payouts DISABLE TRIGGER payouts_updated_at;
UPDATE game_market.payouts SET status = 'failed', attempt_count = 12, last_error = 'x', updated_at = now() - interval '59 minutes'
WHERE id = :'po2';
ALTER TABLE game_market.payouts ENABLE TRIGGER payouts_updated_at;
SELECT is_empty($$SELECT id FROM game_market.claim_payouts(10)$$, 'after 12 failures it waits an hour, not 2^11 minutes');
SELECT pg_temp.gm_age('game_market.payouts', :'po2', '2 minutes');
SELECT results_eq($$SELECT id, attempt_count FROM game_market.claim_payouts(10)$$,
    format($$VALUES (%L::uuid, 13)$$, :'po2'), '... and is claimed again after it');

-- complete_payout
SELECT is((SELECT status::text FROM game_market.complete_payout(:'po2')), 'completed',
    'complete_payout: sending -> completed');
SELECT ctid AS completed_ctid FROM game_market.payouts
WHERE id = :'po2' \gset
SELECT is((SELECT status::text FROM game_market.complete_payout(:'po2')), 'completed',
    'completing again returns the payout');
SELECT is((SELECT ctid::text FROM game_market.payouts
           WHERE id = :'po2'), :'completed_ctid', '... unchanged');
SELECT pg_temp.gm_paid(:'game', :'oli', 'inv-4', 4000) AS p4 \gset
SELECT is(
    pg_temp.error_fields(format($$SELECT game_market.complete_payout(po.id) FROM game_market.payouts AS po
                                  WHERE po.purchase_id = %L$$, :'p4')),
    ARRAY['CD001', 'payouts_status_transition', 'payouts', 'from=pending to=completed'],
    'a pending payout is not completed (CD001)'
);
SELECT is(
    (pg_temp.error_fields(format($$SELECT game_market.complete_payout(%L)$$, :'po_bare')))[4], 'from=failed to=completed',
    'a failed payout is completed only through a new attempt (CD001)'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT game_market.fail_payout(%L, 13, 'x')$$, :'po2')),
    ARRAY['CD001', 'payouts_status_transition', 'payouts', 'from=completed to=failed'],
    'a completed payout is not failed (CD001)'
);
SELECT is(
    pg_temp.error_fields($$SELECT game_market.complete_payout('00000000-0000-4000-8000-000000000000')$$),
    ARRAY['CD005', '', 'payouts', 'key=00000000-0000-4000-8000-000000000000'], 'complete_payout: unknown is CD005'
);
SELECT throws_ok(pg_temp.gm_as_app(format($$UPDATE game_market.payouts SET status = 'completed' WHERE id = %L$$, :'po1')),
    '42501', NULL, 'the application moves payouts only through the functions');

-- an attempt in flight when its purchase is refunded, then failing: nothing is left to pay
SELECT pg_temp.gm_paid(:'game', :'oli', 'inv-5', 5000) AS p5 \gset
SELECT id AS po5 FROM game_market.payouts
WHERE purchase_id = :'p5' \gset
SELECT FROM game_market.claim_payouts(10);
SELECT FROM game_market.refund_purchase(:'p5');
SELECT is((SELECT status::text FROM game_market.payouts
           WHERE id = :'po5'), 'sending', 'a refund leaves an attempt in flight alone');
SELECT results_eq(
    format($$SELECT status::text, last_error FROM game_market.fail_payout(%L, 1, 'no route')$$, :'po5'),
    $$VALUES ('cancelled', 'no route')$$,
    'fail_payout: the attempt of a refunded purchase that failed cancels the payout (not retried)'
);
SELECT results_eq(format($$SELECT status::text, last_error FROM game_market.fail_payout(%L, 1, 'again')$$, :'po5'),
    $$VALUES ('cancelled', 'no route')$$, 'failing it again returns it unchanged');
SELECT pg_temp.gm_age('game_market.payouts', :'po5', '2 hours');
SELECT is_empty(format($$SELECT id FROM game_market.claim_payouts(10) WHERE id = %L$$, :'po5'),
    'a cancelled payout is never claimed');

-- the seed's unique idempotency key, behind the CHECK that derives it from the purchase
ALTER TABLE game_market.payouts DROP CONSTRAINT payouts_idempotency_key_check;
SELECT is(pg_temp.gm_refused(format($$EXECUTE payout(%L, 'ned@pay.example.com', 1, %L)$$, :'pending', 'game_market:payout:' || :'p1')),
    '23505 payouts_idempotency_key_key', 'an idempotency key names one payout (the must-have unique index)');

SELECT * FROM finish();
ROLLBACK;
