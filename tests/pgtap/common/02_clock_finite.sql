-- common: the database's clock (common.now(), common.clock, the two setters) and the finite
-- number guard (common.is_finite).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(30);

-- the clock: shape and privileges
SELECT has_table('common', 'clock', 'table common.clock exists');
SELECT is((SELECT count(*)::int FROM common.clock), 1, 'common.clock holds one row');
SELECT throws_ok($$INSERT INTO common.clock (id) VALUES (false)$$, '23514', NULL, 'and only one (clock_id_check)');
SELECT results_eq($$SELECT offset_by, frozen_at FROM common.clock$$, $$VALUES (interval '0', NULL::timestamptz)$$,
    'a migrated database runs on the server clock: offset 0, not frozen');
SELECT volatility_is('common', 'now', ARRAY[]::text[], 'stable', 'common.now() is STABLE');
SELECT is_definer('common', 'now', ARRAY[]::text[], 'common.now() is SECURITY DEFINER (it reads common.clock)');
SELECT ok((SELECT 'search_path=pg_catalog, pg_temp' = ANY(p.proconfig) FROM pg_proc AS p
           WHERE p.oid = 'common.now()'::regprocedure), 'common.now() pins its search_path');
SELECT isnt_definer('common', 'set_clock_offset', ARRAY['interval'], 'set_clock_offset runs as its caller');
SELECT isnt_definer('common', 'freeze_clock', ARRAY['timestamp with time zone'], 'freeze_clock runs as its caller');
SELECT table_privs_are('common', 'clock', 'chaindb_app', ARRAY[]::text[], 'chaindb_app has no privilege on common.clock');
SELECT table_privs_are('common', 'clock', 'chaindb_readonly', ARRAY[]::text[],
    'chaindb_readonly has no privilege on common.clock');
SELECT function_privs_are('common', 'now', ARRAY[]::text[], 'chaindb_app', ARRAY['EXECUTE'],
    'chaindb_app may read the clock');
SELECT function_privs_are('common', 'set_clock_offset', ARRAY['interval'], 'chaindb_app', ARRAY[]::text[],
    'chaindb_app may not call set_clock_offset');
SELECT function_privs_are('common', 'freeze_clock', ARRAY['timestamp with time zone'], 'chaindb_app', ARRAY[]::text[],
    'chaindb_app may not call freeze_clock');
SELECT function_privs_are('common', 'set_clock_offset', ARRAY['interval'], 'chaindb_readonly', ARRAY[]::text[],
    'chaindb_readonly may not call set_clock_offset');

-- the clock: behaviour
SELECT is(common.now(), now(), 'common.now() is now() on the server clock');
SELECT is(common.set_clock_offset(interval '90 minutes'), now() + interval '90 minutes',
    'set_clock_offset runs the clock ahead and returns the new time');
SELECT is(common.now(), now() + interval '90 minutes', 'common.now() follows the offset');
SELECT is(common.freeze_clock('2030-01-01 12:00+00'), '2030-01-01 12:00+00'::timestamptz,
    'freeze_clock stops the clock at an instant');
SELECT is(common.now(), '2030-01-01 12:00+00'::timestamptz, 'common.now() is the frozen instant');
SELECT is(common.set_clock_offset(interval '0'), now(), 'an offset of 0 restores the server clock');
SELECT throws_ok($$SET LOCAL ROLE chaindb_app; SELECT common.set_clock_offset(interval '1 day')$$,
    '42501', 'permission denied for function set_clock_offset', 'as chaindb_app: set_clock_offset is denied');
RESET ROLE;
SELECT lives_ok($$SET LOCAL ROLE chaindb_app; SELECT common.now()$$, 'as chaindb_app: common.now() works');
RESET ROLE;

-- the finite guard
SELECT ok(common.is_finite(0::numeric) AND common.is_finite(-1.5::numeric) AND common.is_finite(1e100::numeric),
    'numbers are finite');
SELECT ok(NOT common.is_finite('NaN'::numeric), 'NaN is not finite (numeric)');
SELECT ok(NOT common.is_finite('Infinity'::numeric) AND NOT common.is_finite('-Infinity'::numeric),
    'neither infinity is finite (numeric)');
SELECT ok(NOT common.is_finite('NaN'::double precision) AND NOT common.is_finite('Infinity'::double precision)
    AND NOT common.is_finite('-Infinity'::double precision) AND common.is_finite(2.5::double precision),
    'the same for double precision');
SELECT is(common.is_finite(NULL::numeric), NULL, 'NULL in, NULL out (a CHECK passes NULL)');
SELECT ok('NaN'::numeric > 0, 'why: in PostgreSQL NaN > 0 is true, so a sign CHECK lets NaN in');
SELECT volatility_is('common', 'is_finite', ARRAY['numeric'], 'immutable', 'is_finite is IMMUTABLE');

SELECT * FROM finish();
ROLLBACK;
