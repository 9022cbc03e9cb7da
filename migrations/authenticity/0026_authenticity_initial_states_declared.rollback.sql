-- Undoes 0026_authenticity_initial_states_declared: the *_check_insert triggers check the initial
-- status again, with their own messages, as 0004, 0005 and 0020 wrote them.

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

COMMENT ON FUNCTION authenticity.tg_verify_intents__check_insert() IS
'BEFORE INSERT on verify_intents: ISSUED (CD007 verify_intents_initial_status), batch ACTIVE '
'(CD007 verify_intents_batch_active), code of that batch (23514 verify_intents_commitment_batch_check).';

COMMENT ON TRIGGER verify_intents_check_insert ON authenticity.verify_intents IS
'Intents are issued ISSUED, for a code of an ACTIVE batch.';

CREATE OR REPLACE FUNCTION authenticity.tg_code_packs__check_insert()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NEW.status <> 'GENERATING' THEN
        RAISE EXCEPTION 'code_packs: a pack starts GENERATING, not %', NEW.status
            USING ERRCODE = 'CD007', CONSTRAINT = 'code_packs_initial_status', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    IF EXISTS (SELECT FROM authenticity.batches AS b WHERE b.id = NEW.batch_id AND b.status = 'CLOSED') THEN
        RAISE EXCEPTION 'code_packs: batch % is CLOSED', NEW.batch_id
            USING ERRCODE = 'CD007', CONSTRAINT = 'code_packs_batch_open', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_code_packs__check_insert() IS
'BEFORE INSERT on code_packs: a pack starts GENERATING (CD007, code_packs_initial_status), in a batch that is '
'not CLOSED (CD007, code_packs_batch_open).';

COMMENT ON TRIGGER code_packs_check_insert ON authenticity.code_packs IS
'New packs start GENERATING in an open batch (CD007 otherwise).';

CREATE FUNCTION authenticity.tg_batches__check_insert()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NEW.status <> 'CREATED' THEN
        RAISE EXCEPTION 'batches: a batch starts CREATED, not %', NEW.status
            USING ERRCODE = 'CD007', CONSTRAINT = 'batches_initial_status', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_batches__check_insert() IS
'BEFORE INSERT on batches: a new batch is CREATED (else CD007, batches_initial_status).';

CREATE TRIGGER batches_check_insert
BEFORE INSERT ON authenticity.batches
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_batches__check_insert();

COMMENT ON TRIGGER batches_check_insert ON authenticity.batches IS
'A new batch starts CREATED (CD007 otherwise).';
