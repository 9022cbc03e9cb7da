-- Undoes 0010_game_market_catalog_functions (dropping a function drops its grants and comment).

DROP FUNCTION game_market.unlist_game(uuid);

DROP FUNCTION game_market.publish_game(uuid);

DROP FUNCTION game_market.publish_release(uuid);
