-- Restores the bodies of 0014 (issue_verify_intent, confirm_verification), 0008
-- (tg_verify_intents__check_insert) and 0009 (tg_verifications__check_insert) exactly.

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

CREATE OR REPLACE FUNCTION authenticity.tg_verify_intents__check_insert()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NEW.status <> 'ISSUED' THEN
        RAISE EXCEPTION 'verify_intents: an intent starts ISSUED, not %', NEW.status
            USING ERRCODE = 'CD007', CONSTRAINT = 'verify_intents_initial_status', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    IF NOT EXISTS (SELECT FROM authenticity.batches AS b WHERE b.id = NEW.batch_id AND b.status = 'ACTIVE') THEN
        RAISE EXCEPTION 'verify_intents: batch % is not ACTIVE', NEW.batch_id
            USING ERRCODE = 'CD007', CONSTRAINT = 'verify_intents_batch_active', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    IF NOT EXISTS (
        SELECT FROM authenticity.codes AS c
        INNER JOIN authenticity.code_packs AS p ON p.id = c.pack_id
        WHERE c.commitment = NEW.commitment AND p.batch_id = NEW.batch_id
    ) THEN
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
    intent authenticity.verify_intents;
BEGIN
    SELECT * INTO intent FROM authenticity.verify_intents AS i WHERE i.id = NEW.intent_id;
    IF FOUND AND (intent.batch_id <> NEW.batch_id OR intent.commitment <> NEW.commitment) THEN
        RAISE EXCEPTION 'verifications: batch and commitment must be those of intent %', intent.verify_intent_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'verifications_intent_check',
                  TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    IF FOUND AND NEW.result = 'SUCCESS' AND NEW.reward_lamports <> intent.reward_lamports THEN
        RAISE EXCEPTION 'verifications: reward_lamports % is not the intent''s %', NEW.reward_lamports,
            intent.reward_lamports
            USING ERRCODE = 'check_violation', CONSTRAINT = 'verifications_reward_lamports_intent_check',
                  TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA, COLUMN = 'reward_lamports';
    END IF;
    IF NOT EXISTS (
        SELECT FROM authenticity.codes AS c
        WHERE c.commitment = NEW.commitment AND c.onchain_code_pda = NEW.code_pda
    ) THEN
        RAISE EXCEPTION 'verifications: code_pda % is not the PDA of the code', NEW.code_pda
            USING ERRCODE = 'check_violation', CONSTRAINT = 'verifications_code_pda_code_check',
                  TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA, COLUMN = 'code_pda';
    END IF;
    IF NEW.result = 'SUCCESS' AND NOT EXISTS (
        SELECT FROM authenticity.batches AS b WHERE b.id = NEW.batch_id AND b.status = 'ACTIVE'
    ) THEN
        RAISE EXCEPTION 'verifications: batch % is not ACTIVE; only an ACTIVE batch verifies codes', NEW.batch_id
            USING ERRCODE = 'CD007', CONSTRAINT = 'verifications_batch_active', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$fn$;
