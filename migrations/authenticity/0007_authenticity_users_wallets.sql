-- depends: 0006_authenticity_codes
-- Consumers and their wallets (seed: users, user_wallets). No OTP or other login secret is
-- stored: sign-in is provider-managed (Privy), the seed's note.
-- Decided where the seed is silent: email is unique case-insensitively (unique index on
-- lower(email)); chain is 'solana' only, since wallet_pubkey must be a Solana key; a wallet
-- never moves to another user nor changes its key (CD003).
-- created_after_first_success is kept by triggers defined with verifications (0010).

CREATE TABLE authenticity.users (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    email text NOT NULL,
    privy_user_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_privy_user_id_key UNIQUE (privy_user_id),
    CONSTRAINT users_email_check CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$' AND length(email) <= 320),
    CONSTRAINT users_privy_user_id_check CHECK (privy_user_id ~ '^[!-~]{1,255}$')
);

CREATE UNIQUE INDEX users_email_key ON authenticity.users (lower(email));

COMMENT ON TABLE authenticity.users IS
'Consumers who verify codes. Authentication is provider-managed (Privy): no password or OTP is stored.';
COMMENT ON COLUMN authenticity.users.email IS
'Contact email, stored as given; unique regardless of case (users_email_key on lower(email)).';
COMMENT ON COLUMN authenticity.users.privy_user_id IS 'The user''s id at Privy (e.g. did:privy:...), unique when set.';
COMMENT ON INDEX authenticity.users_email_key IS 'Email is unique case-insensitively; also the lookup by email.';

CREATE TABLE authenticity.user_wallets (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,
    chain text NOT NULL DEFAULT 'solana',
    wallet_pubkey text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_after_first_success boolean NOT NULL DEFAULT true,
    CONSTRAINT user_wallets_pkey PRIMARY KEY (id),
    CONSTRAINT user_wallets_user_id_fkey FOREIGN KEY (user_id) REFERENCES authenticity.users (id),
    CONSTRAINT user_wallets_wallet_pubkey_key UNIQUE (wallet_pubkey),
    CONSTRAINT user_wallets_chain_check CHECK (chain = 'solana'),
    CONSTRAINT user_wallets_wallet_pubkey_check CHECK (common.is_solana_pubkey(wallet_pubkey))
);

CREATE INDEX user_wallets_user_id_idx ON authenticity.user_wallets (user_id);

COMMENT ON TABLE authenticity.user_wallets IS 'Wallets linked to a user; rewards are paid to them.';
COMMENT ON COLUMN authenticity.user_wallets.chain IS
'Chain of the wallet: ''solana'' only (the key is checked as a Solana public key).';
COMMENT ON COLUMN authenticity.user_wallets.wallet_pubkey IS 'Solana public key (base58 of 32 bytes), unique.';
COMMENT ON COLUMN authenticity.user_wallets.created_after_first_success IS
'Computed by the database: true exactly when the user has a SUCCESS verification verified at or before this '
'wallet''s created_at. Any value written is replaced; a later-recorded earlier success updates it.';

CREATE FUNCTION authenticity.tg_user_wallets__immutable_columns()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'id');
    ELSIF NEW.user_id IS DISTINCT FROM OLD.user_id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'user_id');
    ELSIF NEW.chain IS DISTINCT FROM OLD.chain THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'chain');
    ELSIF NEW.wallet_pubkey IS DISTINCT FROM OLD.wallet_pubkey THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'wallet_pubkey');
    ELSIF NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'created_at');
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_user_wallets__immutable_columns() IS
'BEFORE UPDATE on user_wallets: id, user_id, chain, wallet_pubkey, created_at never change (CD003).';

CREATE TRIGGER user_wallets_immutable_columns
BEFORE UPDATE ON authenticity.user_wallets
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_user_wallets__immutable_columns();

COMMENT ON TRIGGER user_wallets_immutable_columns ON authenticity.user_wallets IS
'A linked wallet stays with its user and key (CD003).';
