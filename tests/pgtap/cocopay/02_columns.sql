-- cocopay: every column of the seed, in order, with its type, NULL-ness and default.
-- The spec below is typed from the seed (004); each row yields one assertion per property.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(580);

CREATE TEMP TABLE spec (
    ord serial,
    tbl name NOT NULL,
    col name NOT NULL,
    typ text NOT NULL,
    not_null boolean NOT NULL,
    dflt text
) ON COMMIT DROP;

INSERT INTO spec (tbl, col, typ, not_null, dflt) VALUES
('users', 'id', 'uuid', true, 'gen_random_uuid()'),
('users', 'phone', 'character varying(20)', true, NULL),
('users', 'phone_verified_at', 'timestamp with time zone', false, NULL),
('users', 'name', 'character varying(255)', false, NULL),
('users', 'email', 'character varying(255)', false, NULL),
('users', 'backup_owner_phone', 'character varying(20)', false, NULL),
('users', 'backup_owner_activated_at', 'timestamp with time zone', false, NULL),
('users', 'last_active_at', 'timestamp with time zone', false, 'common.now()'),
('users', 'preferred_chain_id', 'cocopay.chain_id', false, '''8453''::cocopay.chain_id'),
('users', 'locale', 'character varying(10)', false, '''pt-BR''::character varying'),
('users', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('users', 'updated_at', 'timestamp with time zone', true, 'common.now()'),

('sessions', 'id', 'uuid', true, 'gen_random_uuid()'),
('sessions', 'user_id', 'uuid', true, NULL),
('sessions', 'token_hash', 'character varying(64)', true, NULL),
('sessions', 'auth_method', 'cocopay.auth_method', true, NULL),
('sessions', 'device_info', 'jsonb', false, NULL),
('sessions', 'ip_address', 'inet', false, NULL),
('sessions', 'expires_at', 'timestamp with time zone', true, NULL),
('sessions', 'revoked_at', 'timestamp with time zone', false, NULL),
('sessions', 'created_at', 'timestamp with time zone', true, 'common.now()'),

('passkeys', 'id', 'uuid', true, 'gen_random_uuid()'),
('passkeys', 'user_id', 'uuid', true, NULL),
('passkeys', 'credential_id', 'character varying(512)', true, NULL),
('passkeys', 'public_key', 'bytea', true, NULL),
('passkeys', 'sign_count', 'bigint', true, '0'),
('passkeys', 'derived_address', 'character varying(42)', false, NULL),
('passkeys', 'device_name', 'character varying(255)', false, NULL),
('passkeys', 'last_used_at', 'timestamp with time zone', false, NULL),
('passkeys', 'created_at', 'timestamp with time zone', true, 'common.now()'),

('smart_accounts', 'id', 'uuid', true, 'gen_random_uuid()'),
('smart_accounts', 'user_id', 'uuid', true, NULL),
('smart_accounts', 'chain_id', 'cocopay.chain_id', true, NULL),
('smart_accounts', 'address', 'character varying(42)', true, NULL),
('smart_accounts', 'salt', 'character varying(66)', true, NULL),
('smart_accounts', 'owner_address', 'character varying(42)', true, NULL),
('smart_accounts', 'custody_status', 'cocopay.custody_status', true, '''managed''::cocopay.custody_status'),
('smart_accounts', 'deployed', 'boolean', true, 'false'),
('smart_accounts', 'deploy_tx_hash', 'character varying(66)', false, NULL),
('smart_accounts', 'deployed_at', 'timestamp with time zone', false, NULL),
('smart_accounts', 'created_at', 'timestamp with time zone', true, 'common.now()'),

('signing_keys', 'id', 'uuid', true, 'gen_random_uuid()'),
('signing_keys', 'user_id', 'uuid', true, NULL),
('signing_keys', 'encrypted_private_key', 'text', true, NULL),
('signing_keys', 'address', 'character varying(42)', true, NULL),
('signing_keys', 'is_active', 'boolean', true, 'true'),
('signing_keys', 'revoked_at', 'timestamp with time zone', false, NULL),
('signing_keys', 'created_at', 'timestamp with time zone', true, 'common.now()'),

('stores', 'id', 'uuid', true, 'gen_random_uuid()'),
('stores', 'name', 'character varying(255)', true, NULL),
('stores', 'symbol', 'character varying(10)', true, NULL),
('stores', 'category', 'character varying(100)', false, NULL),
('stores', 'description', 'text', false, NULL),
('stores', 'latitude', 'numeric(10,8)', false, NULL),
('stores', 'longitude', 'numeric(11,8)', false, NULL),
('stores', 'address', 'text', false, NULL),
('stores', 'deployment_status', 'cocopay.deployment_status', true, '''pending''::cocopay.deployment_status'),
('stores', 'website', 'character varying(255)', false, NULL),
('stores', 'instagram', 'character varying(100)', false, NULL),
('stores', 'qr_code_url', 'character varying(255)', false, NULL),
('stores', 'short_code', 'character varying(20)', false, NULL),
('stores', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('stores', 'updated_at', 'timestamp with time zone', true, 'common.now()'),

('store_deployments', 'id', 'uuid', true, 'gen_random_uuid()'),
('store_deployments', 'store_id', 'uuid', true, NULL),
('store_deployments', 'chain_id', 'cocopay.chain_id', true, NULL),
('store_deployments', 'project_id', 'integer', false, NULL),
('store_deployments', 'token_address', 'character varying(42)', false, NULL),
('store_deployments', 'terminal_address', 'character varying(42)', false, NULL),
('store_deployments', 'status', 'cocopay.deployment_status', true, '''pending''::cocopay.deployment_status'),
('store_deployments', 'bundle_id', 'character varying(255)', false, NULL),
('store_deployments', 'deploy_tx_hash', 'character varying(66)', false, NULL),
('store_deployments', 'error_message', 'text', false, NULL),
('store_deployments', 'deployed_at', 'timestamp with time zone', false, NULL),
('store_deployments', 'created_at', 'timestamp with time zone', true, 'common.now()'),

('store_members', 'id', 'uuid', true, 'gen_random_uuid()'),
('store_members', 'store_id', 'uuid', true, NULL),
('store_members', 'user_id', 'uuid', true, NULL),
('store_members', 'role', 'cocopay.store_role', true, NULL),
('store_members', 'invited_by', 'uuid', false, NULL),
('store_members', 'invited_at', 'timestamp with time zone', true, 'common.now()'),
('store_members', 'accepted_at', 'timestamp with time zone', false, NULL),
('store_members', 'created_at', 'timestamp with time zone', true, 'common.now()'),

('token_balances', 'id', 'uuid', true, 'gen_random_uuid()'),
('token_balances', 'user_id', 'uuid', true, NULL),
('token_balances', 'chain_id', 'cocopay.chain_id', true, NULL),
('token_balances', 'token_address', 'character varying(42)', true, NULL),
('token_balances', 'store_id', 'uuid', false, NULL),
('token_balances', 'balance', 'numeric(78,0)', true, '0'),
('token_balances', 'balance_usd', 'numeric(18,6)', true, '0'),
('token_balances', 'last_synced_at', 'timestamp with time zone', true, 'common.now()'),
('token_balances', 'last_synced_block', 'bigint', false, NULL),
('token_balances', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('token_balances', 'updated_at', 'timestamp with time zone', true, 'common.now()'),

('transactions', 'id', 'uuid', true, 'gen_random_uuid()'),
('transactions', 'from_user_id', 'uuid', false, NULL),
('transactions', 'to_user_id', 'uuid', false, NULL),
('transactions', 'store_id', 'uuid', false, NULL),
('transactions', 'type', 'cocopay.transaction_type', true, NULL),
('transactions', 'status', 'cocopay.transaction_status', true, '''pending''::cocopay.transaction_status'),
('transactions', 'amount_usd', 'numeric(18,6)', true, NULL),
('transactions', 'tokens_used', 'jsonb', false, NULL),
('transactions', 'rewards_earned', 'jsonb', false, NULL),
('transactions', 'chain_id', 'cocopay.chain_id', true, NULL),
('transactions', 'bundle_id', 'character varying(255)', false, NULL),
('transactions', 'tx_hash', 'character varying(66)', false, NULL),
('transactions', 'block_number', 'bigint', false, NULL),
('transactions', 'confirmation_code', 'character varying(6)', false, 'cocopay.generate_confirmation_code()'),
('transactions', 'error_code', 'character varying(50)', false, NULL),
('transactions', 'error_message', 'text', false, NULL),
('transactions', 'idempotency_key', 'character varying(255)', false, NULL),
('transactions', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('transactions', 'confirmed_at', 'timestamp with time zone', false, NULL),

('loans', 'id', 'uuid', true, 'gen_random_uuid()'),
('loans', 'user_id', 'uuid', true, NULL),
('loans', 'chain_id', 'cocopay.chain_id', true, NULL),
('loans', 'loan_id_onchain', 'numeric(78,0)', true, NULL),
('loans', 'collateral', 'numeric(78,0)', true, NULL),
('loans', 'collateral_usd_at_origination', 'numeric(18,6)', true, NULL),
('loans', 'borrow_amount', 'numeric(78,0)', true, NULL),
('loans', 'borrow_amount_usd', 'numeric(18,6)', true, NULL),
('loans', 'prepaid_fee_percent', 'integer', true, NULL),
('loans', 'prepaid_duration_seconds', 'bigint', true, NULL),
('loans', 'project_id', 'integer', true, NULL),
('loans', 'token_address', 'character varying(42)', true, NULL),
('loans', 'is_active', 'boolean', true, 'true'),
('loans', 'repaid_at', 'timestamp with time zone', false, NULL),
('loans', 'origination_tx_hash', 'character varying(66)', true, NULL),
('loans', 'repayment_tx_hash', 'character varying(66)', false, NULL),
('loans', 'created_at', 'timestamp with time zone', true, 'common.now()'),

('payouts', 'id', 'uuid', true, 'gen_random_uuid()'),
('payouts', 'store_id', 'uuid', true, NULL),
('payouts', 'requested_by', 'uuid', true, NULL),
('payouts', 'amount_usd', 'numeric(18,6)', true, NULL),
('payouts', 'fee_usd', 'numeric(18,6)', true, '0'),
('payouts', 'payout_type', 'cocopay.payout_type', true, NULL),
('payouts', 'destination', 'jsonb', true, NULL),
('payouts', 'status', 'cocopay.payout_status', true, '''pending''::cocopay.payout_status'),
('payouts', 'external_id', 'character varying(255)', false, NULL),
('payouts', 'processed_at', 'timestamp with time zone', false, NULL),
('payouts', 'error_message', 'text', false, NULL),
('payouts', 'created_at', 'timestamp with time zone', true, 'common.now()'),

('analytics_events', 'id', 'uuid', true, 'gen_random_uuid()'),
('analytics_events', 'event_name', 'character varying(100)', true, NULL),
('analytics_events', 'properties', 'jsonb', true, '''{}''::jsonb'),
('analytics_events', 'user_id', 'uuid', false, NULL),
('analytics_events', 'session_id', 'uuid', false, NULL),
('analytics_events', 'device_id', 'character varying(255)', false, NULL),
('analytics_events', 'ip_address', 'inet', false, NULL),
('analytics_events', 'user_agent', 'text', false, NULL),
('analytics_events', 'created_at', 'timestamp with time zone', true, 'common.now()'),

('feature_flags', 'id', 'uuid', true, 'gen_random_uuid()'),
('feature_flags', 'name', 'character varying(100)', true, NULL),
('feature_flags', 'description', 'text', false, NULL),
('feature_flags', 'enabled', 'boolean', true, 'false'),
('feature_flags', 'rules', 'jsonb', true, '''[]''::jsonb'),
('feature_flags', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('feature_flags', 'updated_at', 'timestamp with time zone', true, 'common.now()'),

('audit_logs', 'id', 'uuid', true, 'gen_random_uuid()'),
('audit_logs', 'user_id', 'uuid', false, NULL),
('audit_logs', 'ip_address', 'inet', false, NULL),
('audit_logs', 'user_agent', 'text', false, NULL),
('audit_logs', 'action', 'character varying(100)', true, NULL),
('audit_logs', 'resource_type', 'character varying(50)', false, NULL),
('audit_logs', 'resource_id', 'uuid', false, NULL),
('audit_logs', 'old_values', 'jsonb', false, NULL),
('audit_logs', 'new_values', 'jsonb', false, NULL),
('audit_logs', 'metadata', 'jsonb', false, NULL),
('audit_logs', 'created_at', 'timestamp with time zone', true, 'common.now()');

-- 169 columns: type, NULL-ness and default presence (3 assertions each), then the 55 default expressions
SELECT col_type_is('cocopay', tbl, col, typ, format('%s.%s is %s', tbl, col, typ))
FROM spec
ORDER BY ord;

SELECT CASE WHEN not_null
    THEN col_not_null('cocopay', tbl, col, format('%s.%s is NOT NULL', tbl, col))
    ELSE col_is_null('cocopay', tbl, col, format('%s.%s is nullable', tbl, col))
END
FROM spec
ORDER BY ord;

SELECT CASE WHEN dflt IS NULL
    THEN col_hasnt_default('cocopay', tbl, col, format('%s.%s has no default', tbl, col))
    ELSE col_has_default('cocopay', tbl, col, format('%s.%s has a default', tbl, col))
END
FROM spec
ORDER BY ord;

SELECT is(
    (SELECT pg_get_expr(d.adbin, d.adrelid)
     FROM pg_attribute AS a INNER JOIN pg_attrdef AS d ON a.attrelid = d.adrelid AND a.attnum = d.adnum
     WHERE d.adrelid = format('cocopay.%I', spec.tbl)::regclass AND a.attname = spec.col),
    spec.dflt,
    format('%s.%s defaults to %s', spec.tbl, spec.col, spec.dflt)
)
FROM spec
WHERE spec.dflt IS NOT NULL
ORDER BY spec.ord;

-- No column beyond the seed's, in the seed's order
SELECT columns_are(
    'cocopay', t.tbl, array_agg(s.col ORDER BY s.ord), format('%s has exactly the seed''s columns', t.tbl)
)
FROM (SELECT DISTINCT tbl FROM spec) AS t INNER JOIN spec AS s ON t.tbl = s.tbl
GROUP BY t.tbl
ORDER BY t.tbl;

SELECT results_eq(
    $$SELECT c.relname::text, a.attname::text FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
      WHERE c.relnamespace = 'cocopay'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relname NOT IN ('store_daily_stats', 'store_daily_stats_changes')
      ORDER BY c.relname, a.attnum$$,
    $$SELECT tbl::text, col::text FROM spec ORDER BY tbl, ord$$,
    'columns are in the seed''s order'
);

-- The seed's materialized view's columns (a table since 0031)
SELECT columns_are(
    'cocopay', 'store_daily_stats',
    ARRAY['store_id', 'date', 'transaction_count', 'revenue_usd', 'unique_customers', 'avg_transaction_usd'],
    'store_daily_stats has the seed''s columns'
);
SELECT results_eq(
    $$SELECT a.attname::text COLLATE "default", format_type(a.atttypid, a.atttypmod) FROM pg_attribute AS a
      WHERE a.attrelid = 'cocopay.store_daily_stats'::regclass AND a.attnum > 0 ORDER BY a.attnum$$,
    $$VALUES ('store_id', 'uuid'), ('date', 'date'), ('transaction_count', 'bigint'), ('revenue_usd', 'numeric'),
             ('unique_customers', 'bigint'), ('avg_transaction_usd', 'numeric')$$,
    'store_daily_stats column types, in order'
);

SELECT * FROM finish();
ROLLBACK;
