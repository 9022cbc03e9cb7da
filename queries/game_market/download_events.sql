-- Downloads: record one (the database checks the entitlement and the release, and hashes the address), count, list.

-- name: download_record(entitlement_id, release_id, ip, user_agent)^
-- A download of a published release of the entitlement's game under an unrevoked entitlement
-- (game_market.record_download): the IP address is stored only as a salted hash. CD007
-- download_events_entitlement_active, download_events_release_same_game, download_events_release_published; CD005
-- unknown entitlement or release.
-- @nullable-param user_agent
-- @one
SELECT d.*
FROM game_market.record_download(:entitlement_id::uuid, :release_id::uuid, :ip::inet, :user_agent::text) AS d;

-- name: download_count_by_entitlement(entitlement_id)$
-- How many downloads an entitlement made.
-- @one
-- @not-null *
SELECT count(*) FROM game_market.download_events AS d
WHERE d.entitlement_id = :entitlement_id::uuid;

-- name: download_list_by_entitlement(entitlement_id, max_rows)
-- An entitlement's downloads, newest first.
SELECT d.*
FROM game_market.download_events AS d
WHERE d.entitlement_id = :entitlement_id::uuid
ORDER BY d.created_at DESC, d.id ASC
LIMIT :max_rows::integer;
