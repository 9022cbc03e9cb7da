-- common: both sides of the CHECKs of the rule declarations and of the partitions' declarations
-- (pg_temp.check_verdict: the CHECKs alone, no trigger and no foreign key firing) and of the clock's
-- one row (pg_temp.verdict); nothing left behind.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(13);
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
    pg_temp.check_verdict('common.partitioned_tables', '{"schema_name": "s", "table_name": "t", "premake_months": 0}'),
    'admitted', 'no month made ahead, kept for ever (no retention)'
);
SELECT is(
    pg_temp.check_verdict('common.partitioned_tables', '{"schema_name": "s", "table_name": "t", "premake_months": 24,
        "retention": "00:00:00.000001"}'),
    'admitted', '24 months ahead, a retention of a microsecond'
);
SELECT is(
    pg_temp.check_verdict('common.partitioned_tables', '{"schema_name": "s", "table_name": "t", "premake_months": -1}'),
    '23514 partitioned_tables_premake_months_check', 'a negative number of months ahead is refused'
);
SELECT is(
    pg_temp.check_verdict('common.partitioned_tables', '{"schema_name": "s", "table_name": "t", "premake_months": 25}'),
    '23514 partitioned_tables_premake_months_check', 'more than 24 months ahead is refused'
);
SELECT is(
    pg_temp.check_verdict('common.partitioned_tables', '{"schema_name": "s", "table_name": "t", "premake_months": 1,
        "retention": "0"}'),
    '23514 partitioned_tables_retention_check', 'a retention of zero is refused'
);
SELECT is(
    pg_temp.check_verdict('common.partitioned_tables', '{"schema_name": "s", "table_name": "t", "premake_months": 1,
        "retention": "-1 day"}'),
    '23514 partitioned_tables_retention_check', 'a negative retention is refused'
);
SELECT is(
    pg_temp.check_verdict('common.partitioned_tables', '{"schema_name": "s", "table_name": "t", "premake_months": 1,
        "retention": "1 month"}'),
    'admitted', 'a retention of a month'
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
