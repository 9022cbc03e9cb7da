-- common: both sides of the CHECKs of the rule declarations (pg_temp.check_verdict: the CHECKs alone,
-- no trigger and no foreign key firing) and of the clock's one row (pg_temp.verdict); nothing left behind.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(6);
\ir ../helpers.psql

SELECT is(
    pg_temp.check_verdict('common.state_machines', '{"schema_name": "s", "table_name": "t", "column_name": "c",
        "enum_type": "common.state_machines", "initial_states": ["a"]}'),
    'admitted', 'a machine with one initial state is admitted'
);
SELECT is(
    pg_temp.check_verdict('common.state_machines', '{"schema_name": "s", "table_name": "t", "column_name": "c",
        "enum_type": "common.state_machines", "initial_states": []}'),
    '23514 state_machines_initial_states_check', 'a machine with an empty list of initial states is refused'
);
SELECT is(
    pg_temp.check_verdict('common.state_transitions', '{"schema_name": "s", "table_name": "t", "column_name": "c",
        "from_state": "a", "to_state": "b"}'),
    'admitted', 'a move from a state to another is admitted'
);
SELECT is(
    pg_temp.check_verdict('common.state_transitions', '{"schema_name": "s", "table_name": "t", "column_name": "c",
        "from_state": "a", "to_state": "a"}'),
    '23514 state_transitions_check', 'a move from a state to itself is refused (keeping a state always passes)'
);
SELECT is(
    pg_temp.verdict($$UPDATE common.clock SET offset_by = interval '1 hour' WHERE id$$),
    'admitted', 'the clock''s one row (id true) is admitted'
);
SELECT is(
    pg_temp.verdict($$UPDATE common.clock SET id = false$$),
    '23514 clock_id_check', 'a clock row whose id is false is refused: the table holds one row'
);

SELECT * FROM finish();
ROLLBACK;
