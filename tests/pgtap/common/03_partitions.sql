-- common: monthly partitions (migrations/common/0009) on a scratch append-only table: the declaration,
-- the months made ahead, the default partition and how its rows move, retention exactly at its
-- boundary, append-only on every partition (TRUNCATE too), DETACH and DROP refused to everyone but
-- common.apply_retention, pruning, privileges. The clock is the database's (common.freeze_clock).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(44);
SET LOCAL client_min_messages = warning;
\ir ../helpers.psql

CREATE FUNCTION pg_temp.plan(p_query text)
RETURNS SETOF text
LANGUAGE plpgsql
AS $fn$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || p_query;
END
$fn$;
CREATE FUNCTION pg_temp.scanned(p_query text)
RETURNS text
LANGUAGE sql
AS $fn$
    SELECT string_agg(DISTINCT m[1], ',' ORDER BY m[1])
    FROM pg_temp.plan(p_query) AS p, regexp_matches(p, ' on (events_(?:p[0-9]{6}|default))\M', 'g') AS m
$fn$;
CREATE FUNCTION pg_temp.detach_by_hand(p_partition regclass)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM set_config('chaindb.partition_release', p_partition::oid::text, true);
    EXECUTE format('ALTER TABLE scratch.events DETACH PARTITION %s', p_partition);
END
$fn$;

-- The scratch tables belong to the owner, as the project's do.
SET LOCAL ROLE chaindb_owner;
CREATE SCHEMA scratch;
CREATE TABLE scratch.events (
    id integer NOT NULL,
    note text,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT events_pkey PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE TABLE scratch.plain (id integer PRIMARY KEY, created_at timestamptz NOT NULL);
CREATE TABLE scratch.by_id (id integer NOT NULL, PRIMARY KEY (id)) PARTITION BY RANGE (id);
GRANT USAGE ON SCHEMA scratch TO chaindb_app;
GRANT SELECT, INSERT ON scratch.events TO chaindb_app;
RESET ROLE;
CALL common.define_append_only('scratch.events');
SELECT common.freeze_clock('2030-05-17 10:00+00');

SELECT is(
    common.install_partition_guard(), true,
    'the partition guard is in place (a superuser migrated); installing it again changes nothing'
);

-- 3: what may be declared
SELECT throws_ok(
    $$CALL common.define_monthly_partitions('scratch.plain', 2, interval '3 months')$$,
    '42809', 'scratch.plain is not partitioned by range on one timestamptz column', 'a plain table is refused'
);
SELECT throws_ok(
    $$CALL common.define_monthly_partitions('scratch.by_id', 2, interval '3 months')$$,
    '42809', NULL, 'a table partitioned on another type is refused'
);
SELECT throws_ok(
    $$CALL common.drop_monthly_partitions('scratch.events')$$, '42704', NULL,
    'drop_monthly_partitions of an undeclared table fails (a rollback must find what it undoes)'
);

-- 5: the declaration, the default partition and the months ahead
CALL common.define_monthly_partitions('scratch.events', 2, interval '3 months');
SELECT results_eq(
    $$SELECT premake_months, retention FROM common.partitioned_tables WHERE schema_name = 'scratch'$$,
    $$VALUES (2, interval '3 months')$$,
    'define_monthly_partitions records the declaration'
);
SELECT results_eq(
    $$SELECT c.relname::text COLLATE "default", pg_get_expr(c.relpartbound, c.oid) COLLATE "default"
      FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'scratch.events'::regclass ORDER BY 1$$,
    $$VALUES ('events_default', 'DEFAULT'),
             ('events_p203005', 'FOR VALUES FROM (''2030-05-01 00:00:00+00'') TO (''2030-06-01 00:00:00+00'')'),
             ('events_p203006', 'FOR VALUES FROM (''2030-06-01 00:00:00+00'') TO (''2030-07-01 00:00:00+00'')'),
             ('events_p203007', 'FOR VALUES FROM (''2030-07-01 00:00:00+00'') TO (''2030-08-01 00:00:00+00'')')$$,
    'the current UTC month (database clock) and 2 ahead, and the default partition'
);
SELECT is(
    (SELECT pg_get_userbyid(relowner)::text FROM pg_class
WHERE oid = 'scratch.events_p203006'::regclass),
    'chaindb_owner', 'partitions belong to the owner, whoever runs the function'
);
SELECT matches(
    obj_description('scratch.events_p203006'::regclass, 'pg_class'),
    '^Partition of scratch\.events: created_at in \[2030-06-01, 2030-07-01\)', 'each partition says what it holds'
);
SELECT is_empty($$SELECT common.create_partitions('scratch.events')$$, 'running it again creates nothing');

-- 4: rows of a month without a partition go to the default one, and move to their month
INSERT INTO scratch.events (id, note) VALUES (1, 'now');
INSERT INTO scratch.events (id, note, created_at)
VALUES (2, 'early', '2030-01-31 23:59:59.999999+00'), (3, 'early', '2030-01-01 00:00+00'), (4, 'late', '2031-02-01 00:00+00');
SELECT results_eq(
    $$SELECT id, tableoid::regclass::text FROM scratch.events ORDER BY id$$,
    $$VALUES (1, 'scratch.events_p203005'), (2, 'scratch.events_default'), (3, 'scratch.events_default'),
             (4, 'scratch.events_default')$$,
    'an insert for a month without a partition is not refused: it lands in the default partition'
);
SELECT set_eq(
    $$SELECT common.create_partitions('scratch.events')$$,
    ARRAY['scratch.events_p203001', 'scratch.events_p203102'],
    'create_partitions makes the months of the default partition''s rows'
);
SELECT results_eq(
    $$SELECT id, note, created_at, tableoid::regclass::text FROM scratch.events ORDER BY id$$,
    $$VALUES (1, 'now', timestamptz '2030-05-17 10:00+00', 'scratch.events_p203005'),
             (2, 'early', timestamptz '2030-01-31 23:59:59.999999+00', 'scratch.events_p203001'),
             (3, 'early', timestamptz '2030-01-01 00:00+00', 'scratch.events_p203001'),
             (4, 'late', timestamptz '2031-02-01 00:00+00', 'scratch.events_p203102')$$,
    'and moves them there unchanged; the default partition is empty again'
);
SELECT ok(
    'scratch.events_default'::regclass IS NOT NULL
    AND (SELECT pg_get_expr(relpartbound, oid) FROM pg_class
WHERE oid = 'scratch.events_default'::regclass) = 'DEFAULT',
    'a new default partition stands in for the one it emptied'
);

-- 7: append-only on every partition, TRUNCATE included, for the owner too
SELECT is(
    pg_temp.error_fields($$UPDATE scratch.events SET note = 'x' WHERE id = 1$$),
    ARRAY['CD003', 'events_append_only', 'events', ''],
    'UPDATE through the partitioned table: CD003 naming the table''s rule, not the partition'
);
SELECT is(
    pg_temp.error_fields($$DELETE FROM scratch.events_p203001$$),
    ARRAY['CD003', 'events_append_only', 'events', ''],
    'DELETE on a partition itself: refused the same way'
);
SELECT is(
    pg_temp.error_fields($$TRUNCATE scratch.events_p203001$$),
    ARRAY['CD003', 'events_append_only', 'events', ''],
    'TRUNCATE of one partition: refused (PostgreSQL does not clone TRUNCATE triggers; compile_append_only does)'
);
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_owner', 'TRUNCATE scratch.events_default')$$,
    'CD003', 'events: rows are append-only (TRUNCATE refused)', 'TRUNCATE of the default partition, as the owner'
);
SELECT throws_ok($$TRUNCATE scratch.events$$, 'CD003', NULL, 'TRUNCATE of the partitioned table');
SELECT throws_ok(
    $$CREATE TABLE scratch.events_p203104 PARTITION OF scratch.events FOR VALUES FROM ('2031-04-01Z') TO ('2031-05-01Z')$$,
    '42501', 'partition scratch.events_p203104 of scratch.events must belong to chaindb_owner, the owner of the table',
    'a partition made by a superuser is refused: it would not belong to the table''s owner'
);
SELECT pg_temp.as_role(
    'chaindb_owner',
    $$CREATE TABLE scratch.events_p203104 PARTITION OF scratch.events FOR VALUES FROM ('2031-04-01Z') TO ('2031-05-01Z')$$
);
SELECT is(
    pg_temp.error_fields($$TRUNCATE scratch.events_p203104$$),
    ARRAY['CD003', 'events_append_only', 'events', ''],
    'a partition made by hand gets its TRUNCATE trigger too (event trigger)'
);
SELECT set_eq(
    $$SELECT tgname::text COLLATE "default" FROM pg_trigger WHERE tgrelid = 'scratch.events_p203104'::regclass$$,
    ARRAY['events_append_only', 'events_append_only_truncate'],
    'every partition carries the table''s two append-only triggers'
);

-- 8: DETACH and DROP of a partition, refused to everyone but common.apply_retention
SELECT is(
    pg_temp.error_fields($$ALTER TABLE scratch.events DETACH PARTITION scratch.events_p203001$$),
    ARRAY['CD003', 'events_append_only', 'events', 'partition=scratch.events_p203001'],
    'DETACH PARTITION by a superuser: CD003, the partition in DETAIL'
);
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_owner', 'ALTER TABLE scratch.events DETACH PARTITION scratch.events_p203001')$$,
    'CD003', 'events: partition scratch.events_p203001 of an append-only table may not be detached or dropped',
    'DETACH PARTITION by the owner'
);
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_owner', 'DROP TABLE scratch.events_p203001')$$,
    'CD003', NULL, 'DROP TABLE of a partition by the owner'
);
SELECT throws_ok(
    $$DROP TABLE scratch.events$$, 'CD003', NULL, 'DROP TABLE of the partitioned table (its partitions with it)'
);
SELECT throws_ok(
    $$DROP SCHEMA scratch CASCADE$$, 'CD003', NULL, 'DROP SCHEMA ... CASCADE'
);
SELECT throws_ok(
    $$SELECT pg_temp.detach_by_hand('scratch.events_p203001')$$,
    'CD003', NULL, 'naming the partition in chaindb.partition_release by hand does not release it'
);
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_app', 'ALTER TABLE scratch.events DETACH PARTITION scratch.events_p203001')$$,
    '42501', 'must be owner of table events', 'chaindb_app cannot detach a partition (not the owner)'
);
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_app', 'TRUNCATE scratch.events_p203001')$$,
    '42501', 'permission denied for table events_p203001', 'nor truncate one (no TRUNCATE grant)'
);
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_app', 'SELECT common.apply_retention()')$$,
    '42501', NULL, 'chaindb_app cannot run the retention'
);
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_app', 'SELECT common.create_partitions()')$$,
    '42501', NULL, 'nor create partitions'
);
SELECT lives_ok(
    $$SELECT pg_temp.as_role('chaindb_app', 'CREATE TEMP TABLE app_scratch (id integer); ALTER TABLE app_scratch ADD note text')$$,
    'chaindb_app still creates and alters its temporary tables: the guard''s event triggers run as their owner '
    '(common.tg__partitions_after_ddl reads common.guarded_partitions, which the app may not execute)'
);

-- 6: retention drops exactly the expired months (all their rows older than 3 months)
SELECT common.freeze_clock('2030-08-31 23:59:59+00');
SELECT results_eq(
    $$SELECT common.apply_retention('scratch.events')$$,
    $$VALUES ('scratch.events_p203001')$$,
    'on 2030-08-31 23:59:59 2030-01 is expired; 2030-05 (it ends 2030-06-01) is not yet'
);
SELECT common.freeze_clock('2030-09-01 00:00+00');
SELECT results_eq(
    $$SELECT common.apply_retention('scratch.events')$$,
    $$VALUES ('scratch.events_p203005')$$,
    'on 2030-09-01 2030-05 ends exactly 3 months before: it goes'
);
SELECT results_eq(
    $$SELECT c.relname::text COLLATE "default" FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'scratch.events'::regclass ORDER BY 1$$,
    $$VALUES ('events_default'), ('events_p203006'), ('events_p203007'), ('events_p203102'), ('events_p203104')$$,
    'the later months stay attached'
);
SELECT ok(
    to_regclass('scratch.events_p203005') IS NULL AND to_regclass('scratch.events_p203001') IS NULL,
    'the expired months are dropped, not only detached'
);
SELECT results_eq(
    $$SELECT id FROM scratch.events ORDER BY id$$, ARRAY[4], 'with their rows; the others keep theirs'
);
SELECT set_eq(
    $$SELECT common.create_partitions('scratch.events')$$,
    ARRAY['scratch.events_p203009', 'scratch.events_p203010', 'scratch.events_p203011'],
    'create_partitions keeps the premade months ahead of the clock'
);
UPDATE common.partitioned_tables SET retention = NULL
WHERE schema_name = 'scratch';
SELECT common.freeze_clock('2040-01-01 00:00+00');
SELECT is_empty($$SELECT common.apply_retention('scratch.events')$$, 'no retention: nothing is ever dropped');

-- 2: pruning
SELECT common.freeze_clock('2030-10-15 12:00+00');
SELECT is(
    pg_temp.scanned(
        $$SELECT count(*) FROM scratch.events
          WHERE created_at >= common.now() - interval '1 day' AND created_at < common.now()$$
    ),
    'events_p203010',
    'a last-day query reads one month''s partition (pruned at executor start-up)'
);
SELECT is(
    pg_temp.scanned($$SELECT count(*) FROM scratch.events WHERE created_at >= '2031-04-02Z' AND created_at < '2031-04-03Z'$$),
    'events_p203104',
    'constant bounds are pruned at planning'
);

-- 3: undoing the declarations
CALL common.drop_monthly_partitions('scratch.events');
CALL common.drop_append_only('scratch.events');
SELECT is_empty(
    $$SELECT 1 FROM pg_trigger WHERE tgrelid IN (SELECT relid FROM pg_partition_tree('scratch.events'))$$,
    'drop_append_only removes the triggers of every partition'
);
SELECT lives_ok($$ALTER TABLE scratch.events DETACH PARTITION scratch.events_p203104$$,
    'undeclared, a partition may be detached (by a reviewed migration)');
SELECT lives_ok($$DROP SCHEMA scratch CASCADE$$, 'and the table dropped');

SELECT * FROM finish();
ROLLBACK;
