-- depends: 0015_authenticity_grants 0005_common_raise_helpers
-- authenticity onto the common helpers (CONVENTIONS.md): its rules declared once, as data,
-- replacing the hand-written trigger functions of 0004-0011. Trigger names, pseudo-constraint
-- names, SQLSTATEs and messages stay as they were.
--   state machines   batches, code_packs, verify_intents (common.define_state_machine): the moves of
--                    0004, 0005 and 0008, and their initial states (CREATED, GENERATING, ISSUED;
--                    the tables' own *_check_insert triggers, which fire first, keep refusing
--                    another start with their own message; common's <table>_initial_status
--                    triggers back them).
--   immutable        batches, code_packs, codes, user_wallets, verify_intents
--                    (common.define_immutable_columns), same columns as before.
--   append-only      verifications, treasury_ops (common.define_append_only).
-- What is not a state machine, an immutable column or an append-only table keeps a trigger of its
-- own, split out of the functions it shared:
--   batches_status_transition_manufacturer_active  entering ACTIVE needs an active manufacturer
--                    (CD007); named to fire right after batches_status_transition, so that a
--                    forbidden move is still reported as CD001 first.
--   code_packs_download_count_monotonic  download_count never decreases (CD004).
--   codes_plaintext_purged  no plaintext is written to a code of a purged pack (CD008); it was
--                    part of codes_guard_update, whose fixed columns are now codes_immutable_columns.
-- authenticity.forbid_change and authenticity.tg__append_only are gone (common has both).
-- The functions dropped here are trigger functions and helpers no client calls
-- (squawk-ignore ban-drop-function).

CALL common.define_state_machine(
    'authenticity.batches', 'status',
    '{CREATED>ACTIVE|CLOSED, ACTIVE>PAUSED|CLOSED, PAUSED>ACTIVE|CLOSED}', '{CREATED}',
    'CLOSED is terminal; only an ACTIVE batch verifies codes. Entering ACTIVE also needs an active manufacturer '
    '(batches_status_transition_manufacturer_active, CD007).'
);

CREATE FUNCTION authenticity.tg_batches__manufacturer_active()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT EXISTS (
        SELECT FROM authenticity.manufacturers AS m
        WHERE m.id = NEW.manufacturer_id AND m.status = 'active'
    ) THEN
        RAISE EXCEPTION 'batches: the manufacturer of batch % is suspended', NEW.batch_public_id
            USING ERRCODE = 'CD007', CONSTRAINT = 'batches_manufacturer_active', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA, DETAIL = format('from=%s to=%s', OLD.status, NEW.status);
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_batches__manufacturer_active() IS
'BEFORE UPDATE of batches into ACTIVE: the manufacturer is active (else CD007, batches_manufacturer_active).';

CREATE TRIGGER batches_status_transition_manufacturer_active
BEFORE UPDATE ON authenticity.batches
FOR EACH ROW
WHEN (new.status = 'ACTIVE' AND old.status IS DISTINCT FROM new.status)
EXECUTE FUNCTION authenticity.tg_batches__manufacturer_active();

COMMENT ON TRIGGER batches_status_transition_manufacturer_active ON authenticity.batches IS
'Activating or resuming a batch needs an active manufacturer (CD007); fires after batches_status_transition.';

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.tg_batches__status_transition();

CALL common.define_immutable_columns(
    'authenticity.batches', '{manufacturer_id, sku_id, batch_public_id, created_at}',
    '{onchain_batch_pubkey, activated_at, activated_tx_signature}'
);

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.tg_batches__immutable_columns();

CALL common.define_state_machine(
    'authenticity.code_packs', 'status', '{GENERATING>READY, READY>DOWNLOADED, DOWNLOADED>PRINT_CONFIRMED}',
    '{GENERATING}',
    'PRINT_CONFIRMED is terminal: the codes'' plaintext is purged in the same transaction. READY needs all '
    'quantity codes (code_packs_codes_complete, CD007).'
);

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.tg_code_packs__status_transition();

CALL common.define_immutable_columns(
    'authenticity.code_packs', '{pack_id, batch_id, quantity, created_at}',
    '{downloaded_at, print_confirmed_at, plaintext_purged_at}'
);

CREATE FUNCTION authenticity.tg_code_packs__download_count_monotonic()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RAISE EXCEPTION 'code_packs: download_count may not decrease (% -> %)', OLD.download_count, NEW.download_count
        USING ERRCODE = 'CD004', CONSTRAINT = 'code_packs_download_count_regression',
              TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA, COLUMN = 'download_count';
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_code_packs__download_count_monotonic() IS
'BEFORE UPDATE on code_packs when download_count would decrease: raises CD004 '
'(code_packs_download_count_regression).';

CREATE TRIGGER code_packs_download_count_monotonic
BEFORE UPDATE ON authenticity.code_packs
FOR EACH ROW
WHEN (new.download_count < old.download_count)
EXECUTE FUNCTION authenticity.tg_code_packs__download_count_monotonic();

COMMENT ON TRIGGER code_packs_download_count_monotonic ON authenticity.code_packs IS
'download_count never decreases (CD004).';

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.tg_code_packs__immutable_columns();

DROP TRIGGER codes_guard_update ON authenticity.codes;

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.tg_codes__guard_update();

CALL common.define_immutable_columns(
    'authenticity.codes', '{id, pack_id, qr_payload, commitment, onchain_code_pda, created_at}'
);

CREATE FUNCTION authenticity.tg_codes__plaintext_purged()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF EXISTS (
        SELECT FROM authenticity.code_packs AS p
        WHERE p.id = NEW.pack_id AND (p.status = 'PRINT_CONFIRMED' OR p.plaintext_purged_at IS NOT NULL)
    ) THEN
        RAISE EXCEPTION 'codes: the pack of code % is purged; plaintext may not be written back', NEW.id
            USING ERRCODE = 'CD008', CONSTRAINT = 'codes_plaintext_purged', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA, COLUMN = 'code_plaintext';
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_codes__plaintext_purged() IS
'BEFORE UPDATE on codes writing a code_plaintext: never to a code of a PRINT_CONFIRMED or purged pack '
'(CD008 codes_plaintext_purged).';

CREATE TRIGGER codes_plaintext_purged
BEFORE UPDATE ON authenticity.codes
FOR EACH ROW
WHEN (new.code_plaintext IS NOT NULL AND new.code_plaintext IS DISTINCT FROM old.code_plaintext)
EXECUTE FUNCTION authenticity.tg_codes__plaintext_purged();

COMMENT ON TRIGGER codes_plaintext_purged ON authenticity.codes IS
'No plaintext is written back to a code of a purged pack (CD008); the purge itself (setting NULL) does not fire it.';

CALL common.define_immutable_columns(
    'authenticity.user_wallets', '{id, user_id, chain, wallet_pubkey, created_at}'
);

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.tg_user_wallets__immutable_columns();

CALL common.define_state_machine(
    'authenticity.verify_intents', 'status', '{ISSUED>CONFIRMED|EXPIRED|FAILED}', '{ISSUED}',
    'CONFIRMED, EXPIRED and FAILED are terminal; confirming or failing records the verification in the same '
    'transaction (verify_intents_outcome_recorded).'
);

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.tg_verify_intents__status_transition();

CALL common.define_immutable_columns(
    'authenticity.verify_intents',
    '{id, verify_intent_id, batch_id, commitment, reward_lamports, expires_at, created_at}'
);

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.tg_verify_intents__immutable_columns();

CALL common.define_append_only('authenticity.verifications');

CALL common.define_append_only('authenticity.treasury_ops');

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.tg__append_only();

-- squawk-ignore ban-drop-function
DROP FUNCTION authenticity.forbid_change(text, text);
