-- cocopay: schema objects exist (tables, enums, functions) and are documented.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(77);

SELECT has_schema('cocopay', 'schema cocopay exists');

-- (the monthly partitions of analytics_events and audit_logs are theirs, not tables of the schema's own)
SELECT set_eq(
    $$SELECT c.relname::text FROM pg_class AS c
      WHERE c.relnamespace = 'cocopay'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition$$,
    ARRAY[
        'users', 'sessions', 'passkeys', 'smart_accounts', 'signing_keys', 'stores', 'store_deployments',
        'store_members', 'token_balances', 'transactions', 'loans', 'payouts', 'analytics_events',
        'feature_flags', 'audit_logs', 'store_daily_stats', 'store_daily_stats_changes'
    ],
    'cocopay has exactly the seed''s 15 tables, store_daily_stats and its change queue'
);

SELECT has_table('cocopay', 'users', 'table cocopay.users exists');
SELECT has_table('cocopay', 'sessions', 'table cocopay.sessions exists');
SELECT has_table('cocopay', 'passkeys', 'table cocopay.passkeys exists');
SELECT has_table('cocopay', 'smart_accounts', 'table cocopay.smart_accounts exists');
SELECT has_table('cocopay', 'signing_keys', 'table cocopay.signing_keys exists');
SELECT has_table('cocopay', 'stores', 'table cocopay.stores exists');
SELECT has_table('cocopay', 'store_deployments', 'table cocopay.store_deployments exists');
SELECT has_table('cocopay', 'store_members', 'table cocopay.store_members exists');
SELECT has_table('cocopay', 'token_balances', 'table cocopay.token_balances exists');
SELECT has_table('cocopay', 'transactions', 'table cocopay.transactions exists');
SELECT has_table('cocopay', 'loans', 'table cocopay.loans exists');
SELECT has_table('cocopay', 'payouts', 'table cocopay.payouts exists');
SELECT has_table('cocopay', 'analytics_events', 'table cocopay.analytics_events exists');
SELECT has_table('cocopay', 'feature_flags', 'table cocopay.feature_flags exists');
SELECT has_table('cocopay', 'audit_logs', 'table cocopay.audit_logs exists');

-- The seed's materialized view store_daily_stats is a table refreshed incrementally (0031, issue 14)
SELECT has_table('cocopay', 'store_daily_stats', 'table cocopay.store_daily_stats exists');
SELECT materialized_views_are(
    'cocopay', ARRAY[]::name[], 'no materialized view: store_daily_stats is refreshed incrementally'
);
SELECT views_are('cocopay', ARRAY[]::name[], 'cocopay has no plain views');

-- Enums and their labels, verbatim and in order
SELECT enums_are(
    'cocopay',
    ARRAY[
        'auth_method', 'store_role', 'transaction_type', 'transaction_status', 'deployment_status',
        'payout_type', 'payout_status', 'custody_status', 'chain_id'
    ],
    'cocopay has exactly the seed''s 9 enums'
);
SELECT has_enum('cocopay', 'auth_method', 'enum auth_method exists');
SELECT enum_has_labels(
    'cocopay', 'auth_method', ARRAY['phone', 'passkey', 'wallet'], 'auth_method labels'
);
SELECT has_enum('cocopay', 'store_role', 'enum store_role exists');
SELECT enum_has_labels('cocopay', 'store_role', ARRAY['owner', 'admin', 'staff'], 'store_role labels');
SELECT has_enum('cocopay', 'transaction_type', 'enum transaction_type exists');
SELECT enum_has_labels(
    'cocopay', 'transaction_type', ARRAY['payment', 'received', 'bonus_claim', 'payout', 'consolidation'],
    'transaction_type labels'
);
SELECT has_enum('cocopay', 'transaction_status', 'enum transaction_status exists');
SELECT enum_has_labels(
    'cocopay', 'transaction_status', ARRAY['pending', 'confirmed', 'failed'], 'transaction_status labels'
);
SELECT has_enum('cocopay', 'deployment_status', 'enum deployment_status exists');
SELECT enum_has_labels(
    'cocopay', 'deployment_status', ARRAY['pending', 'deploying', 'deployed', 'failed'], 'deployment_status labels'
);
SELECT has_enum('cocopay', 'payout_type', 'enum payout_type exists');
SELECT enum_has_labels('cocopay', 'payout_type', ARRAY['pix', 'bank', 'wallet'], 'payout_type labels');
SELECT has_enum('cocopay', 'payout_status', 'enum payout_status exists');
SELECT enum_has_labels(
    'cocopay', 'payout_status', ARRAY['pending', 'processing', 'completed', 'failed'], 'payout_status labels'
);
SELECT has_enum('cocopay', 'custody_status', 'enum custody_status exists');
SELECT enum_has_labels('cocopay', 'custody_status', ARRAY['managed', 'self_custody'], 'custody_status labels');
SELECT has_enum('cocopay', 'chain_id', 'enum chain_id exists');
SELECT enum_has_labels(
    'cocopay', 'chain_id', ARRAY['1', '10', '8453', '42161', '11155111', '11155420', '84532', '421614'],
    'chain_id labels'
);

-- Functions
SELECT functions_are(
    'cocopay',
    ARRAY[
        'generate_confirmation_code', 'll_to_earth', 'tg_passkeys__sign_count_monotonic', 'refresh_store_daily_stats',
        'tg_transactions__store_daily_stats_changes',
        'create_transaction', 'confirm_transaction', 'fail_transaction', 'create_store', 'invite_store_member',
        'accept_store_member', 'request_payout', 'start_payout', 'complete_payout', 'fail_payout',
        'get_or_create_smart_account', 'mark_smart_account_deployed', 'verify_user_phone', 'revoke_session',
        'revoke_user_sessions'
    ],
    'cocopay has exactly the expected functions'
);
SELECT has_function('cocopay', 'generate_confirmation_code', ARRAY[]::name[], 'generate_confirmation_code() exists');
SELECT function_returns(
    'cocopay', 'generate_confirmation_code', ARRAY[]::name[], 'character varying',
    'generate_confirmation_code returns varchar'
);
SELECT volatility_is(
    'cocopay', 'generate_confirmation_code', ARRAY[]::name[], 'volatile', 'generate_confirmation_code is VOLATILE'
);
SELECT isnt_definer('cocopay', 'generate_confirmation_code', ARRAY[]::name[], 'generate_confirmation_code is INVOKER');
SELECT hasnt_function(
    'cocopay', 'update_updated_at', ARRAY[]::name[], 'no update_updated_at(): updated_at is common.tg__set_updated_at()'
);
SELECT function_returns(
    'common', 'tg__set_updated_at', ARRAY[]::name[], 'trigger', 'common.tg__set_updated_at is a trigger fn'
);
SELECT volatility_is(
    'common', 'tg__set_updated_at', ARRAY[]::name[], 'volatile', 'common.tg__set_updated_at is VOLATILE'
);
SELECT has_function(
    'cocopay', 'll_to_earth', ARRAY['double precision', 'double precision'], 'll_to_earth(float8, float8) exists'
);
SELECT function_returns(
    'cocopay', 'll_to_earth', ARRAY['double precision', 'double precision'], 'extensions.earth',
    'cocopay.ll_to_earth returns extensions.earth'
);
SELECT volatility_is(
    'cocopay', 'll_to_earth', ARRAY['double precision', 'double precision'], 'immutable',
    'll_to_earth is IMMUTABLE (usable in an index)'
);
SELECT is(
    (SELECT proparallel::text FROM pg_proc
     WHERE oid = 'cocopay.ll_to_earth(double precision, double precision)'::regprocedure),
    's', 'll_to_earth is PARALLEL SAFE'
);
SELECT has_function('cocopay', 'refresh_store_daily_stats', ARRAY[]::name[], 'refresh_store_daily_stats() exists');
SELECT function_returns('cocopay', 'refresh_store_daily_stats', ARRAY[]::name[], 'void', 'refresh returns void');
SELECT volatility_is(
    'cocopay', 'refresh_store_daily_stats', ARRAY[]::name[], 'volatile', 'refresh_store_daily_stats is VOLATILE'
);
SELECT is_definer(
    'cocopay', 'refresh_store_daily_stats', ARRAY[]::name[], 'refresh_store_daily_stats is SECURITY DEFINER'
);
-- The state machines are declared (common.define_state_machine), not hand-written per table
SELECT hasnt_function(
    'cocopay', 'tg_transactions__status_transition', ARRAY[]::name[], 'no hand-written transactions state machine'
);
SELECT hasnt_function(
    'cocopay', 'tg_payouts__status_transition', ARRAY[]::name[], 'no hand-written payouts state machine'
);
SELECT hasnt_function(
    'cocopay', 'tg_stores__status_transition', ARRAY[]::name[], 'no hand-written stores state machine'
);
SELECT hasnt_function(
    'cocopay', 'tg_store_deployments__status_transition', ARRAY[]::name[],
    'no hand-written store_deployments state machine'
);
SELECT has_function(
    'cocopay', 'tg_passkeys__sign_count_monotonic', ARRAY[]::name[], 'tg_passkeys__sign_count_monotonic() exists'
);
SELECT is_empty(
    $$SELECT p.proname FROM pg_proc AS p
      WHERE p.pronamespace = 'cocopay'::regnamespace AND p.proname LIKE 'tg\_%' AND p.prorettype <> 'trigger'::regtype$$,
    'every tg_* function returns trigger'
);
SELECT is_empty(
    $$SELECT p.proname FROM pg_proc AS p
      WHERE p.pronamespace = 'cocopay'::regnamespace AND p.provolatile <> 'v' AND p.prorettype = 'trigger'::regtype$$,
    'every trigger function is VOLATILE'
);
SELECT is_empty(
    $$SELECT p.proname FROM pg_proc AS p
      WHERE p.pronamespace = 'cocopay'::regnamespace AND p.prosecdef
        AND NOT 'search_path=pg_catalog, pg_temp' = ANY(coalesce(p.proconfig, '{}'))$$,
    'every SECURITY DEFINER function pins search_path = pg_catalog, pg_temp'
);
SELECT is_empty(
    $$SELECT p.proname FROM pg_proc AS p
      WHERE p.pronamespace = 'cocopay'::regnamespace
        AND NOT EXISTS (SELECT FROM unnest(p.proconfig) AS c WHERE c LIKE 'search\_path=%')$$,
    'every cocopay function pins its search_path'
);
SELECT is(
    (SELECT proconfig FROM pg_proc
     WHERE oid = 'cocopay.ll_to_earth(double precision, double precision)'::regprocedure),
    ARRAY['search_path=extensions, pg_catalog'],
    'll_to_earth pins search_path = extensions, pg_catalog (so its index survives pg_restore)'
);
SELECT ok(
    (SELECT 'TimeZone=UTC' = ANY(proconfig) FROM pg_proc
     WHERE oid = 'cocopay.refresh_store_daily_stats()'::regprocedure),
    'refresh_store_daily_stats pins TimeZone = UTC'
);
SELECT throws_ok(
    $$SELECT extensions.ll_to_earth(-23.5505, -46.6333)$$, '42704', 'type "earth" does not exist',
    'earthdistance''s own ll_to_earth fails without extensions on the search_path (as in pg_restore)'
);
SET LOCAL search_path = public, extensions;
SELECT is(
    cocopay.ll_to_earth(-23.5505, -46.6333)::text, extensions.ll_to_earth(-23.5505, -46.6333)::text,
    'cocopay.ll_to_earth equals extensions.ll_to_earth'
);
RESET search_path;
SELECT ok(cocopay.ll_to_earth(NULL, 1) IS NULL, 'cocopay.ll_to_earth is STRICT (NULL in, NULL out)');

-- Documentation: COMMENT ON everything
SELECT isnt(obj_description('cocopay'::regnamespace, 'pg_namespace'), NULL, 'schema cocopay has a comment');
SELECT is_empty(
    $$SELECT c.relname FROM pg_class AS c
      WHERE c.relnamespace = 'cocopay'::regnamespace AND c.relkind IN ('r', 'm')
        AND obj_description(c.oid, 'pg_class') IS NULL$$,
    'every table and the materialized view have a comment'
);
SELECT is_empty(
    $$SELECT t.typname FROM pg_type AS t
      WHERE t.typnamespace = 'cocopay'::regnamespace AND t.typtype = 'e' AND obj_description(t.oid, 'pg_type') IS NULL$$,
    'every enum has a comment'
);
SELECT is_empty(
    $$SELECT p.proname FROM pg_proc AS p
      WHERE p.pronamespace = 'cocopay'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL$$,
    'every function has a comment'
);
SELECT is_empty(
    $$SELECT t.tgname FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
      WHERE c.relnamespace = 'cocopay'::regnamespace AND NOT t.tgisinternal
        AND obj_description(t.oid, 'pg_trigger') IS NULL$$,
    'every trigger has a comment'
);
SELECT is_empty(
    $$SELECT k.conname FROM pg_constraint AS k
      WHERE k.connamespace = 'cocopay'::regnamespace AND k.contype = 'c'
        AND NOT (SELECT c.relispartition FROM pg_class AS c WHERE c.oid = k.conrelid)
        AND obj_description(k.oid, 'pg_constraint') IS NULL$$,
    'every CHECK constraint has a comment explaining its rule'
);
SELECT is_empty(
    $$SELECT i.relname FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid
      WHERE i.relnamespace = 'cocopay'::regnamespace AND i.relname NOT LIKE 'idx\_%' AND NOT i.relispartition
        AND NOT EXISTS (SELECT FROM pg_constraint AS k WHERE k.conindid = x.indexrelid)
        AND obj_description(i.oid, 'pg_class') IS NULL$$,
    'every index added beyond the seed (not idx_*, not a constraint) has a comment'
);
SELECT is_empty(
    $$SELECT c.relname || '.' || a.attname
      FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
      WHERE c.relnamespace = 'cocopay'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        AND a.attname IN ('status', 'deployment_status', 'token_hash', 'encrypted_private_key', 'sign_count',
                          'confirmation_code', 'destination', 'token_address', 'balance', 'salt')
        AND col_description(c.oid, a.attnum) IS NULL$$,
    'the non-obvious columns (statuses, secrets, codes, chain values) have comments'
);

SELECT * FROM finish();
ROLLBACK;
