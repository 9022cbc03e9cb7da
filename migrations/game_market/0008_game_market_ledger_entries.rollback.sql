-- Undoes 0008_game_market_ledger_entries. The entries and the fee rates are gone with their
-- tables; applied again, the migration installs the default rate (1000 bps) only.

REVOKE ALL ON game_market.ledger_entries FROM chaindb_app, chaindb_readonly;

DROP TRIGGER ledger_entries_balanced ON game_market.ledger_entries;

-- squawk-ignore ban-drop-function
DROP FUNCTION game_market.tg_ledger_entries__balanced();

CALL common.drop_append_only('game_market.ledger_entries');

DROP TABLE game_market.ledger_entries;

DROP FUNCTION game_market.fee_bps_for_game(uuid);

REVOKE ALL ON game_market.fee_rates FROM chaindb_app, chaindb_readonly;

CALL common.drop_immutable_columns('game_market.fee_rates');

DROP TABLE game_market.fee_rates;
