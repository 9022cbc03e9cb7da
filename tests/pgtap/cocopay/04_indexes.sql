-- cocopay: every index by name, with its columns, uniqueness and partial predicate; every
-- foreign key is indexed.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(236);

CREATE TEMP TABLE spec (ord serial, tbl name, idx name, cols text[], uniq boolean, def text) ON COMMIT DROP;

-- The seed's idx_* indexes (names and predicates verbatim), the indexes behind constraints,
-- the seed's two invalid table-level UNIQUE ... WHERE turned into partial unique indexes,
-- and the indexes added for unindexed foreign keys.
INSERT INTO spec (tbl, idx, cols, uniq, def) VALUES
('users', 'users_pkey', '{id}', true, 'USING btree (id)'),
('users', 'users_phone_key', '{phone}', true, 'USING btree (phone)'),
('users', 'idx_users_phone', '{phone}', false, 'USING btree (phone)'),
('users', 'idx_users_email', '{email}', false, 'USING btree (email) WHERE (email IS NOT NULL)'),
('users', 'idx_users_last_active', '{last_active_at}', false, 'USING btree (last_active_at)'),
('sessions', 'sessions_pkey', '{id}', true, 'USING btree (id)'),
('sessions', 'idx_sessions_user', '{user_id}', false, 'USING btree (user_id)'),
('sessions', 'idx_sessions_token', '{token_hash}', false, 'USING btree (token_hash)'),
('sessions', 'idx_sessions_expires', '{expires_at}', false, 'USING btree (expires_at) WHERE (revoked_at IS NULL)'),
('passkeys', 'passkeys_pkey', '{id}', true, 'USING btree (id)'),
('passkeys', 'passkeys_credential_id_key', '{credential_id}', true, 'USING btree (credential_id)'),
('passkeys', 'idx_passkeys_user', '{user_id}', false, 'USING btree (user_id)'),
('passkeys', 'idx_passkeys_credential', '{credential_id}', false, 'USING btree (credential_id)'),
('smart_accounts', 'smart_accounts_pkey', '{id}', true, 'USING btree (id)'),
('smart_accounts', 'smart_accounts_user_id_chain_id_key', '{user_id,chain_id}', true, 'USING btree (user_id, chain_id)'),
('smart_accounts', 'smart_accounts_chain_id_address_key', '{chain_id,address}', true, 'USING btree (chain_id, address)'),
('smart_accounts', 'idx_smart_accounts_user', '{user_id}', false, 'USING btree (user_id)'),
('smart_accounts', 'idx_smart_accounts_address', '{address}', false, 'USING btree (address)'),
('signing_keys', 'signing_keys_pkey', '{id}', true, 'USING btree (id)'),
('signing_keys', 'signing_keys_user_id_active_key', '{user_id,is_active}', true,
    'USING btree (user_id, is_active) WHERE (is_active = true)'),
('signing_keys', 'idx_signing_keys_user', '{user_id}', false, 'USING btree (user_id) WHERE (is_active = true)'),
('signing_keys', 'signing_keys_user_id_idx', '{user_id}', false, 'USING btree (user_id)'),
('stores', 'stores_pkey', '{id}', true, 'USING btree (id)'),
('stores', 'stores_short_code_key', '{short_code}', true, 'USING btree (short_code)'),
('stores', 'idx_stores_symbol', '{symbol}', false, 'USING btree (symbol)'),
('stores', 'idx_stores_short_code', '{short_code}', false, 'USING btree (short_code)'),
('stores', 'idx_stores_location', NULL, false,
    'USING gist (cocopay.ll_to_earth((latitude)::double precision, (longitude)::double precision)) '
    || 'WHERE (latitude IS NOT NULL)'),
('store_deployments', 'store_deployments_pkey', '{id}', true, 'USING btree (id)'),
('store_deployments', 'store_deployments_store_id_chain_id_key', '{store_id,chain_id}', true,
    'USING btree (store_id, chain_id)'),
('store_deployments', 'idx_store_deployments_store', '{store_id}', false, 'USING btree (store_id)'),
('store_deployments', 'idx_store_deployments_token', '{token_address}', false, 'USING btree (token_address)'),
('store_members', 'store_members_pkey', '{id}', true, 'USING btree (id)'),
('store_members', 'store_members_store_id_user_id_key', '{store_id,user_id}', true, 'USING btree (store_id, user_id)'),
('store_members', 'idx_store_members_store', '{store_id}', false, 'USING btree (store_id)'),
('store_members', 'idx_store_members_user', '{user_id}', false, 'USING btree (user_id)'),
('store_members', 'store_members_one_owner_key', '{store_id}', true,
    'USING btree (store_id) WHERE (role = ''owner''::cocopay.store_role)'),
('store_members', 'store_members_invited_by_idx', '{invited_by}', false, 'USING btree (invited_by)'),
('token_balances', 'token_balances_pkey', '{id}', true, 'USING btree (id)'),
('token_balances', 'token_balances_user_id_chain_id_token_address_key', '{user_id,chain_id,token_address}', true,
    'USING btree (user_id, chain_id, token_address)'),
('token_balances', 'idx_token_balances_user', '{user_id}', false, 'USING btree (user_id)'),
('token_balances', 'idx_token_balances_store', '{store_id}', false, 'USING btree (store_id) WHERE (store_id IS NOT NULL)'),
('token_balances', 'idx_token_balances_sync', '{last_synced_at}', false, 'USING btree (last_synced_at)'),
('transactions', 'transactions_pkey', '{id}', true, 'USING btree (id)'),
('transactions', 'transactions_idempotency_key_key', '{idempotency_key}', true,
    'USING btree (idempotency_key) WHERE (idempotency_key IS NOT NULL)'),
('transactions', 'idx_transactions_from_user', '{from_user_id}', false, 'USING btree (from_user_id)'),
('transactions', 'idx_transactions_to_user', '{to_user_id}', false, 'USING btree (to_user_id)'),
('transactions', 'idx_transactions_store', '{store_id}', false, 'USING btree (store_id)'),
('transactions', 'idx_transactions_status', '{status}', false,
    'USING btree (status) WHERE (status = ''pending''::cocopay.transaction_status)'),
('transactions', 'idx_transactions_confirmation', '{confirmation_code}', false, 'USING btree (confirmation_code)'),
('transactions', 'idx_transactions_created', '{created_at}', false, 'USING btree (created_at DESC)'),
('transactions', 'idx_transactions_bundle', '{bundle_id}', false, 'USING btree (bundle_id)'),
('loans', 'loans_pkey', '{id}', true, 'USING btree (id)'),
('loans', 'loans_chain_id_loan_id_onchain_key', '{chain_id,loan_id_onchain}', true,
    'USING btree (chain_id, loan_id_onchain)'),
('loans', 'idx_loans_user', '{user_id}', false, 'USING btree (user_id) WHERE (is_active = true)'),
('loans', 'idx_loans_project', '{project_id}', false, 'USING btree (project_id)'),
('loans', 'loans_user_id_idx', '{user_id}', false, 'USING btree (user_id)'),
('payouts', 'payouts_pkey', '{id}', true, 'USING btree (id)'),
('payouts', 'idx_payouts_store', '{store_id}', false, 'USING btree (store_id)'),
('payouts', 'idx_payouts_status', '{status}', false,
    'USING btree (status) WHERE (status = ANY (ARRAY[''pending''::cocopay.payout_status, '
    || '''processing''::cocopay.payout_status]))'),
('payouts', 'payouts_requested_by_idx', '{requested_by}', false, 'USING btree (requested_by)'),
('analytics_events', 'analytics_events_pkey', '{id,created_at}', true, 'USING btree (id, created_at)'),
('analytics_events', 'idx_analytics_events_name', '{event_name}', false, 'USING btree (event_name)'),
('analytics_events', 'idx_analytics_events_user', '{user_id}', false, 'USING btree (user_id) WHERE (user_id IS NOT NULL)'),
('analytics_events', 'idx_analytics_events_created', '{created_at}', false, 'USING btree (created_at DESC)'),
('feature_flags', 'feature_flags_pkey', '{id}', true, 'USING btree (id)'),
('feature_flags', 'feature_flags_name_key', '{name}', true, 'USING btree (name)'),
('feature_flags', 'idx_feature_flags_name', '{name}', false, 'USING btree (name)'),
('audit_logs', 'audit_logs_pkey', '{id,created_at}', true, 'USING btree (id, created_at)'),
('audit_logs', 'idx_audit_logs_user', '{user_id}', false, 'USING btree (user_id)'),
('audit_logs', 'idx_audit_logs_action', '{action}', false, 'USING btree (action)'),
('audit_logs', 'idx_audit_logs_resource', '{resource_type,resource_id}', false,
    'USING btree (resource_type, resource_id)'),
('audit_logs', 'idx_audit_logs_created', '{created_at}', false, 'USING btree (created_at DESC)'),
('store_daily_stats', 'idx_store_daily_stats', '{store_id,date}', true, 'USING btree (store_id, date)'),
('store_daily_stats_changes', 'store_daily_stats_changes_pkey', '{id}', true, 'USING btree (id)'),
-- Issue 14: the indexes behind the "newest N" lists (queries/cocopay/*.sql).
('transactions', 'transactions_store_id_created_at_id_idx', '{store_id,created_at,id}', false,
    'USING btree (store_id, created_at DESC, id)'),
('analytics_events', 'analytics_events_user_id_created_at_id_idx', '{user_id,created_at,id}', false,
    'USING btree (user_id, created_at DESC, id) WHERE (user_id IS NOT NULL)'),
('audit_logs', 'audit_logs_user_id_created_at_id_idx', '{user_id,created_at,id}', false,
    'USING btree (user_id, created_at DESC, id)'),
('payouts', 'payouts_created_at_id_idx', '{created_at,id}', false,
    'USING btree (created_at, id) WHERE (status = ANY (ARRAY[''pending''::cocopay.payout_status, ''processing''::cocopay.payout_status]))');

-- 78 indexes: exists (with its columns), unique or not, exact definition: 3 assertions each
SELECT CASE WHEN cols IS NULL
    THEN has_index('cocopay', tbl, idx, format('index %s exists', idx))
    ELSE has_index('cocopay', tbl, idx, cols::name[], format('index %s on %s (%s)', idx, tbl, array_to_string(cols, ', ')))
END
FROM spec
ORDER BY ord;

SELECT CASE WHEN uniq
    THEN index_is_unique('cocopay', tbl, idx, format('index %s is unique', idx))
    ELSE ok(NOT (SELECT x.indisunique FROM pg_index AS x
                 WHERE x.indexrelid = format('cocopay.%I', spec.idx)::regclass),
            format('index %s is not unique', idx))
END
FROM spec
ORDER BY ord;

SELECT is(
    (SELECT substr(i.indexdef, strpos(i.indexdef, ' USING ') + 1) FROM pg_indexes AS i
     WHERE i.schemaname = 'cocopay' AND i.indexname = spec.idx),
    spec.def,
    format('index %s is %s', spec.idx, spec.def)
)
FROM spec
ORDER BY spec.ord;

SELECT is_empty(
    $$SELECT i.indexname FROM pg_indexes AS i
      INNER JOIN pg_class AS c ON c.relname = i.indexname AND c.relnamespace = 'cocopay'::regnamespace
      WHERE i.schemaname = 'cocopay' AND NOT c.relispartition
      EXCEPT SELECT idx FROM spec$$,
    'no index beyond the expected ones'
);

-- Every foreign key has an index whose leading columns are the FK's columns, usable by the
-- FK's lookups: not partial, or partial only on the FK column being NOT NULL.
SELECT is_empty(
    $$SELECT k.conname FROM pg_constraint AS k
      WHERE k.connamespace = 'cocopay'::regnamespace AND k.contype = 'f'
        AND NOT EXISTS (
            SELECT FROM pg_index AS x
            WHERE x.indrelid = k.conrelid
              AND (x.indkey::int2 [])[0:cardinality(k.conkey) - 1] = k.conkey
              AND (x.indpred IS NULL
                   OR (cardinality(k.conkey) = 1
                       AND pg_get_expr(x.indpred, x.indrelid)
                           = format('(%I IS NOT NULL)', (SELECT attname FROM pg_attribute
                                                          WHERE attrelid = k.conrelid AND attnum = k.conkey[1])))))$$,
    'every foreign key is indexed'
);

SELECT * FROM finish();
ROLLBACK;
