-- Payouts: request (by an accepted owner or admin), start processing, complete or fail, read.

-- name: payout_request(store_id, requested_by, amount_usd, payout_type, destination, fee_usd)^
-- A pending payout of a store (cocopay.request_payout): CD007 when requested_by is not an accepted owner or admin.
-- fee_usd NULL means 0 (23514 payouts_fee_usd_amount_usd_check when above the amount); created_at is common.now().
-- @nullable-param fee_usd
-- @one
SELECT p.*
FROM cocopay.request_payout(
    :store_id::uuid,
    :requested_by::uuid,
    :amount_usd::numeric,
    :payout_type::cocopay.payout_type,
    :destination::jsonb,
    :fee_usd::numeric
) AS p;

-- name: payout_start(id, external_id)^
-- pending -> processing, with the provider's id when known (cocopay.start_payout). CD005 unknown, CD001 not pending.
-- @nullable-param external_id
-- @one
SELECT p.* FROM cocopay.start_payout(:id::uuid, :external_id::varchar) AS p;

-- name: payout_complete(id, external_id)^
-- processing -> completed with processed_at = common.now() (cocopay.complete_payout). CD001 not processing.
-- @nullable-param external_id
-- @one
SELECT p.* FROM cocopay.complete_payout(:id::uuid, :external_id::varchar) AS p;

-- name: payout_fail(id, error_message)^
-- pending | processing -> failed with processed_at = common.now() (cocopay.fail_payout). CD001 when settled.
-- @one
SELECT p.* FROM cocopay.fail_payout(:id::uuid, :error_message::text) AS p;

-- name: payout_get(id)^
-- One payout by id.
SELECT p.* FROM cocopay.payouts AS p
WHERE p.id = :id::uuid;

-- name: payout_list_by_store(store_id)
-- A store's payouts, newest first.
SELECT p.*
FROM cocopay.payouts AS p
WHERE p.store_id = :store_id::uuid
ORDER BY p.created_at DESC, p.id ASC;

-- name: payout_list_open(max_rows)
-- Payouts still to be processed or settled (pending, processing), oldest first.
SELECT p.*
FROM cocopay.payouts AS p
WHERE p.status IN ('pending', 'processing')
ORDER BY p.created_at, p.id
LIMIT :max_rows::integer;
