-- depends: 0013_authenticity_pack_functions
-- Verification functions (SECURITY DEFINER: the app role cannot write verify_intents or
-- verifications directly). The clock is injectable: p_now, default now().
--
--   issue_verify_intent(commitment, reward_lamports, ttl, now, verify_intent_id)
--       an ISSUED intent for a known code (CD005) of an ACTIVE batch (CD007), not verified yet
--       (CD007 verify_intents_code_unverified), expiring at now + ttl.
--   confirm_verification(verify_intent_id, user_id, tx_signature, now)
--       in one transaction: claims the intent (a guarded SELECT ... WHERE status = 'ISSUED' AND
--       expires_at > now FOR UPDATE: a second confirmation of the same intent waits, then finds
--       it settled: CD001; an expired one: CD006; unknown: CD005), records the verification and
--       settles the intent:
--         batch ACTIVE and no SUCCESS yet  -> SUCCESS paying the intent's reward_lamports,
--                                             intent CONFIRMED
--         another SUCCESS exists or wins   -> FAIL 'ALREADY_VERIFIED' (reward 0), intent FAILED
--         batch not ACTIVE                 -> FAIL 'BATCH_NOT_ACTIVE' (reward 0), intent FAILED
--       Races between intents of the same code are settled by verifications_commitment_success_key
--       through INSERT ... ON CONFLICT DO NOTHING: the loser waits for the winner's commit and
--       gets its FAIL row (returned, not raised), so the reward is paid exactly once.
--   fail_verification(verify_intent_id, user_id, tx_signature, failure_reason, now)
--       records a FAIL with the caller's reason (e.g. the chain refused the transaction) and
--       fails the intent; the intent must be ISSUED (CD001 otherwise).
--   expire_verify_intents(now)
--       ISSUED intents with expires_at <= now become EXPIRED; returns how many.
-- The pairing of an intent's outcome with its verification row is checked at commit by the
-- deferred constraint triggers verifications_intent_outcome and verify_intents_outcome_recorded
-- (0009): the row is written before the intent moves, so they must stay DEFERRED while these
-- functions run (they are, unless a caller sets them IMMEDIATE).

CREATE FUNCTION authenticity.issue_verify_intent(
    p_commitment bytea,
    p_reward_lamports bigint,
    p_ttl interval DEFAULT '5 minutes',
    p_now timestamptz DEFAULT NULL,
    p_verify_intent_id text DEFAULT NULL
)
RETURNS authenticity.verify_intents
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_now timestamptz := coalesce(p_now, now());
    v_batch_id uuid;
    v_row authenticity.verify_intents;
BEGIN
    SELECT p.batch_id INTO v_batch_id
    FROM authenticity.codes AS c
    INNER JOIN authenticity.code_packs AS p ON p.id = c.pack_id
    WHERE c.commitment = p_commitment;
    IF NOT FOUND THEN
        PERFORM authenticity.raise_not_found('codes', encode(p_commitment, 'hex'));
    END IF;
    IF EXISTS (
        SELECT FROM authenticity.verifications AS v WHERE v.commitment = p_commitment AND v.result = 'SUCCESS'
    ) THEN
        RAISE EXCEPTION 'verify_intents: code % was verified already', encode(p_commitment, 'hex')
            USING ERRCODE = 'CD007', CONSTRAINT = 'verify_intents_code_unverified', TABLE = 'verify_intents',
                  SCHEMA = 'authenticity';
    END IF;
    INSERT INTO authenticity.verify_intents AS i (
        verify_intent_id, batch_id, commitment, reward_lamports, expires_at, created_at
    )
    VALUES (
        coalesce(p_verify_intent_id, 'vi_' || replace(gen_random_uuid()::text, '-', '')),
        v_batch_id, p_commitment, p_reward_lamports, v_now + p_ttl, v_now
    )
    RETURNING i.* INTO v_row;
    RETURN v_row;
END
$fn$;

COMMENT ON FUNCTION authenticity.issue_verify_intent(bytea, bigint, interval, timestamptz, text) IS
'Issues a verify intent for the code with this commitment, expiring at coalesce(p_now, now()) + p_ttl. '
'CD005 unknown code, CD007 batch not ACTIVE or code already verified.';

CREATE FUNCTION authenticity.confirm_verification(
    p_verify_intent_id text, p_user_id uuid, p_tx_signature text, p_now timestamptz DEFAULT NULL
)
RETURNS authenticity.verifications
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_now timestamptz := coalesce(p_now, now());
    v_intent authenticity.verify_intents;
    v_batch_status authenticity.batch_status;
    v_pda text;
    v_reason text;
    v_row authenticity.verifications;
BEGIN
    SELECT * INTO v_intent
    FROM authenticity.verify_intents AS i
    WHERE i.verify_intent_id = p_verify_intent_id AND i.status = 'ISSUED' AND i.expires_at > v_now
    FOR UPDATE;
    IF NOT FOUND THEN
        SELECT * INTO v_intent FROM authenticity.verify_intents AS i WHERE i.verify_intent_id = p_verify_intent_id;
        IF NOT FOUND THEN
            PERFORM authenticity.raise_not_found('verify_intents', p_verify_intent_id);
        ELSIF v_intent.status <> 'ISSUED' THEN
            PERFORM common.forbid_transition('verify_intents', v_intent.status::text, 'CONFIRMED');
        END IF;
        RAISE EXCEPTION 'verify_intents: intent % expired at %', p_verify_intent_id, v_intent.expires_at
            USING ERRCODE = 'CD006', CONSTRAINT = 'verify_intents_expired', TABLE = 'verify_intents',
                  SCHEMA = 'authenticity', DETAIL = format('expires_at=%s now=%s', v_intent.expires_at, v_now);
    END IF;

    -- Share-lock the batch: a pause or close waits for this verification, or this one sees it.
    SELECT b.status INTO v_batch_status FROM authenticity.batches AS b WHERE b.id = v_intent.batch_id FOR SHARE;
    SELECT c.onchain_code_pda INTO v_pda FROM authenticity.codes AS c WHERE c.commitment = v_intent.commitment;

    IF v_batch_status = 'ACTIVE' THEN
        INSERT INTO authenticity.verifications AS v (
            batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature, verified_at, result, intent_id
        )
        VALUES (
            v_intent.batch_id, p_user_id, v_intent.commitment, v_pda, v_intent.reward_lamports, p_tx_signature,
            v_now, 'SUCCESS', v_intent.id
        )
        ON CONFLICT (commitment) WHERE result = 'SUCCESS' DO NOTHING
        RETURNING v.* INTO v_row;
        IF FOUND THEN
            UPDATE authenticity.verify_intents AS i SET status = 'CONFIRMED'
            WHERE i.id = v_intent.id AND i.status = 'ISSUED';
            RETURN v_row;
        END IF;
        v_reason := 'ALREADY_VERIFIED';
    ELSE
        v_reason := 'BATCH_NOT_ACTIVE';
    END IF;

    INSERT INTO authenticity.verifications AS v (
        batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature, verified_at, result,
        failure_reason, intent_id
    )
    VALUES (
        v_intent.batch_id, p_user_id, v_intent.commitment, v_pda, 0, p_tx_signature, v_now, 'FAIL',
        v_reason, v_intent.id
    )
    RETURNING v.* INTO v_row;
    UPDATE authenticity.verify_intents AS i SET status = 'FAILED' WHERE i.id = v_intent.id AND i.status = 'ISSUED';
    RETURN v_row;
END
$fn$;

COMMENT ON FUNCTION authenticity.confirm_verification(text, uuid, text, timestamptz) IS
'Confirms an ISSUED, unexpired intent and records its verification in one transaction: SUCCESS paying the '
'intent''s reward (intent CONFIRMED) when the batch is ACTIVE and the code has no SUCCESS yet, else a FAIL '
'row (ALREADY_VERIFIED or BATCH_NOT_ACTIVE, reward 0; intent FAILED), returned. Concurrent confirmations of '
'one code yield exactly one SUCCESS (verifications_commitment_success_key). CD005 unknown intent, CD001 '
'intent not ISSUED, CD006 intent expired.';

CREATE FUNCTION authenticity.fail_verification(
    p_verify_intent_id text,
    p_user_id uuid,
    p_tx_signature text,
    p_failure_reason text,
    p_now timestamptz DEFAULT NULL
)
RETURNS authenticity.verifications
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_intent authenticity.verify_intents;
    v_pda text;
    v_row authenticity.verifications;
BEGIN
    SELECT * INTO v_intent
    FROM authenticity.verify_intents AS i
    WHERE i.verify_intent_id = p_verify_intent_id AND i.status = 'ISSUED'
    FOR UPDATE;
    IF NOT FOUND THEN
        SELECT * INTO v_intent FROM authenticity.verify_intents AS i WHERE i.verify_intent_id = p_verify_intent_id;
        IF NOT FOUND THEN
            PERFORM authenticity.raise_not_found('verify_intents', p_verify_intent_id);
        END IF;
        PERFORM common.forbid_transition('verify_intents', v_intent.status::text, 'FAILED');
    END IF;
    SELECT c.onchain_code_pda INTO v_pda FROM authenticity.codes AS c WHERE c.commitment = v_intent.commitment;
    INSERT INTO authenticity.verifications AS v (
        batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature, verified_at, result,
        failure_reason, intent_id
    )
    VALUES (
        v_intent.batch_id, p_user_id, v_intent.commitment, v_pda, 0, p_tx_signature, coalesce(p_now, now()),
        'FAIL', p_failure_reason, v_intent.id
    )
    RETURNING v.* INTO v_row;
    UPDATE authenticity.verify_intents AS i SET status = 'FAILED' WHERE i.id = v_intent.id AND i.status = 'ISSUED';
    RETURN v_row;
END
$fn$;

COMMENT ON FUNCTION authenticity.fail_verification(text, uuid, text, text, timestamptz) IS
'Records a FAIL verification with the given reason (reward 0) and moves the ISSUED intent to FAILED, in one '
'transaction. CD005 unknown intent, CD001 intent not ISSUED, 23514 empty reason.';

CREATE FUNCTION authenticity.expire_verify_intents(p_now timestamptz DEFAULT NULL)
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH expired AS (
        UPDATE authenticity.verify_intents AS i
        SET status = 'EXPIRED'
        WHERE i.status = 'ISSUED' AND i.expires_at <= coalesce(p_now, now())
        RETURNING 1
    )
    SELECT count(*)::integer FROM expired
$fn$;

COMMENT ON FUNCTION authenticity.expire_verify_intents(timestamptz) IS
'Moves every ISSUED intent whose expires_at <= coalesce(p_now, now()) to EXPIRED; returns how many.';
