-- depends: 0009_game_market_payouts
-- The catalog's rule functions (publish a release, publish or unlist a game), called by
-- queries/game_market/releases.sql and games.sql. Conventions of every game_market rule
-- function: SECURITY DEFINER (the application has no UPDATE on the columns they move) with a
-- pinned search_path and qualified names; RETURNS SETOF the table, exactly one row or an error;
-- the row locked before it is moved, so of two concurrent calls the second sees the first's
-- result; a call that finds the row already where it asks to go returns it unchanged (retries
-- are harmless); errors through the common raise helpers (CD005 unknown row, CD007 rule not
-- met) or the declared state machine's trigger (CD001).
--
--   publish_release   sets published_at once; asks for the release's build asset
--                     (CD007 releases_published_with_build).
--   publish_game      draft | unlisted -> published; asks for a published release of the game
--                     (CD007 games_published_with_release).
--   unlist_game       published -> unlisted (CD001 from draft).

CREATE FUNCTION game_market.publish_release(p_id uuid)
RETURNS SETOF game_market.releases
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row game_market.releases;
BEGIN
    SELECT r.* INTO v_row FROM game_market.releases AS r WHERE r.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('game_market.releases', p_id::text);
    ELSIF v_row.published_at IS NULL THEN
        IF NOT EXISTS (SELECT FROM game_market.build_assets AS b WHERE b.release_id = p_id) THEN
            PERFORM common.raise_precondition_failed(
                'game_market.releases', 'releases_published_with_build',
                'a release is published only with its build asset', format('release_id=%s', p_id)
            );
        END IF;
        -- never before created_at, even for a transaction that started before the release was committed
        UPDATE game_market.releases AS r SET published_at = greatest(common.now(), r.created_at)
        WHERE r.id = p_id
        RETURNING r.* INTO v_row;
    END IF;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION game_market.publish_release(uuid) IS
'Publishes a release (published_at = common.now(), set once): from then on it is downloadable. Needs its build asset '
'(CD007 releases_published_with_build). A published release is returned unchanged. CD005 unknown release.';

CREATE FUNCTION game_market.publish_game(p_id uuid)
RETURNS SETOF game_market.games
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row game_market.games;
BEGIN
    SELECT g.* INTO v_row FROM game_market.games AS g WHERE g.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('game_market.games', p_id::text);
    ELSIF v_row.status <> 'published' THEN
        IF NOT EXISTS (
            SELECT FROM game_market.releases AS r WHERE r.game_id = p_id AND r.published_at IS NOT NULL
        ) THEN
            PERFORM common.raise_precondition_failed(
                'game_market.games', 'games_published_with_release',
                'a game is published only with a published release', format('game_id=%s', p_id)
            );
        END IF;
        UPDATE game_market.games AS g SET status = 'published' WHERE g.id = p_id RETURNING g.* INTO v_row;
    END IF;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION game_market.publish_game(uuid) IS
'draft | unlisted -> published: in the catalog and for sale. Needs a published release (CD007 '
'games_published_with_release). A published game is returned unchanged. CD005 unknown game.';

CREATE FUNCTION game_market.unlist_game(p_id uuid)
RETURNS SETOF game_market.games
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row game_market.games;
BEGIN
    SELECT g.* INTO v_row FROM game_market.games AS g WHERE g.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('game_market.games', p_id::text);
    ELSIF v_row.status <> 'unlisted' THEN
        -- the declared state machine refuses draft -> unlisted (CD001)
        UPDATE game_market.games AS g SET status = 'unlisted' WHERE g.id = p_id RETURNING g.* INTO v_row;
    END IF;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION game_market.unlist_game(uuid) IS
'published -> unlisted: out of the catalog and off sale; owners still download. An unlisted game is returned '
'unchanged. CD005 unknown game, CD001 a draft.';

GRANT EXECUTE ON FUNCTION
game_market.publish_release(uuid),
game_market.publish_game(uuid),
game_market.unlist_game(uuid)
TO chaindb_app;
