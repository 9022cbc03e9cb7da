-- depends: 0012_authenticity_batch_functions
-- Code pack functions (SECURITY DEFINER: the app role has no UPDATE on code_packs or codes).
--   mark_code_pack_ready(id)          GENERATING -> READY, once all quantity codes are loaded
--                                     (code_packs_codes_complete, CD007)
--   record_code_pack_download(id, now) counts one download: only from READY or DOWNLOADED
--                                     (CD007 code_packs_downloadable) and before
--                                     download_expires_at (CD006 code_packs_download_expired);
--                                     READY -> DOWNLOADED sets downloaded_at (the first download)
--   confirm_print(id, now)            DOWNLOADED -> PRINT_CONFIRMED, print_confirmed_at and
--                                     plaintext_purged_at = now, and every code's
--                                     code_plaintext set to NULL, in the caller's transaction
-- The clock is injectable: p_now, default now(). A missing pack is CD005; a move to the state
-- the pack is in, or any other forbidden move, is CD001.

CREATE FUNCTION authenticity.mark_code_pack_ready(p_code_pack_id uuid)
RETURNS authenticity.code_packs
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    current_status authenticity.code_pack_status;
    result authenticity.code_packs;
BEGIN
    SELECT p.status INTO current_status FROM authenticity.code_packs AS p WHERE p.id = p_code_pack_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM authenticity.raise_not_found('code_packs', p_code_pack_id::text);
    ELSIF current_status <> 'GENERATING' THEN
        PERFORM common.forbid_transition('code_packs', current_status::text, 'READY');
    END IF;
    UPDATE authenticity.code_packs AS p SET status = 'READY' WHERE p.id = p_code_pack_id RETURNING p.* INTO result;
    RETURN result;
END
$fn$;

COMMENT ON FUNCTION authenticity.mark_code_pack_ready(uuid) IS
'GENERATING -> READY once the pack holds exactly quantity codes (CD007 code_packs_quantity_generated). '
'CD005 missing, CD001 from any other state.';

CREATE FUNCTION authenticity.record_code_pack_download(p_code_pack_id uuid, p_now timestamptz DEFAULT NULL)
RETURNS authenticity.code_packs
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_now timestamptz := coalesce(p_now, now());
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

COMMENT ON FUNCTION authenticity.record_code_pack_download(uuid, timestamptz) IS
'Counts one download (download_count + 1; READY -> DOWNLOADED sets downloaded_at) by a guarded UPDATE: '
'only from READY or DOWNLOADED (CD007 code_packs_downloadable) and before download_expires_at '
'(CD006 code_packs_download_expired). CD005 missing.';

CREATE FUNCTION authenticity.confirm_print(p_code_pack_id uuid, p_now timestamptz DEFAULT NULL)
RETURNS authenticity.code_packs
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_now timestamptz := coalesce(p_now, now());
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

COMMENT ON FUNCTION authenticity.confirm_print(uuid, timestamptz) IS
'DOWNLOADED -> PRINT_CONFIRMED: sets print_confirmed_at and plaintext_purged_at to coalesce(p_now, now()) and '
'purges code_plaintext of every code of the pack, in the same transaction. CD005 missing, CD001 from any '
'other state.';
