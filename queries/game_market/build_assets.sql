-- Build assets: attach a release's build (once), read it.

-- name: build_asset_create(release_id, object_key, sha256, size_bytes, content_type)<!
-- The release's build (one per release: 23505 build_assets_release_id_key otherwise), with its SHA-256 (64 lowercase
-- hex) and size (positive). It never changes afterwards.
INSERT INTO game_market.build_assets AS b (release_id, object_key, sha256, size_bytes, content_type)
VALUES (:release_id::uuid, :object_key::text, :sha256::text, :size_bytes::bigint, :content_type::text)
RETURNING b.*;

-- name: build_asset_get_by_release(release_id)^
-- A release's build.
SELECT b.* FROM game_market.build_assets AS b
WHERE b.release_id = :release_id::uuid;
