-- Undoes 0014 exactly: the unpartitioned game_market.download_events as 0007 made it, with every row
-- (a row whose id is not unique, which PRIMARY KEY (id, created_at) allowed and only the owner could
-- write, makes this rollback fail rather than lose it), and game_market.record_download (0013) on it.

CALL common.drop_monthly_partitions('game_market.download_events');

CALL common.drop_append_only('game_market.download_events');

-- squawk-ignore renaming-table
ALTER TABLE game_market.download_events RENAME TO download_events_partitioned;

-- squawk-ignore renaming-object
ALTER INDEX game_market.download_events_pkey RENAME TO download_events_partitioned_pkey;

-- squawk-ignore require-concurrent-index-deletion
DROP INDEX game_market.download_events_entitlement_id_created_at_id_idx;

-- squawk-ignore require-concurrent-index-deletion
DROP INDEX game_market.download_events_release_id_idx;

-- The function returns the table's rows: its type now names the old table; it is made again on the new one.
-- squawk-ignore ban-drop-function
DROP FUNCTION game_market.record_download(uuid, uuid, inet, text);

CREATE TABLE game_market.download_events (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    entitlement_id uuid NOT NULL,
    release_id uuid NOT NULL,
    ip_hash text NOT NULL,
    user_agent text,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT download_events_pkey PRIMARY KEY (id),
    CONSTRAINT download_events_entitlement_id_fkey FOREIGN KEY (entitlement_id)
    REFERENCES game_market.entitlements (id) ON DELETE RESTRICT,
    CONSTRAINT download_events_release_id_fkey FOREIGN KEY (release_id)
    REFERENCES game_market.releases (id) ON DELETE RESTRICT,
    CONSTRAINT download_events_ip_hash_check CHECK (char_length(ip_hash) = 64 AND ip_hash ~ '^[0-9a-f]+$'),
    CONSTRAINT download_events_user_agent_check CHECK (char_length(user_agent) <= 512)
);

CREATE INDEX download_events_entitlement_id_created_at_id_idx
ON game_market.download_events (entitlement_id, created_at DESC, id);

CREATE INDEX download_events_release_id_idx ON game_market.download_events (release_id);

CALL common.define_append_only('game_market.download_events');

COMMENT ON TABLE game_market.download_events IS
'One download of a release by an entitlement''s holder; written only by game_market.record_download, append-only.';
COMMENT ON COLUMN game_market.download_events.ip_hash IS
'hex(HMAC-SHA256(salt, host(ip))), the salt in game_market.ip_hash_salt: the address itself is never stored.';
COMMENT ON COLUMN game_market.download_events.user_agent IS 'The client''s User-Agent, its first 512 characters.';
COMMENT ON CONSTRAINT download_events_ip_hash_check ON game_market.download_events IS
'ip_hash is an HMAC-SHA256 in lowercase hex (64 characters): never an address.';
COMMENT ON CONSTRAINT download_events_user_agent_check ON game_market.download_events IS
'A user agent is kept to 512 characters.';
COMMENT ON INDEX game_market.download_events_entitlement_id_created_at_id_idx IS
'An entitlement''s downloads, newest first (download_list_by_entitlement, download_count_by_entitlement); indexes '
'the foreign key entitlement_id.';
COMMENT ON INDEX game_market.download_events_release_id_idx IS
'A release''s downloads; indexes the foreign key release_id.';

GRANT SELECT ON game_market.download_events TO chaindb_app, chaindb_readonly;

INSERT INTO game_market.download_events
SELECT p.* FROM game_market.download_events_partitioned AS p
ORDER BY p.created_at;

DROP TABLE game_market.download_events_partitioned;

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
