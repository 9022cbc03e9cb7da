-- bloxtr8: escrows (0017): the rail follows the amount and exactly its detail row is written; funds move
-- AWAIT_FUNDS -> FUNDS_HELD -> DELIVERED -> RELEASED, or through a dispute to REFUNDED or RELEASED, or are
-- CANCELLED; deliveries, disputes, the listing and the audit trail move with them; no SANCTIONED wallet pays or
-- is paid; milestones never exceed the escrow.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(73);
\ir ../helpers.psql
\ir fixtures.psql

SELECT pg_temp.deal('s1', 1000000, 'EXECUTED');   -- STRIPE, at the boundary
SELECT pg_temp.deal('u1', 1000001, 'EXECUTED');   -- USDC_BASE, just above
SELECT pg_temp.deal('u2', 2500000, 'EXECUTED');
SELECT pg_temp.deal('s2', 2000, 'EXECUTED');

-- create_escrow
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.create_escrow('d1_c', 'pi_1')$$),
    ARRAY['CD007', 'escrows_contract_executed', 'escrows', 'contract_id=d1_c status=PENDING_SIGNATURE'],
    'escrow follows execution (CD007 escrows_contract_executed)'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.create_escrow('c_nobody', 'pi_1')$$), 'CD005 ', 'CD005 unknown contract');
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.create_escrow('s1_c', NULL, '0x00000000000000000000000000000000000000aa')$$),
    ARRAY['CD007', 'escrows_rail_detail', 'escrows', 'contract_id=s1_c rail=STRIPE amount=1000000'],
    '1,000,000 cents go on STRIPE: a deposit address is the wrong detail (CD007 escrows_rail_detail)'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.create_escrow('s1_c')$$), 'CD007 escrows_rail_detail',
    'a STRIPE escrow needs its PaymentIntent');
SELECT is(pg_temp.try($$SELECT bloxtr8.create_escrow('s1_c', 'pi_1', '0x00000000000000000000000000000000000000aa')$$),
    'CD007 escrows_rail_detail', 'never both rails'' details');
SELECT is(pg_temp.try($$SELECT bloxtr8.create_escrow('u1_c', 'pi_1')$$), 'CD007 escrows_rail_detail',
    '1,000,001 cents go on USDC_BASE: a PaymentIntent is the wrong detail');
SELECT is(pg_temp.try($$SELECT bloxtr8.create_escrow('s1_c', 'not-a-pi')$$), '23514 stripe_escrows_payment_intent_id_check',
    'a PaymentIntent id looks like one');
UPDATE bloxtr8.users SET wallet_risk = 'SANCTIONED'
WHERE id = 'u_buyer';
SELECT is(pg_temp.try($$SELECT bloxtr8.create_escrow('s1_c', 'pi_s1')$$), 'CD007 users_wallet_sanctioned',
    'a SANCTIONED buyer opens no escrow');
UPDATE bloxtr8.users SET wallet_risk = 'LOW'
WHERE id = 'u_buyer';
SELECT pg_temp.keep('s1', e.id) FROM bloxtr8.create_escrow('s1_c', 'pi_s1') AS e;
SELECT is(
    (SELECT e.rail || ' ' || e.amount || ' ' || e.currency || ' ' || e.status || ' ' || e.offer_id
     FROM bloxtr8.escrows AS e
     WHERE e.id = pg_temp.b8_id('s1')),
    'STRIPE 1000000 USD AWAIT_FUNDS s1_o', 'the escrow holds the offer''s amount on STRIPE, AWAIT_FUNDS'
);
SELECT is(
    (SELECT count(*)::integer FROM bloxtr8.stripe_escrows
     WHERE escrow_id = pg_temp.b8_id('s1') AND payment_intent_id = 'pi_s1')
    || ' ' || (SELECT count(*) FROM bloxtr8.stablecoin_escrows
               WHERE escrow_id = pg_temp.b8_id('s1')),
    '1 0', 'with its Stripe row and no stablecoin row'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.create_escrow('s1_c', 'pi_s1b')$$), '23505 escrows_contract_id_key',
    'one escrow per contract at a time');
SELECT pg_temp.keep('u1', e.id)
FROM bloxtr8.create_escrow('u1_c', NULL, '0x00000000000000000000000000000000000000AB') AS e;
SELECT is(
    (SELECT e.rail || ' ' || s.chain || ' ' || s.deposit_addr
     FROM bloxtr8.escrows AS e INNER JOIN bloxtr8.stablecoin_escrows AS s ON e.id = s.escrow_id
     WHERE e.id = pg_temp.b8_id('u1')),
    'USDC_BASE BASE 0x00000000000000000000000000000000000000ab',
    'above $10k: USDC_BASE with its stablecoin row on Base, the deposit address stored lowercase'
);
SELECT is(
    (SELECT count(*)::integer FROM bloxtr8.stripe_escrows
     WHERE escrow_id = pg_temp.b8_id('u1')), 0, 'and no Stripe row'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.create_escrow('u2_c', NULL, '0x00000000000000000000000000000000000000aB')$$),
    '23505 stablecoin_escrows_deposit_addr_key', 'a deposit address belongs to one escrow, whatever its case');
SELECT is(pg_temp.try($$SELECT bloxtr8.create_escrow('u2_c', NULL, '0x12')$$), '23514 stablecoin_escrows_deposit_addr_check',
    'a deposit address is an EVM address');
SELECT is(
    (SELECT array_agg(a.action ORDER BY a.created_at, a.action) FROM bloxtr8.audit_logs AS a
     WHERE a.escrow_id = pg_temp.b8_id('s1')),
    ARRAY['escrow_created'], 'opening is audited'
);

-- milestones, before funding
SELECT is((SELECT m.amount FROM bloxtr8.add_escrow_milestone(pg_temp.b8_id('s1'), 'Ownership transfer', 600000) AS m), 600000,
    'a milestone is planned while funds are expected');
SELECT is(
    pg_temp.error_fields(format($$SELECT bloxtr8.add_escrow_milestone(%L, 'Rest', 400001)$$, pg_temp.b8_id('s1'))),
    ARRAY['CD007', 'milestone_escrows_within_amount', 'milestone_escrows',
          format('escrow_id=%s amount=1000000 planned=600000 added=400001', pg_temp.b8_id('s1'))],
    'milestones never add up to more than the escrow (CD007 milestone_escrows_within_amount)'
);
SELECT is(pg_temp.try(format($$SELECT bloxtr8.add_escrow_milestone(%L, 'Rest', 400000)$$, pg_temp.b8_id('s1'))), 'ok',
    'exactly the escrow''s amount is fine');
SELECT * FROM bloxtr8.add_escrow_milestone(pg_temp.b8_id('s1'), 'Rest', 400000);
SELECT is(pg_temp.try($$SELECT bloxtr8.add_escrow_milestone('e_nobody', 'x', 1)$$), 'CD005 ', 'CD005 unknown escrow (milestone)');
SELECT is(
    pg_temp.try((SELECT format('SELECT bloxtr8.release_escrow_milestone(%L)', id) FROM bloxtr8.milestone_escrows
                 ORDER BY id LIMIT 1)),
    'CD007 milestone_escrows_funds_held', 'no milestone is released before the funds are held'
);

-- fund_escrow
SELECT is(pg_temp.try(format($$SELECT bloxtr8.fund_escrow(%L, '0x' || repeat('ab', 32))$$, pg_temp.b8_id('s1'))),
    'CD007 escrows_rail_detail', 'a STRIPE escrow has no deposit transaction');
SELECT is((SELECT e.status::text FROM bloxtr8.fund_escrow(pg_temp.b8_id('s1')) AS e), 'FUNDS_HELD', 'funds held');
SELECT is(
    (SELECT d.status || ' ' || d.listing_id || ' ' || d.offer_id || ' ' || d.contract_id || ' ' || d.user_id
     FROM bloxtr8.deliveries AS d
     WHERE d.escrow_id = pg_temp.b8_id('s1')),
    'PENDING s1_l s1_o s1_c u_seller', 'the delivery is now expected from the seller (PENDING)'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT bloxtr8.fund_escrow(%L)$$, pg_temp.b8_id('s1'))),
    ARRAY['CD001', 'escrows_status_transition', 'escrows', 'from=FUNDS_HELD to=FUNDS_HELD'],
    'funds are held once (CD001)'
);
SELECT is(pg_temp.try(format($$SELECT bloxtr8.fund_escrow(%L)$$, pg_temp.b8_id('u1'))), 'CD007 escrows_rail_detail',
    'a USDC_BASE escrow is funded by its deposit transaction');
UPDATE bloxtr8.users SET wallet_risk = 'SANCTIONED'
WHERE id = 'u_buyer';
SELECT is(pg_temp.try(format($$SELECT bloxtr8.fund_escrow(%L, '0x' || repeat('AB', 32))$$, pg_temp.b8_id('u1'))),
    'CD007 users_wallet_sanctioned', 'a SANCTIONED buyer''s funds are not taken');
UPDATE bloxtr8.users SET wallet_risk = 'LOW'
WHERE id = 'u_buyer';
SELECT * FROM bloxtr8.fund_escrow(pg_temp.b8_id('u1'), '0x' || repeat('AB', 32));
SELECT is(
    (SELECT s.deposit_tx FROM bloxtr8.stablecoin_escrows AS s
     WHERE s.escrow_id = pg_temp.b8_id('u1')),
    '0x' || repeat('ab', 32), 'the deposit transaction is recorded, lowercase'
);
SELECT pg_temp.keep('u2', e.id)
FROM bloxtr8.create_escrow('u2_c', NULL, '0x00000000000000000000000000000000000000cd') AS e;
SELECT is(pg_temp.try(format($$SELECT bloxtr8.fund_escrow(%L, '0x' || repeat('ab', 32))$$, pg_temp.b8_id('u2'))),
    '23505 stablecoin_escrows_deposit_tx_key', 'a deposit transaction funds one escrow');

-- milestone release while funds are held
SELECT is(
    (SELECT m.released_at = now() FROM bloxtr8.release_escrow_milestone(
        (SELECT id FROM bloxtr8.milestone_escrows
         WHERE amount = 600000)) AS m),
    true, 'a milestone is released while the funds are held'
);
SELECT is(
    pg_temp.try((SELECT format('SELECT bloxtr8.release_escrow_milestone(%L)', id) FROM bloxtr8.milestone_escrows
                 WHERE amount = 600000)),
    'CD007 milestone_escrows_unreleased', 'a milestone is released once'
);
UPDATE bloxtr8.users SET wallet_address = '0x00000000000000000000000000000000000000a1', wallet_risk = 'SANCTIONED'
WHERE id = 'u_seller';
SELECT is(
    pg_temp.try((SELECT format('SELECT bloxtr8.release_escrow_milestone(%L)', id) FROM bloxtr8.milestone_escrows
                 WHERE amount = 400000)),
    'CD007 users_wallet_sanctioned', 'no milestone is paid to a SANCTIONED seller'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.release_escrow_milestone('m_nobody')$$), 'CD005 ', 'CD005 unknown milestone');

-- deliver_escrow
SELECT is(
    pg_temp.error_fields(format($$SELECT bloxtr8.deliver_escrow(%L, 'u_buyer')$$, pg_temp.b8_id('s1'))),
    ARRAY['CD007', 'escrows_party', 'escrows',
          format('escrow_id=%s user_id=u_buyer buyer_id=u_buyer seller_id=u_seller', pg_temp.b8_id('s1'))],
    'only the seller delivers (CD007 escrows_party)'
);
SELECT is(
    (SELECT e.status::text FROM bloxtr8.deliver_escrow(pg_temp.b8_id('s1'), 'u_seller', 'place transferred') AS e),
    'DELIVERED', 'the seller delivers: DELIVERED'
);
SELECT is(
    (SELECT d.status || ' ' || (d.delivered_at = now()) || ' ' || d.notes FROM bloxtr8.deliveries AS d
     WHERE d.escrow_id = pg_temp.b8_id('s1')),
    'DELIVERED true place transferred', 'the delivery is DELIVERED with its notes'
);
SELECT is(pg_temp.try(format($$SELECT bloxtr8.deliver_escrow(%L, 'u_seller')$$, pg_temp.b8_id('u2'))),
    'CD001 escrows_status_transition', 'nothing is delivered before the funds are held');
SELECT is(pg_temp.try(format($$SELECT bloxtr8.add_escrow_milestone(%L, 'x', 1)$$, pg_temp.b8_id('s1'))),
    'CD007 milestone_escrows_escrow_open', 'no milestone is planned after delivery');

-- release_escrow
SELECT is(pg_temp.try(format($$SELECT bloxtr8.release_escrow(%L, 'tr_s1')$$, pg_temp.b8_id('s1'))),
    'CD007 users_wallet_sanctioned', 'no release to a SANCTIONED seller');
UPDATE bloxtr8.users SET wallet_risk = 'LOW'
WHERE id = 'u_seller';
SELECT is(pg_temp.try(format($$SELECT bloxtr8.release_escrow(%L, NULL, '0x' || repeat('ab', 32))$$, pg_temp.b8_id('s1'))),
    'CD007 escrows_rail_detail', 'a STRIPE escrow is released by a transfer, not a transaction');
SELECT is(pg_temp.try(format($$SELECT bloxtr8.release_escrow(%L)$$, pg_temp.b8_id('s1'))),
    'CD007 escrows_rail_detail', 'a release names its transfer');
SELECT is((SELECT e.status::text FROM bloxtr8.release_escrow(pg_temp.b8_id('s1'), 'tr_s1') AS e), 'RELEASED',
    'the buyer confirmed: RELEASED');
SELECT is(
    (SELECT s.transfer_id || ' ' || d.status || ' ' || (d.confirmed_at = now()) || ' ' || l.status
     FROM bloxtr8.stripe_escrows AS s, bloxtr8.deliveries AS d, bloxtr8.listings AS l
     WHERE s.escrow_id = pg_temp.b8_id('s1') AND d.escrow_id = pg_temp.b8_id('s1') AND l.id = 's1_l'),
    'tr_s1 CONFIRMED true SOLD', 'with its transfer; the delivery CONFIRMED and the listing SOLD'
);
SELECT is(pg_temp.try(format($$SELECT bloxtr8.release_escrow(%L, 'tr_again')$$, pg_temp.b8_id('s1'))),
    'CD001 escrows_status_transition', 'an escrow is released once');
SELECT is(
    (SELECT array_agg(a.action || ':' || coalesce(a.user_id, '-') ORDER BY a.created_at, a.id)
     FROM bloxtr8.audit_logs AS a
     WHERE a.escrow_id = pg_temp.b8_id('s1') AND a.action <> 'escrow_milestone_released'),
    ARRAY['escrow_created:u_buyer', 'escrow_funds_held:u_buyer', 'escrow_delivered:u_seller', 'escrow_released:u_seller'],
    'every move of the escrow is in its audit trail, in order (cuid ids follow time)'
);

-- dispute_escrow, refund_escrow
SELECT is(pg_temp.try(format($$SELECT bloxtr8.dispute_escrow(%L, 'u_other', 'x')$$, pg_temp.b8_id('u1'))),
    'CD007 escrows_party', 'only the buyer or the seller disputes');
SELECT is(pg_temp.try(format($$SELECT bloxtr8.dispute_escrow(%L, 'u_buyer', ' ')$$, pg_temp.b8_id('u1'))),
    '23514 disputes_reason_check', 'a dispute gives its reason');
SELECT is(pg_temp.try(format($$SELECT bloxtr8.dispute_escrow(%L, 'u_buyer', 'x')$$, pg_temp.b8_id('u2'))),
    'CD001 escrows_status_transition', 'no dispute before the funds are held');
SELECT is(pg_temp.try(format($$SELECT bloxtr8.refund_escrow(%L, NULL, '0x' || repeat('ef', 32))$$, pg_temp.b8_id('u1'))),
    'CD001 escrows_status_transition', 'no refund without a dispute');
SELECT is((SELECT e.status::text FROM bloxtr8.dispute_escrow(pg_temp.b8_id('u1'), 'u_buyer', 'not delivered') AS e),
    'DISPUTED', 'the buyer disputes: DISPUTED');
SELECT is(
    (SELECT d.status || ' ' || d.user_id || ' ' || d.reason FROM bloxtr8.disputes AS d
     WHERE d.escrow_id = pg_temp.b8_id('u1')),
    'OPEN u_buyer not delivered', 'with an OPEN dispute'
);
SELECT is(pg_temp.try(format($$SELECT bloxtr8.dispute_escrow(%L, 'u_seller', 'y')$$, pg_temp.b8_id('u1'))),
    'CD001 escrows_status_transition', 'an escrow is disputed once');
SELECT is(pg_temp.try(format($$SELECT bloxtr8.refund_escrow(%L, 're_u1')$$, pg_temp.b8_id('u1'))),
    'CD007 escrows_rail_detail', 'a USDC_BASE escrow is refunded by a transaction');
UPDATE bloxtr8.users SET wallet_risk = 'SANCTIONED'
WHERE id = 'u_buyer';
SELECT is(pg_temp.try(format($$SELECT bloxtr8.refund_escrow(%L, NULL, '0x' || repeat('ef', 32))$$, pg_temp.b8_id('u1'))),
    'CD007 users_wallet_sanctioned', 'no refund to a SANCTIONED buyer');
UPDATE bloxtr8.users SET wallet_risk = 'LOW'
WHERE id = 'u_buyer';
SELECT ok(bloxtr8.listing_has_open_deal('u1_l'), 'a disputed deal is open');
SELECT is(
    (SELECT e.status::text FROM bloxtr8.refund_escrow(pg_temp.b8_id('u1'), NULL, '0x' || repeat('EF', 32), 'no delivery') AS e),
    'REFUNDED', 'the buyer is refunded: REFUNDED'
);
SELECT is(
    (SELECT s.refund_tx || ' ' || d.status || ' ' || (d.resolved_at = now()) || ' ' || d.resolution
     FROM bloxtr8.stablecoin_escrows AS s, bloxtr8.disputes AS d
     WHERE s.escrow_id = pg_temp.b8_id('u1') AND d.escrow_id = pg_temp.b8_id('u1')),
    '0x' || repeat('ef', 32) || ' RESOLVED true no delivery', 'with its transaction; the dispute RESOLVED'
);
SELECT ok(NOT bloxtr8.listing_has_open_deal('u1_l'), 'a refunded deal is over: the seller may show the listing again');
SELECT is((SELECT l.status::text FROM bloxtr8.listings AS l
           WHERE l.id = 'u1_l'), 'INACTIVE', 'the listing is not SOLD');

-- release after a dispute
SELECT * FROM bloxtr8.fund_escrow(pg_temp.b8_id('u2'), '0x' || repeat('cd', 32));
SELECT * FROM bloxtr8.deliver_escrow(pg_temp.b8_id('u2'), 'u_seller', NULL);
SELECT is((SELECT e.status::text FROM bloxtr8.dispute_escrow(pg_temp.b8_id('u2'), 'u_seller', 'buyer silent') AS e),
    'DISPUTED', 'the seller disputes a DELIVERED escrow');
SELECT is(
    (SELECT e.status::text FROM bloxtr8.release_escrow(pg_temp.b8_id('u2'), NULL, '0x' || repeat('12', 32)) AS e),
    'RELEASED', 'a dispute resolved for the seller: RELEASED'
);
SELECT is(
    (SELECT s.release_tx || ' ' || d.status || ' ' || d.resolution || ' ' || v.status
     FROM bloxtr8.stablecoin_escrows AS s, bloxtr8.disputes AS d, bloxtr8.deliveries AS v
     WHERE s.escrow_id = pg_temp.b8_id('u2') AND d.escrow_id = s.escrow_id AND v.escrow_id = s.escrow_id),
    '0x' || repeat('12', 32) || ' RESOLVED released to the seller CONFIRMED',
    'with its transaction; the dispute RESOLVED, the delivery CONFIRMED'
);
SELECT is(pg_temp.try(format($$SELECT bloxtr8.refund_escrow(%L, NULL, '0x' || repeat('99', 32))$$, pg_temp.b8_id('u2'))),
    'CD001 escrows_status_transition', 'a released escrow is not refunded');

-- a refund returns the whole amount: not once a milestone paid part of it to the seller
SELECT pg_temp.deal('s3', 3000, 'EXECUTED');
SELECT pg_temp.keep('s3', e.id) FROM bloxtr8.create_escrow('s3_c', 'pi_s3') AS e;
SELECT pg_temp.keep('s3_m', m.id) FROM bloxtr8.add_escrow_milestone(pg_temp.b8_id('s3'), 'First part', 1000) AS m;
SELECT * FROM bloxtr8.fund_escrow(pg_temp.b8_id('s3'));
SELECT * FROM bloxtr8.release_escrow_milestone(pg_temp.b8_id('s3_m'));
SELECT * FROM bloxtr8.dispute_escrow(pg_temp.b8_id('s3'), 'u_buyer', 'the rest never came');
SELECT is(
    pg_temp.error_fields(format($$SELECT bloxtr8.refund_escrow(%L, 're_s3')$$, pg_temp.b8_id('s3'))),
    ARRAY['CD007', 'escrows_milestone_paid', 'escrows',
          format('escrow_id=%s amount=3000 milestones_paid=1000', pg_temp.b8_id('s3'))],
    'no refund of an escrow a milestone paid from: the buyer would get back what the seller was paid (CD007)'
);
SELECT is(
    (SELECT e.status || ' ' || coalesce(s.refund_id, 'none') FROM bloxtr8.escrows AS e
     INNER JOIN bloxtr8.stripe_escrows AS s ON e.id = s.escrow_id
     WHERE e.id = pg_temp.b8_id('s3')),
    'DISPUTED none', 'the refused refund changed nothing'
);
SELECT is((SELECT e.status::text FROM bloxtr8.release_escrow(pg_temp.b8_id('s3'), 'tr_s3') AS e), 'RELEASED',
    'such a dispute is settled by releasing the rest');

-- cancel_escrow
SELECT pg_temp.keep('s2', e.id) FROM bloxtr8.create_escrow('s2_c', 'pi_s2') AS e;
SELECT is((SELECT e.status::text FROM bloxtr8.cancel_escrow(pg_temp.b8_id('s2')) AS e), 'CANCELLED',
    'the funds never came: CANCELLED');
SELECT is(pg_temp.try(format($$SELECT bloxtr8.cancel_escrow(%L)$$, pg_temp.b8_id('s2'))), 'CD001 escrows_status_transition',
    'a cancelled escrow is not cancelled again');
SELECT is((SELECT e.status::text FROM bloxtr8.create_escrow('s2_c', 'pi_s2b') AS e), 'AWAIT_FUNDS',
    'a cancelled escrow makes room for a new one');
SELECT is(pg_temp.try(format($$SELECT bloxtr8.cancel_escrow(%L)$$, pg_temp.b8_id('s1'))), 'CD001 escrows_status_transition',
    'a released escrow is not cancelled');
SELECT is(pg_temp.try($$SELECT bloxtr8.cancel_escrow('e_nobody')$$), 'CD005 ', 'CD005 unknown escrow');
SELECT is(pg_temp.try($$SELECT bloxtr8.fund_escrow('e_nobody')$$), 'CD005 ', 'CD005 unknown escrow (fund)');

SET CONSTRAINTS ALL IMMEDIATE;
SELECT pass('every escrow made here has exactly its rail''s detail row (the deferred triggers fired)');

SELECT * FROM finish();
ROLLBACK;
