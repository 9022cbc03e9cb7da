-- Verifications: confirm an intent and record the outcome in one call; history.

-- name: verification_confirm(verify_intent_id, user_id, tx_signature)^
-- Confirm an ISSUED intent not expired by the database's clock and record its verification in one transaction: SUCCESS paying the intent's reward, or FAIL (ALREADY_VERIFIED, BATCH_NOT_ACTIVE) when another confirmation won or the batch is not ACTIVE.
-- @one
-- @not-null id, batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature, verified_at, result, intent_id
SELECT
    v.id,
    v.batch_id,
    v.user_id,
    v.commitment,
    v.code_pda,
    v.reward_lamports,
    v.tx_signature,
    v.verified_at,
    v.result,
    v.failure_reason,
    v.intent_id
FROM authenticity.confirm_verification(:verify_intent_id::text, :user_id::uuid, :tx_signature::text) AS v;

-- name: verification_fail(verify_intent_id, user_id, tx_signature, failure_reason)^
-- Record a FAIL verification with a reason (e.g. the chain refused the transaction) and fail the ISSUED intent (verified_at = common.now()).
-- @one
-- @not-null id, batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature, verified_at, result, intent_id
SELECT
    v.id,
    v.batch_id,
    v.user_id,
    v.commitment,
    v.code_pda,
    v.reward_lamports,
    v.tx_signature,
    v.verified_at,
    v.result,
    v.failure_reason,
    v.intent_id
FROM authenticity.fail_verification(
    :verify_intent_id::text, :user_id::uuid, :tx_signature::text, :failure_reason::text
) AS v;

-- name: verification_list_by_user(user_id)
-- A user's verification history, newest first, with the batch's public id.
SELECT
    v.id,
    v.batch_id,
    v.user_id,
    v.commitment,
    v.code_pda,
    v.reward_lamports,
    v.tx_signature,
    v.verified_at,
    v.result,
    v.failure_reason,
    v.intent_id,
    b.batch_public_id
FROM authenticity.verifications AS v
INNER JOIN authenticity.batches AS b ON v.batch_id = b.id
WHERE v.user_id = :user_id::uuid
ORDER BY v.verified_at DESC, v.id ASC;

-- name: verification_list_by_commitment(commitment)
-- Every verification of a code, oldest first: at most one SUCCESS, any number of FAILs.
SELECT v.*
FROM authenticity.verifications AS v
WHERE v.commitment = :commitment::bytea
ORDER BY v.verified_at, v.id;

-- name: verification_get_success(commitment)^
-- The SUCCESS verification of a code, if any (an exactly-once check): read on the primary only.
-- @primary
SELECT v.*
FROM authenticity.verifications AS v
WHERE v.commitment = :commitment::bytea AND v.result = 'SUCCESS';

-- name: verification_reward_total_by_user(user_id)$
-- Lamports paid to a user in rewards (the sum over its SUCCESS verifications; 0 when none).
-- @one
-- @not-null reward_lamports
SELECT coalesce(sum(v.reward_lamports), 0)::bigint AS reward_lamports
FROM authenticity.verifications AS v
WHERE v.user_id = :user_id::uuid AND v.result = 'SUCCESS';
