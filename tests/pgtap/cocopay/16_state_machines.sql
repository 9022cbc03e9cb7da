-- cocopay: every state machine, exhaustively, from its declaration (common.state_machines):
-- one line per machine (tests/pgtap/helpers.psql).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(5);
\ir ../helpers.psql

SELECT pg_temp.state_machine_ok('cocopay.transactions', 'status');
SELECT pg_temp.state_machine_ok('cocopay.payouts', 'status');
SELECT pg_temp.state_machine_ok('cocopay.stores', 'deployment_status');
SELECT pg_temp.state_machine_ok('cocopay.store_deployments', 'status');
SELECT pg_temp.state_machines_tested('cocopay');

SELECT * FROM finish();
ROLLBACK;
