-- bloxtr8: every state machine, exhaustively, from its declaration (common.state_machines): one line per machine
-- (tests/pgtap/helpers.psql); every ordered pair of labels and every initial state.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(9);
\ir ../helpers.psql

SELECT pg_temp.state_machine_ok('bloxtr8.listings', 'status');
SELECT pg_temp.state_machine_ok('bloxtr8.offers', 'status');
SELECT pg_temp.state_machine_ok('bloxtr8.contracts', 'status');
SELECT pg_temp.state_machine_ok('bloxtr8.contract_execution_jobs', 'status');
SELECT pg_temp.state_machine_ok('bloxtr8.escrows', 'status');
SELECT pg_temp.state_machine_ok('bloxtr8.deliveries', 'status');
SELECT pg_temp.state_machine_ok('bloxtr8.disputes', 'status');
SELECT pg_temp.state_machine_ok('bloxtr8.asset_verifications', 'verification_status');
SELECT pg_temp.state_machines_tested('bloxtr8');

SELECT * FROM finish();
ROLLBACK;
