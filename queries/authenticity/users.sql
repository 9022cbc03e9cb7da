-- Users and wallet linking. Sign-in is provider-managed (Privy): no OTP is stored.

-- name: user_create(email, privy_user_id)<!
-- Create a user; email is unique regardless of case, privy_user_id (NULL: not linked yet) unique when given.
-- @nullable-param privy_user_id
INSERT INTO authenticity.users AS u (email, privy_user_id)
VALUES (:email::text, :privy_user_id::text)
RETURNING u.*;

-- name: user_get(id)^
-- One user by id.
SELECT u.*
FROM authenticity.users AS u
WHERE u.id = :id::uuid;

-- name: user_get_by_email(email)^
-- One user by email, case-insensitively (uses users_email_key).
SELECT u.*
FROM authenticity.users AS u
WHERE lower(u.email) = lower(:email::text);

-- name: user_get_by_privy_user_id(privy_user_id)^
-- One user by Privy id.
SELECT u.*
FROM authenticity.users AS u
WHERE u.privy_user_id = :privy_user_id::text;

-- name: user_set_privy_user_id(id, privy_user_id)<!
-- Link (or unlink, with NULL) the user's Privy account; None when there is no such user.
-- @nullable-param privy_user_id
UPDATE authenticity.users AS u
SET privy_user_id = :privy_user_id::text
WHERE u.id = :id::uuid
RETURNING u.*;

-- name: user_wallet_link(user_id, wallet_pubkey)<!
-- Link a Solana wallet to a user; created_after_first_success is computed by the database.
INSERT INTO authenticity.user_wallets AS w (user_id, wallet_pubkey)
VALUES (:user_id::uuid, :wallet_pubkey::text)
RETURNING w.*;

-- name: user_wallet_list(user_id)
-- A user's wallets, oldest first.
SELECT w.*
FROM authenticity.user_wallets AS w
WHERE w.user_id = :user_id::uuid
ORDER BY w.created_at, w.id;

-- name: user_wallet_get_by_pubkey(wallet_pubkey)^
-- The wallet (and so its user) with this public key.
SELECT w.*
FROM authenticity.user_wallets AS w
WHERE w.wallet_pubkey = :wallet_pubkey::text;
