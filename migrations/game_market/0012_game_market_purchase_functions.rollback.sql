-- Undoes 0012_game_market_purchase_functions (dropping a function drops its grants and comment).

DROP FUNCTION game_market.refund_purchase(uuid);

DROP FUNCTION game_market.expire_invoice(text, text);

DROP FUNCTION game_market.settle_invoice(text, text);

DROP FUNCTION game_market.create_purchase(uuid, uuid, text, text, bigint);
