-- cocopay: privileges. PUBLIC gets nothing; chaindb_app gets what the application needs
-- (append-only audit and analytics, key material never rewritten); chaindb_readonly reads
-- everything except the secret columns signing_keys.encrypted_private_key and sessions.token_hash.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(35);

-- Nothing for PUBLIC, and both roles use the schema and its enums but create nothing: written once for every
-- schema of the registry (tests/python/test_roles.py).

-- The exact grants
SELECT set_eq(
    $$SELECT c.relname::text, r.rolname::text, a.privilege_type::text
      FROM pg_class AS c, aclexplode(c.relacl) AS a, pg_roles AS r
      WHERE c.relnamespace = 'cocopay'::regnamespace AND r.oid = a.grantee
        AND r.rolname IN ('chaindb_app', 'chaindb_readonly')$$,
    $$SELECT t, r, p FROM (VALUES
        ('users', 'chaindb_app', '{SELECT}'),
        ('sessions', 'chaindb_app', '{SELECT,DELETE}'),
        ('passkeys', 'chaindb_app', '{SELECT,DELETE}'),
        ('smart_accounts', 'chaindb_app', '{SELECT}'),
        ('signing_keys', 'chaindb_app', '{SELECT}'),
        ('stores', 'chaindb_app', '{SELECT}'),
        ('store_deployments', 'chaindb_app', '{SELECT}'),
        ('store_members', 'chaindb_app', '{SELECT}'),
        ('token_balances', 'chaindb_app', '{SELECT}'),
        ('transactions', 'chaindb_app', '{SELECT}'),
        ('loans', 'chaindb_app', '{SELECT}'),
        ('payouts', 'chaindb_app', '{SELECT}'),
        ('analytics_events', 'chaindb_app', '{SELECT}'),
        ('feature_flags', 'chaindb_app', '{SELECT}'),
        ('audit_logs', 'chaindb_app', '{SELECT}'),
        ('store_daily_stats', 'chaindb_app', '{SELECT}'),
        ('users', 'chaindb_readonly', '{SELECT}'),
        ('passkeys', 'chaindb_readonly', '{SELECT}'),
        ('smart_accounts', 'chaindb_readonly', '{SELECT}'),
        ('stores', 'chaindb_readonly', '{SELECT}'),
        ('store_deployments', 'chaindb_readonly', '{SELECT}'),
        ('store_members', 'chaindb_readonly', '{SELECT}'),
        ('token_balances', 'chaindb_readonly', '{SELECT}'),
        ('transactions', 'chaindb_readonly', '{SELECT}'),
        ('loans', 'chaindb_readonly', '{SELECT}'),
        ('payouts', 'chaindb_readonly', '{SELECT}'),
        ('analytics_events', 'chaindb_readonly', '{SELECT}'),
        ('feature_flags', 'chaindb_readonly', '{SELECT}'),
        ('audit_logs', 'chaindb_readonly', '{SELECT}'),
        ('store_daily_stats', 'chaindb_readonly', '{SELECT}'),
        ('store_daily_stats_changes', 'chaindb_readonly', '{SELECT}')
      ) AS g (t, r, ps), unnest(ps::text []) AS p$$,
    'table-level grants to chaindb_app and chaindb_readonly are exactly the intended ones'
);
SELECT set_eq(
    $$SELECT c.relname::text, t.attname::text, r.rolname::text, a.privilege_type::text
      FROM pg_class AS c JOIN pg_attribute AS t ON t.attrelid = c.oid, aclexplode(t.attacl) AS a, pg_roles AS r
      WHERE c.relnamespace = 'cocopay'::regnamespace AND r.oid = a.grantee$$,
    $$SELECT t, c, r, p FROM (VALUES
        ('sessions', '{id,user_id,auth_method,device_info,ip_address,expires_at,revoked_at,created_at}',
         'chaindb_readonly', 'SELECT'),
        ('signing_keys', '{id,user_id,address,is_active,revoked_at,created_at}', 'chaindb_readonly', 'SELECT'),
        ('users', '{phone,name,email,locale,preferred_chain_id,backup_owner_phone}', 'chaindb_app', 'INSERT'),
        ('users', '{name,email,locale,preferred_chain_id,backup_owner_phone,last_active_at}', 'chaindb_app', 'UPDATE'),
        ('sessions', '{user_id,token_hash,auth_method,device_info,ip_address,expires_at}', 'chaindb_app', 'INSERT'),
        ('passkeys', '{user_id,credential_id,public_key,sign_count,derived_address,device_name}', 'chaindb_app',
         'INSERT'),
        ('passkeys', '{sign_count,last_used_at,device_name}', 'chaindb_app', 'UPDATE'),
        ('signing_keys', '{user_id,encrypted_private_key,address}', 'chaindb_app', 'INSERT'),
        ('signing_keys', '{is_active,revoked_at}', 'chaindb_app', 'UPDATE'),
        ('stores', '{name,symbol,category,description,latitude,longitude,address,deployment_status,website,instagram,'
         || 'qr_code_url,short_code}', 'chaindb_app', 'UPDATE'),
        ('store_deployments', '{store_id,chain_id,project_id,token_address,terminal_address,bundle_id}', 'chaindb_app',
         'INSERT'),
        ('store_deployments', '{project_id,token_address,terminal_address,status,bundle_id,deploy_tx_hash,'
         || 'error_message,deployed_at}', 'chaindb_app', 'UPDATE'),
        ('token_balances', '{user_id,chain_id,token_address,store_id,balance,balance_usd,last_synced_block}',
         'chaindb_app', 'INSERT'),
        ('token_balances', '{store_id,balance,balance_usd,last_synced_at,last_synced_block}', 'chaindb_app', 'UPDATE'),
        ('loans', '{user_id,chain_id,loan_id_onchain,collateral,collateral_usd_at_origination,borrow_amount,'
         || 'borrow_amount_usd,prepaid_fee_percent,prepaid_duration_seconds,project_id,token_address,'
         || 'origination_tx_hash}', 'chaindb_app', 'INSERT'),
        ('loans', '{is_active,repaid_at,repayment_tx_hash}', 'chaindb_app', 'UPDATE'),
        ('feature_flags', '{name,description,enabled,rules}', 'chaindb_app', 'INSERT'),
        ('feature_flags', '{description,enabled,rules}', 'chaindb_app', 'UPDATE'),
        ('analytics_events', '{event_name,properties,user_id,session_id,device_id,ip_address,user_agent}',
         'chaindb_app', 'INSERT'),
        ('audit_logs', '{user_id,ip_address,user_agent,action,resource_type,resource_id,old_values,new_values,'
         || 'metadata}', 'chaindb_app', 'INSERT')
      ) AS g (t, cs, r, p), unnest(cs::text []) AS c$$,
    'column-level grants: readonly reads every column but the secrets; the app writes only the columns it needs '
    || '(never ids, created_at, updated_at, nor a column a rule function guards)'
);
SELECT set_eq(
    $$SELECT p.oid::regprocedure::text, r.rolname::text
      FROM pg_proc AS p, aclexplode(p.proacl) AS a, pg_roles AS r
      WHERE p.pronamespace = 'cocopay'::regnamespace AND r.oid = a.grantee
        AND r.rolname IN ('chaindb_app', 'chaindb_readonly') AND a.privilege_type = 'EXECUTE'$$,
    $$VALUES ('cocopay.generate_confirmation_code()', 'chaindb_app'),
             ('cocopay.ll_to_earth(double precision,double precision)', 'chaindb_app'),
             ('cocopay.refresh_store_daily_stats()', 'chaindb_app'),
             ('cocopay.create_transaction(character varying,cocopay.transaction_type,numeric,cocopay.chain_id,'
              || 'uuid,uuid,uuid,jsonb,jsonb,character varying)', 'chaindb_app'),
             ('cocopay.confirm_transaction(uuid,character varying,character varying,bigint)', 'chaindb_app'),
             ('cocopay.fail_transaction(uuid,character varying,text)', 'chaindb_app'),
             ('cocopay.create_store(uuid,character varying,character varying,character varying,character varying,'
              || 'text,numeric,numeric,text,character varying,character varying,character varying)', 'chaindb_app'),
             ('cocopay.invite_store_member(uuid,uuid,cocopay.store_role,uuid)', 'chaindb_app'),
             ('cocopay.accept_store_member(uuid,uuid)', 'chaindb_app'),
             ('cocopay.request_payout(uuid,uuid,numeric,cocopay.payout_type,jsonb,numeric)', 'chaindb_app'),
             ('cocopay.start_payout(uuid,character varying)', 'chaindb_app'),
             ('cocopay.complete_payout(uuid,character varying)', 'chaindb_app'),
             ('cocopay.fail_payout(uuid,text)', 'chaindb_app'),
             ('cocopay.get_or_create_smart_account(uuid,cocopay.chain_id,character varying,character varying,'
              || 'character varying,cocopay.custody_status)', 'chaindb_app'),
             ('cocopay.mark_smart_account_deployed(uuid,character varying)', 'chaindb_app'),
             ('cocopay.verify_user_phone(uuid)', 'chaindb_app'),
             ('cocopay.revoke_session(uuid)', 'chaindb_app'),
             ('cocopay.revoke_user_sessions(uuid)', 'chaindb_app'),
             ('cocopay.ll_to_earth(double precision,double precision)', 'chaindb_readonly')$$,
    'EXECUTE is granted only on the functions each role calls'
);
-- Fixtures (as the owner)
INSERT INTO cocopay.users (id, phone) VALUES ('00000000-0000-0000-0000-000000001301', '+5511900001301');
INSERT INTO cocopay.stores (id, name, symbol) VALUES ('00000000-0000-0000-0000-000000001311', 'Loja', 'LOJA');
INSERT INTO cocopay.signing_keys (id, user_id, encrypted_private_key, address)
VALUES ('00000000-0000-0000-0000-000000001321', '00000000-0000-0000-0000-000000001301', 'ciphertext',
        '0x' || repeat('ab', 20));
INSERT INTO cocopay.sessions (id, user_id, token_hash, auth_method, expires_at)
VALUES ('00000000-0000-0000-0000-000000001331', '00000000-0000-0000-0000-000000001301', repeat('ab', 32), 'phone',
        now() + interval '1 day');
INSERT INTO cocopay.audit_logs (id, user_id, action)
VALUES ('00000000-0000-0000-0000-000000001341', '00000000-0000-0000-0000-000000001301', 'login');
INSERT INTO cocopay.analytics_events (id, event_name) VALUES ('00000000-0000-0000-0000-000000001351', 'app_open');

-- chaindb_readonly
SET LOCAL ROLE chaindb_readonly;
SELECT throws_ok(
    $$SELECT encrypted_private_key FROM cocopay.signing_keys$$,
    '42501', 'permission denied for table signing_keys',
    'readonly cannot read signing_keys.encrypted_private_key'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.signing_keys$$,
    '42501', 'permission denied for table signing_keys',
    'readonly cannot SELECT * from signing_keys'
);
SELECT results_eq(
    $$SELECT id, user_id, address::text, is_active, revoked_at IS NULL, created_at = now() FROM cocopay.signing_keys
      WHERE id = '00000000-0000-0000-0000-000000001321'$$,
    $$VALUES ('00000000-0000-0000-0000-000000001321'::uuid, '00000000-0000-0000-0000-000000001301'::uuid,
              '0x' || repeat('ab', 20), true, true, true)$$,
    'readonly reads every other signing_keys column'
);
SELECT throws_ok(
    $$SELECT token_hash FROM cocopay.sessions$$,
    '42501', 'permission denied for table sessions',
    'readonly cannot read sessions.token_hash'
);
SELECT throws_ok(
    $$SELECT count(*) FROM cocopay.sessions WHERE token_hash = repeat('ab', 32)$$,
    '42501', 'permission denied for table sessions',
    'readonly cannot probe token_hash in a WHERE clause either'
);
SELECT results_eq(
    $$SELECT id, user_id, auth_method::text, device_info, ip_address, expires_at > created_at, revoked_at
      FROM cocopay.sessions WHERE id = '00000000-0000-0000-0000-000000001331'$$,
    $$VALUES ('00000000-0000-0000-0000-000000001331'::uuid, '00000000-0000-0000-0000-000000001301'::uuid, 'phone',
              NULL::jsonb, NULL::inet, true, NULL::timestamptz)$$,
    'readonly reads every other sessions column'
);
SELECT lives_ok($$SELECT * FROM cocopay.users$$, 'readonly reads users');
SELECT lives_ok($$SELECT * FROM cocopay.audit_logs$$, 'readonly reads audit_logs');
SELECT lives_ok($$SELECT * FROM cocopay.store_daily_stats$$, 'readonly reads store_daily_stats');
SELECT lives_ok(
    $$SELECT id FROM cocopay.stores WHERE cocopay.ll_to_earth(latitude, longitude) IS NOT NULL$$,
    'readonly may call cocopay.ll_to_earth for nearby queries'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.users (phone) VALUES ('+5511900001302')$$,
    '42501', 'permission denied for table users', 'readonly cannot insert'
);
SELECT throws_ok(
    $$UPDATE cocopay.users SET name = 'x'$$, '42501', 'permission denied for table users', 'readonly cannot update'
);
SELECT throws_ok(
    $$DELETE FROM cocopay.audit_logs$$, '42501', 'permission denied for table audit_logs', 'readonly cannot delete'
);
SELECT throws_ok(
    $$SELECT cocopay.refresh_store_daily_stats()$$,
    '42501', 'permission denied for function refresh_store_daily_stats', 'readonly cannot refresh the stats'
);
RESET ROLE;

-- chaindb_app
SET LOCAL ROLE chaindb_app;
SELECT lives_ok(
    $$INSERT INTO cocopay.audit_logs (user_id, action) VALUES ('00000000-0000-0000-0000-000000001301', 'payment')$$,
    'the app appends to audit_logs'
);
SELECT throws_ok(
    $$DELETE FROM cocopay.audit_logs WHERE id = '00000000-0000-0000-0000-000000001341'$$,
    '42501', 'permission denied for table audit_logs', 'the app cannot delete audit_logs (append-only)'
);
SELECT throws_ok(
    $$UPDATE cocopay.audit_logs SET action = 'nothing' WHERE id = '00000000-0000-0000-0000-000000001341'$$,
    '42501', 'permission denied for table audit_logs', 'the app cannot update audit_logs (append-only)'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.analytics_events (event_name) VALUES ('screen_view')$$, 'the app appends analytics events'
);
SELECT throws_ok(
    $$DELETE FROM cocopay.analytics_events$$,
    '42501', 'permission denied for table analytics_events', 'the app cannot delete analytics events (append-only)'
);
SELECT throws_ok(
    $$UPDATE cocopay.analytics_events SET properties = '{}'$$,
    '42501', 'permission denied for table analytics_events', 'the app cannot update analytics events (append-only)'
);
SELECT lives_ok(
    $$SELECT encrypted_private_key FROM cocopay.signing_keys WHERE id = '00000000-0000-0000-0000-000000001321'$$,
    'the app reads the ciphertext it must decrypt to sign'
);
SELECT throws_ok(
    $$UPDATE cocopay.signing_keys SET encrypted_private_key = 'other' WHERE id = '00000000-0000-0000-0000-000000001321'$$,
    '42501', 'permission denied for table signing_keys', 'the app cannot rewrite key material'
);
SELECT lives_ok(
    $$UPDATE cocopay.signing_keys SET is_active = false, revoked_at = now()
      WHERE id = '00000000-0000-0000-0000-000000001321'$$,
    'the app revokes a key'
);
SELECT throws_ok(
    $$DELETE FROM cocopay.signing_keys$$, '42501', 'permission denied for table signing_keys',
    'the app cannot delete keys'
);
SELECT lives_ok(
    $$DELETE FROM cocopay.sessions WHERE id = '00000000-0000-0000-0000-000000001331'$$, 'the app deletes sessions'
);
SELECT throws_ok(
    $$DELETE FROM cocopay.users WHERE id = '00000000-0000-0000-0000-000000001301'$$,
    '42501', 'permission denied for table users', 'the app cannot delete users'
);
SELECT throws_ok(
    $$DELETE FROM cocopay.transactions$$, '42501', 'permission denied for table transactions',
    'the app cannot delete transactions'
);
SELECT lives_ok(
    $$SELECT * FROM cocopay.create_transaction('p13', 'payment', 3, '8453', '00000000-0000-0000-0000-000000001301',
          p_store_id => '00000000-0000-0000-0000-000000001311')$$,
    'the app creates a transaction through create_transaction (its defaults run as the owner)'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (from_user_id, store_id, type, amount_usd, chain_id)
      VALUES ('00000000-0000-0000-0000-000000001301', '00000000-0000-0000-0000-000000001311', 'payment', 3, '8453')$$,
    '42501', 'permission denied for table transactions', 'the app cannot insert a transaction directly'
);
SELECT lives_ok(
    $$UPDATE cocopay.stores SET latitude = -22.97, longitude = -43.18 WHERE id = '00000000-0000-0000-0000-000000001311'$$,
    'the app locates a store (the index expression cocopay.ll_to_earth runs as the app)'
);
SELECT throws_ok(
    $$TRUNCATE cocopay.analytics_events$$, '42501', 'permission denied for table analytics_events',
    'the app cannot truncate'
);
SELECT throws_ok(
    $$CREATE TABLE cocopay.scratch (id int)$$, '42501', 'permission denied for schema cocopay',
    'the app cannot create objects in cocopay'
);
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
