-- Sessions (Better Auth): the token column holds the SHA-256 of the session token (64 lowercase hex digits);
-- the application hashes the cookie's token before every call.

-- name: session_create(id, token_hash, user_id, expires_at, ip_address, user_agent)<!
-- A session (id None: a new cuid). 23505 sessions_token_key, 23514 sessions_token_check (not a SHA-256 hex) or
-- sessions_expires_at_check (not in the future).
-- @nullable-param id, ip_address, user_agent
INSERT INTO bloxtr8.sessions AS s (id, token, user_id, expires_at, ip_address, user_agent)
VALUES (
    coalesce(:id::text, bloxtr8.cuid()),
    :token_hash::text,
    :user_id::text,
    :expires_at::timestamptz,
    :ip_address::text,
    :user_agent::text
)
RETURNING s.*;

-- name: session_get_by_token(token_hash)^
-- The session with this token hash, unless it has expired (database clock).
-- Read on the primary only: a revocation or expiry takes effect at once.
-- @primary
SELECT s.* FROM bloxtr8.sessions AS s
WHERE s.token = :token_hash::text AND s.expires_at > common.now();

-- name: session_refresh(id, expires_at)<!
-- Extends a session that has not expired yet (database clock); None otherwise.
UPDATE bloxtr8.sessions AS s SET expires_at = :expires_at::timestamptz
WHERE s.id = :id::text AND s.expires_at > common.now()
RETURNING s.*;

-- name: session_delete(id)!
-- Signs out: deletes the session; returns how many (0 or 1).
DELETE FROM bloxtr8.sessions AS s
WHERE s.id = :id::text;

-- name: session_delete_expired()!
-- Clean-up: deletes every expired session (database clock); returns how many.
DELETE FROM bloxtr8.sessions AS s
WHERE s.expires_at <= common.now();
