-- Payouts through Reflect: create (for a verified tip), the worker's claim and moves, reads.

-- name: payout_create(event_id, currency, amount)^
-- A pending payout of a verified event (tips.create_payout). CD007 reflect_payouts_event_verified when the event
-- is not verified, 23505 reflect_payouts_event_id_key when it has its payout already.
-- @one
SELECT p.* FROM tips.create_payout(:event_id::varchar, :currency::varchar, :amount::numeric) AS p;

-- name: payout_claim(status, max_rows, lease)
-- Claims up to max_rows due payouts in `status` (pending: to send; queued: to ask Reflect), with the host's
-- wallet, the payout's recipient (tips.claim_payouts: FOR UPDATE SKIP LOCKED, held by a lease). 22023 for another
-- status, max_rows outside 1-1000 or a lease outside 1 second-1 hour.
-- @not-null id, event_id, status, currency, amount, attempt_count, updated_at, created_at, claim_token
-- @not-null available_at
SELECT
    p.*,
    e.host
FROM tips.claim_payouts(:status::tips.payout_status, :max_rows::integer, :lease::interval) AS p
INNER JOIN tips.events AS e ON p.event_id = e.id
ORDER BY p.created_at, p.id;

-- name: payout_queue(id, claim_token, reflect_tip_id)^
-- pending -> queued under Reflect's id (tips.queue_payout); the claim stays. CD007 reflect_payouts_claim_held.
-- @one
SELECT p.* FROM tips.queue_payout(:id::uuid, :claim_token::uuid, :reflect_tip_id::varchar) AS p;

-- name: payout_settle(id, claim_token)^
-- queued -> settled (tips.settle_payout). CD001 not queued, CD007 reflect_payouts_claim_held.
-- @one
SELECT p.* FROM tips.settle_payout(:id::uuid, :claim_token::uuid) AS p;

-- name: payout_fail(id, claim_token, error)^
-- queued -> failed with Reflect's error (tips.fail_payout). CD001 not queued, CD007 reflect_payouts_claim_held.
-- @one
SELECT p.* FROM tips.fail_payout(:id::uuid, :claim_token::uuid, :error::text) AS p;

-- name: payout_cancel(id, claim_token, reason)^
-- pending | queued -> cancelled with the reason (tips.cancel_payout): by the claim's holder, or with no token (an
-- operator) a pending payout never sent (else CD007 reflect_payouts_cancel_unsent).
-- @nullable-param claim_token
-- @one
SELECT p.* FROM tips.cancel_payout(:id::uuid, :claim_token::uuid, :reason::text) AS p;

-- name: payout_release(id, claim_token, retry_in, error)^
-- Gives a claimed payout back in its state, claimable again after retry_in, with Reflect's error when given
-- (tips.release_payout). CD007 reflect_payouts_claim_held.
-- @nullable-param error
-- @one
SELECT p.* FROM tips.release_payout(:id::uuid, :claim_token::uuid, :retry_in::interval, :error::text) AS p;

-- name: payout_get_by_event(event_id)^
-- The payout of an event; None when it has none.
-- An exactly-once check before paying: read on the primary only.
-- @primary
SELECT p.* FROM tips.reflect_payouts AS p
WHERE p.event_id = :event_id::varchar;
