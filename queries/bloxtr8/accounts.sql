-- Accounts (Better Auth): a user's Discord and Roblox accounts and password login. The tokens and the password
-- hash are secrets: chaindb_readonly cannot read them.

-- name: account_link(id, account_id, provider_id, user_id, access_token, refresh_token, id_token, access_token_expires_at, refresh_token_expires_at, scope, password)<!
-- Links an external account to a user (id None: a new cuid). 23505 accounts_provider_id_account_id_key (linked
-- already), 23514 accounts_provider_id_check / accounts_password_check, 23503 unknown user.
-- @nullable-param id, access_token, refresh_token, id_token, access_token_expires_at, refresh_token_expires_at, scope, password
INSERT INTO bloxtr8.accounts AS a (
    id, account_id, provider_id, user_id, access_token, refresh_token, id_token, access_token_expires_at,
    refresh_token_expires_at, scope, password
)
VALUES (
    coalesce(:id::text, bloxtr8.cuid()),
    :account_id::text,
    :provider_id::text,
    :user_id::text,
    :access_token::text,
    :refresh_token::text,
    :id_token::text,
    :access_token_expires_at::timestamptz,
    :refresh_token_expires_at::timestamptz,
    :scope::text,
    :password::text
)
RETURNING a.*;

-- name: account_get_by_provider(provider_id, account_id)^
-- The account of a provider's user (e.g. a Discord user id).
SELECT a.* FROM bloxtr8.accounts AS a
WHERE a.provider_id = :provider_id::text AND a.account_id = :account_id::text;

-- name: account_list_by_user(user_id)
-- A user's linked accounts, oldest first.
SELECT a.* FROM bloxtr8.accounts AS a
WHERE a.user_id = :user_id::text
ORDER BY a.created_at, a.id;

-- name: account_update_tokens(id, access_token, refresh_token, id_token, access_token_expires_at, refresh_token_expires_at, scope)<!
-- New OAuth tokens for an account (after a refresh); None for an unknown account.
-- @nullable-param access_token, refresh_token, id_token, access_token_expires_at, refresh_token_expires_at, scope
UPDATE bloxtr8.accounts AS a
SET
    access_token = :access_token::text,
    refresh_token = :refresh_token::text,
    id_token = :id_token::text,
    access_token_expires_at = :access_token_expires_at::timestamptz,
    refresh_token_expires_at = :refresh_token_expires_at::timestamptz,
    scope = :scope::text
WHERE a.id = :id::text
RETURNING a.*;
