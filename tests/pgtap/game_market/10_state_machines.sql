-- game_market: every state machine, exhaustively, from its declaration (common.state_machines): one line per machine
-- (tests/pgtap/helpers.psql). The functions that move them are tested in 03, 04, 05 and 08. The declarations
-- themselves are written out below as the specification: a move or an initial state declared that the schema does
-- not mean to allow (state_machine_ok would test it as declared) makes these fail.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(6);
\ir ../helpers.psql

SELECT pg_temp.state_machine_ok('game_market.games', 'status');
SELECT pg_temp.state_machine_ok('game_market.purchases', 'status');
SELECT pg_temp.state_machine_ok('game_market.payouts', 'status');
SELECT pg_temp.state_machines_tested('game_market');

SELECT set_eq(
    $$SELECT table_name::text, from_state::text, to_state::text FROM common.state_transitions
      WHERE schema_name = 'game_market' AND column_name = 'status'$$,
    $$VALUES
        ('games', 'draft', 'published'), ('games', 'published', 'unlisted'), ('games', 'unlisted', 'published'),
        ('purchases', 'pending', 'paid'), ('purchases', 'pending', 'expired'), ('purchases', 'expired', 'paid'),
        ('purchases', 'paid', 'refunded'),
        ('payouts', 'pending', 'sending'), ('payouts', 'pending', 'cancelled'), ('payouts', 'sending', 'completed'),
        ('payouts', 'sending', 'failed'), ('payouts', 'sending', 'cancelled'), ('payouts', 'failed', 'sending'),
        ('payouts', 'failed', 'cancelled')$$,
    'the moves: games draft -> published <-> unlisted (games_status_transition); purchases pending -> paid | '
    || 'expired, expired -> paid, paid -> refunded (purchases_status_transition); payouts pending -> sending | '
    || 'cancelled, sending -> completed | failed | cancelled, failed -> sending | cancelled (payouts_status_transition)'
);
SELECT set_eq(
    $$SELECT table_name::text, initial_states::text FROM common.state_machines WHERE schema_name = 'game_market'$$,
    $$VALUES ('games', '{draft}'), ('purchases', '{pending}'), ('payouts', '{pending}')$$,
    'every row starts in one state: a draft game, a pending purchase, a pending payout '
    || '(games_initial_status, purchases_initial_status, payouts_initial_status)'
);

SELECT * FROM finish();
ROLLBACK;
