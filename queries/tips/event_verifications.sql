-- Verifications: the worker's claim, its outcomes (verified, failed, released for a retry), reads.

-- name: verification_claim(max_rows, lease)
-- Claims up to max_rows pending verifications that are due, with what the worker checks on chain (the event's
-- host, signer, amount, mint) (tips.claim_verifications: FOR UPDATE SKIP LOCKED, held by a lease of `lease`).
-- Every row carries the claim's token, which the outcome needs. 22023 for max_rows outside 1-1000 or a lease
-- outside 1 second-1 hour.
-- @not-null id, event_id, status, signature, helius_response, created_at, attempt_count, claim_token
-- @not-null available_at
SELECT
    v.*,
    e.host,
    e.signer,
    e.amount,
    e.mint
FROM tips.claim_verifications(:max_rows::integer, :lease::interval) AS v
INNER JOIN tips.events AS e ON v.event_id = e.id
ORDER BY v.created_at, v.id;

-- name: verification_verify(id, claim_token, slot, helius_response)^
-- pending -> verified with the slot and the answer's subset (tips.verify_event). CD007
-- event_verifications_claim_held when the claim is gone, CD001 when decided already.
-- @one
SELECT v.*
FROM tips.verify_event(:id::uuid, :claim_token::uuid, :slot::bigint, :helius_response::jsonb) AS v;

-- name: verification_fail(id, claim_token, error_code, slot, helius_response)^
-- pending -> failed with the error code, the slot when the transaction was found, and the answer's subset
-- (tips.fail_verification). CD007 event_verifications_claim_held, CD001 decided already.
-- @nullable-param slot
-- @one
SELECT v.*
FROM tips.fail_verification(
    :id::uuid, :claim_token::uuid, :error_code::varchar, :slot::bigint, :helius_response::jsonb
) AS v;

-- name: verification_release(id, claim_token, retry_in)^
-- Gives a claimed verification back undecided, claimable again after retry_in (tips.release_verification).
-- CD007 event_verifications_claim_held, CD001 decided already, 22023 retry_in outside 0-1 day.
-- @one
SELECT v.*
FROM tips.release_verification(:id::uuid, :claim_token::uuid, :retry_in::interval) AS v;

-- name: verification_get_by_event(event_id)^
-- The verification of an event; None when the event is unknown.
SELECT v.* FROM tips.event_verifications AS v
WHERE v.event_id = :event_id::varchar;

-- name: verification_count_by_status()
-- How many verifications are in each state (states with none are left out).
-- @not-null *
SELECT
    v.status,
    count(*) AS verifications
FROM tips.event_verifications AS v
GROUP BY v.status
ORDER BY v.status;
