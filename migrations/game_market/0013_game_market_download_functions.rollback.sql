-- Undoes 0013_game_market_download_functions (dropping a function drops its grants and comment).

DROP FUNCTION game_market.record_download(uuid, uuid, inet, text);
