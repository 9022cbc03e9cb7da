-- Listings: list a game, browse, hide or show it again.

-- name: listing_create(user_id, title, summary, price, category, guild_id)^
-- Lists a game (bloxtr8.create_listing): ACTIVE, by a seller at TIER_1 or above, in one of the seller's guilds if
-- any. CD005 unknown user, CD007 users_kyc_tier / listings_guild_member, 23514 the listings CHECKs.
-- @nullable-param guild_id
-- @one
SELECT l.*
FROM bloxtr8.create_listing(
    :user_id::text, :title::text, :summary::text, :price::integer, :category::text, :guild_id::text
) AS l;

-- name: listing_get(id)^
-- One listing by id.
SELECT l.* FROM bloxtr8.listings AS l
WHERE l.id = :id::text;

-- name: listing_list_active(max_rows)
-- The newest ACTIVE listings (browsing).
SELECT l.* FROM bloxtr8.listings AS l
WHERE l.status = 'ACTIVE'
ORDER BY l.created_at DESC, l.id ASC
LIMIT :max_rows::integer;

-- name: listing_list_active_by_category(category, max_rows)
-- The newest ACTIVE listings of a category.
SELECT l.* FROM bloxtr8.listings AS l
WHERE l.status = 'ACTIVE' AND l.category = :category::text
ORDER BY l.created_at DESC, l.id ASC
LIMIT :max_rows::integer;

-- name: listing_list_by_user(user_id)
-- A seller's listings, any status, oldest first.
SELECT l.* FROM bloxtr8.listings AS l
WHERE l.user_id = :user_id::text
ORDER BY l.created_at, l.id;

-- name: listing_set_status(id, user_id, status)^
-- The seller hides (INACTIVE) or shows (ACTIVE) a listing (bloxtr8.set_listing_status). CD005, CD007
-- listings_seller / listings_open_deal / listings_sold_by_escrow, CD001 from SOLD.
-- @one
SELECT l.* FROM bloxtr8.set_listing_status(:id::text, :user_id::text, :status::bloxtr8.listing_status) AS l;
