-- game_market: users, developer profiles, games, releases and build assets: every CHECK both ways, the uniques,
-- the foreign key to developer profiles, the immutable columns and updated_at (0002 to 0004).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(65);
\ir ../helpers.psql
\ir fixtures.psql

-- users.pubkey: a compressed secp256k1 key in lowercase hex, unique
SELECT lives_ok(
    $$INSERT INTO game_market.users (pubkey) VALUES ('02' || repeat('a', 64)), ('03' || repeat('0', 64))$$,
    'a key starting 02 or 03 with 64 lowercase hex digits is accepted'
);
SELECT is(
    pg_temp.gm_refused($$INSERT INTO game_market.users (pubkey) VALUES ('02' || repeat('A', 64))$$),
    '23514 users_pubkey_check', 'uppercase hex is refused (one spelling per key)'
);
SELECT is(
    pg_temp.gm_refused($$INSERT INTO game_market.users (pubkey) VALUES ('04' || repeat('a', 64))$$),
    '23514 users_pubkey_check', 'a prefix other than 02/03 is refused'
);
SELECT is(
    pg_temp.gm_refused($$INSERT INTO game_market.users (pubkey) VALUES ('02' || repeat('a', 63))$$),
    '23514 users_pubkey_check', '65 characters are refused'
);
SELECT is(
    pg_temp.gm_refused($$INSERT INTO game_market.users (pubkey) VALUES ('02' || repeat('a', 65))$$),
    '23514 users_pubkey_check', '67 characters are refused'
);
SELECT is(
    pg_temp.gm_refused($$INSERT INTO game_market.users (pubkey) VALUES ('02' || repeat('a', 64))$$),
    '23505 users_pubkey_key', 'a key names one user'
);
SELECT is(
    pg_temp.gm_refused($$INSERT INTO game_market.users (pubkey) VALUES (NULL)$$),
    '23502 ', 'a user has a key'
);
SELECT ok(game_market.is_pubkey('03' || repeat('f', 64)) AND NOT game_market.is_pubkey('0x' || repeat('f', 64))
    AND game_market.is_pubkey(NULL) IS NULL, 'is_pubkey: true for the format, false otherwise, NULL for NULL');

-- users.display_name and avatar_url
SELECT lives_ok(
    $$INSERT INTO game_market.users (pubkey, display_name, avatar_url)
      VALUES (pg_temp.gm_pubkey('n1'), repeat('é', 64), 'https://cdn.example.com/a.png')$$,
    'a 64-character name and an https avatar are accepted'
);
SELECT is(
    pg_temp.gm_refused(
        $$INSERT INTO game_market.users (pubkey, display_name) VALUES (pg_temp.gm_pubkey('n2'), repeat('x', 65))$$
    ),
    '23514 users_display_name_check', 'a 65-character name is refused'
);
SELECT is(
    pg_temp.gm_refused($$INSERT INTO game_market.users (pubkey, display_name) VALUES (pg_temp.gm_pubkey('n3'), '   ')$$),
    '23514 users_display_name_check', 'a blank name is refused'
);
SELECT is(
    pg_temp.gm_refused(
        $$INSERT INTO game_market.users (pubkey, display_name) VALUES (pg_temp.gm_pubkey('n4'), E'a\u0007b')$$
    ),
    '23514 users_display_name_check', 'a name with a control character is refused'
);
SELECT is(
    pg_temp.gm_refused(
        $$INSERT INTO game_market.users (pubkey, avatar_url) VALUES (pg_temp.gm_pubkey('n5'), 'http://x.example/a.png')$$
    ),
    '23514 users_avatar_url_check', 'an http avatar is refused'
);
SELECT is(
    pg_temp.gm_refused(
        $$INSERT INTO game_market.users (pubkey, avatar_url)
          VALUES (pg_temp.gm_pubkey('n6'), 'https://x.example/' || repeat('a', 2031))$$
    ),
    '23514 users_avatar_url_check', 'an avatar URL over 2048 characters is refused'
);

-- users: immutable key, updated_at
SELECT pg_temp.gm_user('ann') AS ann \gset
SELECT is(
    pg_temp.rule_error(format($$UPDATE game_market.users SET pubkey = %L WHERE id = %L$$, pg_temp.gm_pubkey('x'), :'ann')),
    'users_pubkey_immutable | ', 'a user''s key never changes (CD003)'
);
SELECT is(
    pg_temp.gm_refused(format($$UPDATE game_market.users SET created_at = now() - interval '1 day' WHERE id = %L$$, :'ann')),
    'CD003 users_created_at_immutable', 'created_at never changes'
);
UPDATE game_market.users SET display_name = 'Ann', updated_at = '2000-01-01'
WHERE id = :'ann';
SELECT is(
    (SELECT updated_at FROM game_market.users
     WHERE id = :'ann'), now(), 'an update sets updated_at to now'
);

-- developer_profiles
SELECT pg_temp.gm_user('bob') AS bob \gset
SELECT lives_ok(
    format($$INSERT INTO game_market.developer_profiles (user_id, payout_ln_address) VALUES (%L, 'bob+games@pay-1.example.co.uk')$$, :'bob'),
    'a Lightning address name@domain is accepted'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.developer_profiles VALUES (%L, 'bob@x.example')$$, :'bob')),
    '23505 developer_profiles_pkey', 'one developer profile per user'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.developer_profiles VALUES (%L, 'Bob@pay.example.com')$$, :'ann')),
    '23514 developer_profiles_payout_ln_address_check', 'an uppercase address is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.developer_profiles VALUES (%L, 'bob.pay.example.com')$$, :'ann')),
    '23514 developer_profiles_payout_ln_address_check', 'an address without @ is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.developer_profiles VALUES (%L, 'bob@localhost')$$, :'ann')),
    '23514 developer_profiles_payout_ln_address_check', 'a domain without a dot is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.developer_profiles VALUES (%L, 'bob@x.example.1com')$$, :'ann')),
    '23514 developer_profiles_payout_ln_address_check', 'a top-level label ending the domain must start with a letter'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.developer_profiles VALUES (%L, 'a@' || repeat('b', 250) || '.com')$$, :'ann')),
    '23514 developer_profiles_payout_ln_address_check', 'an address over 255 characters is refused'
);
SELECT ok(
    game_market.is_lightning_address(repeat('n', 64) || '@pay.example.com')
    AND NOT game_market.is_lightning_address(repeat('n', 65) || '@pay.example.com')
    AND NOT game_market.is_lightning_address('@pay.example.com')
    AND NOT game_market.is_lightning_address('a@b@pay.example.com')
    AND NOT game_market.is_lightning_address('a@-pay.example.com')
    AND NOT game_market.is_lightning_address('a@pay.example.c')
    AND game_market.is_lightning_address(NULL) IS NULL,
    'is_lightning_address: a name of 1 to 64 characters, one @, labels without edge hyphens, a top label of 2+'
);
SELECT is(
    pg_temp.gm_refused($$INSERT INTO game_market.developer_profiles VALUES (gen_random_uuid(), 'a@b.example')$$),
    '23503 developer_profiles_user_id_fkey', 'a profile belongs to a user'
);
SELECT is(
    pg_temp.gm_refused(format($$UPDATE game_market.developer_profiles SET user_id = %L WHERE user_id = %L$$, :'ann', :'bob')),
    'CD003 developer_profiles_user_id_immutable', 'a profile''s user never changes'
);
UPDATE game_market.developer_profiles SET payout_ln_address = 'bob@new.example.com', updated_at = '2000-01-01'
WHERE user_id = :'bob';
SELECT is(
    (SELECT updated_at FROM game_market.developer_profiles
     WHERE user_id = :'bob'), now(),
    'a new payout address sets updated_at'
);

-- games
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.games (developer_user_id, slug, title) VALUES (%L, 'ann-game', 'A')$$, :'ann')),
    '23503 games_developer_profile_fkey', 'a user without a developer profile sells no game'
);
SELECT lives_ok(
    format($$INSERT INTO game_market.games (developer_user_id, slug, title, summary)
             VALUES (%L, 'moon-runner-2', 'Moon Runner 2', repeat('s', 500))$$, :'bob'),
    'a slug of lowercase words joined by hyphens, a title and a 500-character summary are accepted'
);
SELECT is(
    (SELECT status::text FROM game_market.games
     WHERE slug = 'moon-runner-2'), 'draft', 'a new game is a draft'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.games (developer_user_id, slug, title) VALUES (%L, 'moon-runner-2', 'B')$$, :'bob')),
    '23505 games_slug_key', 'a slug names one game'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.games (developer_user_id, slug, title) VALUES (%L, 'Moon', 'B')$$, :'bob')),
    '23514 games_slug_check', 'an uppercase slug is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.games (developer_user_id, slug, title) VALUES (%L, 'moon--runner', 'B')$$, :'bob')),
    '23514 games_slug_check', 'a double hyphen is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.games (developer_user_id, slug, title) VALUES (%L, 'moon/runner', 'B')$$, :'bob')),
    '23514 games_slug_check', 'a slash is refused (URL-safe)'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.games (developer_user_id, slug, title) VALUES (%L, '-moon', 'B')$$, :'bob')),
    '23514 games_slug_check', 'a leading hyphen is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.games (developer_user_id, slug, title) VALUES (%L, repeat('a', 65), 'B')$$, :'bob')),
    '23514 games_slug_check', 'a 65-character slug is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.games (developer_user_id, slug, title) VALUES (%L, 'blank', ' ')$$, :'bob')),
    '23514 games_title_check', 'a blank title is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.games (developer_user_id, slug, title) VALUES (%L, 'long', repeat('t', 201))$$, :'bob')),
    '23514 games_title_check', 'a 201-character title is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.games (developer_user_id, slug, title, summary) VALUES (%L, 'sum', 'S', repeat('s', 501))$$, :'bob')),
    '23514 games_summary_check', 'a 501-character summary is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$UPDATE game_market.games SET developer_user_id = %L WHERE slug = 'moon-runner-2'$$, :'ann')),
    'CD003 games_developer_user_id_immutable', 'a game''s developer never changes'
);
SELECT lives_ok(
    $$UPDATE game_market.games SET slug = 'moon-runner-ii', title = 'Moon Runner II' WHERE slug = 'moon-runner-2'$$,
    'slug and title may change'
);
SELECT pg_temp.gm_game(:'bob', 'star-farm') AS game \gset
UPDATE game_market.games SET summary = 'Farm stars', updated_at = '2000-01-01'
WHERE id = :'game';
SELECT is((SELECT updated_at FROM game_market.games
           WHERE id = :'game'), now(), 'an update of a game sets updated_at');
SELECT is(
    pg_temp.gm_refused(format(
        $$INSERT INTO game_market.games (developer_user_id, slug, title, status) VALUES (%L, 'born-shown', 'B', 'published')$$,
        :'bob'
    )),
    'CD007 games_initial_status', 'a game starts as a draft, even written by the owner'
);

-- releases
SELECT pg_temp.gm_release(:'game', '1.0.0', false, false) AS rel \gset
SELECT lives_ok(
    format($$INSERT INTO game_market.releases (game_id, version) VALUES (%L, '2024.06-beta+3'), (%L, 'v2_rc1')$$, :'game', :'game'),
    'versions with letters, digits and . + _ - are accepted'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.releases (game_id, version) VALUES (%L, '1.0.0')$$, :'game')),
    '23505 releases_game_id_version_key', 'a version is unique per game'
);
SELECT lives_ok(
    format(
        $$INSERT INTO game_market.releases (game_id, version) VALUES (%L, '1.0.0')$$,
        pg_temp.gm_game(pg_temp.gm_developer('cat'), 'cat-game')
    ),
    'another game may have the same version'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.releases (game_id, version) VALUES (%L, '.1')$$, :'game')),
    '23514 releases_version_check', 'a version starting with a dot is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.releases (game_id, version) VALUES (%L, '1 0')$$, :'game')),
    '23514 releases_version_check', 'a version with a space is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.releases (game_id, version) VALUES (%L, repeat('1', 65))$$, :'game')),
    '23514 releases_version_check', 'a 65-character version is refused'
);
SELECT is(
    pg_temp.gm_refused(format($$UPDATE game_market.releases SET published_at = created_at - interval '1 second' WHERE id = %L$$, :'rel')),
    '23514 releases_published_at_check', 'a release is not published before it was created'
);
SELECT is(
    pg_temp.gm_refused(format($$UPDATE game_market.releases SET version = '1.0.1' WHERE id = %L$$, :'rel')),
    'CD003 releases_version_immutable', 'a version never changes'
);
UPDATE game_market.releases SET published_at = now()
WHERE id = :'rel';
SELECT is(
    pg_temp.gm_refused(format($$UPDATE game_market.releases SET published_at = NULL WHERE id = %L$$, :'rel')),
    'CD003 releases_published_at_immutable', 'a release is never unpublished (published_at is set once)'
);
UPDATE game_market.releases SET release_notes_md = 'Fixes', updated_at = '2000-01-01'
WHERE id = :'rel';
SELECT is((SELECT updated_at FROM game_market.releases
           WHERE id = :'rel'), now(), 'an update of a release sets updated_at');

-- build_assets
SELECT pg_temp.gm_release(:'game', '3.0.0', false, false) AS rel3 \gset
SELECT lives_ok(
    format(
        $$INSERT INTO game_market.build_assets (release_id, object_key, sha256, size_bytes, content_type)
          VALUES (%L, 'builds/star-farm/3.0.0.tar.gz', repeat('0f', 32), 1, 'application/vnd.star-farm+gzip')$$,
        :'rel3'
    ),
    'a build with a 64-hex sha256, a positive size, an object key and a MIME type is accepted'
);
SELECT is(
    pg_temp.gm_refused(format($$INSERT INTO game_market.build_assets (release_id, object_key, sha256, size_bytes, content_type)
        VALUES (%L, 'b', repeat('a', 64), 1, 'application/zip')$$, :'rel3')),
    '23505 build_assets_release_id_key', 'one build per release'
);
SELECT pg_temp.gm_release(:'game', '4.0.0', false, false) AS rel4 \gset
PREPARE asset (text, text, bigint, text) AS
INSERT INTO game_market.build_assets (release_id, object_key, sha256, size_bytes, content_type)
VALUES ((SELECT id FROM game_market.releases
         WHERE version = '4.0.0'), $1, $2, $3, $4);
SELECT is(pg_temp.gm_refused($$EXECUTE asset('k', repeat('A', 64), 1, 'application/zip')$$),
    '23514 build_assets_sha256_check', 'an uppercase sha256 is refused');
SELECT is(pg_temp.gm_refused($$EXECUTE asset('k', repeat('a', 63), 1, 'application/zip')$$),
    '23514 build_assets_sha256_check', 'a 63-digit sha256 is refused');
SELECT is(pg_temp.gm_refused($$EXECUTE asset('k', repeat('a', 64), 0, 'application/zip')$$),
    '23514 build_assets_size_bytes_check', 'a build of 0 bytes is refused');
SELECT is(pg_temp.gm_refused($$EXECUTE asset('', repeat('a', 64), 1, 'application/zip')$$),
    '23514 build_assets_object_key_check', 'an empty object key is refused');
SELECT is(pg_temp.gm_refused($$EXECUTE asset('/abs/key', repeat('a', 64), 1, 'application/zip')$$),
    '23514 build_assets_object_key_check', 'an object key starting with / is refused');
SELECT is(pg_temp.gm_refused($$EXECUTE asset(repeat('k', 1025), repeat('a', 64), 1, 'application/zip')$$),
    '23514 build_assets_object_key_check', 'an object key over 1024 characters is refused');
SELECT is(pg_temp.gm_refused($$EXECUTE asset('k', repeat('a', 64), 1, 'zip')$$),
    '23514 build_assets_content_type_check', 'a content type without a subtype is refused');
SELECT is(pg_temp.gm_refused($$EXECUTE asset('k', repeat('a', 64), 1, 'application/zip; charset=x')$$),
    '23514 build_assets_content_type_check', 'a content type with parameters is refused');
SELECT is(
    pg_temp.gm_refused(format($$UPDATE game_market.build_assets SET size_bytes = 2 WHERE release_id = %L$$, :'rel3')),
    'CD003 build_assets_size_bytes_immutable', 'a build never changes'
);

SELECT * FROM finish();
ROLLBACK;
