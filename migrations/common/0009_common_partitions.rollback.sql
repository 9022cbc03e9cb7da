-- Undoes 0009_common_partitions exactly: the event triggers, the partition functions and their
-- declarations table go; common.tg__append_only, common.compile_append_only and
-- common.drop_append_only are restored as 0003 and 0004 made them. Run after every table declared
-- with common.define_monthly_partitions was rolled back (their rollbacks undeclare them).
-- squawk-ignore ban-drop-function

-- As the session user: the event triggers belong to the superuser who made them (none may exist).
SET ROLE NONE;

DO $do$
BEGIN
    DROP EVENT TRIGGER IF EXISTS chaindb_partitions_after_ddl;
    DROP EVENT TRIGGER IF EXISTS chaindb_partitions_before_ddl;
END
$do$;

SET ROLE chaindb_owner;

DROP FUNCTION common.install_partition_guard();

DROP FUNCTION common.tg__partitions_after_ddl();

DROP FUNCTION common.tg__partitions_before_ddl();

DROP PROCEDURE common.drop_monthly_partitions(regclass);

DROP PROCEDURE common.define_monthly_partitions(regclass, integer, interval);

DROP FUNCTION common.apply_retention(regclass);

DROP FUNCTION common.create_partitions(regclass, timestamptz);

CREATE OR REPLACE PROCEDURE common.drop_append_only(p_table regclass)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_rel record;
BEGIN
    SELECT r.schema_name, r.table_name INTO v_rel FROM common.relation_name(p_table) AS r;
    DELETE FROM common.append_only_tables AS a WHERE (a.schema_name, a.table_name) = (v_rel.schema_name, v_rel.table_name);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'drop_append_only: % is not declared append-only', p_table USING ERRCODE = 'undefined_object';
    END IF;
    EXECUTE format('DROP TRIGGER %I ON %s', v_rel.table_name || '_append_only_truncate', p_table);
    EXECUTE format('DROP TRIGGER %I ON %s', v_rel.table_name || '_append_only', p_table);
END
$fn$;

COMMENT ON PROCEDURE common.drop_append_only(regclass) IS  -- noqa: LT01
'Undoes common.define_append_only (for rollbacks): drops the triggers and the declaration.';

CREATE OR REPLACE FUNCTION common.compile_append_only(p_table regclass)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_rel record;
BEGIN
    SELECT a.schema_name, a.table_name INTO v_rel
    FROM common.relation_name(p_table) AS r
    INNER JOIN common.append_only_tables AS a ON (a.schema_name, a.table_name) = (r.schema_name, r.table_name);
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not declared append-only', p_table USING ERRCODE = 'undefined_object';
    END IF;
    EXECUTE format(
        'CREATE OR REPLACE TRIGGER %I BEFORE UPDATE OR DELETE ON %s FOR EACH ROW '
        'EXECUTE FUNCTION common.tg__append_only()',
        v_rel.table_name || '_append_only', p_table
    );
    EXECUTE format(
        'COMMENT ON TRIGGER %I ON %s IS %L', v_rel.table_name || '_append_only', p_table,
        format('%s is append-only (common.append_only_tables): rows are never updated or deleted (CD003).',
            v_rel.table_name)
    );
    EXECUTE format(
        'CREATE OR REPLACE TRIGGER %I BEFORE TRUNCATE ON %s FOR EACH STATEMENT '
        'EXECUTE FUNCTION common.tg__append_only()',
        v_rel.table_name || '_append_only_truncate', p_table
    );
    EXECUTE format(
        'COMMENT ON TRIGGER %I ON %s IS %L', v_rel.table_name || '_append_only_truncate', p_table,
        format('%s is append-only (common.append_only_tables): never truncated (CD003).', v_rel.table_name)
    );
END
$fn$;

COMMENT ON FUNCTION common.compile_append_only(regclass) IS
'(Re)creates <table>_append_only (BEFORE UPDATE OR DELETE, each row) and <table>_append_only_truncate '
'(BEFORE TRUNCATE) on a table of common.append_only_tables, both running common.tg__append_only. Idempotent.';

CREATE OR REPLACE FUNCTION common.tg__append_only()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RAISE EXCEPTION '%: rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'CD003',
              CONSTRAINT = TG_TABLE_NAME || '_append_only',
              SCHEMA = TG_TABLE_SCHEMA,
              TABLE = TG_TABLE_NAME;
END
$fn$;

COMMENT ON FUNCTION common.tg__append_only() IS
'BEFORE UPDATE OR DELETE (row) and BEFORE TRUNCATE (statement) trigger of an append-only table: raises '
'SQLSTATE CD003 naming the pseudo-constraint <table>_append_only. Triggers bind the table''s owner too.';

DROP FUNCTION common.guarded_partitions();

DROP FUNCTION common.monthly_partition_key(regclass);

DROP FUNCTION common.utc_month(timestamptz);

DROP TABLE common.partitioned_tables;
