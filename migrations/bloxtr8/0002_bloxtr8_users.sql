-- depends: 0001_bloxtr8_schema
-- bloxtr8.users, accounts and sessions (seed: User, Account, Session; Account and Session are Better
-- Auth's). Verbatim, plus, where the seed is silent:
--   users     email has an @ (users_email_check); wallet_address is an EVM address (the escrow chain is
--             Base); a user without a wallet has risk UNKNOWN; TIER_2 ("team verified") implies
--             kyc_verified. kyc_tier, kyc_verified, wallet_address and wallet_risk carry rules (KYC gates,
--             sanctions): the app changes them only through the functions of 0013.
--   accounts  one row per external account (provider_id, account_id unique); provider_id is one of the
--             seed's 'discord' | 'roblox', or 'credential' (Better Auth's e-mail/password account, the
--             only one with a password). The OAuth tokens must come back to call the provider: stored as
--             the application gives them (ciphertext); password is a password hash. All four are SECRET:
--             chaindb_readonly cannot read them.
--   sessions  token holds the SHA-256 of the session token (64 lowercase hex digits), never the token:
--             the application hashes the cookie's token to look its session up. SECRET as well.
-- Ids: users default to bloxtr8.cuid(); accounts and sessions have no default (the seed's @id: Better
-- Auth supplies them; the named queries generate one when given none).

CREATE TABLE bloxtr8.users (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    name text,
    email text NOT NULL,
    email_verified boolean NOT NULL DEFAULT false,
    phone text,
    image text,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),

    -- KYC
    kyc_tier bloxtr8.kyc_tier NOT NULL DEFAULT 'TIER_0',
    kyc_verified boolean NOT NULL DEFAULT false,

    -- Wallet
    wallet_address text,
    wallet_risk bloxtr8.wallet_risk NOT NULL DEFAULT 'UNKNOWN',

    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_email_check CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    CONSTRAINT users_wallet_address_check CHECK (common.is_evm_address(wallet_address)),
    CONSTRAINT users_wallet_risk_check CHECK (wallet_address IS NOT NULL OR wallet_risk = 'UNKNOWN'),
    CONSTRAINT users_kyc_verified_check CHECK (kyc_tier <> 'TIER_2' OR kyc_verified)
);

CREATE INDEX users_wallet_address_idx ON bloxtr8.users (wallet_address);

CALL common.define_immutable_columns('bloxtr8.users', '{id, created_at}');

CREATE TRIGGER users_updated_at
BEFORE UPDATE ON bloxtr8.users
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE bloxtr8.users IS 'User accounts with authentication and KYC (seed: User).';
COMMENT ON COLUMN bloxtr8.users.id IS 'cuid (bloxtr8.cuid()).';
COMMENT ON COLUMN bloxtr8.users.kyc_tier IS
'TIER_0 browses only; TIER_1 (Roblox linked) and TIER_2 may list, offer and sign. Set by bloxtr8.set_user_kyc.';
COMMENT ON COLUMN bloxtr8.users.kyc_verified IS 'Verified by the team; TIER_2 requires it.';
COMMENT ON COLUMN bloxtr8.users.wallet_address IS
'The user''s EVM wallet on Base (0x and 40 hex digits). Set by bloxtr8.set_user_wallet, which resets wallet_risk.';
COMMENT ON COLUMN bloxtr8.users.wallet_risk IS
'Screening of wallet_address (bloxtr8.set_user_wallet_risk); SANCTIONED blocks offering and receiving escrowed funds.';
COMMENT ON CONSTRAINT users_email_check ON bloxtr8.users IS 'An e-mail address: something, @, something, no spaces.';
COMMENT ON CONSTRAINT users_wallet_address_check ON bloxtr8.users IS 'wallet_address is an EVM address.';
COMMENT ON CONSTRAINT users_wallet_risk_check ON bloxtr8.users IS 'No wallet, no screening: risk UNKNOWN.';
COMMENT ON CONSTRAINT users_kyc_verified_check ON bloxtr8.users IS 'TIER_2 (team verified) implies kyc_verified.';
COMMENT ON TRIGGER users_updated_at ON bloxtr8.users IS 'Keeps updated_at at the time of the last update (@updatedAt).';

GRANT SELECT, INSERT (name, email, email_verified, phone, image), UPDATE (name, email, email_verified, phone, image)
ON bloxtr8.users TO chaindb_app;
GRANT SELECT ON bloxtr8.users TO chaindb_readonly;

CREATE TABLE bloxtr8.accounts (
    id text NOT NULL,
    account_id text NOT NULL,
    provider_id text NOT NULL,
    user_id text NOT NULL,
    access_token text,
    refresh_token text,
    id_token text,
    access_token_expires_at timestamptz,
    refresh_token_expires_at timestamptz,
    scope text,
    password text,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT accounts_pkey PRIMARY KEY (id),
    CONSTRAINT accounts_user_id_fkey FOREIGN KEY (user_id) REFERENCES bloxtr8.users (id) ON DELETE CASCADE,
    CONSTRAINT accounts_provider_id_account_id_key UNIQUE (provider_id, account_id),
    CONSTRAINT accounts_id_check CHECK (id <> ''),
    CONSTRAINT accounts_account_id_check CHECK (account_id <> ''),
    CONSTRAINT accounts_provider_id_check CHECK (provider_id IN ('discord', 'roblox', 'credential')),
    CONSTRAINT accounts_password_check CHECK (password IS NULL OR provider_id = 'credential')
);

CREATE INDEX accounts_user_id_idx ON bloxtr8.accounts (user_id);

CALL common.define_immutable_columns('bloxtr8.accounts', '{id, account_id, provider_id, user_id, created_at}');

CREATE TRIGGER accounts_updated_at
BEFORE UPDATE ON bloxtr8.accounts
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE bloxtr8.accounts IS
'OAuth account linking (Better Auth; seed: Account): a user''s Discord or Roblox account, or its password login.';
COMMENT ON COLUMN bloxtr8.accounts.id IS 'Better Auth''s id (no default: the seed''s @id without @default).';
COMMENT ON COLUMN bloxtr8.accounts.account_id IS 'The provider''s user id.';
COMMENT ON COLUMN bloxtr8.accounts.provider_id IS '''discord'' | ''roblox'' (seed), or ''credential'' (password login).';
COMMENT ON COLUMN bloxtr8.accounts.access_token IS
'SECRET. The provider''s access token as the application stores it (ciphertext: it must come back to call the '
'provider). Not readable by chaindb_readonly.';
COMMENT ON COLUMN bloxtr8.accounts.refresh_token IS
'SECRET. The provider''s refresh token (ciphertext). Not readable by chaindb_readonly.';
COMMENT ON COLUMN bloxtr8.accounts.id_token IS
'SECRET. The provider''s OpenID id token (ciphertext). Not readable by chaindb_readonly.';
COMMENT ON COLUMN bloxtr8.accounts.password IS
'SECRET. The password hash of a credential account (never a password). Not readable by chaindb_readonly.';
COMMENT ON CONSTRAINT accounts_provider_id_account_id_key ON bloxtr8.accounts IS
'An external account is linked to one user only.';
COMMENT ON CONSTRAINT accounts_provider_id_check ON bloxtr8.accounts IS
'discord or roblox (the seed''s providers), or credential (Better Auth''s password account).';
COMMENT ON CONSTRAINT accounts_password_check ON bloxtr8.accounts IS 'Only a credential account has a password.';
COMMENT ON TRIGGER accounts_updated_at ON bloxtr8.accounts IS 'Keeps updated_at at the time of the last update.';

GRANT SELECT,
INSERT (
    id, account_id, provider_id, user_id, access_token, refresh_token, id_token, access_token_expires_at,
    refresh_token_expires_at, scope, password
),
UPDATE (access_token, refresh_token, id_token, access_token_expires_at, refresh_token_expires_at, scope, password)
ON bloxtr8.accounts TO chaindb_app;
GRANT SELECT (
    id, account_id, provider_id, user_id, access_token_expires_at, refresh_token_expires_at, scope, created_at,
    updated_at
)
ON bloxtr8.accounts TO chaindb_readonly;

CREATE TABLE bloxtr8.sessions (
    id text NOT NULL,
    expires_at timestamptz NOT NULL,
    token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    ip_address text,
    user_agent text,
    user_id text NOT NULL,
    CONSTRAINT sessions_pkey PRIMARY KEY (id),
    CONSTRAINT sessions_token_key UNIQUE (token),
    CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES bloxtr8.users (id) ON DELETE CASCADE,
    CONSTRAINT sessions_id_check CHECK (id <> ''),
    CONSTRAINT sessions_token_check CHECK (token ~ '^[0-9a-f]{64}$'),
    CONSTRAINT sessions_expires_at_check CHECK (expires_at > created_at)
);

CREATE INDEX sessions_user_id_idx ON bloxtr8.sessions (user_id);

CREATE INDEX sessions_expires_at_idx ON bloxtr8.sessions (expires_at);

CALL common.define_immutable_columns('bloxtr8.sessions', '{id, token, user_id, created_at}');

CREATE TRIGGER sessions_updated_at
BEFORE UPDATE ON bloxtr8.sessions
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE bloxtr8.sessions IS
'User sessions (Better Auth; seed: Session); a session is usable until expires_at (the database''s clock).';
COMMENT ON COLUMN bloxtr8.sessions.id IS 'Better Auth''s id (no default: the seed''s @id without @default).';
COMMENT ON COLUMN bloxtr8.sessions.token IS
'SECRET. SHA-256 of the session token, 64 lowercase hex digits: the token itself is never stored. Not readable by '
'chaindb_readonly.';
COMMENT ON INDEX bloxtr8.sessions_expires_at_idx IS 'The clean-up of expired sessions.';
COMMENT ON CONSTRAINT sessions_token_check ON bloxtr8.sessions IS
'token is a SHA-256 digest in lowercase hex, never a session token.';
COMMENT ON CONSTRAINT sessions_expires_at_check ON bloxtr8.sessions IS 'A session expires after it is created.';
COMMENT ON TRIGGER sessions_updated_at ON bloxtr8.sessions IS 'Keeps updated_at at the time of the last update.';

GRANT SELECT, INSERT (id, expires_at, token, ip_address, user_agent, user_id),
UPDATE (expires_at, ip_address, user_agent), DELETE
ON bloxtr8.sessions TO chaindb_app;
GRANT SELECT (id, expires_at, created_at, updated_at, ip_address, user_agent, user_id)
ON bloxtr8.sessions TO chaindb_readonly;
