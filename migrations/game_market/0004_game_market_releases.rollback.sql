-- Undoes 0004_game_market_releases.

REVOKE ALL ON game_market.build_assets FROM chaindb_app, chaindb_readonly;

CALL common.drop_immutable_columns('game_market.build_assets');

DROP TABLE game_market.build_assets;

REVOKE ALL ON game_market.releases FROM chaindb_app, chaindb_readonly;

CALL common.drop_immutable_columns('game_market.releases');

DROP TABLE game_market.releases;
