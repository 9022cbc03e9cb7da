-- game_market: purchases (0005) and buying (0012): every CHECK both ways, the uniques, the initial state, the
-- immutable columns; create_purchase for a user and a guest (idempotent per invoice, CD002, CD005, CD007) and
-- expire_invoice.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(51);
\ir ../helpers.psql
\ir fixtures.psql

SELECT pg_temp.gm_store('eve') AS game \gset
SELECT pg_temp.gm_user('fay') AS fay \gset

-- CHECKs, written directly (as the owner could; the application cannot)
PREPARE buy (uuid, text, text, text, bigint) AS
INSERT INTO game_market.purchases (buyer_user_id, guest_receipt_code, game_id, invoice_provider, invoice_id, amount_msat)
VALUES ($1, $2, (SELECT id FROM game_market.games
                 WHERE slug = 'eve'), $3, $4, $5);
SELECT lives_ok(
    format($$EXECUTE buy(%L, NULL, 'lnbits', 'c-1', 1)$$, :'fay'), 'a user''s purchase of 1 msat is accepted'
);
SELECT lives_ok(
    $$EXECUTE buy(NULL, repeat('0a', 16), 'btc_pay-2', repeat('~', 255), 9223372036854775807)$$,
    'a guest''s purchase with a receipt code, any printable invoice id up to 255 characters, the largest amount'
);
SELECT is(pg_temp.gm_refused($$EXECUTE buy(NULL, NULL, 'lnbits', 'c-2', 1)$$),
    '23514 purchases_buyer_check', 'a purchase without a buyer is refused');
SELECT is(pg_temp.gm_refused(format($$EXECUTE buy(%L, repeat('1a', 16), 'lnbits', 'c-3', 1)$$, :'fay')),
    '23514 purchases_buyer_check', 'a purchase with both a user and a receipt code is refused');
SELECT is(pg_temp.gm_refused($$EXECUTE buy(NULL, repeat('0a', 16), 'lnbits', 'c-4', 1)$$),
    '23505 purchases_guest_receipt_code_key', 'a receipt code names one purchase');
SELECT is(pg_temp.gm_refused($$EXECUTE buy(NULL, repeat('0A', 16), 'lnbits', 'c-5', 1)$$),
    '23514 purchases_guest_receipt_code_check', 'an uppercase receipt code is refused');
SELECT is(pg_temp.gm_refused($$EXECUTE buy(NULL, repeat('0a', 15), 'lnbits', 'c-6', 1)$$),
    '23514 purchases_guest_receipt_code_check', 'a 30-character receipt code is refused');
SELECT is(pg_temp.gm_refused(format($$EXECUTE buy(%L, NULL, 'lnbits', 'c-1', 1)$$, :'fay')),
    '23505 purchases_invoice_id_key', 'an invoice backs one purchase');
SELECT is(pg_temp.gm_refused(format($$EXECUTE buy(%L, NULL, 'LNbits', 'c-7', 1)$$, :'fay')),
    '23514 purchases_invoice_provider_check', 'an uppercase provider name is refused');
SELECT is(pg_temp.gm_refused(format($$EXECUTE buy(%L, NULL, repeat('p', 33), 'c-8', 1)$$, :'fay')),
    '23514 purchases_invoice_provider_check', 'a 33-character provider name is refused');
SELECT is(pg_temp.gm_refused(format($$EXECUTE buy(%L, NULL, 'lnbits', '', 1)$$, :'fay')),
    '23514 purchases_invoice_id_check', 'an empty invoice id is refused');
SELECT is(pg_temp.gm_refused(format($$EXECUTE buy(%L, NULL, 'lnbits', 'a b', 1)$$, :'fay')),
    '23514 purchases_invoice_id_check', 'an invoice id with a space is refused');
SELECT is(pg_temp.gm_refused(format($$EXECUTE buy(%L, NULL, 'lnbits', repeat('i', 256), 1)$$, :'fay')),
    '23514 purchases_invoice_id_check', 'a 256-character invoice id is refused');
SELECT is(pg_temp.gm_refused(format($$EXECUTE buy(%L, NULL, 'lnbits', 'c-9', 0)$$, :'fay')),
    '23514 purchases_amount_msat_check', 'an amount of 0 is refused');
SELECT is(pg_temp.gm_refused(format($$EXECUTE buy(%L, NULL, 'lnbits', 'c-10', -1)$$, :'fay')),
    '23514 purchases_amount_msat_check', 'a negative amount is refused');
SELECT is(pg_temp.gm_refused(format($$EXECUTE buy(%L, NULL, 'lnbits', 'c-11', 1)$$, gen_random_uuid())),
    '23503 purchases_buyer_user_id_fkey', 'a buyer is a user');
SELECT is(
    pg_temp.gm_refused(format(
        $$INSERT INTO game_market.purchases (buyer_user_id, game_id, invoice_provider, invoice_id, amount_msat, status)
          VALUES (%L, %L, 'lnbits', 'c-12', 1, 'paid')$$, :'fay', :'game'
    )),
    'CD007 purchases_initial_status', 'a purchase starts pending'
);
SELECT is(
    pg_temp.gm_refused($$UPDATE game_market.purchases SET paid_at = now() WHERE invoice_id = 'c-1'$$),
    '23514 purchases_paid_at_check', 'a pending purchase has no paid_at'
);
SELECT is(
    pg_temp.gm_refused($$UPDATE game_market.purchases SET status = 'paid' WHERE invoice_id = 'c-1'$$),
    '23514 purchases_paid_at_check', 'a paid purchase has its paid_at'
);
SELECT is(
    pg_temp.gm_refused(
        $$UPDATE game_market.purchases SET status = 'paid', paid_at = created_at - interval '1 second'
          WHERE invoice_id = 'c-1'$$
    ),
    '23514 purchases_paid_at_created_at_check', 'a purchase is not paid before it was created'
);
SELECT is(
    pg_temp.gm_refused($$UPDATE game_market.purchases SET amount_msat = 2 WHERE invoice_id = 'c-1'$$),
    'CD003 purchases_amount_msat_immutable', 'the amount never changes'
);
SELECT is(
    pg_temp.gm_refused($$UPDATE game_market.purchases SET invoice_id = 'c-1b' WHERE invoice_id = 'c-1'$$),
    'CD003 purchases_invoice_id_immutable', 'the invoice never changes'
);
UPDATE game_market.purchases SET updated_at = '2000-01-01'
WHERE invoice_id = 'c-1';
SELECT is(
    (SELECT updated_at FROM game_market.purchases
     WHERE invoice_id = 'c-1'), now(), 'an update sets updated_at'
);

-- create_purchase for a user
SELECT * FROM game_market.create_purchase(:'game', :'fay', 'lnbits', 'inv-fay', 2100) AS p \gset p_
SELECT is(
    (SELECT ARRAY[status::text, buyer_user_id::text, coalesce(guest_receipt_code, '-'), amount_msat::text, invoice_provider]
     FROM game_market.purchases
WHERE id = :'p_id'),
    ARRAY['pending', :'fay', '-', '2100', 'lnbits'],
    'create_purchase: a pending purchase by the user, for the amount, no receipt code'
);
SELECT is(
    (SELECT id FROM game_market.create_purchase(:'game', :'fay', 'lnbits', 'inv-fay', 2100))::text, :'p_id',
    'the same invoice with the same details returns the same purchase (a retried call)'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT game_market.create_purchase(%L, %L, 'lnbits', 'inv-fay', 2101)$$, :'game', :'fay')),
    ARRAY['CD002', 'purchases_invoice_id_key', 'purchases', format('invoice_id=inv-fay purchase=%s differs in: amount_msat', :'p_id')],
    'the same invoice for another amount is CD002, the differing field in DETAIL'
);
SELECT pg_temp.gm_store('flo') AS other_game \gset
SELECT is(
    (pg_temp.error_fields(format($$SELECT game_market.create_purchase(%L, %L, 'lnbits', 'inv-fay', 2100)$$,
        :'other_game', :'fay')))[4],
    format('invoice_id=inv-fay purchase=%s differs in: game_id', :'p_id'),
    'the same invoice for another game is CD002 naming game_id'
);
SELECT is(
    (pg_temp.error_fields(format($$SELECT game_market.create_purchase(%L, NULL, 'btcpay', 'inv-fay', 2100)$$, :'game')))[4],
    format('invoice_id=inv-fay purchase=%s differs in: buyer_user_id, invoice_provider', :'p_id'),
    'the same invoice for a guest through another provider: CD002 naming both fields'
);
SELECT is(
    (SELECT count(*)::integer FROM game_market.purchases
     WHERE invoice_id = 'inv-fay'), 1, 'one purchase for the invoice'
);

-- create_purchase for a guest
SELECT * FROM game_market.create_purchase(:'game', NULL, 'lnbits', 'inv-guest-1', 500) AS g \gset g_
SELECT matches(:'g_guest_receipt_code'::text, '^[0-9a-f]{32}$', 'create_purchase: a guest gets a receipt code of 32 hex');
SELECT is((SELECT buyer_user_id FROM game_market.purchases
           WHERE id = :'g_id'), NULL::uuid, '... and no buyer');
SELECT is(
    (SELECT guest_receipt_code FROM game_market.create_purchase(:'game', NULL, 'lnbits', 'inv-guest-1', 500)),
    :'g_guest_receipt_code', 'a retried guest purchase returns the same receipt code'
);
SELECT isnt(
    (SELECT guest_receipt_code FROM game_market.create_purchase(:'game', NULL, 'lnbits', 'inv-guest-2', 500)),
    :'g_guest_receipt_code', 'another guest purchase gets another code'
);

-- what is not for sale
SELECT pg_temp.gm_game((SELECT developer_user_id FROM game_market.games
                        WHERE id = :'game'), 'eve-draft') AS draft \gset
SELECT is(
    pg_temp.error_fields(format($$SELECT game_market.create_purchase(%L, %L, 'lnbits', 'inv-d', 1000)$$, :'draft', :'fay')),
    ARRAY['CD007', 'purchases_game_published', 'purchases', format('game_id=%s status=draft', :'draft')],
    'a draft game is not sold (CD007)'
);
SELECT is(
    pg_temp.error_fields($$SELECT game_market.create_purchase('00000000-0000-4000-8000-000000000000', NULL, 'lnbits', 'inv-x', 1000)$$),
    ARRAY['CD005', '', 'games', 'key=00000000-0000-4000-8000-000000000000'], 'an unknown game is CD005'
);
SELECT is(
    pg_temp.gm_refused(format($$SELECT game_market.create_purchase(%L, %L, 'lnbits', 'inv-zero', 0)$$, :'game', :'fay')),
    '23514 purchases_amount_msat_check', 'create_purchase: an amount of 0 is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$SELECT game_market.create_purchase(%L, %L, 'lnbits', 'inv-u', 10)$$, :'game', gen_random_uuid())),
    '23503 purchases_buyer_user_id_fkey', 'create_purchase: an unknown buyer is refused'
);
SELECT FROM game_market.unlist_game(:'game');
SELECT is(
    (pg_temp.error_fields(format($$SELECT game_market.create_purchase(%L, %L, 'lnbits', 'inv-un', 1000)$$, :'game', :'fay')))[2],
    'purchases_game_published', 'an unlisted game is not sold'
);
SELECT is(
    (SELECT id FROM game_market.create_purchase(:'game', :'fay', 'lnbits', 'inv-fay', 2100))::text, :'p_id',
    'a purchase made before the game was unlisted is still returned to a retry'
);
SELECT is(
    (SELECT count(*)::integer FROM game_market.purchases
     WHERE invoice_id IN ('inv-d', 'inv-x', 'inv-zero', 'inv-u', 'inv-un')),
    0, 'refused purchases wrote nothing'
);
SELECT FROM game_market.publish_game(:'game');

-- expire_invoice
SELECT is(
    (SELECT status::text FROM game_market.expire_invoice('lnbits', 'inv-guest-2')), 'expired',
    'expire_invoice: pending -> expired'
);
SELECT ctid AS expired_ctid FROM game_market.purchases
WHERE invoice_id = 'inv-guest-2' \gset
SELECT is(
    (SELECT status::text FROM game_market.expire_invoice('lnbits', 'inv-guest-2')), 'expired',
    'a replayed expiry returns the purchase'
);
SELECT is(
    (SELECT ctid::text FROM game_market.purchases
     WHERE invoice_id = 'inv-guest-2'), :'expired_ctid', '... unchanged'
);
SELECT is(
    pg_temp.error_fields($$SELECT game_market.expire_invoice('lnbits', 'nope')$$),
    ARRAY['CD005', '', 'purchases', 'key=lnbits:nope'], 'expire_invoice: an unknown invoice is CD005'
);
SELECT is(
    pg_temp.error_fields($$SELECT game_market.expire_invoice('btcpay', 'inv-fay')$$),
    ARRAY['CD005', '', 'purchases', 'key=btcpay:inv-fay'], 'an invoice is known under its own provider only'
);
SELECT is(
    pg_temp.error_fields($$SELECT game_market.expire_invoice('lnbits', NULL)$$),
    ARRAY['CD005', '', 'purchases', 'key=lnbits:NULL'], 'an expiry naming no invoice is CD005 saying so'
);
SELECT FROM game_market.settle_invoice('lnbits', 'inv-fay');
SELECT is(
    pg_temp.error_fields($$SELECT game_market.expire_invoice('lnbits', 'inv-fay')$$),
    ARRAY['CD001', 'purchases_status_transition', 'purchases', 'from=paid to=expired'],
    'a paid purchase does not expire (CD001)'
);
SELECT is(
    pg_temp.gm_refused($$UPDATE game_market.purchases SET paid_at = paid_at + interval '1 second' WHERE invoice_id = 'inv-fay'$$),
    'CD003 purchases_paid_at_immutable', 'paid_at never changes once set'
);

-- the application buys only through the function
SELECT throws_ok(
    pg_temp.gm_as_app(format(
        $$INSERT INTO game_market.purchases (buyer_user_id, game_id, invoice_provider, invoice_id, amount_msat)
          VALUES (%L, %L, 'lnbits', 'inv-direct', 1)$$, :'fay', :'game'
    )),
    '42501', NULL, 'the application cannot insert a purchase directly'
);
SELECT throws_ok(
    pg_temp.gm_as_app($$UPDATE game_market.purchases SET status = 'expired' WHERE invoice_id = 'inv-guest-1'$$),
    '42501', NULL, 'the application cannot write a purchase''s status'
);
SELECT lives_ok(
    pg_temp.gm_as_app(format($$SELECT game_market.create_purchase(%L, NULL, 'lnbits', 'inv-app', 7)$$, :'game')),
    'the application buys through create_purchase'
);

SELECT * FROM finish();
ROLLBACK;
