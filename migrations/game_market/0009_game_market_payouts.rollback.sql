-- Undoes 0009_game_market_payouts.

REVOKE ALL ON game_market.payouts FROM chaindb_app, chaindb_readonly;

CALL common.drop_immutable_columns('game_market.payouts');

CALL common.drop_state_machine('game_market.payouts', 'status');

DROP TABLE game_market.payouts;
