-- game_market: the ledger (0008): one set of entries per purchase, the balance rule (ledger_entries_balanced) for
-- every role, the CHECKs, append-only; the fee rates' CHECKs, uniques and defaults.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(34);
\ir ../helpers.psql
\ir fixtures.psql

SELECT pg_temp.gm_store('lea') AS game \gset
SELECT pg_temp.gm_user('max') AS max \gset
SELECT pg_temp.gm_paid(:'game', :'max', 'inv-max', 1000) AS paid \gset
SELECT pg_temp.gm_buy(:'game', :'max', 'inv-pending', 1000) AS pending \gset
-- a paid purchase without entries, as only the owner could make it
SELECT pg_temp.gm_buy(:'game', :'max', 'inv-bare', 1000) AS bare \gset
UPDATE game_market.purchases SET status = 'paid', paid_at = now()
WHERE id = :'bare';

CREATE FUNCTION pg_temp.entries(purchase uuid, entries text) RETURNS text LANGUAGE sql AS $$
    -- an INSERT of '<type> <amount>, ...' for the purchase, as one statement
    SELECT format(
        'INSERT INTO game_market.ledger_entries (purchase_id, type, amount_msat) VALUES %s',
        string_agg(format('(%L, %L, %s)', purchase, split_part(btrim(e), ' ', 1), split_part(btrim(e), ' ', 2)), ', ')
    )
    FROM unnest(string_to_array(entries, ',')) AS e
$$;

-- ledger_entries_balanced
SELECT is(pg_temp.gm_refused(pg_temp.entries(:'paid', 'sale 1000')),
    '23505 ledger_entries_purchase_id_type_key', 'one entry of each type per purchase');
SELECT is(
    pg_temp.error_fields(pg_temp.entries(:'bare', 'sale 1000')),
    ARRAY['23514', 'ledger_entries_balanced', 'ledger_entries',
          format('purchase_id=%s status=paid amount_msat=1000 sale=1000 platform_fee=none developer_share=none refund=none platform_fee_refund=none developer_share_refund=none', :'bare')],
    'a sale without its split is refused (23514, the amounts in DETAIL)'
);
SELECT is(pg_temp.gm_refused(pg_temp.entries(:'bare', 'sale 999, platform_fee 99, developer_share 900')),
    '23514 ledger_entries_balanced', 'a sale other than the purchase amount is refused');
SELECT is(pg_temp.gm_refused(pg_temp.entries(:'bare', 'sale 1000, platform_fee 100, developer_share 899')),
    '23514 ledger_entries_balanced', 'a split not summing to the sale is refused');
SELECT is(pg_temp.gm_refused(pg_temp.entries(:'bare', 'platform_fee 100, developer_share 900')),
    '23514 ledger_entries_balanced', 'a split without its sale is refused');
SELECT is(pg_temp.gm_refused(pg_temp.entries(:'pending', 'sale 1000, platform_fee 100, developer_share 900')),
    '23514 ledger_entries_balanced', 'an unpaid purchase has no entries');
SELECT is(pg_temp.gm_refused(pg_temp.entries(:'paid', 'refund 1000, platform_fee_refund 100, developer_share_refund 900')),
    '23514 ledger_entries_balanced', 'a purchase that is not refunded has no refund entries');
SELECT lives_ok(pg_temp.entries(:'bare', 'sale 1000, platform_fee 1, developer_share 999'),
    'a balanced set written by one INSERT is accepted');
UPDATE game_market.purchases SET status = 'refunded'
WHERE id = :'bare';
SELECT is(pg_temp.gm_refused(pg_temp.entries(:'bare', 'refund 1000')),
    '23514 ledger_entries_balanced', 'a refund without the refund of its split is refused');
SELECT is(pg_temp.gm_refused(pg_temp.entries(:'bare', 'refund 1000, platform_fee_refund 0, developer_share_refund 1000')),
    '23514 ledger_entries_balanced', 'refund entries must mirror the sale''s split');
SELECT is(pg_temp.gm_refused(pg_temp.entries(:'bare', 'refund 1000, platform_fee_refund 1, developer_share_refund 998')),
    '23514 ledger_entries_balanced', 'the developer share''s refund mirrors the developer share');
SELECT is(pg_temp.gm_refused(pg_temp.entries(:'bare', 'refund 999, platform_fee_refund 1, developer_share_refund 998')),
    '23514 ledger_entries_balanced', 'a partial refund is refused');
SELECT lives_ok(pg_temp.entries(:'bare', 'refund 1000, platform_fee_refund 1, developer_share_refund 999'),
    'refund entries mirroring the sale are accepted');
SELECT is(pg_temp.gm_refused(pg_temp.entries(:'bare', 'sale 1000')),
    '23505 ledger_entries_purchase_id_type_key', 'no second refund or sale');

-- CHECKs
SELECT pg_temp.gm_buy(:'game', :'max', 'inv-c', 1000) AS c \gset
UPDATE game_market.purchases SET status = 'paid', paid_at = now()
WHERE id = :'c';
SELECT is(pg_temp.gm_refused(pg_temp.entries(:'c', 'sale 1000, platform_fee -1, developer_share 1001')),
    '23514 ledger_entries_amount_msat_check', 'a negative amount is refused');
SELECT lives_ok(pg_temp.entries(:'c', 'sale 1000, platform_fee 0, developer_share 1000'), 'a fee of 0 is accepted');
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.ledger_entries (purchase_id, type, amount_msat, meta_json)
                                VALUES (%L, 'refund', 1000, '[]')$$, :'c')),
    '23514 ledger_entries_meta_json_check', 'meta_json is an object'
);
SELECT is(
    pg_temp.gm_refused($$INSERT INTO game_market.ledger_entries (purchase_id, type, amount_msat)
                         VALUES ('00000000-0000-4000-8000-000000000000', 'sale', 1)$$),
    '23503 ledger_entries_purchase_id_fkey', 'an entry belongs to a purchase'
);

-- append-only, for everyone
SELECT is(pg_temp.gm_refused($$UPDATE game_market.ledger_entries SET amount_msat = amount_msat + 1$$),
    'CD003 ledger_entries_append_only', 'ledger entries are never updated (not even by the owner)');
SELECT is(pg_temp.gm_refused($$DELETE FROM game_market.ledger_entries$$),
    'CD003 ledger_entries_append_only', 'ledger entries are never deleted');
SELECT is(pg_temp.gm_refused($$TRUNCATE game_market.ledger_entries$$),
    'CD003 ledger_entries_append_only', 'the ledger is never truncated');
SELECT throws_ok(pg_temp.gm_as_app(pg_temp.entries(:'pending', 'sale 1000')), '42501', NULL,
    'the application writes no ledger entry');

-- fee_rates
SELECT results_eq($$SELECT game_id, fee_bps FROM game_market.fee_rates$$, $$VALUES (NULL::uuid, 1000)$$,
    'installed: the default rate, 1000 bps');
SELECT is(pg_temp.gm_refused($$INSERT INTO game_market.fee_rates (game_id, fee_bps) VALUES (NULL, 500)$$),
    '23505 fee_rates_game_id_key', 'one default rate (NULLS NOT DISTINCT)');
SELECT lives_ok(format($$INSERT INTO game_market.fee_rates (game_id, fee_bps) VALUES (%L, 9999)$$, :'game'),
    'a game''s rate of 9999 bps is accepted');
SELECT is(pg_temp.gm_refused(format($$INSERT INTO game_market.fee_rates (game_id, fee_bps) VALUES (%L, 1)$$, :'game')),
    '23505 fee_rates_game_id_key', 'one rate per game');
SELECT is(pg_temp.gm_refused($$UPDATE game_market.fee_rates SET fee_bps = 10000 WHERE game_id IS NULL$$),
    '23514 fee_rates_fee_bps_check', 'a fee of the whole sale (10000 bps) is refused');
SELECT is(pg_temp.gm_refused($$UPDATE game_market.fee_rates SET fee_bps = -1 WHERE game_id IS NULL$$),
    '23514 fee_rates_fee_bps_check', 'a negative fee is refused');
SELECT lives_ok($$UPDATE game_market.fee_rates SET fee_bps = 0 WHERE game_id IS NULL$$, 'a fee of 0 is accepted');
SELECT is(
    pg_temp.gm_refused(format($$UPDATE game_market.fee_rates SET game_id = %L WHERE game_id IS NULL$$, :'game')),
    'CD003 fee_rates_game_id_immutable', 'a rate''s game never changes'
);
UPDATE game_market.fee_rates SET updated_at = '2000-01-01'
WHERE game_id IS NULL;
SELECT is((SELECT updated_at FROM game_market.fee_rates
           WHERE game_id IS NULL), now(), 'an update sets updated_at');
SELECT pg_temp.gm_game((SELECT developer_user_id FROM game_market.games
                        WHERE id = :'game'), 'lea-draft') AS draft \gset
INSERT INTO game_market.fee_rates (game_id, fee_bps) VALUES (:'draft', 1);
DELETE FROM game_market.games
WHERE id = :'draft';
SELECT is((SELECT count(*)::integer FROM game_market.fee_rates
           WHERE game_id = :'draft'), 0,
    'a game''s rate goes with the game');
SELECT throws_ok(pg_temp.gm_as_app($$UPDATE game_market.fee_rates SET fee_bps = 0$$), '42501', NULL,
    'the application does not set fees');
SELECT lives_ok(pg_temp.gm_as_app($$SELECT fee_bps FROM game_market.fee_rates$$), 'the application reads them');

SELECT * FROM finish();
ROLLBACK;
