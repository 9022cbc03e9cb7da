-- depends: 0012_game_market_purchase_functions
-- record_download, called by queries/game_market/download_events.sql. Conventions as in
-- 0010_game_market_catalog_functions.
--
--   record_download  a download of a release under an entitlement: CD005 unknown entitlement or
--                    release; CD007 download_events_entitlement_active (revoked),
--                    download_events_release_same_game (another game's release),
--                    download_events_release_published (unpublished). The entitlement is locked
--                    FOR SHARE, so a concurrent refund waits for the download to commit and a
--                    download after the refund sees it revoked. The IP address becomes
--                    hex(HMAC-SHA256(salt, host(ip))) here, the salt read from
--                    game_market.ip_hash_salt as the owner (0007); the address is not stored
--                    anywhere. The user agent is cut to 512 characters.

CREATE FUNCTION game_market.record_download(p_entitlement_id uuid, p_release_id uuid, p_ip inet, p_user_agent text)
RETURNS SETOF game_market.download_events
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_entitlement game_market.entitlements;
    v_release game_market.releases;
BEGIN
    SELECT e.* INTO v_entitlement FROM game_market.entitlements AS e WHERE e.id = p_entitlement_id FOR SHARE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('game_market.entitlements', coalesce(p_entitlement_id::text, 'NULL'));
    END IF;
    SELECT r.* INTO v_release FROM game_market.releases AS r WHERE r.id = p_release_id;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('game_market.releases', coalesce(p_release_id::text, 'NULL'));
    END IF;
    IF v_entitlement.revoked_at IS NOT NULL THEN
        PERFORM common.raise_precondition_failed(
            'game_market.download_events', 'download_events_entitlement_active',
            'a revoked entitlement allows no download',
            format('entitlement_id=%s revoked_at=%s', p_entitlement_id, v_entitlement.revoked_at)
        );
    ELSIF v_release.game_id <> v_entitlement.game_id THEN
        PERFORM common.raise_precondition_failed(
            'game_market.download_events', 'download_events_release_same_game',
            'the release is not of the entitlement''s game',
            format('entitlement_id=%s game_id=%s release_game_id=%s', p_entitlement_id, v_entitlement.game_id,
                v_release.game_id)
        );
    ELSIF v_release.published_at IS NULL THEN
        PERFORM common.raise_precondition_failed(
            'game_market.download_events', 'download_events_release_published',
            'only a published release is downloaded', format('release_id=%s', p_release_id)
        );
    END IF;
    RETURN QUERY
    INSERT INTO game_market.download_events AS d (entitlement_id, release_id, ip_hash, user_agent)
    VALUES (
        p_entitlement_id,
        p_release_id,
        encode(
            extensions.hmac(
                convert_to(host(p_ip), 'UTF8'), (SELECT s.salt FROM game_market.ip_hash_salt AS s WHERE s.id), 'sha256'
            ),
            'hex'
        ),
        left(p_user_agent, 512)
    )
    RETURNING d.*;
END
$fn$;

COMMENT ON FUNCTION game_market.record_download(uuid, uuid, inet, text) IS
'Records a download of a published release of the entitlement''s game under an unrevoked entitlement. The IP '
'address is stored only as hex(HMAC-SHA256(salt, host(ip))) with the owner-only salt of game_market.ip_hash_salt. '
'CD005 unknown entitlement or release; CD007 download_events_entitlement_active, download_events_release_same_game, '
'download_events_release_published; 23502 without an address.';

GRANT EXECUTE ON FUNCTION game_market.record_download(uuid, uuid, inet, text) TO chaindb_app;
