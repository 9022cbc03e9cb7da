-- Undoes 0006_game_market_entitlements.

REVOKE ALL ON game_market.entitlements FROM chaindb_app, chaindb_readonly;

CALL common.drop_immutable_columns('game_market.entitlements');

DROP TABLE game_market.entitlements;
