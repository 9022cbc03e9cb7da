-- Asset verifications: check a user's ownership of a Roblox game, a VERIFIED result cached 24 hours.

-- name: asset_verification_start(user_id, game_id, verification_method)^
-- Starts (or finds) the user's check of a game (bloxtr8.start_asset_verification): a VERIFIED result still cached
-- comes back as it is (no new check needed), a running check too; else a PENDING check. 23503 unknown user,
-- 23514 asset_verifications_game_id_check.
-- @one
SELECT v.*
FROM bloxtr8.start_asset_verification(
    :user_id::text, :game_id::text, :verification_method::bloxtr8.verification_method
) AS v;

-- name: asset_verification_complete(id, verified, ownership_type, metadata)^
-- Records the outcome of a PENDING check: VERIFIED, cached for 24 hours, or FAILED
-- (bloxtr8.complete_asset_verification). CD005, CD001 not PENDING, 23502 verified NULL.
-- @nullable-param ownership_type, metadata
-- @one
SELECT v.*
FROM bloxtr8.complete_asset_verification(
    :id::text, :verified::boolean, :ownership_type::bloxtr8.game_ownership_type, :metadata::jsonb
) AS v;

-- name: asset_verification_get_cached(user_id, game_id)^
-- The user's VERIFIED ownership of a game while it is cached (database clock); None when a check is needed.
SELECT v.* FROM bloxtr8.asset_verifications AS v
WHERE
    v.user_id = :user_id::text AND v.game_id = :game_id::text
    AND v.verification_status = 'VERIFIED' AND v.expires_at > common.now();

-- name: asset_verification_get(id)^
-- One verification by id.
SELECT v.* FROM bloxtr8.asset_verifications AS v
WHERE v.id = :id::text;

-- name: asset_verification_expire_due()$
-- Every VERIFIED check past its 24-hour cache becomes EXPIRED (bloxtr8.expire_asset_verifications); returns how
-- many.
-- @one
-- @not-null expired
SELECT bloxtr8.expire_asset_verifications() AS expired;
