-- cocopay: the write functions of 0023_cocopay_write_functions and 0024_cocopay_payout_functions (SECURITY
-- DEFINER and on the database's clock since 0033, with the account functions of 0034):
-- their shape and privileges; store creation with its owner, idempotent transaction creation,
-- confirm/fail, each rule allowed and refused with its SQLSTATE. Invitations and payouts:
-- 15_member_payout_functions.sql.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(34);
\ir ../helpers.psql

-- Shape and privileges
SELECT set_eq(
    $$SELECT p.proname::text, p.prorettype::regtype::text
      FROM pg_proc AS p
      WHERE p.pronamespace = 'cocopay'::regnamespace AND p.proretset AND p.provolatile = 'v' AND p.prosecdef
        AND 'search_path=pg_catalog, pg_temp' = ANY(p.proconfig)$$,
    $$VALUES ('create_transaction', 'cocopay.transactions'), ('confirm_transaction', 'cocopay.transactions'),
             ('fail_transaction', 'cocopay.transactions'), ('create_store', 'cocopay.stores'),
             ('invite_store_member', 'cocopay.store_members'), ('accept_store_member', 'cocopay.store_members'),
             ('request_payout', 'cocopay.payouts'), ('start_payout', 'cocopay.payouts'),
             ('complete_payout', 'cocopay.payouts'), ('fail_payout', 'cocopay.payouts'),
             ('get_or_create_smart_account', 'cocopay.smart_accounts'),
             ('mark_smart_account_deployed', 'cocopay.smart_accounts'), ('verify_user_phone', 'cocopay.users'),
             ('revoke_session', 'cocopay.sessions')$$,
    'the write functions return SETOF their table, are VOLATILE, SECURITY DEFINER and pin search_path'
);
SELECT is_empty(
    $$SELECT p.proname FROM pg_proc AS p
      WHERE p.pronamespace = 'cocopay'::regnamespace AND p.proretset AND obj_description(p.oid, 'pg_proc') IS NULL$$,
    'every write function has a comment'
);
SELECT set_eq(
    $$SELECT p.proname::text, r.rolname::text
      FROM pg_proc AS p, aclexplode(p.proacl) AS a, pg_roles AS r
      WHERE p.pronamespace = 'cocopay'::regnamespace AND p.proretset AND r.oid = a.grantee
        AND a.privilege_type = 'EXECUTE' AND r.rolname <> 'chaindb_owner'$$,
    $$SELECT unnest(ARRAY['create_transaction', 'confirm_transaction', 'fail_transaction', 'create_store',
                          'invite_store_member', 'accept_store_member', 'request_payout', 'start_payout',
                          'complete_payout', 'fail_payout', 'get_or_create_smart_account',
                          'mark_smart_account_deployed', 'verify_user_phone', 'revoke_session']), 'chaindb_app'$$,
    'only chaindb_app may execute the write functions (not PUBLIC, not chaindb_readonly)'
);

-- Fixtures: an owner, a customer, an invitee, a stranger
INSERT INTO cocopay.users (id, phone) VALUES
('00000000-0000-0000-0000-000000001401', '+5511900001401'),
('00000000-0000-0000-0000-000000001402', '+5511900001402'),
('00000000-0000-0000-0000-000000001403', '+5511900001403'),
('00000000-0000-0000-0000-000000001404', '+5511900001404');

-- Ids of the rows the functions create, by label
CREATE TEMP TABLE created (label text PRIMARY KEY, id uuid NOT NULL) ON COMMIT DROP;
CREATE FUNCTION pg_temp.created_id(p_label text) RETURNS uuid LANGUAGE sql STABLE AS $fn$
    SELECT c.id FROM created AS c
    WHERE c.label = p_label
$fn$;
CREATE FUNCTION pg_temp.store_id() RETURNS uuid LANGUAGE sql STABLE AS $fn$
    SELECT pg_temp.created_id('store')
$fn$;
CREATE FUNCTION pg_temp.tx_id(p_label text) RETURNS uuid LANGUAGE sql STABLE AS $fn$
    SELECT pg_temp.created_id(p_label)
$fn$;
CREATE FUNCTION pg_temp.tx_code(p_label text) RETURNS text LANGUAGE sql STABLE AS $fn$
    SELECT t.confirmation_code FROM cocopay.transactions AS t
    WHERE t.id = pg_temp.created_id(p_label)
$fn$;

-- create_store
SELECT is(
    (SELECT count(*) FROM cocopay.create_store(
        '00000000-0000-0000-0000-000000001401', 'Padaria Central', 'PADA', 'PADA14', 'bakery'
    )),
    1::bigint,
    'create_store returns one row'
);
INSERT INTO created (label, id)
VALUES ('store', (SELECT s.id FROM cocopay.stores AS s
    WHERE s.short_code = 'PADA14'));
SELECT results_eq(
    $$SELECT s.name::text, s.symbol::text, s.short_code::text, s.deployment_status::text
      FROM cocopay.stores AS s WHERE s.id = pg_temp.store_id()$$,
    $$VALUES ('Padaria Central', 'PADA', 'PADA14', 'pending')$$,
    'create_store writes the store'
);
SELECT results_eq(
    $$SELECT m.user_id, m.role::text, m.invited_by, m.accepted_at = m.invited_at
      FROM cocopay.store_members AS m WHERE m.store_id = pg_temp.store_id()$$,
    $$VALUES ('00000000-0000-0000-0000-000000001401'::uuid, 'owner', NULL::uuid, true)$$,
    'create_store makes the owner an accepted member, invited by nobody'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.create_store('00000000-0000-0000-0000-000000001402', 'Outra', 'OUT', 'PADA14')$$,
    '23505', 'duplicate key value violates unique constraint "stores_short_code_key"',
    'create_store refuses a taken short code'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.create_store('00000000-0000-0000-0000-000000001499', 'Sem Dono', 'SEM')$$,
    '23503', NULL,
    'create_store refuses an unknown owner'
);
SELECT is(
    (SELECT count(*) FROM cocopay.stores
        WHERE name = 'Sem Dono'), 0::bigint,
    'a store whose owner membership fails is not created (one statement)'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.create_store('00000000-0000-0000-0000-000000001402', 'Minúscula', 'abc')$$,
    '23514', 'new row for relation "stores" violates check constraint "stores_symbol_check"',
    'create_store keeps the stores CHECKs'
);

-- create_transaction: idempotency
INSERT INTO created (label, id)
VALUES ('first', (SELECT t.id FROM cocopay.create_transaction(
    'key-1401', 'payment', 12.5, '8453', '00000000-0000-0000-0000-000000001402', NULL, pg_temp.store_id()
) AS t));
SELECT results_eq(
    $$SELECT t.status::text, t.amount_usd, t.idempotency_key::text, t.confirmation_code ~ '^[A-HJ-NP-Z2-9]{6}$'
      FROM cocopay.transactions AS t WHERE t.id = pg_temp.tx_id('first')$$,
    $$VALUES ('pending', 12.5::numeric, 'key-1401', true)$$,
    'create_transaction creates a pending transaction with a confirmation code'
);
SELECT is(
    (SELECT t.id FROM cocopay.create_transaction(
        'key-1401', 'payment', 12.50, '8453', '00000000-0000-0000-0000-000000001402', NULL, pg_temp.store_id()
    ) AS t),
    pg_temp.tx_id('first'),
    'the same key and payload returns the existing transaction (12.50 = 12.5)'
);
SELECT is(
    (SELECT count(*) FROM cocopay.transactions
        WHERE idempotency_key = 'key-1401'), 1::bigint,
    'a replayed create makes no second row'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.create_transaction(
        'key-1401', 'payment', 13, '8453', '00000000-0000-0000-0000-000000001402', NULL,
        pg_temp.store_id())$$,
    'CD002', 'transactions: idempotency key key-1401 was used for another payload',
    'the same key with another amount is an idempotency conflict (CD002)'
);
SELECT is(
    pg_temp.rule_error($$SELECT * FROM cocopay.create_transaction(
        'key-1401', 'payment', 12.5, '10', '00000000-0000-0000-0000-000000001403', NULL,
        pg_temp.store_id())$$),
    format(
        'transactions_idempotency_key_key | idempotency_key=key-1401 transaction=%s differs in: chain_id, from_user_id',
        pg_temp.tx_id('first')
    ),
    'the conflict names the key, the existing transaction and the fields that differ'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.create_transaction('key-1401', 'payment', 12.5, '8453')$$,
    'CD002', 'transactions: idempotency key key-1401 was used for another payload',
    'leaving out the parties is another payload too'
);
SELECT is(
    (SELECT count(*) FROM (
        SELECT * FROM cocopay.create_transaction(NULL, 'bonus_claim', 0, '8453', '00000000-0000-0000-0000-000000001402')
        UNION ALL
        SELECT * FROM cocopay.create_transaction(NULL, 'bonus_claim', 0, '8453', '00000000-0000-0000-0000-000000001402')
    ) AS t), 2::bigint,
    'without a key every call creates a transaction'
);
SELECT common.freeze_clock('2024-05-01 10:00+00');
SELECT is(
    (SELECT t.created_at FROM cocopay.create_transaction('key-1401-clock', 'payment', 1, '8453') AS t),
    '2024-05-01 10:00+00'::timestamptz,
    'create_transaction stamps created_at with the database''s clock (common.now())'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.create_transaction('key-1401-neg', 'payment', 0, '8453')$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_payment_amount_usd_check"',
    'create_transaction keeps the transactions CHECKs'
);

-- confirm_transaction / fail_transaction
SELECT throws_ok(
    format('SELECT * FROM cocopay.confirm_transaction(%L, %L)', pg_temp.tx_id('first'), 'ZZZZZZ'),
    'CD007', format('transactions: wrong confirmation code for transaction %s', pg_temp.tx_id('first')),
    'a wrong confirmation code is refused (CD007)'
);
SELECT is(
    pg_temp.rule_error(format(
        'SELECT * FROM cocopay.confirm_transaction(%L, %L)', pg_temp.tx_id('first'), 'ZZZZZZ'
    )),
    format('transactions_confirmation_code_match | id=%s', pg_temp.tx_id('first')),
    'the wrong-code error names its rule and does not reveal the code'
);
SELECT common.freeze_clock('2024-05-01 12:00+00');
SELECT results_eq(
    format(
        $$SELECT t.status::text, t.confirmed_at, t.tx_hash::text, t.block_number
          FROM cocopay.confirm_transaction(%L, %L, %L, 777) AS t$$,
        pg_temp.tx_id('first'),
        lower(pg_temp.tx_code('first')),
        '0x' || repeat('cd', 32)
    ),
    $$VALUES ('confirmed', '2024-05-01 12:00+00'::timestamptz, '0x' || repeat('cd', 32), 777::bigint)$$,
    'the right code (any case) confirms, with confirmed_at, tx hash and block'
);
SELECT throws_ok(
    format(
        'SELECT * FROM cocopay.confirm_transaction(%L, %L)', pg_temp.tx_id('first'),
        pg_temp.tx_code('first')
    ),
    'CD001', 'transactions: status may not change from confirmed to confirmed',
    'a second confirmation is a forbidden transition (CD001)'
);
SELECT is(
    pg_temp.rule_error(format(
        'SELECT * FROM cocopay.fail_transaction(%L, %L)', pg_temp.tx_id('first'), 'late'
    )),
    'transactions_status_transition | from=confirmed to=failed',
    'failing a confirmed transaction is forbidden, with from/to in DETAIL'
);
SELECT is(
    (SELECT t.id FROM cocopay.create_transaction(
        'key-1401', 'payment', 12.5, '8453', '00000000-0000-0000-0000-000000001402', NULL, pg_temp.store_id()
    ) AS t),
    pg_temp.tx_id('first'),
    'a replay after confirmation still returns the (now confirmed) transaction'
);
INSERT INTO created (label, id)
VALUES ('second', (SELECT t.id FROM cocopay.create_transaction('key-1402', 'payment', 5, '8453') AS t));
SELECT results_eq(
    format(
        $$SELECT t.status::text, t.error_code::text, t.error_message, t.confirmed_at
          FROM cocopay.fail_transaction(%L, 'AA21', 'bundler rejected') AS t$$,
        pg_temp.tx_id('second')
    ),
    $$VALUES ('failed', 'AA21', 'bundler rejected', NULL::timestamptz)$$,
    'fail_transaction: pending -> failed with the error code and message'
);
SELECT throws_ok(
    format(
        'SELECT * FROM cocopay.confirm_transaction(%L, %L)', pg_temp.tx_id('second'),
        pg_temp.tx_code('second')
    ),
    'CD001', 'transactions: status may not change from failed to confirmed',
    'a failed transaction cannot be confirmed (CD001)'
);
SELECT throws_ok(
    format('SELECT * FROM cocopay.fail_transaction(%L, %L)', pg_temp.tx_id('second'), 'again'),
    'CD001', 'transactions: status may not change from failed to failed',
    'a failed transaction cannot fail again (CD001)'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.confirm_transaction('00000000-0000-0000-0000-000000001499', 'ABCDEF')$$,
    'CD005', 'transactions: no transaction 00000000-0000-0000-0000-000000001499',
    'confirming an unknown transaction is not_found (CD005)'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.fail_transaction('00000000-0000-0000-0000-000000001499', 'X')$$,
    'CD005', 'transactions: no transaction 00000000-0000-0000-0000-000000001499',
    'failing an unknown transaction is not_found (CD005)'
);

-- As the application role
SELECT ok(
    has_function_privilege(
        'chaindb_app',
        'cocopay.create_transaction(varchar, cocopay.transaction_type, numeric, cocopay.chain_id, uuid, uuid, uuid, '
        || 'jsonb, jsonb, varchar)',
        'EXECUTE'
    ),
    'chaindb_app may create transactions'
);
SELECT ok(
    NOT has_function_privilege('chaindb_readonly', 'cocopay.start_payout(uuid, varchar)', 'EXECUTE'),
    'chaindb_readonly may not start payouts'
);
SELECT ok(
    NOT has_function_privilege('public', 'cocopay.confirm_transaction(uuid, varchar, varchar, bigint)',
                               'EXECUTE'),
    'PUBLIC may not confirm transactions'
);
SELECT is(
    (SELECT count(*) FROM cocopay.transactions
        WHERE idempotency_key LIKE 'key-1401%'), 2::bigint,
    'after all the replays and refusals: one transaction per key'
);
SELECT * FROM finish();
ROLLBACK;
