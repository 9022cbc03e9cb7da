-- tips: every state machine, exhaustively, from its declaration (common.state_machines): one line per
-- machine (tests/pgtap/helpers.psql).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(4);
\ir ../helpers.psql

SELECT pg_temp.state_machine_ok('tips.event_verifications', 'status');
SELECT pg_temp.state_machine_ok('tips.reflect_payouts', 'status');
SELECT pg_temp.state_machine_ok('tips.dynamic_sessions', 'status');
SELECT pg_temp.state_machines_tested('tips');

SELECT * FROM finish();
ROLLBACK;
