-- Developer profiles: become a developer or change the payout address, read.

-- name: developer_profile_upsert(user_id, payout_ln_address)<!
-- The user's developer profile with this Lightning address (name@domain), created when new. A new address applies to
-- payouts created from now on. 23514 developer_profiles_payout_ln_address_check, 23503 for an unknown user.
-- @one
INSERT INTO game_market.developer_profiles AS d (user_id, payout_ln_address)
VALUES (:user_id::uuid, :payout_ln_address::text)
ON CONFLICT ON CONSTRAINT developer_profiles_pkey DO UPDATE SET payout_ln_address = excluded.payout_ln_address
RETURNING d.*;

-- name: developer_profile_get(user_id)^
-- One developer profile by its user.
SELECT d.* FROM game_market.developer_profiles AS d
WHERE d.user_id = :user_id::uuid;
