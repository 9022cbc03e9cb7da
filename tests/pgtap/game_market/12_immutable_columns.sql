-- game_market: what never changes, written out as the specification (one line per column) and tried on
-- real rows as the owner would: every fixed column refuses any change, every set-once column refuses a
-- change once set (CD003 <table>_<column>_immutable). Each try is undone (pg_temp.verdict). The
-- declarations (common.immutable_columns) must give exactly this: declaring a column free makes a line
-- fail, and the last test fails when a declared column has no line here.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
\ir ../helpers.psql
\ir fixtures.psql

-- two stores (developer, published game, published release with its build), a user, a guest's purchase
-- paid then refunded (its entitlement revoked, its payout cancelled), a user's paid purchase, a game's fee
SELECT
    pg_temp.gm_store('imm') AS game,
    pg_temp.gm_store('immtwo') AS other_game,
    pg_temp.gm_user('immbuyer') AS buyer;
SELECT
    game_market.refund_purchase(pg_temp.gm_paid(g.id, NULL, 'imm-guest', 10000)) AS guest,
    pg_temp.gm_paid(g.id, u.id, 'imm-user', 10000) AS paid
FROM game_market.games AS g, game_market.users AS u
WHERE g.slug = 'imm' AND u.pubkey = pg_temp.gm_pubkey('immbuyer');
INSERT INTO game_market.fee_rates (game_id, fee_bps)
SELECT
    g.id AS game_id,
    500 AS fee_bps
FROM game_market.games AS g
WHERE g.slug = 'imm';

CREATE TEMP TABLE spec (ord serial, tbl text, col text, set_once boolean, change text) ON COMMIT DROP;
INSERT INTO spec (tbl, col, set_once, change) VALUES
('users', 'id', false, $$id = gen_random_uuid()$$),
('users', 'pubkey', false, $$pubkey = pg_temp.gm_pubkey('other')$$),
('users', 'created_at', false, $$created_at = created_at - interval '1 day'$$),
('developer_profiles', 'user_id', false,
    $$user_id = (SELECT u.id FROM game_market.users AS u WHERE u.pubkey = pg_temp.gm_pubkey('immbuyer'))$$),
('developer_profiles', 'created_at', false, $$created_at = created_at - interval '1 day'$$),
('games', 'id', false, $$id = gen_random_uuid()$$),
('games', 'developer_user_id', false,
    $$developer_user_id = (SELECT g.developer_user_id FROM game_market.games AS g WHERE g.slug = 'immtwo')$$),
('games', 'created_at', false, $$created_at = created_at - interval '1 day'$$),
('releases', 'id', false, $$id = gen_random_uuid()$$),
('releases', 'game_id', false, $$game_id = (SELECT g.id FROM game_market.games AS g WHERE g.slug = 'immtwo')$$),
('releases', 'version', false, $$version = '9.9.9'$$),
('releases', 'created_at', false, $$created_at = created_at - interval '1 day'$$),
('releases', 'published_at', true, $$published_at = published_at + interval '1 second'$$),
('build_assets', 'id', false, $$id = gen_random_uuid()$$),
('build_assets', 'release_id', false, $$release_id = (SELECT r.id FROM game_market.releases AS r
    INNER JOIN game_market.games AS g ON g.id = r.game_id WHERE g.slug = 'immtwo')$$),
('build_assets', 'object_key', false, $$object_key = object_key || '.old'$$),
('build_assets', 'sha256', false, $$sha256 = repeat('0', 64)$$),
('build_assets', 'size_bytes', false, $$size_bytes = size_bytes + 1$$),
('build_assets', 'content_type', false, $$content_type = 'application/x-tar'$$),
('build_assets', 'created_at', false, $$created_at = created_at - interval '1 day'$$),
('purchases', 'id', false, $$id = gen_random_uuid()$$),
('purchases', 'buyer_user_id', false,
    $$buyer_user_id = (SELECT u.id FROM game_market.users AS u WHERE u.pubkey = pg_temp.gm_pubkey('immbuyer'))$$),
('purchases', 'guest_receipt_code', false, $$guest_receipt_code = repeat('0', 32)$$),
('purchases', 'game_id', false, $$game_id = (SELECT g.id FROM game_market.games AS g WHERE g.slug = 'immtwo')$$),
('purchases', 'invoice_provider', false, $$invoice_provider = 'btcpay'$$),
('purchases', 'invoice_id', false, $$invoice_id = 'imm-other'$$),
('purchases', 'amount_msat', false, $$amount_msat = amount_msat + 1$$),
('purchases', 'created_at', false, $$created_at = created_at - interval '1 day'$$),
('purchases', 'paid_at', true, $$paid_at = paid_at + interval '1 second'$$),
('entitlements', 'id', false, $$id = gen_random_uuid()$$),
('entitlements', 'purchase_id', false,
    $$purchase_id = (SELECT p.id FROM game_market.purchases AS p WHERE p.invoice_id = 'imm-user')$$),
('entitlements', 'buyer_user_id', false,
    $$buyer_user_id = (SELECT u.id FROM game_market.users AS u WHERE u.pubkey = pg_temp.gm_pubkey('immbuyer'))$$),
('entitlements', 'guest_receipt_code', false, $$guest_receipt_code = repeat('0', 32)$$),
('entitlements', 'game_id', false, $$game_id = (SELECT g.id FROM game_market.games AS g WHERE g.slug = 'immtwo')$$),
('entitlements', 'granted_at', false, $$granted_at = granted_at - interval '1 second'$$),
('entitlements', 'revoked_at', true, $$revoked_at = revoked_at + interval '1 second'$$),
('fee_rates', 'id', false, $$id = gen_random_uuid()$$),
('fee_rates', 'game_id', false, $$game_id = (SELECT g.id FROM game_market.games AS g WHERE g.slug = 'immtwo')$$),
('fee_rates', 'created_at', false, $$created_at = created_at - interval '1 day'$$),
('payouts', 'id', false, $$id = gen_random_uuid()$$),
('payouts', 'purchase_id', false,
    $$purchase_id = (SELECT p.id FROM game_market.purchases AS p WHERE p.invoice_id = 'imm-user')$$),
('payouts', 'developer_user_id', false,
    $$developer_user_id = (SELECT g.developer_user_id FROM game_market.games AS g WHERE g.slug = 'immtwo')$$),
('payouts', 'destination_ln_address', false, $$destination_ln_address = 'other@pay.example.com'$$),
('payouts', 'amount_msat', false, $$amount_msat = amount_msat + 1$$),
('payouts', 'idempotency_key', false, $$idempotency_key = idempotency_key || '-2'$$),
('payouts', 'created_at', false, $$created_at = created_at - interval '1 day'$$);

-- the row each table's changes are tried on
CREATE TEMP TABLE target (tbl text PRIMARY KEY, row_filter text) ON COMMIT DROP;
INSERT INTO target VALUES
('users', $$pubkey = pg_temp.gm_pubkey('immbuyer')$$),
('developer_profiles', $$user_id = (SELECT g.developer_user_id FROM game_market.games AS g WHERE g.slug = 'imm')$$),
('games', $$slug = 'imm'$$),
('releases', $$game_id = (SELECT g.id FROM game_market.games AS g WHERE g.slug = 'imm')$$),
('build_assets', $$release_id = (SELECT r.id FROM game_market.releases AS r
    INNER JOIN game_market.games AS g ON g.id = r.game_id WHERE g.slug = 'imm')$$),
('purchases', $$invoice_id = 'imm-guest'$$),
('entitlements', $$purchase_id = (SELECT p.id FROM game_market.purchases AS p WHERE p.invoice_id = 'imm-guest')$$),
('fee_rates', $$game_id = (SELECT g.id FROM game_market.games AS g WHERE g.slug = 'imm')$$),
('payouts', $$purchase_id = (SELECT p.id FROM game_market.purchases AS p WHERE p.invoice_id = 'imm-guest')$$);

SELECT plan((SELECT count(*)::int + 2 FROM spec));

-- each target is one row
CREATE FUNCTION pg_temp.gm_count(p_table text, p_filter text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_count bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM game_market.%I WHERE %s', p_table, p_filter) INTO v_count;
    RETURN v_count;
END
$$;
SELECT is(
    (
        SELECT array_agg(t.tbl ORDER BY t.tbl) FROM target AS t
        WHERE pg_temp.gm_count(t.tbl, t.row_filter) <> 1
    ),
    NULL, 'each table''s target is one row'
);

SELECT is(
    pg_temp.verdict(format('UPDATE game_market.%I SET %s WHERE %s', s.tbl, s.change, t.row_filter)),
    format('CD003 %s_%s_immutable', s.tbl, s.col),
    format('%s.%s never changes%s', s.tbl, s.col, CASE WHEN s.set_once THEN ' once set' ELSE '' END)
)
FROM spec AS s INNER JOIN target AS t ON s.tbl = t.tbl
ORDER BY s.ord;

-- the specification covers every declared immutable column of the schema
SELECT set_eq(
    $$SELECT table_name::text, column_name::text, set_once FROM common.immutable_columns
      WHERE schema_name = 'game_market'$$,
    $$SELECT tbl, col, set_once FROM spec$$,
    'every immutable column declared in game_market is specified here, fixed or set-once'
);

SELECT * FROM finish();
ROLLBACK;
