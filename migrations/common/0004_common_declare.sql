-- depends: 0003_common_declared_rules
-- The procedures that declare rules (CONVENTIONS.md), called in the migration that owns the table,
-- and the functions that compile a declaration into the table's triggers:
--   CALL common.define_state_machine(table, column, moves, initial_states, comment)
--   CALL common.define_immutable_columns(table, fixed, set_once)
--   CALL common.define_append_only(table)
--   CALL common.drop_state_machine / drop_immutable_columns / drop_append_only (rollbacks)
-- Procedures, not functions: a migration's CALL prints nothing. Each define_* records the
-- declaration (replacing an earlier one) and compiles it with common.compile_*; compiling again
-- from the same declaration gives the same triggers, which is how the tests prove that triggers
-- and declarations never drift. Only the owner (migrations) runs these: nothing is granted.
-- (`-- noqa: LT01` on COMMENT ON PROCEDURE: sqlfluff does not parse that statement.)

CREATE FUNCTION common.compile_state_machine(p_table regclass, p_column text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_machine common.state_machines;
    v_label text := common.state_label(p_column);
    v_trigger text;
    v_initial_trigger text;
    v_allowed text[];
    v_moves text;
BEGIN
    SELECT m.* INTO v_machine
    FROM common.state_machines AS m, common.relation_name(p_table) AS r
    WHERE m.schema_name = r.schema_name AND m.table_name = r.table_name AND m.column_name = p_column;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no state machine is declared for %.%', p_table, p_column
            USING ERRCODE = 'undefined_object';
    END IF;
    v_trigger := format('%s_%s_transition', v_machine.table_name, v_label);
    v_initial_trigger := format('%s_initial_%s', v_machine.table_name, v_label);

    -- The allowed moves as 'from>to' texts, in the enum's order: the WHEN clause tests the row's move
    -- against them. (A small WHEN clause: PostgreSQL rebuilds it for every statement, so its size is
    -- per-statement cost; concat_ws needs no cast node. No label contains '>', see define_state_machine.)
    SELECT
        coalesce(array_agg(m.move ORDER BY m.from_order, m.to_order), '{}'),
        string_agg(m.from_state || ' -> ' || m.to_states, ', ' ORDER BY m.from_order, m.to_order)
        FILTER (WHERE m.first_of_state)
    INTO v_allowed, v_moves
    FROM (
        SELECT
            t.from_state,
            t.from_state || '>' || t.to_state AS move,
            e.enumsortorder AS from_order,
            o.enumsortorder AS to_order,
            row_number() OVER (PARTITION BY t.from_state ORDER BY o.enumsortorder) = 1 AS first_of_state,
            string_agg(t.to_state, ' | ') OVER (
                PARTITION BY t.from_state ORDER BY o.enumsortorder ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) AS to_states
        FROM common.state_transitions AS t
        INNER JOIN pg_catalog.pg_enum AS e ON e.enumtypid = v_machine.enum_type AND e.enumlabel = t.from_state
        INNER JOIN pg_catalog.pg_enum AS o ON o.enumtypid = v_machine.enum_type AND o.enumlabel = t.to_state
        WHERE (t.schema_name, t.table_name, t.column_name)
            = (v_machine.schema_name, v_machine.table_name, v_machine.column_name)
    ) AS m;

    EXECUTE format(
        'CREATE OR REPLACE TRIGGER %I BEFORE UPDATE ON %s FOR EACH ROW '
        'WHEN (OLD.%I IS DISTINCT FROM NEW.%I AND NOT concat_ws(''>'', OLD.%I, NEW.%I) = ANY (%L::text[])) '
        'EXECUTE FUNCTION common.tg__forbid_transition(%L)',
        v_trigger, p_table, p_column, p_column, p_column, p_column, v_allowed, p_column
    );
    EXECUTE format(
        'COMMENT ON TRIGGER %I ON %s IS %L', v_trigger, p_table,
        format('State machine of %s.%s, declared in common.state_machines: %s; any other change raises CD001.%s',
            v_machine.table_name, p_column, coalesce(v_moves, 'no move'), ' ' || v_machine.comment)
    );

    IF v_machine.initial_states IS NULL THEN
        IF EXISTS (SELECT FROM pg_catalog.pg_trigger AS t WHERE t.tgrelid = p_table AND t.tgname = v_initial_trigger) THEN
            EXECUTE format('DROP TRIGGER %I ON %s', v_initial_trigger, p_table);
        END IF;
    ELSE
        EXECUTE format(
            'CREATE OR REPLACE TRIGGER %I BEFORE INSERT ON %s FOR EACH ROW '
            'WHEN (NOT NEW.%I = ANY (%L::%s[])) '
            'EXECUTE FUNCTION common.tg__forbid_initial_state(%L, %L)',
            v_initial_trigger, p_table, p_column, v_machine.initial_states, v_machine.enum_type, p_column,
            v_machine.initial_states
        );
        EXECUTE format(
            'COMMENT ON TRIGGER %I ON %s IS %L', v_initial_trigger, p_table,
            format('A new row''s %s is one of %s (common.state_machines.initial_states); CD007 otherwise.',
                p_column, array_to_string(v_machine.initial_states, ', '))
        );
    END IF;
END
$fn$;

COMMENT ON FUNCTION common.compile_state_machine(regclass, text) IS
'(Re)creates the triggers of a declared state machine from common.state_machines and common.state_transitions: '
'<table>_<label>_transition (BEFORE UPDATE, the allowed moves in its WHEN clause, common.tg__forbid_transition) '
'and, with initial states, <table>_initial_<label> (BEFORE INSERT, common.tg__forbid_initial_state). Idempotent: '
'compiling an unchanged declaration gives the same triggers.';

CREATE PROCEDURE common.define_state_machine(
    p_table regclass,
    p_column text,
    p_moves text[],
    p_initial_states text[] DEFAULT NULL,
    p_comment text DEFAULT NULL
)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_rel record;
    v_type oid;
    v_not_null boolean;
    v_move text;
    v_from text;
    v_to text;
    v_labels text[];
    v_bad text[];
BEGIN
    SELECT r.schema_name, r.table_name INTO v_rel FROM common.relation_name(p_table) AS r;
    SELECT a.atttypid, a.attnotnull INTO v_type, v_not_null
    FROM pg_catalog.pg_attribute AS a
    WHERE a.attrelid = p_table AND a.attname = p_column AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'define_state_machine: % has no column %', p_table, p_column USING ERRCODE = 'undefined_column';
    END IF;
    SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) INTO v_labels
    FROM pg_catalog.pg_enum AS e WHERE e.enumtypid = v_type;
    IF v_labels IS NULL THEN
        RAISE EXCEPTION 'define_state_machine: %.% is of type %, not an enum', p_table, p_column, v_type::regtype
            USING ERRCODE = 'wrong_object_type';
    END IF;
    IF EXISTS (SELECT FROM unnest(v_labels) AS l (label) WHERE l.label ~ '[>|]') THEN
        RAISE EXCEPTION 'define_state_machine: a label of % contains > or |, which the moves'' notation uses',
            v_type::regtype
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT v_not_null THEN
        RAISE EXCEPTION 'define_state_machine: %.% must be NOT NULL (NULL is not a state)', p_table, p_column
            USING ERRCODE = 'invalid_table_definition';
    END IF;

    DELETE FROM common.state_machines AS m
    WHERE (m.schema_name, m.table_name, m.column_name) = (v_rel.schema_name, v_rel.table_name, p_column);
    INSERT INTO common.state_machines (schema_name, table_name, column_name, enum_type, initial_states, comment)
    VALUES (v_rel.schema_name, v_rel.table_name, p_column, v_type::regtype, p_initial_states, p_comment);

    -- Each move is 'from>to'; either side may list several states separated by '|'.
    FOREACH v_move IN ARRAY p_moves LOOP
        IF v_move !~ '^[^>]+>[^>]+$' THEN
            RAISE EXCEPTION 'define_state_machine: % is not a move (write from>to, from>to1|to2)', v_move
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        FOREACH v_from IN ARRAY string_to_array(split_part(v_move, '>', 1), '|') LOOP
            FOREACH v_to IN ARRAY string_to_array(split_part(v_move, '>', 2), '|') LOOP
                INSERT INTO common.state_transitions (schema_name, table_name, column_name, from_state, to_state)
                VALUES (v_rel.schema_name, v_rel.table_name, p_column, btrim(v_from), btrim(v_to));
            END LOOP;
        END LOOP;
    END LOOP;

    SELECT array_agg(DISTINCT s.state) INTO v_bad
    FROM (
        SELECT t.from_state AS state FROM common.state_transitions AS t
        WHERE (t.schema_name, t.table_name, t.column_name) = (v_rel.schema_name, v_rel.table_name, p_column)
        UNION ALL
        SELECT t.to_state FROM common.state_transitions AS t
        WHERE (t.schema_name, t.table_name, t.column_name) = (v_rel.schema_name, v_rel.table_name, p_column)
        UNION ALL
        SELECT unnest(p_initial_states)
    ) AS s
    WHERE NOT s.state = ANY (v_labels);
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'define_state_machine: % not label(s) of %', v_bad, v_type::regtype
            USING ERRCODE = 'invalid_parameter_value', DETAIL = format('labels=%s', v_labels);
    END IF;

    PERFORM common.compile_state_machine(p_table, p_column);
END
$fn$;

COMMENT ON PROCEDURE common.define_state_machine(regclass, text, text[], text[], text) IS  -- noqa: LT01
'Declares the state machine of an enum column (NOT NULL): its allowed moves as ''{from>to, from>to1|to2, '
'a|b>c}'' (enum labels), the states a new row may start in (NULL: any) and why. Records them in '
'common.state_machines and common.state_transitions, replacing an earlier declaration, and compiles the '
'triggers (common.compile_state_machine). Keeping the same state is always allowed.';

CREATE PROCEDURE common.drop_state_machine(p_table regclass, p_column text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_rel record;
BEGIN
    SELECT r.schema_name, r.table_name INTO v_rel FROM common.relation_name(p_table) AS r;
    DELETE FROM common.state_machines AS m
    WHERE (m.schema_name, m.table_name, m.column_name) = (v_rel.schema_name, v_rel.table_name, p_column);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'drop_state_machine: no state machine is declared for %.%', p_table, p_column
            USING ERRCODE = 'undefined_object';
    END IF;
    EXECUTE format('DROP TRIGGER %I ON %s', v_rel.table_name || '_' || common.state_label(p_column) || '_transition',
        p_table);
    IF EXISTS (
        SELECT FROM pg_catalog.pg_trigger AS t
        WHERE t.tgrelid = p_table AND t.tgname = v_rel.table_name || '_initial_' || common.state_label(p_column)
    ) THEN
        EXECUTE format('DROP TRIGGER %I ON %s', v_rel.table_name || '_initial_' || common.state_label(p_column), p_table);
    END IF;
END
$fn$;

COMMENT ON PROCEDURE common.drop_state_machine(regclass, text) IS  -- noqa: LT01
'Undoes common.define_state_machine (for rollbacks): drops the machine''s triggers and its declaration.';

CREATE FUNCTION common.compile_immutable_columns(p_table regclass)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_trigger text;
    v_fixed text[];
    v_set_once text[];
    v_when text;
BEGIN
    -- Fixed columns first, then set-once ones, each in column order: the first at fault is reported.
    SELECT
        r.table_name || '_immutable_columns',
        coalesce(array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE NOT i.set_once), '{}'),
        coalesce(array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE i.set_once), '{}'),
        string_agg(
            CASE WHEN i.set_once
                THEN format('(OLD.%1$I IS NOT NULL AND OLD.%1$I IS DISTINCT FROM NEW.%1$I)', a.attname)
                ELSE format('OLD.%1$I IS DISTINCT FROM NEW.%1$I', a.attname)
            END,
            ' OR ' ORDER BY i.set_once, a.attnum
        )
    INTO v_trigger, v_fixed, v_set_once, v_when
    FROM common.relation_name(p_table) AS r
    INNER JOIN common.immutable_columns AS i ON (i.schema_name, i.table_name) = (r.schema_name, r.table_name)
    INNER JOIN pg_catalog.pg_attribute AS a ON a.attrelid = p_table AND a.attname = i.column_name
    GROUP BY r.table_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no immutable columns are declared for %', p_table USING ERRCODE = 'undefined_object';
    END IF;
    EXECUTE format(
        'CREATE OR REPLACE TRIGGER %I BEFORE UPDATE ON %s FOR EACH ROW WHEN (%s) '
        'EXECUTE FUNCTION common.tg__forbid_change(%L, %L)',
        v_trigger, p_table, v_when, v_fixed, v_set_once
    );
    EXECUTE format(
        'COMMENT ON TRIGGER %I ON %s IS %L', v_trigger, p_table,
        format('Declared in common.immutable_columns: %s never change%s (CD003, <table>_<column>_immutable).',
            coalesce(nullif(array_to_string(v_fixed, ', '), ''), 'no column'),
            CASE WHEN cardinality(v_set_once) > 0
                THEN format('; %s never change once set', array_to_string(v_set_once, ', '))
                ELSE ''
            END)
    );
END
$fn$;

COMMENT ON FUNCTION common.compile_immutable_columns(regclass) IS
'(Re)creates <table>_immutable_columns from common.immutable_columns: BEFORE UPDATE, a WHEN clause that fires '
'only when a fixed column changes or a set-once column changes once set, common.tg__forbid_change. Idempotent.';

CREATE PROCEDURE common.define_immutable_columns(p_table regclass, p_fixed text[], p_set_once text[] DEFAULT '{}')
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_rel record;
    v_missing text[];
BEGIN
    SELECT r.schema_name, r.table_name INTO v_rel FROM common.relation_name(p_table) AS r;
    SELECT array_agg(c.name) INTO v_missing
    FROM unnest(p_fixed || p_set_once) AS c (name)
    WHERE NOT EXISTS (
        SELECT FROM pg_catalog.pg_attribute AS a
        WHERE a.attrelid = p_table AND a.attname = c.name AND a.attnum > 0 AND NOT a.attisdropped
    );
    IF v_missing IS NOT NULL THEN
        RAISE EXCEPTION 'define_immutable_columns: % has no column(s) %', p_table, v_missing
            USING ERRCODE = 'undefined_column';
    END IF;
    IF cardinality(p_fixed || p_set_once) = 0 THEN
        RAISE EXCEPTION 'define_immutable_columns: no column given for %', p_table
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DELETE FROM common.immutable_columns AS i WHERE (i.schema_name, i.table_name) = (v_rel.schema_name, v_rel.table_name);
    INSERT INTO common.immutable_columns (schema_name, table_name, column_name, set_once)
    SELECT v_rel.schema_name, v_rel.table_name, c.name, c.set_once
    FROM (
        SELECT unnest(p_fixed) AS name, false AS set_once
        UNION ALL
        SELECT unnest(p_set_once), true
    ) AS c;
    PERFORM common.compile_immutable_columns(p_table);
END
$fn$;

COMMENT ON PROCEDURE common.define_immutable_columns(regclass, text[], text[]) IS  -- noqa: LT01
'Declares the columns of a table that an UPDATE may not change: p_fixed never, p_set_once never once set '
'(non-NULL). Records them in common.immutable_columns, replacing an earlier declaration, and compiles the '
'trigger <table>_immutable_columns (common.compile_immutable_columns).';

CREATE PROCEDURE common.drop_immutable_columns(p_table regclass)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_rel record;
BEGIN
    SELECT r.schema_name, r.table_name INTO v_rel FROM common.relation_name(p_table) AS r;
    DELETE FROM common.immutable_columns AS i WHERE (i.schema_name, i.table_name) = (v_rel.schema_name, v_rel.table_name);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'drop_immutable_columns: no immutable columns are declared for %', p_table
            USING ERRCODE = 'undefined_object';
    END IF;
    EXECUTE format('DROP TRIGGER %I ON %s', v_rel.table_name || '_immutable_columns', p_table);
END
$fn$;

COMMENT ON PROCEDURE common.drop_immutable_columns(regclass) IS  -- noqa: LT01
'Undoes common.define_immutable_columns (for rollbacks): drops the trigger and the declaration.';

CREATE FUNCTION common.compile_append_only(p_table regclass)
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

CREATE PROCEDURE common.define_append_only(p_table regclass)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    INSERT INTO common.append_only_tables (schema_name, table_name)
    SELECT r.schema_name, r.table_name FROM common.relation_name(p_table) AS r
    ON CONFLICT ON CONSTRAINT append_only_tables_pkey DO NOTHING;
    PERFORM common.compile_append_only(p_table);
END
$fn$;

COMMENT ON PROCEDURE common.define_append_only(regclass) IS  -- noqa: LT01
'Declares a table append-only: no UPDATE, DELETE or TRUNCATE by any role, the owner included (CD003). Records '
'it in common.append_only_tables and compiles its triggers (common.compile_append_only).';

CREATE PROCEDURE common.drop_append_only(p_table regclass)
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
