-- Sessions: create, look up a usable session by its token hash, revoke.

-- name: session_create(user_id, token_hash, auth_method, device_info, ip_address, expires_at, now)<!
-- A session for a user; token_hash is the SHA-256 of the JWT in lowercase hex (never the token).
-- created_at is now (NULL: now()).
-- @nullable-param device_info, ip_address, now
INSERT INTO cocopay.sessions AS s (user_id, token_hash, auth_method, device_info, ip_address, expires_at, created_at)
VALUES (
    :user_id::uuid,
    :token_hash::varchar,
    :auth_method::cocopay.auth_method,
    :device_info::jsonb,
    :ip_address::inet,
    :expires_at::timestamptz,
    coalesce(:now::timestamptz, now())
)
RETURNING s.*;

-- name: session_get_by_token_hash(token_hash, now)^
-- The usable session with this token hash: not revoked and not expired at now (NULL: now()).
-- @nullable-param now
SELECT s.*
FROM cocopay.sessions AS s
WHERE
    s.token_hash = :token_hash::varchar
    AND s.revoked_at IS NULL
    AND s.expires_at > coalesce(:now::timestamptz, now());

-- name: session_revoke(id, now)<!
-- Revoke a session (logout) at now (NULL: now()); None when it is unknown or revoked already.
-- @nullable-param now
UPDATE cocopay.sessions AS s
SET revoked_at = coalesce(:now::timestamptz, now())
WHERE s.id = :id::uuid AND s.revoked_at IS NULL
RETURNING s.*;

-- name: session_revoke_all_for_user(user_id, now)!
-- Revoke every unrevoked session of a user (logout everywhere); returns how many.
-- @nullable-param now
UPDATE cocopay.sessions AS s
SET revoked_at = coalesce(:now::timestamptz, now())
WHERE s.user_id = :user_id::uuid AND s.revoked_at IS NULL;

-- name: session_delete_expired(now)!
-- Clean-up: delete the sessions that expired before now (NULL: now()); returns how many.
-- @nullable-param now
DELETE FROM cocopay.sessions AS s
WHERE s.expires_at <= coalesce(:now::timestamptz, now());
