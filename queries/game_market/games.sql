-- Games: create a draft, edit its page, publish or unlist it, read the catalog.

-- name: game_create(developer_user_id, slug, title, summary, description_md)<!
-- A draft game of a developer (23503 games_developer_profile_fkey without a developer profile). 23505 games_slug_key
-- when the slug is taken, 23514 games_slug_check when it is not URL-safe.
-- @nullable-param summary, description_md
INSERT INTO game_market.games AS g (developer_user_id, slug, title, summary, description_md)
VALUES (:developer_user_id::uuid, :slug::text, :title::text, :summary::text, :description_md::text)
RETURNING g.*;

-- name: game_update(id, slug, title, summary, description_md)<!
-- Edit a game's page (slug, title, summary, description); None for an unknown game.
-- @nullable-param summary, description_md
UPDATE game_market.games AS g
SET slug = :slug::text, title = :title::text, summary = :summary::text, description_md = :description_md::text
WHERE g.id = :id::uuid
RETURNING g.*;

-- name: game_publish(id)^
-- draft | unlisted -> published (game_market.publish_game): needs a published release (CD007
-- games_published_with_release). A published game is returned unchanged. CD005 unknown game.
-- @one
SELECT g.* FROM game_market.publish_game(:id::uuid) AS g;

-- name: game_unlist(id)^
-- published -> unlisted (game_market.unlist_game): off the catalog and off sale; owners still download. CD001 from
-- draft, CD005 unknown game.
-- @one
SELECT g.* FROM game_market.unlist_game(:id::uuid) AS g;

-- name: game_get(id)^
-- One game by id.
SELECT g.* FROM game_market.games AS g
WHERE g.id = :id::uuid;

-- name: game_get_by_slug(slug)^
-- One game by slug (its store page).
SELECT g.* FROM game_market.games AS g
WHERE g.slug = :slug::text;

-- name: game_list_published(max_rows)
-- The catalog: published games, newest first.
SELECT g.*
FROM game_market.games AS g
WHERE g.status = 'published'
ORDER BY g.created_at DESC, g.id ASC
LIMIT :max_rows::integer;

-- name: game_list_by_developer(developer_user_id)
-- A developer's games, whatever their status, newest first.
SELECT g.*
FROM game_market.games AS g
WHERE g.developer_user_id = :developer_user_id::uuid
ORDER BY g.created_at DESC, g.id ASC;
