-- Releases and their build: create, attach the build, publish, read.

-- name: release_create(game_id, version, release_notes_md)<!
-- An unpublished release of a game. 23505 releases_game_id_version_key when the game has this version,
-- 23514 releases_version_check for a malformed one.
-- @nullable-param release_notes_md
INSERT INTO game_market.releases AS r (game_id, version, release_notes_md)
VALUES (:game_id::uuid, :version::text, :release_notes_md::text)
RETURNING r.*;

-- name: release_update_notes(id, release_notes_md)<!
-- Edit a release's notes; None for an unknown release.
-- @nullable-param release_notes_md
UPDATE game_market.releases AS r
SET release_notes_md = :release_notes_md::text
WHERE r.id = :id::uuid
RETURNING r.*;

-- name: release_publish(id)^
-- Publish a release (game_market.publish_release): downloadable from now on. Needs its build asset (CD007
-- releases_published_with_build). A published release is returned unchanged. CD005 unknown release.
-- @one
SELECT r.* FROM game_market.publish_release(:id::uuid) AS r;

-- name: release_get(id)^
-- One release by id.
SELECT r.* FROM game_market.releases AS r
WHERE r.id = :id::uuid;

-- name: release_get_by_version(game_id, version)^
-- A game's release by version.
SELECT r.* FROM game_market.releases AS r
WHERE r.game_id = :game_id::uuid AND r.version = :version::text;

-- name: release_list_by_game(game_id)
-- A game's releases, published or not, newest first.
SELECT r.*
FROM game_market.releases AS r
WHERE r.game_id = :game_id::uuid
ORDER BY r.created_at DESC, r.id ASC;

-- name: release_get_latest_published(game_id)^
-- The game's latest published release (what a buyer downloads); None when none is published.
SELECT r.*
FROM game_market.releases AS r
WHERE r.game_id = :game_id::uuid AND r.published_at IS NOT NULL
ORDER BY r.published_at DESC, r.id ASC
LIMIT 1;
