-- Undoes 0016_authenticity_declared_rules: back to the hand-written trigger functions of
-- 0004-0011, restored verbatim (functions, triggers, comments, and forbid_change's grant of 0015).

CREATE FUNCTION authenticity.forbid_change(table_name text, column_name text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RAISE EXCEPTION '%: % may not change', table_name, column_name
        USING ERRCODE = 'CD003',
              CONSTRAINT = table_name || '_' || column_name || '_immutable',
              SCHEMA = 'authenticity',
              TABLE = table_name,
              COLUMN = column_name;
END
$fn$;

COMMENT ON FUNCTION authenticity.forbid_change(text, text) IS
'Raises SQLSTATE CD003 (immutable) naming the pseudo-constraint <table>_<column>_immutable. '
'Called by the guard triggers when a fixed or set-once column would change.';

GRANT EXECUTE ON FUNCTION authenticity.forbid_change(text, text) TO chaindb_app;

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

CALL common.drop_append_only('authenticity.treasury_ops');

CREATE TRIGGER treasury_ops_append_only
BEFORE UPDATE OR DELETE ON authenticity.treasury_ops
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg__append_only();

COMMENT ON TRIGGER treasury_ops_append_only ON authenticity.treasury_ops IS
'Treasury operations are never updated or deleted (CD003).';

CREATE TRIGGER treasury_ops_append_only_truncate
BEFORE TRUNCATE ON authenticity.treasury_ops
FOR EACH STATEMENT
EXECUTE FUNCTION authenticity.tg__append_only();

COMMENT ON TRIGGER treasury_ops_append_only_truncate ON authenticity.treasury_ops IS
'Treasury operations are never truncated (CD003).';

CALL common.drop_append_only('authenticity.verifications');

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

CALL common.drop_immutable_columns('authenticity.verify_intents');

CREATE TRIGGER verify_intents_immutable_columns
BEFORE UPDATE ON authenticity.verify_intents
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_verify_intents__immutable_columns();

COMMENT ON TRIGGER verify_intents_immutable_columns ON authenticity.verify_intents IS
'Only the status of an intent changes (CD003).';

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

CALL common.drop_state_machine('authenticity.verify_intents', 'status');

CREATE TRIGGER verify_intents_status_transition
BEFORE UPDATE ON authenticity.verify_intents
FOR EACH ROW
WHEN (old.status IS DISTINCT FROM new.status)
EXECUTE FUNCTION authenticity.tg_verify_intents__status_transition();

COMMENT ON TRIGGER verify_intents_status_transition ON authenticity.verify_intents IS
'State machine of verify_intents.status (ISSUED -> CONFIRMED | EXPIRED | FAILED); CD001 otherwise.';

CREATE FUNCTION authenticity.tg_user_wallets__immutable_columns()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'id');
    ELSIF NEW.user_id IS DISTINCT FROM OLD.user_id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'user_id');
    ELSIF NEW.chain IS DISTINCT FROM OLD.chain THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'chain');
    ELSIF NEW.wallet_pubkey IS DISTINCT FROM OLD.wallet_pubkey THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'wallet_pubkey');
    ELSIF NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'created_at');
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_user_wallets__immutable_columns() IS
'BEFORE UPDATE on user_wallets: id, user_id, chain, wallet_pubkey, created_at never change (CD003).';

CALL common.drop_immutable_columns('authenticity.user_wallets');

CREATE TRIGGER user_wallets_immutable_columns
BEFORE UPDATE ON authenticity.user_wallets
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_user_wallets__immutable_columns();

COMMENT ON TRIGGER user_wallets_immutable_columns ON authenticity.user_wallets IS
'A linked wallet stays with its user and key (CD003).';

DROP TRIGGER codes_plaintext_purged ON authenticity.codes;

DROP FUNCTION authenticity.tg_codes__plaintext_purged();

CALL common.drop_immutable_columns('authenticity.codes');

CREATE FUNCTION authenticity.tg_codes__guard_update()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'id');
    ELSIF NEW.pack_id IS DISTINCT FROM OLD.pack_id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'pack_id');
    ELSIF NEW.qr_payload IS DISTINCT FROM OLD.qr_payload THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'qr_payload');
    ELSIF NEW.commitment IS DISTINCT FROM OLD.commitment THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'commitment');
    ELSIF NEW.onchain_code_pda IS DISTINCT FROM OLD.onchain_code_pda THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'onchain_code_pda');
    ELSIF NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'created_at');
    END IF;
    IF NEW.code_plaintext IS NOT NULL AND EXISTS (
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

COMMENT ON FUNCTION authenticity.tg_codes__guard_update() IS
'BEFORE UPDATE on codes: only code_plaintext may change (CD003 otherwise), and never to a value when the '
'pack is PRINT_CONFIRMED or purged (CD008 codes_plaintext_purged).';

CREATE TRIGGER codes_guard_update
BEFORE UPDATE ON authenticity.codes
FOR EACH ROW
WHEN (
    old.id IS DISTINCT FROM new.id
    OR old.pack_id IS DISTINCT FROM new.pack_id
    OR old.qr_payload IS DISTINCT FROM new.qr_payload
    OR old.commitment IS DISTINCT FROM new.commitment
    OR old.onchain_code_pda IS DISTINCT FROM new.onchain_code_pda
    OR old.created_at IS DISTINCT FROM new.created_at
    OR (new.code_plaintext IS NOT NULL AND new.code_plaintext IS DISTINCT FROM old.code_plaintext)
)
EXECUTE FUNCTION authenticity.tg_codes__guard_update();

COMMENT ON TRIGGER codes_guard_update ON authenticity.codes IS
'Codes are fixed except code_plaintext, which is never written to a purged pack; the purge itself '
'(setting NULL) does not fire it.';

CREATE FUNCTION authenticity.tg_code_packs__immutable_columns()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NEW.pack_id IS DISTINCT FROM OLD.pack_id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'pack_id');
    ELSIF NEW.batch_id IS DISTINCT FROM OLD.batch_id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'batch_id');
    ELSIF NEW.quantity IS DISTINCT FROM OLD.quantity THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'quantity');
    ELSIF NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'created_at');
    ELSIF OLD.downloaded_at IS NOT NULL AND NEW.downloaded_at IS DISTINCT FROM OLD.downloaded_at THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'downloaded_at');
    ELSIF OLD.print_confirmed_at IS NOT NULL AND NEW.print_confirmed_at IS DISTINCT FROM OLD.print_confirmed_at THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'print_confirmed_at');
    ELSIF OLD.plaintext_purged_at IS NOT NULL
        AND NEW.plaintext_purged_at IS DISTINCT FROM OLD.plaintext_purged_at THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'plaintext_purged_at');
    END IF;
    IF NEW.download_count < OLD.download_count THEN
        RAISE EXCEPTION 'code_packs: download_count may not decrease (% -> %)', OLD.download_count, NEW.download_count
            USING ERRCODE = 'CD004', CONSTRAINT = 'code_packs_download_count_regression',
                  TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA, COLUMN = 'download_count';
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_code_packs__immutable_columns() IS
'BEFORE UPDATE on code_packs: pack_id, batch_id, quantity, created_at never change and downloaded_at, '
'print_confirmed_at, plaintext_purged_at never change once set (CD003); download_count never decreases (CD004).';

DROP TRIGGER code_packs_download_count_monotonic ON authenticity.code_packs;

DROP FUNCTION authenticity.tg_code_packs__download_count_monotonic();

CALL common.drop_immutable_columns('authenticity.code_packs');

CREATE TRIGGER code_packs_immutable_columns
BEFORE UPDATE ON authenticity.code_packs
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_code_packs__immutable_columns();

COMMENT ON TRIGGER code_packs_immutable_columns ON authenticity.code_packs IS
'Fixed and set-once columns of code_packs (CD003) and the growing download_count (CD004).';

CREATE FUNCTION authenticity.tg_code_packs__status_transition()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT (CASE OLD.status
        WHEN 'GENERATING' THEN NEW.status = 'READY'
        WHEN 'READY' THEN NEW.status = 'DOWNLOADED'
        WHEN 'DOWNLOADED' THEN NEW.status = 'PRINT_CONFIRMED'
        ELSE false
    END) THEN
        PERFORM common.forbid_transition(TG_TABLE_NAME, OLD.status::text, NEW.status::text);
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_code_packs__status_transition() IS
'Code pack state machine: GENERATING -> READY -> DOWNLOADED -> PRINT_CONFIRMED only; else CD001.';

CALL common.drop_state_machine('authenticity.code_packs', 'status');

CREATE TRIGGER code_packs_status_transition
BEFORE UPDATE ON authenticity.code_packs
FOR EACH ROW
WHEN (old.status IS DISTINCT FROM new.status)
EXECUTE FUNCTION authenticity.tg_code_packs__status_transition();

COMMENT ON TRIGGER code_packs_status_transition ON authenticity.code_packs IS
'State machine of code_packs.status (GENERATING -> READY -> DOWNLOADED -> PRINT_CONFIRMED); CD001 otherwise.';

CREATE FUNCTION authenticity.tg_batches__immutable_columns()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NEW.manufacturer_id IS DISTINCT FROM OLD.manufacturer_id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'manufacturer_id');
    ELSIF NEW.sku_id IS DISTINCT FROM OLD.sku_id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'sku_id');
    ELSIF NEW.batch_public_id IS DISTINCT FROM OLD.batch_public_id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'batch_public_id');
    ELSIF NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'created_at');
    ELSIF OLD.onchain_batch_pubkey IS NOT NULL
        AND NEW.onchain_batch_pubkey IS DISTINCT FROM OLD.onchain_batch_pubkey THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'onchain_batch_pubkey');
    ELSIF OLD.activated_at IS NOT NULL AND NEW.activated_at IS DISTINCT FROM OLD.activated_at THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'activated_at');
    ELSIF OLD.activated_tx_signature IS NOT NULL
        AND NEW.activated_tx_signature IS DISTINCT FROM OLD.activated_tx_signature THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'activated_tx_signature');
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_batches__immutable_columns() IS
'BEFORE UPDATE on batches: manufacturer_id, sku_id, batch_public_id, created_at never change; '
'onchain_batch_pubkey, activated_at, activated_tx_signature never change once set (CD003).';

CALL common.drop_immutable_columns('authenticity.batches');

CREATE TRIGGER batches_immutable_columns
BEFORE UPDATE ON authenticity.batches
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_batches__immutable_columns();

COMMENT ON TRIGGER batches_immutable_columns ON authenticity.batches IS
'Fixed and set-once columns of batches (CD003, <table>_<column>_immutable).';

DROP TRIGGER batches_status_transition_manufacturer_active ON authenticity.batches;

DROP FUNCTION authenticity.tg_batches__manufacturer_active();

CREATE FUNCTION authenticity.tg_batches__status_transition()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT (CASE OLD.status
        WHEN 'CREATED' THEN NEW.status IN ('ACTIVE', 'CLOSED')
        WHEN 'ACTIVE' THEN NEW.status IN ('PAUSED', 'CLOSED')
        WHEN 'PAUSED' THEN NEW.status IN ('ACTIVE', 'CLOSED')
        ELSE false
    END) THEN
        PERFORM common.forbid_transition(TG_TABLE_NAME, OLD.status::text, NEW.status::text);
    END IF;
    IF NEW.status = 'ACTIVE' AND NOT EXISTS (
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

COMMENT ON FUNCTION authenticity.tg_batches__status_transition() IS
'Batch state machine: CREATED -> ACTIVE | CLOSED, ACTIVE -> PAUSED | CLOSED, PAUSED -> ACTIVE | CLOSED; '
'else CD001. Entering ACTIVE needs an active manufacturer (CD007, batches_manufacturer_active).';

CALL common.drop_state_machine('authenticity.batches', 'status');

CREATE TRIGGER batches_status_transition
BEFORE UPDATE ON authenticity.batches
FOR EACH ROW
WHEN (old.status IS DISTINCT FROM new.status)
EXECUTE FUNCTION authenticity.tg_batches__status_transition();

COMMENT ON TRIGGER batches_status_transition ON authenticity.batches IS
'State machine of batches.status; CD001 for a forbidden move, CD007 when activating for a suspended manufacturer.';
