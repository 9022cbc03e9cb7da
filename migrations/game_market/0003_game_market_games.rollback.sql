-- Undoes 0003_game_market_games.

REVOKE ALL ON game_market.games FROM chaindb_app, chaindb_readonly;

CALL common.drop_immutable_columns('game_market.games');

CALL common.drop_state_machine('game_market.games', 'status');

DROP TABLE game_market.games;
