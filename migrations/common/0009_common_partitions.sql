-- depends: 0008_common_finite
-- Monthly partitions for the append-only, time-ordered tables (issue 16), declared once, as data,
-- like the other rules (CONVENTIONS.md):
--
--   CALL common.define_monthly_partitions(table, premake_months, retention)
--        in the migration that creates the table PARTITION BY RANGE (<one timestamptz column>):
--        records it in common.partitioned_tables, creates <table>_default and the months from the
--        current one to premake_months ahead.
--   common.create_partitions(table DEFAULT NULL, from DEFAULT NULL)   `make partitions`
--        creates the missing months up to premake_months ahead (from the month of `from` when
--        given), and the months of any row in the default partition, which it moves there.
--   common.apply_retention(table DEFAULT NULL)                        `make retention`
--        detaches and drops every month whose rows are all older than the table's retention
--        (NULL: kept for ever), and nothing else.
--
-- Partitions are <table>_pYYYYMM, holding the UTC month [YYYY-MM-01, next month), owned by
-- chaindb_owner (both functions are SECURITY DEFINER), with no grants of their own: the roles
-- read and write through the partitioned table. <table>_default takes the rows of a month that has
-- no partition yet, so an insert never fails for want of one; it stays empty while `make
-- partitions` runs ahead of the clock (daily, e.g. from cron or pg_cron).
--
-- Append-only on a partitioned table (common.define_append_only, unchanged for the caller):
-- PostgreSQL clones the row trigger <table>_append_only to every partition but not a TRUNCATE
-- trigger, so TRUNCATE of one partition would pass: common.compile_append_only now also puts
-- <table>_append_only_truncate on every partition, and common.tg__append_only reports the
-- partitioned table (its root), not the partition: CD003 <table>_append_only as before.
-- ALTER TABLE ... DETACH PARTITION and DROP TABLE would bypass both: two event triggers
-- (common.tg__partitions_before_ddl / _after_ddl, on ALTER TABLE, DROP TABLE and DROP SCHEMA)
-- refuse, for every role, any statement after which a partition of a declared append-only table
-- is no longer attached, unless the statement runs inside common.apply_retention or
-- common.create_partitions, which name the partition they release in the transaction-local
-- setting chaindb.partition_release. Partitions created by hand (CREATE TABLE ... PARTITION OF,
-- ATTACH PARTITION) get their TRUNCATE trigger from the same event trigger.
--
-- Event triggers can only be created by a superuser: common.install_partition_guard() creates them
-- as the session user when that is a superuser, and otherwise says so (a DBA calls it later).

CREATE TABLE common.partitioned_tables (
    schema_name text NOT NULL,
    table_name text NOT NULL,
    premake_months integer NOT NULL,
    retention interval,
    CONSTRAINT partitioned_tables_pkey PRIMARY KEY (schema_name, table_name),
    CONSTRAINT partitioned_tables_premake_months_check CHECK (premake_months BETWEEN 0 AND 24),
    CONSTRAINT partitioned_tables_retention_check CHECK (retention > interval '0')
);

COMMENT ON TABLE common.partitioned_tables IS
'Tables partitioned by month on their timestamp (RANGE on one timestamptz column): how far ahead '
'common.create_partitions creates months, and how long common.apply_retention keeps them. Written by '
'common.define_monthly_partitions.';
COMMENT ON COLUMN common.partitioned_tables.premake_months IS
'Months created ahead of the current one (database clock, UTC), 0 to 24.';
COMMENT ON COLUMN common.partitioned_tables.retention IS
'A month is dropped once all its rows are older than this; NULL: never dropped.';
COMMENT ON CONSTRAINT partitioned_tables_premake_months_check ON common.partitioned_tables IS
'Between 0 and 24 months ahead.';
COMMENT ON CONSTRAINT partitioned_tables_retention_check ON common.partitioned_tables IS
'A retention is a positive interval (or NULL: kept for ever).';

CREATE FUNCTION common.utc_month(p_at timestamptz)
RETURNS timestamptz
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
RETURN pg_catalog.timezone('UTC', pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', p_at)));

COMMENT ON FUNCTION common.utc_month(timestamptz) IS
'The start of the UTC month holding p_at: the lower bound of its monthly partition.';

CREATE FUNCTION common.monthly_partition_key(p_table regclass)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_column text;
BEGIN
    SELECT a.attname::text INTO v_column
    FROM pg_catalog.pg_partitioned_table AS p
    INNER JOIN pg_catalog.pg_attribute AS a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = p_table AND p.partstrat = 'r' AND p.partnatts = 1
      AND a.atttypid = 'pg_catalog.timestamptz'::pg_catalog.regtype;
    IF v_column IS NULL THEN
        RAISE EXCEPTION '% is not partitioned by range on one timestamptz column', p_table
            USING ERRCODE = 'wrong_object_type';
    END IF;
    RETURN v_column;
END
$fn$;

COMMENT ON FUNCTION common.monthly_partition_key(regclass) IS
'The column a table is partitioned on: it must be PARTITION BY RANGE on one timestamptz column (42809 otherwise).';

-- The partitions the event triggers guard: every partition, at any depth, of a declared
-- append-only table.
CREATE FUNCTION common.guarded_partitions()
RETURNS TABLE (partition regclass, root regclass)
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT t.relid, r.rel
    FROM common.append_only_tables AS a
    CROSS JOIN LATERAL (SELECT pg_catalog.to_regclass(format('%I.%I', a.schema_name, a.table_name)) AS rel) AS r
    CROSS JOIN LATERAL pg_catalog.pg_partition_tree(r.rel) AS t
    WHERE t.level > 0
$fn$;

COMMENT ON FUNCTION common.guarded_partitions() IS
'Every partition (any depth) of a table declared append-only, with its partitioned table: what the event '
'triggers common.tg__partitions_before_ddl / _after_ddl keep attached.';

CREATE OR REPLACE FUNCTION common.tg__append_only()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    -- a partition reports its partitioned table: the rule is the table's
    v_rel record;
BEGIN
    SELECT r.schema_name, r.table_name INTO v_rel
    FROM common.relation_name(coalesce(pg_catalog.pg_partition_root(TG_RELID), TG_RELID)) AS r;
    RAISE EXCEPTION '%: rows are append-only (% refused)', v_rel.table_name, TG_OP
        USING ERRCODE = 'CD003',
              CONSTRAINT = v_rel.table_name || '_append_only',
              SCHEMA = v_rel.schema_name,
              TABLE = v_rel.table_name;
END
$fn$;

COMMENT ON FUNCTION common.tg__append_only() IS
'BEFORE UPDATE OR DELETE (row) and BEFORE TRUNCATE (statement) trigger of an append-only table and of each of '
'its partitions: raises SQLSTATE CD003 naming the pseudo-constraint <table>_append_only of the table (the '
'partitioned table, for a partition). Triggers bind the table''s owner too.';

CREATE OR REPLACE FUNCTION common.compile_append_only(p_table regclass)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_rel record;
    v_partition regclass;
    v_row_comment text;
    v_truncate_comment text;
BEGIN
    SELECT a.schema_name, a.table_name INTO v_rel
    FROM common.relation_name(p_table) AS r
    INNER JOIN common.append_only_tables AS a ON (a.schema_name, a.table_name) = (r.schema_name, r.table_name);
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not declared append-only', p_table USING ERRCODE = 'undefined_object';
    END IF;
    v_row_comment := format(
        '%s is append-only (common.append_only_tables): rows are never updated or deleted (CD003).', v_rel.table_name
    );
    v_truncate_comment := format('%s is append-only (common.append_only_tables): never truncated (CD003).',
        v_rel.table_name);
    EXECUTE format(
        'CREATE OR REPLACE TRIGGER %I BEFORE UPDATE OR DELETE ON %s FOR EACH ROW '
        'EXECUTE FUNCTION common.tg__append_only()',
        v_rel.table_name || '_append_only', p_table
    );
    EXECUTE format('COMMENT ON TRIGGER %I ON %s IS %L', v_rel.table_name || '_append_only', p_table, v_row_comment);
    EXECUTE format(
        'CREATE OR REPLACE TRIGGER %I BEFORE TRUNCATE ON %s FOR EACH STATEMENT '
        'EXECUTE FUNCTION common.tg__append_only()',
        v_rel.table_name || '_append_only_truncate', p_table
    );
    EXECUTE format(
        'COMMENT ON TRIGGER %I ON %s IS %L', v_rel.table_name || '_append_only_truncate', p_table, v_truncate_comment
    );
    -- A partitioned table: PostgreSQL clones the row trigger to each partition (it gets the same
    -- comment here), but not the TRUNCATE trigger, which each partition gets under the same name.
    FOR v_partition IN
        SELECT t.relid FROM pg_catalog.pg_partition_tree(p_table) AS t WHERE t.level > 0 ORDER BY t.relid::text
    LOOP
        EXECUTE format(
            'COMMENT ON TRIGGER %I ON %s IS %L', v_rel.table_name || '_append_only', v_partition, v_row_comment
        );
        EXECUTE format(
            'CREATE OR REPLACE TRIGGER %I BEFORE TRUNCATE ON %s FOR EACH STATEMENT '
            'EXECUTE FUNCTION common.tg__append_only()',
            v_rel.table_name || '_append_only_truncate', v_partition
        );
        EXECUTE format(
            'COMMENT ON TRIGGER %I ON %s IS %L', v_rel.table_name || '_append_only_truncate', v_partition,
            v_truncate_comment
        );
    END LOOP;
END
$fn$;

COMMENT ON FUNCTION common.compile_append_only(regclass) IS
'(Re)creates <table>_append_only (BEFORE UPDATE OR DELETE, each row; PostgreSQL clones it to every partition) '
'and <table>_append_only_truncate (BEFORE TRUNCATE) on a table of common.append_only_tables and on each of its '
'partitions, all running common.tg__append_only. Idempotent.';

CREATE OR REPLACE PROCEDURE common.drop_append_only(p_table regclass)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_rel record;
    v_partition regclass;
BEGIN
    SELECT r.schema_name, r.table_name INTO v_rel FROM common.relation_name(p_table) AS r;
    DELETE FROM common.append_only_tables AS a WHERE (a.schema_name, a.table_name) = (v_rel.schema_name, v_rel.table_name);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'drop_append_only: % is not declared append-only', p_table USING ERRCODE = 'undefined_object';
    END IF;
    FOR v_partition IN
        SELECT t.relid FROM pg_catalog.pg_partition_tree(p_table) AS t
        WHERE t.level > 0 AND EXISTS (
            SELECT FROM pg_catalog.pg_trigger AS g
            WHERE g.tgrelid = t.relid AND g.tgname = v_rel.table_name || '_append_only_truncate'
        )
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', v_rel.table_name || '_append_only_truncate', v_partition);
    END LOOP;
    EXECUTE format('DROP TRIGGER %I ON %s', v_rel.table_name || '_append_only_truncate', p_table);
    EXECUTE format('DROP TRIGGER %I ON %s', v_rel.table_name || '_append_only', p_table);
END
$fn$;

COMMENT ON PROCEDURE common.drop_append_only(regclass) IS  -- noqa: LT01
'Undoes common.define_append_only (for rollbacks): drops the triggers (those of its partitions too) and the '
'declaration.';

CREATE FUNCTION common.create_partitions(p_table regclass DEFAULT NULL, p_from timestamptz DEFAULT NULL)
RETURNS SETOF text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET timezone = 'UTC'
AS $fn$
DECLARE
    v_decl record;
    v_now timestamptz := common.now();
    v_key text;
    v_default regclass;
    v_moved timestamptz[];
    v_months timestamptz[];
    v_month timestamptz;
    v_name text;
BEGIN
    FOR v_decl IN
        SELECT p.schema_name, p.table_name, p.premake_months,
               pg_catalog.to_regclass(format('%I.%I', p.schema_name, p.table_name)) AS rel
        FROM common.partitioned_tables AS p
        WHERE p_table IS NULL
           OR (p.schema_name, p.table_name) = (SELECT r.schema_name, r.table_name FROM common.relation_name(p_table) AS r)
        ORDER BY p.schema_name, p.table_name
    LOOP
        v_key := common.monthly_partition_key(v_decl.rel);
        v_default := pg_catalog.to_regclass(format('%I.%I', v_decl.schema_name, v_decl.table_name || '_default'));
        -- the months the default partition holds rows of: they get their partition, and the rows move there
        v_moved := '{}';
        IF v_default IS NOT NULL THEN
            EXECUTE format('SELECT coalesce(array_agg(DISTINCT common.utc_month(d.%I)), ''{}'') FROM %s AS d', v_key,
                v_default)
            INTO v_moved;
        END IF;
        SELECT array_agg(DISTINCT m.month ORDER BY m.month) INTO v_months
        FROM (
            SELECT generate_series(
                common.utc_month(least(coalesce(p_from, v_now), v_now)),
                common.utc_month(v_now) + make_interval(months => v_decl.premake_months),
                interval '1 month'
            ) AS month
            UNION
            SELECT unnest(v_moved)
        ) AS m
        WHERE pg_catalog.to_regclass(
            format('%I.%I', v_decl.schema_name, v_decl.table_name || '_p' || to_char(m.month, 'YYYYMM'))
        ) IS NULL;
        IF cardinality(v_moved) > 0 THEN
            -- A partition cannot be created while the default partition holds rows of its range:
            -- detach the default (this function may: see common.tg__partitions_after_ddl), create the
            -- months, put its rows back through the partitioned table, drop it, and make a new one.
            PERFORM pg_catalog.set_config('chaindb.partition_release', v_default::oid::text, true);
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_decl.rel, v_default);
            PERFORM pg_catalog.set_config('chaindb.partition_release', '', true);
            EXECUTE format('ALTER TABLE %s RENAME TO %I', v_default, v_decl.table_name || '_default_moving');
        END IF;
        FOREACH v_month IN ARRAY coalesce(v_months, '{}') LOOP
            v_name := v_decl.table_name || '_p' || to_char(v_month, 'YYYYMM');
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                v_decl.schema_name, v_name, v_decl.rel, v_month, v_month + interval '1 month');
            EXECUTE format('COMMENT ON TABLE %I.%I IS %L', v_decl.schema_name, v_name,
                format('Partition of %s.%s: %s in [%s, %s) (a UTC month). Made by common.create_partitions, '
                       'dropped by common.apply_retention.', v_decl.schema_name, v_decl.table_name, v_key,
                       to_char(v_month, 'YYYY-MM-DD'), to_char(v_month + interval '1 month', 'YYYY-MM-DD')));
            RETURN NEXT format('%I.%I', v_decl.schema_name, v_name);
        END LOOP;
        IF cardinality(v_moved) > 0 THEN
            EXECUTE format('INSERT INTO %s SELECT * FROM %I.%I', v_decl.rel, v_decl.schema_name,
                v_decl.table_name || '_default_moving');
            EXECUTE format('DROP TABLE %I.%I', v_decl.schema_name, v_decl.table_name || '_default_moving');
            v_default := NULL;
        END IF;
        IF v_default IS NULL THEN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s DEFAULT', v_decl.schema_name,
                v_decl.table_name || '_default', v_decl.rel);
            EXECUTE format('COMMENT ON TABLE %I.%I IS %L', v_decl.schema_name, v_decl.table_name || '_default',
                format('Default partition of %s.%s: the rows of a month without a partition (none while `make '
                       'partitions` runs ahead of the clock); common.create_partitions moves them into their month.',
                       v_decl.schema_name, v_decl.table_name));
        END IF;
    END LOOP;
END
$fn$;

COMMENT ON FUNCTION common.create_partitions(regclass, timestamptz) IS
'`make partitions`: for each table of common.partitioned_tables (or p_table), creates the missing monthly '
'partitions <table>_pYYYYMM from the current month (from p_from''s month when earlier) to premake_months ahead '
'(database clock, UTC months), and the months of any row in <table>_default, whose rows it moves there (the '
'default partition ends empty); creates <table>_default when missing. Returns the partitions created. Runs as '
'the owner (SECURITY DEFINER); only the owner may call it.';

CREATE FUNCTION common.apply_retention(p_table regclass DEFAULT NULL)
RETURNS SETOF text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET timezone = 'UTC'
AS $fn$
DECLARE
    v_decl record;
    v_partition record;
BEGIN
    FOR v_decl IN
        SELECT p.schema_name, p.table_name, p.retention,
               pg_catalog.to_regclass(format('%I.%I', p.schema_name, p.table_name)) AS rel
        FROM common.partitioned_tables AS p
        WHERE p.retention IS NOT NULL AND (
            p_table IS NULL
            OR (p.schema_name, p.table_name) = (SELECT r.schema_name, r.table_name FROM common.relation_name(p_table) AS r)
        )
        ORDER BY p.schema_name, p.table_name
    LOOP
        -- A month expires when all its rows are older than the retention: its end is at or before
        -- common.now() - retention, that is its start is before the month holding that instant.
        FOR v_partition IN
            SELECT i.inhrelid::regclass AS rel, c.relname::text AS name
            FROM pg_catalog.pg_inherits AS i
            INNER JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
            WHERE i.inhparent = v_decl.rel
              AND c.relname::text ~ ('^' || v_decl.table_name || '_p[0-9]{6}$')
              AND to_timestamp(right(c.relname::text, 6), 'YYYYMM') < common.utc_month(common.now() - v_decl.retention)
            ORDER BY c.relname
        LOOP
            PERFORM pg_catalog.set_config('chaindb.partition_release', v_partition.rel::oid::text, true);
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_decl.rel, v_partition.rel);
            PERFORM pg_catalog.set_config('chaindb.partition_release', '', true);
            EXECUTE format('DROP TABLE %s', v_partition.rel);
            RETURN NEXT format('%I.%I', v_decl.schema_name, v_partition.name);
        END LOOP;
    END LOOP;
END
$fn$;

COMMENT ON FUNCTION common.apply_retention(regclass) IS
'`make retention`: for each table of common.partitioned_tables with a retention (or p_table), detaches and '
'drops every monthly partition whose rows are all older than the retention (its month ends at or before '
'common.now() - retention), and no other. Returns the partitions dropped. The only way to detach or drop a '
'partition of an append-only table (see common.tg__partitions_after_ddl). Runs as the owner (SECURITY DEFINER); '
'only the owner may call it.';

CREATE PROCEDURE common.define_monthly_partitions(
    p_table regclass, p_premake_months integer DEFAULT 3, p_retention interval DEFAULT NULL
)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_rel record;
BEGIN
    PERFORM common.monthly_partition_key(p_table);
    SELECT r.schema_name, r.table_name INTO v_rel FROM common.relation_name(p_table) AS r;
    INSERT INTO common.partitioned_tables (schema_name, table_name, premake_months, retention)
    VALUES (v_rel.schema_name, v_rel.table_name, p_premake_months, p_retention)
    ON CONFLICT ON CONSTRAINT partitioned_tables_pkey
    DO UPDATE SET premake_months = excluded.premake_months, retention = excluded.retention;
    PERFORM common.create_partitions(p_table);
END
$fn$;

COMMENT ON PROCEDURE common.define_monthly_partitions(regclass, integer, interval) IS  -- noqa: LT01
'Declares a table partitioned by month (PARTITION BY RANGE on one timestamptz column): records it in '
'common.partitioned_tables (replacing an earlier declaration: how a retention changes) and creates its '
'default partition and its months up to p_premake_months ahead (common.create_partitions). p_retention NULL: '
'months are never dropped.';

CREATE PROCEDURE common.drop_monthly_partitions(p_table regclass)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_rel record;
BEGIN
    SELECT r.schema_name, r.table_name INTO v_rel FROM common.relation_name(p_table) AS r;
    DELETE FROM common.partitioned_tables AS p WHERE (p.schema_name, p.table_name) = (v_rel.schema_name, v_rel.table_name);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'drop_monthly_partitions: % is not declared partitioned by month', p_table
            USING ERRCODE = 'undefined_object';
    END IF;
END
$fn$;

COMMENT ON PROCEDURE common.drop_monthly_partitions(regclass) IS  -- noqa: LT01
'Undoes common.define_monthly_partitions (for rollbacks): removes the declaration; the partitions stay until '
'the table is dropped.';

CREATE FUNCTION common.tg__partitions_before_ddl()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    -- What is attached now, for tg__partitions_after_ddl to compare with (transaction-local).
    PERFORM pg_catalog.set_config(
        'chaindb.guarded_partitions',
        coalesce(
            (
                SELECT jsonb_object_agg(g.partition::oid::text, jsonb_build_array(g.partition::text, r.schema_name, r.table_name))
                FROM common.guarded_partitions() AS g
                CROSS JOIN LATERAL common.relation_name(g.root) AS r
            )::text,
            '{}'
        ),
        true
    );
END
$fn$;

COMMENT ON FUNCTION common.tg__partitions_before_ddl() IS
'Event trigger (ddl_command_start of ALTER TABLE, DROP TABLE, DROP SCHEMA): records the partitions of the '
'append-only tables (common.guarded_partitions) in the transaction-local setting chaindb.guarded_partitions, '
'for common.tg__partitions_after_ddl. SECURITY DEFINER: any role''s DDL may read the declarations.';

CREATE FUNCTION common.tg__partitions_after_ddl()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_before jsonb;
    v_released text[] := string_to_array(nullif(current_setting('chaindb.partition_release', true), ''), ',');
    v_context text;
    v_caller text;
    v_gone record;
    v_new record;
BEGIN
    IF TG_TAG IN ('ALTER TABLE', 'DROP TABLE', 'DROP SCHEMA') THEN
        v_before := coalesce(nullif(current_setting('chaindb.guarded_partitions', true), ''), '{}')::jsonb;
        -- The statement's caller: the line after 'SQL statement "..."' in the call stack.
        GET DIAGNOSTICS v_context = PG_CONTEXT;
        v_caller := split_part(v_context, E'\n', 3);
        FOR v_gone IN
            SELECT b.key AS id, b.value ->> 0 AS partition, b.value ->> 1 AS schema_name, b.value ->> 2 AS table_name
            FROM jsonb_each(v_before) AS b
            WHERE NOT EXISTS (SELECT FROM common.guarded_partitions() AS g WHERE g.partition::oid::text = b.key)
            ORDER BY b.value ->> 0
        LOOP
            CONTINUE WHEN v_gone.id = ANY (v_released)
                AND v_caller ~ '^PL/pgSQL function common\.(apply_retention|create_partitions)\(';
            RAISE EXCEPTION '%: partition % of an append-only table may not be detached or dropped',
                v_gone.table_name, v_gone.partition
                USING ERRCODE = 'CD003',
                      CONSTRAINT = v_gone.table_name || '_append_only',
                      SCHEMA = v_gone.schema_name,
                      TABLE = v_gone.table_name,
                      DETAIL = format('partition=%s', v_gone.partition),
                      HINT = 'Expired months go through common.apply_retention (make retention).';
        END LOOP;
    END IF;
    -- A partition made or attached by hand gets the TRUNCATE trigger of its append-only table; it
    -- must belong to the table's owner (a superuser's would not), as every object does.
    IF TG_TAG IN ('CREATE TABLE', 'ALTER TABLE') THEN
        FOR v_new IN
            SELECT g.partition, g.root, c.relowner <> o.relowner AS foreign_owner, pg_get_userbyid(o.relowner) AS owner
            FROM common.guarded_partitions() AS g
            CROSS JOIN LATERAL common.relation_name(g.root) AS r
            INNER JOIN pg_catalog.pg_class AS c ON c.oid = g.partition
            INNER JOIN pg_catalog.pg_class AS o ON o.oid = g.root
            WHERE NOT EXISTS (
                SELECT FROM pg_catalog.pg_trigger AS t
                WHERE t.tgrelid = g.partition AND t.tgname = r.table_name || '_append_only_truncate'
            )
            ORDER BY g.partition::text
        LOOP
            IF v_new.foreign_owner THEN
                RAISE EXCEPTION 'partition % of % must belong to %, the owner of the table', v_new.partition,
                    v_new.root, v_new.owner
                    USING ERRCODE = 'insufficient_privilege',
                          HINT = 'Make partitions with common.create_partitions (make partitions), or as that role.';
            END IF;
            PERFORM common.compile_append_only(v_new.root);
        END LOOP;
    END IF;
END
$fn$;

COMMENT ON FUNCTION common.tg__partitions_after_ddl() IS
'Event trigger (ddl_command_end of CREATE TABLE, ALTER TABLE, DROP TABLE, DROP SCHEMA): refuses (CD003, '
'<table>_append_only, the partition in DETAIL) a statement after which a partition recorded by '
'common.tg__partitions_before_ddl is no longer attached, for every role, unless the statement runs inside '
'common.apply_retention or common.create_partitions and the partition is the one they name in '
'chaindb.partition_release; gives a partition created or attached by hand the append-only triggers of its table '
'(42501 when it does not belong to the table''s owner).';

CREATE FUNCTION common.install_partition_guard()
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = current_user) THEN
        RAISE NOTICE 'not a superuser: the event triggers that keep the partitions of the append-only tables '
            'attached are not created; a superuser creates them with SELECT common.install_partition_guard()';
        RETURN false;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger AS e WHERE e.evtname = 'chaindb_partitions_before_ddl') THEN
        CREATE EVENT TRIGGER chaindb_partitions_before_ddl ON ddl_command_start
        WHEN TAG IN ('ALTER TABLE', 'DROP TABLE', 'DROP SCHEMA')
        EXECUTE FUNCTION common.tg__partitions_before_ddl();
        COMMENT ON EVENT TRIGGER chaindb_partitions_before_ddl IS
        'Records the partitions of the append-only tables before ALTER TABLE, DROP TABLE, DROP SCHEMA (issue 16).';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger AS e WHERE e.evtname = 'chaindb_partitions_after_ddl') THEN
        CREATE EVENT TRIGGER chaindb_partitions_after_ddl ON ddl_command_end
        WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'DROP TABLE', 'DROP SCHEMA')
        EXECUTE FUNCTION common.tg__partitions_after_ddl();
        COMMENT ON EVENT TRIGGER chaindb_partitions_after_ddl IS
        'Keeps the partitions of the append-only tables attached (only common.apply_retention detaches them) and '
        'gives new ones their TRUNCATE trigger (issue 16).';
    END IF;
    RETURN true;
END
$fn$;

COMMENT ON FUNCTION common.install_partition_guard() IS
'Creates the event triggers chaindb_partitions_before_ddl / _after_ddl (common.tg__partitions_before_ddl, '
'_after_ddl) unless they exist; true when they are in place. Only a superuser may create event triggers: '
'this migration calls it as the session user, and when that is no superuser (a database of one''s own, '
'README "Bring your own database") a DBA runs SELECT common.install_partition_guard() later (make check-db '
'says so). Without them the application still cannot detach, drop or truncate a partition (privileges, '
'TRUNCATE triggers); only the owner could, by hand.';

REVOKE ALL ON FUNCTION common.install_partition_guard() FROM PUBLIC;

-- Event triggers are created by the session user (a superuser, else they are left to a DBA).
SET ROLE NONE;

SELECT common.install_partition_guard() AS guarded;

SET ROLE chaindb_owner;

GRANT SELECT ON TABLE common.partitioned_tables TO chaindb_app, chaindb_readonly;
