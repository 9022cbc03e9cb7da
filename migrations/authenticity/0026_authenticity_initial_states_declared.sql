-- depends: 0025_authenticity_codes_autovacuum
-- The initial states of batches, code packs and verify intents, declared once. 0016 declared them
-- (common.state_machines.initial_states: CREATED, GENERATING, ISSUED) but left the tables' own
-- *_check_insert triggers refusing another start first, with their own messages: two copies of one
-- rule, so either could be broken and no test would tell (make mutate found it). The copies go; the
-- declared <table>_initial_status triggers (common.tg__forbid_initial_state) refuse alone: the same
-- SQLSTATE (CD007) and constraint (<table>_initial_status), the declaration's message
-- ('<table>: a new row's status must be one of {...}, not ...', DETAIL initial=/to=).
--   batches_check_insert        checked only the start: the trigger and its function go
--                               (squawk-ignore ban-drop-function: a trigger function no client calls).
--   code_packs_check_insert     keeps refusing a CLOSED batch (code_packs_batch_open).
--   verify_intents_check_insert keeps requiring an ACTIVE batch and a code of that batch.

DROP TRIGGER batches_check_insert ON authenticity.batches;

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.tg_batches__check_insert();

CREATE OR REPLACE FUNCTION authenticity.tg_code_packs__check_insert()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF EXISTS (SELECT FROM authenticity.batches AS b WHERE b.id = NEW.batch_id AND b.status = 'CLOSED') THEN
        RAISE EXCEPTION 'code_packs: batch % is CLOSED', NEW.batch_id
            USING ERRCODE = 'CD007', CONSTRAINT = 'code_packs_batch_open', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_code_packs__check_insert() IS
'BEFORE INSERT on code_packs: the batch is not CLOSED (CD007, code_packs_batch_open). The initial status is '
'declared (code_packs_initial_status).';

COMMENT ON TRIGGER code_packs_check_insert ON authenticity.code_packs IS
'New packs go into an open batch (CD007 otherwise).';

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
'BEFORE INSERT on verify_intents: batch ACTIVE (CD007 verify_intents_batch_active), code of that batch '
'(23514 verify_intents_commitment_batch_check). The initial status is declared (verify_intents_initial_status).';

COMMENT ON TRIGGER verify_intents_check_insert ON authenticity.verify_intents IS
'Intents are issued for a code of an ACTIVE batch.';
