-- Dynamic sessions: walletless onboarding, initiated -> wallet_created | failed.

-- name: dynamic_session_create(external_id, user_identifier)^
-- A new initiated session for the Dynamic SDK's session id. 23505 dynamic_sessions_external_id_key when it exists.
-- @nullable-param user_identifier
-- @one
INSERT INTO tips.dynamic_sessions AS s (external_id, user_identifier)
VALUES (:external_id::varchar, :user_identifier::varchar)
RETURNING s.*;

-- name: dynamic_session_assign_wallet(id, custodial_wallet)^
-- initiated -> wallet_created with the custodial wallet Dynamic issued (tips.assign_session_wallet); the same
-- wallet again changes nothing. 23514 dynamic_sessions_custodial_wallet_check for a wallet that is not a Solana
-- public key, CD003 for another wallet, CD001 when failed.
-- @one
SELECT s.* FROM tips.assign_session_wallet(:id::uuid, :custodial_wallet::varchar) AS s;

-- name: dynamic_session_fail(id, failure_reason)^
-- initiated -> failed with the reason (tips.fail_dynamic_session); the session stays for troubleshooting. CD001
-- when its wallet was created.
-- @one
SELECT s.* FROM tips.fail_dynamic_session(:id::uuid, :failure_reason::text) AS s;

-- name: dynamic_session_get_by_external_id(external_id)^
-- The session of a Dynamic SDK session id; None when there is none.
SELECT s.* FROM tips.dynamic_sessions AS s
WHERE s.external_id = :external_id::varchar;
