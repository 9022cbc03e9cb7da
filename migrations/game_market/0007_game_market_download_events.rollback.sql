-- Undoes 0007_game_market_download_events. The download events and the salt are gone with their
-- tables: applied again, the migration makes a new salt (hashes made before no longer match).

REVOKE ALL ON game_market.download_events FROM chaindb_app, chaindb_readonly;

CALL common.drop_append_only('game_market.download_events');

DROP TABLE game_market.download_events;

REVOKE ALL ON game_market.ip_hash_salt FROM chaindb_readonly;

DROP TABLE game_market.ip_hash_salt;
