-- Passkeys (WebAuthn): register, use (the sign count never decreases: CD004), list.

-- name: passkey_register(user_id, credential_id, public_key, sign_count, derived_address, device_name)<!
-- Register a credential of a user (23505 passkeys_credential_id_key when it is known already).
-- sign_count NULL means 0.
-- @nullable-param sign_count, derived_address, device_name
INSERT INTO cocopay.passkeys AS p (user_id, credential_id, public_key, sign_count, derived_address, device_name)
VALUES (
    :user_id::uuid,
    :credential_id::varchar,
    :public_key::bytea,
    coalesce(:sign_count::bigint, 0),
    :derived_address::varchar,
    :device_name::varchar
)
RETURNING p.*;

-- name: passkey_use(credential_id, sign_count)<!
-- Record an assertion: the authenticator's new sign_count and last_used_at = common.now().
-- A lower sign_count than stored raises CD004 (passkeys_sign_count_monotonic). None for an unknown credential.
UPDATE cocopay.passkeys AS p
SET sign_count = :sign_count::bigint, last_used_at = common.now()
WHERE p.credential_id = :credential_id::varchar
RETURNING p.*;

-- name: passkey_get_by_credential_id(credential_id)^
-- One passkey by its WebAuthn credential id.
SELECT p.* FROM cocopay.passkeys AS p
WHERE p.credential_id = :credential_id::varchar;

-- name: passkey_list_by_user(user_id)
-- A user's passkeys, oldest first.
SELECT p.*
FROM cocopay.passkeys AS p
WHERE p.user_id = :user_id::uuid
ORDER BY p.created_at, p.id;

-- name: passkey_delete(id, user_id)!
-- A user removes one of their passkeys; returns 1, or 0 when it is not theirs.
DELETE FROM cocopay.passkeys AS p
WHERE p.id = :id::uuid AND p.user_id = :user_id::uuid;
