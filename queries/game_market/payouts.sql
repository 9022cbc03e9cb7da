-- Payouts of the developers' shares: create (settlement does it), claim for a worker, complete or fail an attempt, read.

-- name: payout_create(purchase_id)^
-- The payout of a paid purchase (game_market.create_payout), created once: settle_invoice already did, so this
-- returns that one. CD007 payouts_purchase_paid when the purchase is not paid, CD005 unknown purchase.
-- @one
SELECT p.* FROM game_market.create_payout(:purchase_id::uuid) AS p;

-- name: payout_claim(max_rows)
-- Claim up to max_rows (1 to 1000) payouts to send now (game_market.claim_payouts, FOR UPDATE SKIP LOCKED): pending
-- ones, failed ones past their backoff, sending ones past their lease. Each is now sending, attempt_count + 1: pay
-- destination_ln_address amount_msat with idempotency_key, then complete or fail that attempt.
SELECT p.* FROM game_market.claim_payouts(:max_rows::integer) AS p;

-- name: payout_complete(id)^
-- sending -> completed (game_market.complete_payout); a completed payout is returned unchanged. CD001 otherwise.
-- @one
SELECT p.* FROM game_market.complete_payout(:id::uuid) AS p;

-- name: payout_fail(id, attempt_count, error)^
-- sending -> failed with the error, for the attempt claimed (game_market.fail_payout): CD007 payouts_attempt_current
-- when the payout was claimed again since. The same attempt failed already: returned unchanged. CD001 otherwise.
-- @one
SELECT p.* FROM game_market.fail_payout(:id::uuid, :attempt_count::integer, :error::text) AS p;

-- name: payout_get(id)^
-- One payout by id.
SELECT p.* FROM game_market.payouts AS p
WHERE p.id = :id::uuid;

-- name: payout_get_by_purchase(purchase_id)^
-- A purchase's payout.
SELECT p.* FROM game_market.payouts AS p
WHERE p.purchase_id = :purchase_id::uuid;

-- name: payout_list_by_developer(developer_user_id, max_rows)
-- A developer's payouts, newest first.
SELECT p.*
FROM game_market.payouts AS p
WHERE p.developer_user_id = :developer_user_id::uuid
ORDER BY p.created_at DESC, p.id ASC
LIMIT :max_rows::integer;
