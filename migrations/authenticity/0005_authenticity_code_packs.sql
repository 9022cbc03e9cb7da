-- depends: 0004_authenticity_batches
-- Code packs (seed: code_packs) and their state machine:
--   GENERATING -> READY -> DOWNLOADED -> PRINT_CONFIRMED (terminal).
-- A forbidden move raises CD001 (code_packs_status_transition). CHECKs tie the timestamps
-- to the statuses: downloaded_at exactly from DOWNLOADED on (with download_count > 0),
-- print_confirmed_at and plaintext_purged_at exactly when PRINT_CONFIRMED.
-- The rules between packs and their codes (READY needs all codes; PRINT_CONFIRMED needs
-- every plaintext purged) live with the codes table (0006); the functions that count a
-- download and confirm the print live in 0013.
-- Decided where the seed is silent: pack_id (public) is URL-safe; a pack starts GENERATING
-- in a batch that is not CLOSED (CD007); pack_id, batch_id, quantity never change and the
-- timestamps never change once set (CD003); download_count never decreases (CD004); a NULL
-- download_expires_at means no download deadline.

CREATE TABLE authenticity.code_packs (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    pack_id text NOT NULL,
    batch_id uuid NOT NULL,
    quantity integer NOT NULL,
    status authenticity.code_pack_status NOT NULL DEFAULT 'GENERATING',
    download_count integer NOT NULL DEFAULT 0,
    download_expires_at timestamptz,
    downloaded_at timestamptz,
    print_confirmed_at timestamptz,
    plaintext_purged_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT code_packs_pkey PRIMARY KEY (id),
    CONSTRAINT code_packs_pack_id_key UNIQUE (pack_id),
    CONSTRAINT code_packs_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES authenticity.batches (id),
    CONSTRAINT code_packs_pack_id_check CHECK (pack_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    CONSTRAINT code_packs_quantity_check CHECK (quantity > 0),
    CONSTRAINT code_packs_download_count_check CHECK (
        download_count >= 0 AND (download_count > 0) = (downloaded_at IS NOT NULL)
    ),
    CONSTRAINT code_packs_downloaded_at_check CHECK (
        (downloaded_at IS NOT NULL) = (status IN ('DOWNLOADED', 'PRINT_CONFIRMED'))
    ),
    CONSTRAINT code_packs_print_confirmed_at_check CHECK (
        (print_confirmed_at IS NOT NULL) = (status = 'PRINT_CONFIRMED')
        AND print_confirmed_at >= downloaded_at
    ),
    CONSTRAINT code_packs_plaintext_purged_at_check CHECK (
        (plaintext_purged_at IS NOT NULL) = (status = 'PRINT_CONFIRMED')
    )
);

CREATE INDEX code_packs_batch_id_idx ON authenticity.code_packs (batch_id);

COMMENT ON TABLE authenticity.code_packs IS
'A set of codes generated together, downloaded by the printer and confirmed printed; once PRINT_CONFIRMED '
'its codes keep no plaintext.';
COMMENT ON COLUMN authenticity.code_packs.id IS 'Internal key; codes.pack_id references it.';
COMMENT ON COLUMN authenticity.code_packs.pack_id IS
'Public identifier of the pack (1 to 64 of A-Z a-z 0-9 _ -), unique.';
COMMENT ON COLUMN authenticity.code_packs.quantity IS
'Number of codes in the pack; the pack becomes READY only with exactly this many codes.';
COMMENT ON COLUMN authenticity.code_packs.status IS
'GENERATING -> READY -> DOWNLOADED -> PRINT_CONFIRMED; see code_packs_status_transition.';
COMMENT ON COLUMN authenticity.code_packs.download_count IS
'Counted downloads (authenticity.record_code_pack_download); never decreases.';
COMMENT ON COLUMN authenticity.code_packs.download_expires_at IS
'Downloads are counted only before this instant; NULL: no deadline.';
COMMENT ON COLUMN authenticity.code_packs.downloaded_at IS 'First counted download (READY -> DOWNLOADED).';
COMMENT ON COLUMN authenticity.code_packs.print_confirmed_at IS 'When the print was confirmed (-> PRINT_CONFIRMED).';
COMMENT ON COLUMN authenticity.code_packs.plaintext_purged_at IS
'When every code''s code_plaintext was purged: set with PRINT_CONFIRMED, in the same transaction.';

CREATE FUNCTION authenticity.tg_code_packs__check_insert()
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

CREATE TRIGGER code_packs_check_insert
BEFORE INSERT ON authenticity.code_packs
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_code_packs__check_insert();

COMMENT ON TRIGGER code_packs_check_insert ON authenticity.code_packs IS
'New packs start GENERATING in an open batch (CD007 otherwise).';

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

CREATE TRIGGER code_packs_status_transition
BEFORE UPDATE ON authenticity.code_packs
FOR EACH ROW
WHEN (old.status IS DISTINCT FROM new.status)
EXECUTE FUNCTION authenticity.tg_code_packs__status_transition();

COMMENT ON TRIGGER code_packs_status_transition ON authenticity.code_packs IS
'State machine of code_packs.status (GENERATING -> READY -> DOWNLOADED -> PRINT_CONFIRMED); CD001 otherwise.';

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

CREATE TRIGGER code_packs_immutable_columns
BEFORE UPDATE ON authenticity.code_packs
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_code_packs__immutable_columns();

COMMENT ON TRIGGER code_packs_immutable_columns ON authenticity.code_packs IS
'Fixed and set-once columns of code_packs (CD003) and the growing download_count (CD004).';
