-- depends: 0004_cocopay_sessions
-- cocopay.passkeys, verbatim from the seed. The sign_count rule (never decreases) is
-- a trigger: 0020_cocopay_passkeys_sign_count.

CREATE TABLE cocopay.passkeys (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,

    -- WebAuthn data
    credential_id varchar(512) NOT NULL,
    public_key bytea NOT NULL,
    sign_count bigint NOT NULL DEFAULT 0,

    -- Derived wallet
    derived_address varchar(42),

    -- Metadata
    device_name varchar(255),
    last_used_at timestamptz,

    -- Timestamps
    created_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT passkeys_pkey PRIMARY KEY (id),
    CONSTRAINT passkeys_user_id_fkey FOREIGN KEY (user_id) REFERENCES cocopay.users (id) ON DELETE CASCADE,
    CONSTRAINT passkeys_credential_id_key UNIQUE (credential_id),
    CONSTRAINT passkeys_credential_id_check CHECK (credential_id <> ''),
    CONSTRAINT passkeys_public_key_check CHECK (octet_length(public_key) > 0),
    CONSTRAINT passkeys_sign_count_check CHECK (sign_count >= 0),
    CONSTRAINT passkeys_derived_address_check CHECK (common.is_evm_address(derived_address))
);

CREATE INDEX idx_passkeys_user ON cocopay.passkeys (user_id);

CREATE INDEX idx_passkeys_credential ON cocopay.passkeys (credential_id);

COMMENT ON TABLE cocopay.passkeys IS 'WebAuthn passkey credentials of users.';

COMMENT ON COLUMN cocopay.passkeys.credential_id IS 'WebAuthn credential id (base64url), unique across users.';

COMMENT ON COLUMN cocopay.passkeys.public_key IS 'COSE-encoded credential public key.';

COMMENT ON COLUMN cocopay.passkeys.sign_count IS
'WebAuthn signature counter; never decreases (trigger passkeys_sign_count_monotonic, SQLSTATE CD004).';

COMMENT ON COLUMN cocopay.passkeys.derived_address IS 'EOA derived from the passkey''s PRF output.';

COMMENT ON CONSTRAINT passkeys_credential_id_check ON cocopay.passkeys IS 'A credential id is never empty.';

COMMENT ON CONSTRAINT passkeys_public_key_check ON cocopay.passkeys IS 'A public key is never empty.';

COMMENT ON CONSTRAINT passkeys_sign_count_check ON cocopay.passkeys IS 'The signature counter is never negative.';

COMMENT ON CONSTRAINT passkeys_derived_address_check ON cocopay.passkeys IS
'derived_address is an EVM address (0x + 40 hex).';

COMMENT ON INDEX cocopay.idx_passkeys_credential IS 'From the seed; duplicates passkeys_credential_id_key.';
