-- depends: 0006_cocopay_smart_accounts
-- cocopay.signing_keys, verbatim from the seed. Fix (DESIGN.md §1): the seed's
-- `UNIQUE(user_id, is_active) WHERE is_active = TRUE` is not valid inside CREATE TABLE;
-- it is the partial unique index signing_keys_user_id_active_key.
-- idx_signing_keys_user is partial (active keys only), so it cannot serve the
-- ON DELETE CASCADE from users for revoked keys: signing_keys_user_id_idx indexes the FK.
-- encrypted_private_key is a secret (chaindb_readonly cannot read it).

CREATE TABLE cocopay.signing_keys (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,

    -- Key data (encrypted)
    encrypted_private_key text NOT NULL,
    address varchar(42) NOT NULL,

    -- Status
    is_active boolean NOT NULL DEFAULT true,
    revoked_at timestamptz,

    -- Timestamps
    created_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT signing_keys_pkey PRIMARY KEY (id),
    CONSTRAINT signing_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES cocopay.users (id) ON DELETE CASCADE,
    CONSTRAINT signing_keys_encrypted_private_key_check CHECK (encrypted_private_key <> ''),
    CONSTRAINT signing_keys_address_check CHECK (common.is_evm_address(address)),
    CONSTRAINT signing_keys_revoked_at_check CHECK (is_active = (revoked_at IS NULL))
);

CREATE UNIQUE INDEX signing_keys_user_id_active_key ON cocopay.signing_keys (user_id, is_active)
WHERE is_active = true;

CREATE INDEX idx_signing_keys_user ON cocopay.signing_keys (user_id) WHERE is_active = true;

CREATE INDEX signing_keys_user_id_idx ON cocopay.signing_keys (user_id);

COMMENT ON TABLE cocopay.signing_keys IS
'Encrypted signing keys of managed wallets; at most one active key per user, revoked keys are kept.';

COMMENT ON COLUMN cocopay.signing_keys.encrypted_private_key IS
'AES-256-GCM ciphertext of the EOA private key (the encryption key is never in the database). Secret.';

COMMENT ON COLUMN cocopay.signing_keys.address IS 'Address derived from the key, to verify decryption.';

COMMENT ON COLUMN cocopay.signing_keys.is_active IS 'The key in use for the user; false once revoked.';

COMMENT ON CONSTRAINT signing_keys_encrypted_private_key_check ON cocopay.signing_keys IS
'The ciphertext is never empty.';

COMMENT ON CONSTRAINT signing_keys_address_check ON cocopay.signing_keys IS 'address is an EVM address.';

COMMENT ON CONSTRAINT signing_keys_revoked_at_check ON cocopay.signing_keys IS
'revoked_at is set exactly when the key is no longer active.';

COMMENT ON INDEX cocopay.signing_keys_user_id_active_key IS
'One active signing key per user (the seed''s UNIQUE(user_id, is_active) WHERE is_active = TRUE).';

COMMENT ON INDEX cocopay.signing_keys_user_id_idx IS
'Indexes the FK to users for every key (idx_signing_keys_user covers active keys only).';
