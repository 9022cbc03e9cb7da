-- tips: reflect_payouts (only for verified events, each CHECK on both sides, immutable columns,
-- updated_at) and the payout lifecycle functions, each move only by the claim's holder.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(70);
\ir ../helpers.psql
\ir fixtures.psql

-- only for a verified event, whoever inserts
SELECT pg_temp.tip('pending-tip');
SELECT pg_temp.tip('failed-tip');
SELECT pg_temp.decide('failed-tip', 'TX_FAILED');
SELECT is(
    pg_temp.error_fields($$SELECT tips.create_payout('pending-tip', 'USDC', 1)$$),
    ARRAY['CD007', 'reflect_payouts_event_verified', 'reflect_payouts', 'event_id=pending-tip verification=pending'],
    'no payout for a pending tip (CD007)'
);
SELECT is(
    (pg_temp.error_fields($$INSERT INTO tips.reflect_payouts (event_id, currency, amount)
                            VALUES ('failed-tip', 'USDC', 1)$$))[1:4],
    ARRAY['CD007', 'reflect_payouts_event_verified', 'reflect_payouts', 'event_id=failed-tip verification=failed'],
    'no payout for a failed tip, even inserted by the owner'
);
SELECT is(
    (pg_temp.error_fields($$SELECT tips.create_payout('no-such-tip', 'USDC', 1)$$))[4],
    'event_id=no-such-tip verification=none', 'no payout for an unknown event'
);
SELECT is((SELECT count(*)::int FROM tips.reflect_payouts), 0, 'nothing was written');

SELECT pg_temp.tip('t1');
SELECT pg_temp.decide('t1', 'verified');
SELECT is(
    (SELECT (p.status, p.currency, p.amount, p.attempt_count, p.reflect_tip_id, p.last_error, p.claim_token,
             p.available_at = now())::text
     FROM tips.create_payout('t1', 'USDC', 1.555) AS p),
    ROW('pending'::tips.payout_status, 'USDC', 1.56::numeric(18, 2), 0, NULL::text, NULL::text, NULL::uuid, true)::text,
    'a verified tip gets its pending payout (amount in cents), due at once'
);
SELECT is(pg_temp.refused($$SELECT tips.create_payout('t1', 'USDC', 1)$$), '23505 reflect_payouts_event_id_key',
    'one payout per event');

-- CHECKs, both sides
SELECT pg_temp.tip('t' || n) FROM generate_series(2, 9) AS n;
SELECT pg_temp.decide('t' || n, 'verified') FROM generate_series(2, 9) AS n;
SELECT is(pg_temp.refused($$SELECT tips.create_payout('t2', 'USDC', -0.01)$$), '23514 reflect_payouts_amount_check',
    'amount >= 0 (the seed)');
SELECT is(pg_temp.refused($$SELECT tips.create_payout('t2', 'USDC', 'NaN')$$),
    '23514 reflect_payouts_amount_finite_check', 'NaN is refused (NaN >= 0 is true in PostgreSQL)');
SELECT throws_ok($$SELECT tips.create_payout('t2', 'USDC', 'Infinity')$$, '22003', NULL,
    'Infinity does not fit numeric(18, 2)');
SELECT lives_ok($$SELECT tips.create_payout('t2', 'USDC', 0)$$, 'a payout of 0 is accepted (a tip worth less than a cent)');
SELECT is(pg_temp.refused($$SELECT tips.create_payout('t3', 'usdc', 1)$$), '23514 reflect_payouts_currency_check',
    'a currency is an upper-case ticker');
SELECT is(pg_temp.refused($$SELECT tips.create_payout('t3', 'U', 1)$$), '23514 reflect_payouts_currency_check',
    'a ticker has at least two characters');
SELECT lives_ok($$SELECT tips.create_payout('t3', 'PYUSD', 1)$$, 'PYUSD is a ticker');
SELECT lives_ok($$SELECT tips.create_payout('t' || n, 'USDC', n) FROM generate_series(4, 9) AS n$$, 'more payouts');

CREATE FUNCTION pg_temp.set(p_event text, p_assignments text) RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.refused(format('UPDATE tips.reflect_payouts SET %s WHERE event_id = %L', p_assignments, p_event))
$$;
SELECT is(pg_temp.set('t4', $$attempt_count = -1$$), '23514 reflect_payouts_attempt_count_check',
    'attempt_count is never negative');
SELECT is(pg_temp.set('t4', $$reflect_tip_id = 'rfl_1'$$), '23514 reflect_payouts_reflect_tip_id_status_check',
    'a pending payout has no Reflect id');
SELECT is(pg_temp.set('t4', $$status = 'queued'$$), '23514 reflect_payouts_reflect_tip_id_status_check',
    'a queued payout has its Reflect id');
SELECT is(pg_temp.set('t4', $$status = 'queued', reflect_tip_id = 'rfl_4'$$), NULL, 'queued with Reflect''s id');
SELECT is(pg_temp.set('t4', $$status = 'failed'$$), '23514 reflect_payouts_last_error_check',
    'a failed payout says why');
SELECT is(pg_temp.set('t4', $$status = 'failed', last_error = 'no'$$), NULL, 'failed with Reflect''s error');
SELECT is(pg_temp.set('t5', $$status = 'cancelled'$$), '23514 reflect_payouts_last_error_check',
    'a cancelled payout says why');
SELECT is(pg_temp.set('t5', $$status = 'cancelled', last_error = 'operator'$$), NULL,
    'cancelled while pending: no Reflect id');
SELECT is(pg_temp.set('t6', $$status = 'queued', reflect_tip_id = 'rfl_4'$$), '23505 reflect_payouts_reflect_tip_id_key',
    'a Reflect id names one payout');
SELECT is(pg_temp.set('t6', $$status = 'queued', reflect_tip_id = 'rfl_6', claim_token = gen_random_uuid()$$), NULL,
    'a queued payout may be claimed');
SELECT is(pg_temp.set('t6', $$status = 'settled'$$), '23514 reflect_payouts_claim_check',
    'a settled payout holds no claim');
SELECT is(pg_temp.set('t6', $$status = 'settled', claim_token = NULL$$), NULL, 'settled, unclaimed');

-- immutable columns, updated_at
SELECT is(pg_temp.set('t7', $$amount = 2$$), 'CD003 reflect_payouts_amount_immutable', 'the amount never changes');
SELECT is(pg_temp.set('t7', $$currency = 'PYUSD'$$), 'CD003 reflect_payouts_currency_immutable',
    'the currency never changes');
SELECT is(pg_temp.set('t7', $$event_id = 't1'$$), 'CD003 reflect_payouts_event_id_immutable',
    'the event never changes');
SELECT is(pg_temp.set('t7', $$created_at = now() - interval '1 day'$$), 'CD003 reflect_payouts_created_at_immutable',
    'created_at never changes');
SELECT is(pg_temp.set('t6', $$reflect_tip_id = 'rfl_other'$$), 'CD003 reflect_payouts_reflect_tip_id_immutable',
    'Reflect''s id is set once');
SET LOCAL session_replication_role = replica;  -- backdate updated_at (the trigger would stamp now())
UPDATE tips.reflect_payouts SET updated_at = now() - interval '1 hour'
    WHERE event_id = 't7';
SET LOCAL session_replication_role = origin;
UPDATE tips.reflect_payouts SET last_error = 'a note'
    WHERE event_id = 't7';
SELECT is((SELECT updated_at FROM tips.reflect_payouts
           WHERE event_id = 't7'), now(),
    'updated_at follows every change (common.tg__set_updated_at)');

-- the lifecycle through the functions
CREATE TEMP TABLE sent AS SELECT * FROM tips.claim_payouts('pending', 10, '1 minute');
SELECT is((SELECT array_agg(event_id::text ORDER BY event_id) FROM sent), ARRAY['t1', 't2', 't3', 't7', 't8', 't9'],
    'claim_payouts(pending) takes the due pending payouts');
SELECT is((SELECT array_agg(DISTINCT row(attempt_count, available_at = now() + interval '1 minute')::text) FROM sent),
    ARRAY['(1,t)'], 'each send counts an attempt; the lease holds it');
CREATE FUNCTION pg_temp.token(p_event text) RETURNS uuid LANGUAGE sql AS $$
    SELECT claim_token FROM tips.reflect_payouts WHERE event_id = p_event
$$;
CREATE FUNCTION pg_temp.pid(p_event text) RETURNS uuid LANGUAGE sql AS $$
    SELECT id FROM tips.reflect_payouts WHERE event_id = p_event
$$;
SELECT is(
    pg_temp.refused(format($$SELECT tips.queue_payout(%L, gen_random_uuid(), 'rfl_t1')$$, pg_temp.pid('t1'))),
    'CD007 reflect_payouts_claim_held', 'another token cannot move a claimed payout'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.queue_payout(%L, %L, NULL)$$, pg_temp.pid('t1'), pg_temp.token('t1'))),
    '23514 reflect_payouts_reflect_tip_id_status_check', 'queued needs Reflect''s id'
);
SELECT is(
    (SELECT (p.status, p.reflect_tip_id, p.claim_token = pg_temp.token('t1'))::text
     FROM tips.queue_payout(pg_temp.pid('t1'), pg_temp.token('t1'), 'rfl_t1') AS p),
    '(queued,rfl_t1,t)', 'pending -> queued under Reflect''s id; the claim stays with the sender'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT tips.queue_payout(%L, %L, 'rfl_t1b')$$, pg_temp.pid('t1'), pg_temp.token('t1'))),
    ARRAY['CD001', 'reflect_payouts_status_transition', 'reflect_payouts', 'from=queued to=queued'],
    'a queued payout is not queued again'
);
SELECT is(
    (SELECT (p.status, p.claim_token)::text FROM tips.settle_payout(pg_temp.pid('t1'), pg_temp.token('t1')) AS p),
    '(settled,)', 'queued -> settled; the claim released'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT tips.settle_payout(%L, %L)$$, pg_temp.pid('t2'), pg_temp.token('t2'))),
    ARRAY['CD001', 'reflect_payouts_status_transition', 'reflect_payouts', 'from=pending to=settled'],
    'a payout Reflect does not have is never settled'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.fail_payout(%L, %L, 'x')$$, pg_temp.pid('t2'), pg_temp.token('t2'))),
    'CD001 reflect_payouts_status_transition', 'a payout Reflect does not have never fails at Reflect'
);
SELECT tips.queue_payout(pg_temp.pid('t2'), pg_temp.token('t2'), 'rfl_t2');
SELECT is(
    pg_temp.refused(format($$SELECT tips.fail_payout(%L, %L, NULL)$$, pg_temp.pid('t2'), pg_temp.token('t2'))),
    '23514 reflect_payouts_last_error_check', 'fail_payout needs Reflect''s error'
);
SELECT is(
    (SELECT (p.status, p.last_error, p.claim_token)::text
     FROM tips.fail_payout(pg_temp.pid('t2'), pg_temp.token('t2'), 'recipient blocked') AS p),
    '(failed,"recipient blocked",)', 'queued -> failed with Reflect''s error'
);
SELECT tips.queue_payout(pg_temp.pid('t3'), pg_temp.token('t3'), 'rfl_t3');
SELECT is(
    (SELECT (p.status, p.last_error)::text
     FROM tips.cancel_payout(pg_temp.pid('t3'), pg_temp.token('t3'), 'cancelled at Reflect') AS p),
    '(cancelled,"cancelled at Reflect")', 'queued -> cancelled by the holder (Reflect reports it cancelled)'
);
SELECT is(
    (SELECT p.status::text FROM tips.cancel_payout(pg_temp.pid('t7'), pg_temp.token('t7'), 'refused: 422') AS p),
    'cancelled', 'pending -> cancelled by the holder (Reflect refused the request)'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT tips.cancel_payout(%L, %L, 'late')$$, pg_temp.pid('t1'), gen_random_uuid())),
    ARRAY['CD001', 'reflect_payouts_status_transition', 'reflect_payouts', 'from=settled to=cancelled'],
    'a settled payout is never cancelled'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.cancel_payout(%L, %L, NULL)$$, pg_temp.pid('t8'), pg_temp.token('t8'))),
    '23514 reflect_payouts_last_error_check', 'a cancellation says why'
);

-- an operator (no token) cancels only a pending payout never sent
SELECT pg_temp.tip('op-tip');
SELECT pg_temp.decide('op-tip', 'verified');
SELECT tips.create_payout('op-tip', 'USDC', 1);
SELECT is(
    (SELECT (p.status, p.last_error, p.attempt_count)::text
     FROM tips.cancel_payout(pg_temp.pid('op-tip'), NULL, 'host closed the account') AS p),
    '(cancelled,"host closed the account",0)', 'an operator cancels a pending payout that was never sent'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT tips.cancel_payout(%L, NULL, 'operator')$$, pg_temp.pid('t8'))),
    ARRAY['CD007', 'reflect_payouts_cancel_unsent', 'reflect_payouts',
          format('id=%s status=pending attempt_count=1', pg_temp.pid('t8'))],
    'a payout that may be at Reflect (sent once) is not cancelled by an operator (CD007)'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.cancel_payout(%L, NULL, 'operator')$$, pg_temp.pid('t4'))),
    'CD001 reflect_payouts_status_transition', 'a failed payout is never cancelled'
);
SELECT is(
    pg_temp.refused($$SELECT tips.cancel_payout('00000000-0000-4000-8000-000000000000', NULL, 'x')$$),
    'CD005 ', 'an unknown payout: CD005'
);

-- release: same state, unclaimed, due again after retry_in, the error kept
SELECT is(
    (SELECT (p.status, p.claim_token, p.available_at = now() + interval '30 seconds', p.last_error)::text
     FROM tips.release_payout(pg_temp.pid('t8'), pg_temp.token('t8'), '30 seconds', 'HTTP 503') AS p),
    '(pending,,t,"HTTP 503")', 'a transient error: still pending, unclaimed, due in retry_in, the error recorded'
);
SELECT is((SELECT count(*)::int FROM tips.claim_payouts('pending', 10, '1 minute')
           WHERE event_id = 't8'), 0,
    'a released payout waits for retry_in');
SELECT is(
    pg_temp.refused(format($$SELECT tips.queue_payout(%L, NULL, 'rfl_t8')$$, pg_temp.pid('t8'))),
    'CD007 reflect_payouts_claim_held', 'an unclaimed payout is not moved without a token either'
);
SELECT FROM common.set_clock_offset(interval '31 seconds');
SELECT FROM tips.claim_payouts('pending', 10, '1 minute');
SELECT is(
    (SELECT p.last_error FROM tips.release_payout(pg_temp.pid('t8'), pg_temp.token('t8'), '1 hour', NULL) AS p),
    'HTTP 503', 'released again without an error: Reflect''s last error is kept'
);
SELECT FROM common.set_clock_offset(interval '0');
SELECT tips.queue_payout(pg_temp.pid('t9'), pg_temp.token('t9'), 'rfl_t9');
SELECT is(
    (SELECT (p.status, p.last_error)::text
     FROM tips.release_payout(pg_temp.pid('t9'), pg_temp.token('t9'), '0', NULL) AS p),
    '(queued,)', 'a queued payout Reflect has not paid yet: released to be asked again'
);
CREATE TEMP TABLE asked AS SELECT * FROM tips.claim_payouts('queued', 10, '1 minute');
SELECT is((SELECT (array_agg(event_id::text), min(attempt_count))::text FROM asked), '({t9},1)',
    'claim_payouts(queued) takes the due queued payouts; asking is not an attempt');
SELECT is(
    pg_temp.refused(format($$SELECT tips.release_payout(%L, %L, '0', NULL)$$, pg_temp.pid('t1'), gen_random_uuid())),
    'CD001 reflect_payouts_status_transition', 'a settled payout is never released'
);
SELECT throws_ok(format($$SELECT tips.release_payout(%L, %L, '-1 second', NULL)$$, pg_temp.pid('t9'),
                        pg_temp.token('t9')), '22023', NULL, 'retry_in is not negative');
SELECT throws_ok(format($$SELECT tips.release_payout(%L, %L, '2 days', NULL)$$, pg_temp.pid('t9'),
                        pg_temp.token('t9')), '22023', NULL, 'retry_in is at most a day');
SELECT throws_ok($$SELECT tips.claim_payouts('settled', 1, '1 minute')$$, '22023', NULL,
    'only pending or queued payouts are claimed');
SELECT throws_ok($$SELECT tips.claim_payouts(NULL, 1, '1 minute')$$, '22023', NULL, 'the status is required');
SELECT throws_ok($$SELECT tips.claim_payouts('pending', 0, '1 minute')$$, '22023', NULL, 'max_rows is at least 1');
SELECT throws_ok($$SELECT tips.claim_payouts('pending', 1001, '1 minute')$$, '22023', NULL, 'max_rows is at most 1000');
SELECT throws_ok($$SELECT tips.claim_payouts('pending', 1, '2 hours')$$, '22023', NULL, 'a lease is at most an hour');
SELECT throws_ok($$SELECT tips.claim_payouts('pending', 1, '0')$$, '22023', NULL, 'a lease is at least a second');

-- the app role: reads, writes only through the functions
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_app', 'UPDATE tips.reflect_payouts SET status = ''settled''')$$,
    '42501', NULL, 'the app cannot settle a payout by hand');
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_app', 'INSERT INTO tips.reflect_payouts (event_id, currency, amount)
        VALUES (''t1'', ''USDC'', 1)')$$,
    '42501', NULL, 'the app cannot insert a payout by hand'
);
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_app', 'DELETE FROM tips.reflect_payouts')$$, '42501', NULL,
    'the app cannot delete a payout');
SELECT lives_ok($$SELECT pg_temp.as_role('chaindb_app', 'SELECT tips.claim_payouts(''queued'', 1, ''1 minute'')')$$,
    'the app claims through the function');

SELECT * FROM finish();
ROLLBACK;
