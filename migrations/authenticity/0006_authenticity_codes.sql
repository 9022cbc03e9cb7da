-- depends: 0005_authenticity_code_packs
-- Codes (seed: codes) and the rules between a pack and its codes.
--
-- Formats (decided; the seed is silent):
--   code            the secret printed in the QR: 16 random bytes, RFC 4648 base32 without
--                   padding (26 characters). Never stored in clear.
--   commitment      SHA-256 of UTF-8 "<batch_public_id>:<code>" (32 bytes, unique).
--   onchain_code_pda the program-derived address of the code: seeds ["code", commitment]
--                   under the authenticity program (python/chaindb/chain/solana.py).
--   code_plaintext  the code encrypted with AES-256-GCM under a key only the application
--                   holds: 'v1:' || base64(nonce(12) || ciphertext || tag(16)), the
--                   commitment as associated data. The CHECK refuses anything else, so a
--                   clear code cannot be stored by mistake.
--   qr_payload      the public part of the QR: 'https://<host>/v/<batch_public_id>/<onchain_code_pda>'.
--                   The printed QR is qr_payload || '#' || code, assembled from the decrypted
--                   code_plaintext when the pack is downloaded: the code travels in the URL
--                   fragment (browsers never send it to the server), and the database never
--                   holds it in clear, so nothing of it survives the purge.
--
-- Rules:
--   codes_check_insert (statement, after INSERT/COPY): codes go only into a GENERATING pack
--     (CD007 codes_pack_generating; CD008 codes_plaintext_purged when the pack is purged and
--     the row carries plaintext), and a payload names its own batch (23514
--     codes_qr_payload_batch_check). Set-based, once per statement, so COPY stays fast.
--   codes_guard_update: pack_id, qr_payload, commitment, onchain_code_pda, created_at never
--     change (CD003); plaintext is never written to a code of a purged or PRINT_CONFIRMED
--     pack (CD008 codes_plaintext_purged). Clearing it (the purge) passes.
--   code_packs_codes_complete: GENERATING -> READY needs exactly quantity codes (CD007).
--   code_packs_plaintext_purged (constraint trigger, deferred to commit): a PRINT_CONFIRMED or
--     purged pack has no code with plaintext (CD008), whatever statement got it there.
-- The CHECKs avoid counted repetitions ({m,n}) in regular expressions: PostgreSQL's engine
-- expands them, and at a million rows per pack each microsecond is a second.
-- Purged ciphertext stays in dead row versions until VACUUM reclaims them; pg_dump and every
-- query see only live rows.

CREATE TABLE authenticity.codes (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    pack_id uuid NOT NULL,
    code_plaintext text,
    qr_payload text NOT NULL,
    commitment authenticity.bytes32 NOT NULL,
    onchain_code_pda text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT codes_pkey PRIMARY KEY (id),
    CONSTRAINT codes_pack_id_fkey FOREIGN KEY (pack_id) REFERENCES authenticity.code_packs (id),
    CONSTRAINT codes_commitment_key UNIQUE (commitment),
    CONSTRAINT codes_onchain_code_pda_key UNIQUE (onchain_code_pda),
    CONSTRAINT codes_code_plaintext_check CHECK (
        code_plaintext ~ '^v1:[A-Za-z0-9+/]+={0,2}$'
        AND length(code_plaintext) % 4 = 3
        AND length(code_plaintext) >= 43
    ),
    CONSTRAINT codes_onchain_code_pda_check CHECK (authenticity.is_solana_address(onchain_code_pda)),
    CONSTRAINT codes_qr_payload_check CHECK (
        qr_payload ~ '^https://[A-Za-z0-9.-]+(:[0-9]+)?/v/[A-Za-z0-9_-]+/[1-9A-HJ-NP-Za-km-z]+$'
        AND right(qr_payload, length(onchain_code_pda) + 1) = '/' || onchain_code_pda
    )
);

CREATE INDEX codes_pack_id_id_idx ON authenticity.codes (pack_id, id);

COMMENT ON INDEX authenticity.codes_pack_id_id_idx IS
'Serves codes_pack_id_fkey, the per-pack purge and count, and paging through a pack by id.';
COMMENT ON TABLE authenticity.codes IS
'One printed authenticity code: its commitment and on-chain PDA (public) and, until the print is confirmed, '
'its encrypted plaintext.';
COMMENT ON COLUMN authenticity.codes.pack_id IS 'The pack: references code_packs.id (the uuid), not code_packs.pack_id.';
COMMENT ON COLUMN authenticity.codes.code_plaintext IS
'SECRET. The code encrypted by the application (AES-256-GCM, ''v1:'' || base64(nonce || ciphertext || tag), '
'associated data: commitment); the key is never in the database. NULL once purged: always NULL when the '
'pack is PRINT_CONFIRMED.';
COMMENT ON COLUMN authenticity.codes.qr_payload IS
'Public part of the QR payload: https://<host>/v/<batch_public_id>/<onchain_code_pda>. The printed QR '
'appends ''#'' and the code, taken from the decrypted code_plaintext at download.';
COMMENT ON COLUMN authenticity.codes.commitment IS
'SHA-256 of UTF-8 "<batch_public_id>:<code>": what the chain stores; unique.';
COMMENT ON COLUMN authenticity.codes.onchain_code_pda IS
'Program-derived address of the code on Solana, seeds ["code", commitment]; unique.';
COMMENT ON CONSTRAINT codes_code_plaintext_check ON authenticity.codes IS
'Only ciphertext in the v1 format fits: ''v1:'' and padded base64 (length a multiple of 4) of at least '
'30 bytes (nonce, tag, code).';
COMMENT ON CONSTRAINT codes_qr_payload_check ON authenticity.codes IS
'The payload is https://<host>/v/<batch_public_id>/<onchain_code_pda> for this row''s PDA, with no code in it.';

CREATE FUNCTION authenticity.tg_codes__check_insert()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    pack_ids uuid [];
    bad record;
BEGIN
    SELECT array_agg(d.pack_id) INTO pack_ids FROM (SELECT DISTINCT n.pack_id FROM new_codes AS n) AS d;
    -- Share-lock the packs written to, so that a pack cannot become READY (and have its codes
    -- counted) while another transaction is still adding codes to it.
    PERFORM FROM authenticity.code_packs AS p WHERE p.id = ANY(pack_ids) ORDER BY p.id FOR SHARE;
    SELECT p.pack_id, p.status, p.plaintext_purged_at,
           EXISTS (SELECT FROM new_codes AS c WHERE c.pack_id = p.id AND c.code_plaintext IS NOT NULL)
               AS has_plaintext
    INTO bad
    FROM authenticity.code_packs AS p
    WHERE p.id = ANY(pack_ids) AND p.status <> 'GENERATING'
    LIMIT 1;
    IF FOUND THEN
        IF (bad.plaintext_purged_at IS NOT NULL OR bad.status = 'PRINT_CONFIRMED') AND bad.has_plaintext THEN
            RAISE EXCEPTION 'codes: pack % is purged; plaintext may not be written to it', bad.pack_id
                USING ERRCODE = 'CD008', CONSTRAINT = 'codes_plaintext_purged', TABLE = TG_TABLE_NAME,
                      SCHEMA = TG_TABLE_SCHEMA;
        END IF;
        RAISE EXCEPTION 'codes: pack % is %, codes are added only while GENERATING', bad.pack_id, bad.status
            USING ERRCODE = 'CD007', CONSTRAINT = 'codes_pack_generating', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;

    SELECT n.qr_payload, b.batch_public_id INTO bad
    FROM new_codes AS n
    INNER JOIN authenticity.code_packs AS p ON p.id = n.pack_id
    INNER JOIN authenticity.batches AS b ON b.id = p.batch_id
    WHERE split_part(n.qr_payload, '/', 5) <> b.batch_public_id
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'codes: qr_payload % does not carry batch %', bad.qr_payload, bad.batch_public_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'codes_qr_payload_batch_check',
                  TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_codes__check_insert() IS
'AFTER INSERT statement trigger on codes (set-based over the new rows): the packs are GENERATING '
'(CD007 codes_pack_generating; CD008 codes_plaintext_purged for plaintext into a purged pack) and every '
'qr_payload carries its batch''s public id (23514 codes_qr_payload_batch_check). SECURITY DEFINER to '
'share-lock the packs.';

CREATE TRIGGER codes_check_insert
AFTER INSERT ON authenticity.codes
REFERENCING NEW TABLE AS new_codes
FOR EACH STATEMENT
EXECUTE FUNCTION authenticity.tg_codes__check_insert();

COMMENT ON TRIGGER codes_check_insert ON authenticity.codes IS
'Once per INSERT or COPY: codes only into GENERATING packs, payloads carry their batch''s public id.';

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

CREATE FUNCTION authenticity.tg_code_packs__codes_complete()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    generated bigint;
BEGIN
    SELECT count(*) INTO generated FROM authenticity.codes AS c WHERE c.pack_id = NEW.id;
    IF generated <> NEW.quantity THEN
        RAISE EXCEPTION 'code_packs: pack % has % codes, not %', NEW.pack_id, generated, NEW.quantity
            USING ERRCODE = 'CD007', CONSTRAINT = 'code_packs_quantity_generated', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA, DETAIL = format('generated=%s quantity=%s', generated, NEW.quantity);
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_code_packs__codes_complete() IS
'BEFORE UPDATE GENERATING -> READY on code_packs: the pack has exactly quantity codes '
'(CD007 code_packs_quantity_generated).';

CREATE TRIGGER code_packs_codes_complete
BEFORE UPDATE ON authenticity.code_packs
FOR EACH ROW
WHEN (old.status = 'GENERATING' AND new.status = 'READY')
EXECUTE FUNCTION authenticity.tg_code_packs__codes_complete();

COMMENT ON TRIGGER code_packs_codes_complete ON authenticity.code_packs IS
'A pack becomes READY only with exactly quantity codes (CD007).';

CREATE FUNCTION authenticity.tg_code_packs__plaintext_purged()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF EXISTS (
        SELECT FROM authenticity.codes AS c
        WHERE c.pack_id = NEW.id AND c.code_plaintext IS NOT NULL
    ) THEN
        RAISE EXCEPTION 'code_packs: pack % is % but codes still hold plaintext', NEW.pack_id, NEW.status
            USING ERRCODE = 'CD008', CONSTRAINT = 'code_packs_plaintext_purged', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_code_packs__plaintext_purged() IS
'Deferred check on code_packs: a PRINT_CONFIRMED or purged pack has no code with plaintext '
'(CD008 code_packs_plaintext_purged).';

CREATE CONSTRAINT TRIGGER code_packs_plaintext_purged
AFTER INSERT OR UPDATE ON authenticity.code_packs
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW
WHEN (new.status = 'PRINT_CONFIRMED' OR new.plaintext_purged_at IS NOT NULL)
EXECUTE FUNCTION authenticity.tg_code_packs__plaintext_purged();

COMMENT ON TRIGGER code_packs_plaintext_purged ON authenticity.code_packs IS
'At commit: no PRINT_CONFIRMED or purged pack keeps a code with plaintext (CD008), even against direct UPDATEs.';
