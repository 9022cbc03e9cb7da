-- Users: sign in by public key (create or get), read, edit the profile; developer profiles.

-- name: user_get_or_create(pubkey, display_name)<!
-- The user with this public key (a compressed secp256k1 key in lowercase hex), created when new. A display_name
-- fills an empty one and never replaces a name the user has (updated_at moves on each sign-in).
-- 23514 users_pubkey_check for a malformed key.
-- @nullable-param display_name
-- @one
INSERT INTO game_market.users AS u (pubkey, display_name)
VALUES (:pubkey::text, :display_name::text)
ON CONFLICT ON CONSTRAINT users_pubkey_key DO UPDATE SET display_name = coalesce(u.display_name, excluded.display_name)
RETURNING u.*;

-- name: user_get(id)^
-- One user by id.
SELECT u.* FROM game_market.users AS u
WHERE u.id = :id::uuid;

-- name: user_get_by_pubkey(pubkey)^
-- One user by public key.
SELECT u.* FROM game_market.users AS u
WHERE u.pubkey = :pubkey::text;

-- name: user_update_profile(id, display_name, avatar_url)<!
-- Set the display name and avatar URL (NULL clears one); None for an unknown user.
-- @nullable-param display_name, avatar_url
UPDATE game_market.users AS u
SET display_name = :display_name::text, avatar_url = :avatar_url::text
WHERE u.id = :id::uuid
RETURNING u.*;
