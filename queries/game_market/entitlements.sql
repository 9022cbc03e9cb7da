-- Entitlements: may this user, or the holder of this receipt, download the game? A library. (Entitlements are made
-- and revoked by the database only: game_market.settle_invoice and refund_purchase.)

-- name: entitlement_check_user(buyer_user_id, game_id)^
-- The user's unrevoked entitlement to the game (the first granted); None when the user may not download it.
-- An access decision: read on the primary only (a refund revokes at once).
-- @primary
SELECT e.*
FROM game_market.entitlements AS e
WHERE e.buyer_user_id = :buyer_user_id::uuid AND e.game_id = :game_id::uuid AND e.revoked_at IS NULL
ORDER BY e.granted_at ASC, e.id ASC
LIMIT 1;

-- name: entitlement_check_receipt(guest_receipt_code)^
-- The unrevoked entitlement of a guest's receipt code; None when the code grants nothing (unknown, unpaid or refunded).
-- An access decision: read on the primary only (a refund revokes at once).
-- @primary
SELECT e.*
FROM game_market.entitlements AS e
WHERE e.guest_receipt_code = :guest_receipt_code::text AND e.revoked_at IS NULL;

-- name: entitlement_get_by_purchase(purchase_id)^
-- A purchase's entitlement, revoked or not; None while the purchase is unpaid.
SELECT e.* FROM game_market.entitlements AS e
WHERE e.purchase_id = :purchase_id::uuid;

-- name: entitlement_list_by_user(buyer_user_id)
-- A user's library: their unrevoked entitlements, newest first.
SELECT e.*
FROM game_market.entitlements AS e
WHERE e.buyer_user_id = :buyer_user_id::uuid AND e.revoked_at IS NULL
ORDER BY e.granted_at DESC, e.id ASC;
