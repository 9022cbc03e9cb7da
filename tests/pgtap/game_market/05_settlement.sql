-- game_market: settlement and refund (0012) with what they write in the same transaction: the entitlement (0006),
-- the ledger split at the fee rate (0008), the payout (0009, 0011); replays change nothing. Entitlements' CHECKs,
-- uniques and immutable columns.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(56);
\ir ../helpers.psql
\ir fixtures.psql

SELECT pg_temp.gm_store('gus') AS game \gset
SELECT developer_user_id AS dev FROM game_market.games
WHERE id = :'game' \gset
SELECT pg_temp.gm_user('hal') AS hal \gset
SELECT pg_temp.gm_buy(:'game', :'hal', 'inv-hal', 10001) AS hal_p \gset

-- settle_invoice: paid, and with it the entitlement, the ledger split and the payout
SELECT is(
    (SELECT ARRAY[status::text, (paid_at = now())::text] FROM game_market.settle_invoice('lnbits', 'inv-hal')),
    ARRAY['paid', 'true'], 'settle_invoice: pending -> paid, paid_at = now()'
);
SELECT results_eq(
    format($$SELECT purchase_id, buyer_user_id, guest_receipt_code, game_id, granted_at, revoked_at
             FROM game_market.entitlements WHERE purchase_id = %L$$, :'hal_p'),
    format($$VALUES (%L::uuid, %L::uuid, NULL::text, %L::uuid, now(), NULL::timestamptz)$$, :'hal_p', :'hal', :'game'),
    'one entitlement: the purchase''s user and game, granted at paid_at, not revoked'
);
SELECT results_eq(
    format($$SELECT type::text, amount_msat, meta_json FROM game_market.ledger_entries AS e WHERE purchase_id = %L ORDER BY e.type$$,
        :'hal_p'),
    $$VALUES ('sale', 10001::bigint, '{"invoice_id": "inv-hal", "invoice_provider": "lnbits"}'::jsonb),
             ('platform_fee', 1000::bigint, '{"fee_bps": 1000}'::jsonb),
             ('developer_share', 9001::bigint, '{"fee_bps": 1000}'::jsonb)$$,
    'the ledger split at the default 1000 bps: fee floor(10001 * 10 %) = 1000, share 9001, summing to the sale'
);
SELECT results_eq(
    format($$SELECT developer_user_id, destination_ln_address, amount_msat, status::text, attempt_count, last_error,
                    idempotency_key
             FROM game_market.payouts WHERE purchase_id = %L$$, :'hal_p'),
    format($$VALUES (%L::uuid, 'gus@pay.example.com', 9001::bigint, 'pending', 0, NULL::text, %L)$$,
        :'dev', 'game_market:payout:' || :'hal_p'),
    'one payout: to the developer''s address, the developer share, pending, its idempotency key'
);
SELECT ctid AS paid_ctid FROM game_market.purchases
WHERE id = :'hal_p' \gset
SELECT is(
    (SELECT ARRAY[status::text, (paid_at = now())::text] FROM game_market.settle_invoice('lnbits', 'inv-hal')),
    ARRAY['paid', 'true'], 'a replayed settlement returns the paid purchase'
);
SELECT is((SELECT ctid::text FROM game_market.purchases
           WHERE id = :'hal_p'), :'paid_ctid', '... unchanged');
SELECT results_eq(
    format($$SELECT (SELECT count(*) FROM game_market.entitlements WHERE purchase_id = %1$L),
                    (SELECT count(*) FROM game_market.ledger_entries WHERE purchase_id = %1$L),
                    (SELECT count(*) FROM game_market.payouts WHERE purchase_id = %1$L)$$, :'hal_p'),
    $$VALUES (1::bigint, 3::bigint, 1::bigint)$$,
    '... and writes no second entitlement, ledger set or payout'
);
SELECT is(
    pg_temp.error_fields($$SELECT game_market.settle_invoice('lnbits', 'nope')$$),
    ARRAY['CD005', '', 'purchases', 'key=lnbits:nope'], 'settle_invoice: an unknown invoice is CD005'
);
SELECT is(
    pg_temp.error_fields($$SELECT game_market.settle_invoice('btcpay', 'inv-hal')$$),
    ARRAY['CD005', '', 'purchases', 'key=btcpay:inv-hal'], 'the provider must match the invoice''s'
);
SELECT is(
    pg_temp.error_fields($$SELECT game_market.settle_invoice(NULL, NULL)$$),
    ARRAY['CD005', '', 'purchases', 'key=NULL:NULL'], 'a settlement naming no invoice is CD005 saying so'
);
SELECT pg_temp.gm_buy(:'game', :'hal', 'inv-hal-2', 1000) AS hal_p2 \gset
SELECT is(
    pg_temp.error_fields($$SELECT game_market.settle_invoice('btcpay', 'inv-hal-2')$$),
    ARRAY['CD005', '', 'purchases', 'key=btcpay:inv-hal-2'],
    'another provider''s settlement of a pending invoice is CD005 ...'
);
SELECT is((SELECT status::text FROM game_market.purchases
           WHERE id = :'hal_p2'), 'pending', '... and leaves it pending');

-- a guest
SELECT
    id AS guest_p,
    guest_receipt_code AS code
FROM game_market.create_purchase(:'game', NULL, 'lnbits', 'inv-g', 999) \gset
SELECT FROM game_market.settle_invoice('lnbits', 'inv-g');
SELECT results_eq(
    format($$SELECT buyer_user_id, guest_receipt_code FROM game_market.entitlements WHERE purchase_id = %L$$, :'guest_p'),
    format($$VALUES (NULL::uuid, %L::text)$$, :'code'),
    'a guest''s entitlement carries the purchase''s receipt code'
);
SELECT results_eq(
    format($$SELECT type::text, amount_msat FROM game_market.ledger_entries AS e WHERE purchase_id = %L ORDER BY e.type$$, :'guest_p'),
    $$VALUES ('sale', 999::bigint), ('platform_fee', 99::bigint), ('developer_share', 900::bigint)$$,
    'the fee rounds down (99.9 -> 99): the rounding favours the developer'
);

-- a payment after the expiry is honoured
SELECT pg_temp.gm_buy(:'game', :'hal', 'inv-late', 5000) AS late_p \gset
SELECT FROM game_market.expire_invoice('lnbits', 'inv-late');
SELECT is(
    (SELECT status::text FROM game_market.settle_invoice('lnbits', 'inv-late')), 'paid',
    'settle_invoice: expired -> paid (the money arrived)'
);
SELECT is(
    (SELECT count(*)::integer FROM game_market.entitlements
     WHERE purchase_id = :'late_p'), 1, '... with its entitlement'
);

-- the fee rule: the game's own rate wins over the default
INSERT INTO game_market.fee_rates (game_id, fee_bps) VALUES (:'game', 250);
SELECT is(game_market.fee_bps_for_game(:'game'), 250, 'fee_bps_for_game: the game''s own rate');
SELECT is(game_market.fee_bps_for_game(gen_random_uuid()), 1000, 'fee_bps_for_game: else the default');
SELECT pg_temp.gm_paid(:'game', :'hal', 'inv-250', 12345) AS p250 \gset
SELECT results_eq(
    format($$SELECT type::text, amount_msat, meta_json FROM game_market.ledger_entries AS e WHERE purchase_id = %L ORDER BY e.type$$,
        :'p250'),
    $$VALUES ('sale', 12345::bigint, '{"invoice_id": "inv-250", "invoice_provider": "lnbits"}'::jsonb),
             ('platform_fee', 308::bigint, '{"fee_bps": 250}'::jsonb),
             ('developer_share', 12037::bigint, '{"fee_bps": 250}'::jsonb)$$,
    'at 250 bps: fee floor(308.625) = 308, share 12037, the rate in meta_json'
);
SELECT is(
    (SELECT amount_msat FROM game_market.payouts
     WHERE purchase_id = :'p250'), 12037::bigint,
    'the payout is the developer share'
);
UPDATE game_market.fee_rates SET fee_bps = 9999
WHERE game_id = :'game';
SELECT pg_temp.gm_paid(:'game', :'hal', 'inv-9999', 1) AS p9999 \gset
SELECT results_eq(
    format($$SELECT type::text, amount_msat FROM game_market.ledger_entries AS e WHERE purchase_id = %L ORDER BY e.type$$, :'p9999'),
    $$VALUES ('sale', 1::bigint), ('platform_fee', 0::bigint), ('developer_share', 1::bigint)$$,
    'at the highest rate (9999 bps) on 1 msat the developer still gets 1 msat: a payout is always owed'
);
UPDATE game_market.fee_rates SET fee_bps = 0
WHERE game_id = :'game';
SELECT pg_temp.gm_paid(:'game', :'hal', 'inv-0', 777) AS p0 \gset
SELECT is(
    (SELECT amount_msat FROM game_market.payouts
     WHERE purchase_id = :'p0'), 777::bigint, 'at 0 bps the developer gets all'
);
SELECT pg_temp.gm_paid(:'game', :'hal', 'inv-big', 9223372036854775807) AS pbig \gset
SELECT results_eq(
    format($$SELECT type::text, amount_msat FROM game_market.ledger_entries AS e WHERE purchase_id = %L ORDER BY e.type$$, :'pbig'),
    $$VALUES ('sale', 9223372036854775807::bigint), ('platform_fee', 0::bigint),
             ('developer_share', 9223372036854775807::bigint)$$,
    'the largest amount splits without overflow'
);
DELETE FROM game_market.fee_rates;
SELECT pg_temp.gm_buy(:'game', :'hal', 'inv-norate', 1000) AS norate \gset
SELECT is(
    pg_temp.error_fields($$SELECT game_market.settle_invoice('lnbits', 'inv-norate')$$),
    ARRAY['CD007', 'fee_rates_default_rate', 'fee_rates', 'game_id=' || :'game'],
    'without a default rate (nor the game''s) a settlement is refused (CD007)'
);
SELECT results_eq(
    format($$SELECT p.status::text, (SELECT count(*) FROM game_market.entitlements WHERE purchase_id = p.id)
             FROM game_market.purchases AS p WHERE p.id = %L$$, :'norate'),
    $$VALUES ('pending', 0::bigint)$$, '... and nothing of it is written (one transaction)'
);
INSERT INTO game_market.fee_rates (game_id, fee_bps) VALUES (NULL, 1000);

-- the destination is copied when the payout is created
UPDATE game_market.developer_profiles SET payout_ln_address = 'gus@new.example.com'
WHERE user_id = :'dev';
SELECT pg_temp.gm_paid(:'game', :'hal', 'inv-new-address', 2000) AS pnew \gset
SELECT results_eq(
    format($$SELECT purchase_id, destination_ln_address FROM game_market.payouts WHERE purchase_id IN (%L, %L)
             ORDER BY destination_ln_address$$, :'hal_p', :'pnew'),
    format($$VALUES (%L::uuid, 'gus@new.example.com'), (%L::uuid, 'gus@pay.example.com')$$, :'pnew', :'hal_p'),
    'a new payout address applies to payouts created after it; earlier ones keep theirs'
);

-- refund_purchase
SELECT is(
    (SELECT status::text FROM game_market.refund_purchase(:'hal_p')), 'refunded', 'refund_purchase: paid -> refunded'
);
SELECT is(
    (SELECT revoked_at FROM game_market.entitlements
     WHERE purchase_id = :'hal_p'), now(),
    '... the entitlement is revoked'
);
SELECT results_eq(
    format($$SELECT type::text, amount_msat FROM game_market.ledger_entries AS e WHERE purchase_id = %L ORDER BY e.type$$, :'hal_p'),
    $$VALUES ('sale', 10001::bigint), ('platform_fee', 1000::bigint), ('developer_share', 9001::bigint),
             ('refund', 10001::bigint), ('platform_fee_refund', 1000::bigint), ('developer_share_refund', 9001::bigint)$$,
    '... the ledger gets the refund entries mirroring the sale'
);
SELECT is(
    (SELECT status::text FROM game_market.payouts
     WHERE purchase_id = :'hal_p'), 'cancelled',
    '... and the pending payout is cancelled'
);
SELECT ctid AS refunded_ctid FROM game_market.purchases
WHERE id = :'hal_p' \gset
SELECT is((SELECT status::text FROM game_market.refund_purchase(:'hal_p')), 'refunded', 'a repeated refund returns it');
SELECT is(
    (SELECT ARRAY[(SELECT ctid::text FROM game_market.purchases
                   WHERE id = :'hal_p'),
                  (SELECT count(*)::text FROM game_market.ledger_entries
                   WHERE purchase_id = :'hal_p')]),
    ARRAY[:'refunded_ctid', '6'], '... unchanged, no second set of refund entries'
);
SELECT is(
    (SELECT status::text FROM game_market.settle_invoice('lnbits', 'inv-hal')), 'refunded',
    'a settlement replayed after the refund returns the refunded purchase, unchanged'
);
SELECT is(
    (SELECT count(*)::integer FROM game_market.entitlements
     WHERE purchase_id = :'hal_p' AND revoked_at IS NULL), 0,
    '... and grants nothing again'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT game_market.refund_purchase(%L)$$, :'norate')),
    ARRAY['CD001', 'purchases_status_transition', 'purchases', 'from=pending to=refunded'],
    'a pending purchase is not refunded (CD001)'
);
SELECT FROM game_market.expire_invoice('lnbits', 'inv-norate');
SELECT is(
    (pg_temp.error_fields(format($$SELECT game_market.refund_purchase(%L)$$, :'norate')))[4], 'from=expired to=refunded',
    'an expired purchase is not refunded (CD001)'
);
SELECT is(
    pg_temp.error_fields($$SELECT game_market.refund_purchase('00000000-0000-4000-8000-000000000000')$$),
    ARRAY['CD005', '', 'purchases', 'key=00000000-0000-4000-8000-000000000000'], 'an unknown purchase is CD005'
);
-- a refund after the money left leaves the payout; a failed one is cancelled
SELECT FROM game_market.claim_payouts(1000);
SELECT FROM game_market.payouts AS po, game_market.complete_payout(po.id)
WHERE po.purchase_id = :'p250';
SELECT FROM game_market.payouts AS po, game_market.fail_payout(po.id, 1, 'no route')
WHERE po.purchase_id = :'p0';
SELECT FROM game_market.purchases AS p, game_market.refund_purchase(p.id)
WHERE p.id IN (:'p250', :'p0', :'pnew');
SELECT results_eq(
    format($$SELECT purchase_id, status::text FROM game_market.payouts WHERE purchase_id IN (%L, %L, %L)
             ORDER BY status$$, :'p250', :'p0', :'pnew'),
    format($$VALUES (%L::uuid, 'cancelled'), (%L::uuid, 'completed'), (%L::uuid, 'sending')$$, :'p0', :'p250', :'pnew'),
    'refund_purchase: a completed or sending payout stays (the developer owes it back), a failed one is cancelled'
);

-- entitlements: CHECKs, uniques, immutable columns (written directly, as the owner could)
SELECT pg_temp.gm_buy(:'game', :'hal', 'inv-e', 1000) AS ep \gset
PREPARE grant_ (uuid, uuid, text) AS
INSERT INTO game_market.entitlements (purchase_id, buyer_user_id, guest_receipt_code, game_id)
VALUES ($1, $2, $3, (SELECT id FROM game_market.games
                     WHERE slug = 'gus'));
SELECT is(pg_temp.gm_refused(format($$EXECUTE grant_(%L, NULL, NULL)$$, :'ep')),
    '23514 entitlements_buyer_check', 'an entitlement without a holder is refused');
SELECT is(pg_temp.gm_refused(format($$EXECUTE grant_(%L, %L, repeat('ab', 16))$$, :'ep', :'hal')),
    '23514 entitlements_buyer_check', 'an entitlement with both a user and a receipt code is refused');
SELECT is(pg_temp.gm_refused(format($$EXECUTE grant_(%L, %L, NULL)$$, :'hal_p', :'hal')),
    '23505 entitlements_purchase_id_key', 'one entitlement per purchase');
SELECT is(pg_temp.gm_refused(format($$EXECUTE grant_(%L, NULL, %L)$$, :'ep', :'code')),
    '23505 entitlements_guest_receipt_code_key', 'a receipt code names one entitlement');
SELECT is(pg_temp.gm_refused(format($$EXECUTE grant_(%L, %L, NULL)$$, gen_random_uuid(), :'hal')),
    '23503 entitlements_purchase_id_fkey', 'an entitlement belongs to a purchase');
SELECT lives_ok(format($$EXECUTE grant_(%L, %L, NULL)$$, :'ep', :'hal'), 'a well-formed entitlement is accepted');
SELECT is(
    pg_temp.gm_refused(format($$UPDATE game_market.entitlements SET revoked_at = granted_at - interval '1 second'
                                WHERE purchase_id = %L$$, :'ep')),
    '23514 entitlements_revoked_at_check', 'an entitlement is not revoked before it was granted'
);
SELECT is(
    pg_temp.gm_refused(format($$UPDATE game_market.entitlements SET game_id = gen_random_uuid() WHERE purchase_id = %L$$,
        :'ep')),
    'CD003 entitlements_game_id_immutable', 'an entitlement''s game never changes'
);
SELECT is(
    pg_temp.gm_refused(format($$UPDATE game_market.entitlements SET buyer_user_id = NULL, guest_receipt_code = repeat('cd', 16)
                                WHERE purchase_id = %L$$, :'ep')),
    'CD003 entitlements_buyer_user_id_immutable', 'an entitlement''s holder never changes'
);
SELECT is(
    pg_temp.gm_refused(format($$UPDATE game_market.entitlements SET revoked_at = NULL WHERE purchase_id = %L$$, :'hal_p')),
    'CD003 entitlements_revoked_at_immutable', 'a revoked entitlement is never restored'
);

-- the application settles and refunds only through the functions
SELECT throws_ok(
    pg_temp.gm_as_app(format($$INSERT INTO game_market.entitlements (purchase_id, buyer_user_id, game_id)
                               VALUES (%L, %L, %L)$$, :'ep', :'hal', :'game')),
    '42501', NULL, 'the application cannot grant an entitlement'
);
SELECT throws_ok(
    pg_temp.gm_as_app(format($$UPDATE game_market.entitlements SET revoked_at = now() WHERE purchase_id = %L$$, :'pnew')),
    '42501', NULL, 'the application cannot revoke one'
);
SELECT pg_temp.gm_buy(:'game', :'hal', 'inv-app', 3000) AS app_p \gset
SELECT lives_ok(pg_temp.gm_as_app($$SELECT game_market.settle_invoice('lnbits', 'inv-app')$$),
    'the application settles through settle_invoice');
SELECT lives_ok(pg_temp.gm_as_app(format($$SELECT game_market.refund_purchase(%L)$$, :'app_p')),
    'the application refunds through refund_purchase');
SELECT results_eq(
    format($$SELECT (SELECT count(*) FROM game_market.entitlements WHERE purchase_id = %1$L AND revoked_at IS NOT NULL),
                    (SELECT count(*) FROM game_market.ledger_entries WHERE purchase_id = %1$L),
                    (SELECT count(*) FROM game_market.payouts WHERE purchase_id = %1$L AND status = 'cancelled')$$,
        :'app_p'),
    $$VALUES (1::bigint, 6::bigint, 1::bigint)$$,
    'as the application: one revoked entitlement, six ledger entries, one cancelled payout'
);
SELECT is(
    (SELECT count(*)::integer FROM game_market.entitlements
     WHERE purchase_id = :'app_p'), 1,
    'one entitlement for the settled and refunded purchase'
);

-- transactions whose clock reads before the row they follow (they started before it was committed)
SELECT pg_temp.gm_buy(:'game', :'hal', 'inv-early', 3000) AS early_p \gset
SELECT FROM common.set_clock_offset(interval '-1 hour');
SELECT is(
    (SELECT paid_at FROM game_market.settle_invoice('lnbits', 'inv-early')), now(),
    'settle_invoice never pays a purchase before its created_at: paid_at = created_at'
);
SELECT FROM common.set_clock_offset(interval '-2 hours');
SELECT FROM game_market.refund_purchase(:'early_p');
SELECT is(
    (SELECT revoked_at FROM game_market.entitlements
     WHERE purchase_id = :'early_p'), now(),
    'refund_purchase never revokes an entitlement before it was granted: revoked_at = granted_at'
);
SELECT FROM common.set_clock_offset(interval '0');

SELECT * FROM finish();
ROLLBACK;
