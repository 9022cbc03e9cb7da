-- depends: 0021_authenticity_manufacturers_name_index 0007_common_clock
-- The database's clock (common.now(), migrations/common/0007) replaces the caller's.
--
-- Before: activate_batch, record_code_pack_download, confirm_print, issue_verify_intent,
-- confirm_verification, fail_verification and expire_verify_intents took p_now (NULL meaning
-- now()), and chaindb_app could pass any instant: an intent issued "an hour ago" and confirmed
-- "58 minutes ago" paid a reward after it had expired in real time. Now no function takes a
-- time: deadlines (expires_at, download_expires_at) are compared with common.now(), and
-- recorded timestamps (activated_at, downloaded_at, print_confirmed_at, plaintext_purged_at,
-- verify_intents.created_at / expires_at, verified_at) are common.now(). The functions are
-- dropped and created again without the argument (same bodies otherwise, still SECURITY
-- DEFINER with a pinned search_path), with their comments and grants.
--
-- Column defaults of recorded timestamps become common.now() too, so that a test moving the
-- clock sees consistent rows (user_wallets.created_after_first_success compares a wallet's
-- created_at with verified_at). One exception: codes.created_at keeps now(), because a
-- million-code COPY evaluates the default per row (common.now() costs about 2 us a row,
-- some 9% of the bulk path) and nothing compares a code's created_at with a deadline.
-- chaindb_app has no INSERT or UPDATE on any of these columns (0015): only defaults and the
-- functions write them.
-- squawk ban-drop-function is ignored below on purpose: the old signatures must go, so that no
-- client can pass a time any more (a caller still passing p_now gets 42883).

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.activate_batch(uuid, text, timestamptz);

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.record_code_pack_download(uuid, timestamptz);

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.confirm_print(uuid, timestamptz);

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.issue_verify_intent(bytea, bigint, interval, timestamptz, text);

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.confirm_verification(text, uuid, text, timestamptz);

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.fail_verification(text, uuid, text, text, timestamptz);

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.expire_verify_intents(timestamptz);

CREATE FUNCTION authenticity.activate_batch(p_batch_id uuid, p_tx_signature text)
RETURNS authenticity.batches
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    current_status authenticity.batch_status;
    result authenticity.batches;
BEGIN
    SELECT b.status INTO current_status FROM authenticity.batches AS b WHERE b.id = p_batch_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM authenticity.raise_not_found('batches', p_batch_id::text);
    ELSIF current_status IN ('ACTIVE', 'PAUSED') THEN
        RAISE EXCEPTION 'batches: batch % was activated already (it is %)', p_batch_id, current_status
            USING ERRCODE = 'CD007', CONSTRAINT = 'batches_activated_once', TABLE = 'batches',
                  SCHEMA = 'authenticity', DETAIL = format('from=%s to=ACTIVE', current_status);
    END IF;
    UPDATE authenticity.batches AS b
    SET status = 'ACTIVE', activated_at = common.now(), activated_tx_signature = p_tx_signature
    WHERE b.id = p_batch_id
    RETURNING b.* INTO result;
    RETURN result;
END
$fn$;

COMMENT ON FUNCTION authenticity.activate_batch(uuid, text) IS
'CREATED -> ACTIVE with activated_at = common.now() and the activation transaction''s signature. '
'CD005 missing, CD007 already activated (use resume_batch), CD001 from CLOSED, 23514 bad signature.';

CREATE FUNCTION authenticity.record_code_pack_download(p_code_pack_id uuid)
RETURNS authenticity.code_packs
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_now timestamptz := common.now();
    pack authenticity.code_packs;
    result authenticity.code_packs;
BEGIN
    UPDATE authenticity.code_packs AS p
    SET status = 'DOWNLOADED',
        download_count = p.download_count + 1,
        downloaded_at = coalesce(p.downloaded_at, v_now)
    WHERE p.id = p_code_pack_id
        AND p.status IN ('READY', 'DOWNLOADED')
        AND (p.download_expires_at IS NULL OR v_now < p.download_expires_at)
    RETURNING p.* INTO result;
    IF FOUND THEN
        RETURN result;
    END IF;
    SELECT * INTO pack FROM authenticity.code_packs AS p WHERE p.id = p_code_pack_id;
    IF NOT FOUND THEN
        PERFORM authenticity.raise_not_found('code_packs', p_code_pack_id::text);
    ELSIF pack.status NOT IN ('READY', 'DOWNLOADED') THEN
        RAISE EXCEPTION 'code_packs: pack % is %; downloads are counted from READY or DOWNLOADED',
            pack.pack_id, pack.status
            USING ERRCODE = 'CD007', CONSTRAINT = 'code_packs_downloadable', TABLE = 'code_packs',
                  SCHEMA = 'authenticity', DETAIL = format('status=%s', pack.status);
    END IF;
    RAISE EXCEPTION 'code_packs: the download window of pack % closed at %', pack.pack_id,
        pack.download_expires_at
        USING ERRCODE = 'CD006', CONSTRAINT = 'code_packs_download_expired', TABLE = 'code_packs',
              SCHEMA = 'authenticity', DETAIL = format('expires_at=%s now=%s', pack.download_expires_at, v_now);
END
$fn$;

COMMENT ON FUNCTION authenticity.record_code_pack_download(uuid) IS
'Counts one download (download_count + 1; READY -> DOWNLOADED sets downloaded_at = common.now()) by a guarded '
'UPDATE: only from READY or DOWNLOADED (CD007 code_packs_downloadable) and before download_expires_at by the '
'database''s clock (CD006 code_packs_download_expired). CD005 missing.';

CREATE FUNCTION authenticity.confirm_print(p_code_pack_id uuid)
RETURNS authenticity.code_packs
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_now timestamptz := common.now();
    current_status authenticity.code_pack_status;
    result authenticity.code_packs;
BEGIN
    SELECT p.status INTO current_status FROM authenticity.code_packs AS p WHERE p.id = p_code_pack_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM authenticity.raise_not_found('code_packs', p_code_pack_id::text);
    ELSIF current_status <> 'DOWNLOADED' THEN
        PERFORM common.forbid_transition('code_packs', current_status::text, 'PRINT_CONFIRMED');
    END IF;
    -- Purge first, then confirm: the pack is never PRINT_CONFIRMED with plaintext, even to a
    -- caller that made code_packs_plaintext_purged IMMEDIATE.
    UPDATE authenticity.codes AS c SET code_plaintext = NULL
    WHERE c.pack_id = p_code_pack_id AND c.code_plaintext IS NOT NULL;
    UPDATE authenticity.code_packs AS p
    SET status = 'PRINT_CONFIRMED', print_confirmed_at = v_now, plaintext_purged_at = v_now
    WHERE p.id = p_code_pack_id
    RETURNING p.* INTO result;
    RETURN result;
END
$fn$;

COMMENT ON FUNCTION authenticity.confirm_print(uuid) IS
'DOWNLOADED -> PRINT_CONFIRMED: sets print_confirmed_at and plaintext_purged_at to common.now() and purges '
'code_plaintext of every code of the pack, in the same transaction. CD005 missing, CD001 from any other state.';

CREATE FUNCTION authenticity.issue_verify_intent(
    p_commitment bytea,
    p_reward_lamports bigint,
    p_ttl interval DEFAULT '5 minutes',
    p_verify_intent_id text DEFAULT NULL
)
RETURNS authenticity.verify_intents
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_now timestamptz := common.now();
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

COMMENT ON FUNCTION authenticity.issue_verify_intent(bytea, bigint, interval, text) IS
'Issues a verify intent for the code with this commitment, created at common.now() and expiring p_ttl later. '
'CD005 unknown code, CD007 batch not ACTIVE or code already verified, 23514 a ttl that is not positive.';

CREATE FUNCTION authenticity.confirm_verification(p_verify_intent_id text, p_user_id uuid, p_tx_signature text)
RETURNS authenticity.verifications
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_now timestamptz := common.now();
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

COMMENT ON FUNCTION authenticity.confirm_verification(text, uuid, text) IS
'Confirms an ISSUED intent still before its expires_at by the database''s clock (common.now()) and records its '
'verification in one transaction: SUCCESS paying the intent''s reward (intent CONFIRMED) when the batch is ACTIVE '
'and the code has no SUCCESS yet, else a FAIL row (ALREADY_VERIFIED or BATCH_NOT_ACTIVE, reward 0; intent FAILED), '
'returned. Concurrent confirmations of one code yield exactly one SUCCESS (verifications_commitment_success_key). '
'CD005 unknown intent, CD001 intent not ISSUED, CD006 intent expired.';

CREATE FUNCTION authenticity.fail_verification(
    p_verify_intent_id text,
    p_user_id uuid,
    p_tx_signature text,
    p_failure_reason text
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
        v_intent.batch_id, p_user_id, v_intent.commitment, v_pda, 0, p_tx_signature, common.now(),
        'FAIL', p_failure_reason, v_intent.id
    )
    RETURNING v.* INTO v_row;
    UPDATE authenticity.verify_intents AS i SET status = 'FAILED' WHERE i.id = v_intent.id AND i.status = 'ISSUED';
    RETURN v_row;
END
$fn$;

COMMENT ON FUNCTION authenticity.fail_verification(text, uuid, text, text) IS
'Records a FAIL verification with the given reason (reward 0, verified_at = common.now()) and moves the ISSUED '
'intent to FAILED, in one transaction. CD005 unknown intent, CD001 intent not ISSUED, 23514 empty reason.';

CREATE FUNCTION authenticity.expire_verify_intents()
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH expired AS (
        UPDATE authenticity.verify_intents AS i
        SET status = 'EXPIRED'
        WHERE i.status = 'ISSUED' AND i.expires_at <= (SELECT common.now())
        RETURNING 1
    )
    SELECT count(*)::integer FROM expired
$fn$;

COMMENT ON FUNCTION authenticity.expire_verify_intents() IS
'Moves every ISSUED intent whose expires_at <= common.now() to EXPIRED; returns how many.';

REVOKE ALL ON FUNCTION
authenticity.activate_batch(uuid, text),
authenticity.record_code_pack_download(uuid),
authenticity.confirm_print(uuid),
authenticity.issue_verify_intent(bytea, bigint, interval, text),
authenticity.confirm_verification(text, uuid, text),
authenticity.fail_verification(text, uuid, text, text),
authenticity.expire_verify_intents()
FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
authenticity.activate_batch(uuid, text),
authenticity.record_code_pack_download(uuid),
authenticity.confirm_print(uuid),
authenticity.issue_verify_intent(bytea, bigint, interval, text),
authenticity.confirm_verification(text, uuid, text),
authenticity.fail_verification(text, uuid, text, text),
authenticity.expire_verify_intents()
TO chaindb_app;

ALTER TABLE authenticity.manufacturers ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE authenticity.skus ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE authenticity.batches ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE authenticity.code_packs ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE authenticity.users ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE authenticity.user_wallets ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE authenticity.verify_intents ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE authenticity.verifications ALTER COLUMN verified_at SET DEFAULT common.now();

ALTER TABLE authenticity.treasury_ops ALTER COLUMN created_at SET DEFAULT common.now();

COMMENT ON COLUMN authenticity.codes.created_at IS
'When the code was loaded. Defaults to now(), not common.now(): the default is evaluated per row of a '
'million-code COPY, and nothing compares this instant with a deadline.';
