-- Undoes 0002_game_market_users.

REVOKE ALL ON game_market.developer_profiles FROM chaindb_app, chaindb_readonly;

CALL common.drop_immutable_columns('game_market.developer_profiles');

DROP TABLE game_market.developer_profiles;

REVOKE ALL ON game_market.users FROM chaindb_app, chaindb_readonly;

CALL common.drop_immutable_columns('game_market.users');

DROP TABLE game_market.users;
