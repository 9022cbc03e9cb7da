-- authenticity: both sides of every CHECK, at its boundaries. Each probe inserts a valid base row of a
-- table with some columns changed, with no trigger and no foreign key firing (pg_temp.check_verdict:
-- session_replication_role = replica, as a logical replica or pg_restore --disable-triggers loads
-- rows), so the CHECKs alone judge it: admitted, or refused naming the CHECK. The probes leave nothing
-- behind. Each comparison is probed on both sides of its boundary and each regex with what its anchors
-- keep out (make mutate moves every comparison one step and drops every anchor: these probes fail then).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
\ir ../helpers.psql
\ir fixtures.psql

CREATE TEMP TABLE base (tbl regclass PRIMARY KEY, fields jsonb NOT NULL) ON COMMIT DROP;
INSERT INTO base (tbl, fields) VALUES
('authenticity.manufacturers', '{"name": "Acme", "hmac_kms_key_id": "alias/acme"}'),
('authenticity.skus', jsonb_build_object(
    'manufacturer_id', '00000000-0000-4000-8000-0000000000f1', 'sku_code', 'SKU-1', 'sku_name', 'Anvil',
    'sku_hash', '\x' || repeat('ab', 32))),
('authenticity.batches', jsonb_build_object(
    'manufacturer_id', '00000000-0000-4000-8000-0000000000f1', 'sku_id', '00000000-0000-4000-8000-0000000000f2',
    'batch_public_id', 'B-1', 'batch_label', 'Run')),
('authenticity.code_packs', '{"pack_id": "P-1", "batch_id": "00000000-0000-4000-8000-0000000000f3", "quantity": 1}'),
('authenticity.codes', jsonb_build_object(
    'pack_id', '00000000-0000-4000-8000-0000000000f4', 'qr_payload', pg_temp.payload('PB', 'c'),
    'commitment', '\x' || encode(pg_temp.commit('c'), 'hex'), 'onchain_code_pda', pg_temp.pubkey('pda:c'))),
('authenticity.verify_intents', jsonb_build_object(
    'verify_intent_id', 'vi_1', 'batch_id', '00000000-0000-4000-8000-0000000000f3',
    'commitment', '\x' || encode(pg_temp.commit('c'), 'hex'), 'reward_lamports', 1,
    'created_at', '2030-01-01T00:00:00Z', 'expires_at', '2030-01-01T00:05:00Z')),
('authenticity.verifications', jsonb_build_object(
    'batch_id', '00000000-0000-4000-8000-0000000000f3', 'user_id', '00000000-0000-4000-8000-0000000000f5',
    'commitment', '\x' || encode(pg_temp.commit('c'), 'hex'), 'code_pda', pg_temp.pubkey('pda:c'),
    'reward_lamports', 1, 'tx_signature', pg_temp.sig('v'), 'result', 'SUCCESS',
    'intent_id', '00000000-0000-4000-8000-0000000000f6')),
('authenticity.treasury_ops', jsonb_build_object(
    'type', 'REFILL_SWAP', 'pyusd_in', 1, 'sol_out_lamports', 1, 'jupiter_route', '{}'::jsonb,
    'tx_signature', pg_temp.sig('swap'))),
('authenticity.users', '{"email": "a@b.c"}'),
('authenticity.user_wallets', jsonb_build_object(
    'user_id', '00000000-0000-4000-8000-0000000000f5', 'wallet_pubkey', pg_temp.pubkey('wallet')));

-- expected: NULL when the row is admitted, else the CHECK that refuses it
CREATE TEMP TABLE probe (ord serial, tbl regclass, changes jsonb, expected text, why text) ON COMMIT DROP;
INSERT INTO probe (tbl, changes, expected, why) VALUES
('authenticity.manufacturers', '{}', NULL, 'the base row'),
('authenticity.manufacturers', '{"name": "   "}', 'manufacturers_name_check', 'a blank name'),
('authenticity.manufacturers', '{"hmac_kms_key_id": "arn:aws:kms:eu-west-1:1:key/a_b.c@d-e"}', NULL, 'a KMS ARN'),
('authenticity.manufacturers', '{"hmac_kms_key_id": " alias/acme"}', 'manufacturers_hmac_kms_key_id_check',
    'a key id starting with a blank (^)'),
('authenticity.manufacturers', '{"hmac_kms_key_id": "alias/acme "}', 'manufacturers_hmac_kms_key_id_check',
    'a key id ending with a blank ($)'),
('authenticity.manufacturers', jsonb_build_object('hmac_kms_key_id', repeat('k', 2048)), NULL,
    'a key id of 2048 characters'),
('authenticity.manufacturers', jsonb_build_object('hmac_kms_key_id', repeat('k', 2049)),
    'manufacturers_hmac_kms_key_id_check', 'a key id of 2049 characters'),

('authenticity.skus', '{"sku_code": "A B"}', NULL, 'a code with an inner blank'),
('authenticity.skus', '{"sku_code": "A"}', NULL, 'a one-character code'),
('authenticity.skus', '{"sku_code": " A"}', 'skus_sku_code_check', 'a code starting with a blank (^)'),
('authenticity.skus', '{"sku_code": "A "}', 'skus_sku_code_check', 'a code ending with a blank ($)'),
('authenticity.skus', '{"sku_code": ""}', 'skus_sku_code_check', 'an empty code'),
('authenticity.skus', '{"sku_name": "  "}', 'skus_sku_name_check', 'a blank name'),
('authenticity.skus', jsonb_build_object('sku_hash', '\x' || repeat('ab', 31)), 'bytes32_length_check',
    'a 31-byte hash'),
('authenticity.skus', jsonb_build_object('sku_hash', '\x' || repeat('ab', 33)), 'bytes32_length_check',
    'a 33-byte hash'),

('authenticity.batches', '{}', NULL, 'the base row (CREATED, not activated)'),
('authenticity.batches', jsonb_build_object('batch_public_id', repeat('b', 64)), NULL, 'a 64-character public id'),
('authenticity.batches', jsonb_build_object('batch_public_id', repeat('b', 65)), 'batches_batch_public_id_check',
    'a 65-character public id'),
('authenticity.batches', '{"batch_public_id": "/B"}', 'batches_batch_public_id_check', 'a public id starting with / (^)'),
('authenticity.batches', '{"batch_public_id": "B/"}', 'batches_batch_public_id_check', 'a public id ending with / ($)'),
('authenticity.batches', '{"batch_label": "  "}', 'batches_batch_label_check', 'a blank label'),
('authenticity.batches', '{"reward_usd_target": 0}', NULL, 'a reward target of 0'),
('authenticity.batches', '{"reward_usd_target": -0.01}', 'batches_reward_usd_target_check', 'a negative reward target'),
('authenticity.batches', '{"reward_usd_target": "NaN"}', 'batches_reward_usd_target_finite_check',
    'a NaN reward target (NaN >= 0 is true)'),
('authenticity.batches', '{"reward_usd_target": "Infinity"}', 'batches_reward_usd_target_finite_check',
    'an infinite reward target'),
('authenticity.batches', jsonb_build_object('onchain_batch_pubkey', pg_temp.pubkey('b')), NULL, 'a Solana pubkey'),
('authenticity.batches', '{"onchain_batch_pubkey": "not-a-key"}', 'batches_onchain_batch_pubkey_check', 'a bad pubkey'),
('authenticity.batches', jsonb_build_object('status', 'ACTIVE', 'activated_at', '2030-01-01T00:00:00Z',
    'activated_tx_signature', pg_temp.sig('a')), NULL, 'ACTIVE with its activation'),
('authenticity.batches', jsonb_build_object('status', 'PAUSED', 'activated_at', '2030-01-01T00:00:00Z',
    'activated_tx_signature', pg_temp.sig('a')), NULL, 'PAUSED with its activation'),
('authenticity.batches', '{"status": "CLOSED"}', NULL, 'CLOSED, never activated'),
('authenticity.batches', jsonb_build_object('status', 'CLOSED', 'activated_at', '2030-01-01T00:00:00Z',
    'activated_tx_signature', pg_temp.sig('a')), NULL, 'CLOSED after an activation'),
('authenticity.batches', jsonb_build_object('status', 'ACTIVE', 'activated_at', '2030-01-01T00:00:00Z',
    'activated_tx_signature', 'x'), 'batches_activated_tx_signature_check', 'ACTIVE with a bad signature'),
('authenticity.batches', '{"status": "ACTIVE"}', 'batches_activation_check', 'ACTIVE without an activation'),
('authenticity.batches', jsonb_build_object('activated_at', '2030-01-01T00:00:00Z',
    'activated_tx_signature', pg_temp.sig('a')), 'batches_activation_check', 'CREATED with an activation'),
('authenticity.batches', '{"status": "CLOSED", "activated_at": "2030-01-01T00:00:00Z"}', 'batches_activation_check',
    'an activation time without its signature'),

('authenticity.code_packs', '{}', NULL, 'the base row (GENERATING)'),
('authenticity.code_packs', '{"quantity": 0}', 'code_packs_quantity_check', 'a quantity of 0'),
('authenticity.code_packs', jsonb_build_object('pack_id', repeat('p', 64)), NULL, 'a 64-character pack id'),
('authenticity.code_packs', jsonb_build_object('pack_id', repeat('p', 65)), 'code_packs_pack_id_check',
    'a 65-character pack id'),
('authenticity.code_packs', '{"pack_id": "/P"}', 'code_packs_pack_id_check', 'a pack id starting with / (^)'),
('authenticity.code_packs', '{"pack_id": "P/"}', 'code_packs_pack_id_check', 'a pack id ending with / ($)'),
('authenticity.code_packs', '{"download_count": -1}', 'code_packs_download_count_check', 'a negative download count'),
('authenticity.code_packs', '{"download_count": 1}', 'code_packs_download_count_check',
    'a download count without downloaded_at'),
('authenticity.code_packs', '{"status": "DOWNLOADED", "download_count": 1, "downloaded_at": "2030-01-01T00:00:00Z"}',
    NULL, 'DOWNLOADED once'),
('authenticity.code_packs', '{"status": "DOWNLOADED", "download_count": 0, "downloaded_at": "2030-01-01T00:00:00Z"}',
    'code_packs_download_count_check', 'DOWNLOADED with no download counted'),
('authenticity.code_packs', '{"status": "DOWNLOADED", "download_count": 1}', 'code_packs_download_count_check',
    'a download counted without downloaded_at'),
('authenticity.code_packs', '{"status": "READY", "download_count": 1, "downloaded_at": "2030-01-01T00:00:00Z"}',
    'code_packs_downloaded_at_check', 'READY with downloaded_at'),
('authenticity.code_packs', '{"status": "PRINT_CONFIRMED", "download_count": 1, "downloaded_at": "2030-01-01T00:00:00Z",
    "print_confirmed_at": "2030-01-01T00:00:00Z", "plaintext_purged_at": "2030-01-01T00:00:00Z"}', NULL,
    'PRINT_CONFIRMED the instant it was downloaded, purged'),
('authenticity.code_packs', '{"status": "PRINT_CONFIRMED", "download_count": 1, "downloaded_at": "2030-01-01T00:00:00Z",
    "print_confirmed_at": "2029-12-31T23:59:59Z", "plaintext_purged_at": "2030-01-01T00:00:00Z"}',
    'code_packs_print_confirmed_at_check', 'print confirmed before the download'),
('authenticity.code_packs', '{"status": "PRINT_CONFIRMED", "download_count": 1, "downloaded_at": "2030-01-01T00:00:00Z",
    "plaintext_purged_at": "2030-01-01T00:00:00Z"}', 'code_packs_print_confirmed_at_check',
    'PRINT_CONFIRMED without print_confirmed_at'),
('authenticity.code_packs', '{"status": "PRINT_CONFIRMED", "download_count": 1, "downloaded_at": "2030-01-01T00:00:00Z",
    "print_confirmed_at": "2030-01-01T00:00:00Z"}', 'code_packs_plaintext_purged_at_check',
    'PRINT_CONFIRMED without plaintext_purged_at'),
('authenticity.code_packs', '{"plaintext_purged_at": "2030-01-01T00:00:00Z"}', 'code_packs_plaintext_purged_at_check',
    'purged before PRINT_CONFIRMED'),

('authenticity.codes', jsonb_build_object('code_plaintext', pg_temp.cipher('c')), NULL, 'a v1 ciphertext'),
('authenticity.codes', jsonb_build_object('code_plaintext', 'v1:' || repeat('A', 40)), NULL,
    'the shortest ciphertext: 43 characters'),
('authenticity.codes', jsonb_build_object('code_plaintext', 'v1:' || repeat('A', 36)), 'codes_code_plaintext_check',
    'a 39-character ciphertext'),
('authenticity.codes', jsonb_build_object('code_plaintext', 'v1:' || repeat('A', 41)), 'codes_code_plaintext_check',
    'a ciphertext whose base64 is not padded to a multiple of 4'),
('authenticity.codes', jsonb_build_object('code_plaintext', 'CODE' || pg_temp.cipher('c')), 'codes_code_plaintext_check',
    'a clear code before a valid ciphertext (^)'),
('authenticity.codes', jsonb_build_object('code_plaintext', pg_temp.cipher('c') || ' ABC'), 'codes_code_plaintext_check',
    'a clear code after a valid ciphertext ($)'),
('authenticity.codes', jsonb_build_object('code_plaintext', repeat('x', 47)), 'codes_code_plaintext_check',
    'a long clear code'),
('authenticity.codes', '{"onchain_code_pda": "not-a-pda"}', 'codes_onchain_code_pda_check', 'a bad PDA'),
('authenticity.codes', jsonb_build_object('qr_payload', 'x' || pg_temp.payload('PB', 'c')), 'codes_qr_payload_check',
    'a payload not starting with https:// (^)'),
('authenticity.codes', jsonb_build_object('qr_payload', 'https://verify.example/v/PB/abc!/' || pg_temp.pubkey('pda:c')),
    'codes_qr_payload_check', 'a payload with more than the PDA after the batch ($)'),
('authenticity.codes', jsonb_build_object('qr_payload', 'http://verify.example/v/PB/' || pg_temp.pubkey('pda:c')),
    'codes_qr_payload_check', 'a payload over http'),
('authenticity.codes', jsonb_build_object('qr_payload', pg_temp.payload('PB', 'other')), 'codes_qr_payload_check',
    'a payload pointing at another PDA'),

('authenticity.verify_intents', '{}', NULL, 'the base row'),
('authenticity.verify_intents', '{"reward_lamports": 0}', 'verify_intents_reward_lamports_check', 'a reward of 0'),
('authenticity.verify_intents', '{"expires_at": "2030-01-01T00:00:00.000001Z"}', NULL,
    'expiring a microsecond after its creation'),
('authenticity.verify_intents', '{"expires_at": "2030-01-01T00:00:00Z"}', 'verify_intents_expires_at_check',
    'expiring when it is created'),
('authenticity.verify_intents', jsonb_build_object('verify_intent_id', repeat('i', 64)), NULL, 'a 64-character id'),
('authenticity.verify_intents', jsonb_build_object('verify_intent_id', repeat('i', 65)),
    'verify_intents_verify_intent_id_check', 'a 65-character id'),
('authenticity.verify_intents', '{"verify_intent_id": "/i"}', 'verify_intents_verify_intent_id_check',
    'an id starting with / (^)'),
('authenticity.verify_intents', '{"verify_intent_id": "i/"}', 'verify_intents_verify_intent_id_check',
    'an id ending with / ($)'),

('authenticity.verifications', '{}', NULL, 'a SUCCESS paying 1 lamport'),
('authenticity.verifications', '{"reward_lamports": 0}', 'verifications_reward_lamports_check',
    'a SUCCESS paying nothing'),
('authenticity.verifications', '{"result": "FAIL", "reward_lamports": 0, "failure_reason": "X"}', NULL,
    'a FAIL paying nothing, with a reason'),
('authenticity.verifications', '{"result": "FAIL", "reward_lamports": 1, "failure_reason": "X"}',
    'verifications_reward_lamports_check', 'a FAIL paying 1 lamport'),
('authenticity.verifications', '{"result": "FAIL", "reward_lamports": 0}', 'verifications_failure_reason_check',
    'a FAIL without a reason'),
('authenticity.verifications', '{"result": "FAIL", "reward_lamports": 0, "failure_reason": "  "}',
    'verifications_failure_reason_check', 'a FAIL with a blank reason'),
('authenticity.verifications', '{"failure_reason": "X"}', 'verifications_failure_reason_check',
    'a SUCCESS with a failure reason'),
('authenticity.verifications', '{"code_pda": "not-a-pda"}', 'verifications_code_pda_check', 'a bad code PDA'),
('authenticity.verifications', '{"tx_signature": "not-a-signature"}', 'verifications_tx_signature_check',
    'a bad signature'),

('authenticity.treasury_ops', '{}', NULL, 'the base row'),
('authenticity.treasury_ops', '{"pyusd_in": 0}', 'treasury_ops_pyusd_in_check', 'no PYUSD in'),
('authenticity.treasury_ops', '{"sol_out_lamports": 0}', 'treasury_ops_sol_out_lamports_check', 'no SOL out'),
('authenticity.treasury_ops', '{"jupiter_route": []}', 'treasury_ops_jupiter_route_check', 'a route that is an array'),
('authenticity.treasury_ops', '{"tx_signature": "x"}', 'treasury_ops_tx_signature_check', 'a bad signature'),

('authenticity.users', '{}', NULL, 'the base row'),
('authenticity.users', '{"email": " a@b.c"}', 'users_email_check', 'an email starting with a blank (^)'),
('authenticity.users', '{"email": "a@b.c "}', 'users_email_check', 'an email ending with a blank ($)'),
('authenticity.users', '{"email": "ab.c"}', 'users_email_check', 'an email without @'),
('authenticity.users', jsonb_build_object('email', 'a@' || repeat('b', 318)), NULL, 'a 320-character email'),
('authenticity.users', jsonb_build_object('email', 'a@' || repeat('b', 319)), 'users_email_check',
    'a 321-character email'),
('authenticity.users', '{"privy_user_id": "did:privy:1"}', NULL, 'a Privy id'),
('authenticity.users', jsonb_build_object('privy_user_id', repeat('p', 255)), NULL, 'a 255-character Privy id'),
('authenticity.users', jsonb_build_object('privy_user_id', repeat('p', 256)), 'users_privy_user_id_check',
    'a 256-character Privy id'),
('authenticity.users', '{"privy_user_id": " p"}', 'users_privy_user_id_check', 'a Privy id starting with a blank (^)'),
('authenticity.users', '{"privy_user_id": "p "}', 'users_privy_user_id_check', 'a Privy id ending with a blank ($)'),

('authenticity.user_wallets', '{}', NULL, 'the base row (solana)'),
('authenticity.user_wallets', '{"chain": "ethereum"}', 'user_wallets_chain_check', 'another chain'),
('authenticity.user_wallets', '{"wallet_pubkey": "not-a-key"}', 'user_wallets_wallet_pubkey_check', 'a bad pubkey');

SELECT plan((SELECT count(*)::int + 3 FROM probe));

SELECT * FROM pg_temp.check_probes();

-- the SKU keys no other file tries (fixtures: SKU ACME-1 of Acme, hash sha256('acme-1'))
SELECT is(
    pg_temp.verdict($$INSERT INTO authenticity.skus (manufacturer_id, sku_code, sku_name, sku_hash)
        VALUES ('00000000-0000-4000-8000-000000000002', 'OTHER-1', 'Other', sha256('acme-1'::bytea))$$),
    '23505 skus_sku_hash_key', 'two SKUs never share a hash, even of two manufacturers'
);
SELECT is(
    pg_temp.verdict($$INSERT INTO authenticity.skus (manufacturer_id, sku_code, sku_name, sku_hash)
        VALUES ('00000000-0000-4000-8000-000000000001', 'ACME-1', 'Again', sha256('acme-1 again'::bytea))$$),
    '23505 skus_manufacturer_id_sku_code_key', 'a manufacturer''s SKU codes are unique'
);
SELECT is(
    pg_temp.verdict($$INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label)
        VALUES ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000011', 'X-SKU', 'x')$$),
    '23503 batches_sku_id_manufacturer_id_fkey',
    'a batch''s SKU is one of its manufacturer''s (the foreign key on skus_id_manufacturer_id_key)'
);

SELECT * FROM finish();
ROLLBACK;
