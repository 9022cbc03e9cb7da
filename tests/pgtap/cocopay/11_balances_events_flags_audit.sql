-- cocopay: rules of token_balances, analytics_events, feature_flags and audit_logs.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(31);
\ir ../helpers.psql

INSERT INTO cocopay.users (id, phone) VALUES ('00000000-0000-0000-0000-000000001101', '+5511900001101');
INSERT INTO cocopay.stores (id, name, symbol) VALUES ('00000000-0000-0000-0000-000000001111', 'Loja', 'LOJA');

-- token_balances
SELECT lives_ok(
    $$INSERT INTO cocopay.token_balances (user_id, chain_id, token_address)
      VALUES ('00000000-0000-0000-0000-000000001101', '8453', '0x0')$$,
    'the native token is recorded as token_address ''0x0'''
);
SELECT is(
    (SELECT (balance, balance_usd, last_synced_at) FROM cocopay.token_balances
     WHERE user_id = '00000000-0000-0000-0000-000000001101' AND token_address = '0x0'),
    (0::numeric, 0::numeric, now()),
    'a new balance is 0, worth 0 USD, synced now'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.token_balances (user_id, chain_id, token_address, store_id, balance, balance_usd,
                                          last_synced_block)
      VALUES ('00000000-0000-0000-0000-000000001101', '8453', '0x' || repeat('5e', 20),
              '00000000-0000-0000-0000-000000001111', 115792089237316195423570985008687907853269984665640564039457584007913129639935,
              12.5, 19000000)$$,
    'a store token balance up to 2^256 - 1 (uint256) is accepted'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.token_balances (user_id, chain_id, token_address)
      VALUES ('00000000-0000-0000-0000-000000001101', '8453', '0x0')$$,
    '23505', 'duplicate key value violates unique constraint "token_balances_user_id_chain_id_token_address_key"',
    'one balance per user, chain and token'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.token_balances (user_id, chain_id, token_address)
      VALUES ('00000000-0000-0000-0000-000000001101', '10', '0x0')$$,
    'the native token on another chain is another balance'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.token_balances (user_id, chain_id, token_address)
      VALUES ('00000000-0000-0000-0000-000000001101', '1', '0x00')$$,
    '23514', 'new row for relation "token_balances" violates check constraint "token_balances_token_address_check"',
    'only exactly ''0x0'' stands for the native token'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.token_balances (user_id, chain_id, token_address)
      VALUES ('00000000-0000-0000-0000-000000001101', '1', 'USDC')$$,
    '23514', 'new row for relation "token_balances" violates check constraint "token_balances_token_address_check"',
    'a token is identified by its EVM address'
);
SELECT throws_ok(
    $$UPDATE cocopay.token_balances SET balance = -1 WHERE user_id = '00000000-0000-0000-0000-000000001101'$$,
    '23514', 'new row for relation "token_balances" violates check constraint "token_balances_balance_check"',
    'a negative balance is rejected'
);
SELECT throws_ok(
    $$UPDATE cocopay.token_balances SET balance_usd = -0.000001 WHERE user_id = '00000000-0000-0000-0000-000000001101'$$,
    '23514', 'new row for relation "token_balances" violates check constraint "token_balances_balance_usd_check"',
    'a negative USD value is rejected'
);
SELECT throws_ok(
    $$UPDATE cocopay.token_balances SET last_synced_block = -1 WHERE user_id = '00000000-0000-0000-0000-000000001101'$$,
    '23514', 'new row for relation "token_balances" violates check constraint "token_balances_last_synced_block_check"',
    'a negative block number is rejected'
);
SELECT throws_ok(
    $$DELETE FROM cocopay.stores WHERE id = '00000000-0000-0000-0000-000000001111'$$,
    '23503',
    'update or delete on table "stores" violates foreign key constraint "token_balances_store_id_fkey" on table "token_balances"',
    'a store whose token is held cannot be deleted (no ON DELETE in the seed)'
);

-- analytics_events
INSERT INTO cocopay.analytics_events (id, event_name) VALUES ('00000000-0000-0000-0000-000000001121', 'app_open');
SELECT is(
    (SELECT properties FROM cocopay.analytics_events
     WHERE id = '00000000-0000-0000-0000-000000001121'), '{}'::jsonb,
    'properties default to {}'
);
SELECT is(
    (pg_temp.error_fields($$INSERT INTO cocopay.analytics_events (event_name, properties) VALUES ('app_open', '[1]')$$))[1:2],
    ARRAY['23514', 'analytics_events_properties_check'],
    'properties must be a JSON object (the message names the month''s partition, the constraint is the table''s)'
);
SELECT is(
    (pg_temp.error_fields($$INSERT INTO cocopay.analytics_events (event_name) VALUES ('')$$))[1:2],
    ARRAY['23514', 'analytics_events_event_name_check'],
    'an event has a name (the message names the month''s partition, the constraint is the table''s)'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.analytics_events (event_name, user_id, session_id, ip_address, properties)
      VALUES ('payment_sent', '00000000-0000-0000-0000-000000001101', gen_random_uuid(), '2001:db8::1', '{"amount": 3}')$$,
    'an event may name a session that is not stored (no FK)'
);

-- feature_flags
INSERT INTO cocopay.feature_flags (id, name) VALUES ('00000000-0000-0000-0000-000000001131', 'loans');
SELECT is(
    (SELECT (enabled, rules) FROM cocopay.feature_flags
     WHERE id = '00000000-0000-0000-0000-000000001131'),
    (false, '[]'::jsonb),
    'a new flag is disabled with no rules'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.feature_flags (name) VALUES ('loans')$$,
    '23505', 'duplicate key value violates unique constraint "feature_flags_name_key"',
    'a flag name is unique'
);
SELECT throws_ok(
    $$UPDATE cocopay.feature_flags SET rules = '{"type": "percentage", "value": 10}'
      WHERE id = '00000000-0000-0000-0000-000000001131'$$,
    '23514', 'new row for relation "feature_flags" violates check constraint "feature_flags_rules_check"',
    'rules must be a JSON array'
);
SELECT lives_ok(
    $$UPDATE cocopay.feature_flags SET enabled = true, rules = '[{"type": "percentage", "value": 10}]'
      WHERE id = '00000000-0000-0000-0000-000000001131'$$,
    'the seed''s rule shape is accepted'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.feature_flags (name) VALUES ('')$$,
    '23514', 'new row for relation "feature_flags" violates check constraint "feature_flags_name_check"',
    'a flag has a name'
);

-- audit_logs
SELECT lives_ok(
    $$INSERT INTO cocopay.audit_logs (user_id, action, resource_type, resource_id, old_values, new_values)
      VALUES ('00000000-0000-0000-0000-000000001101', 'payout', 'store', '00000000-0000-0000-0000-000000001111',
              '{"status": "pending"}', '{"status": "processing"}')$$,
    'an audit entry with its resource is accepted'
);
SELECT is(
    (pg_temp.error_fields($$INSERT INTO cocopay.audit_logs (action, resource_id) VALUES ('login', gen_random_uuid())$$))[1:2],
    ARRAY['23514', 'audit_logs_resource_check'],
    'a resource id needs its resource type (the message names the month''s partition, the constraint is the table''s)'
);
SELECT is(
    (pg_temp.error_fields($$INSERT INTO cocopay.audit_logs (action) VALUES ('')$$))[1:2],
    ARRAY['23514', 'audit_logs_action_check'],
    'an audit entry names its action (the message names the month''s partition, the constraint is the table''s)'
);

-- audit_logs and analytics_events are append-only for every role, their owner included (triggers, CD003)
SELECT throws_ok(
    format('SELECT pg_temp.as_role(''chaindb_owner'', %L)', format(w.statement, 'cocopay.' || t.tbl)),
    'CD003', format('%s: rows are append-only (%s refused)', t.tbl, w.op),
    format('the owner cannot %s %s', lower(w.op), t.tbl)
)
FROM (VALUES (1, 'audit_logs'), (2, 'analytics_events')) AS t (ord, tbl),
    (VALUES (1, 'UPDATE', 'UPDATE %s SET created_at = created_at'), (2, 'DELETE', 'DELETE FROM %s'),
        (3, 'TRUNCATE', 'TRUNCATE %s')) AS w (ord, op, statement)
ORDER BY t.ord, w.ord;
SELECT is(
    pg_temp.error_fields($$DELETE FROM cocopay.audit_logs$$),
    ARRAY['CD003', 'audit_logs_append_only', 'audit_logs', ''],
    'nor can a superuser: CD003 names audit_logs_append_only'
);
SELECT results_eq(
    $$SELECT (SELECT count(*) FROM cocopay.audit_logs), (SELECT count(*) FROM cocopay.analytics_events)$$,
    $$VALUES (1::bigint, 2::bigint)$$,
    'every row is still there'
);

SELECT * FROM finish();
ROLLBACK;
