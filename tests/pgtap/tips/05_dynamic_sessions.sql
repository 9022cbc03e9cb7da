-- tips: dynamic_sessions (each CHECK on both sides, immutable and set-once columns, updated_at) and
-- its moves: initiated -> wallet_created (a valid Solana custodial wallet) | failed.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(30);
\ir ../helpers.psql
\ir fixtures.psql

SELECT lives_ok(
    $$SELECT pg_temp.as_role('chaindb_app',
        'INSERT INTO tips.dynamic_sessions (external_id, user_identifier) VALUES (''dyn-1'', ''a@b.example''), '
        '(''dyn-2'', NULL), (''dyn-3'', NULL), (''dyn-4'', NULL)')$$,
    'the app starts sessions (external_id, user_identifier)'
);
SELECT is((SELECT array_agg(DISTINCT status::text) FROM tips.dynamic_sessions), ARRAY['initiated'],
    'a new session is initiated');
SELECT is(pg_temp.refused($$INSERT INTO tips.dynamic_sessions (external_id) VALUES ('dyn-1')$$),
    '23505 dynamic_sessions_external_id_key', 'a Dynamic session id is one session');
SELECT is(pg_temp.refused($$INSERT INTO tips.dynamic_sessions (external_id) VALUES ('  ')$$),
    '23514 dynamic_sessions_external_id_check', 'a session id is not blank');
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_app',
        'INSERT INTO tips.dynamic_sessions (external_id, status) VALUES (''dyn-9'', ''wallet_created'')')$$,
    '42501', NULL, 'the app cannot choose a session''s state');

CREATE FUNCTION pg_temp.sid(p_external text) RETURNS uuid LANGUAGE sql AS $$
    SELECT id FROM tips.dynamic_sessions WHERE external_id = p_external
$$;
-- CHECKs, both sides (as the owner)
SELECT is(pg_temp.refused($$UPDATE tips.dynamic_sessions SET custodial_wallet = pg_temp.pubkey('w')
                            WHERE external_id = 'dyn-4'$$),
    '23514 dynamic_sessions_wallet_created_check', 'an initiated session has no wallet yet');
SELECT is(pg_temp.refused($$UPDATE tips.dynamic_sessions SET status = 'wallet_created' WHERE external_id = 'dyn-4'$$),
    '23514 dynamic_sessions_wallet_created_check', 'wallet_created requires the custodial wallet');
SELECT is(pg_temp.refused($$UPDATE tips.dynamic_sessions SET status = 'failed' WHERE external_id = 'dyn-4'$$),
    '23514 dynamic_sessions_failure_reason_check', 'failed requires its reason');
SELECT is(pg_temp.refused($$UPDATE tips.dynamic_sessions SET failure_reason = 'x' WHERE external_id = 'dyn-4'$$),
    '23514 dynamic_sessions_failure_reason_check', 'an initiated session has no failure reason');

-- assign_session_wallet
SELECT is(
    pg_temp.refused(format($$SELECT tips.assign_session_wallet(%L, '0xabc')$$, pg_temp.sid('dyn-1'))),
    '23514 dynamic_sessions_custodial_wallet_check', 'the custodial wallet is a Solana public key'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.assign_session_wallet(%L, NULL)$$, pg_temp.sid('dyn-1'))),
    '23514 dynamic_sessions_wallet_created_check', 'wallet_created needs a wallet'
);
-- backdate updated_at (with triggers off: the trigger would stamp now()), to see it move
SET LOCAL session_replication_role = replica;
UPDATE tips.dynamic_sessions SET updated_at = now() - interval '1 hour';
SET LOCAL session_replication_role = origin;
SELECT is(
    (SELECT (s.status, s.custodial_wallet = pg_temp.pubkey('wallet 1'), s.updated_at = now())::text
     FROM tips.assign_session_wallet(pg_temp.sid('dyn-1'), pg_temp.pubkey('wallet 1')) AS s),
    '(wallet_created,t,t)', 'initiated -> wallet_created with the wallet; updated_at follows'
);
SET LOCAL session_replication_role = replica;
UPDATE tips.dynamic_sessions SET updated_at = now() - interval '1 hour'
    WHERE external_id = 'dyn-1';
SET LOCAL session_replication_role = origin;
SELECT is(
    (SELECT (s.status, s.updated_at = now())::text
     FROM tips.assign_session_wallet(pg_temp.sid('dyn-1'), pg_temp.pubkey('wallet 1')) AS s),
    '(wallet_created,f)', 'the same wallet again (a retried webhook) changes nothing, not even updated_at'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.assign_session_wallet(%L, %L)$$, pg_temp.sid('dyn-1'), pg_temp.pubkey('w2'))),
    'CD003 dynamic_sessions_custodial_wallet_immutable', 'another wallet is refused: the wallet is set once'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT tips.fail_dynamic_session(%L, 'late')$$, pg_temp.sid('dyn-1'))),
    ARRAY['CD001', 'dynamic_sessions_status_transition', 'dynamic_sessions', 'from=wallet_created to=failed'],
    'a session with its wallet never fails afterwards'
);
SELECT is(
    pg_temp.refused($$SELECT tips.assign_session_wallet('00000000-0000-4000-8000-000000000000', pg_temp.pubkey('w'))$$),
    'CD005 ', 'an unknown session: CD005'
);

-- fail_dynamic_session
SELECT is(
    pg_temp.refused(format($$SELECT tips.fail_dynamic_session(%L, NULL)$$, pg_temp.sid('dyn-2'))),
    '23514 dynamic_sessions_failure_reason_check', 'failing needs a reason'
);
SELECT is(
    (SELECT (s.status, s.failure_reason, s.custodial_wallet)::text
     FROM tips.fail_dynamic_session(pg_temp.sid('dyn-2'), 'otp expired') AS s),
    '(failed,"otp expired",)', 'initiated -> failed with its reason; the row stays for troubleshooting'
);
SET LOCAL session_replication_role = replica;
UPDATE tips.dynamic_sessions SET updated_at = now() - interval '1 hour'
    WHERE external_id = 'dyn-2';
SET LOCAL session_replication_role = origin;
SELECT is(
    (SELECT (s.failure_reason, s.updated_at = now())::text
     FROM tips.fail_dynamic_session(pg_temp.sid('dyn-2'), 'otp expired') AS s),
    '("otp expired",f)', 'the same failure again (a retried webhook) changes nothing, not even updated_at'
);
SELECT is(
    pg_temp.refused(format($$SELECT tips.fail_dynamic_session(%L, 'other')$$, pg_temp.sid('dyn-2'))),
    'CD003 dynamic_sessions_failure_reason_immutable', 'another reason is refused: set once'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT tips.assign_session_wallet(%L, %L)$$, pg_temp.sid('dyn-2'), pg_temp.pubkey('w'))),
    ARRAY['CD001', 'dynamic_sessions_status_transition', 'dynamic_sessions', 'from=failed to=wallet_created'],
    'a failed session never gets a wallet'
);
SELECT is(
    pg_temp.refused($$SELECT tips.fail_dynamic_session('00000000-0000-4000-8000-000000000000', 'x')$$),
    'CD005 ', 'an unknown session: CD005'
);

-- immutable columns; the app's writes
SELECT is(pg_temp.refused($$UPDATE tips.dynamic_sessions SET external_id = 'dyn-x' WHERE external_id = 'dyn-3'$$),
    'CD003 dynamic_sessions_external_id_immutable', 'the Dynamic session id never changes');
SELECT is(pg_temp.refused($$UPDATE tips.dynamic_sessions SET created_at = now() - interval '1 day' WHERE external_id = 'dyn-3'$$),
    'CD003 dynamic_sessions_created_at_immutable', 'created_at never changes');
SELECT lives_ok(
    $$SELECT pg_temp.as_role('chaindb_app',
        'UPDATE tips.dynamic_sessions SET user_identifier = ''fan@example.org'' WHERE external_id = ''dyn-3''')$$,
    'the app may correct user_identifier'
);
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_app', 'UPDATE tips.dynamic_sessions SET status = ''failed''')$$,
    '42501', NULL, 'the app moves a session only through the functions'
);
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_app', 'UPDATE tips.dynamic_sessions SET custodial_wallet = NULL')$$,
    '42501', NULL, 'the app cannot write the custodial wallet by hand'
);
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_app', 'DELETE FROM tips.dynamic_sessions')$$, '42501', NULL,
    'sessions are not deleted: failures stay for troubleshooting');
SELECT lives_ok(
    $$SELECT pg_temp.as_role('chaindb_app',
        format('SELECT tips.assign_session_wallet(%L, %L)', pg_temp.sid('dyn-3'), pg_temp.pubkey('wallet 3')))$$,
    'the app assigns the wallet through the function'
);
SELECT lives_ok(
    $$SELECT pg_temp.as_role('chaindb_app', format('SELECT tips.fail_dynamic_session(%L, ''x'')', pg_temp.sid('dyn-4')))$$,
    'the app fails a session through the function'
);

SELECT * FROM finish();
ROLLBACK;
