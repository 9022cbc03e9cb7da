-- cocopay: invitations (invite_store_member, accept_store_member) and payouts (request_payout,
-- start_payout, complete_payout, fail_payout): every rule allowed and refused, with its SQLSTATE.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(32);
\ir ../helpers.psql

-- Fixtures: an owner, a customer, an invitee, a stranger
INSERT INTO cocopay.users (id, phone) VALUES
('00000000-0000-0000-0000-000000001501', '+5511900001501'),
('00000000-0000-0000-0000-000000001502', '+5511900001502'),
('00000000-0000-0000-0000-000000001503', '+5511900001503'),
('00000000-0000-0000-0000-000000001504', '+5511900001504');

-- Ids of the rows the functions create, by label
CREATE TEMP TABLE created (label text PRIMARY KEY, id uuid NOT NULL) ON COMMIT DROP;
CREATE FUNCTION pg_temp.created_id(p_label text) RETURNS uuid LANGUAGE sql STABLE AS $fn$
    SELECT c.id FROM created AS c
    WHERE c.label = p_label
$fn$;
CREATE FUNCTION pg_temp.store_id() RETURNS uuid LANGUAGE sql STABLE AS $fn$
    SELECT pg_temp.created_id('store')
$fn$;
CREATE FUNCTION pg_temp.payout_id(p_label text) RETURNS uuid LANGUAGE sql STABLE AS $fn$
    SELECT pg_temp.created_id('payout ' || p_label)
$fn$;

INSERT INTO created (label, id)
VALUES ('store', (SELECT s.id FROM cocopay.create_store(
    '00000000-0000-0000-0000-000000001501', 'Padaria Central', 'PADA'
) AS s));

-- invite_store_member / accept_store_member
SELECT common.freeze_clock('2024-05-01 09:00+00');
SELECT results_eq(
    $$SELECT m.role::text, m.invited_by, m.invited_at, m.accepted_at
      FROM cocopay.invite_store_member(
          pg_temp.store_id(), '00000000-0000-0000-0000-000000001503', 'staff',
          '00000000-0000-0000-0000-000000001501') AS m$$,
    $$VALUES ('staff', '00000000-0000-0000-0000-000000001501'::uuid, '2024-05-01 09:00+00'::timestamptz,
              NULL::timestamptz)$$,
    'the owner invites staff: a pending invitation'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.invite_store_member(pg_temp.store_id(), '00000000-0000-0000-0000-000000001504',
        'owner', '00000000-0000-0000-0000-000000001501')$$,
    'CD007', 'store_members: a store''s owner is made with the store, not invited',
    'nobody is invited as owner (CD007)'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.invite_store_member(pg_temp.store_id(), '00000000-0000-0000-0000-000000001502',
        'staff', '00000000-0000-0000-0000-000000001504')$$,
    'CD007', NULL,
    'a stranger cannot invite (CD007)'
);
SELECT alike(
    pg_temp.rule_error($$SELECT * FROM cocopay.invite_store_member(pg_temp.store_id(),
        '00000000-0000-0000-0000-000000001502', 'staff', '00000000-0000-0000-0000-000000001503')$$),
    'store_members_invited_by_manager | store=% invited_by=00000000-0000-0000-0000-000000001503',
    'an invitee who has not accepted cannot invite'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.invite_store_member(pg_temp.store_id(), '00000000-0000-0000-0000-000000001503',
        'admin', '00000000-0000-0000-0000-000000001501')$$,
    '23505', 'duplicate key value violates unique constraint "store_members_store_id_user_id_key"',
    'a member cannot be invited twice'
);
SELECT common.freeze_clock('2024-05-01 08:00+00');
SELECT throws_ok(
    $$SELECT * FROM cocopay.accept_store_member(pg_temp.store_id(), '00000000-0000-0000-0000-000000001503')$$,
    '23514', 'new row for relation "store_members" violates check constraint "store_members_accepted_at_check"',
    'an invitation is not accepted before it was sent'
);
SELECT common.freeze_clock('2024-05-01 10:00+00');
SELECT is(
    (SELECT m.accepted_at FROM cocopay.accept_store_member(
        pg_temp.store_id(), '00000000-0000-0000-0000-000000001503') AS m),
    '2024-05-01 10:00+00'::timestamptz,
    'the invitee accepts'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.accept_store_member(pg_temp.store_id(), '00000000-0000-0000-0000-000000001503')$$,
    'CD007', 'store_members: user 00000000-0000-0000-0000-000000001503 accepted already',
    'an invitation is accepted once (CD007)'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.accept_store_member(pg_temp.store_id(), '00000000-0000-0000-0000-000000001504')$$,
    'CD005', NULL,
    'accepting without an invitation is not_found (CD005)'
);
SELECT lives_ok(
    $$SELECT * FROM cocopay.invite_store_member(pg_temp.store_id(), '00000000-0000-0000-0000-000000001502',
        'admin', '00000000-0000-0000-0000-000000001501')$$,
    'the owner invites an admin'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.invite_store_member(pg_temp.store_id(), '00000000-0000-0000-0000-000000001504',
        'staff', '00000000-0000-0000-0000-000000001503')$$,
    'CD007', NULL,
    'accepted staff cannot invite (only owners and admins)'
);

-- Payouts
SELECT throws_ok(
    $$SELECT * FROM cocopay.request_payout(pg_temp.store_id(), '00000000-0000-0000-0000-000000001504', 100,
        'pix', '{"pix_key": "k"}')$$,
    'CD007', 'payouts: user 00000000-0000-0000-0000-000000001504 is not an owner or admin of store '
    || pg_temp.store_id(),
    'a stranger cannot request a payout (CD007)'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.request_payout(pg_temp.store_id(), '00000000-0000-0000-0000-000000001503', 100,
        'pix', '{"pix_key": "k"}')$$,
    'CD007', NULL,
    'staff cannot request a payout (CD007)'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.request_payout(pg_temp.store_id(), '00000000-0000-0000-0000-000000001502', 100,
        'pix', '{"pix_key": "k"}')$$,
    'CD007', NULL,
    'an admin who has not accepted cannot request a payout (CD007)'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.request_payout(pg_temp.store_id(), '00000000-0000-0000-0000-000000001501', 100,
        'wallet', '{"pix_key": "k"}')$$,
    '23514', 'new row for relation "payouts" violates check constraint "payouts_destination_check"',
    'request_payout keeps the payouts CHECKs'
);
INSERT INTO created (label, id)
VALUES ('payout one', (SELECT p.id FROM cocopay.request_payout(
    pg_temp.store_id(), '00000000-0000-0000-0000-000000001501', 100, 'pix', '{"pix_key": "k"}'
) AS p));
SELECT results_eq(
    $$SELECT p.status::text, p.fee_usd, p.processed_at FROM cocopay.payouts AS p
      WHERE p.id = pg_temp.payout_id('one')$$,
    $$VALUES ('pending', 0::numeric, NULL::timestamptz)$$,
    'the owner requests a payout: pending, fee 0'
);
SELECT throws_ok(
    format('SELECT * FROM cocopay.complete_payout(%L)', pg_temp.payout_id('one')),
    'CD001', 'payouts: status may not change from pending to completed',
    'a pending payout cannot complete (CD001)'
);
SELECT results_eq(
    format(
        $$SELECT p.status::text, p.external_id::text, p.processed_at FROM cocopay.start_payout(%L, 'e2e-1') AS p$$,
        pg_temp.payout_id('one')
    ),
    $$VALUES ('processing', 'e2e-1', NULL::timestamptz)$$,
    'start_payout: pending -> processing with the provider id'
);
SELECT is(
    pg_temp.rule_error(format('SELECT * FROM cocopay.start_payout(%L)', pg_temp.payout_id('one'))),
    'payouts_status_transition | from=processing to=processing',
    'a payout is started once (CD001, from/to in DETAIL)'
);
SELECT common.freeze_clock('2024-05-02 10:00+00');
SELECT results_eq(
    format(
        $$SELECT p.status::text, p.external_id::text, p.processed_at
          FROM cocopay.complete_payout(%L, NULL) AS p$$,
        pg_temp.payout_id('one')
    ),
    $$VALUES ('completed', 'e2e-1', '2024-05-02 10:00+00'::timestamptz)$$,
    'complete_payout: processing -> completed with processed_at, keeping the provider id'
);
SELECT throws_ok(
    format('SELECT * FROM cocopay.fail_payout(%L, %L)', pg_temp.payout_id('one'), 'late'),
    'CD001', 'payouts: status may not change from completed to failed',
    'a completed payout cannot fail (CD001)'
);
SELECT throws_ok(
    format('SELECT * FROM cocopay.complete_payout(%L)', pg_temp.payout_id('one')),
    'CD001', 'payouts: status may not change from completed to completed',
    'a payout completes once (CD001)'
);
INSERT INTO created (label, id)
VALUES ('payout two', (SELECT p.id FROM cocopay.request_payout(
    pg_temp.store_id(), '00000000-0000-0000-0000-000000001501', 50, 'bank', '{"bank_account": {}}', 1.5
) AS p));
SELECT common.freeze_clock('2024-05-02 11:00+00');
SELECT results_eq(
    format(
        $$SELECT p.status::text, p.error_message, p.processed_at, p.fee_usd
          FROM cocopay.fail_payout(%L, 'invalid account') AS p$$,
        pg_temp.payout_id('two')
    ),
    $$VALUES ('failed', 'invalid account', '2024-05-02 11:00+00'::timestamptz, 1.5::numeric)$$,
    'fail_payout: pending -> failed (rejected before processing) with processed_at'
);
SELECT throws_ok(
    format('SELECT * FROM cocopay.start_payout(%L)', pg_temp.payout_id('two')),
    'CD001', 'payouts: status may not change from failed to processing',
    'a failed payout cannot start (CD001)'
);
INSERT INTO created (label, id)
VALUES ('payout three', (SELECT p.id FROM cocopay.request_payout(
    pg_temp.store_id(), '00000000-0000-0000-0000-000000001501', 75, 'wallet',
    jsonb_build_object('wallet_address', '0x' || repeat('ab', 20))
) AS p));
SELECT lives_ok(
    format('SELECT * FROM cocopay.start_payout(%L)', pg_temp.payout_id('three')),
    'a wallet payout starts'
);
SELECT is(
    (SELECT p.status::text FROM cocopay.fail_payout(pg_temp.payout_id('three'), 'reverted') AS p),
    'failed',
    'fail_payout: processing -> failed'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.start_payout('00000000-0000-0000-0000-000000001599')$$,
    'CD005', 'payouts: no payout 00000000-0000-0000-0000-000000001599',
    'starting an unknown payout is not_found (CD005)'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.complete_payout('00000000-0000-0000-0000-000000001599')$$,
    'CD005', 'payouts: no payout 00000000-0000-0000-0000-000000001599',
    'completing an unknown payout is not_found (CD005)'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.fail_payout('00000000-0000-0000-0000-000000001599', 'x')$$,
    'CD005', 'payouts: no payout 00000000-0000-0000-0000-000000001599',
    'failing an unknown payout is not_found (CD005)'
);
SELECT is(
    (SELECT count(*) FROM cocopay.store_members
        WHERE store_id = pg_temp.store_id()), 3::bigint,
    'the store has its owner, one staff and one invited admin'
);
SELECT is(
    (SELECT array_agg(status::text ORDER BY amount_usd) FROM cocopay.payouts
        WHERE store_id = pg_temp.store_id()),
    ARRAY['failed', 'failed', 'completed'],
    'the payouts ended completed, failed before processing, failed while processing'
);

SELECT lives_ok(
    $$SELECT * FROM cocopay.request_payout(pg_temp.store_id(), '00000000-0000-0000-0000-000000001501', 10, 'pix',
          '{"pix_key": "k"}', 10)$$,
    'a payout fee may equal its amount (payouts_fee_usd_amount_usd_check: fee <= amount)'
);
SELECT * FROM finish();
ROLLBACK;
