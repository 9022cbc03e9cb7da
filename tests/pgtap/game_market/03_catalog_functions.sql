-- game_market: publishing (0010): publish_release, publish_game, unlist_game, as the application calls them.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(23);
\ir ../helpers.psql
\ir fixtures.psql

SELECT pg_temp.gm_game(pg_temp.gm_developer('dana'), 'dune-drift') AS game \gset
SELECT pg_temp.gm_release(:'game', '0.9.0', false, false) AS bare \gset

-- publish_release
SELECT is(
    pg_temp.error_fields($$SELECT game_market.publish_release('00000000-0000-4000-8000-000000000000')$$),
    ARRAY['CD005', '', 'releases', 'key=00000000-0000-4000-8000-000000000000'],
    'publish_release: an unknown release is CD005 with its key'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT game_market.publish_release(%L)$$, :'bare')),
    ARRAY['CD007', 'releases_published_with_build', 'releases', 'release_id=' || :'bare'],
    'publish_release: a release without its build asset is not published (CD007)'
);
SELECT is(
    (SELECT published_at FROM game_market.releases
     WHERE id = :'bare'), NULL, '... and stays unpublished'
);
INSERT INTO game_market.build_assets (release_id, object_key, sha256, size_bytes, content_type)
VALUES (:'bare', 'builds/dune/0.9.0.zip', repeat('d', 64), 42, 'application/zip');
SELECT is(
    (SELECT published_at FROM game_market.publish_release(:'bare')), now(),
    'publish_release: with its build, published_at = now()'
);
SELECT ctid AS published_ctid FROM game_market.releases
WHERE id = :'bare' \gset
SELECT is(
    (SELECT published_at FROM game_market.publish_release(:'bare')), now(), 'publishing again returns the release'
);
SELECT is(
    (SELECT ctid::text FROM game_market.releases
     WHERE id = :'bare'), :'published_ctid',
    '... unchanged (no new row version)'
);
SELECT is(
    pg_temp.gm_refused(format(
        $$INSERT INTO game_market.build_assets (release_id, object_key, sha256, size_bytes, content_type)
          VALUES (%L, 'other', repeat('e', 64), 1, 'application/zip')$$, :'bare'
    )),
    '23505 build_assets_release_id_key', 'a published release''s build cannot be replaced by a second one'
);

-- publish_game
SELECT is(
    pg_temp.error_fields($$SELECT game_market.publish_game('00000000-0000-4000-8000-000000000000')$$),
    ARRAY['CD005', '', 'games', 'key=00000000-0000-4000-8000-000000000000'],
    'publish_game: an unknown game is CD005'
);
SELECT pg_temp.gm_game((SELECT developer_user_id FROM game_market.games
                        WHERE id = :'game'), 'empty-game') AS empty \gset
SELECT pg_temp.gm_release(:'empty', '1.0.0', true, false) AS unpublished \gset
SELECT is(
    pg_temp.error_fields(format($$SELECT game_market.publish_game(%L)$$, :'empty')),
    ARRAY['CD007', 'games_published_with_release', 'games', 'game_id=' || :'empty'],
    'publish_game: a game whose releases are all unpublished is not published (CD007)'
);
SELECT is((SELECT status::text FROM game_market.games
           WHERE id = :'empty'), 'draft', '... and stays a draft');
SELECT is(
    (SELECT status::text FROM game_market.publish_game(:'game')), 'published',
    'publish_game: a draft with a published release becomes published'
);
SELECT ctid AS game_ctid FROM game_market.games
WHERE id = :'game' \gset
SELECT is(
    (SELECT status::text FROM game_market.publish_game(:'game')), 'published', 'publishing again returns the game'
);
SELECT is((SELECT ctid::text FROM game_market.games
           WHERE id = :'game'), :'game_ctid', '... unchanged');

-- unlist_game
SELECT is(
    pg_temp.error_fields(format($$SELECT game_market.unlist_game(%L)$$, :'empty')),
    ARRAY['CD001', 'games_status_transition', 'games', 'from=draft to=unlisted'],
    'unlist_game: a draft is not unlisted (CD001, the declared machine)'
);
SELECT is(
    pg_temp.error_fields($$SELECT game_market.unlist_game('00000000-0000-4000-8000-000000000000')$$),
    ARRAY['CD005', '', 'games', 'key=00000000-0000-4000-8000-000000000000'],
    'unlist_game: an unknown game is CD005'
);
SELECT is(
    (SELECT status::text FROM game_market.unlist_game(:'game')), 'unlisted', 'unlist_game: published -> unlisted'
);
SELECT ctid AS unlisted_ctid FROM game_market.games
WHERE id = :'game' \gset
SELECT is((SELECT status::text FROM game_market.unlist_game(:'game')), 'unlisted', 'unlisting again returns the game');
SELECT is((SELECT ctid::text FROM game_market.games
           WHERE id = :'game'), :'unlisted_ctid', '... unchanged');
SELECT is(
    (SELECT status::text FROM game_market.publish_game(:'game')), 'published', 'publish_game: unlisted -> published'
);

-- the application moves a game only through these functions
SELECT throws_ok(
    pg_temp.gm_as_app(format($$UPDATE game_market.games SET status = 'unlisted' WHERE id = %L$$, :'game')),
    '42501', NULL, 'the application cannot write a game''s status'
);
SELECT throws_ok(
    pg_temp.gm_as_app(format($$UPDATE game_market.releases SET published_at = now() WHERE id = %L$$, :'unpublished')),
    '42501', NULL, 'the application cannot write published_at'
);
SELECT lives_ok(
    pg_temp.gm_as_app(format($$SELECT game_market.unlist_game(%L)$$, :'game')),
    'the application calls the rule functions'
);

-- a transaction whose clock reads before the release was created (it started before the release was committed)
SELECT pg_temp.gm_release(:'game', '0.9.1', true, false) AS early \gset
SELECT FROM common.set_clock_offset(interval '-1 hour');
SELECT is(
    (SELECT published_at FROM game_market.publish_release(:'early')), now(),
    'publish_release never dates a release before its created_at: published_at = created_at'
);
SELECT FROM common.set_clock_offset(interval '0');

SELECT * FROM finish();
ROLLBACK;
