-- Undoes 0011_game_market_payout_functions (dropping a function drops its grants and comment).

DROP FUNCTION game_market.fail_payout(uuid, integer, text);

DROP FUNCTION game_market.complete_payout(uuid);

DROP FUNCTION game_market.claim_payouts(integer);

DROP FUNCTION game_market.create_payout(uuid);
