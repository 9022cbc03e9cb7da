-- depends: 0017_bloxtr8_escrow_functions
-- Asset verifications and Roblox snapshots: every write, as SECURITY DEFINER functions (chaindb_app reads
-- both tables and cannot write them).
--
--   start_asset_verification(user, game, method)   the user's check of a game: a new PENDING row, or the
--       existing one: returned as it is while a check runs (PENDING) or a VERIFIED result is cached
--       (expires_at still ahead, database clock), else (FAILED, EXPIRED, VERIFIED past its cache) started
--       again: PENDING with the new method, verified_at and expires_at cleared. Race-safe: INSERT ... ON
--       CONFLICT on (user_id, game_id), then the row is locked.
--   complete_asset_verification(verification, verified, ownership_type, metadata)   PENDING -> VERIFIED
--       (verified_at now, expires_at now + 24 hours) or FAILED, with the API response. CD005, CD001.
--   expire_asset_verifications()   every VERIFIED row past expires_at -> EXPIRED; returns how many.
--   create_roblox_snapshot(game, name, listing, ...)   a snapshot of a game, for a listing or not; its
--       verified_ownership, ownership_type and verification_date come from the listing seller's cached
--       VERIFIED check of that game (none without a listing), never from the caller.

CREATE FUNCTION bloxtr8.start_asset_verification(
    p_user_id text, p_game_id text, p_verification_method bloxtr8.verification_method
)
RETURNS SETOF bloxtr8.asset_verifications
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row bloxtr8.asset_verifications;
BEGIN
    INSERT INTO bloxtr8.asset_verifications AS v (user_id, game_id, verification_method)
    VALUES (p_user_id, p_game_id, p_verification_method)
    ON CONFLICT ON CONSTRAINT asset_verifications_user_id_game_id_key DO NOTHING
    RETURNING v.* INTO v_row;
    IF FOUND THEN
        RETURN NEXT v_row;
        RETURN;
    END IF;
    SELECT v.* INTO v_row
    FROM bloxtr8.asset_verifications AS v
    WHERE v.user_id = p_user_id AND v.game_id = p_game_id
    FOR UPDATE;
    IF v_row.verification_status = 'PENDING'
        OR (v_row.verification_status = 'VERIFIED' AND v_row.expires_at > common.now()) THEN
        RETURN NEXT v_row;
        RETURN;
    END IF;
    RETURN QUERY
    UPDATE bloxtr8.asset_verifications AS v
    SET verification_status = 'PENDING', verification_method = p_verification_method, verified_at = NULL,
        expires_at = NULL
    WHERE v.id = v_row.id
    RETURNING v.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.start_asset_verification(text, text, bloxtr8.verification_method) IS
'Starts (or finds) the user''s ownership check of a game: a new PENDING row; the existing row unchanged while PENDING '
'or VERIFIED within its 24-hour cache (the cached result: no new check needed); else started again (PENDING). 23503 '
'unknown user, 23514 asset_verifications_game_id_check.';

CREATE FUNCTION bloxtr8.complete_asset_verification(
    p_verification_id text,
    p_verified boolean,
    p_ownership_type bloxtr8.game_ownership_type DEFAULT 'OWNER',
    p_metadata jsonb DEFAULT NULL
)
RETURNS SETOF bloxtr8.asset_verifications
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_status bloxtr8.verification_status;
    v_to bloxtr8.verification_status := CASE WHEN p_verified THEN 'VERIFIED' ELSE 'FAILED' END;
BEGIN
    IF p_verified IS NULL THEN
        RAISE EXCEPTION 'asset_verifications: the outcome of check % is NULL, not verified (true) or failed (false)',
            p_verification_id
            USING ERRCODE = 'not_null_violation', SCHEMA = 'bloxtr8', TABLE = 'asset_verifications',
                  COLUMN = 'verification_status', DETAIL = format('id=%s verified=', p_verification_id);
    END IF;
    SELECT v.verification_status INTO v_status
    FROM bloxtr8.asset_verifications AS v WHERE v.id = p_verification_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.asset_verifications', p_verification_id);
    ELSIF v_status <> 'PENDING' THEN
        PERFORM common.raise_forbidden_transition(
            'bloxtr8.asset_verifications', 'verification_status', v_status::text, v_to::text
        );
    END IF;
    RETURN QUERY
    UPDATE bloxtr8.asset_verifications AS v
    SET verification_status = v_to,
        verified_at = CASE WHEN p_verified THEN common.now() END,
        expires_at = CASE WHEN p_verified THEN common.now() + interval '24 hours' END,
        ownership_type = coalesce(p_ownership_type, v.ownership_type),
        metadata = p_metadata
    WHERE v.id = p_verification_id
    RETURNING v.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.complete_asset_verification(text, boolean, bloxtr8.game_ownership_type, jsonb) IS
'Records the outcome of a PENDING check: VERIFIED (verified_at now, cached until now + 24 hours, with the ownership '
'type) or FAILED; p_metadata is the API response. CD005 unknown, CD001 not PENDING (also a second completion), 23502 '
'p_verified NULL.';

CREATE FUNCTION bloxtr8.expire_asset_verifications()
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH expired AS (
        UPDATE bloxtr8.asset_verifications AS v SET verification_status = 'EXPIRED'
        WHERE v.verification_status = 'VERIFIED' AND v.expires_at <= common.now()
        RETURNING v.id
    )

    SELECT count(*)::integer FROM expired
$fn$;

COMMENT ON FUNCTION bloxtr8.expire_asset_verifications() IS
'Moves every VERIFIED check past its 24-hour cache (database clock) to EXPIRED; returns how many.';

CREATE FUNCTION bloxtr8.create_roblox_snapshot(
    p_game_id text,
    p_game_name text,
    p_listing_id text DEFAULT NULL,
    p_game_description text DEFAULT NULL,
    p_thumbnail_url text DEFAULT NULL,
    p_player_count integer DEFAULT NULL,
    p_visits bigint DEFAULT NULL,
    p_created_date timestamptz DEFAULT NULL,
    p_metadata jsonb DEFAULT NULL
)
RETURNS SETOF bloxtr8.roblox_snapshots
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_seller_id text;
    v_check bloxtr8.asset_verifications;
BEGIN
    IF p_listing_id IS NOT NULL THEN
        SELECT l.user_id INTO v_seller_id FROM bloxtr8.listings AS l WHERE l.id = p_listing_id;
        IF NOT FOUND THEN
            PERFORM common.raise_not_found('bloxtr8.listings', p_listing_id);
        END IF;
        SELECT v.* INTO v_check
        FROM bloxtr8.asset_verifications AS v
        WHERE
            v.user_id = v_seller_id AND v.game_id = p_game_id
            AND v.verification_status = 'VERIFIED' AND v.expires_at > common.now();
    END IF;
    RETURN QUERY
    INSERT INTO bloxtr8.roblox_snapshots AS s (
        game_id, game_name, game_description, thumbnail_url, player_count, visits, created_date,
        verified_ownership, ownership_type, verification_date, metadata, listing_id
    )
    VALUES (
        p_game_id, p_game_name, p_game_description, p_thumbnail_url, p_player_count, p_visits, p_created_date,
        v_check.id IS NOT NULL, coalesce(v_check.ownership_type, 'OWNER'), v_check.verified_at, p_metadata,
        p_listing_id
    )
    RETURNING s.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.create_roblox_snapshot(
    text, text, text, text, text, integer, bigint, timestamptz, jsonb
) IS
'Records a snapshot of a Roblox game, for a listing or not. verified_ownership (with ownership_type and '
'verification_date) is true exactly when the listing''s seller has a VERIFIED check of the game still cached. CD005 '
'unknown listing, 23514 the roblox_snapshots CHECKs.';

REVOKE ALL ON FUNCTION
bloxtr8.start_asset_verification(text, text, bloxtr8.verification_method),
bloxtr8.complete_asset_verification(text, boolean, bloxtr8.game_ownership_type, jsonb),
bloxtr8.expire_asset_verifications(),
bloxtr8.create_roblox_snapshot(text, text, text, text, text, integer, bigint, timestamptz, jsonb)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
bloxtr8.start_asset_verification(text, text, bloxtr8.verification_method),
bloxtr8.complete_asset_verification(text, boolean, bloxtr8.game_ownership_type, jsonb),
bloxtr8.expire_asset_verifications(),
bloxtr8.create_roblox_snapshot(text, text, text, text, text, integer, bigint, timestamptz, jsonb)
TO chaindb_app;
