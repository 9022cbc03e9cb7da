-- Shape of schema authenticity: tables, columns (type, NULL-ness, default), enums, domain,
-- keys, constraint and index names, triggers, functions, comments.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(444);

CREATE TEMP TABLE spec_columns (ord serial, tbl text, col text, typ text, not_null boolean, dflt text);
INSERT INTO spec_columns (tbl, col, typ, not_null, dflt) VALUES
('manufacturers', 'id', 'uuid', true, 'gen_random_uuid()'),
('manufacturers', 'name', 'text', true, NULL),
('manufacturers', 'status', 'authenticity.manufacturer_status', true, 'active'),
('manufacturers', 'hmac_kms_key_id', 'text', true, NULL),
('manufacturers', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('skus', 'id', 'uuid', true, 'gen_random_uuid()'),
('skus', 'manufacturer_id', 'uuid', true, NULL),
('skus', 'sku_code', 'text', true, NULL),
('skus', 'sku_name', 'text', true, NULL),
('skus', 'sku_hash', 'authenticity.bytes32', true, NULL),
('skus', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('batches', 'id', 'uuid', true, 'gen_random_uuid()'),
('batches', 'manufacturer_id', 'uuid', true, NULL),
('batches', 'sku_id', 'uuid', true, NULL),
('batches', 'batch_public_id', 'text', true, NULL),
('batches', 'batch_label', 'text', true, NULL),
('batches', 'expiry_date', 'date', false, NULL),
('batches', 'reward_usd_target', 'numeric', true, '0.10'),
('batches', 'onchain_batch_pubkey', 'text', false, NULL),
('batches', 'status', 'authenticity.batch_status', true, 'CREATED'),
('batches', 'activated_at', 'timestamp with time zone', false, NULL),
('batches', 'activated_tx_signature', 'text', false, NULL),
('batches', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('code_packs', 'id', 'uuid', true, 'gen_random_uuid()'),
('code_packs', 'pack_id', 'text', true, NULL),
('code_packs', 'batch_id', 'uuid', true, NULL),
('code_packs', 'quantity', 'integer', true, NULL),
('code_packs', 'status', 'authenticity.code_pack_status', true, 'GENERATING'),
('code_packs', 'download_count', 'integer', true, '0'),
('code_packs', 'download_expires_at', 'timestamp with time zone', false, NULL),
('code_packs', 'downloaded_at', 'timestamp with time zone', false, NULL),
('code_packs', 'print_confirmed_at', 'timestamp with time zone', false, NULL),
('code_packs', 'plaintext_purged_at', 'timestamp with time zone', false, NULL),
('code_packs', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('codes', 'id', 'uuid', true, 'gen_random_uuid()'),
('codes', 'pack_id', 'uuid', true, NULL),
('codes', 'code_plaintext', 'text', false, NULL),
('codes', 'qr_payload', 'text', true, NULL),
('codes', 'commitment', 'authenticity.bytes32', true, NULL),
('codes', 'onchain_code_pda', 'text', true, NULL),
('codes', 'created_at', 'timestamp with time zone', true, 'now()'),
('users', 'id', 'uuid', true, 'gen_random_uuid()'),
('users', 'email', 'text', true, NULL),
('users', 'privy_user_id', 'text', false, NULL),
('users', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('user_wallets', 'id', 'uuid', true, 'gen_random_uuid()'),
('user_wallets', 'user_id', 'uuid', true, NULL),
('user_wallets', 'chain', 'text', true, 'solana'),
('user_wallets', 'wallet_pubkey', 'text', true, NULL),
('user_wallets', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('user_wallets', 'created_after_first_success', 'boolean', true, 'true'),
('verify_intents', 'id', 'uuid', true, 'gen_random_uuid()'),
('verify_intents', 'verify_intent_id', 'text', true, '*'),
('verify_intents', 'batch_id', 'uuid', true, NULL),
('verify_intents', 'commitment', 'authenticity.bytes32', true, NULL),
('verify_intents', 'reward_lamports', 'bigint', true, NULL),
('verify_intents', 'status', 'authenticity.verify_intent_status', true, 'ISSUED'),
('verify_intents', 'expires_at', 'timestamp with time zone', true, NULL),
('verify_intents', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('verifications', 'id', 'uuid', true, 'gen_random_uuid()'),
('verifications', 'batch_id', 'uuid', true, NULL),
('verifications', 'user_id', 'uuid', true, NULL),
('verifications', 'commitment', 'authenticity.bytes32', true, NULL),
('verifications', 'code_pda', 'text', true, NULL),
('verifications', 'reward_lamports', 'bigint', true, NULL),
('verifications', 'tx_signature', 'text', true, NULL),
('verifications', 'verified_at', 'timestamp with time zone', true, 'common.now()'),
('verifications', 'result', 'authenticity.verification_result', true, NULL),
('verifications', 'failure_reason', 'text', false, NULL),
('verifications', 'intent_id', 'uuid', true, NULL),
('treasury_ops', 'id', 'uuid', true, 'gen_random_uuid()'),
('treasury_ops', 'type', 'authenticity.treasury_op_type', true, NULL),
('treasury_ops', 'pyusd_in', 'bigint', true, NULL),
('treasury_ops', 'sol_out_lamports', 'bigint', true, NULL),
('treasury_ops', 'jupiter_route', 'jsonb', true, NULL),
('treasury_ops', 'tx_signature', 'text', true, NULL),
('treasury_ops', 'created_at', 'timestamp with time zone', true, 'common.now()');

-- 2
SELECT has_schema('authenticity', 'schema authenticity exists');
SELECT tables_are(
    'authenticity',
    ARRAY[
        'manufacturers', 'skus', 'batches', 'code_packs', 'codes', 'users', 'user_wallets', 'verify_intents',
        'verifications', 'treasury_ops'
    ],
    'authenticity has exactly the seed''s ten tables'
);

-- 10: every table has exactly the seed's columns (plus verifications.intent_id)
SELECT columns_are(
    'authenticity', t.tbl, array_agg(t.col ORDER BY t.ord), format('%s has exactly its columns', t.tbl)
)
FROM spec_columns AS t
GROUP BY t.tbl
ORDER BY min(t.ord);

-- 77 x 3: type, NULL-ness, default of every column
SELECT col_type_is('authenticity', s.tbl, s.col, s.typ, format('%s.%s is %s', s.tbl, s.col, s.typ))
FROM spec_columns AS s
ORDER BY s.ord;
SELECT CASE WHEN s.not_null
    THEN col_not_null('authenticity', s.tbl, s.col, format('%s.%s is NOT NULL', s.tbl, s.col))
    ELSE col_is_null('authenticity', s.tbl, s.col, format('%s.%s is nullable', s.tbl, s.col))
END
FROM spec_columns AS s
ORDER BY s.ord;
SELECT CASE
    WHEN s.dflt IS NULL
        THEN col_hasnt_default('authenticity', s.tbl, s.col, format('%s.%s has no default', s.tbl, s.col))
    WHEN s.dflt = '*'
        THEN col_has_default('authenticity', s.tbl, s.col, format('%s.%s has a default', s.tbl, s.col))
    ELSE col_default_is('authenticity', s.tbl, s.col, s.dflt, format('%s.%s defaults to %s', s.tbl, s.col, s.dflt))
END
FROM spec_columns AS s
ORDER BY s.ord;

-- 8: enums (labels verbatim) and the bytes32 domain
SELECT enum_has_labels('authenticity', 'manufacturer_status', ARRAY['active', 'suspended'], 'manufacturer_status labels');
SELECT enum_has_labels(
    'authenticity', 'batch_status', ARRAY['CREATED', 'ACTIVE', 'PAUSED', 'CLOSED'], 'batch_status labels'
);
SELECT enum_has_labels(
    'authenticity', 'code_pack_status', ARRAY['GENERATING', 'READY', 'DOWNLOADED', 'PRINT_CONFIRMED'],
    'code_pack_status labels'
);
SELECT enum_has_labels(
    'authenticity', 'verify_intent_status', ARRAY['ISSUED', 'CONFIRMED', 'EXPIRED', 'FAILED'],
    'verify_intent_status labels'
);
SELECT enum_has_labels('authenticity', 'verification_result', ARRAY['SUCCESS', 'FAIL'], 'verification_result labels');
SELECT enum_has_labels('authenticity', 'treasury_op_type', ARRAY['REFILL_SWAP'], 'treasury_op_type labels');
SELECT domain_type_is('authenticity', 'bytes32', 'bytea', 'bytes32 is a domain over bytea');
SELECT is(
    (SELECT pg_get_constraintdef(c.oid) FROM pg_constraint AS c
        WHERE c.conname = 'bytes32_length_check'
        AND c.contypid = 'authenticity.bytes32'::regtype),
    'CHECK ((octet_length(VALUE) = 32))',
    'bytes32_length_check: exactly 32 bytes'
);

-- 10: primary keys
SELECT col_is_pk('authenticity', t, 'id', format('%s.id is the primary key', t))
FROM unnest(ARRAY[
    'manufacturers', 'skus', 'batches', 'code_packs', 'codes', 'users', 'user_wallets', 'verify_intents',
    'verifications', 'treasury_ops'
]) AS t;

-- 12: foreign keys
SELECT fk_ok('authenticity', 'skus', 'manufacturer_id', 'authenticity', 'manufacturers', 'id', 'skus -> manufacturers');
SELECT fk_ok(
    'authenticity', 'batches', 'manufacturer_id', 'authenticity', 'manufacturers', 'id', 'batches -> manufacturers'
);
SELECT fk_ok(
    'authenticity', 'batches', ARRAY['sku_id', 'manufacturer_id'], 'authenticity', 'skus', ARRAY['id', 'manufacturer_id'],
    'batches -> skus of the same manufacturer'
);
SELECT fk_ok('authenticity', 'code_packs', 'batch_id', 'authenticity', 'batches', 'id', 'code_packs -> batches');
SELECT fk_ok('authenticity', 'codes', 'pack_id', 'authenticity', 'code_packs', 'id', 'codes.pack_id -> code_packs.id (uuid)');
SELECT fk_ok('authenticity', 'user_wallets', 'user_id', 'authenticity', 'users', 'id', 'user_wallets -> users');
SELECT fk_ok('authenticity', 'verify_intents', 'batch_id', 'authenticity', 'batches', 'id', 'verify_intents -> batches');
SELECT fk_ok(
    'authenticity', 'verify_intents', 'commitment', 'authenticity', 'codes', 'commitment',
    'verify_intents -> codes by commitment'
);
SELECT fk_ok('authenticity', 'verifications', 'batch_id', 'authenticity', 'batches', 'id', 'verifications -> batches');
SELECT fk_ok('authenticity', 'verifications', 'user_id', 'authenticity', 'users', 'id', 'verifications -> users');
SELECT fk_ok(
    'authenticity', 'verifications', 'commitment', 'authenticity', 'codes', 'commitment',
    'verifications -> codes by commitment'
);
SELECT fk_ok(
    'authenticity', 'verifications', 'intent_id', 'authenticity', 'verify_intents', 'id', 'verifications -> verify_intents'
);

-- 10: every constraint, by name
CREATE TEMP TABLE spec_constraints (tbl text, names text[]);
INSERT INTO spec_constraints VALUES
('manufacturers', ARRAY['manufacturers_pkey', 'manufacturers_name_check', 'manufacturers_hmac_kms_key_id_check']),
('skus', ARRAY[
    'skus_pkey', 'skus_manufacturer_id_fkey', 'skus_manufacturer_id_sku_code_key', 'skus_id_manufacturer_id_key',
    'skus_sku_hash_key', 'skus_sku_code_check', 'skus_sku_name_check'
]),
('batches', ARRAY[
    'batches_pkey', 'batches_batch_public_id_key', 'batches_manufacturer_id_fkey', 'batches_sku_id_manufacturer_id_fkey',
    'batches_batch_public_id_check', 'batches_batch_label_check', 'batches_reward_usd_target_check',
    'batches_onchain_batch_pubkey_check', 'batches_activated_tx_signature_check', 'batches_activation_check',
    'batches_reward_usd_target_finite_check'
]),
('code_packs', ARRAY[
    'code_packs_pkey', 'code_packs_pack_id_key', 'code_packs_batch_id_fkey', 'code_packs_pack_id_check',
    'code_packs_quantity_check', 'code_packs_download_count_check', 'code_packs_downloaded_at_check',
    'code_packs_print_confirmed_at_check', 'code_packs_plaintext_purged_at_check', 'code_packs_plaintext_purged'
]),
('codes', ARRAY[
    'codes_pkey', 'codes_pack_id_fkey', 'codes_commitment_key', 'codes_onchain_code_pda_key', 'codes_code_plaintext_check',
    'codes_onchain_code_pda_check', 'codes_qr_payload_check'
]),
('users', ARRAY['users_pkey', 'users_privy_user_id_key', 'users_email_check', 'users_privy_user_id_check']),
('user_wallets', ARRAY[
    'user_wallets_pkey', 'user_wallets_user_id_fkey', 'user_wallets_wallet_pubkey_key', 'user_wallets_chain_check',
    'user_wallets_wallet_pubkey_check'
]),
('verify_intents', ARRAY[
    'verify_intents_pkey', 'verify_intents_verify_intent_id_key', 'verify_intents_batch_id_fkey',
    'verify_intents_commitment_fkey', 'verify_intents_verify_intent_id_check', 'verify_intents_reward_lamports_check',
    'verify_intents_expires_at_check', 'verify_intents_outcome_recorded'
]),
('verifications', ARRAY[
    'verifications_pkey', 'verifications_intent_id_key', 'verifications_batch_id_fkey', 'verifications_user_id_fkey',
    'verifications_commitment_fkey', 'verifications_intent_id_fkey', 'verifications_code_pda_check',
    'verifications_tx_signature_check', 'verifications_reward_lamports_check', 'verifications_failure_reason_check',
    'verifications_intent_outcome'
]),
('treasury_ops', ARRAY[
    'treasury_ops_pkey', 'treasury_ops_tx_signature_key', 'treasury_ops_pyusd_in_check',
    'treasury_ops_sol_out_lamports_check', 'treasury_ops_jupiter_route_check', 'treasury_ops_tx_signature_check'
]);
SELECT set_eq(
    format(
        'SELECT conname::text FROM pg_constraint WHERE conrelid = %L::regclass',
        'authenticity.' || s.tbl
    ),
    s.names,
    format('%s has exactly its named constraints', s.tbl)
)
FROM spec_constraints AS s;

-- 10 + 34: every index, by name and columns
CREATE TEMP TABLE spec_indexes (ord serial, tbl text, idx text, cols text[], is_unique boolean);
INSERT INTO spec_indexes (tbl, idx, cols, is_unique) VALUES
('manufacturers', 'manufacturers_pkey', ARRAY['id'], true),
('manufacturers', 'manufacturers_name_created_at_id_idx', ARRAY['name', 'created_at', 'id'], false),
('skus', 'skus_pkey', ARRAY['id'], true),
('skus', 'skus_manufacturer_id_sku_code_key', ARRAY['manufacturer_id', 'sku_code'], true),
('skus', 'skus_id_manufacturer_id_key', ARRAY['id', 'manufacturer_id'], true),
('skus', 'skus_sku_hash_key', ARRAY['sku_hash'], true),
('batches', 'batches_pkey', ARRAY['id'], true),
('batches', 'batches_batch_public_id_key', ARRAY['batch_public_id'], true),
('batches', 'batches_manufacturer_id_idx', ARRAY['manufacturer_id'], false),
('batches', 'batches_sku_id_manufacturer_id_idx', ARRAY['sku_id', 'manufacturer_id'], false),
('code_packs', 'code_packs_pkey', ARRAY['id'], true),
('code_packs', 'code_packs_pack_id_key', ARRAY['pack_id'], true),
('code_packs', 'code_packs_batch_id_idx', ARRAY['batch_id'], false),
('codes', 'codes_pkey', ARRAY['id'], true),
('codes', 'codes_commitment_key', ARRAY['commitment'], true),
('codes', 'codes_onchain_code_pda_key', ARRAY['onchain_code_pda'], true),
('codes', 'codes_pack_id_id_idx', ARRAY['pack_id', 'id'], false),
('users', 'users_pkey', ARRAY['id'], true),
('users', 'users_privy_user_id_key', ARRAY['privy_user_id'], true),
('users', 'users_email_key', ARRAY['lower(email)'], true),
('user_wallets', 'user_wallets_pkey', ARRAY['id'], true),
('user_wallets', 'user_wallets_wallet_pubkey_key', ARRAY['wallet_pubkey'], true),
('user_wallets', 'user_wallets_user_id_idx', ARRAY['user_id'], false),
('verify_intents', 'verify_intents_pkey', ARRAY['id'], true),
('verify_intents', 'verify_intents_verify_intent_id_key', ARRAY['verify_intent_id'], true),
('verify_intents', 'verify_intents_batch_id_idx', ARRAY['batch_id'], false),
('verify_intents', 'verify_intents_commitment_idx', ARRAY['commitment'], false),
('verify_intents', 'verify_intents_expires_at_idx', ARRAY['expires_at'], false),
('verifications', 'verifications_pkey', ARRAY['id'], true),
('verifications', 'verifications_intent_id_key', ARRAY['intent_id'], true),
('verifications', 'verifications_commitment_success_key', ARRAY['commitment'], true),
('verifications', 'verifications_tx_signature_success_key', ARRAY['tx_signature'], true),
('verifications', 'verifications_commitment_idx', ARRAY['commitment'], false),
('verifications', 'verifications_batch_id_idx', ARRAY['batch_id'], false),
('verifications', 'verifications_user_id_verified_at_idx', ARRAY['user_id', 'verified_at'], false),
('treasury_ops', 'treasury_ops_pkey', ARRAY['id'], true),
('treasury_ops', 'treasury_ops_tx_signature_key', ARRAY['tx_signature'], true),
('treasury_ops', 'treasury_ops_created_at_idx', ARRAY['created_at'], false);
SELECT indexes_are('authenticity', s.tbl, array_agg(s.idx ORDER BY s.ord), format('%s has exactly its indexes', s.tbl))
FROM spec_indexes AS s
GROUP BY s.tbl
ORDER BY min(s.ord);
SELECT has_index('authenticity', s.tbl, s.idx, s.cols, format('index %s on %s (%s)', s.idx, s.tbl, s.cols))
FROM spec_indexes AS s
ORDER BY s.ord;
-- 1: uniqueness as specified
SELECT set_eq(
    $$SELECT c.relname::text FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
      JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname = 'authenticity' AND i.indisunique$$,
    (SELECT array_agg(s.idx) FROM spec_indexes AS s
        WHERE s.is_unique),
    'exactly the *_pkey and *_key indexes are unique'
);
-- 3: partial indexes and their predicates
SELECT is(
    (SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index AS i
        WHERE i.indexrelid = 'authenticity.verifications_commitment_success_key'::regclass),
    '(result = ''SUCCESS''::authenticity.verification_result)',
    'verifications_commitment_success_key covers SUCCESS rows only: one SUCCESS per commitment'
);
SELECT is(
    (SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index AS i
        WHERE i.indexrelid = 'authenticity.verifications_tx_signature_success_key'::regclass),
    '(result = ''SUCCESS''::authenticity.verification_result)',
    'verifications_tx_signature_success_key covers SUCCESS rows only'
);
SELECT is(
    (SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index AS i
        WHERE i.indexrelid = 'authenticity.verify_intents_expires_at_idx'::regclass),
    '(status = ''ISSUED''::authenticity.verify_intent_status)',
    'verify_intents_expires_at_idx covers ISSUED intents only'
);
-- 1: every foreign key has an index leading with its columns
SELECT is_empty(
    $$SELECT c.conname::text FROM pg_constraint AS c
      WHERE c.contype = 'f' AND c.connamespace = 'authenticity'::regnamespace
        AND NOT EXISTS (
            SELECT FROM pg_index AS i WHERE i.indrelid = c.conrelid
                AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey
        )$$,
    'every foreign key is indexed'
);

-- 10 + 28: triggers and their functions (common.*: compiled from the declarations of common.state_machines,
-- common.immutable_columns and common.append_only_tables)
CREATE TEMP TABLE spec_triggers (ord serial, tbl text, trg text, fn_schema text, fn text);
INSERT INTO spec_triggers (tbl, trg, fn_schema, fn) VALUES
('batches', 'batches_initial_status', 'common', 'tg__forbid_initial_state'),
('batches', 'batches_status_transition', 'common', 'tg__forbid_transition'),
('batches', 'batches_status_transition_manufacturer_active', 'authenticity', 'tg_batches__manufacturer_active'),
('batches', 'batches_immutable_columns', 'common', 'tg__forbid_change'),
('code_packs', 'code_packs_check_insert', 'authenticity', 'tg_code_packs__check_insert'),
('code_packs', 'code_packs_initial_status', 'common', 'tg__forbid_initial_state'),
('code_packs', 'code_packs_status_transition', 'common', 'tg__forbid_transition'),
('code_packs', 'code_packs_immutable_columns', 'common', 'tg__forbid_change'),
('code_packs', 'code_packs_download_count_monotonic', 'authenticity', 'tg_code_packs__download_count_monotonic'),
('code_packs', 'code_packs_codes_complete', 'authenticity', 'tg_code_packs__codes_complete'),
('code_packs', 'code_packs_plaintext_purged', 'authenticity', 'tg_code_packs__plaintext_purged'),
('codes', 'codes_check_insert', 'authenticity', 'tg_codes__check_insert'),
('codes', 'codes_immutable_columns', 'common', 'tg__forbid_change'),
('codes', 'codes_plaintext_purged', 'authenticity', 'tg_codes__plaintext_purged'),
('user_wallets', 'user_wallets_immutable_columns', 'common', 'tg__forbid_change'),
('user_wallets', 'user_wallets_first_success', 'authenticity', 'tg_user_wallets__first_success'),
('verify_intents', 'verify_intents_check_insert', 'authenticity', 'tg_verify_intents__check_insert'),
('verify_intents', 'verify_intents_initial_status', 'common', 'tg__forbid_initial_state'),
('verify_intents', 'verify_intents_status_transition', 'common', 'tg__forbid_transition'),
('verify_intents', 'verify_intents_immutable_columns', 'common', 'tg__forbid_change'),
('verify_intents', 'verify_intents_outcome_recorded', 'authenticity', 'tg_verify_intents__outcome_recorded'),
('verifications', 'verifications_append_only', 'common', 'tg__append_only'),
('verifications', 'verifications_append_only_truncate', 'common', 'tg__append_only'),
('verifications', 'verifications_check_insert', 'authenticity', 'tg_verifications__check_insert'),
('verifications', 'verifications_intent_outcome', 'authenticity', 'tg_verifications__intent_outcome'),
('verifications', 'verifications_first_success', 'authenticity', 'tg_verifications__first_success'),
('treasury_ops', 'treasury_ops_append_only', 'common', 'tg__append_only'),
('treasury_ops', 'treasury_ops_append_only_truncate', 'common', 'tg__append_only'),
('manufacturers', NULL, NULL, NULL),
('skus', NULL, NULL, NULL),
('users', NULL, NULL, NULL);
SELECT triggers_are(
    'authenticity', s.tbl, coalesce(array_agg(s.trg ORDER BY s.ord) FILTER (WHERE s.trg IS NOT NULL), '{}'),
    format('%s has exactly its triggers', s.tbl)
)
FROM spec_triggers AS s
GROUP BY s.tbl
ORDER BY min(s.ord);
SELECT trigger_is(
    'authenticity', s.tbl, s.trg, s.fn_schema, s.fn, format('%s runs %s.%s()', s.trg, s.fn_schema, s.fn)
)
FROM spec_triggers AS s
WHERE s.trg IS NOT NULL
ORDER BY s.ord;
-- 2: the deferred constraint triggers are DEFERRABLE INITIALLY DEFERRED
SELECT set_eq(
    $$SELECT c.conname::text FROM pg_constraint AS c
      WHERE c.connamespace = 'authenticity'::regnamespace AND c.contype = 't' AND c.condeferrable AND c.condeferred$$,
    ARRAY['code_packs_plaintext_purged', 'verifications_intent_outcome', 'verify_intents_outcome_recorded'],
    'the three constraint triggers are deferred to commit'
);
SELECT is(
    (SELECT count(*)::int FROM pg_trigger AS t
        WHERE t.tgrelid = 'authenticity.codes'::regclass
        AND t.tgname = 'codes_check_insert' AND t.tgnewtable = 'new_codes' AND (t.tgtype & 1) = 0),
    1,
    'codes_check_insert is a statement trigger over the transition table new_codes'
);

-- 1 + 28 x 2: functions, volatility, SECURITY DEFINER
CREATE TEMP TABLE spec_functions (ord serial, fn text, args text[], volatility text, definer boolean);
INSERT INTO spec_functions (fn, args, volatility, definer) VALUES
('base58_pow256', ARRAY['integer'], 'immutable', false),
('base58_takes_bytes', ARRAY['text', 'integer'], 'immutable', false),
('is_solana_address', ARRAY['text'], 'immutable', false),
('raise_not_found', ARRAY['text', 'text'], 'stable', false),
('tg_batches__manufacturer_active', '{}', 'volatile', false),
('tg_code_packs__check_insert', '{}', 'volatile', false),
('tg_code_packs__download_count_monotonic', '{}', 'volatile', false),
('tg_code_packs__codes_complete', '{}', 'volatile', true),
('tg_code_packs__plaintext_purged', '{}', 'volatile', true),
('tg_codes__check_insert', '{}', 'volatile', true),
('tg_codes__plaintext_purged', '{}', 'volatile', false),
('tg_user_wallets__first_success', '{}', 'volatile', false),
('tg_verify_intents__check_insert', '{}', 'volatile', false),
('tg_verify_intents__outcome_recorded', '{}', 'volatile', false),
('tg_verifications__check_insert', '{}', 'volatile', false),
('tg_verifications__intent_outcome', '{}', 'volatile', false),
('tg_verifications__first_success', '{}', 'volatile', false),
('activate_batch', ARRAY['uuid', 'text'], 'volatile', true),
('pause_batch', ARRAY['uuid'], 'volatile', true),
('resume_batch', ARRAY['uuid'], 'volatile', true),
('close_batch', ARRAY['uuid'], 'volatile', true),
('mark_code_pack_ready', ARRAY['uuid'], 'volatile', true),
('record_code_pack_download', ARRAY['uuid'], 'volatile', true),
('confirm_print', ARRAY['uuid'], 'volatile', true),
('issue_verify_intent', ARRAY['bytea', 'bigint', 'interval', 'text'], 'volatile', true),
('confirm_verification', ARRAY['text', 'uuid', 'text'], 'volatile', true),
('fail_verification', ARRAY['text', 'uuid', 'text', 'text'], 'volatile', true),
('expire_verify_intents', ARRAY[]::text[], 'volatile', true);
SELECT functions_are(
    'authenticity', (SELECT array_agg(DISTINCT s.fn) FROM spec_functions AS s), 'authenticity has exactly its functions'
);
SELECT volatility_is('authenticity', s.fn, s.args, s.volatility, format('%s is %s', s.fn, s.volatility))
FROM spec_functions AS s
ORDER BY s.ord;
SELECT CASE WHEN s.definer
    THEN is_definer('authenticity', s.fn, s.args, format('%s is SECURITY DEFINER', s.fn))
    ELSE isnt_definer('authenticity', s.fn, s.args, format('%s is SECURITY INVOKER', s.fn))
END
FROM spec_functions AS s
ORDER BY s.ord;
-- 1: every SECURITY DEFINER function pins its search_path
SELECT is_empty(
    $$SELECT p.proname::text FROM pg_proc AS p WHERE p.pronamespace = 'authenticity'::regnamespace AND p.prosecdef
        AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)$$,
    'every SECURITY DEFINER function runs with search_path = pg_catalog, pg_temp'
);
-- 3: the rule functions' results
SELECT function_returns('authenticity', 'confirm_print', ARRAY['uuid'], 'authenticity.code_packs',
    'confirm_print returns the pack');
SELECT function_returns('authenticity', 'confirm_verification', ARRAY['text', 'uuid', 'text'],
    'authenticity.verifications', 'confirm_verification returns the verification');
SELECT function_returns('authenticity', 'expire_verify_intents', ARRAY[]::text[], 'integer',
    'expire_verify_intents returns how many expired');

-- 5: comments on everything
SELECT is_empty(
    $$SELECT c.relname::text FROM pg_class AS c WHERE c.relnamespace = 'authenticity'::regnamespace AND c.relkind = 'r'
        AND obj_description(c.oid, 'pg_class') IS NULL$$,
    'every table has a comment'
);
SELECT is_empty(
    $$SELECT p.proname::text FROM pg_proc AS p WHERE p.pronamespace = 'authenticity'::regnamespace
        AND obj_description(p.oid, 'pg_proc') IS NULL$$,
    'every function has a comment'
);
SELECT is_empty(
    $$SELECT t.tgname::text FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
      WHERE c.relnamespace = 'authenticity'::regnamespace AND NOT t.tgisinternal
        AND obj_description(t.oid, 'pg_trigger') IS NULL$$,
    'every trigger has a comment'
);
SELECT is_empty(
    $$SELECT t.typname::text FROM pg_type AS t WHERE t.typnamespace = 'authenticity'::regnamespace
        AND t.typtype IN ('e', 'd') AND obj_description(t.oid, 'pg_type') IS NULL$$,
    'every enum and domain has a comment'
);
SELECT isnt(obj_description('authenticity'::regnamespace, 'pg_namespace'), NULL, 'the schema has a comment');

-- 2: no OTP anywhere, no plaintext code column besides the encrypted one
SELECT is_empty(
    $$SELECT a.attname::text FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
      WHERE c.relnamespace = 'authenticity'::regnamespace AND a.attnum > 0
        AND a.attname ~* '(otp|one_time|passcode|password)'$$,
    'no OTP or password column anywhere (provider-managed sign-in)'
);
SELECT is(
    (SELECT count(*)::int FROM pg_attribute AS a
        WHERE a.attrelid = 'authenticity.codes'::regclass
        AND a.attname LIKE '%plaintext%'),
    1,
    'codes has one plaintext column, code_plaintext (ciphertext only)'
);

SELECT * FROM finish();
ROLLBACK;
