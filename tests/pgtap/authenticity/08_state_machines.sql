-- authenticity: every state machine, exhaustively, from its declaration (common.state_machines):
-- one line per machine (tests/pgtap/helpers.psql).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(4);
\ir ../helpers.psql

SELECT pg_temp.state_machine_ok('authenticity.batches', 'status');
SELECT pg_temp.state_machine_ok('authenticity.code_packs', 'status');
SELECT pg_temp.state_machine_ok('authenticity.verify_intents', 'status');
SELECT pg_temp.state_machines_tested('authenticity');

SELECT * FROM finish();
ROLLBACK;
