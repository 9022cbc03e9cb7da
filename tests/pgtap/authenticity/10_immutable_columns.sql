-- authenticity: what never changes, written out as the specification (one line per column) and tried on
-- real rows as the owner would: every fixed column refuses any change, every set-once column refuses a
-- change once set (CD003 <table>_<column>_immutable). Each try is undone (pg_temp.verdict). The
-- declarations (common.immutable_columns) must give exactly this: declaring a column free makes a line
-- fail, and the last test fails when a declared column has no line here.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
\ir ../helpers.psql
\ir fixtures.psql

SELECT pg_temp.batch('IM', 'ACTIVE');
SELECT pg_temp.pack(pg_temp.bid('IM'), 'IMP', 2, 'PRINT_CONFIRMED');
SELECT pg_temp.pack(pg_temp.bid('IM'), 'IMG', 1, 'GENERATING');
SELECT authenticity.issue_verify_intent(pg_temp.commit('IMG:1'), 1000, p_verify_intent_id => 'im-1');
INSERT INTO authenticity.user_wallets (user_id, wallet_pubkey)
VALUES ('00000000-0000-4000-8000-000000000021', pg_temp.pubkey('im-wallet'));
UPDATE authenticity.batches SET onchain_batch_pubkey = pg_temp.pubkey('im-batch')
WHERE batch_public_id = 'IM';

CREATE TEMP TABLE spec (ord serial, tbl text, col text, set_once boolean, change text) ON COMMIT DROP;
INSERT INTO spec (tbl, col, set_once, change) VALUES
('batches', 'manufacturer_id', false, $$manufacturer_id = '00000000-0000-4000-8000-000000000002'$$),
('batches', 'sku_id', false, $$sku_id = '00000000-0000-4000-8000-000000000012'$$),
('batches', 'batch_public_id', false, $$batch_public_id = 'IM2'$$),
('batches', 'created_at', false, $$created_at = created_at - interval '1 day'$$),
('batches', 'onchain_batch_pubkey', true, $$onchain_batch_pubkey = pg_temp.pubkey('other')$$),
('batches', 'activated_at', true, $$activated_at = activated_at + interval '1 second'$$),
('batches', 'activated_tx_signature', true, $$activated_tx_signature = pg_temp.sig('other')$$),
('code_packs', 'pack_id', false, $$pack_id = 'IMP2'$$),
('code_packs', 'batch_id', false, $$batch_id = pg_temp.batch('IM4', 'ACTIVE')$$),
('code_packs', 'quantity', false, $$quantity = quantity + 1$$),
('code_packs', 'created_at', false, $$created_at = created_at - interval '1 day'$$),
('code_packs', 'downloaded_at', true, $$downloaded_at = downloaded_at - interval '1 second'$$),
('code_packs', 'print_confirmed_at', true, $$print_confirmed_at = print_confirmed_at + interval '1 second'$$),
('code_packs', 'plaintext_purged_at', true, $$plaintext_purged_at = plaintext_purged_at + interval '1 second'$$),
('codes', 'id', false, $$id = gen_random_uuid()$$),
('codes', 'pack_id', false, $$pack_id = pg_temp.pid('IMG')$$),
('codes', 'qr_payload', false, $$qr_payload = qr_payload || '0'$$),
('codes', 'commitment', false, $$commitment = pg_temp.commit('other')$$),
('codes', 'onchain_code_pda', false, $$onchain_code_pda = pg_temp.pubkey('other')$$),
('codes', 'created_at', false, $$created_at = created_at - interval '1 day'$$),
('user_wallets', 'id', false, $$id = gen_random_uuid()$$),
('user_wallets', 'user_id', false, $$user_id = '00000000-0000-4000-8000-000000000022'$$),
('user_wallets', 'chain', false, $$chain = 'SOLANA'$$),
('user_wallets', 'wallet_pubkey', false, $$wallet_pubkey = pg_temp.pubkey('other')$$),
('user_wallets', 'created_at', false, $$created_at = created_at - interval '1 day'$$),
('verify_intents', 'id', false, $$id = gen_random_uuid()$$),
('verify_intents', 'verify_intent_id', false, $$verify_intent_id = 'im-2'$$),
('verify_intents', 'batch_id', false, $$batch_id = pg_temp.batch('IM3', 'ACTIVE')$$),
('verify_intents', 'commitment', false, $$commitment = pg_temp.commit('other')$$),
('verify_intents', 'reward_lamports', false, $$reward_lamports = reward_lamports + 1$$),
('verify_intents', 'expires_at', false, $$expires_at = expires_at + interval '1 second'$$),
('verify_intents', 'created_at', false, $$created_at = created_at - interval '1 second'$$);

-- the row each table's changes are tried on
CREATE TEMP TABLE target (tbl text PRIMARY KEY, row_filter text) ON COMMIT DROP;
INSERT INTO target VALUES
('batches', $$batch_public_id = 'IM'$$),
('code_packs', $$pack_id = 'IMP'$$),
('codes', $$pack_id = pg_temp.pid('IMP') AND commitment = pg_temp.commit('IMP:1')$$),
('user_wallets', $$wallet_pubkey = pg_temp.pubkey('im-wallet')$$),
('verify_intents', $$verify_intent_id = 'im-1'$$);

SELECT plan((SELECT count(*)::int + 3 FROM spec));

SELECT is(
    pg_temp.verdict(format('UPDATE authenticity.%I SET %s WHERE %s', s.tbl, s.change, t.row_filter)),
    format('CD003 %s_%s_immutable', s.tbl, s.col),
    format('%s.%s never changes%s', s.tbl, s.col, CASE WHEN s.set_once THEN ' once set' ELSE '' END)
)
FROM spec AS s INNER JOIN target AS t ON s.tbl = t.tbl
ORDER BY s.ord;

-- set-once columns may be set once, from NULL
SELECT is(
    pg_temp.verdict($$UPDATE authenticity.batches SET onchain_batch_pubkey = pg_temp.pubkey('first')
        WHERE batch_public_id = 'F-1'$$),
    'admitted', 'batches.onchain_batch_pubkey may be set once'
) FROM (SELECT pg_temp.batch('F-1', 'CREATED')) AS made;
SELECT is(
    pg_temp.verdict($$SELECT authenticity.activate_batch(pg_temp.bid('F-1'), pg_temp.sig('first'))$$),
    'admitted', 'batches.activated_at and activated_tx_signature are set once, by the activation'
);

-- the specification covers every declared immutable column of the schema
SELECT set_eq(
    $$SELECT table_name::text, column_name::text, set_once FROM common.immutable_columns
      WHERE schema_name = 'authenticity'$$,
    $$SELECT tbl, col, set_once FROM spec$$,
    'every immutable column declared in authenticity is specified here, fixed or set-once'
);

SELECT * FROM finish();
ROLLBACK;
