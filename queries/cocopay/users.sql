-- Users: create or get by phone (one statement), read, verify the phone.

-- name: user_get_or_create_by_phone(phone, name, locale, now)<!
-- The user with this phone, created when new (name and locale are used only then; locale NULL means pt-BR).
-- Either way last_active_at becomes now (NULL: now()).
-- @nullable-param name, locale, now
-- @one
INSERT INTO cocopay.users AS u (phone, name, locale, last_active_at, created_at, updated_at)
VALUES (
    :phone::varchar,
    :name::varchar,
    coalesce(:locale::varchar, 'pt-BR'),
    coalesce(:now::timestamptz, now()),
    coalesce(:now::timestamptz, now()),
    coalesce(:now::timestamptz, now())
)
ON CONFLICT (phone) DO UPDATE SET last_active_at = excluded.last_active_at
RETURNING u.*;

-- name: user_get(id)^
-- One user by id.
SELECT u.* FROM cocopay.users AS u
WHERE u.id = :id::uuid;

-- name: user_get_by_phone(phone)^
-- One user by phone.
SELECT u.* FROM cocopay.users AS u
WHERE u.phone = :phone::varchar;

-- name: user_verify_phone(id, now)<!
-- Record that the phone was verified (OTP); the first verification time is kept. None for an unknown user.
-- @nullable-param now
UPDATE cocopay.users AS u
SET phone_verified_at = coalesce(u.phone_verified_at, :now::timestamptz, now())
WHERE u.id = :id::uuid
RETURNING u.*;
