-- Sessions: create, look up a usable session by its token hash, revoke.

-- name: session_create(user_id, token_hash, auth_method, device_info, ip_address, expires_at)<!
-- A session for a user; token_hash is the SHA-256 of the JWT in lowercase hex (never the token).
-- created_at is the database's clock (common.now()); expires_at must be later (sessions_expires_at_check).
-- @nullable-param device_info, ip_address
INSERT INTO cocopay.sessions AS s (user_id, token_hash, auth_method, device_info, ip_address, expires_at)
VALUES (
    :user_id::uuid,
    :token_hash::varchar,
    :auth_method::cocopay.auth_method,
    :device_info::jsonb,
    :ip_address::inet,
    :expires_at::timestamptz
)
RETURNING s.*;

-- name: session_get_by_token_hash(token_hash)^
-- The usable session with this token hash: not revoked and not expired by the database's clock. Read on the
-- primary only: a revocation takes effect at once.
-- @primary
SELECT s.*
FROM cocopay.sessions AS s
WHERE
    s.token_hash = :token_hash::varchar
    AND s.revoked_at IS NULL
    AND s.expires_at > common.now();

-- name: session_revoke(id)^
-- Revoke a session (logout) at common.now() (cocopay.revoke_session); None when it is unknown or revoked already.
SELECT s.* FROM cocopay.revoke_session(:id::uuid) AS s;

-- name: session_revoke_all_for_user(user_id)$
-- Revoke every unrevoked session of a user (logout everywhere; cocopay.revoke_user_sessions); returns how many.
-- @one
-- @not-null revoked
SELECT cocopay.revoke_user_sessions(:user_id::uuid) AS revoked;

-- name: session_delete_expired()!
-- Clean-up: delete the sessions that expired by the database's clock; returns how many.
DELETE FROM cocopay.sessions AS s
WHERE s.expires_at <= common.now();
