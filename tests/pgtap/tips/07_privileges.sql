-- tips: privileges. chaindb_app reads everything, writes hosts' and sessions' plain columns, and goes
-- through the SECURITY DEFINER functions for everything that carries a rule; chaindb_readonly reads.
-- (Nothing for PUBLIC, schema and type usage: tests/python/test_roles.py, for every schema.)
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(68);

SELECT table_privs_are('tips', t, 'chaindb_app', ARRAY['SELECT'],
    format('chaindb_app: SELECT on %s at table level (writes per column or through functions)', t))
FROM unnest(ARRAY['hosts', 'events', 'event_verifications', 'reflect_payouts', 'dynamic_sessions']) AS t;
SELECT table_privs_are('tips', t, 'chaindb_readonly', ARRAY['SELECT'], format('chaindb_readonly: SELECT on %s', t))
FROM unnest(ARRAY['hosts', 'events', 'event_verifications', 'reflect_payouts', 'dynamic_sessions']) AS t;
SELECT table_privs_are('tips', v, r, ARRAY['SELECT'], format('%s: SELECT on %s', r, v))
FROM unnest(ARRAY['verified_tips', 'host_metrics']) AS v, unnest(ARRAY['chaindb_app', 'chaindb_readonly']) AS r;

-- column grants of the app
SELECT column_privs_are('tips', c.t, c.col, 'chaindb_app', c.privs, format('chaindb_app on %s.%s: %s', c.t, c.col, c.privs))
FROM (VALUES
    ('hosts', 'id', ARRAY['SELECT']),
    ('hosts', 'wallet', ARRAY['INSERT', 'SELECT']),
    ('hosts', 'handle', ARRAY['INSERT', 'SELECT', 'UPDATE']),
    ('hosts', 'created_at', ARRAY['SELECT']),
    ('dynamic_sessions', 'id', ARRAY['SELECT']),
    ('dynamic_sessions', 'external_id', ARRAY['INSERT', 'SELECT']),
    ('dynamic_sessions', 'user_identifier', ARRAY['INSERT', 'SELECT', 'UPDATE']),
    ('dynamic_sessions', 'custodial_wallet', ARRAY['SELECT']),
    ('dynamic_sessions', 'status', ARRAY['SELECT']),
    ('dynamic_sessions', 'failure_reason', ARRAY['SELECT']),
    ('dynamic_sessions', 'created_at', ARRAY['SELECT']),
    ('dynamic_sessions', 'updated_at', ARRAY['SELECT']),
    ('event_verifications', 'status', ARRAY['SELECT']),
    ('event_verifications', 'claim_token', ARRAY['SELECT']),
    ('event_verifications', 'available_at', ARRAY['SELECT']),
    ('reflect_payouts', 'status', ARRAY['SELECT']),
    ('reflect_payouts', 'amount', ARRAY['SELECT']),
    ('reflect_payouts', 'claim_token', ARRAY['SELECT']),
    ('events', 'amount', ARRAY['SELECT'])
) AS c (t, col, privs);

-- functions: the app executes the rule functions, nothing else; chaindb_readonly none
CREATE TEMP TABLE app_functions (name text, args text[]) ON COMMIT DROP;
INSERT INTO app_functions VALUES
('ingest_tip', ARRAY['character varying', 'character varying', 'character varying', 'bigint', 'character varying',
                     'character varying']),
('claim_verifications', ARRAY['integer', 'interval']),
('verify_event', ARRAY['uuid', 'uuid', 'bigint', 'jsonb']),
('fail_verification', ARRAY['uuid', 'uuid', 'character varying', 'bigint', 'jsonb']),
('release_verification', ARRAY['uuid', 'uuid', 'interval']),
('create_payout', ARRAY['character varying', 'character varying', 'numeric']),
('claim_payouts', ARRAY['tips.payout_status', 'integer', 'interval']),
('queue_payout', ARRAY['uuid', 'uuid', 'character varying']),
('settle_payout', ARRAY['uuid', 'uuid']),
('fail_payout', ARRAY['uuid', 'uuid', 'text']),
('cancel_payout', ARRAY['uuid', 'uuid', 'text']),
('release_payout', ARRAY['uuid', 'uuid', 'interval', 'text']),
('assign_session_wallet', ARRAY['uuid', 'character varying']),
('fail_dynamic_session', ARRAY['uuid', 'text']),
('refresh_host_metrics', ARRAY[]::text[]);
SELECT function_privs_are('tips', f.name, f.args, 'chaindb_app', ARRAY['EXECUTE'], format('chaindb_app may execute %s', f.name))
FROM app_functions AS f;
SELECT function_privs_are('tips', f.name, f.args, 'chaindb_readonly', '{}'::text[],
    format('chaindb_readonly may not execute %s', f.name))
FROM app_functions AS f;
SELECT function_privs_are('tips', f.name, f.args, 'chaindb_app', '{}'::text[],
    format('chaindb_app may not execute %s (internal)', f.name))
FROM (VALUES
    ('check_argument', ARRAY['regclass', 'text', 'boolean', 'text', 'text']),
    ('lock_claimed_verification', ARRAY['uuid', 'uuid', 'tips.verification_status']),
    ('lock_claimed_payout', ARRAY['uuid', 'uuid', 'tips.payout_status[]', 'tips.payout_status']),
    ('tg_events__verification_required', ARRAY[]::text[]),
    ('tg_reflect_payouts__event_verified', ARRAY[]::text[])
) AS f (name, args);

SELECT * FROM finish();
ROLLBACK;
