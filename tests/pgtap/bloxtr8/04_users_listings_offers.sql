-- bloxtr8: the rule functions of users, listings and offers (0013, 0014): KYC tiers gate actions, a SANCTIONED
-- wallet never offers, the offer machine with counter-offers, turns, expiry by the database's clock, and a
-- listing taken off the market by an accepted offer.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(78);
\ir ../helpers.psql
\ir fixtures.psql

-- set_user_kyc
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.set_user_kyc('u_plain', 'TIER_1', false)$$),
    ARRAY['CD007', 'users_kyc_roblox_linked', 'users', 'user_id=u_plain kyc_tier=TIER_1'],
    'TIER_1 needs a linked Roblox account (CD007 users_kyc_roblox_linked)'
);
SELECT is(
    pg_temp.try($$SELECT bloxtr8.set_user_kyc('u_tier0', 'TIER_1', false)$$), 'CD007 users_kyc_roblox_linked',
    'a Discord account is not a Roblox account'
);
SELECT is(
    pg_temp.try($$SELECT bloxtr8.set_user_kyc('u_other', 'TIER_2', false)$$), '23514 users_kyc_verified_check',
    'TIER_2 needs kyc_verified'
);
SELECT is(
    (SELECT u.kyc_tier::text || ' ' || u.kyc_verified FROM bloxtr8.set_user_kyc('u_other', 'TIER_2', true) AS u),
    'TIER_2 true', 'a verified user with Roblox linked becomes TIER_2'
);
SELECT is(
    (SELECT u.kyc_tier::text FROM bloxtr8.set_user_kyc('u_plain', 'TIER_0', true) AS u), 'TIER_0',
    'TIER_0 needs nothing linked'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.set_user_kyc('u_nobody', 'TIER_0', false)$$), 'CD005 ', 'CD005 unknown user');

-- set_user_wallet, set_user_wallet_risk
SELECT is(
    (SELECT u.wallet_address || ' ' || u.wallet_risk
     FROM bloxtr8.set_user_wallet('u_buyer', '0x00000000000000000000000000000000000000b1') AS u),
    '0x00000000000000000000000000000000000000b1 LOW', 'the same wallet keeps its screening'
);
SELECT is(
    (SELECT u.wallet_risk::text FROM bloxtr8.set_user_wallet('u_buyer', '0x00000000000000000000000000000000000000b2') AS u),
    'UNKNOWN', 'a new wallet is unscreened: wallet_risk UNKNOWN'
);
SELECT is(
    (SELECT u.wallet_risk::text FROM bloxtr8.set_user_wallet_risk('u_buyer', 'MEDIUM') AS u), 'MEDIUM',
    'a screening result is recorded'
);
SELECT is(
    (SELECT coalesce(u.wallet_address, 'none') || ' ' || u.wallet_risk FROM bloxtr8.set_user_wallet('u_buyer', NULL) AS u),
    'none UNKNOWN', 'unlinking the wallet forgets its screening'
);
SELECT is(
    pg_temp.try($$SELECT bloxtr8.set_user_wallet('u_buyer', 'not-an-address')$$), '23514 users_wallet_address_check',
    'a wallet is an EVM address'
);
SELECT is(
    pg_temp.try($$SELECT bloxtr8.set_user_wallet_risk('u_other', 'LOW')$$), '23514 users_wallet_risk_check',
    'no wallet, no screening result'
);
-- a SANCTIONED wallet is not shed by relinking: only a screening (set_user_wallet_risk) clears it
SELECT is(
    (SELECT u.wallet_address || ' ' || u.wallet_risk
     FROM bloxtr8.set_user_wallet('u_sanctioned', '0x00000000000000000000000000000000000000FF') AS u),
    '0x00000000000000000000000000000000000000FF SANCTIONED',
    'the same address spelled in another case is the same wallet: it stays SANCTIONED'
);
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.set_user_wallet('u_sanctioned', '0x00000000000000000000000000000000000000f1')$$),
    ARRAY['CD007', 'users_wallet_sanctioned', 'users', 'user_id=u_sanctioned wallet_risk=SANCTIONED action=set_user_wallet'],
    'a SANCTIONED wallet is not swapped for an unscreened one (CD007 users_wallet_sanctioned)'
);
SELECT is(
    pg_temp.try($$SELECT bloxtr8.set_user_wallet('u_sanctioned', NULL)$$), 'CD007 users_wallet_sanctioned',
    'nor unlinked'
);
SELECT is(
    (SELECT u.wallet_risk::text FROM bloxtr8.users AS u
     WHERE u.id = 'u_sanctioned'), 'SANCTIONED', 'the refused calls changed nothing'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.set_user_wallet('u_nobody', NULL)$$), 'CD005 ', 'CD005 unknown user (wallet)');
SELECT is(
    pg_temp.try($$SELECT bloxtr8.set_user_wallet_risk('u_nobody', 'LOW')$$), 'CD005 ', 'CD005 unknown user (risk)'
);

-- create_listing
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.create_listing('u_tier0', 'G', 'S', 100, 'rpg')$$),
    ARRAY['CD007', 'users_kyc_tier', 'users', 'user_id=u_tier0 kyc_tier=TIER_0 required=TIER_1 action=create_listing'],
    'TIER_0 browses only: no listing (CD007 users_kyc_tier)'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.create_listing('u_nobody', 'G', 'S', 100, 'rpg')$$), 'CD005 ', 'CD005 unknown seller');
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.create_listing('u_other', 'G', 'S', 100, 'rpg', 'g_main')$$),
    ARRAY['CD007', 'listings_guild_member', 'listings', 'user_id=u_other guild_id=g_main'],
    'a listing goes only to a guild of its seller''s (CD007 listings_guild_member)'
);
SELECT pg_temp.keep('l_1', l.id) FROM bloxtr8.create_listing('u_seller', 'Tycoon', 'A tycoon', 100000, 'tycoon', 'g_main') AS l;
SELECT is(
    (SELECT l.status || ' ' || l.user_id || ' ' || l.guild_id FROM bloxtr8.listings AS l
     WHERE l.id = pg_temp.b8_id('l_1')),
    'ACTIVE u_seller g_main', 'a TIER_1 seller lists a game, ACTIVE, in its guild'
);
SELECT is(
    pg_temp.try($$SELECT bloxtr8.create_listing('u_seller', 'G', 'S', 0, 'rpg')$$), '23514 listings_price_check',
    'a listing''s price is positive'
);
SELECT is(
    pg_temp.try($$SELECT bloxtr8.create_listing('u_sanctioned', 'G', 'S', 100, 'rpg')$$), 'ok',
    'a SANCTIONED wallet may list (it is refused money, not listings)'
);

-- offer_proposer_id and make_offer
SELECT pg_temp.keep('o_1', o.id)
FROM bloxtr8.make_offer(pg_temp.b8_id('l_1'), 'u_buyer', 80000, interval '1 day', 'with the group') AS o;
SELECT is(
    (SELECT o.status || ' ' || o.buyer_id || ' ' || o.seller_id || ' ' || o.amount || ' ' || (o.parent_id IS NULL)
     FROM bloxtr8.offers AS o
     WHERE o.id = pg_temp.b8_id('o_1')),
    'PENDING u_buyer u_seller 80000 true', 'a buyer''s offer is PENDING, its seller the listing''s'
);
SELECT is(bloxtr8.offer_proposer_id(pg_temp.b8_id('o_1')), 'u_buyer', 'a first offer is the buyer''s');
-- the caller says how long an offer stays open, the database's clock says when that ends (moved 3 hours on here)
SELECT common.set_clock_offset(interval '3 hours');
SELECT is(
    (SELECT (o.expiry - o.created_at) || ' ' || (o.expiry = now() + interval '1 day 3 hours')
     FROM bloxtr8.make_offer(pg_temp.b8_id('l_1'), 'u_other', 70000, interval '1 day') AS o),
    '1 day true', 'an offer''s expiry is the database''s clock plus expires_in, never an instant from the caller'
);
SELECT common.set_clock_offset(interval '0');
SELECT is(
    pg_temp.try(format($$SELECT bloxtr8.make_offer(%L, 'u_other', 1, NULL)$$, pg_temp.b8_id('l_1'))), '23502 ',
    'an offer without expires_in is refused (23502)'
);

SELECT is(bloxtr8.offer_proposer_id('o_nobody'), NULL, 'an unknown offer has no proposer');
SELECT is(
    pg_temp.error_fields(format($$SELECT bloxtr8.make_offer(%L, 'u_tier0', 1, interval '1 day')$$, pg_temp.b8_id('l_1'))),
    ARRAY['CD007', 'users_kyc_tier', 'users', 'user_id=u_tier0 kyc_tier=TIER_0 required=TIER_1 action=make_offer'],
    'TIER_0 browses only: no offer'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT bloxtr8.make_offer(%L, 'u_sanctioned', 1, interval '1 day')$$,
        pg_temp.b8_id('l_1'))),
    ARRAY['CD007', 'users_wallet_sanctioned', 'users', 'user_id=u_sanctioned wallet_risk=SANCTIONED action=make_offer'],
    'a SANCTIONED wallet makes no offer (CD007 users_wallet_sanctioned)'
);
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.make_offer('d1_l', 'u_other', 1, interval '1 day')$$),
    ARRAY['CD007', 'listings_active', 'listings', 'listing_id=d1_l status=INACTIVE'],
    'only an ACTIVE listing takes offers (CD007 listings_active)'
);
SELECT is(
    pg_temp.try(format($$SELECT bloxtr8.make_offer(%L, 'u_seller', 1, interval '1 day')$$, pg_temp.b8_id('l_1'))),
    '23514 offers_buyer_id_seller_id_check', 'nobody offers on their own listing'
);
SELECT is(
    pg_temp.try(format($$SELECT bloxtr8.make_offer(%L, 'u_other', 1, interval '-1 second')$$, pg_temp.b8_id('l_1'))),
    '23514 offers_expiry_check', 'an offer expires in the future (database clock)'
);
SELECT is(
    pg_temp.try($$SELECT bloxtr8.make_offer('l_nobody', 'u_other', 1, interval '1 day')$$), 'CD005 ',
    'CD005 unknown listing'
);

-- counter_offer
SELECT is(
    pg_temp.error_fields(format($$SELECT bloxtr8.counter_offer(%L, 'u_buyer', 85000, interval '1 day')$$,
        pg_temp.b8_id('o_1'))),
    ARRAY['CD007', 'offers_recipient', 'offers',
          format('offer_id=%s user_id=u_buyer recipient=u_seller', pg_temp.b8_id('o_1'))],
    'the buyer does not counter their own offer (CD007 offers_recipient)'
);
SELECT is(
    pg_temp.try(format($$SELECT bloxtr8.counter_offer(%L, 'u_other', 85000, interval '1 day')$$,
        pg_temp.b8_id('o_1'))),
    'CD007 offers_recipient', 'a third user does not counter'
);
SELECT pg_temp.keep('o_2', o.id)
FROM bloxtr8.counter_offer(pg_temp.b8_id('o_1'), 'u_seller', 90000, interval '1 day', 'no group') AS o;
SELECT is(
    (SELECT o.status::text FROM bloxtr8.offers AS o
     WHERE o.id = pg_temp.b8_id('o_1')), 'COUNTERED',
    'the countered offer is COUNTERED'
);
SELECT is(
    (SELECT o.status || ' ' || o.parent_id || ' ' || o.listing_id || ' ' || o.buyer_id || ' ' || o.seller_id || ' ' || o.amount
     FROM bloxtr8.offers AS o
     WHERE o.id = pg_temp.b8_id('o_2')),
    format('PENDING %s %s u_buyer u_seller 90000', pg_temp.b8_id('o_1'), pg_temp.b8_id('l_1')),
    'the counter-offer is PENDING, names its parent and keeps the listing and both parties'
);
SELECT is(bloxtr8.offer_proposer_id(pg_temp.b8_id('o_2')), 'u_seller', 'a counter to the buyer is the seller''s');
SELECT is(
    pg_temp.error_fields(format($$SELECT bloxtr8.counter_offer(%L, 'u_seller', 1, interval '1 day')$$,
        pg_temp.b8_id('o_1'))),
    ARRAY['CD001', 'offers_status_transition', 'offers', 'from=COUNTERED to=COUNTERED'],
    'an offer is countered once (CD001)'
);
SELECT is(
    pg_temp.try(format($$SELECT bloxtr8.counter_offer(%L, 'u_seller', 1, interval '1 day')$$, pg_temp.b8_id('o_2'))),
    'CD007 offers_recipient', 'the seller does not counter their own counter'
);
SELECT pg_temp.keep('o_3', o.id)
FROM bloxtr8.counter_offer(pg_temp.b8_id('o_2'), 'u_buyer', 88000, interval '1 day') AS o;
SELECT is(bloxtr8.offer_proposer_id(pg_temp.b8_id('o_3')), 'u_buyer', 'the buyer counters back: turns alternate');
SELECT is(
    pg_temp.try(format($$SELECT bloxtr8.counter_offer(%L, 'u_seller', 0, interval '1 day')$$, pg_temp.b8_id('o_3'))),
    '23514 offers_amount_check', 'a counter-offer''s amount is positive (and nothing is half-written)'
);
SELECT is(
    (SELECT o.status::text FROM bloxtr8.offers AS o
     WHERE o.id = pg_temp.b8_id('o_3')), 'PENDING',
    'the refused counter left its parent PENDING'
);
-- an expired offer (made two hours ago, expired one hour ago)
INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id, created_at)
VALUES ('o_old', 1, now() - interval '1 hour', pg_temp.b8_id('l_1'), 'u_other', 'u_seller', now() - interval '2 hours');
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.counter_offer('o_old', 'u_seller', 2, interval '1 day')$$),
    ARRAY['CD006', 'offers_expired', 'offers',
          format('offer_id=o_old expiry=%s now=%s', now() - interval '1 hour', now())],
    'nothing is countered after expiry (CD006 offers_expired)'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.accept_offer('o_old', 'u_seller')$$), 'CD006 offers_expired',
    'nothing is accepted after expiry (database clock)');
SELECT is(pg_temp.try($$SELECT bloxtr8.decline_offer('o_old', 'u_seller')$$), 'CD006 offers_expired',
    'an expired offer can only expire');
-- a sanctioned buyer's earlier offer: the seller may counter, the buyer may not answer
INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id)
VALUES ('o_sanct', 1, now() + interval '1 hour', pg_temp.b8_id('l_1'), 'u_sanctioned', 'u_seller');
SELECT is(
    pg_temp.try($$SELECT bloxtr8.accept_offer('o_sanct', 'u_seller')$$), 'CD007 users_wallet_sanctioned',
    'an offer of a SANCTIONED buyer is not accepted'
);
SELECT pg_temp.keep('o_sanct2', o.id)
FROM bloxtr8.counter_offer('o_sanct', 'u_seller', 2, interval '1 day') AS o;
SELECT is(
    pg_temp.try(format($$SELECT bloxtr8.counter_offer(%L, 'u_sanctioned', 3, interval '1 day')$$,
        pg_temp.b8_id('o_sanct2'))),
    'CD007 users_wallet_sanctioned', 'a SANCTIONED wallet does not counter'
);
-- counters need an ACTIVE listing
INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id)
VALUES ('o_on_inactive', 1, now() + interval '1 hour', 'd1_l', 'u_other', 'u_seller');
SELECT is(
    pg_temp.try($$SELECT bloxtr8.counter_offer('o_on_inactive', 'u_seller', 2, interval '1 day')$$),
    'CD007 listings_active', 'no counter on a listing that is not ACTIVE'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.counter_offer('o_nobody', 'u_seller', 2, interval '1 day')$$), 'CD005 ',
    'CD005 unknown offer');

-- decline_offer
SELECT pg_temp.keep('o_d', o.id)
FROM bloxtr8.make_offer(pg_temp.b8_id('l_1'), 'u_other', 1000, interval '1 day') AS o;
SELECT is(pg_temp.try(format($$SELECT bloxtr8.decline_offer(%L, 'u_other')$$, pg_temp.b8_id('o_d'))), 'CD007 offers_recipient',
    'the buyer does not decline their own offer');
SELECT is(
    (SELECT o.status::text FROM bloxtr8.decline_offer(pg_temp.b8_id('o_d'), 'u_seller') AS o), 'DECLINED',
    'the seller declines: DECLINED'
);
SELECT is(pg_temp.try(format($$SELECT bloxtr8.decline_offer(%L, 'u_seller')$$, pg_temp.b8_id('o_d'))), 'CD001 offers_status_transition',
    'a declined offer is not declined again (CD001)');

-- accept_offer
SELECT is(pg_temp.try(format($$SELECT bloxtr8.accept_offer(%L, 'u_buyer')$$, pg_temp.b8_id('o_3'))), 'CD007 offers_recipient',
    'the buyer does not accept their own counter');
UPDATE bloxtr8.users SET kyc_tier = 'TIER_0'
WHERE id = 'u_seller';
SELECT is(pg_temp.try(format($$SELECT bloxtr8.accept_offer(%L, 'u_seller')$$, pg_temp.b8_id('o_3'))), 'CD007 users_kyc_tier',
    'a seller back at TIER_0 accepts nothing');
UPDATE bloxtr8.users SET kyc_tier = 'TIER_1'
WHERE id = 'u_seller';
SELECT pg_temp.keep('o_4', o.id)
FROM bloxtr8.make_offer(pg_temp.b8_id('l_1'), 'u_other', 95000, interval '1 day') AS o;
SELECT is(
    (SELECT o.status::text FROM bloxtr8.accept_offer(pg_temp.b8_id('o_3'), 'u_seller') AS o), 'ACCEPTED',
    'the seller accepts the buyer''s counter: ACCEPTED'
);
SELECT is(
    (SELECT l.status::text FROM bloxtr8.listings AS l
     WHERE l.id = pg_temp.b8_id('l_1')), 'INACTIVE',
    'the listing is off the market (INACTIVE) in the same transaction'
);
SELECT is(pg_temp.try(format($$SELECT bloxtr8.accept_offer(%L, 'u_seller')$$, pg_temp.b8_id('o_3'))),
    'CD001 offers_status_transition', 'an offer is accepted once (CD001)');
SELECT is(pg_temp.try(format($$SELECT bloxtr8.accept_offer(%L, 'u_seller')$$, pg_temp.b8_id('o_4'))), 'CD007 listings_active',
    'a second offer on the same listing is not accepted: the listing is sold to one buyer');
SELECT is(pg_temp.try($$SELECT bloxtr8.accept_offer('o_nobody', 'u_seller')$$), 'CD005 ', 'CD005 unknown offer (accept)');

-- set_listing_status and listing_has_open_deal
SELECT ok(bloxtr8.listing_has_open_deal(pg_temp.b8_id('l_1')), 'an accepted offer without a contract is an open deal');
SELECT is(
    pg_temp.error_fields(format($$SELECT bloxtr8.set_listing_status(%L, 'u_seller', 'ACTIVE')$$, pg_temp.b8_id('l_1'))),
    ARRAY['CD007', 'listings_open_deal', 'listings', format('listing_id=%s', pg_temp.b8_id('l_1'))],
    'a listing under contract is not shown again (CD007 listings_open_deal)'
);
SELECT ok(bloxtr8.listing_has_open_deal('d1_l'), 'd1: an accepted offer with a PENDING_SIGNATURE contract is open');
SELECT * FROM bloxtr8.void_contract('d1_c');
SELECT ok(NOT bloxtr8.listing_has_open_deal('d1_l'), 'a VOID contract ends its deal');
SELECT is(
    (SELECT l.status::text FROM bloxtr8.set_listing_status('d1_l', 'u_seller', 'ACTIVE') AS l), 'ACTIVE',
    'the seller shows the listing again once its deal ended'
);
SELECT is(
    (SELECT l.status::text FROM bloxtr8.set_listing_status('d1_l', 'u_seller', 'INACTIVE') AS l), 'INACTIVE',
    'the seller hides an ACTIVE listing'
);
SELECT is(
    (SELECT l.status::text FROM bloxtr8.set_listing_status('d1_l', 'u_seller', 'INACTIVE') AS l), 'INACTIVE',
    'the same status again changes nothing'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.set_listing_status('d1_l', 'u_buyer', 'ACTIVE')$$), 'CD007 listings_seller',
    'only the seller shows or hides a listing');
SELECT is(pg_temp.try($$SELECT bloxtr8.set_listing_status('d1_l', 'u_seller', 'SOLD')$$), 'CD007 listings_sold_by_escrow',
    'a listing is SOLD only by releasing its escrow');
UPDATE bloxtr8.listings SET status = 'SOLD'
WHERE id = 'd2_l';
SELECT is(pg_temp.try($$SELECT bloxtr8.set_listing_status('d2_l', 'u_seller', 'ACTIVE')$$), 'CD001 listings_status_transition',
    'a SOLD listing stays SOLD (CD001)');
SELECT is(pg_temp.try($$SELECT bloxtr8.set_listing_status('l_nobody', 'u_seller', 'ACTIVE')$$), 'CD005 ', 'CD005 unknown listing');

-- the database's clock decides expiry: two days on (common.set_clock_offset, owner only), o_4 has expired
SELECT common.set_clock_offset(interval '2 days');
SELECT is(pg_temp.try(format($$SELECT bloxtr8.decline_offer(%L, 'u_seller')$$, pg_temp.b8_id('o_4'))), 'CD006 offers_expired',
    'expiry is judged by the database''s clock (moved two days on)');
SELECT common.set_clock_offset(interval '0');
SELECT is(pg_temp.try(format($$SELECT bloxtr8.decline_offer(%L, 'u_seller')$$, pg_temp.b8_id('o_4'))), 'ok',
    'and the same offer is valid at the real time');

-- expire_offers
INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id, created_at)
VALUES ('o_old2', 1, now(), 'd1_l', 'u_other', 'u_seller', now() - interval '2 hours');
SELECT is(bloxtr8.expire_offers(), 2, 'expire_offers moves the PENDING offers whose expiry has come (o_old, o_old2)');
SELECT is(
    (SELECT array_agg(o.id || ' ' || o.status ORDER BY o.id) FROM bloxtr8.offers AS o
     WHERE o.id IN ('o_old', 'o_old2', 'o_on_inactive')),
    ARRAY['o_old EXPIRED', 'o_old2 EXPIRED', 'o_on_inactive PENDING'],
    'expired offers are EXPIRED; an offer still valid stays PENDING'
);
SELECT is(bloxtr8.expire_offers(), 0, 'a second sweep finds nothing');

SELECT * FROM finish();
ROLLBACK;
