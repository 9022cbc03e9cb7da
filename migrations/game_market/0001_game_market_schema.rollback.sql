-- Undoes 0001_game_market_schema (dropping an object drops its grants and comment).

DROP FUNCTION game_market.is_lightning_address(text);

DROP FUNCTION game_market.is_pubkey(text);

DROP TYPE game_market.ledger_entry_type;

DROP TYPE game_market.payout_status;

DROP TYPE game_market.purchase_status;

DROP TYPE game_market.game_status;

DROP SCHEMA game_market;
