-- cocopay: primary keys, foreign keys (with their ON DELETE), unique constraints, and the
-- exact set of named constraints.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(55);

-- Primary keys
SELECT col_is_pk('cocopay', 'users', 'id', 'users.id is the primary key');
SELECT col_is_pk('cocopay', 'sessions', 'id', 'sessions.id is the primary key');
SELECT col_is_pk('cocopay', 'passkeys', 'id', 'passkeys.id is the primary key');
SELECT col_is_pk('cocopay', 'smart_accounts', 'id', 'smart_accounts.id is the primary key');
SELECT col_is_pk('cocopay', 'signing_keys', 'id', 'signing_keys.id is the primary key');
SELECT col_is_pk('cocopay', 'stores', 'id', 'stores.id is the primary key');
SELECT col_is_pk('cocopay', 'store_deployments', 'id', 'store_deployments.id is the primary key');
SELECT col_is_pk('cocopay', 'store_members', 'id', 'store_members.id is the primary key');
SELECT col_is_pk('cocopay', 'token_balances', 'id', 'token_balances.id is the primary key');
SELECT col_is_pk('cocopay', 'transactions', 'id', 'transactions.id is the primary key');
SELECT col_is_pk('cocopay', 'loans', 'id', 'loans.id is the primary key');
SELECT col_is_pk('cocopay', 'payouts', 'id', 'payouts.id is the primary key');
SELECT col_is_pk(
    'cocopay', 'analytics_events', ARRAY['id', 'created_at'],
    'analytics_events (id, created_at) is the primary key (partitioned by month on created_at, 0040)'
);
SELECT col_is_pk('cocopay', 'feature_flags', 'id', 'feature_flags.id is the primary key');
SELECT col_is_pk(
    'cocopay', 'audit_logs', ARRAY['id', 'created_at'],
    'audit_logs (id, created_at) is the primary key (partitioned by month on created_at, 0041)'
);

-- Foreign keys
SELECT fk_ok('cocopay', 'sessions', 'user_id', 'cocopay', 'users', 'id', 'sessions.user_id -> users.id');
SELECT fk_ok('cocopay', 'passkeys', 'user_id', 'cocopay', 'users', 'id', 'passkeys.user_id -> users.id');
SELECT fk_ok('cocopay', 'smart_accounts', 'user_id', 'cocopay', 'users', 'id', 'smart_accounts.user_id -> users.id');
SELECT fk_ok('cocopay', 'signing_keys', 'user_id', 'cocopay', 'users', 'id', 'signing_keys.user_id -> users.id');
SELECT fk_ok(
    'cocopay', 'store_deployments', 'store_id', 'cocopay', 'stores', 'id', 'store_deployments.store_id -> stores.id'
);
SELECT fk_ok('cocopay', 'store_members', 'store_id', 'cocopay', 'stores', 'id', 'store_members.store_id -> stores.id');
SELECT fk_ok('cocopay', 'store_members', 'user_id', 'cocopay', 'users', 'id', 'store_members.user_id -> users.id');
SELECT fk_ok(
    'cocopay', 'store_members', 'invited_by', 'cocopay', 'users', 'id', 'store_members.invited_by -> users.id'
);
SELECT fk_ok('cocopay', 'token_balances', 'user_id', 'cocopay', 'users', 'id', 'token_balances.user_id -> users.id');
SELECT fk_ok(
    'cocopay', 'token_balances', 'store_id', 'cocopay', 'stores', 'id', 'token_balances.store_id -> stores.id'
);
SELECT fk_ok(
    'cocopay', 'transactions', 'from_user_id', 'cocopay', 'users', 'id', 'transactions.from_user_id -> users.id'
);
SELECT fk_ok('cocopay', 'transactions', 'to_user_id', 'cocopay', 'users', 'id', 'transactions.to_user_id -> users.id');
SELECT fk_ok('cocopay', 'transactions', 'store_id', 'cocopay', 'stores', 'id', 'transactions.store_id -> stores.id');
SELECT fk_ok('cocopay', 'loans', 'user_id', 'cocopay', 'users', 'id', 'loans.user_id -> users.id');
SELECT fk_ok('cocopay', 'payouts', 'store_id', 'cocopay', 'stores', 'id', 'payouts.store_id -> stores.id');
SELECT fk_ok('cocopay', 'payouts', 'requested_by', 'cocopay', 'users', 'id', 'payouts.requested_by -> users.id');
SELECT fk_ok(
    'cocopay', 'analytics_events', 'user_id', 'cocopay', 'users', 'id', 'analytics_events.user_id -> users.id'
);
SELECT fk_ok('cocopay', 'audit_logs', 'user_id', 'cocopay', 'users', 'id', 'audit_logs.user_id -> users.id');

-- ON DELETE of every FK, as the seed gives it (CASCADE where it says so, else NO ACTION)
SELECT set_eq(
    $$SELECT conname::text, confdeltype::text FROM pg_constraint
      WHERE connamespace = 'cocopay'::regnamespace AND contype = 'f'$$,
    $$VALUES
        ('sessions_user_id_fkey', 'c'),
        ('passkeys_user_id_fkey', 'c'),
        ('smart_accounts_user_id_fkey', 'c'),
        ('signing_keys_user_id_fkey', 'c'),
        ('store_deployments_store_id_fkey', 'c'),
        ('store_members_store_id_fkey', 'c'),
        ('store_members_user_id_fkey', 'c'),
        ('store_members_invited_by_fkey', 'a'),
        ('token_balances_user_id_fkey', 'c'),
        ('token_balances_store_id_fkey', 'a'),
        ('transactions_from_user_id_fkey', 'a'),
        ('transactions_to_user_id_fkey', 'a'),
        ('transactions_store_id_fkey', 'a'),
        ('loans_user_id_fkey', 'c'),
        ('payouts_store_id_fkey', 'c'),
        ('payouts_requested_by_fkey', 'a'),
        ('analytics_events_user_id_fkey', 'a'),
        ('audit_logs_user_id_fkey', 'a')$$,
    'the 18 foreign keys, by name, with ON DELETE CASCADE (c) or NO ACTION (a)'
);

-- Seed's UNIQUE constraints
SELECT col_is_unique('cocopay', 'users', ARRAY['phone'], 'users.phone is unique');
SELECT col_is_unique('cocopay', 'passkeys', ARRAY['credential_id'], 'passkeys.credential_id is unique');
SELECT col_is_unique(
    'cocopay', 'smart_accounts', ARRAY['user_id', 'chain_id'], 'smart_accounts (user_id, chain_id) is unique'
);
SELECT col_is_unique(
    'cocopay', 'smart_accounts', ARRAY['chain_id', 'address'], 'smart_accounts (chain_id, address) is unique'
);
SELECT col_is_unique('cocopay', 'stores', ARRAY['short_code'], 'stores.short_code is unique');
SELECT col_is_unique(
    'cocopay', 'store_deployments', ARRAY['store_id', 'chain_id'], 'store_deployments (store_id, chain_id) is unique'
);
SELECT col_is_unique(
    'cocopay', 'store_members', ARRAY['store_id', 'user_id'], 'store_members (store_id, user_id) is unique'
);
SELECT col_is_unique(
    'cocopay', 'token_balances', ARRAY['user_id', 'chain_id', 'token_address'],
    'token_balances (user_id, chain_id, token_address) is unique'
);
SELECT col_is_unique('cocopay', 'loans', ARRAY['chain_id', 'loan_id_onchain'], 'loans (chain_id, loan_id_onchain) is unique');
SELECT col_is_unique('cocopay', 'feature_flags', ARRAY['name'], 'feature_flags.name is unique');

-- Every constraint, by table, name and kind: nothing missing, nothing unnamed or extra
SELECT set_eq(
    $$SELECT conrelid::regclass::text, conname::text, contype::text FROM pg_constraint AS k
      WHERE connamespace = 'cocopay'::regnamespace AND contype IN ('p', 'u', 'c')
        AND NOT (SELECT c.relispartition FROM pg_class AS c WHERE c.oid = k.conrelid)$$,
    $$VALUES
        ('cocopay.users', 'users_pkey', 'p'), ('cocopay.users', 'users_phone_key', 'u'),
        ('cocopay.users', 'users_phone_check', 'c'), ('cocopay.users', 'users_backup_owner_phone_check', 'c'),
        ('cocopay.users', 'users_backup_owner_activated_at_check', 'c'), ('cocopay.users', 'users_email_check', 'c'),
        ('cocopay.users', 'users_locale_check', 'c'),
        ('cocopay.sessions', 'sessions_pkey', 'p'), ('cocopay.sessions', 'sessions_token_hash_check', 'c'),
        ('cocopay.sessions', 'sessions_expires_at_check', 'c'), ('cocopay.sessions', 'sessions_revoked_at_check', 'c'),
        ('cocopay.passkeys', 'passkeys_pkey', 'p'), ('cocopay.passkeys', 'passkeys_credential_id_key', 'u'),
        ('cocopay.passkeys', 'passkeys_credential_id_check', 'c'), ('cocopay.passkeys', 'passkeys_public_key_check', 'c'),
        ('cocopay.passkeys', 'passkeys_sign_count_check', 'c'), ('cocopay.passkeys', 'passkeys_derived_address_check', 'c'),
        ('cocopay.smart_accounts', 'smart_accounts_pkey', 'p'),
        ('cocopay.smart_accounts', 'smart_accounts_user_id_chain_id_key', 'u'),
        ('cocopay.smart_accounts', 'smart_accounts_chain_id_address_key', 'u'),
        ('cocopay.smart_accounts', 'smart_accounts_address_check', 'c'),
        ('cocopay.smart_accounts', 'smart_accounts_salt_check', 'c'),
        ('cocopay.smart_accounts', 'smart_accounts_owner_address_check', 'c'),
        ('cocopay.smart_accounts', 'smart_accounts_deploy_tx_hash_check', 'c'),
        ('cocopay.smart_accounts', 'smart_accounts_deployed_check', 'c'),
        ('cocopay.signing_keys', 'signing_keys_pkey', 'p'),
        ('cocopay.signing_keys', 'signing_keys_encrypted_private_key_check', 'c'),
        ('cocopay.signing_keys', 'signing_keys_address_check', 'c'),
        ('cocopay.signing_keys', 'signing_keys_revoked_at_check', 'c'),
        ('cocopay.stores', 'stores_pkey', 'p'), ('cocopay.stores', 'stores_short_code_key', 'u'),
        ('cocopay.stores', 'stores_name_check', 'c'), ('cocopay.stores', 'stores_symbol_check', 'c'),
        ('cocopay.stores', 'stores_short_code_check', 'c'), ('cocopay.stores', 'stores_latitude_check', 'c'),
        ('cocopay.stores', 'stores_longitude_check', 'c'), ('cocopay.stores', 'stores_location_check', 'c'),
        ('cocopay.store_deployments', 'store_deployments_pkey', 'p'),
        ('cocopay.store_deployments', 'store_deployments_store_id_chain_id_key', 'u'),
        ('cocopay.store_deployments', 'store_deployments_project_id_check', 'c'),
        ('cocopay.store_deployments', 'store_deployments_token_address_check', 'c'),
        ('cocopay.store_deployments', 'store_deployments_terminal_address_check', 'c'),
        ('cocopay.store_deployments', 'store_deployments_deploy_tx_hash_check', 'c'),
        ('cocopay.store_deployments', 'store_deployments_deployed_check', 'c'),
        ('cocopay.store_members', 'store_members_pkey', 'p'),
        ('cocopay.store_members', 'store_members_store_id_user_id_key', 'u'),
        ('cocopay.store_members', 'store_members_accepted_at_check', 'c'),
        ('cocopay.token_balances', 'token_balances_pkey', 'p'),
        ('cocopay.token_balances', 'token_balances_user_id_chain_id_token_address_key', 'u'),
        ('cocopay.token_balances', 'token_balances_token_address_check', 'c'),
        ('cocopay.token_balances', 'token_balances_balance_check', 'c'),
        ('cocopay.token_balances', 'token_balances_balance_usd_check', 'c'),
        ('cocopay.token_balances', 'token_balances_last_synced_block_check', 'c'),
        ('cocopay.transactions', 'transactions_pkey', 'p'),
        ('cocopay.transactions', 'transactions_amount_usd_check', 'c'),
        ('cocopay.transactions', 'transactions_payment_amount_usd_check', 'c'),
        ('cocopay.transactions', 'transactions_tokens_used_check', 'c'),
        ('cocopay.transactions', 'transactions_rewards_earned_check', 'c'),
        ('cocopay.transactions', 'transactions_tx_hash_check', 'c'),
        ('cocopay.transactions', 'transactions_block_number_check', 'c'),
        ('cocopay.transactions', 'transactions_confirmation_code_check', 'c'),
        ('cocopay.transactions', 'transactions_confirmed_at_check', 'c'),
        ('cocopay.loans', 'loans_pkey', 'p'), ('cocopay.loans', 'loans_chain_id_loan_id_onchain_key', 'u'),
        ('cocopay.loans', 'loans_loan_id_onchain_check', 'c'), ('cocopay.loans', 'loans_collateral_check', 'c'),
        ('cocopay.loans', 'loans_collateral_usd_at_origination_check', 'c'),
        ('cocopay.loans', 'loans_borrow_amount_check', 'c'), ('cocopay.loans', 'loans_borrow_amount_usd_check', 'c'),
        ('cocopay.loans', 'loans_prepaid_fee_percent_check', 'c'),
        ('cocopay.loans', 'loans_prepaid_duration_seconds_check', 'c'), ('cocopay.loans', 'loans_project_id_check', 'c'),
        ('cocopay.loans', 'loans_token_address_check', 'c'), ('cocopay.loans', 'loans_origination_tx_hash_check', 'c'),
        ('cocopay.loans', 'loans_repayment_tx_hash_check', 'c'), ('cocopay.loans', 'loans_repaid_at_check', 'c'),
        ('cocopay.loans', 'loans_repayment_check', 'c'),
        ('cocopay.payouts', 'payouts_pkey', 'p'), ('cocopay.payouts', 'payouts_amount_usd_check', 'c'),
        ('cocopay.payouts', 'payouts_fee_usd_check', 'c'), ('cocopay.payouts', 'payouts_destination_check', 'c'),
        ('cocopay.payouts', 'payouts_processed_at_check', 'c'),
        ('cocopay.analytics_events', 'analytics_events_pkey', 'p'),
        ('cocopay.analytics_events', 'analytics_events_event_name_check', 'c'),
        ('cocopay.analytics_events', 'analytics_events_properties_check', 'c'),
        ('cocopay.feature_flags', 'feature_flags_pkey', 'p'), ('cocopay.feature_flags', 'feature_flags_name_key', 'u'),
        ('cocopay.feature_flags', 'feature_flags_name_check', 'c'),
        ('cocopay.feature_flags', 'feature_flags_rules_check', 'c'),
        ('cocopay.audit_logs', 'audit_logs_pkey', 'p'), ('cocopay.audit_logs', 'audit_logs_action_check', 'c'),
        ('cocopay.audit_logs', 'audit_logs_resource_check', 'c'),
        ('cocopay.stores', 'stores_latitude_finite_check', 'c'), ('cocopay.stores', 'stores_longitude_finite_check', 'c'),
        ('cocopay.token_balances', 'token_balances_balance_finite_check', 'c'),
        ('cocopay.token_balances', 'token_balances_balance_usd_finite_check', 'c'),
        ('cocopay.transactions', 'transactions_amount_usd_finite_check', 'c'),
        ('cocopay.loans', 'loans_loan_id_onchain_finite_check', 'c'), ('cocopay.loans', 'loans_collateral_finite_check', 'c'),
        ('cocopay.loans', 'loans_collateral_usd_at_origination_finite_check', 'c'),
        ('cocopay.loans', 'loans_borrow_amount_finite_check', 'c'),
        ('cocopay.loans', 'loans_borrow_amount_usd_finite_check', 'c'),
        ('cocopay.payouts', 'payouts_amount_usd_finite_check', 'c'), ('cocopay.payouts', 'payouts_fee_usd_finite_check', 'c'),
        ('cocopay.payouts', 'payouts_fee_usd_amount_usd_check', 'c'),
        ('cocopay.store_daily_stats', 'idx_store_daily_stats', 'p'),
        ('cocopay.store_daily_stats', 'store_daily_stats_revenue_usd_finite_check', 'c'),
        ('cocopay.store_daily_stats', 'store_daily_stats_avg_transaction_usd_finite_check', 'c'),
        ('cocopay.store_daily_stats_changes', 'store_daily_stats_changes_pkey', 'p')$$,
    'every primary key, unique and CHECK constraint of cocopay, by name'
);

-- Names tell the truth: PostgreSQL's suffix style (except the seed's own index name kept by the
-- primary key of store_daily_stats, which replaces the seed's materialized view and its unique index)
SELECT is_empty(
    $$SELECT conname FROM pg_constraint AS k JOIN pg_class AS c ON c.oid = k.conrelid
      WHERE k.connamespace = 'cocopay'::regnamespace AND conname <> 'idx_store_daily_stats' AND NOT c.relispartition
        AND (conname NOT LIKE c.relname || '\_%'
             OR (contype = 'p' AND conname <> c.relname || '_pkey')
             OR (contype = 'u' AND conname NOT LIKE '%\_key')
             OR (contype = 'f' AND conname NOT LIKE '%\_fkey')
             OR (contype = 'c' AND conname NOT LIKE '%\_check'))$$,
    'every constraint is named <table>_..._{pkey,key,fkey,check}'
);
SELECT is_empty(
    $$SELECT conname FROM pg_constraint AS k
      WHERE k.connamespace = 'cocopay'::regnamespace AND k.contype = 'f'
        AND NOT (SELECT c.relispartition FROM pg_class AS c WHERE c.oid = k.conrelid)
        AND conname::text <> (SELECT relname FROM pg_class WHERE oid = k.conrelid) || '_'
            || (SELECT string_agg(a.attname, '_' ORDER BY u.i)
                FROM unnest(k.conkey) WITH ORDINALITY AS u (attnum, i)
                JOIN pg_attribute AS a ON a.attrelid = k.conrelid AND a.attnum = u.attnum) || '_fkey'$$,
    'every foreign key is named <table>_<columns>_fkey, as PostgreSQL would name it'
);
SELECT is_empty(
    $$SELECT conname FROM pg_constraint AS k
      WHERE k.connamespace = 'cocopay'::regnamespace AND k.contype = 'u'
        AND conname::text <> (SELECT relname FROM pg_class WHERE oid = k.conrelid) || '_'
            || (SELECT string_agg(a.attname, '_' ORDER BY u.i)
                FROM unnest(k.conkey) WITH ORDINALITY AS u (attnum, i)
                JOIN pg_attribute AS a ON a.attrelid = k.conrelid AND a.attnum = u.attnum) || '_key'$$,
    'every unique constraint is named <table>_<columns>_key, as PostgreSQL would name it'
);
SELECT is_empty(
    $$SELECT conname FROM pg_constraint WHERE connamespace = 'cocopay'::regnamespace AND NOT convalidated$$,
    'every constraint is validated'
);

-- Behaviour of ON DELETE: CASCADE removes dependants, NO ACTION protects history
INSERT INTO cocopay.users (id, phone) VALUES
('00000000-0000-0000-0000-0000000000a1', '+5511900000001'),
('00000000-0000-0000-0000-0000000000a2', '+5511900000002');
INSERT INTO cocopay.stores (id, name, symbol) VALUES ('00000000-0000-0000-0000-0000000000b1', 'Padaria', 'PAO');
INSERT INTO cocopay.sessions (user_id, token_hash, auth_method, expires_at)
VALUES ('00000000-0000-0000-0000-0000000000a1', repeat('ab', 32), 'phone', now() + interval '1 day');
INSERT INTO cocopay.store_members (store_id, user_id, role)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', 'owner');
INSERT INTO cocopay.transactions (from_user_id, store_id, type, amount_usd, chain_id)
VALUES ('00000000-0000-0000-0000-0000000000a2', '00000000-0000-0000-0000-0000000000b1', 'payment', 5, '8453');

SELECT lives_ok(
    $$DELETE FROM cocopay.users WHERE id = '00000000-0000-0000-0000-0000000000a1'$$,
    'deleting a user without payment history succeeds'
);
SELECT is(
    (SELECT count(*)::int FROM cocopay.sessions
     WHERE user_id = '00000000-0000-0000-0000-0000000000a1'), 0,
    'ON DELETE CASCADE removed the user''s sessions'
);
SELECT is(
    (SELECT count(*)::int FROM cocopay.store_members
     WHERE user_id = '00000000-0000-0000-0000-0000000000a1'), 0,
    'ON DELETE CASCADE removed the user''s memberships'
);
SELECT throws_ok(
    $$DELETE FROM cocopay.users WHERE id = '00000000-0000-0000-0000-0000000000a2'$$,
    '23503',
    'update or delete on table "users" violates foreign key constraint "transactions_from_user_id_fkey" on table "transactions"',
    'a user with transactions cannot be deleted (NO ACTION)'
);
SELECT throws_ok(
    $$DELETE FROM cocopay.stores WHERE id = '00000000-0000-0000-0000-0000000000b1'$$,
    '23503',
    'update or delete on table "stores" violates foreign key constraint "transactions_store_id_fkey" on table "transactions"',
    'a store with transactions cannot be deleted (NO ACTION)'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.sessions (user_id, token_hash, auth_method, expires_at)
      VALUES ('00000000-0000-0000-0000-0000000000ff', repeat('cd', 32), 'phone', now() + interval '1 day')$$,
    '23503',
    'insert or update on table "sessions" violates foreign key constraint "sessions_user_id_fkey"',
    'a session needs an existing user'
);

SELECT * FROM finish();
ROLLBACK;
