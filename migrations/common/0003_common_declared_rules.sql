-- depends: 0002_common_helpers
-- Rules declared once, as data, in the migration that owns the table (CONVENTIONS.md). This
-- migration holds the declarations and the generic trigger functions; 0004_common_declare the
-- procedures that declare and compile them; 0005_common_raise_helpers the errors of rule functions.
--
--   common.state_machines, common.state_transitions   an enum column's allowed moves
--   common.immutable_columns                          columns that never change (fixed), or never
--                                                      once set (set_once: non-NULL)
--   common.append_only_tables                         no UPDATE, DELETE or TRUNCATE, by any role
--
-- The declarations are compiled into each table's triggers (0004): the allowed moves and the
-- guarded columns become the trigger's WHEN clause, so an allowed UPDATE never enters PL/pgSQL;
-- only a refused one runs a generic trigger function, which raises:
--   common.tg__forbid_transition()     SQLSTATE CD001, <table>_<label>_transition, DETAIL from=/to=
--   common.tg__forbid_initial_state()  SQLSTATE CD007, <table>_initial_<label>
--   common.tg__forbid_change()         SQLSTATE CD003, <table>_<column>_immutable
--   common.tg__append_only()           SQLSTATE CD003, <table>_append_only
-- where <label> is the column's name, except that a column named status or *_status is called
-- status (common.state_label).

CREATE TABLE common.state_machines (
    schema_name text NOT NULL,
    table_name text NOT NULL,
    column_name text NOT NULL,
    enum_type regtype NOT NULL,
    initial_states text[],
    comment text,
    CONSTRAINT state_machines_pkey PRIMARY KEY (schema_name, table_name, column_name),
    CONSTRAINT state_machines_initial_states_check CHECK (cardinality(initial_states) > 0)
);

COMMENT ON TABLE common.state_machines IS
'One row per state machine: an enum column whose allowed moves are listed in common.state_transitions. '
'Written by common.define_state_machine, read by the generated code, diagrams and tests.';
COMMENT ON COLUMN common.state_machines.enum_type IS 'The column''s enum type; every state is one of its labels.';
COMMENT ON COLUMN common.state_machines.initial_states IS
'The states a new row may start in (enforced by the <table>_initial_<label> trigger); NULL: any state.';
COMMENT ON COLUMN common.state_machines.comment IS 'Why the machine is as it is (decisions where the seed is silent).';

CREATE TABLE common.state_transitions (
    schema_name text NOT NULL,
    table_name text NOT NULL,
    column_name text NOT NULL,
    from_state text NOT NULL,
    to_state text NOT NULL,
    CONSTRAINT state_transitions_pkey PRIMARY KEY (schema_name, table_name, column_name, from_state, to_state),
    CONSTRAINT state_transitions_machine_fkey FOREIGN KEY (schema_name, table_name, column_name)
    REFERENCES common.state_machines (schema_name, table_name, column_name) ON DELETE CASCADE,
    CONSTRAINT state_transitions_check CHECK (from_state <> to_state)
);

COMMENT ON TABLE common.state_transitions IS
'The allowed moves of each state machine, one row per (from_state, to_state): enum labels. Any other change '
'of the column raises CD001; keeping the same state is always allowed.';
COMMENT ON CONSTRAINT state_transitions_machine_fkey ON common.state_transitions IS
'Served by state_transitions_pkey (it leads with the machine''s key).';

CREATE TABLE common.immutable_columns (
    schema_name text NOT NULL,
    table_name text NOT NULL,
    column_name text NOT NULL,
    set_once boolean NOT NULL,
    CONSTRAINT immutable_columns_pkey PRIMARY KEY (schema_name, table_name, column_name)
);

COMMENT ON TABLE common.immutable_columns IS
'Columns an UPDATE may not change (CD003): fixed ones never, set-once ones (set_once) never once non-NULL. '
'Written by common.define_immutable_columns.';

CREATE TABLE common.append_only_tables (
    schema_name text NOT NULL,
    table_name text NOT NULL,
    CONSTRAINT append_only_tables_pkey PRIMARY KEY (schema_name, table_name)
);

COMMENT ON TABLE common.append_only_tables IS
'Tables whose rows are never updated, deleted or truncated, by any role (CD003). Written by '
'common.define_append_only.';

CREATE FUNCTION common.state_label(p_column text)
RETURNS text
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN p_column = 'status' OR p_column LIKE '%\_status' THEN 'status' ELSE p_column END;

COMMENT ON FUNCTION common.state_label(text) IS
'How a state machine''s column is named in its trigger, pseudo-constraint and messages: status for a column '
'named status or *_status (stores.deployment_status -> stores_status_transition), else the column''s name.';

-- The (schema, table) of a relation, for the declaration tables.
CREATE FUNCTION common.relation_name(p_table regclass, OUT schema_name text, OUT table_name text)
LANGUAGE sql
STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT n.nspname::text, c.relname::text
    FROM pg_catalog.pg_class AS c
    INNER JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    WHERE c.oid = p_table
$fn$;

COMMENT ON FUNCTION common.relation_name(regclass) IS 'The schema and name of a table, as the declaration tables key it.';

CREATE FUNCTION common.tg__forbid_transition()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_column text := TG_ARGV[0];
    v_from text := to_jsonb(OLD) ->> v_column;
    v_to text := to_jsonb(NEW) ->> v_column;
BEGIN
    RAISE EXCEPTION '%: % may not change from % to %', TG_TABLE_NAME, common.state_label(v_column), v_from, v_to
        USING ERRCODE = 'CD001',
              DETAIL = format('from=%s to=%s', v_from, v_to),
              CONSTRAINT = TG_NAME,
              SCHEMA = TG_TABLE_SCHEMA,
              TABLE = TG_TABLE_NAME,
              COLUMN = v_column;
END
$fn$;

COMMENT ON FUNCTION common.tg__forbid_transition() IS
'BEFORE UPDATE trigger of a state machine (argument: the column), compiled by common.compile_state_machine with '
'a WHEN clause that lets only the declared moves through: when it runs, the move is forbidden. Raises SQLSTATE '
'CD001 naming the pseudo-constraint <table>_<label>_transition (the trigger''s name), from/to in DETAIL.';

CREATE FUNCTION common.tg__forbid_initial_state()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_column text := TG_ARGV[0];
    v_to text := to_jsonb(NEW) ->> v_column;
BEGIN
    RAISE EXCEPTION '%: a new row''s % must be one of %, not %', TG_TABLE_NAME, common.state_label(v_column),
        TG_ARGV[1], v_to
        USING ERRCODE = 'CD007',
              DETAIL = format('initial=%s to=%s', TG_ARGV[1], v_to),
              CONSTRAINT = TG_NAME,
              SCHEMA = TG_TABLE_SCHEMA,
              TABLE = TG_TABLE_NAME,
              COLUMN = v_column;
END
$fn$;

COMMENT ON FUNCTION common.tg__forbid_initial_state() IS
'BEFORE INSERT trigger of a state machine with initial states (arguments: the column, the initial states), '
'compiled with a WHEN clause that lets the initial states through. Raises SQLSTATE CD007 naming the '
'pseudo-constraint <table>_initial_<label> (the trigger''s name).';

CREATE FUNCTION common.tg__forbid_change()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_column text;
    v_changed boolean;
BEGIN
    -- Only a refused UPDATE gets here (the WHEN clause): find the first column at fault, fixed ones first.
    FOREACH v_column IN ARRAY TG_ARGV[0]::text[] LOOP
        EXECUTE format('SELECT ($1).%1$I IS DISTINCT FROM ($2).%1$I', v_column) INTO v_changed USING OLD, NEW;
        EXIT WHEN v_changed;
    END LOOP;
    IF NOT coalesce(v_changed, false) THEN
        FOREACH v_column IN ARRAY coalesce(TG_ARGV[1], '{}')::text[] LOOP
            EXECUTE format('SELECT ($1).%1$I IS NOT NULL AND ($1).%1$I IS DISTINCT FROM ($2).%1$I', v_column)
                INTO v_changed USING OLD, NEW;
            EXIT WHEN v_changed;
        END LOOP;
    END IF;
    IF coalesce(v_changed, false) THEN
        RAISE EXCEPTION '%: % may not change', TG_TABLE_NAME, v_column
            USING ERRCODE = 'CD003',
                  CONSTRAINT = TG_TABLE_NAME || '_' || v_column || '_immutable',
                  SCHEMA = TG_TABLE_SCHEMA,
                  TABLE = TG_TABLE_NAME,
                  COLUMN = v_column;
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION common.tg__forbid_change() IS
'BEFORE UPDATE trigger of immutable columns (arguments: the fixed columns, the set-once columns, as text '
'arrays), compiled by common.compile_immutable_columns with a WHEN clause that fires only when one of them '
'would change. Raises SQLSTATE CD003 naming the pseudo-constraint <table>_<column>_immutable.';

CREATE FUNCTION common.tg__append_only()
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

-- The declarations are metadata: both roles may read them (an application may show the next states).
-- chaindb_app executes state_label and relation_name, which the trigger functions (that need no
-- grant themselves) and the raise helpers call on their error path, in the name of the writer.
GRANT SELECT ON TABLE
common.state_machines,
common.state_transitions,
common.immutable_columns,
common.append_only_tables
TO chaindb_app, chaindb_readonly;

GRANT EXECUTE ON FUNCTION common.state_label(text), common.relation_name(regclass) TO chaindb_app;
