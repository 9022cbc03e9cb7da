-- Purchases: buy (as a user or a guest) against a Lightning invoice, the provider's webhooks (settled, expired),
-- refund, read.

-- name: purchase_create_for_user(game_id, buyer_user_id, invoice_provider, invoice_id, amount_msat)^
-- A pending purchase of a published game by a user, backed by the provider's invoice (game_market.create_purchase).
-- The same invoice again with the same details returns the same purchase; with other details CD002. CD007
-- purchases_game_published, CD005 unknown game.
-- @one
SELECT p.*
FROM game_market.create_purchase(
    :game_id::uuid, :buyer_user_id::uuid, :invoice_provider::text, :invoice_id::text, :amount_msat::bigint
) AS p;

-- name: purchase_create_for_guest(game_id, invoice_provider, invoice_id, amount_msat)^
-- A pending guest purchase (game_market.create_purchase): the database makes its guest_receipt_code, the guest's proof
-- of purchase. The same invoice again with the same details returns the same purchase and code; otherwise CD002.
-- @one
SELECT p.*
FROM game_market.create_purchase(
    :game_id::uuid, NULL::uuid, :invoice_provider::text, :invoice_id::text, :amount_msat::bigint
) AS p;

-- name: purchase_settle(invoice_provider, invoice_id)^
-- The settlement webhook (game_market.settle_invoice): pending | expired -> paid with the entitlement, the ledger split
-- and the payout, exactly once; a replayed or concurrent delivery returns the purchase unchanged. CD005 unknown invoice.
-- @one
SELECT p.* FROM game_market.settle_invoice(:invoice_provider::text, :invoice_id::text) AS p;

-- name: purchase_expire(invoice_provider, invoice_id)^
-- The expiry webhook (game_market.expire_invoice): pending -> expired; an expired purchase is returned unchanged.
-- CD001 when paid or refunded, CD005 unknown invoice.
-- @one
SELECT p.* FROM game_market.expire_invoice(:invoice_provider::text, :invoice_id::text) AS p;

-- name: purchase_refund(id)^
-- paid -> refunded (game_market.refund_purchase): entitlement revoked, refund entries, payout cancelled unless its money
-- left. A refunded purchase is returned unchanged. CD001 when pending or expired, CD005 unknown purchase.
-- @one
SELECT p.* FROM game_market.refund_purchase(:id::uuid) AS p;

-- name: purchase_get(id)^
-- One purchase by id.
SELECT p.* FROM game_market.purchases AS p
WHERE p.id = :id::uuid;

-- name: purchase_get_by_invoice(invoice_id)^
-- One purchase by its invoice id.
-- A webhook's look-up: read on the primary only.
-- @primary
SELECT p.* FROM game_market.purchases AS p
WHERE p.invoice_id = :invoice_id::text;

-- name: purchase_list_by_buyer(buyer_user_id)
-- A user's purchases, newest first.
SELECT p.*
FROM game_market.purchases AS p
WHERE p.buyer_user_id = :buyer_user_id::uuid
ORDER BY p.created_at DESC, p.id ASC;
