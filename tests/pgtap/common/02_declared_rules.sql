-- common: rules declared as data (migrations/common/0003-0005). The procedures on a scratch table
-- (what they record, the triggers they compile, the errors they raise, what they refuse), then
-- every declaration of every schema: its triggers are exactly what it compiles to, and no generic
-- trigger runs without a declaration.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(63);
\ir ../helpers.psql

-- A scratch table in a scratch schema
CREATE SCHEMA scratch;
CREATE TYPE scratch.phase AS ENUM ('draft', 'live', 'paused', 'gone');
CREATE TABLE scratch.widgets (
    id integer PRIMARY KEY,
    phase scratch.phase NOT NULL DEFAULT 'draft',
    review_status scratch.phase NOT NULL DEFAULT 'draft',
    maybe scratch.phase,
    serial_no text NOT NULL DEFAULT 'w-1',
    sealed_at timestamptz,
    note text
);

-- 5: state_label
SELECT is(common.state_label('status'), 'status', 'state_label: status is status');
SELECT is(common.state_label('review_status'), 'status', 'state_label: *_status is status');
SELECT is(common.state_label('phase'), 'phase', 'state_label: another column keeps its name');
SELECT is(common.state_label('statuses'), 'statuses', 'state_label: only a whole _status suffix counts');
SELECT is(common.state_label('substatus'), 'substatus', 'state_label: substatus is not *_status');

-- 7: define_state_machine refuses what is not a state machine
SELECT throws_ok(
    $$CALL common.define_state_machine('scratch.widgets', 'nope', '{draft>live}')$$,
    '42703', NULL, 'define_state_machine: unknown column (42703)'
);
SELECT throws_ok(
    $$CALL common.define_state_machine('scratch.widgets', 'note', '{draft>live}')$$,
    '42809', NULL, 'define_state_machine: a column that is not an enum (42809)'
);
SELECT throws_ok(
    $$CALL common.define_state_machine('scratch.widgets', 'maybe', '{draft>live}')$$,
    '42P16', NULL, 'define_state_machine: a nullable column (42P16: NULL is not a state)'
);
SELECT throws_ok(
    $$CALL common.define_state_machine('scratch.widgets', 'phase', '{draft>live, live>closed}')$$,
    '22023', 'define_state_machine: {closed} not label(s) of scratch.phase', 'define_state_machine: an unknown state'
);
SELECT throws_ok(
    $$CALL common.define_state_machine('scratch.widgets', 'phase', '{draft>live}', '{started}')$$,
    '22023', 'define_state_machine: {started} not label(s) of scratch.phase',
    'define_state_machine: an unknown initial state'
);
CREATE TYPE scratch.arrow AS ENUM ('in', 'in>out');
CREATE TABLE scratch.arrows (id integer PRIMARY KEY, state scratch.arrow NOT NULL);
SELECT throws_ok(
    $$CALL common.define_state_machine('scratch.arrows', 'state', '{in>out}')$$,
    '22023', 'define_state_machine: a label of scratch.arrow contains > or |, which the moves'' notation uses',
    'define_state_machine: an enum whose labels the notation cannot write'
);
DROP TABLE scratch.arrows;
DROP TYPE scratch.arrow;
SELECT throws_ok(
    $$CALL common.define_state_machine('scratch.widgets', 'phase', '{draft-live}')$$,
    '22023', 'define_state_machine: draft-live is not a move (write from>to, from>to1|to2)',
    'define_state_machine: a move without >'
);

-- 8: a declaration is recorded and compiled
CALL common.define_state_machine(
    'scratch.widgets', 'phase', '{draft>live|gone, live > paused | gone, paused|gone>live}', '{draft}', 'Scratch.'
);
SELECT results_eq(
    $$SELECT enum_type::text, initial_states, comment FROM common.state_machines
      WHERE (schema_name, table_name, column_name) = ('scratch', 'widgets', 'phase')$$,
    $$VALUES ('scratch.phase', '{draft}'::text[], 'Scratch.')$$,
    'define_state_machine records the machine'
);
SELECT set_eq(
    $$SELECT from_state, to_state FROM common.state_transitions WHERE (schema_name, table_name) = ('scratch', 'widgets')$$,
    $$VALUES ('draft', 'live'), ('draft', 'gone'), ('live', 'paused'), ('live', 'gone'), ('paused', 'live'),
             ('gone', 'live')$$,
    'define_state_machine records every move (from>to1|to2, a|b>c, spaces allowed)'
);
SELECT trigger_is('scratch', 'widgets', 'widgets_phase_transition', 'common', 'tg__forbid_transition',
    'the moves compile into widgets_phase_transition (<table>_<column>_transition)');
SELECT trigger_is('scratch', 'widgets', 'widgets_initial_phase', 'common', 'tg__forbid_initial_state',
    'the initial states compile into widgets_initial_phase (<table>_initial_<column>)');
SELECT is(
    (
        SELECT pg_get_triggerdef(t.oid) FROM pg_trigger AS t
        WHERE t.tgname = 'widgets_phase_transition'
    ),
    'CREATE TRIGGER widgets_phase_transition BEFORE UPDATE ON scratch.widgets FOR EACH ROW WHEN ((('
    || 'old.phase IS DISTINCT FROM new.phase) AND (NOT (concat_ws(''>''::text, old.phase, new.phase) = ANY ('
    || '''{draft>live,draft>gone,live>paused,live>gone,paused>live,gone>live}''::text[]))))) '
    || 'EXECUTE FUNCTION common.tg__forbid_transition(''phase'')',
    'the allowed moves are the trigger''s WHEN clause: an allowed move never enters PL/pgSQL'
);
SELECT matches(
    (
        SELECT obj_description(t.oid, 'pg_trigger') FROM pg_trigger AS t
        WHERE t.tgname = 'widgets_phase_transition'
    ),
    'draft -> live \| gone, live -> paused \| gone, paused -> live, gone -> live; .* Scratch\.$',
    'the trigger''s comment lists the moves in the enum''s order, and the declaration''s comment'
);
SELECT pg_temp.state_machine_ok('scratch.widgets', 'phase');
SELECT is(
    pg_temp.error_fields($$INSERT INTO scratch.widgets (id, phase) VALUES (1, 'live')$$),
    ARRAY['CD007', 'widgets_initial_phase', 'widgets', 'initial={draft} to=live'],
    'a new row in another state: CD007 naming widgets_initial_phase, the initial states in DETAIL'
);

-- 4: the error of a forbidden move, and a *_status column
INSERT INTO scratch.widgets (id) VALUES (1);
SELECT throws_ok(
    $$UPDATE scratch.widgets SET phase = 'paused' WHERE id = 1$$,
    'CD001', 'widgets: phase may not change from draft to paused', 'a forbidden move raises CD001 naming both states'
);
SELECT is(
    pg_temp.error_fields($$UPDATE scratch.widgets SET phase = 'paused' WHERE id = 1$$),
    ARRAY['CD001', 'widgets_phase_transition', 'widgets', 'from=draft to=paused'],
    'CD001 names the pseudo-constraint widgets_phase_transition and from/to in DETAIL'
);
CALL common.define_state_machine('scratch.widgets', 'review_status', '{draft>live}');
SELECT is(
    pg_temp.error_fields($$UPDATE scratch.widgets SET review_status = 'gone' WHERE id = 1$$),
    ARRAY['CD001', 'widgets_status_transition', 'widgets', 'from=draft to=gone'],
    'a *_status column is labelled status: widgets_status_transition'
);
SELECT hasnt_trigger('scratch', 'widgets', 'widgets_initial_status', 'no initial states declared: no initial trigger');

-- 4: redefining replaces, dropping removes
CALL common.define_state_machine('scratch.widgets', 'phase', '{draft>live}');
SELECT set_eq(
    $$SELECT from_state, to_state FROM common.state_transitions
      WHERE (schema_name, table_name, column_name) = ('scratch', 'widgets', 'phase')$$,
    $$VALUES ('draft', 'live')$$,
    'a second declaration replaces the first'
);
SELECT hasnt_trigger('scratch', 'widgets', 'widgets_initial_phase', 'initial states no longer declared: trigger gone');
CALL common.drop_state_machine('scratch.widgets', 'phase');
SELECT ok(
    NOT EXISTS (
        SELECT FROM common.state_transitions
        WHERE table_name = 'widgets' AND column_name = 'phase'
    )
    AND NOT EXISTS (
        SELECT FROM pg_trigger
        WHERE tgname = 'widgets_phase_transition'
    ),
    'drop_state_machine removes the declaration, its moves and its trigger'
);
SELECT throws_ok(
    $$CALL common.drop_state_machine('scratch.widgets', 'phase')$$,
    '42704', NULL, 'drop_state_machine of an undeclared machine fails (a rollback must find what it undoes)'
);

-- 11: immutable columns, fixed and set-once
SELECT throws_ok(
    $$CALL common.define_immutable_columns('scratch.widgets', '{serial_no, nope}')$$,
    '42703', 'define_immutable_columns: scratch.widgets has no column(s) {nope}',
    'define_immutable_columns: unknown column'
);
SELECT throws_ok(
    $$CALL common.define_immutable_columns('scratch.widgets', '{}')$$,
    '22023', NULL, 'define_immutable_columns: at least one column'
);
CALL common.define_immutable_columns('scratch.widgets', '{serial_no, id}', '{sealed_at}');
SELECT set_eq(
    $$SELECT column_name, set_once FROM common.immutable_columns WHERE (schema_name, table_name) = ('scratch', 'widgets')$$,
    $$VALUES ('id', false), ('serial_no', false), ('sealed_at', true)$$,
    'define_immutable_columns records fixed and set-once columns'
);
SELECT trigger_is('scratch', 'widgets', 'widgets_immutable_columns', 'common', 'tg__forbid_change',
    'they compile into widgets_immutable_columns');
SELECT lives_ok(
    $$UPDATE scratch.widgets SET note = 'n', sealed_at = '2030-01-01Z' WHERE id = 1$$,
    'other columns change, and a set-once column may be set once'
);
SELECT is(
    pg_temp.error_fields($$UPDATE scratch.widgets SET serial_no = 'w-2' WHERE id = 1$$),
    ARRAY['CD003', 'widgets_serial_no_immutable', 'widgets', ''],
    'a fixed column never changes: CD003 naming widgets_serial_no_immutable'
);
SELECT throws_ok(
    $$UPDATE scratch.widgets SET sealed_at = NULL WHERE id = 1$$,
    'CD003', 'widgets: sealed_at may not change', 'a set-once column never changes once set, not even to NULL'
);
SELECT throws_ok(
    $$UPDATE scratch.widgets SET sealed_at = now(), id = 2 WHERE id = 1$$,
    'CD003', 'widgets: id may not change', 'fixed columns are reported before set-once ones, in column order'
);
SELECT lives_ok(
    $$UPDATE scratch.widgets SET serial_no = serial_no, sealed_at = sealed_at WHERE id = 1$$,
    'writing the same values is no change'
);
CALL common.drop_immutable_columns('scratch.widgets');
SELECT lives_ok(
    $$UPDATE scratch.widgets SET serial_no = 'w-3' WHERE id = 1$$, 'drop_immutable_columns removes the rule'
);
SELECT is_empty(
    $$SELECT 1 FROM common.immutable_columns WHERE table_name = 'widgets'$$, 'and the declaration'
);

-- 7: append-only, for the owner too
CALL common.define_append_only('scratch.widgets');
CALL common.define_append_only('scratch.widgets');
SELECT results_eq(
    $$SELECT count(*)::int FROM common.append_only_tables WHERE (schema_name, table_name) = ('scratch', 'widgets')$$,
    ARRAY[1], 'define_append_only records the table once (declaring again changes nothing)'
);
SELECT throws_ok(
    $$UPDATE scratch.widgets SET note = 'x'$$, 'CD003', 'widgets: rows are append-only (UPDATE refused)',
    'append-only: UPDATE refused'
);
SELECT throws_ok(
    $$DELETE FROM scratch.widgets$$, 'CD003', 'widgets: rows are append-only (DELETE refused)',
    'append-only: DELETE refused'
);
SELECT throws_ok(
    $$TRUNCATE scratch.widgets$$, 'CD003', 'widgets: rows are append-only (TRUNCATE refused)',
    'append-only: TRUNCATE refused'
);
SELECT is(
    pg_temp.error_fields($$DELETE FROM scratch.widgets$$),
    ARRAY['CD003', 'widgets_append_only', 'widgets', ''],
    'append-only names the pseudo-constraint widgets_append_only'
);
CALL common.drop_append_only('scratch.widgets');
SELECT lives_ok($$DELETE FROM scratch.widgets$$, 'drop_append_only removes the rule');
SELECT throws_ok(
    $$CALL common.drop_append_only('scratch.widgets')$$, '42704', NULL, 'dropping it twice fails'
);

-- 9: the raise helpers of rule functions
SELECT is(
    pg_temp.error_fields($$SELECT common.raise_not_found('scratch.widgets', '42')$$),
    ARRAY['CD005', '', 'widgets', 'key=42'],
    'raise_not_found: CD005, the key in DETAIL'
);
SELECT throws_ok(
    $$SELECT common.raise_not_found('scratch.widgets', '42')$$, 'CD005', 'widgets: 42 not found',
    'raise_not_found: its message'
);
SELECT is(
    pg_temp.error_fields($$SELECT common.raise_forbidden_transition('scratch.widgets', 'review_status', 'live', 'live')$$),
    ARRAY['CD001', 'widgets_status_transition', 'widgets', 'from=live to=live'],
    'raise_forbidden_transition: what the state machine''s trigger raises'
);
SELECT throws_ok(
    $$SELECT common.raise_forbidden_transition('scratch.widgets', 'phase', 'gone', 'live')$$,
    'CD001', 'widgets: phase may not change from gone to live', 'raise_forbidden_transition: its message'
);
SELECT is(
    pg_temp.error_fields(
        $$SELECT common.raise_precondition_failed('scratch.widgets', 'widgets_sealed', 'widget 1 is sealed', 'id=1')$$
    ),
    ARRAY['CD007', 'widgets_sealed', 'widgets', 'id=1'],
    'raise_precondition_failed: CD007 naming the rule, DETAIL as given'
);
SELECT throws_ok(
    $$SELECT common.raise_precondition_failed('scratch.widgets', 'widgets_sealed', 'widget 1 is sealed', NULL)$$,
    'CD007', 'widgets: widget 1 is sealed', 'raise_precondition_failed: its message'
);
SELECT is(
    pg_temp.rule_error($$SELECT common.raise_precondition_failed('scratch.widgets', 'widgets_sealed', 'x', 'id=1')$$),
    'widgets_sealed | id=1', 'rule_error: constraint | detail'
);
SELECT is(pg_temp.rule_error($$SELECT 1$$), NULL, 'rule_error: NULL when nothing is raised');
SELECT throws_ok(
    $$SELECT pg_temp.error_fields('SELECT 1/0')$$, '22012', NULL,
    'error_fields lets an unexpected error through (it is no EXCEPTION WHEN others)'
);

-- 4: privileges of the declarations and helpers
SELECT ok(
    has_table_privilege('chaindb_app', 'common.state_transitions', 'SELECT')
    AND has_table_privilege('chaindb_readonly', 'common.state_machines', 'SELECT')
    AND NOT has_table_privilege('chaindb_app', 'common.state_transitions', 'INSERT'),
    'both roles read the declarations; neither writes them'
);
SELECT ok(
    NOT has_function_privilege('chaindb_app', 'common.define_state_machine(regclass, text, text[], text[], text)', 'EXECUTE')
    AND NOT has_function_privilege('chaindb_app', 'common.compile_state_machine(regclass, text)', 'EXECUTE')
    AND NOT has_function_privilege('chaindb_app', 'common.drop_append_only(regclass)', 'EXECUTE'),
    'only the owner declares and compiles'
);
SELECT ok(
    has_function_privilege('chaindb_app', 'common.raise_not_found(regclass, text)', 'EXECUTE')
    AND has_function_privilege('chaindb_app', 'common.state_label(text)', 'EXECUTE'),
    'chaindb_app runs the raise helpers and what the trigger functions call on their error path'
);
SELECT is(
    pg_temp.error_fields($$SELECT pg_temp.as_role('chaindb_app', 'SELECT common.raise_not_found(''cocopay.payouts'', ''7'')')$$),
    ARRAY['CD005', '', 'payouts', 'key=7'],
    'as_role runs a statement as chaindb_app (and raise_not_found works for it)'
);

-- Every declaration of every schema. Recompiling gives the same triggers (definition and comment):
-- the declarations and the triggers cannot drift apart.
CALL common.drop_state_machine('scratch.widgets', 'review_status');
DROP TABLE scratch.widgets;
DROP TYPE scratch.phase;
DROP SCHEMA scratch;
CREATE TEMP TABLE generic_triggers AS
SELECT
    t.tgrelid::regclass::text AS tbl,
    t.tgname::text AS trg,
    pg_get_triggerdef(t.oid) AS def,
    obj_description(t.oid, 'pg_trigger') AS comment
FROM pg_trigger AS t
WHERE t.tgfoid IN (
    'common.tg__forbid_transition()'::regprocedure, 'common.tg__forbid_initial_state()'::regprocedure,
    'common.tg__forbid_change()'::regprocedure, 'common.tg__append_only()'::regprocedure
);
-- 3
SELECT set_eq(
    $$SELECT tbl, trg FROM pg_temp.generic_triggers$$,
    $$SELECT format('%I.%I', schema_name, table_name) AS tbl,
             format('%s_%s_transition', table_name, common.state_label(column_name)) AS trg
      FROM common.state_machines
      UNION ALL
      SELECT format('%I.%I', schema_name, table_name), format('%s_initial_%s', table_name, common.state_label(column_name))
      FROM common.state_machines WHERE initial_states IS NOT NULL
      UNION
      SELECT format('%I.%I', schema_name, table_name), table_name || '_immutable_columns' FROM common.immutable_columns
      UNION ALL
      SELECT format('%I.%I', schema_name, table_name), table_name || suffix
      FROM common.append_only_tables, unnest(ARRAY['_append_only', '_append_only_truncate']) AS suffix
      UNION ALL
      SELECT p.relid::regclass::text, a.table_name || suffix
      FROM common.append_only_tables AS a,
           pg_partition_tree(format('%I.%I', a.schema_name, a.table_name)::regclass) AS p,
           unnest(ARRAY['_append_only', '_append_only_truncate']) AS suffix
      WHERE p.level > 0$$,
    'the generic triggers are exactly those the declarations compile to (on every partition of a partitioned '
    || 'table too): none without a declaration'
);
SELECT cmp_ok(
    (SELECT count(*)::int FROM pg_temp.generic_triggers), '>=', 20,
    'the declarations of cocopay and authenticity are there (at least 20 generic triggers)'
);
SELECT cmp_ok(
    (
        SELECT count(*)::int FROM pg_temp.generic_triggers AS g
        WHERE g.tbl ~ '_(p[0-9]{6}|default)$' AND g.trg ~ '_append_only_truncate$'
    ), '>=', 4,
    'the partitions of cocopay''s partitioned append-only tables are among them, with their TRUNCATE triggers'
);
SELECT common.compile_state_machine(format('%I.%I', schema_name, table_name)::regclass, column_name)
FROM common.state_machines;
SELECT common.compile_immutable_columns(format('%I.%I', schema_name, table_name)::regclass)
FROM (
    SELECT DISTINCT
        schema_name,
        table_name
    FROM common.immutable_columns
) AS t;
SELECT common.compile_append_only(format('%I.%I', schema_name, table_name)::regclass) FROM common.append_only_tables;
SELECT set_eq(
    $$SELECT t.tgrelid::regclass::text, t.tgname::text, pg_get_triggerdef(t.oid), obj_description(t.oid, 'pg_trigger')
      FROM pg_trigger AS t
      WHERE t.tgfoid IN (
          'common.tg__forbid_transition()'::regprocedure, 'common.tg__forbid_initial_state()'::regprocedure,
          'common.tg__forbid_change()'::regprocedure, 'common.tg__append_only()'::regprocedure
      )$$,
    $$SELECT * FROM pg_temp.generic_triggers$$,
    'every declared trigger is what its declaration compiles to today (definition and comment)'
);

SELECT * FROM finish();
ROLLBACK;
