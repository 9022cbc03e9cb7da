-- game_market: every state machine, exhaustively, from its declaration (common.state_machines): one line per machine
-- (tests/pgtap/helpers.psql). The functions that move them are tested in 03, 04, 05 and 08.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(4);
\ir ../helpers.psql

SELECT pg_temp.state_machine_ok('game_market.games', 'status');
SELECT pg_temp.state_machine_ok('game_market.purchases', 'status');
SELECT pg_temp.state_machine_ok('game_market.payouts', 'status');
SELECT pg_temp.state_machines_tested('game_market');

SELECT * FROM finish();
ROLLBACK;
