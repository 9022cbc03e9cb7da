-- Users: sign-up, look-up, and the rule-carrying columns (KYC tier, wallet and its screening) through their
-- functions.

-- name: user_create(email, name, email_verified, phone, image)<!
-- A new user: TIER_0 (browse only), no wallet; id is a new cuid. 23505 users_email_key, 23514 users_email_check.
-- @nullable-param name, phone, image
INSERT INTO bloxtr8.users AS u (email, name, email_verified, phone, image)
VALUES (:email::text, :name::text, :email_verified::boolean, :phone::text, :image::text)
RETURNING u.*;

-- name: user_get(id)^
-- One user by id.
SELECT u.* FROM bloxtr8.users AS u
WHERE u.id = :id::text;

-- name: user_get_by_email(email)^
-- The user with this e-mail address.
SELECT u.* FROM bloxtr8.users AS u
WHERE u.email = :email::text;

-- name: user_update_profile(id, name, email_verified, phone, image)<!
-- A user's profile fields (name, e-mail verification, phone, image); None for an unknown user.
-- @nullable-param name, phone, image
UPDATE bloxtr8.users AS u
SET name = :name::text, email_verified = :email_verified::boolean, phone = :phone::text, image = :image::text
WHERE u.id = :id::text
RETURNING u.*;

-- name: user_set_kyc(id, kyc_tier, kyc_verified)^
-- Sets the KYC tier and verification (bloxtr8.set_user_kyc). CD005 unknown user, CD007 users_kyc_roblox_linked
-- (TIER_1+ without a Roblox account), 23514 users_kyc_verified_check (TIER_2 unverified).
-- @one
SELECT u.* FROM bloxtr8.set_user_kyc(:id::text, :kyc_tier::bloxtr8.kyc_tier, :kyc_verified::boolean) AS u;

-- name: user_set_wallet(id, wallet_address)^
-- Links the user's EVM wallet (None unlinks); a new address is unscreened (wallet_risk UNKNOWN). CD005, CD007
-- users_wallet_sanctioned (a SANCTIONED wallet stays until a new screening), 23514 users_wallet_address_check.
-- @nullable-param wallet_address
-- @one
SELECT u.* FROM bloxtr8.set_user_wallet(:id::text, :wallet_address::text) AS u;

-- name: user_set_wallet_risk(id, wallet_risk)^
-- Records the screening of the user's wallet (SANCTIONED blocks offering and receiving escrowed funds). CD005,
-- 23514 users_wallet_risk_check (no wallet).
-- @one
SELECT u.* FROM bloxtr8.set_user_wallet_risk(:id::text, :wallet_risk::bloxtr8.wallet_risk) AS u;
