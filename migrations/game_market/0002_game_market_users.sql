-- depends: 0001_game_market_schema
-- game_market.users and game_market.developer_profiles (seed: users, developer_profiles).
-- Seed silent, decided here:
--   - users.pubkey is the identity anchor: well-formed (game_market.is_pubkey: a compressed
--     secp256k1 key in lowercase hex), unique (the seed's must-have index) and never changed.
--   - display_name and avatar_url are optional; when given, a name has a visible character and
--     no control character (at most 64), an avatar is an https URL (at most 2048).
--   - developer_profiles.user_id is the table's primary key (the seed: "fk users.id unique"):
--     one profile per user; it goes with its user (ON DELETE CASCADE). payout_ln_address is a
--     Lightning address (name@domain); payouts copy it when they are created.
-- The application writes both tables directly, through column grants: every rule here is a CHECK.

CREATE TABLE game_market.users (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    pubkey text NOT NULL,
    display_name text,
    avatar_url text,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_pubkey_key UNIQUE (pubkey),
    CONSTRAINT users_pubkey_check CHECK (game_market.is_pubkey(pubkey)),
    CONSTRAINT users_display_name_check CHECK (
        char_length(display_name) <= 64 AND display_name ~ '[^[:space:]]' AND display_name !~ '[[:cntrl:]]'
    ),
    CONSTRAINT users_avatar_url_check CHECK (char_length(avatar_url) <= 2048 AND avatar_url ~ '^https://[^[:space:]]+$')
);

CALL common.define_immutable_columns('game_market.users', '{id, pubkey, created_at}');

CREATE TRIGGER users_updated_at
BEFORE UPDATE ON game_market.users
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE game_market.users IS
'A person of the store (buyer or developer), known by the public key of their embedded signer.';
COMMENT ON COLUMN game_market.users.pubkey IS
'The identity anchor: a compressed secp256k1 public key, 66 lowercase hex characters starting 02 or 03 '
'(game_market.is_pubkey). Unique; never changes.';
COMMENT ON COLUMN game_market.users.display_name IS 'Optional name shown in the store (1 to 64 characters).';
COMMENT ON COLUMN game_market.users.avatar_url IS 'Optional https URL of the user''s picture.';
COMMENT ON CONSTRAINT users_pubkey_check ON game_market.users IS
'pubkey is a compressed secp256k1 key in lowercase hex (game_market.is_pubkey).';
COMMENT ON CONSTRAINT users_display_name_check ON game_market.users IS
'A display name has at most 64 characters, at least one of them visible, and no control character.';
COMMENT ON CONSTRAINT users_avatar_url_check ON game_market.users IS
'An avatar is an https URL without spaces, at most 2048 characters.';
COMMENT ON TRIGGER users_updated_at ON game_market.users IS 'Keeps updated_at at the time of the last update.';

GRANT SELECT, INSERT (pubkey, display_name, avatar_url), UPDATE (display_name, avatar_url)
ON game_market.users TO chaindb_app;
GRANT SELECT ON game_market.users TO chaindb_readonly;

CREATE TABLE game_market.developer_profiles (
    user_id uuid NOT NULL,
    payout_ln_address text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT developer_profiles_pkey PRIMARY KEY (user_id),
    CONSTRAINT developer_profiles_user_id_fkey FOREIGN KEY (user_id)
    REFERENCES game_market.users (id) ON DELETE CASCADE,
    CONSTRAINT developer_profiles_payout_ln_address_check CHECK (game_market.is_lightning_address(payout_ln_address))
);

CALL common.define_immutable_columns('game_market.developer_profiles', '{user_id, created_at}');

CREATE TRIGGER developer_profiles_updated_at
BEFORE UPDATE ON game_market.developer_profiles
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE game_market.developer_profiles IS
'A user who sells games: at most one profile per user (user_id is the key). Games and payouts need one.';
COMMENT ON COLUMN game_market.developer_profiles.payout_ln_address IS
'Where the developer''s share is paid: a Lightning address, name@domain (game_market.is_lightning_address). '
'A payout copies it when it is created; changing it later changes only later payouts.';
COMMENT ON CONSTRAINT developer_profiles_payout_ln_address_check ON game_market.developer_profiles IS
'payout_ln_address is a Lightning address: name@domain, lowercase (LUD-16).';
COMMENT ON TRIGGER developer_profiles_updated_at ON game_market.developer_profiles IS
'Keeps updated_at at the time of the last update.';

GRANT SELECT, INSERT (user_id, payout_ln_address), UPDATE (payout_ln_address)
ON game_market.developer_profiles TO chaindb_app;
GRANT SELECT ON game_market.developer_profiles TO chaindb_readonly;
