-- Roblox snapshots: the state of a game at one instant, for a listing and its contract; append-only.

-- name: roblox_snapshot_create(game_id, game_name, listing_id, game_description, thumbnail_url, player_count, visits, created_date, metadata)^
-- Records a snapshot (bloxtr8.create_roblox_snapshot); verified_ownership comes from the listing seller's cached
-- VERIFIED check of the game, never from the caller. CD005 unknown listing, 23514 the roblox_snapshots CHECKs.
-- @nullable-param listing_id, game_description, thumbnail_url, player_count, visits, created_date, metadata
-- @one
SELECT s.*
FROM bloxtr8.create_roblox_snapshot(
    :game_id::text,
    :game_name::text,
    :listing_id::text,
    :game_description::text,
    :thumbnail_url::text,
    :player_count::integer,
    :visits::bigint,
    :created_date::timestamptz,
    :metadata::jsonb
) AS s;

-- name: roblox_snapshot_list_by_listing(listing_id)
-- A listing's snapshots, newest first.
SELECT s.* FROM bloxtr8.roblox_snapshots AS s
WHERE s.listing_id = :listing_id::text
ORDER BY s.created_at DESC, s.id DESC;

-- name: roblox_snapshot_latest_by_game(game_id)^
-- The newest snapshot of a game.
SELECT s.* FROM bloxtr8.roblox_snapshots AS s
WHERE s.game_id = :game_id::text
ORDER BY s.created_at DESC, s.id DESC
LIMIT 1;
