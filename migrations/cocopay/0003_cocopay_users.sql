-- depends: 0002_cocopay_functions
-- cocopay.users, verbatim from the seed, with named constraints and format CHECKs.
-- idx_users_phone duplicates the index behind users_phone_key; it is kept because the
-- seed names it.

CREATE TABLE cocopay.users (
    id uuid NOT NULL DEFAULT gen_random_uuid(),

    -- Identity
    phone varchar(20) NOT NULL,
    phone_verified_at timestamptz,
    name varchar(255),
    email varchar(255),

    -- Recovery
    backup_owner_phone varchar(20),
    backup_owner_activated_at timestamptz,
    last_active_at timestamptz DEFAULT now(),

    -- Preferences
    preferred_chain_id cocopay.chain_id DEFAULT '8453',
    locale varchar(10) DEFAULT 'pt-BR',

    -- Timestamps
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_phone_key UNIQUE (phone),
    CONSTRAINT users_phone_check CHECK (phone ~ '^\+?[0-9]{6,19}$'),
    CONSTRAINT users_backup_owner_phone_check CHECK (backup_owner_phone ~ '^\+?[0-9]{6,19}$'),
    CONSTRAINT users_backup_owner_activated_at_check CHECK (
        backup_owner_activated_at IS NULL OR backup_owner_phone IS NOT NULL
    ),
    CONSTRAINT users_email_check CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    CONSTRAINT users_locale_check CHECK (locale ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$')
);

CREATE INDEX idx_users_phone ON cocopay.users (phone);

CREATE INDEX idx_users_email ON cocopay.users (email) WHERE email IS NOT NULL;

CREATE INDEX idx_users_last_active ON cocopay.users (last_active_at);

COMMENT ON TABLE cocopay.users IS 'Primary user table for both customers and merchants; a user is identified by phone.';

COMMENT ON COLUMN cocopay.users.phone IS 'Login identity, unique; digits with an optional leading + (E.164-ish).';

COMMENT ON COLUMN cocopay.users.phone_verified_at IS 'When the phone was verified by OTP; NULL while unverified.';

COMMENT ON COLUMN cocopay.users.backup_owner_phone IS 'Phone of a trusted person who can recover the account.';

COMMENT ON COLUMN cocopay.users.backup_owner_activated_at IS
'When the backup owner took over (recovery); requires backup_owner_phone.';

COMMENT ON COLUMN cocopay.users.last_active_at IS 'Last time the user was seen active in the app.';

COMMENT ON COLUMN cocopay.users.preferred_chain_id IS 'Chain used by default for the user''s payments (Base).';

COMMENT ON COLUMN cocopay.users.locale IS 'BCP 47 language tag for the app''s texts.';

COMMENT ON CONSTRAINT users_phone_check ON cocopay.users IS
'Phone numbers are 6 to 19 digits with an optional leading +; lenient E.164 (seed silent).';

COMMENT ON CONSTRAINT users_backup_owner_phone_check ON cocopay.users IS
'The backup owner''s phone has the same format as users.phone.';

COMMENT ON CONSTRAINT users_backup_owner_activated_at_check ON cocopay.users IS
'A backup owner can only have been activated when one is set.';

COMMENT ON CONSTRAINT users_email_check ON cocopay.users IS
'Lenient e-mail shape: one @ with non-blank text on both sides.';

COMMENT ON CONSTRAINT users_locale_check ON cocopay.users IS
'locale is a BCP 47-style tag such as pt-BR or en.';

COMMENT ON INDEX cocopay.idx_users_phone IS 'From the seed; duplicates users_phone_key.';
