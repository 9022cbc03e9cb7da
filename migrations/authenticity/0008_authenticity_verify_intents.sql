-- depends: 0007_authenticity_users_wallets
-- Verify intents (seed: verify_intents): issued when a consumer scans a code, confirmed by
-- authenticity.confirm_verification (0014) together with the verification row.
-- State machine: ISSUED -> CONFIRMED | EXPIRED | FAILED (all three terminal), CD001 otherwise.
-- Decided where the seed is silent: the commitment references codes.commitment (the code
-- exists) and the code belongs to the intent's batch; a new intent is ISSUED in an ACTIVE
-- batch (CD007); only status ever changes (CD003); reward_lamports is positive; the public
-- verify_intent_id defaults to 'vi_' and 32 hex digits.

CREATE TABLE authenticity.verify_intents (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    verify_intent_id text NOT NULL DEFAULT 'vi_' || replace(gen_random_uuid()::text, '-', ''),
    batch_id uuid NOT NULL,
    commitment authenticity.bytes32 NOT NULL,
    reward_lamports bigint NOT NULL,
    status authenticity.verify_intent_status NOT NULL DEFAULT 'ISSUED',
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT verify_intents_pkey PRIMARY KEY (id),
    CONSTRAINT verify_intents_verify_intent_id_key UNIQUE (verify_intent_id),
    CONSTRAINT verify_intents_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES authenticity.batches (id),
    CONSTRAINT verify_intents_commitment_fkey FOREIGN KEY (commitment) REFERENCES authenticity.codes (commitment),
    CONSTRAINT verify_intents_verify_intent_id_check CHECK (verify_intent_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    CONSTRAINT verify_intents_reward_lamports_check CHECK (reward_lamports > 0),
    CONSTRAINT verify_intents_expires_at_check CHECK (expires_at > created_at)
);

CREATE INDEX verify_intents_batch_id_idx ON authenticity.verify_intents (batch_id);

CREATE INDEX verify_intents_commitment_idx ON authenticity.verify_intents (commitment);

CREATE INDEX verify_intents_expires_at_idx ON authenticity.verify_intents (expires_at)
WHERE status = 'ISSUED';

COMMENT ON TABLE authenticity.verify_intents IS
'A pending verification of one code: issued on scan, then CONFIRMED (with a SUCCESS or FAIL verification), '
'FAILED, or EXPIRED by authenticity.expire_verify_intents.';
COMMENT ON COLUMN authenticity.verify_intents.verify_intent_id IS
'Public identifier handed to the client (URL-safe, unique); defaults to vi_ and 32 hex digits.';
COMMENT ON COLUMN authenticity.verify_intents.commitment IS 'The scanned code''s commitment (codes.commitment).';
COMMENT ON COLUMN authenticity.verify_intents.reward_lamports IS
'Reward promised for this verification, in lamports; a SUCCESS verification pays exactly this.';
COMMENT ON COLUMN authenticity.verify_intents.status IS
'ISSUED -> CONFIRMED | EXPIRED | FAILED; see verify_intents_status_transition.';
COMMENT ON COLUMN authenticity.verify_intents.expires_at IS 'Only an ISSUED intent before this instant can be confirmed.';
COMMENT ON INDEX authenticity.verify_intents_expires_at_idx IS 'The ISSUED intents by deadline: the expiry sweep.';

CREATE FUNCTION authenticity.tg_verify_intents__check_insert()
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

COMMENT ON FUNCTION authenticity.tg_verify_intents__check_insert() IS
'BEFORE INSERT on verify_intents: ISSUED (CD007 verify_intents_initial_status), batch ACTIVE '
'(CD007 verify_intents_batch_active), code of that batch (23514 verify_intents_commitment_batch_check).';

CREATE TRIGGER verify_intents_check_insert
BEFORE INSERT ON authenticity.verify_intents
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_verify_intents__check_insert();

COMMENT ON TRIGGER verify_intents_check_insert ON authenticity.verify_intents IS
'Intents are issued ISSUED, for a code of an ACTIVE batch.';

CREATE FUNCTION authenticity.tg_verify_intents__status_transition()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT (OLD.status = 'ISSUED' AND NEW.status IN ('CONFIRMED', 'EXPIRED', 'FAILED')) THEN
        PERFORM common.forbid_transition(TG_TABLE_NAME, OLD.status::text, NEW.status::text);
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_verify_intents__status_transition() IS
'Verify intent state machine: ISSUED -> CONFIRMED | EXPIRED | FAILED only; else CD001.';

CREATE TRIGGER verify_intents_status_transition
BEFORE UPDATE ON authenticity.verify_intents
FOR EACH ROW
WHEN (old.status IS DISTINCT FROM new.status)
EXECUTE FUNCTION authenticity.tg_verify_intents__status_transition();

COMMENT ON TRIGGER verify_intents_status_transition ON authenticity.verify_intents IS
'State machine of verify_intents.status (ISSUED -> CONFIRMED | EXPIRED | FAILED); CD001 otherwise.';

CREATE FUNCTION authenticity.tg_verify_intents__immutable_columns()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'id');
    ELSIF NEW.verify_intent_id IS DISTINCT FROM OLD.verify_intent_id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'verify_intent_id');
    ELSIF NEW.batch_id IS DISTINCT FROM OLD.batch_id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'batch_id');
    ELSIF NEW.commitment IS DISTINCT FROM OLD.commitment THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'commitment');
    ELSIF NEW.reward_lamports IS DISTINCT FROM OLD.reward_lamports THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'reward_lamports');
    ELSIF NEW.expires_at IS DISTINCT FROM OLD.expires_at THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'expires_at');
    ELSIF NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'created_at');
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_verify_intents__immutable_columns() IS
'BEFORE UPDATE on verify_intents: every column but status is fixed (CD003).';

CREATE TRIGGER verify_intents_immutable_columns
BEFORE UPDATE ON authenticity.verify_intents
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_verify_intents__immutable_columns();

COMMENT ON TRIGGER verify_intents_immutable_columns ON authenticity.verify_intents IS
'Only the status of an intent changes (CD003).';
