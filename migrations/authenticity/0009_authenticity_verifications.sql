-- depends: 0008_authenticity_verify_intents
-- Verifications (seed: verifications): the outcome of a confirmed scan, append-only.
-- Exactly one SUCCESS per commitment, ever: the partial unique index
-- verifications_commitment_success_key (whatever the concurrency: a racing insert waits for
-- the first and then conflicts). A SUCCESS row is the reward payment record.
-- Decided where the seed is silent:
--   intent_id      (added) the verify intent this row settles, unique: one outcome per intent.
--   reward_lamports a SUCCESS pays exactly its intent's reward_lamports (> 0); a FAIL pays 0,
--                  so sum(reward_lamports) is what was paid.
--   failure_reason present exactly on FAIL rows.
--   tx_signature   the Solana transaction of the attempt; unique among SUCCESS rows.
--   code_pda       the code's onchain_code_pda; batch_id and commitment are the intent's.
--   A SUCCESS needs an ACTIVE batch (CD007). At commit, each row's intent has the matching
--   outcome (SUCCESS: CONFIRMED, FAIL: FAILED) and each CONFIRMED or FAILED intent has its
--   row: confirming and recording happen in one transaction (CD007 otherwise).

CREATE TABLE authenticity.verifications (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    batch_id uuid NOT NULL,
    user_id uuid NOT NULL,
    commitment authenticity.bytes32 NOT NULL,
    code_pda text NOT NULL,
    reward_lamports bigint NOT NULL,
    tx_signature text NOT NULL,
    verified_at timestamptz NOT NULL DEFAULT now(),
    result authenticity.verification_result NOT NULL,
    failure_reason text,
    intent_id uuid NOT NULL,
    CONSTRAINT verifications_pkey PRIMARY KEY (id),
    CONSTRAINT verifications_intent_id_key UNIQUE (intent_id),
    CONSTRAINT verifications_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES authenticity.batches (id),
    CONSTRAINT verifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES authenticity.users (id),
    CONSTRAINT verifications_commitment_fkey FOREIGN KEY (commitment) REFERENCES authenticity.codes (commitment),
    CONSTRAINT verifications_intent_id_fkey FOREIGN KEY (intent_id) REFERENCES authenticity.verify_intents (id),
    CONSTRAINT verifications_code_pda_check CHECK (common.is_solana_pubkey(code_pda)),
    CONSTRAINT verifications_tx_signature_check CHECK (common.is_solana_signature(tx_signature)),
    CONSTRAINT verifications_reward_lamports_check CHECK (
        CASE result WHEN 'SUCCESS' THEN reward_lamports > 0 ELSE reward_lamports = 0 END
    ),
    CONSTRAINT verifications_failure_reason_check CHECK (
        (result = 'FAIL') = (failure_reason IS NOT NULL) AND btrim(failure_reason) <> ''
    )
);

CREATE UNIQUE INDEX verifications_commitment_success_key ON authenticity.verifications (commitment)
WHERE result = 'SUCCESS';

CREATE UNIQUE INDEX verifications_tx_signature_success_key ON authenticity.verifications (tx_signature)
WHERE result = 'SUCCESS';

CREATE INDEX verifications_commitment_idx ON authenticity.verifications (commitment);

CREATE INDEX verifications_batch_id_idx ON authenticity.verifications (batch_id);

CREATE INDEX verifications_user_id_verified_at_idx ON authenticity.verifications (user_id, verified_at);

COMMENT ON TABLE authenticity.verifications IS
'Append-only outcomes of verify intents: at most one SUCCESS per commitment (the reward is paid once), '
'FAIL rows with a reason.';
COMMENT ON COLUMN authenticity.verifications.code_pda IS 'The verified code''s onchain_code_pda.';
COMMENT ON COLUMN authenticity.verifications.reward_lamports IS
'Lamports paid by this verification: the intent''s reward_lamports on SUCCESS, 0 on FAIL.';
COMMENT ON COLUMN authenticity.verifications.tx_signature IS
'Solana signature of the verification transaction; unique among SUCCESS rows.';
COMMENT ON COLUMN authenticity.verifications.failure_reason IS
'Why a FAIL failed (e.g. ALREADY_VERIFIED, BATCH_NOT_ACTIVE, or the chain''s error): set exactly on FAIL rows.';
COMMENT ON COLUMN authenticity.verifications.intent_id IS
'Added (seed silent): the verify_intents row this verification settles; one verification per intent.';
COMMENT ON INDEX authenticity.verifications_commitment_success_key IS
'Exactly one SUCCESS per commitment, ever: settles concurrent confirmations of the same code.';
COMMENT ON INDEX authenticity.verifications_tx_signature_success_key IS
'A transaction pays at most one successful verification.';

CREATE FUNCTION authenticity.tg__append_only()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RAISE EXCEPTION '%: rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'CD003', CONSTRAINT = TG_TABLE_NAME || '_append_only', TABLE = TG_TABLE_NAME,
              SCHEMA = TG_TABLE_SCHEMA;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg__append_only() IS
'BEFORE UPDATE OR DELETE / TRUNCATE trigger of append-only tables: raises CD003 (<table>_append_only).';

CREATE TRIGGER verifications_append_only
BEFORE UPDATE OR DELETE ON authenticity.verifications
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg__append_only();

COMMENT ON TRIGGER verifications_append_only ON authenticity.verifications IS
'Verifications are never updated or deleted (CD003).';

CREATE TRIGGER verifications_append_only_truncate
BEFORE TRUNCATE ON authenticity.verifications
FOR EACH STATEMENT
EXECUTE FUNCTION authenticity.tg__append_only();

COMMENT ON TRIGGER verifications_append_only_truncate ON authenticity.verifications IS
'Verifications are never truncated (CD003).';

CREATE FUNCTION authenticity.tg_verifications__check_insert()
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

COMMENT ON FUNCTION authenticity.tg_verifications__check_insert() IS
'BEFORE INSERT on verifications: batch and commitment are the intent''s (23514 verifications_intent_check), '
'a SUCCESS pays the intent''s reward (23514 verifications_reward_lamports_intent_check), code_pda is the '
'code''s PDA (23514 verifications_code_pda_code_check), a SUCCESS needs an ACTIVE batch '
'(CD007 verifications_batch_active).';

CREATE TRIGGER verifications_check_insert
BEFORE INSERT ON authenticity.verifications
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_verifications__check_insert();

COMMENT ON TRIGGER verifications_check_insert ON authenticity.verifications IS
'A verification matches its intent and code; a SUCCESS needs an ACTIVE batch.';

CREATE FUNCTION authenticity.tg_verifications__intent_outcome()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT EXISTS (
        SELECT FROM authenticity.verify_intents AS i
        WHERE i.id = NEW.intent_id
            AND i.status = CASE NEW.result WHEN 'SUCCESS' THEN 'CONFIRMED' ELSE 'FAILED' END::authenticity.verify_intent_status
    ) THEN
        RAISE EXCEPTION 'verifications: a % verification needs its intent %', NEW.result,
            CASE NEW.result WHEN 'SUCCESS' THEN 'CONFIRMED' ELSE 'FAILED' END
            USING ERRCODE = 'CD007', CONSTRAINT = 'verifications_intent_outcome', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_verifications__intent_outcome() IS
'Deferred check: a SUCCESS row''s intent is CONFIRMED, a FAIL row''s intent is FAILED, by commit '
'(CD007 verifications_intent_outcome).';

CREATE CONSTRAINT TRIGGER verifications_intent_outcome
AFTER INSERT ON authenticity.verifications
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_verifications__intent_outcome();

COMMENT ON TRIGGER verifications_intent_outcome ON authenticity.verifications IS
'At commit: the intent of each verification carries the matching outcome (CD007).';

CREATE FUNCTION authenticity.tg_verify_intents__outcome_recorded()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT EXISTS (
        SELECT FROM authenticity.verifications AS v
        WHERE v.intent_id = NEW.id
            AND v.result = CASE NEW.status WHEN 'CONFIRMED' THEN 'SUCCESS' ELSE 'FAIL' END::authenticity.verification_result
    ) THEN
        RAISE EXCEPTION 'verify_intents: intent % is % without its verification row', NEW.verify_intent_id, NEW.status
            USING ERRCODE = 'CD007', CONSTRAINT = 'verify_intents_outcome_recorded', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_verify_intents__outcome_recorded() IS
'Deferred check: a CONFIRMED intent has its SUCCESS verification and a FAILED one its FAIL verification, '
'by commit (CD007 verify_intents_outcome_recorded).';

CREATE CONSTRAINT TRIGGER verify_intents_outcome_recorded
AFTER UPDATE ON authenticity.verify_intents
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW
WHEN (new.status IN ('CONFIRMED', 'FAILED') AND old.status IS DISTINCT FROM new.status)
EXECUTE FUNCTION authenticity.tg_verify_intents__outcome_recorded();

COMMENT ON TRIGGER verify_intents_outcome_recorded ON authenticity.verify_intents IS
'At commit: confirming or failing an intent records its verification in the same transaction (CD007).';
