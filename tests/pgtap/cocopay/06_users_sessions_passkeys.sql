-- cocopay: rules of users, sessions and passkeys.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(36);
\ir ../helpers.psql

INSERT INTO cocopay.users (id, phone) VALUES ('00000000-0000-0000-0000-000000000601', '+5511900000601');

-- users
SELECT is(
    (SELECT (preferred_chain_id::text, locale::text, last_active_at) FROM cocopay.users
     WHERE id = '00000000-0000-0000-0000-000000000601'),
    ('8453'::text, 'pt-BR'::text, now()),
    'a new user defaults to Base (8453), pt-BR, active now'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.users (phone) VALUES ('5511900000602')$$, 'a phone without + is accepted'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.users (phone) VALUES ('+5511900000601')$$,
    '23505', 'duplicate key value violates unique constraint "users_phone_key"',
    'a phone belongs to one user'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.users (phone) VALUES ('+55 11 9000')$$,
    '23514', 'new row for relation "users" violates check constraint "users_phone_check"',
    'a phone with spaces is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.users (phone) VALUES ('12345')$$,
    '23514', 'new row for relation "users" violates check constraint "users_phone_check"',
    'a phone of 5 digits is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.users (phone, backup_owner_phone) VALUES ('+5511900000603', 'mom')$$,
    '23514', 'new row for relation "users" violates check constraint "users_backup_owner_phone_check"',
    'a malformed backup owner phone is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.users (phone, backup_owner_activated_at) VALUES ('+5511900000604', now())$$,
    '23514', 'new row for relation "users" violates check constraint "users_backup_owner_activated_at_check"',
    'a backup owner cannot be activated when none is set'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.users (phone, backup_owner_phone, backup_owner_activated_at)
      VALUES ('+5511900000605', '+5511900000606', now())$$,
    'a set backup owner can be activated'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.users (phone, email) VALUES ('+5511900000607', 'not-an-email')$$,
    '23514', 'new row for relation "users" violates check constraint "users_email_check"',
    'an e-mail without @ is rejected'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.users (phone, email) VALUES ('+5511900000608', 'ana@example.com')$$,
    'a plain e-mail is accepted'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.users (phone, locale) VALUES ('+5511900000609', 'pt_BR!')$$,
    '23514', 'new row for relation "users" violates check constraint "users_locale_check"',
    'a locale that is not a language tag is rejected'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.users (phone, locale) VALUES ('+5511900000610', 'en')$$, 'locale en is accepted'
);

-- sessions
SELECT lives_ok(
    $$INSERT INTO cocopay.sessions (id, user_id, token_hash, auth_method, expires_at)
      VALUES ('00000000-0000-0000-0000-000000000611', '00000000-0000-0000-0000-000000000601',
              encode(sha256('jwt'), 'hex'), 'passkey', now() + interval '30 days')$$,
    'a session stores the SHA-256 of its token in lowercase hex'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.sessions (user_id, token_hash, auth_method, expires_at)
      VALUES ('00000000-0000-0000-0000-000000000601', upper(encode(sha256('jwt'), 'hex')), 'phone',
              now() + interval '1 day')$$,
    '23514', 'new row for relation "sessions" violates check constraint "sessions_token_hash_check"',
    'an uppercase hex digest is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.sessions (user_id, token_hash, auth_method, expires_at)
      VALUES ('00000000-0000-0000-0000-000000000601', 'eyJhbGciOiJIUzI1NiJ9.e30.abc', 'phone', now() + interval '1 day')$$,
    '23514', 'new row for relation "sessions" violates check constraint "sessions_token_hash_check"',
    'a token in clear is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.sessions (user_id, token_hash, auth_method, expires_at)
      VALUES ('00000000-0000-0000-0000-000000000601', repeat('a', 63), 'phone', now() + interval '1 day')$$,
    '23514', 'new row for relation "sessions" violates check constraint "sessions_token_hash_check"',
    'a 63-digit hash is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.sessions (user_id, token_hash, auth_method, expires_at)
      VALUES ('00000000-0000-0000-0000-000000000601', repeat('a', 64), 'phone', now())$$,
    '23514', 'new row for relation "sessions" violates check constraint "sessions_expires_at_check"',
    'a session must expire after it is created'
);
SELECT throws_ok(
    $$UPDATE cocopay.sessions SET revoked_at = now() - interval '1 hour'
      WHERE id = '00000000-0000-0000-0000-000000000611'$$,
    '23514', 'new row for relation "sessions" violates check constraint "sessions_revoked_at_check"',
    'a session cannot be revoked before it was created'
);
SELECT lives_ok(
    $$UPDATE cocopay.sessions SET revoked_at = now() WHERE id = '00000000-0000-0000-0000-000000000611'$$,
    'a session can be revoked'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.sessions (user_id, token_hash, auth_method, expires_at)
      VALUES ('00000000-0000-0000-0000-000000000601', repeat('a', 64), 'sms', now() + interval '1 day')$$,
    '22P02', 'invalid input value for enum cocopay.auth_method: "sms"',
    'auth_method only takes the enum''s labels'
);

-- passkeys
INSERT INTO cocopay.passkeys (id, user_id, credential_id, public_key)
VALUES ('00000000-0000-0000-0000-000000000621', '00000000-0000-0000-0000-000000000601', 'cred-1', '\x01');
SELECT is(
    (SELECT sign_count FROM cocopay.passkeys
     WHERE id = '00000000-0000-0000-0000-000000000621'), 0::bigint,
    'sign_count starts at 0'
);
SELECT lives_ok(
    $$UPDATE cocopay.passkeys SET sign_count = 5 WHERE id = '00000000-0000-0000-0000-000000000621'$$,
    'sign_count may grow'
);
SELECT lives_ok(
    $$UPDATE cocopay.passkeys SET sign_count = 5, last_used_at = now() WHERE id = '00000000-0000-0000-0000-000000000621'$$,
    'sign_count may stay the same (authenticators without a counter)'
);
SELECT throws_ok(
    $$UPDATE cocopay.passkeys SET sign_count = 4 WHERE id = '00000000-0000-0000-0000-000000000621'$$,
    'CD004', 'passkeys: sign_count may not decrease from 5 to 4',
    'sign_count never decreases (CD004 counter_regression)'
);
SELECT throws_ok(
    $$UPDATE cocopay.passkeys SET sign_count = 0 WHERE id = '00000000-0000-0000-0000-000000000621'$$,
    'CD004', 'passkeys: sign_count may not decrease from 5 to 0',
    'sign_count cannot be reset to 0'
);
SELECT is(
    (SELECT sign_count FROM cocopay.passkeys
     WHERE id = '00000000-0000-0000-0000-000000000621'), 5::bigint,
    'the rejected updates left sign_count at 5'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.passkeys (user_id, credential_id, public_key, sign_count)
      VALUES ('00000000-0000-0000-0000-000000000601', 'cred-2', '\x01', -1)$$,
    '23514', 'new row for relation "passkeys" violates check constraint "passkeys_sign_count_check"',
    'sign_count is never negative'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.passkeys (user_id, credential_id, public_key)
      VALUES ('00000000-0000-0000-0000-000000000601', 'cred-1', '\x02')$$,
    '23505', 'duplicate key value violates unique constraint "passkeys_credential_id_key"',
    'a credential id is registered once'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.passkeys (user_id, credential_id, public_key)
      VALUES ('00000000-0000-0000-0000-000000000601', '', '\x02')$$,
    '23514', 'new row for relation "passkeys" violates check constraint "passkeys_credential_id_check"',
    'an empty credential id is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.passkeys (user_id, credential_id, public_key)
      VALUES ('00000000-0000-0000-0000-000000000601', 'cred-3', '\x')$$,
    '23514', 'new row for relation "passkeys" violates check constraint "passkeys_public_key_check"',
    'an empty public key is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.passkeys (user_id, credential_id, public_key, derived_address)
      VALUES ('00000000-0000-0000-0000-000000000601', 'cred-4', '\x02', '0x1234')$$,
    '23514', 'new row for relation "passkeys" violates check constraint "passkeys_derived_address_check"',
    'a derived address must be an EVM address'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.passkeys (user_id, credential_id, public_key, derived_address)
      VALUES ('00000000-0000-0000-0000-000000000601', 'cred-5', '\x02', '0x' || repeat('aB', 20))$$,
    'a checksummed (mixed-case) derived address is accepted'
);

-- trigger error fields (pg_temp.error_fields, ../helpers.psql): the pseudo-constraint name the Python layer maps on
SELECT is(
    pg_temp.error_fields(
        $$UPDATE cocopay.passkeys SET sign_count = 1 WHERE id = '00000000-0000-0000-0000-000000000621'$$
    ),
    ARRAY['CD004', 'passkeys_sign_count_monotonic', 'passkeys', 'from=5 to=1'],
    'the regression error names constraint passkeys_sign_count_monotonic, the table, and from/to in DETAIL'
);

-- ON DELETE CASCADE from users
SELECT lives_ok(
    $$DELETE FROM cocopay.users WHERE id = '00000000-0000-0000-0000-000000000601'$$,
    'a user without payments can be deleted'
);
SELECT is(
    (SELECT count(*)::int FROM cocopay.passkeys
     WHERE user_id = '00000000-0000-0000-0000-000000000601'), 0,
    'deleting the user deleted its passkeys'
);
SELECT is(
    (SELECT count(*)::int FROM cocopay.sessions
     WHERE user_id = '00000000-0000-0000-0000-000000000601'), 0,
    'deleting the user deleted its sessions'
);

SELECT * FROM finish();
ROLLBACK;
