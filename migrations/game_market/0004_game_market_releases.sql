-- depends: 0003_game_market_games
-- game_market.releases and game_market.build_assets (seed: releases, build_assets).
-- Seed silent, decided here:
--   - a release's version is unique per game (releases_game_id_version_key, which also serves
--     the foreign key) and has a version's shape: a letter or digit, then letters, digits and
--     . + _ - (at most 64), e.g. 1.0.0, 2024.06-beta+3.
--   - published_at is set once, by game_market.publish_release (0010), which asks for the build
--     asset; only a published release is downloaded (0013). game_id and version never change.
--   - one build asset per release (the seed: "release_id unique, 1 build per release in v1"),
--     with a sha256 of 64 lowercase hex characters, a positive size, an object key (1 to 1024
--     characters, no control character, not starting with /) and a MIME type. An asset never
--     changes: a wrong build is a new release. As a release is published only with its asset and
--     has at most one, a published release's asset is the one it was published with.
--   - releases go with their game, assets with their release (ON DELETE CASCADE); a release
--     that was downloaded stays (download_events RESTRICT).

CREATE TABLE game_market.releases (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    game_id uuid NOT NULL,
    version text NOT NULL,
    release_notes_md text,
    published_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT releases_pkey PRIMARY KEY (id),
    CONSTRAINT releases_game_id_fkey FOREIGN KEY (game_id) REFERENCES game_market.games (id) ON DELETE CASCADE,
    CONSTRAINT releases_game_id_version_key UNIQUE (game_id, version),
    CONSTRAINT releases_version_check CHECK (char_length(version) <= 64 AND version ~ '^[0-9A-Za-z][0-9A-Za-z.+_-]*$'),
    CONSTRAINT releases_published_at_check CHECK (published_at >= created_at)
);

CREATE INDEX releases_game_id_published_at_id_idx ON game_market.releases (game_id, published_at DESC, id)
WHERE published_at IS NOT NULL;

CALL common.define_immutable_columns('game_market.releases', '{id, game_id, version, created_at}', '{published_at}');

CREATE TRIGGER releases_updated_at
BEFORE UPDATE ON game_market.releases
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE game_market.releases IS 'A version of a game; downloadable once published.';
COMMENT ON COLUMN game_market.releases.version IS 'Unique per game; never changes.';
COMMENT ON COLUMN game_market.releases.release_notes_md IS 'What changed, Markdown.';
COMMENT ON COLUMN game_market.releases.published_at IS
'When the release was published (game_market.publish_release, with its build asset); set once. NULL: unpublished, '
'not downloadable.';
COMMENT ON CONSTRAINT releases_game_id_version_key ON game_market.releases IS
'A version is unique per game; also serves the foreign key game_id.';
COMMENT ON CONSTRAINT releases_version_check ON game_market.releases IS
'A version starts with a letter or digit and has letters, digits and . + _ - only, at most 64 characters.';
COMMENT ON CONSTRAINT releases_published_at_check ON game_market.releases IS
'A release is published after it was created.';
COMMENT ON INDEX game_market.releases_game_id_published_at_id_idx IS
'A game''s published releases, newest first (release_get_latest_published: what a buyer downloads).';
COMMENT ON TRIGGER releases_updated_at ON game_market.releases IS 'Keeps updated_at at the time of the last update.';

GRANT SELECT, INSERT (game_id, version, release_notes_md), UPDATE (release_notes_md)
ON game_market.releases TO chaindb_app;
GRANT SELECT ON game_market.releases TO chaindb_readonly;

CREATE TABLE game_market.build_assets (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    release_id uuid NOT NULL,
    object_key text NOT NULL,
    sha256 text NOT NULL,
    size_bytes bigint NOT NULL,
    content_type text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT build_assets_pkey PRIMARY KEY (id),
    CONSTRAINT build_assets_release_id_fkey FOREIGN KEY (release_id)
    REFERENCES game_market.releases (id) ON DELETE CASCADE,
    CONSTRAINT build_assets_release_id_key UNIQUE (release_id),
    CONSTRAINT build_assets_object_key_check CHECK (
        char_length(object_key) BETWEEN 1 AND 1024 AND object_key !~ '[[:cntrl:]]' AND object_key NOT LIKE '/%'
    ),
    CONSTRAINT build_assets_sha256_check CHECK (char_length(sha256) = 64 AND sha256 ~ '^[0-9a-f]+$'),
    CONSTRAINT build_assets_size_bytes_check CHECK (size_bytes > 0),
    CONSTRAINT build_assets_content_type_check CHECK (
        char_length(content_type) <= 255 AND content_type ~ '^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$'
    )
);

CALL common.define_immutable_columns(
    'game_market.build_assets', '{id, release_id, object_key, sha256, size_bytes, content_type, created_at}'
);

COMMENT ON TABLE game_market.build_assets IS
'The downloadable build of a release: one per release, never changed (a new build is a new release).';
COMMENT ON COLUMN game_market.build_assets.object_key IS 'The build''s key in the object store.';
COMMENT ON COLUMN game_market.build_assets.sha256 IS 'SHA-256 of the build''s bytes, 64 lowercase hex characters.';
COMMENT ON COLUMN game_market.build_assets.size_bytes IS 'The build''s size in bytes; positive.';
COMMENT ON COLUMN game_market.build_assets.content_type IS 'MIME type of the build, e.g. application/zip.';
COMMENT ON CONSTRAINT build_assets_release_id_key ON game_market.build_assets IS
'One build per release (seed, v1); also serves the foreign key release_id.';
COMMENT ON CONSTRAINT build_assets_object_key_check ON game_market.build_assets IS
'An object key has 1 to 1024 characters, no control character, and does not start with /.';
COMMENT ON CONSTRAINT build_assets_sha256_check ON game_market.build_assets IS
'sha256 is 64 lowercase hex characters.';
COMMENT ON CONSTRAINT build_assets_size_bytes_check ON game_market.build_assets IS 'A build has a positive size.';
COMMENT ON CONSTRAINT build_assets_content_type_check ON game_market.build_assets IS
'content_type is a lowercase MIME type type/subtype without parameters.';

GRANT SELECT, INSERT (release_id, object_key, sha256, size_bytes, content_type)
ON game_market.build_assets TO chaindb_app;
GRANT SELECT ON game_market.build_assets TO chaindb_readonly;
