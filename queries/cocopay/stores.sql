-- Stores: create with the owner's membership (one transaction), read.

-- name: store_create(owner_id, name, symbol, short_code, category, description, latitude, longitude, address, website, instagram, qr_code_url)^
-- Create a store and make owner_id its owner (accepted) in one transaction (cocopay.create_store).
-- 23505 stores_short_code_key when the short code is taken; 23514 for a bad symbol, short code or location.
-- @nullable-param short_code, category, description, latitude, longitude, address, website, instagram, qr_code_url
-- @one
SELECT s.*
FROM cocopay.create_store(
    :owner_id::uuid,
    :name::varchar,
    :symbol::varchar,
    :short_code::varchar,
    :category::varchar,
    :description::text,
    :latitude::numeric,
    :longitude::numeric,
    :address::text,
    :website::varchar,
    :instagram::varchar,
    :qr_code_url::varchar
) AS s;

-- name: store_get(id)^
-- One store by id.
SELECT s.* FROM cocopay.stores AS s
WHERE s.id = :id::uuid;

-- name: store_get_by_short_code(short_code)^
-- One store by the code typed when the QR code cannot be scanned.
SELECT s.* FROM cocopay.stores AS s
WHERE s.short_code = :short_code::varchar;

-- name: store_list_by_member(user_id)
-- The stores a user is an accepted member of, with the user's role, by name.
SELECT
    s.id,
    s.name,
    s.symbol,
    s.short_code,
    s.deployment_status,
    m.role,
    m.accepted_at
FROM cocopay.stores AS s
INNER JOIN cocopay.store_members AS m ON s.id = m.store_id
WHERE m.user_id = :user_id::uuid AND m.accepted_at IS NOT NULL  -- noqa: RF02
ORDER BY s.name, s.id;

-- name: store_get_with_members(id)^
-- One store with all its memberships (accepted or invited), oldest first, nested as StoreMember rows.
SELECT
    s.id,
    s.name,
    s.symbol,
    s.short_code,
    s.deployment_status,
    coalesce(
        json_agg(m ORDER BY m.created_at, m.id) FILTER (WHERE m.id IS NOT NULL), '[]'
    ) AS members
FROM cocopay.stores AS s
LEFT JOIN cocopay.store_members AS m ON s.id = m.store_id
WHERE s.id = :id::uuid
GROUP BY s.id;
