-- Verify intents: issue on scan, read, expire the stale ones. Confirmation is in verifications.sql.

-- name: verify_intent_issue(commitment, reward_lamports, ttl, verify_intent_id)^
-- Issue an intent for the scanned code (by commitment) of an ACTIVE batch, not verified yet, expiring ttl (NULL: 5 minutes) after common.now(); verify_intent_id NULL: generated.
-- @nullable-param ttl, verify_intent_id
-- @one
-- @not-null id, verify_intent_id, batch_id, commitment, reward_lamports, status, expires_at, created_at
SELECT
    i.id,
    i.verify_intent_id,
    i.batch_id,
    i.commitment,
    i.reward_lamports,
    i.status,
    i.expires_at,
    i.created_at
FROM authenticity.issue_verify_intent(
    :commitment::bytea,
    :reward_lamports::bigint,
    coalesce(:ttl::interval, interval '5 minutes'),
    :verify_intent_id::text
) AS i;

-- name: verify_intent_get(verify_intent_id)^
-- One intent by its public id.
SELECT i.*
FROM authenticity.verify_intents AS i
WHERE i.verify_intent_id = :verify_intent_id::text;

-- name: verify_intent_list_open(commitment)
-- The intents of a code that can still be confirmed (ISSUED, not expired by the database's clock).
SELECT i.*
FROM authenticity.verify_intents AS i
WHERE
    i.commitment = :commitment::bytea
    AND i.status = 'ISSUED'
    AND i.expires_at > common.now()
ORDER BY i.created_at, i.id;

-- name: verify_intent_expire()$
-- Move every ISSUED intent past its expires_at by the database's clock to EXPIRED; returns how many.
-- @one
-- @not-null expired
SELECT authenticity.expire_verify_intents() AS expired;
