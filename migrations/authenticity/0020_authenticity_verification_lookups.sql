-- depends: 0019_authenticity_fast_code_checks_swap
-- Fewer statements per verification, same rules (issue 14: a verification, issue plus confirm,
-- ran 22 statements where pgbench's TPC-B runs 5; each statement that a function or trigger
-- runs costs a plan-cache lookup, an executor start and a snapshot, whatever it reads).
--   issue_verify_intent            the code lookup and the "not verified yet" test: one statement.
--   confirm_verification           the intent (FOR UPDATE), its batch's status (FOR SHARE) and the
--       code's PDA: one statement. Locking both rows in one statement keeps the guarantees of the
--       two separate SELECTs: a concurrent confirmation of the same intent is waited for and then
--       re-checked (EvalPlanQual: the intent is no longer ISSUED, CD001), and a pause or close in
--       progress is waited for and its committed status read (the locked row's newest version).
--   tg_verify_intents__check_insert   batch ACTIVE and code of that batch: one statement.
--   tg_verifications__check_insert    intent, code PDA and batch ACTIVE: one statement.
-- Errors, their SQLSTATEs, constraint names and the order in which they are checked are
-- unchanged. Rollback restores the 0008, 0009 and 0014 bodies exactly.

CREATE OR REPLACE FUNCTION authenticity.issue_verify_intent(
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
    v_verified boolean;
    v_row authenticity.verify_intents;
BEGIN
    SELECT
        p.batch_id,
        EXISTS (
            SELECT FROM authenticity.verifications AS v WHERE v.commitment = p_commitment AND v.result = 'SUCCESS'
        )
    INTO v_batch_id, v_verified
    FROM authenticity.codes AS c
    INNER JOIN authenticity.code_packs AS p ON p.id = c.pack_id
    WHERE c.commitment = p_commitment;
    IF NOT FOUND THEN
        PERFORM authenticity.raise_not_found('codes', encode(p_commitment, 'hex'));
    END IF;
    IF v_verified THEN
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

CREATE OR REPLACE FUNCTION authenticity.confirm_verification(
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
    v_claim record;
    v_intent authenticity.verify_intents;
    v_batch_status authenticity.batch_status;
    v_pda text;
    v_reason text;
    v_row authenticity.verifications;
BEGIN
    -- The intent is claimed (FOR UPDATE) and its batch share-locked (a pause or close waits for
    -- this verification, or this one sees it) in one statement, with the code's PDA.
    SELECT i AS intent, b.status AS batch_status, c.onchain_code_pda AS pda INTO v_claim
    FROM authenticity.verify_intents AS i
    INNER JOIN authenticity.batches AS b ON b.id = i.batch_id
    INNER JOIN authenticity.codes AS c ON c.commitment = i.commitment
    WHERE i.verify_intent_id = p_verify_intent_id AND i.status = 'ISSUED' AND i.expires_at > v_now
    FOR UPDATE OF i FOR SHARE OF b;
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
    v_intent := v_claim.intent;
    v_batch_status := v_claim.batch_status;
    v_pda := v_claim.pda;

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

CREATE OR REPLACE FUNCTION authenticity.tg_verify_intents__check_insert()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    batch_active boolean;
    code_in_batch boolean;
BEGIN
    IF NEW.status <> 'ISSUED' THEN
        RAISE EXCEPTION 'verify_intents: an intent starts ISSUED, not %', NEW.status
            USING ERRCODE = 'CD007', CONSTRAINT = 'verify_intents_initial_status', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    SELECT
        EXISTS (SELECT FROM authenticity.batches AS b WHERE b.id = NEW.batch_id AND b.status = 'ACTIVE'),
        EXISTS (
            SELECT FROM authenticity.codes AS c
            INNER JOIN authenticity.code_packs AS p ON p.id = c.pack_id
            WHERE c.commitment = NEW.commitment AND p.batch_id = NEW.batch_id
        )
    INTO batch_active, code_in_batch;
    IF NOT batch_active THEN
        RAISE EXCEPTION 'verify_intents: batch % is not ACTIVE', NEW.batch_id
            USING ERRCODE = 'CD007', CONSTRAINT = 'verify_intents_batch_active', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    IF NOT code_in_batch THEN
        RAISE EXCEPTION 'verify_intents: the code is not in batch %', NEW.batch_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'verify_intents_commitment_batch_check',
                  TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$fn$;

CREATE OR REPLACE FUNCTION authenticity.tg_verifications__check_insert()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    looked_up record;
    intent authenticity.verify_intents;
BEGIN
    SELECT
        i AS intent,
        EXISTS (
            SELECT FROM authenticity.codes AS c
            WHERE c.commitment = NEW.commitment AND c.onchain_code_pda = NEW.code_pda
        ) AS pda_matches,
        EXISTS (SELECT FROM authenticity.batches AS b WHERE b.id = NEW.batch_id AND b.status = 'ACTIVE') AS batch_active
    INTO looked_up
    FROM (SELECT) AS one
    LEFT JOIN authenticity.verify_intents AS i ON i.id = NEW.intent_id;
    intent := looked_up.intent;
    IF intent.id IS NOT NULL AND (intent.batch_id <> NEW.batch_id OR intent.commitment <> NEW.commitment) THEN
        RAISE EXCEPTION 'verifications: batch and commitment must be those of intent %', intent.verify_intent_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'verifications_intent_check',
                  TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    IF intent.id IS NOT NULL AND NEW.result = 'SUCCESS' AND NEW.reward_lamports <> intent.reward_lamports THEN
        RAISE EXCEPTION 'verifications: reward_lamports % is not the intent''s %', NEW.reward_lamports,
            intent.reward_lamports
            USING ERRCODE = 'check_violation', CONSTRAINT = 'verifications_reward_lamports_intent_check',
                  TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA, COLUMN = 'reward_lamports';
    END IF;
    IF NOT looked_up.pda_matches THEN
        RAISE EXCEPTION 'verifications: code_pda % is not the PDA of the code', NEW.code_pda
            USING ERRCODE = 'check_violation', CONSTRAINT = 'verifications_code_pda_code_check',
                  TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA, COLUMN = 'code_pda';
    END IF;
    IF NEW.result = 'SUCCESS' AND NOT looked_up.batch_active THEN
        RAISE EXCEPTION 'verifications: batch % is not ACTIVE; only an ACTIVE batch verifies codes', NEW.batch_id
            USING ERRCODE = 'CD007', CONSTRAINT = 'verifications_batch_active', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$fn$;
