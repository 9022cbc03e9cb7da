-- Users: create or get by phone (one statement), read, verify the phone.

-- name: user_get_or_create_by_phone(phone, name, locale)<!
-- The user with this phone, created when new (name and locale are used only then; locale NULL means pt-BR).
-- Either way last_active_at becomes common.now().
-- @nullable-param name, locale
-- @one
INSERT INTO cocopay.users AS u (phone, name, locale)
VALUES (:phone::varchar, :name::varchar, coalesce(:locale::varchar, 'pt-BR'))
ON CONFLICT (phone) DO UPDATE SET last_active_at = common.now()
RETURNING u.*;

-- name: user_get(id)^
-- One user by id.
SELECT u.* FROM cocopay.users AS u
WHERE u.id = :id::uuid;

-- name: user_get_by_phone(phone)^
-- One user by phone.
SELECT u.* FROM cocopay.users AS u
WHERE u.phone = :phone::varchar;

-- name: user_verify_phone(id)^
-- Record that the phone was verified (OTP) at common.now() (cocopay.verify_user_phone); the first verification time
-- is kept. None for an unknown user.
SELECT u.* FROM cocopay.verify_user_phone(:id::uuid) AS u;
