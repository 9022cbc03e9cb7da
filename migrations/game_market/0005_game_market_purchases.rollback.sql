-- Undoes 0005_game_market_purchases.

REVOKE ALL ON game_market.purchases FROM chaindb_app, chaindb_readonly;

CALL common.drop_immutable_columns('game_market.purchases');

CALL common.drop_state_machine('game_market.purchases', 'status');

DROP TABLE game_market.purchases;
