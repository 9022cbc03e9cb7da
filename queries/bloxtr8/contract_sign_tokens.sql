-- Magic-link sign tokens: issue one (the token is returned once, only its SHA-256 is stored), list a contract's
-- tokens (without the hash), clean up. Using a token is contract_sign_with_token (contracts.sql).

-- name: sign_token_issue(contract_id, user_id)^
-- A magic-link token for a party who has not signed a PENDING_SIGNATURE contract (bloxtr8.issue_sign_token): 32
-- random bytes, base64url, valid 15 minutes; this is the only time the token is seen. CD005, CD007
-- signatures_party / signatures_contract_pending / contract_sign_tokens_unsigned.
-- @one
-- @not-null *
SELECT
    t.id,
    t.token,
    t.contract_id,
    t.user_id,
    t.expires_at,
    t.created_at
FROM bloxtr8.issue_sign_token(:contract_id::text, :user_id::text) AS t;

-- name: sign_token_list_by_contract(contract_id)
-- A contract's tokens, oldest first: who may sign with them, until when, and whether they were used.
SELECT
    t.id,
    t.contract_id,
    t.user_id,
    t.expires_at,
    t.used_at,
    t.created_at
FROM bloxtr8.contract_sign_tokens AS t
WHERE t.contract_id = :contract_id::text
ORDER BY t.created_at, t.id;

-- name: sign_token_delete_expired()$
-- Clean-up: deletes every token past its expiry (bloxtr8.delete_expired_sign_tokens); returns how many.
-- @one
-- @not-null deleted
SELECT bloxtr8.delete_expired_sign_tokens() AS deleted;
