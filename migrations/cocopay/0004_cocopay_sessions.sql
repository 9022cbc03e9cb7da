-- depends: 0003_cocopay_users
-- cocopay.sessions, verbatim from the seed. token_hash is a secret (chaindb_readonly
-- cannot read it, see 0022_cocopay_grants).

CREATE TABLE cocopay.sessions (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,

    -- Session data
    token_hash varchar(64) NOT NULL,
    auth_method cocopay.auth_method NOT NULL,
    device_info jsonb,
    ip_address inet,

    -- Expiry
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,

    -- Timestamps
    created_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT sessions_pkey PRIMARY KEY (id),
    CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES cocopay.users (id) ON DELETE CASCADE,
    CONSTRAINT sessions_token_hash_check CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT sessions_expires_at_check CHECK (expires_at > created_at),
    CONSTRAINT sessions_revoked_at_check CHECK (revoked_at >= created_at)
);

CREATE INDEX idx_sessions_user ON cocopay.sessions (user_id);

CREATE INDEX idx_sessions_token ON cocopay.sessions (token_hash);

CREATE INDEX idx_sessions_expires ON cocopay.sessions (expires_at) WHERE revoked_at IS NULL;

COMMENT ON TABLE cocopay.sessions IS 'Active user sessions (JWT tracking); a session is valid while not revoked and not expired.';

COMMENT ON COLUMN cocopay.sessions.token_hash IS 'SHA-256 of the JWT, 64 lowercase hex digits; the token itself is never stored. Secret.';

COMMENT ON COLUMN cocopay.sessions.auth_method IS 'How the user authenticated for this session.';

COMMENT ON COLUMN cocopay.sessions.device_info IS '{ platform, os, app_version } as sent by the app.';

COMMENT ON COLUMN cocopay.sessions.revoked_at IS 'When the session was revoked (logout); NULL while usable.';

COMMENT ON CONSTRAINT sessions_token_hash_check ON cocopay.sessions IS
'token_hash is a SHA-256 digest in lowercase hex (64 digits), never a token.';

COMMENT ON CONSTRAINT sessions_expires_at_check ON cocopay.sessions IS 'A session expires after it is created.';

COMMENT ON CONSTRAINT sessions_revoked_at_check ON cocopay.sessions IS 'A session cannot be revoked before it exists.';
