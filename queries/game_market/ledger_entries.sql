-- The ledger (written by the database only, append-only) and the fee rule it applies.

-- name: ledger_entry_list_by_purchase(purchase_id)
-- A purchase's entries: sale, platform_fee, developer_share and, once refunded, their refund mirrors.
SELECT e.*
FROM game_market.ledger_entries AS e
WHERE e.purchase_id = :purchase_id::uuid
ORDER BY e.created_at ASC, e.type ASC;

-- name: fee_rate_get_for_game(game_id)$
-- The platform fee (basis points) a sale of the game would pay now: the game's rate, else the default.
SELECT game_market.fee_bps_for_game(:game_id::uuid);
